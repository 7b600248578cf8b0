"""Quality of the answers that need meaning, measured on hand labels (tests/labels/) over data/reports.

Each module of this package measures one kind of answer and exposes:

- ``GOALS``: ``{figure name: goal}`` (what the figure should reach; issue 22's table);
- ``FLOORS`` (optional): ``{figure name: floor}`` for a figure not yet at its goal: the figure reached,
  rounded down, so that a regression fails while the gap stays visible (default: the goal is the floor);
- ``measure(bench: Bench) -> dict[str, float]``: the figures, computed against labels made by reading.

``python -m benchmarks.answers`` prints every figure against its goal and floor in one table and exits 1
when a goal is missed; tests/test_answers.py holds the floors. Figures never come from the system's own
output.
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


def floors(module: object) -> dict[str, float]:
    """The floor of each figure with a goal: FLOORS where the module sets one, else the goal."""
    goals: dict[str, float] = getattr(module, "GOALS")
    return {figure: getattr(module, "FLOORS", {}).get(figure, goal) for figure, goal in goals.items()}


@functools.cache
def bench() -> Bench:
    """Build data/reports into a fresh store once per process."""
    from kg.build import build
    from kg.store import open_index, open_store

    where = Path(tempfile.mkdtemp(prefix="kg-answers-")) / "store"
    build(open_store(where), [REPORTS], index=open_index(where))
    return Bench(store_path=where)
