"""Quality of the answers that need meaning, measured on hand labels (tests/labels/) over data/reports.

Each module of this package measures one kind of answer and exposes:

- ``GOALS``: ``{figure name: goal}`` (the floor a figure must reach; issue 22's table);
- ``measure(bench: Bench) -> dict[str, float]``: the figures, computed against labels made by reading.

``python -m benchmarks.answers`` prints every figure against its goal in one table; tests/test_answers.py
holds the goals as floors. Figures never come from the system's own output.
"""

from __future__ import annotations

import functools
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.common import ROOT

REPORTS = ROOT / "data" / "reports"
LABELS = ROOT / "tests" / "labels"

#: The modules measured, in the order the table prints them (missing ones are skipped).
MODULES = ("problem_types", "related", "search", "organisations", "declared")


@dataclass
class Bench:
    """What every measurement needs once: the data/ store built in a temporary directory, and its paths."""

    store_path: Path
    reports: Path = REPORTS
    labels: Path = LABELS
    cache: dict[str, object] = field(default_factory=dict)


@functools.cache
def bench() -> Bench:
    """Build data/reports into a fresh store once per process."""
    from kg.build import build
    from kg.store import open_index, open_store

    where = Path(tempfile.mkdtemp(prefix="kg-answers-")) / "store"
    build(open_store(where), [REPORTS], index=open_index(where))
    return Bench(store_path=where)
