"""Shared fixtures: the real reports in data/, the hand-read expectations, parsed once."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pytest

from kg.model import Report
from kg.parse import parse_file

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "reports"
EXPECTED = sorted((ROOT / "tests" / "expected").glob("*.json")) + sorted((ROOT / "tests" / "variants").glob("*.expected.json"))
REAL_REPORTS = sorted(DATA.glob("*.txt"))


@lru_cache(maxsize=None)
def parsed(path: str) -> Report:
    return parse_file(path)


def load_expected(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def real_reports() -> list[Report]:
    return [parsed(str(p)) for p in REAL_REPORTS]
