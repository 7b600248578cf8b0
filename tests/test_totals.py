"""Corpus totals kept at build time: equal to the aggregations they replace, after every change.

The aggregations over every report graph that the saved queries ran before the totals existed
are kept in tests/oracles/ as the truth: each listing read from the totals graph must give the
same rows, and a store changed step by step must hold the same totals as one built afresh.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pyoxigraph import Store

from kg import totals
from kg.index import SCHEMA_VERSION, TextIndex
from kg.query import resolve_query, run_query
from kg.namespaces import TOTALS_GRAPH
from kg.build import build, stored_tallies
from kg.store import open_index, open_store, report_graphs
from kg.validate import index_problems
from kg.totals import COMMITTEE_SEPARATOR, totals_problems, type_counts

from .conftest import DATA, REAL_REPORTS, ROOT

ORACLES = ROOT / "tests" / "oracles"
SHARED_TITLE = "党政领导干部选拔任用工作条例"  # cited by Lianhu and Tianqiao (tests/queries/shared-documents.json)


def _rows(store: Store, name: str, params: dict[str, str] | None = None) -> set[tuple]:
    """Rows as a set; a GROUP_CONCAT of committees as a set too (its order is not defined)."""
    result = run_query(store, resolve_query(name), params)
    return {tuple(frozenset(v.split(COMMITTEE_SEPARATOR)) if var == "committees" else v
                  for var, v in zip(result.variables, row, strict=True)) for row in result.rows}


@pytest.mark.parametrize("name,params", [
    ("organisations", {}), ("organisations", {"code": "610104"}), ("shared-documents", {}),
    ("types-by-region", {}), ("types-by-region", {"code": "370105"})])
def test_listings_read_from_the_totals_equal_the_aggregations_they_replace(store: Store, name: str,
                                                                           params: dict[str, str]) -> None:
    found = _rows(store, name, params)
    assert found, f"{name}: no rows"
    assert found == _rows(store, str(ORACLES / f"{name}.rq"), params)


def test_type_counts_equal_counting_every_item(store: Store) -> None:
    expected: dict[str, dict[str, int]] = {}
    for concept, code, n in run_query(store, resolve_query(str(ORACLES / "type-counts.rq"))).rows:
        expected.setdefault(concept, {})[code or "?"] = n
    assert type_counts(store) == expected
    assert len(expected) > 20


def test_tallies_of_the_build_equal_those_read_back_from_the_stored_graphs(store: Store, store_dir: Path) -> None:
    index = open_index(store_dir, read_only=True)
    for graph in report_graphs(store):
        built = index.tallies(graph.value)
        assert {t.kind for t in built} >= {totals.ORGANISATION, totals.TYPE}
        assert sorted(built, key=repr) == sorted(stored_tallies(store, graph), key=repr)


def _totals(store: Store) -> set[str]:
    return {str(q) for q in store.quads_for_pattern(None, None, None, TOTALS_GRAPH)}


def _fresh_totals(folder: Path, scratch: Path) -> set[str]:
    if scratch.exists():
        shutil.rmtree(scratch)
    store = open_store(scratch)
    build(store, [folder], index=open_index(scratch))
    return _totals(store)


def _shared_titles(store: Store) -> set[str]:
    return {row[1] for row in run_query(store, resolve_query("shared-documents")).rows}


def test_totals_follow_every_change_of_the_corpus(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    for path in REAL_REPORTS[:3]:
        shutil.copy(path, folder)
    store_dir = tmp_path / "store"
    store, index = open_store(store_dir), open_index(store_dir)

    def check(step: str) -> None:
        assert totals_problems(store, index) == [], step
        assert _totals(store) == _fresh_totals(folder, tmp_path / "fresh"), step

    build(store, [folder], index=index)
    check("first build")
    before = _totals(store)
    shutil.copy(REAL_REPORTS[3], folder)  # a fourth region
    summary = build(store, [folder], index=index)
    assert summary.totals and _totals(store) != before
    assert SHARED_TITLE in _shared_titles(store)
    check("a report added")
    lianhu = folder / "shaanxi-xian-lianhu-2022.txt"
    lianhu.write_text(lianhu.read_text(encoding="utf-8").replace(SHARED_TITLE, "干部选拔任用工作实施细则"),
                      encoding="utf-8")
    build(store, [folder], index=index)
    assert SHARED_TITLE not in _shared_titles(store)
    check("a report changed: the shared document is cited by one region only")
    (folder / "shandong-jinan-tianqiao-2021.txt").unlink()
    build(store, [folder], index=index, prune=True)
    assert not {row[0] for row in run_query(store, resolve_query("organisations"), {"code": "370105"}).rows}
    check("a report removed")
    assert build(store, [folder], index=index).totals == 0  # nothing changed: nothing rewritten


@pytest.mark.parametrize("change", ["none", "the report added again removed"])
def test_a_build_killed_while_writing_the_totals_is_finished_by_the_next(tmp_path: Path, change: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "reports"
    shutil.copytree(DATA, folder)
    hebei = folder / "hebei-qinhuangdao-etdz-2021.txt"
    held = hebei.read_bytes()
    hebei.unlink()
    store_dir = tmp_path / "store"
    store, index = open_store(store_dir), open_index(store_dir)
    build(store, [folder], index=index)
    hebei.write_bytes(held)  # the next build adds a region: dozens of totals to write
    written: list[int] = []

    def dies_after_one_batch(target: Store, quads: list) -> None:
        if written:
            raise KeyboardInterrupt  # what a kill looks like from here: nothing after this line runs
        written.append(len(quads))
        target.extend(quads)

    monkeypatch.setattr(totals, "WRITE_BATCH_QUADS", 20)
    monkeypatch.setattr(totals, "_add", dies_after_one_batch)
    with pytest.raises(KeyboardInterrupt):
        build(store, [folder], index=index, prune=True)
    monkeypatch.undo()
    assert written and totals_problems(store, index)
    if change != "none":  # the totals half written for it must not outlive it
        hebei.unlink()
    summary = build(store, [folder], index=index, prune=True)
    assert summary.totals > 0
    assert totals_problems(store, index) == []
    assert _totals(store) == _fresh_totals(folder, tmp_path / "fresh")


def test_a_side_database_of_an_older_schema_is_refilled_from_the_store(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    store = open_store(store_dir)
    build(store, [DATA], index=open_index(store_dir))
    expected = _totals(store)
    index = open_index(store_dir)
    index.set_meta("schema", "1")
    index.close()
    with pytest.raises(Exception, match="版本"):
        TextIndex.open(store_dir, read_only=True)
    index = open_index(store_dir)  # opened for writing: emptied, the schema of today
    assert index.meta("schema") == SCHEMA_VERSION and not index.graphs()
    summary = build(store, [DATA], index=index)
    assert not summary.added and summary.totals > 0
    assert index_problems(store, index) == [] and totals_problems(store, index) == []
    assert _totals(store) == expected
