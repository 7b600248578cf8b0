"""Problem types, the text index, search and related measures, measured on hand labels."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from pyoxigraph import Store

from kg.classify import KEYWORD_SEPARATOR, MIN_SCORE, classify, taxonomy
from kg.index import TextIndex
from kg.namespaces import ID
from kg.related import related
from kg.search import search
from kg.build import build
from kg.text import tokens

from .conftest import DATA

LABELS = Path(__file__).parent / "labels"
MICRO_F1_TARGET = 0.8
RELATED_PRECISION = 0.6


@pytest.fixture(scope="module")
def index() -> TextIndex:
    return TextIndex.in_memory()


@pytest.fixture(scope="module")
def store(index: TextIndex) -> Store:
    db = Store()
    build(db, [DATA], index=index)
    return db


def top_level_scores() -> tuple[dict[str, tuple[float, float]], float]:
    """Precision and recall per top-level type, and micro-F1, of the classifier on the hand labels."""
    items = json.loads((LABELS / "sample.json").read_text(encoding="utf-8"))
    labels = json.loads((LABELS / "types.json").read_text(encoding="utf-8"))
    tp, fp, fn = Counter(), Counter(), Counter()
    for item, label in zip(items, labels, strict=True):
        assert item["item"] == label["item"]
        predicted = {hit.concept.notation[0] for hit in classify(item["text"], [item.get("category"), item.get("problem")])}
        gold = {notation[0] for notation in label["types"]}
        for letter in predicted | gold:
            if letter in predicted and letter in gold:
                tp[letter] += 1
            elif letter in predicted:
                fp[letter] += 1
            else:
                fn[letter] += 1
    per_type = {t: (tp[t] / ((tp[t] + fp[t]) or 1), tp[t] / ((tp[t] + fn[t]) or 1)) for t in "ABCDE"}
    precision = sum(tp.values()) / (sum(tp.values()) + sum(fp.values()))
    recall = sum(tp.values()) / (sum(tp.values()) + sum(fn.values()))
    return per_type, 2 * precision * recall / (precision + recall)


def test_classifier_reaches_the_target_on_hand_labels() -> None:
    per_type, micro_f1 = top_level_scores()
    assert len(json.loads((LABELS / "types.json").read_text(encoding="utf-8"))) >= 80
    assert micro_f1 >= MICRO_F1_TARGET, f"micro-F1 {micro_f1:.3f}; per type (P, R): {per_type}"


def test_taxonomy_shape() -> None:
    tax = taxonomy()
    assert 25 <= len(tax.concepts) <= 40 and len(tax.top) == 5
    for concept in tax.concepts.values():
        assert concept.label_zh and concept.label_en and concept.definition and concept.notation
        if concept.broader:
            assert concept.keywords and tax.concepts[concept.broader].broader is None
    assert tax.find("B3") is tax.find("中央八项规定精神") is tax.find("eight-rules")


def test_no_keyword_holds_the_separator_that_joins_matched_keywords() -> None:
    keywords = [k for concept in taxonomy().concepts.values() for k in concept.keywords]
    assert len(keywords) > 100
    assert not [k for k in keywords if KEYWORD_SEPARATOR in k]


def test_domain_terms_stay_whole_and_boilerplate_goes() -> None:
    found = tokens("进一步加强全面从严治党,认真落实一岗双责和三重一大制度")
    assert {"全面从严治党", "一岗双责", "三重一大"} <= set(found)
    assert not {"进一步", "加强", "认真"} & set(found)


def test_every_type_in_the_graph_is_explained(store: Store) -> None:
    query = """PREFIX kg: <https://w3id.org/xunshi-kg/ontology#>
        SELECT ?item ?text ?score ?keywords WHERE { ?item kg:typeAssignment ?a ; kg:text ?text .
        ?a kg:score ?score ; kg:matchedKeywords ?keywords }"""
    rows = list(store.query(query, use_default_graph_as_union=True))
    assert len({r["item"].value for r in rows}) > 300
    for row in rows:
        assert float(row["score"].value) >= MIN_SCORE
        for keyword in row["keywords"].value.split(KEYWORD_SEPARATOR):
            if not keyword.startswith("("):  # own-text keywords are in the item's text
                assert keyword in row["text"].value or keyword in tokens(row["text"].value)


def test_search_ranks_an_exact_phrase_first(store: Store, index: TextIndex) -> None:
    phrase = "公务用车定点维修"
    hits = search(store, index, phrase, "measures", 5)
    assert hits[0].exact and phrase in hits[0].text
    assert [h.exact for h in hits] == sorted((h.exact for h in hits), reverse=True)
    assert "【" in hits[0].snippet


def test_search_in_documents_and_problems(store: Store, index: TextIndex) -> None:
    documents = search(store, index, "选拔任用工作条例", "documents", 3)
    assert documents[0].text == "党政领导干部选拔任用工作条例"
    problems = search(store, index, "意识形态", "problems", 5)
    assert problems and all("意识" in h.text for h in problems[:3])


def _cases() -> list[dict]:
    return json.loads((LABELS / "related.json").read_text(encoding="utf-8"))


def test_related_measures_are_from_other_reports_and_on_topic(store: Store, index: TextIndex) -> None:
    """Precision at 5 over the hand-judged topics (公务用车, 形式主义, 意识形态, 招商引资, 选人用人)."""
    relevant = judged = 0
    for case in _cases():
        source_report = case["source"].split("/c")[0]
        found = related(store, index, measure=case["source"], top=10)
        assert found and all(not r.item.removeprefix(ID).startswith(source_report) for r in found)
        assert all(r.shared_terms for r in found), "every result is explained by shared terms"
        judgements = {j["item"]: j["relevant"] for j in case["judgements"]}
        top5 = [judgements[r.item.removeprefix(ID)] for r in found[:5] if r.item.removeprefix(ID) in judgements]
        assert len(top5) >= 3, f"{case['topic']}: the judgements no longer cover the top results; re-judge them"
        assert any(top5), f"{case['topic']}: nothing relevant in the top 5"
        relevant, judged = relevant + sum(top5), judged + len(top5)
    assert relevant / judged >= RELATED_PRECISION, f"precision@5 {relevant}/{judged}"


def test_related_can_exclude_a_region(store: Store, index: TextIndex) -> None:
    found = related(store, index, text="公务用车管理不规范,存在公车私用问题", top=10, exclude_region="370000")
    assert found and not any((r.region_code or "").startswith("37") for r in found)
    assert any("B3" in t for r in found for t in r.shared_types)


@pytest.mark.parametrize("region", ["370000", "370100", "370105", "130000", "610100", "37", "3203"])
def test_measures_of_a_type_in_a_region_are_those_of_the_whole_corpus_there(store: Store, region: str) -> None:
    from kg.classify import measures_of_type
    from kg.parse.region import code_within

    concept = taxonomy().find("B")  # a top type: its children's assignments count
    everywhere = measures_of_type(store, concept)
    assert len({m.region_code for m in everywhere}) >= 3
    expected = [m for m in everywhere if code_within(m.region_code, region.ljust(6, "0"))]
    assert expected and measures_of_type(store, concept, region) == expected
