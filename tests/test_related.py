"""kg related on the store built from data/: seeds of three kinds, rows that name their region, stable
JSON keys, and one-line errors for a wrong kind of IRI. Relevance is checked against the hand labels of
tests/labels/related.json (judged by reading, never from the command's output)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, Store, Variable
from typer.testing import CliRunner

from kg.cli import app
from kg.index import TextIndex
from kg.namespaces import ID
from kg.related import RelatedError, generic_steps, related, seed_weights
from kg.search import PREFIXES
from kg.sparql import select

LABELS = Path(__file__).parent / "labels" / "related.json"
GULOU = "report/320302-区委/2023-04-17/2024-03-15"
INVESTMENT_PROBLEM = GULOU + "/c1/p4"  # 关于“招商引资质效不高”问题的整改
INVESTMENT_MEASURE = GULOU + "/c1/p4/m1"  # 落实招商项目评估论证工作 …
KEYS = ["rank", "score", "region", "region_code", "committee", "year", "problem", "snippet", "shared_terms",
        "shared_types", "shared_documents", "sentence", "text_score", "problem_score", "item"]


def _one_error_line(stderr: str) -> str:
    assert "Traceback" not in stderr and "│" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.startswith("错误")]
    assert len(lines) == 1, stderr
    return lines[0]


def _kg(store_dir: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["related", *args, "--store", str(store_dir)])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def index(store_dir: Path) -> TextIndex:
    from kg.store import open_index

    return open_index(store_dir, read_only=True)


def _relevant(source: str) -> set[str]:
    for entry in json.loads(LABELS.read_text(encoding="utf-8")):
        if entry.get("source") == source:
            return {ID + j["item"] for j in entry["judgements"] if j["relevant"]}
    raise AssertionError(f"no labels for {source}")


# --- wrong kinds of IRI: one line, exit 2 ------------------------------------------------------------


@pytest.mark.parametrize(("option", "value", "says"), [
    ("--measure", INVESTMENT_PROBLEM, "--problem"),  # a problem given as a measure
    ("--problem", INVESTMENT_MEASURE, "--measure"),  # a measure given as a problem
    ("--measure", GULOU + "/c1/p4/m99", "m99"),  # no such item
    ("--problem", "report/nowhere/c1/p1", "nowhere"),
    ("--problem", GULOU, "report"),  # a report is neither
])
def test_wrong_kind_of_iri_is_one_line(store_dir: Path, option: str, value: str, says: str) -> None:
    code, out, err = _kg(store_dir, option, value)
    assert code == 2 and not out.strip()
    assert says in _one_error_line(err)


@pytest.mark.parametrize("args", [[], ["招商引资", "--problem", INVESTMENT_PROBLEM],
                                  ["--measure", INVESTMENT_MEASURE, "--problem", INVESTMENT_PROBLEM]])
def test_one_seed_exactly(store_dir: Path, args: list[str]) -> None:
    code, _, err = _kg(store_dir, *args)
    assert code == 2 and "--problem" in _one_error_line(err)


def test_library_raises_for_a_wrong_kind(store: Store, index: TextIndex) -> None:
    with pytest.raises(RelatedError, match="--problem"):
        related(store, index, measure=INVESTMENT_PROBLEM)
    with pytest.raises(RelatedError):
        related(store, index)


# --- rows: region names, committee, year, problem, sentence; stable keys --------------------------------


def _region_names(store: Store) -> dict[str, str]:
    rows = select(store, PREFIXES + "SELECT ?code ?name WHERE { ?r kg:divisionCode ?code ; skos:prefLabel ?name }")
    return {row["code"].value: row["name"].value for row in rows}


def test_json_rows_have_stable_keys_and_name_their_region(store_dir: Path, store: Store) -> None:
    code, out, _ = _kg(store_dir, "--problem", INVESTMENT_PROBLEM, "--format", "json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 10
    names = _region_names(store)
    for rank, row in enumerate(rows, 1):
        assert list(row) == KEYS and row["rank"] == rank
        assert row["region"] == names[row["region_code"]] and row["region"] != row["region_code"]
        assert row["committee"] and row["problem"] and len(row["year"]) == 4 and row["year"].isdigit()
        text = select(store, PREFIXES + "SELECT ?t WHERE { ?m kg:text ?t }", {Variable("m"): NamedNode(row["item"])})
        assert [t["t"].value for t in text] == [row["sentence"]]  # the sentence is the measure's own text


def test_people_json_and_csv_give_the_same_measures(store_dir: Path) -> None:
    import csv
    import io

    _, as_json, _ = _kg(store_dir, "招商项目落地慢，缺乏履约监管", "-f", "json")
    _, as_csv, _ = _kg(store_dir, "招商项目落地慢，缺乏履约监管", "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(as_csv)))
    assert [r["item"] for r in rows] == [r["item"] for r in json.loads(as_json)] and list(rows[0]) == KEYS
    code, people, _ = _kg(store_dir, "招商项目落地慢，缺乏履约监管")  # a few lines a measure, each naming its IRI
    assert code == 0 and all(r["item"].removeprefix(ID) in people for r in rows)


# --- seeds ------------------------------------------------------------------------------------------


def test_problem_seed_finds_other_regions_measures_judged_relevant(store: Store, index: TextIndex) -> None:
    found = related(store, index, problem=INVESTMENT_PROBLEM, top=5)
    assert len(found) == 5 and not any(r.item.startswith(ID + GULOU) for r in found)
    relevant = _relevant(INVESTMENT_PROBLEM)
    assert sum(r.item in relevant for r in found) >= 3, [r.item for r in found]


def test_measure_seed_leaves_out_its_own_report_and_its_own_region_comes_last(store: Store, index: TextIndex) -> None:
    found = related(store, index, measure=INVESTMENT_MEASURE, top=30)
    assert found and not any(r.item.startswith(ID + GULOU) for r in found)
    relevant = _relevant(INVESTMENT_MEASURE)
    assert sum(r.item in relevant for r in found[:5]) >= 3


def test_text_seed_by_the_part_after_id(store: Store, index: TextIndex) -> None:
    by_path = related(store, index, problem=INVESTMENT_PROBLEM)
    by_iri = related(store, index, problem=ID + INVESTMENT_PROBLEM)
    assert [r.item for r in by_path] == [r.item for r in by_iri]


def test_exclude_region_leaves_out_its_measures(store: Store, index: TextIndex) -> None:
    found = related(store, index, text="招商项目落地慢，缺乏履约监管", exclude_region="370000")
    assert found and not any((r.region_code or "").startswith("37") for r in found)


# --- weights: domain words over generic steps ----------------------------------------------------------


def test_generic_steps_weigh_less_than_domain_words(index: TextIndex) -> None:
    weights = seed_weights(index, [("梳理汇总问题清单，下发通知，开展回头看，加强意识形态工作", 1.0)])
    assert {"梳理", "下发", "回头看"} <= generic_steps()
    domain = weights["意识形态"]
    assert all(weights.get(word, 0) * 5 < domain for word in ("梳理", "下发", "回头看", "汇总"))


def test_a_seed_of_generic_steps_only_finds_nothing_to_compare(store: Store, index: TextIndex) -> None:
    weights = seed_weights(index, [("梳理汇总，下发通知，回头看", 1.0)])
    assert all(w < 1 for w in weights.values())
    with pytest.raises(RelatedError):
        related(store, index, text="，。；")


def test_a_word_before_a_stop_word_keeps_its_weight(index: TextIndex) -> None:
    # 审计 of 审计整改 is what the longer word is about (整改 is a stop word); 选人 of 选人用人 is half of it
    assert seed_weights(index, [("审计整改", 1.0)])["审计"] == pytest.approx(seed_weights(index, [("审计", 1.0)])["审计"])
    assert seed_weights(index, [("选人用人", 1.0)])["选人"] < seed_weights(index, [("选人", 1.0)])["选人"]


def test_a_need_ranks_measures_matching_in_their_own_words_over_boilerplate_of_a_matching_problem(
        store: Store, index: TextIndex) -> None:
    """Under 关于“招商引资质效不高”问题的整改, two measures the labels judge not relevant to the 招商引资 need
    (转供电 price checks, 助企纾困 asset checks) share its problem's title but hardly a word of the need; two
    measures of other problems judged relevant (精准招商 of the 321 clusters, 招商项目 screening) share its words."""
    need = next(e for e in json.loads(LABELS.read_text(encoding="utf-8")) if e.get("text", "").startswith("招商引资质效不高"))
    judged = {j["item"]: j["relevant"] for j in need["judgements"]}
    boilerplate = [GULOU + "/c1/p4/m5", GULOU + "/c1/p4/m6"]
    matching = ["report/130371-党工委/2020-10-22/2021-07-23/c1/p1/p2/m7", "report/130371-党工委/2020-10-22/2021-07-23/c1/p3/p2/m8"]
    assert not any(judged[i] for i in boilerplate) and all(judged[i] for i in matching)
    ranked = [r.item.removeprefix(ID) for r in related(store, index, text=need["text"], top=40)]
    assert max(ranked.index(i) for i in matching) < min(ranked.index(i) if i in ranked else 40 for i in boilerplate)


def test_names_of_places_and_committees_are_no_seed_words(index: TextIndex) -> None:
    weights = seed_weights(index, [("秦皇岛开发区招商项目履约监管", 1.0)])
    assert "招商" in weights and not {"秦皇岛", "开发区"} & set(weights)


def test_a_problem_seeds_measures_count_where_two_of_them_share_a_word(index: TextIndex) -> None:
    measures = [("建立招商项目评估论证机制", 1.0), ("强化招商项目履约监管", 1.0), ("组织干部学习培训", 1.0)]
    shared = seed_weights(index, [("招商引资质效不高", 1.0)], measures, agree=2)
    every = seed_weights(index, [("招商引资质效不高", 1.0)], measures)
    assert "项目" in shared and "培训" not in shared  # 项目 two measures hold; 培训 one
    assert "培训" in every


@pytest.mark.parametrize(("a", "b", "alike"), [
    ("针对市委巡察组指出的“纪工委履行监督职责有差距”问题", "关于“纪委监委落实监督责任有短板”问题", True),
    ("关于“招商引资质效不高”问题的整改", "招商引资结构不优、规模偏小", True),
    ("关于“部门推诿扯皮”问题的整改", "关于“平台公司监管缺失”问题的整改", False),  # the framing alone
])
def test_problem_titles_alike_in_their_words_not_their_framing(a: str, b: str, alike: bool) -> None:
    from kg.related import _title_similarity

    assert (_title_similarity(a, b) > 0) is alike


def test_a_text_naming_a_document_finds_the_measures_naming_it(store: Store, index: TextIndex) -> None:
    """The seed's documents (named in 《…》 and found by their title) are the only ones looked for in the
    candidates; the measures that name one say so in shared_documents."""
    rows = select(store, PREFIXES + """SELECT ?title (COUNT(DISTINCT ?m) AS ?n) WHERE {
        ?m kg:applies|kg:mentions|kg:formulates ?doc . ?doc dcterms:title ?title } GROUP BY ?title ORDER BY DESC(?n) ?title LIMIT 1""")
    title = next(iter(rows))["title"].value
    results = related(store, index, text=f"落实《{title}》")
    naming = [r for r in results if r.shared_documents]
    assert naming and all(r.shared_documents == [title] for r in naming)
