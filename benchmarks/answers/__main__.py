"""Print every answer-quality figure against its goal: python -m benchmarks.answers [MODULE ...]."""

from __future__ import annotations

import importlib
import sys

from benchmarks.answers import MODULES, bench, floors


def main(names: list[str]) -> int:
    """One row per figure: answer, figure, value, goal, floor (what tests hold), met. Exit 1 when a goal
    is missed."""
    missed = 0
    print(f"{'answer':<15}{'figure':<28}{'value':>8}{'goal':>8}{'floor':>8}  met")
    for name in names or MODULES:
        try:
            module = importlib.import_module(f"benchmarks.answers.{name}")
        except ModuleNotFoundError:
            continue
        figures = module.measure(bench())
        lowest = floors(module)
        for figure, goal in module.GOALS.items():
            value = figures[figure]
            met = value >= goal
            missed += not met
            print(f"{name:<15}{figure:<28}{value:>8.3f}{goal:>8.2f}{lowest[figure]:>8.2f}  {'yes' if met else 'NO'}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
