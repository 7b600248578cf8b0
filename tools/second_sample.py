"""Pick the items of the blind second labelling of problem types (tests/labels/types-second.json).

    python tools/second_sample.py            # prints the 120 picked entries of sample*.json as JSON

The pool is sample.json + sample-more.json joined in that order (428 items; index i is entry i of the
join). random.Random(20261203) draws 40 of the problems' indices, then 80 of the measures' indices
(about 1/3 problems, 2/3 measures), each with .sample over the indices in join order; the picked
items are listed in join order. Fixed seed, so anyone gets the same 120.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

SEED = 20261203
PROBLEMS = 40
MEASURES = 80
LABELS = Path(__file__).resolve().parent.parent / "tests" / "labels"


def pool() -> list[dict[str, str]]:
    """sample.json then sample-more.json, as one list."""
    entries: list[dict[str, str]] = []
    for name in ("sample.json", "sample-more.json"):
        entries.extend(json.loads((LABELS / name).read_text(encoding="utf-8")))
    return entries


def picked(entries: list[dict[str, str]]) -> list[int]:
    """The indices drawn: 40 problems and 80 measures, seeded, in join order."""
    rng = random.Random(SEED)
    problems = [i for i, e in enumerate(entries) if e["kind"] == "problem"]
    measures = [i for i, e in enumerate(entries) if e["kind"] == "measure"]
    return sorted(rng.sample(problems, PROBLEMS) + rng.sample(measures, MEASURES))


def main() -> int:
    entries = pool()
    json.dump([entries[i] for i in picked(entries)], sys.stdout, ensure_ascii=False, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
