"""Property tests: any input gives a model or a clear error, and every span is faithful."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kg.classify  # noqa: F401 - its keywords join the tokenizer's words before this module cuts text (WORDS)
from kg.exceptions import KgError
from kg.ingest import decode_bytes
from kg.model import Report
from kg.parse import parse_text
from kg.text import cut_for_search, tokenizer

from .conftest import REAL_REPORTS, ROOT, assert_spans_faithful

REAL_TEXTS = [p.read_text(encoding="utf-8") for p in REAL_REPORTS]
MARKERS = ["一、", "(一)", "(1)", "1.", "1、", "①", "一是", "二是", "(已完成)", "《", "》", "〈", "〉", "\n", "整改落实情况:",
           "2021年3月18日", "至", "反馈", "省委第三巡视组", "中共某某区委员会\n2022年1月1日"]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VARIANT_TEXTS = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "tests" / "variants").glob("*.txt"))]


def parse_or_error(text: str) -> Report | None:
    try:
        return parse_text(text)
    except KgError as exc:
        assert exc.reason and "\n" not in str(exc)
        return None


@SETTINGS
@given(st.lists(st.sampled_from(MARKERS) | st.text(max_size=8), max_size=60).map("".join))
def test_any_text_gives_a_model_or_a_clear_error(text: str) -> None:
    report = parse_or_error(text)
    if report is not None:
        assert_spans_faithful(report)


@SETTINGS
@given(st.sampled_from(range(len(REAL_TEXTS))), st.lists(
    st.tuples(st.floats(0, 1), st.floats(0, 1), st.sampled_from(MARKERS + [""])), min_size=1, max_size=6))
def test_mutated_real_reports_keep_spans_faithful(index: int, edits: list[tuple[float, float, str]]) -> None:
    text = REAL_TEXTS[index]
    for a, b, insert in edits:
        start = int(a * len(text))
        end = min(len(text), start + int(b * 400))
        text = text[:start] + insert + text[end:]
    report = parse_or_error(text)
    if report is not None:
        assert_spans_faithful(report)


@SETTINGS
@given(st.binary(max_size=600))
def test_any_bytes_decode_or_raise_a_clear_error(data: bytes) -> None:
    try:
        text, encoding = decode_bytes(data, "x.txt")
    except KgError as exc:
        assert str(exc).startswith("x.txt: ")
    else:
        assert isinstance(text, str) and encoding


# --- query parameters --------------------------------------------------------------------

from functools import lru_cache  # noqa: E402

from pyoxigraph import Literal, NamedNode, Store, Variable  # noqa: E402

from kg.exceptions import QueryError  # noqa: E402
from kg.index import TextIndex  # noqa: E402
from kg.query import prepare, run_query, saved_queries  # noqa: E402
from kg.sparql import values_clause, with_values  # noqa: E402

PARAMETERISED = [q for q in saved_queries() if q.params]
SPARQL_SYNTAX = ['"', "'", "}", "{", "\\", "\n", "#", "<", ">", " . ?s ?p ?o ", "UNION", "FILTER(true)", "DROP ALL",
                 '"""', "^^", "@zh", "公务用车"]
hostile = st.lists(st.sampled_from(SPARQL_SYNTAX) | st.text(max_size=6), max_size=12).map("".join)


@lru_cache(maxsize=1)
def small_graph() -> tuple[Store, TextIndex]:
    from kg.build import build

    store, index = Store(), TextIndex.in_memory()
    build(store, REAL_REPORTS[2:3], index=index)
    return store, index


@SETTINGS
@given(hostile)
def test_a_value_stays_one_value_in_the_values_block(value: str) -> None:
    """The VALUES block the parameters become reads back as exactly the value given."""
    block = values_clause([Variable("v")], [[Literal(value)]])
    rows = list(Store().query(with_values("SELECT ?v WHERE { }", [block])))
    assert len(rows) == 1 and rows[0]["v"] == Literal(value)


@SETTINGS
@given(st.sampled_from(PARAMETERISED), hostile)
def test_any_parameter_value_runs_as_a_value_or_is_refused(query, value: str) -> None:  # noqa: ANN001
    """Every parameter of every saved query, given any text: rows that carry the value as given,
    or a clear QueryError (a bad IRI, integer or date); never a syntax error or another query."""
    store, index = small_graph()
    values = {param.name: value for param in query.params}
    try:
        text = prepare(query, values, index)
    except QueryError as exc:
        assert "\n" not in str(exc)
        return
    assert text.count("VALUES") == query.text.count("VALUES") + 1
    result = run_query(store, query, values, index)
    for row in result.as_dicts():
        for param in query.params:
            got = row.get(param.name)
            if param.type in ("literal", "search") and got is not None:
                assert got == value
            elif param.type == "iri" and got is not None:
                assert got == NamedNode(got).value


def jieba_cut(text: str) -> list[str]:
    """What the jieba package itself cuts (search mode, no HMM), the truth for kg.text's jieba-rs."""
    return tokenizer().lcut_for_search(text, HMM=False)


def test_jieba_rs_cuts_every_line_of_every_report_as_jieba_does() -> None:
    lines = sorted({line for text in REAL_TEXTS + VARIANT_TEXTS for line in text.splitlines() if line.strip()})
    assert len(lines) > 500
    assert [line for line in lines if cut_for_search(line) != jieba_cut(line)] == []


WORDS = sorted({w for text in REAL_TEXTS for w in jieba_cut(text) if w.strip()})


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS) | st.text(max_size=4), min_size=1, max_size=10).map("".join))
def test_jieba_rs_cuts_any_mix_of_report_words_as_jieba_does(text: str) -> None:
    assert cut_for_search(text) == jieba_cut(text)
