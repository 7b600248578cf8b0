"""kg search on the real reports: every item containing a phrase comes back, before every item that
does not, whatever the phrase is made of (stop words, numbers, 文号, parts of compound words); an
exact mode; a reason when nothing matches. The truth is a substring test over the parsed items
(tests/labels/search.json lists the phrases, chosen by reading data/reports)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from pyoxigraph import Store

from kg.index import Entry, TextIndex, compound_parts
from kg.model import Report
from kg.query import resolve_query, run_query
from kg.search import SCOPES, search

from .conftest import ROOT

LABELS = json.loads((ROOT / "tests" / "labels" / "search.json").read_text(encoding="utf-8"))
PHRASES = [label["phrase"] for label in LABELS]


@pytest.fixture(scope="module")
def index(store_dir: Path) -> TextIndex:
    from kg.store import open_index

    return open_index(store_dir, read_only=True)


def _containing(reports: list[Report], phrase: str, scope: str) -> Counter[str]:
    """The texts of a scope containing the phrase, read from the parsed reports (not from kg's index)."""
    if scope == "problems":
        return Counter(p.title for r in reports for p in r.iter_problems() if p.title and phrase in p.title)
    if scope == "measures":
        return Counter(m.text for r in reports for m in r.iter_measures() if phrase in m.text)
    return Counter({d.title for r in reports for d in r.documents if phrase in d.title})


def test_the_label_set_is_large_and_varied() -> None:
    classes = Counter(label["class"] for label in LABELS)
    assert len(set(PHRASES)) == len(PHRASES) >= 30
    assert all(label["reason"] for label in LABELS)
    for needed in ("stop-word-like", "short word", "number", "compound part", "document name", "role", "absent"):
        assert classes[needed] >= 2, needed


@pytest.mark.parametrize("phrase", PHRASES)
def test_every_item_containing_the_phrase_is_found_and_ranked_first(store: Store, index: TextIndex,
                                                                     real_reports: list[Report], phrase: str) -> None:
    for scope in SCOPES:
        expected = _containing(real_reports, phrase, scope)
        hits = search(store, index, phrase, scope, top=None)
        texts = [hit.text for hit in hits]
        found = Counter(texts) if scope != "documents" else Counter(set(texts))
        assert not expected - found, (scope, expected - found)
        assert [hit.exact for hit in hits] == [phrase in text for text in texts]  # the flag is the truth
        assert [hit.exact for hit in hits] == sorted((hit.exact for hit in hits), reverse=True)  # exact hits first
        assert hits.exact_total == sum(hit.exact for hit in hits) == sum(expected.values())
        assert (hits.warning is None) == bool(expected), (scope, hits.warning)


def test_a_stop_word_finds_its_items_with_no_warning(store: Store, index: TextIndex, real_reports: list[Report]) -> None:
    hits = search(store, index, "整改", "measures", top=10)
    assert len(hits) == 10 and all(hit.exact and "【整改】" in hit.snippet for hit in hits)
    assert hits.exact_total == sum(_containing(real_reports, "整改", "measures").values()) > 10
    assert hits.warning is None


def test_numbers_and_document_numbers_are_searchable(store: Store, index: TextIndex) -> None:
    hotline = search(store, index, "12345", "measures", top=None)
    assert len(hotline) >= 4 and all("12345" in hit.text for hit in hotline)
    assert all(hit.region_code == "320302" for hit in hotline)  # only Gulou names the hotline
    assert any("12345" in hit.text for hit in search(store, index, "12345", "documents", top=None))
    number = search(store, index, "〔2013〕8号", "measures", top=None)
    assert [hit.region_code for hit in number] == ["370105"]


def test_a_part_of_a_compound_token_is_found_in_it(store: Store, index: TextIndex) -> None:
    """区属国有企业 is one jieba token: the substring search and the token index (its parts column) both find it."""
    assert "国有企业" in compound_parts(("区属", "国有", "企业", "区属国有企业"))
    assert "区属国有企业" not in compound_parts(("区属国有企业",))
    assert compound_parts(("公务", "用车")) == ()
    hits = search(store, index, "国有企业", "measures", top=None)
    assert any("区属国有企业" in hit.text for hit in hits if hit.exact)
    by_tokens = index.rank("Measure", ["国有企业"], limit=None)
    texts = {hit.item: hit.text for hit in hits}
    assert any("区属国有企业" in texts.get(match.item, "") for match in by_tokens)


def test_the_saved_search_query_finds_a_part_of_a_compound_token(store_dir: Path, index: TextIndex) -> None:
    from kg.store import open_store

    result = run_query(open_store(store_dir, read_only=True), resolve_query("search-text"), {"words": "国有企业"},
                       index=index)
    texts = [str(row["text"]) for row in result.as_dicts()]
    assert texts and any("区属国有企业" in text for text in texts)


def test_noise_on_one_part_ranks_below_items_holding_every_part(store: Store, index: TextIndex) -> None:
    hits = search(store, index, "形式主义", "measures", top=None)
    exact = [hit for hit in hits if hit.exact]
    assert len(exact) == 2 and hits[:2] == exact
    rest = [("形式" in hit.text and "主义" in hit.text) for hit in hits[2:]]
    assert rest == sorted(rest, reverse=True) and not all(rest)  # one-part noise exists and comes last


def test_exact_mode_gives_only_items_containing_every_word(store: Store, index: TextIndex) -> None:
    loose = search(store, index, "公务用车 定点", "measures", top=None)
    strict = search(store, index, "公务用车 定点", "measures", top=None, exact=True)
    assert strict and all("公务用车" in hit.text and "定点" in hit.text and hit.exact for hit in strict)
    assert len(loose) > len(strict) and loose[:len(strict)] == strict
    absent = search(store, index, "公车", "measures", exact=True)
    assert not absent and absent.warning and "公车" in absent.warning


@pytest.mark.parametrize(("query", "reason"), [("扶贫", "也没有相符的词"), ("县委", "停用词"), ("99999", "数字")])
def test_nothing_found_says_why(store: Store, index: TextIndex, query: str, reason: str) -> None:
    hits = search(store, index, query, "measures")
    assert not hits and hits.warning and reason in hits.warning and query in hits.warning


def test_partial_matches_say_that_nothing_contains_the_query_whole(store: Store, index: TextIndex) -> None:
    hits = search(store, index, "公车管理", "measures")
    assert hits and not any(hit.exact for hit in hits)
    assert hits.warning and "部分" in hits.warning


def _kg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True, timeout=120)


def test_kg_search_prints_the_warning_on_stderr_and_the_rows_on_stdout(store_dir: Path) -> None:
    found = _kg("search", "整改", "-n", "3", "-f", "tsv", "--store", str(store_dir))
    assert found.returncode == 0 and found.stderr == ""
    rows = found.stdout.splitlines()
    assert len(rows) == 4 and all(row.split("\t")[2] == "是" for row in rows[1:])
    empty = _kg("search", "--exact", "公车", "-f", "json", "--store", str(store_dir))
    assert empty.returncode == 0 and json.loads(empty.stdout) == []
    assert "提示" in empty.stderr and "公车" in empty.stderr


def test_the_index_scores_exact_hits_by_count_and_length_and_counts_a_shared_document_once() -> None:
    index = TextIndex.in_memory()
    graphs = [f"https://w3id.org/xunshi-kg/id/report/000000-区委/2000-01-0{i}/2000-02-02" for i in (1, 2)]
    document = "https://w3id.org/xunshi-kg/id/document/公务用车管理办法"
    index.put([(graphs[0], "0" * 64, [
        Entry("Measure", graphs[0] + "/c1/p1/m1", ("巡视",), "落实巡视整改,确保整改到位。"),
        Entry("Measure", graphs[0] + "/c1/p1/m2", ("巡视",), "落实巡视整改。" + "并开展专项检查" * 10),
        Entry("Measure", graphs[0] + "/c1/p1/m3", ("区属国有企业",), "规范区属国有企业管理。"),
        Entry("NamedDocument", document, ("公务用车", "管理办法"), "公务用车管理办法"),
    ]), (graphs[1], "1" * 64, [Entry("NamedDocument", document, ("公务用车", "管理办法"), "公务用车管理办法")])])
    best, total = index.exact("Measure", ["整改"], limit=1)
    assert total == 2 and [m.item for m in best] == [graphs[0] + "/c1/p1/m1"]  # twice, and shorter
    assert [m.item for m in index.exact("Measure", ["整改", "专项"])[0]] == [graphs[0] + "/c1/p1/m2"]
    documents, total = index.exact("NamedDocument", ["用车"])
    assert total == 1 and [m.item for m in documents] == [document]
    assert [m.item for m in index.rank("Measure", ["国有企业"])] == [graphs[0] + "/c1/p1/m3"]  # a part of a token
    assert index.tokens_of("Measure")[graphs[0] + "/c1/p1/m3"] == ("区属国有企业",)  # parts stay apart
    assert index.df("Measure", "国有企业") == 0  # and out of the tokens' document frequencies (kg.related's idf)
