"""The RDF store built from data/ and its saved queries: golden cases (tests/queries/README.md), standard
SPARQL texts, listings and parameters; SHACL shapes; deterministic IRIs; incremental builds; store errors."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, Store

from kg.exceptions import QueryError, StoreError
from kg.model import Report
from kg.index import TextIndex
from kg.query import (
    LOCAL_PLANS,
    QUERY_DIR,
    QueryResult,
    SavedQuery,
    load_query,
    resolve_query,
    run_query,
    saved_queries,
)
from kg.sparql import code_only
from kg.build import build
from kg.store import open_store, report_graphs, sources_in_store
from kg.validate import validate_store

from .conftest import DATA, GOLDEN, REAL_REPORTS


def _s(value: object) -> str:
    return "" if value is None else str(value)


def _matches(row: dict, want: dict, contains_text: bool) -> bool:
    for key, value in want.items():
        got = _s(row.get(key))
        if contains_text and key == "text":
            if not (str(value) in got or got in str(value)) or not got:
                return False
        elif got != _s(value):
            return False
    return True


@pytest.mark.parametrize("golden", GOLDEN, ids=lambda p: p.stem)
def test_saved_query_golden(store: Store, index: TextIndex, golden: Path) -> None:
    """The case holds for the portable SPARQL 1.1 text and, when the query has one, for its local plan,
    and the two give the same rows."""
    case = json.loads(golden.read_text(encoding="utf-8"))
    query = resolve_query(case["query"])
    portable = run_query(store, query, case.get("params", {}), index, portable=True)
    _check_golden(golden, case, portable)
    if query.local_text is not None:
        local = run_query(store, query, case.get("params", {}), index)
        assert local.variables == portable.variables
        assert Counter(map(tuple, local.rows)) == Counter(map(tuple, portable.rows)), f"{golden.name}: plans differ"
        _check_golden(golden, case, local)


def _check_golden(golden: Path, case: dict, result: QueryResult) -> None:
    rows = result.as_dicts()
    contains_text = case.get("match") == "text-contains"
    if "rows" in case:
        keys = sorted({k for r in case["rows"] for k in r}) or result.variables
        got = Counter(tuple(_s(r.get(k)) for k in keys) for r in rows)
        want = Counter(tuple(_s(r.get(k)) for k in keys) for r in case["rows"])
        assert got == want, f"{golden.name}: rows differ"
    if "contains" in case:
        missing = [w for w in case["contains"] if not any(_matches(r, w, contains_text) for r in rows)]
        allowed = (1 - case.get("contains_fraction", 1.0)) * len(case["contains"])
        assert len(missing) <= allowed, f"{golden.name}: not found: {missing}"
    if "counts" in case:
        by = case["count_by"]
        counts = Counter(_s(r[by]).removeprefix("https://w3id.org/xunshi-kg/id/") for r in rows)
        assert dict(counts) == case["counts"]
    for key, value in case.get("all_rows_contain", {}).items():
        assert rows and all(value in _s(r.get(key)) for r in rows), f"{golden.name}: a row lacks {value!r}"
    assert len(rows) >= case.get("min_rows", 0)
    if "distinct" in case:
        values = [r[case["distinct"]] for r in rows]
        assert len(values) == len(set(values)), f"{golden.name}: duplicate {case['distinct']} rows"


def test_saved_query_texts_are_standard_sparql() -> None:
    """Every saved query parses with rdflib's SPARQL 1.1 parser (no LATERAL or other extension: what
    a user copies from queries/ runs on any engine); a local plan is an Oxigraph-only form of the same
    query: same columns, and it does not parse as SPARQL 1.1 (else it would be the query itself)."""
    from rdflib.plugins.sparql import prepareQuery

    queries = saved_queries()
    for query in queries:
        assert "LATERAL" not in code_only(query.text).upper(), query.name
        prepareQuery(query.text)
        if query.local_text is not None:
            assert _projection(query.local_text) == _projection(query.text), query.name
            with pytest.raises(Exception):
                prepareQuery(query.local_text)
    plans = sorted(p.stem for p in (QUERY_DIR / LOCAL_PLANS).glob("*.rq"))
    assert plans == sorted(q.name for q in queries if q.local_text is not None) and plans
    assert set(plans) <= {q.name for q in queries}, "a local plan without its saved query"


def _projection(text: str) -> list[str]:
    code = code_only(text)
    return re.findall(r"\?\w+", code[code.upper().index("SELECT"):code.upper().index("WHERE")])


def test_region_hierarchy_is_at_most_three_levels(store: Store) -> None:
    """The portable region queries spell the hierarchy out as a region, its parent and its parent's
    parent (county < city < province); a deeper chain would be missed by them."""
    deeper = "PREFIX kg: <https://w3id.org/xunshi-kg/ontology#> ASK { ?a kg:withinRegion/kg:withinRegion/kg:withinRegion ?b }"
    two = "PREFIX kg: <https://w3id.org/xunshi-kg/ontology#> ASK { ?a kg:withinRegion/kg:withinRegion ?b }"
    assert not store.query(deeper, use_default_graph_as_union=True)
    assert store.query(two, use_default_graph_as_union=True)


def test_every_saved_query_has_a_header_and_a_golden_case() -> None:
    covered = {json.loads(p.read_text(encoding="utf-8"))["query"] for p in GOLDEN}
    for query in saved_queries():
        assert query.title and query.description, f"{query.name}: header comment missing"
        assert query.name in covered, f"{query.name}: no golden case in tests/queries/"
    assert len(saved_queries()) >= 10


def test_every_report_graph_conforms_to_the_shapes(store: Store) -> None:
    results = validate_store(store)
    assert len(results) == len(REAL_REPORTS)
    for result in results:
        assert result.conforms, [v.message for v in result.violations]


def test_shapes_reach_the_nodes_whose_class_is_not_stated(real_reports: list[Report]) -> None:
    """Mentions, bodies and declared counts carry no rdf:type (issue 25): the shapes target them by their links
    (sh:targetSubjectsOf / sh:targetObjectsOf), so a mention with no relation, a body with no name, a declared
    count with no number and an item outside its report's IRI are still caught, and the graph as built conforms."""
    from pyoxigraph import Literal, NamedNode, Quad

    from kg.namespaces import KG, RDF_TYPE, SKOS_PREF, XSD_INTEGER
    from kg.rdf import report_rdf
    from kg.validate import load_shapes, validate_graph

    rdf = report_rdf(real_reports[0])
    store = Store()
    store.extend(rdf.quads)
    shapes, constraints = load_shapes()
    assert validate_graph(store, rdf.graph, shapes, constraints).conforms

    def first(predicate: str, subject: bool) -> NamedNode:
        node = next(q.subject if subject else q.object for q in rdf.quads if q.predicate.value == KG + predicate)
        assert isinstance(node, NamedNode)
        return node

    mention, body, declared = first("document", True), first("participantBody", False), first("declares", False)
    drop = {(mention, NamedNode(KG + "relation")), (body, SKOS_PREF), (declared, NamedNode(KG + "count"))}
    for quad in [q for q in rdf.quads if (q.subject, q.predicate) in drop]:
        store.remove(quad)
    stray = NamedNode("https://w3id.org/xunshi-kg/id/report/elsewhere/c1/p1/m1")
    store.extend([Quad(stray, RDF_TYPE, NamedNode(KG + "Measure"), rdf.graph),
                  Quad(stray, NamedNode(KG + "addresses"), first("addresses", False), rdf.graph),
                  Quad(stray, NamedNode(KG + "spanStart"), Literal("0", datatype=XSD_INTEGER), rdf.graph)])
    focus = {(v.focus, v.path) for v in validate_graph(store, rdf.graph, shapes, constraints).violations}
    assert {(node.value, predicate.value) for node, predicate in drop} <= focus
    assert (stray.value, None) in focus  # not under its report's IRI (the graph's report: kg:inReport is not written)


def test_each_problem_states_how_many_measures_address_it(store: Store) -> None:
    query = """PREFIX kg: <https://w3id.org/xunshi-kg/ontology#>
        SELECT ?problem ?stated (COUNT(?m) AS ?found) WHERE {
          ?problem a kg:Problem . OPTIONAL { ?problem kg:measureCount ?written }  # 0 is not written (kg.ttl)
          BIND (COALESCE(?written, 0) AS ?stated) OPTIONAL { ?m kg:addresses ?problem }
        } GROUP BY ?problem ?stated"""
    rows = list(store.query(query, use_default_graph_as_union=True))
    problems = list(store.query("PREFIX kg: <https://w3id.org/xunshi-kg/ontology#> "
                                      "SELECT ?p WHERE { ?p a kg:Problem }", use_default_graph_as_union=True))
    assert len(rows) == len(problems) > 100
    assert all(int(r["stated"].value) == int(r["found"].value) for r in rows)
    assert any(int(r["stated"].value) > 0 for r in rows)


def test_each_report_states_its_status_counts(store: Store) -> None:
    prefix = "PREFIX kg: <https://w3id.org/xunshi-kg/ontology#> "
    counted = {(r["g"].value, r["status"].value): int(r["n"].value) for r in store.query(
        prefix + "SELECT ?g ?status (COUNT(?p) AS ?n) WHERE { GRAPH ?g { ?p a kg:Problem ; kg:status ?status } } "
        "GROUP BY ?g ?status")}
    stated = {(r["g"].value, r["status"].value): int(r["n"].value) for r in store.query(
        prefix + "SELECT ?g ?status ?n WHERE { GRAPH ?g { ?g kg:statusCount ?s . "
        "?s kg:statusTag ?status ; kg:problemCount ?n } }")}
    assert stated == counted and len(counted) >= 3


def test_shapes_catch_a_broken_graph() -> None:
    store = Store()
    build(store, [REAL_REPORTS[2]])
    graph = report_graphs(store)[0]
    measure = next(q for q in store.quads_for_pattern(None, None, None, graph)
                   if q.predicate.value.endswith("#addresses"))
    store.remove(measure)
    [result] = validate_store(store)
    assert not result.conforms
    assert any("每条措施须针对一个问题" in v.message and v.focus == measure.subject.value for v in result.violations)


def _report_nquads(store: Store) -> list[str]:
    """The report graphs as sorted N-Quads (the vocabulary graphs hold blank nodes)."""
    return sorted(str(q) for g in report_graphs(store) for q in store.quads_for_pattern(None, None, None, g))


def test_iris_are_deterministic_across_builds(store: Store) -> None:
    again = Store()
    build(again, list(reversed(REAL_REPORTS)))
    assert _report_nquads(again) == _report_nquads(store)


def test_nquads_round_trip(store: Store) -> None:
    copy = Store()
    copy.load(store.dump(format=RdfFormat.N_QUADS), format=RdfFormat.N_QUADS)
    assert _report_nquads(copy) == _report_nquads(store)
    assert len(copy) == len(store)


def test_incremental_build_skip_replace_prune(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    shutil.copytree(DATA, folder)
    store = open_store(tmp_path / "store")
    first = build(store, [folder])
    assert len(first.added) == len(REAL_REPORTS)
    again = build(store, [folder])
    assert len(again.skipped) == len(REAL_REPORTS) and not again.added and not again.replaced
    before = {g.value: set(store.quads_for_pattern(None, None, None, g)) for g in report_graphs(store)}
    changed = folder / REAL_REPORTS[2].name
    changed.write_text(changed.read_text(encoding="utf-8").replace("一是建立长效学习机制", "一是建立健全长效学习机制"),
                       encoding="utf-8")
    third = build(store, [folder])
    assert third.replaced == [str(changed)] and len(third.skipped) == len(REAL_REPORTS) - 1
    after = {g.value: set(store.quads_for_pattern(None, None, None, g)) for g in report_graphs(store)}
    differing = [g for g in before if before[g] != after.get(g)]
    assert len(differing) == 1 and "610104" in differing[0]
    (folder / REAL_REPORTS[0].name).unlink()
    fourth = build(store, [folder], prune=True)
    assert fourth.pruned == [str(folder / REAL_REPORTS[0].name)]
    assert len(report_graphs(store)) == len(REAL_REPORTS) - 1
    assert str(folder / REAL_REPORTS[0].name) not in sources_in_store(store)


def test_a_graph_built_by_other_code_is_built_again(tmp_path: Path) -> None:
    """A report graph whose source file records other code (an older kg, or none recorded, as before
    kg:builtWith) is parsed and written again though the file is unchanged; the others are skipped."""
    from pyoxigraph import Literal, NamedNode, Quad

    from kg.namespaces import KG
    from kg.rdf import graph_format

    store = open_store(tmp_path / "store")
    build(store, [DATA])
    built = sorted(store.quads_for_pattern(None, NamedNode(KG + "builtWith"), None, None), key=str)
    assert len(built) == len(REAL_REPORTS) and {q.object for q in built} == {Literal(graph_format())}
    store.remove(built[0])  # as a graph written before kg:builtWith
    store.remove(built[1])
    store.add(Quad(built[1].subject, built[1].predicate, Literal("0.0.1+older"), built[1].graph_name))
    again = build(store, [DATA])
    assert len(again.replaced) == 2 and len(again.skipped) == len(REAL_REPORTS) - 2
    assert {q.object for q in store.quads_for_pattern(None, NamedNode(KG + "builtWith"), None, None)} == {
        Literal(graph_format())}
    assert len(build(store, [DATA]).skipped) == len(REAL_REPORTS)


def test_a_tokenizer_upgrade_changes_what_built_a_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    """jieba's or rjieba's version is part of kg:builtWith: after their upgrade the texts are cut anew (the
    classifier's evidence and the index's tokens come from their dictionaries), so `kg build` rebuilds."""
    import importlib.metadata

    from kg.rdf import graph_format

    today = graph_format()
    real = importlib.metadata.version
    for package in ("jieba", "rjieba"):
        monkeypatch.setattr(importlib.metadata, "version", lambda name, p=package: "99.0" if name == p else real(name))
        graph_format.cache_clear()
        assert graph_format() != today, package
    monkeypatch.setattr(importlib.metadata, "version", real)
    graph_format.cache_clear()
    assert graph_format() == today


def test_a_bad_file_is_reported_and_leaves_the_store_whole(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    store = Store()
    summary = build(store, [REAL_REPORTS[1], bad, REAL_REPORTS[2]])
    assert [p for p, _ in summary.failed] == [str(bad)]
    assert len(summary.added) == 2 and len(report_graphs(store)) == 2


def test_parameters_are_typed_and_checked(store: Store, tmp_path: Path) -> None:
    reports = resolve_query("region-reports")
    with pytest.raises(QueryError, match="未知参数"):
        run_query(store, reports, {"code": "370000", "nope": "1"})
    with pytest.raises(QueryError, match="缺少参数"):
        run_query(store, reports, {})
    with pytest.raises(QueryError, match="无效"):
        run_query(store, resolve_query("source-sentence"), {"item": "http://bad iri with spaces"})
    by_type = resolve_query("measures-by-type")
    with pytest.raises(QueryError, match="没有这个问题类型"):
        run_query(store, by_type, {"type": "no-such-type"})
    named = {r["measure"] for r in run_query(store, by_type, {"type": "中央八项规定精神"}).as_dicts()}
    assert named and named == {r["measure"] for r in run_query(store, by_type, {"type": "B3"}).as_dicts()}
    broken = tmp_path / "broken.rq"
    broken.write_text("# title: x\n# description: y\nSELECT ?x WHERE { ?x ?p }\n", encoding="utf-8")
    with pytest.raises(QueryError, match=r"error at \d+:\d+"):
        run_query(store, load_query(broken))


@pytest.mark.parametrize("name", ["problems", "reports", "formulated-documents"])
def test_pages_of_a_listing_add_up_to_the_whole_listing(store: Store, name: str) -> None:
    query = resolve_query(name)
    whole = run_query(store, query).rows
    size = max(1, len(whole) // 3)
    pages, offset = [], 0
    while page := run_query(store, query, limit=size, offset=offset).rows:
        assert len(page) <= size
        pages.extend(page)
        offset += size
    assert len(whole) > 3 and Counter(map(tuple, pages)) == Counter(map(tuple, whole))


def test_a_listing_is_sorted_by_its_sort_header(store: Store) -> None:
    query = resolve_query("problems")
    assert query.sort == [("report", False), ("problem", False)]
    rows = run_query(store, query).as_dicts()
    keys = [(r["report"], r["problem"]) for r in rows]
    assert len(keys) > 100 and keys == sorted(keys)
    by_type = load_query(QUERY_DIR / "measures-by-type.rq")
    assert by_type.sort == [("code", False), ("score", True), ("measure", False)]
    scored = run_query(store, by_type, {"type": "supervision"}).as_dicts()
    for code in {r["code"] for r in scored}:  # scores sort as numbers, best first
        scores = [float(r["score"]) for r in scored if r["code"] == code]
        assert scores == sorted(scores, reverse=True)
    # a score is the classifier's probability for the type (kg.classify), and they differ, so the order matters
    assert all(0.0 < float(r["score"]) <= 1.0 for r in scored) and len({r["score"] for r in scored}) > 1


def test_a_top_type_stands_for_its_kinds(store: Store) -> None:
    by_type = resolve_query("measures-by-type")
    top = run_query(store, by_type, {"type": "B"}).as_dicts()
    kinds = [r for kind in ("B1", "B2", "B3", "B4", "B5", "B6")
             for r in run_query(store, by_type, {"type": kind}).as_dicts()]
    assert top and Counter(r["measure"] for r in top) == Counter(r["measure"] for r in kinds)


def test_bad_pages_are_refused(store: Store, tmp_path: Path) -> None:
    reports = resolve_query("reports")
    with pytest.raises(QueryError, match="分页"):
        run_query(store, reports, limit=0)
    with pytest.raises(QueryError, match="分页"):
        run_query(store, reports, offset=-1)
    limited = tmp_path / "limited.rq"
    limited.write_text("SELECT ?s WHERE { ?s ?p ?o } LIMIT 5\n", encoding="utf-8")
    with pytest.raises(QueryError, match="LIMIT"):
        run_query(store, load_query(limited), limit=2)
    assert len(run_query(store, load_query(limited)).rows) == 5


def test_locked_and_corrupt_stores_give_clear_errors(tmp_path: Path) -> None:
    holder = open_store(tmp_path / "locked")
    with pytest.raises(StoreError, match="占用"):
        open_store(tmp_path / "locked")
    del holder
    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    (corrupt / "CURRENT").write_text("garbage")
    with pytest.raises(StoreError):
        open_store(corrupt)
    with pytest.raises(StoreError, match="kg build"):
        open_store(tmp_path / "missing", read_only=True)


def test_saved_queries_live_in_queries_dir() -> None:
    assert all(isinstance(q, SavedQuery) and q.path.parent == QUERY_DIR for q in saved_queries())
