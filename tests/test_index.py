"""The text index beside the graph: what a build writes, what reconcile repairs, how it ranks."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyoxigraph import Literal, Store, Variable

from kg.exceptions import StoreError
from kg.index import KINDS, Entry, TextIndex
from kg.parse import parse_file
from kg.query import contains_hits, resolve_query, run_query
from kg.rdf import report_rdf, report_regions
from kg.sparql import select
from kg.build import build, reconcile, stored_entries
from kg.store import open_index, open_store, report_graphs
from kg.validate import index_problems

from .conftest import DATA, REAL_REPORTS


@pytest.fixture(scope="module")
def plain_store(store: Store) -> Store:
    """The session's store of data/ (tests/conftest.py), used without its text index: each test here
    brings an index of its own."""
    return store


def test_entries_read_back_from_the_graph_equal_those_of_the_build(plain_store: Store) -> None:
    for path in REAL_REPORTS:
        rdf = report_rdf(parse_file(path))
        assert rdf.entries and {e.kind for e in rdf.entries} == set(KINDS)
        assert sorted(stored_entries(plain_store, rdf.graph), key=_key) == sorted(set(rdf.entries), key=_key)


def _key(entry: Entry) -> tuple[str, str]:
    return entry.kind, entry.item


def test_reconcile_indexes_a_store_built_without_the_index(plain_store: Store) -> None:
    index = TextIndex.in_memory()
    assert index_problems(plain_store, index)  # every graph missing
    dropped, added = reconcile(plain_store, index)
    assert not dropped and sorted(added) == sorted(g.value for g in report_graphs(plain_store))
    assert index_problems(plain_store, index) == []
    assert reconcile(plain_store, index) == ([], [])


def test_reconcile_drops_rows_of_graphs_the_store_lacks_or_holds_in_another_version(plain_store: Store) -> None:
    index = TextIndex.in_memory()
    reconcile(plain_store, index)
    graph = report_graphs(plain_store)[0].value
    ghost = "https://w3id.org/xunshi-kg/id/report/000000-区委/2000-01-01/2000-02-02"
    index.put([(ghost, "0" * 64, [Entry("Measure", ghost + "/c1/p1/m1", ("公务用车",))])])
    index.put([(graph, "f" * 64, [])])  # the same graph from a source the store does not record
    problems = index_problems(plain_store, index)
    assert any(ghost in p for p in problems) and any(graph in p for p in problems)
    dropped, added = reconcile(plain_store, index)
    assert dropped == sorted([ghost, graph]) and added == [graph]
    assert index_problems(plain_store, index) == []


def test_kg_build_repairs_a_deleted_or_damaged_index(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    reports = tmp_path / "reports"
    shutil.copytree(DATA, reports, copy_function=shutil.copyfile)
    store = open_store(store_dir)
    build(store, [reports], index=open_index(store_dir))
    ranked = [m.item for m in open_index(store_dir, read_only=True).rank("Measure", ["公务用车"])]
    assert ranked
    (store_dir / "kg-text-index.sqlite").unlink()
    for extra in store_dir.glob("kg-text-index.sqlite-*"):
        extra.unlink()
    with pytest.raises(StoreError, match="run kg build"):
        open_index(store_dir, read_only=True)
    summary = build(store, [reports], index=open_index(store_dir))
    assert len(summary.skipped) == len(REAL_REPORTS)  # nothing parsed again: rebuilt from the graph
    index = open_index(store_dir, read_only=True)
    assert index_problems(store, index) == []
    assert [m.item for m in index.rank("Measure", ["公务用车"])] == ranked


def test_a_changed_report_replaces_its_rows_and_a_pruned_one_loses_them(tmp_path: Path) -> None:
    store_dir, reports = tmp_path / "store", tmp_path / "reports"
    shutil.copytree(DATA, reports, copy_function=shutil.copyfile)
    store, index = open_store(store_dir), open_index(store_dir)
    build(store, [reports], index=index)
    changed = reports / REAL_REPORTS[0].name
    changed.write_text(changed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert build(store, [reports], index=index).replaced == [str(changed)]
    assert index_problems(store, index) == []
    removed = reports / REAL_REPORTS[1].name
    graph = report_rdf(parse_file(removed)).graph.value
    removed.unlink()
    build(store, [reports], index=index, prune=True)
    assert graph not in index.graphs() and not list(index.entries(graph))
    assert index_problems(store, index) == []


def test_rank_needs_every_word_when_asked_and_scores_best_first() -> None:
    index = TextIndex.in_memory()
    graph = "https://w3id.org/xunshi-kg/id/report/x"
    index.put([(graph, "a" * 64, [
        Entry("Measure", graph + "/m1", ("公务用车", "公务用车", "管理")),
        Entry("Measure", graph + "/m2", ("公务用车", "维修", "加油", "保险", "制度", "管理")),
        Entry("Measure", graph + "/m3", ("办公用房", "管理")),
    ])])
    anyword = index.rank("Measure", ["公务用车", "办公用房"])
    assert {m.item for m in anyword} == {graph + "/m1", graph + "/m2", graph + "/m3"}
    order = [m.item.rsplit("/", 1)[1] for m in anyword]
    assert order.index("m1") < order.index("m2")  # twice the word in a shorter text
    assert next(m for m in anyword if m.item.endswith("m1")).matched == ["公务用车"]
    assert [m.score for m in anyword] == sorted((m.score for m in anyword), reverse=True)
    both = index.rank("Measure", ["公务用车", "管理"], every=True)
    assert {m.item for m in both} == {graph + "/m1", graph + "/m2"}
    assert index.df("Measure", "管理") == 3 and index.total("Measure") == 3
    assert index.rank("Measure", ["公务用车"], exclude_graph=graph) == []


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=30))
def test_any_words_are_plain_words_to_the_index(words: str) -> None:
    """Quotes, FTS5 operators (OR, NEAR, *, ^, :) and odd characters never reach the query syntax."""
    index = _small_index()
    found = index.rank("Measure", [words, *words.split()])
    assert all(m.item.startswith("https://w3id.org/") for m in found)


def _small_index() -> TextIndex:
    if not hasattr(_small_index, "index"):
        index = TextIndex.in_memory()
        index.put([("g", "a" * 64, [Entry("Measure", "https://w3id.org/m1", ("OR", "NEAR", "公务用车"))])])
        _small_index.index = index  # type: ignore[attr-defined]
    return _small_index.index  # type: ignore[attr-defined]


def test_kg_text_score_in_sparql_agrees_with_the_search_parameter(plain_store: Store) -> None:
    index = TextIndex.in_memory()
    reconcile(plain_store, index)
    via_values = run_query(plain_store, resolve_query("search-text"), {"words": "公务用车"}, index).as_dicts()
    adhoc = resolve_query("search-text")
    adhoc.text = """PREFIX kg: <https://w3id.org/xunshi-kg/ontology#>
        SELECT ?hit ?score WHERE { ?hit a kg:Measure . BIND(kg:textScore(?hit, "公务用车") AS ?score)
                                   FILTER(BOUND(?score)) } ORDER BY DESC(?score)"""
    adhoc.params = []
    via_function = run_query(plain_store, adhoc, {}, index).as_dicts()
    measures = {r["hit"]: r["score"] for r in via_values if r["kind"] == "measure"}
    assert len(measures) >= 4 and {r["hit"]: r["score"] for r in via_function} == measures


def test_a_search_parameter_without_the_index_is_a_clear_error(plain_store: Store) -> None:
    from kg.exceptions import QueryError

    with pytest.raises(QueryError, match="text index"):
        run_query(plain_store, resolve_query("search-text"), {"words": "公务用车"})


def test_commands_say_when_the_index_is_missing_and_validate_reports_a_stale_one(tmp_path: Path) -> None:
    from .test_cli import kg

    store_dir = tmp_path / "store"
    assert kg("build", str(REAL_REPORTS[0]), "--store", str(store_dir)).returncode == 0
    assert kg("validate", "--store", str(store_dir)).returncode == 0
    index = open_index(store_dir)
    index.put([("https://w3id.org/xunshi-kg/id/report/ghost", "0" * 64, [])])
    index.close()
    stale = kg("validate", "--store", str(store_dir))
    assert stale.returncode == 1 and "文本索引" in stale.stdout and "report/ghost" in stale.stdout
    for extra in store_dir.glob("kg-text-index.sqlite*"):
        extra.unlink()
    for command in (["search", "公务用车"], ["related", "公务用车管理"], ["validate"]):
        result = kg(*command, "--store", str(store_dir))
        assert result.returncode == 2 and "run kg build" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert kg("build", str(REAL_REPORTS[0]), "--store", str(store_dir)).returncode == 0
    assert kg("search", "公务用车", "--store", str(store_dir)).returncode == 0


def test_the_similarity_view_reads_the_same_tokens_from_the_index_as_from_the_texts(store: Store, store_dir: Path) -> None:
    from kg.analysis.similarity import measure_features
    from kg.analysis.views import project
    from kg.graph import Context

    context = Context.of(store, None)
    index = open_index(store_dir, read_only=True)
    from_index, from_texts = measure_features(context, index), measure_features(context)
    assert from_index.tokens == from_texts.tokens and sum(map(len, from_index.tokens.values())) > 1000
    with_index = project(store, "measure-similarity", index=index)
    assert sorted(with_index.edges(data="weight")) == sorted(project(store, "measure-similarity").edges(data="weight"))


def test_texts_and_regions_read_back_from_the_graph_equal_those_of_the_build(plain_store: Store) -> None:
    path_query = """PREFIX kg: <https://w3id.org/xunshi-kg/ontology#>
        SELECT ?code WHERE { GRAPH ?g { ?g kg:committee/kg:region/kg:withinRegion*/kg:divisionCode ?code } }"""
    for path in REAL_REPORTS:
        rdf = report_rdf(parse_file(path))
        codes = report_regions(rdf.graph, rdf.quads)
        assert len(codes) >= 2 and all(re.fullmatch(r"\d{6}", code) for code in codes)
        assert set(codes) == {row["code"].value for row in select(plain_store, path_query, {Variable("g"): rdf.graph},
                                                                  union=False)}
        assert report_regions(rdf.graph, plain_store.quads_for_pattern(None, None, None, rdf.graph)) == codes
        assert all(e.text for e in rdf.entries if e.kind == "Measure")


@pytest.fixture(scope="module")
def indexed(store: Store, store_dir: Path) -> tuple[Store, TextIndex, list[str], list[str]]:
    """The session's store and index, every measure text and every region code its reports have."""
    index = open_index(store_dir, read_only=True)
    assert index is not None
    texts = [row[0].value for row in store.query(
        "SELECT ?t WHERE { ?m a <https://w3id.org/xunshi-kg/ontology#Measure> ; "
        "<https://w3id.org/xunshi-kg/ontology#text> ?t }", use_default_graph_as_union=True)]
    codes = sorted({code for g in report_graphs(store) for code in index.regions(g.value)})
    return store, index, texts, codes


def _scanned(store: Store, text: str, code: str | None) -> set[str]:
    """Measures whose text contains text, in the region's reports: what SPARQL's CONTAINS finds."""
    region = "?g kg:committee/kg:region/kg:withinRegion*/kg:divisionCode ?code ." if code else ""
    query = f"""PREFIX kg: <https://w3id.org/xunshi-kg/ontology#>
        SELECT ?m WHERE {{ GRAPH ?g {{ {region} ?m a kg:Measure ; kg:text ?t . FILTER(CONTAINS(?t, ?kw)) }} }}"""
    bound = {Variable("kw"): Literal(text), **({Variable("code"): Literal(code)} if code else {})}
    return {row["m"].value for row in select(store, query, bound, union=False)}


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_the_index_finds_every_text_holding_a_substring_as_sparql_does(indexed: tuple[Store, TextIndex, list[str], list[str]], data: st.DataObject) -> None:
    store, index, texts, codes = indexed
    source = data.draw(st.sampled_from(texts))
    start = data.draw(st.integers(0, len(source) - 1))
    text = data.draw(st.one_of(st.just(source[start:start + data.draw(st.integers(1, 8))]), st.text(max_size=3)))
    code = data.draw(st.sampled_from([None, *codes]))
    found = [item for item, _ in index.containing(text, ("Measure",), code)]
    assert len(found) == len(set(found)) and set(found) == _scanned(store, text, code)


def test_one_or_two_characters_are_found_by_trigram_prefix_even_at_a_text_s_end(indexed: tuple[Store, TextIndex, list[str], list[str]]) -> None:
    """A text of one or two characters is looked up as the trigrams it starts (the index pads every
    text), so the last characters of a text, which start no trigram of the text itself, are found too."""
    store, index, texts, _ = indexed
    ends = sorted({text[-n:] for text in texts[::max(len(texts) // 12, 1)] for n in (1, 2)})
    assert index._grams(ends[0]) is not None  # served by the index, not by reading every text
    for end in ends:
        found = [item for item, _ in index.containing(end, ("Measure",))]
        assert len(found) == len(set(found)) and set(found) == _scanned(store, end, None), end


def test_region_measures_answer_the_same_with_the_index_and_without(indexed: tuple[Store, TextIndex, list[str], list[str]]) -> None:
    store, index, texts, codes = indexed
    query = resolve_query("region-measures")
    provinces = [c for c in codes if c.endswith("0000")]
    cases = [(code, word) for code in provinces + codes[:3] for word in ("公务用车", "整改", "的", "制度", "无此词语")]
    hit = 0
    for code, word in cases:
        values = {"code": code, "keyword": word}
        scanned = run_query(store, query, values).rows
        assert contains_hits(query, values, index) is not None
        with_index = run_query(store, query, values, index).rows
        assert sorted(with_index, key=repr) == sorted(scanned, key=repr)
        hit += bool(scanned)
        whole = run_query(store, query, values, index, limit=None).rows
        pages = [row for offset in range(0, len(whole) + 7, 7)
                 for row in run_query(store, query, values, index, limit=7, offset=offset).rows]
        assert sorted(pages, key=repr) == sorted(whole, key=repr)
    assert hit >= len(provinces) * 3


def test_a_region_parameter_takes_only_a_division_code(indexed: tuple[Store, TextIndex, list[str], list[str]]) -> None:
    from kg.exceptions import QueryError

    store, index, _, _ = indexed
    with pytest.raises(QueryError, match="6 digits"):
        run_query(store, resolve_query("region-measures"), {"code": "37", "keyword": "公务用车"}, index)


def test_the_trigram_index_follows_replaced_and_removed_reports(plain_store: Store) -> None:
    """The trigrams are an external-content FTS5 index: each removal must give back exactly what was
    inserted, or SQLite's own integrity check fails and lookups go wrong once row ids are reused."""
    index = TextIndex.in_memory()
    reconcile(plain_store, index)
    word = "公务用车"
    before = sorted(index.containing(word))
    first = index.db.execute("SELECT graph FROM entries ORDER BY id LIMIT 1").fetchone()[0]
    last = index.db.execute("SELECT graph FROM entries ORDER BY id DESC LIMIT 1").fetchone()[0]  # ids reused
    again = [(g, sha, list(index.entries(g)), [], index.regions(g)) for g, sha in index.graphs().items()
             if g in (first, last)]
    index.remove([first, last])
    assert {g for _, g in before} & {first, last}
    assert not {g for _, g in index.containing(word)} & {first, last}
    index.put(again)
    index.db.execute("INSERT INTO texts (texts, rank) VALUES ('integrity-check', 1)")  # raises when out of step
    assert sorted(index.containing(word)) == before
