"""Floors on the quality of answers that need meaning (issue 22): each figure that
benchmarks/answers measures against hand labels in tests/labels/ must reach its floor (its goal, or
for a figure not yet at its goal the figure reached, so that a regression fails)."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import pytest

from benchmarks.answers import MODULES, Bench, floors


def _modules() -> list[ModuleType]:
    found = []
    for name in MODULES:
        try:
            found.append(importlib.import_module(f"benchmarks.answers.{name}"))
        except ModuleNotFoundError:
            continue
    return found


FLOORS = [(module, figure, floor) for module in _modules() for figure, floor in floors(module).items()]


@pytest.fixture(scope="session")
def answer_bench(store_dir: Path) -> Bench:
    """The session's data/ store, measured by every module once."""
    return Bench(store_path=store_dir)


@pytest.fixture(scope="session")
def figures(answer_bench: Bench) -> dict[str, dict[str, float]]:
    return {module.__name__: module.measure(answer_bench) for module in _modules()}


@pytest.mark.parametrize(("module", "figure", "floor"), FLOORS,
                         ids=[f"{m.__name__.rsplit('.', 1)[-1]}-{f}" for m, f, _ in FLOORS])
def test_figure_reaches_its_floor(figures: dict[str, dict[str, float]], module: ModuleType, figure: str,
                                  floor: float) -> None:
    value = figures[module.__name__][figure]
    assert value >= floor, f"{figure} = {value:.3f} < {floor}"
