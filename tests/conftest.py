"""Shared fixtures: the real reports in data/, the hand-read expectations, parsed once; the store and
text index built from data/ once per session (and writable copies of them); the golden query cases."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import networkx as nx
import pytest
from pyoxigraph import Store

from kg.index import TextIndex
from kg.model import Report
from kg.parse import parse_file
from kg.query import QueryResult, SavedQuery, resolve_query, run_query

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval"  # the development set with its gold, read where it is beside the project
needs_eval = pytest.mark.skipif(not (EVAL / "openings").is_dir(), reason="no ../shared/eval beside the project")
DATA = ROOT / "data" / "reports"
EXPECTED = sorted((ROOT / "tests" / "expected").glob("*.json")) + sorted((ROOT / "tests" / "variants").glob("*.expected.json"))
REAL_REPORTS = sorted(DATA.glob("*.txt"))
GOLDEN = sorted((ROOT / "tests" / "queries").glob("*.json"))  # golden query cases: tests/queries/README.md


@lru_cache(maxsize=None)
def parsed(path: str) -> Report:
    return parse_file(path)


def load_expected(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def real_reports() -> list[Report]:
    return [parsed(str(p)) for p in REAL_REPORTS]


def assert_spans_faithful(report: Report) -> None:
    """text[start:end] == the item's text, for every item that has a span."""
    text = report.text
    assert report.source.chars == len(text)
    for problem in report.iter_problems():
        if problem.span:
            assert text[problem.span[0]:problem.span[1]] == problem.title
        if problem.lead_span:
            assert text[problem.lead_span[0]:problem.lead_span[1]] == problem.lead
        for measure in problem.measures:
            assert text[measure.span[0]:measure.span[1]] == measure.text
            assert measure.text.strip() == measure.text and measure.text
    for category in report.categories:
        if category.span:
            assert text[category.span[0]:category.span[1]] == category.title
    for declared in report.declared:
        assert text[declared.span[0]:declared.span[1]] == declared.text
    for document in report.documents:
        for mention in document.mentions:
            assert text[mention.span[0]:mention.span[1]].strip() == document.title
    if report.committee.span:
        assert text[report.committee.span[0]:report.committee.span[1]] == report.committee.name


@pytest.fixture(scope="session")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An on-disk store and its text index built from data/ once for the whole session (read them,
    don't change them)."""
    from kg.build import build
    from kg.store import open_index, open_store

    path = tmp_path_factory.mktemp("data-store") / "store"
    summary = build(open_store(path), [DATA], index=open_index(path))
    assert len(summary.added) == len(REAL_REPORTS) and not summary.failed
    return path


@pytest.fixture(scope="session")
def store(store_dir: Path) -> Store:
    from kg.store import open_store

    return open_store(store_dir, read_only=True)


@pytest.fixture(scope="session")
def index(store_dir: Path) -> TextIndex:
    """The session store's text index, read-only."""
    from kg.store import open_index

    return open_index(store_dir, read_only=True)


@pytest.fixture(scope="session")
def store_copy(store: Store, store_dir: Path) -> Callable[[Path], Path]:
    """copy(target) makes a writable copy of the session store and its text index at target (a path that
    does not exist yet), for a test that changes its store (a push records what it pushed in the store)
    without building data/ again."""
    from kg.index import INDEX_FILE

    def copy(target: Path) -> Path:
        store.backup(str(target))
        for part in store_dir.glob(INDEX_FILE + "*"):
            shutil.copyfile(part, target / part.name)
        return target

    return copy


@pytest.fixture(scope="session")
def views(store: Store) -> dict[str, nx.Graph]:
    from kg.analysis.views import VIEWS, project

    return {name: project(store, name) for name in VIEWS}


def assert_same_rows(store: Store, index: TextIndex, endpoint: str, query: SavedQuery, params: dict[str, str],
                     label: str, **remote: str) -> QueryResult:
    """A saved query answers the same columns and rows (as a multiset) on a SPARQL endpoint as on the
    embedded store; the local answer is returned. ``remote``: run_remote_query's method and accept."""
    from kg.remote import run_remote_query

    here = run_query(store, query, params, index)
    there = run_remote_query(endpoint, query, params, index=index, **remote)
    assert there.variables == here.variables
    assert Counter(map(tuple, there.rows)) == Counter(map(tuple, here.rows)), label
    return here


def assert_golden_case_same_remotely(store: Store, index: TextIndex, endpoint: str, golden: Path,
                                     may_be_empty: tuple[str, ...] = ()) -> None:
    """A golden case gives the same rows on the endpoint as on the embedded store, and has rows to
    compare unless it expects none (injection cases, "rows": []) or its name starts with may_be_empty."""
    case = json.loads(golden.read_text(encoding="utf-8"))
    here = assert_same_rows(store, index, endpoint, resolve_query(case["query"]), case.get("params", {}), golden.name)
    if not golden.stem.endswith(".injection") and case.get("rows") != []:
        assert here.rows or golden.stem.startswith(may_be_empty), f"{golden.name}: no rows to compare"
