"""kg compare: regions, committees and reports side by side, on the real reports in data/.

Figures are checked against what was read by hand: the reports' own sentences (立案13件, 处分24人 and
8名, 制度5项 and 57个, money in tests/variants), the dates in tests/expected/*.json, and the parsed
model (problems and measures counted from the parser's tree, not from the graph).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from pyoxigraph import Store
from typer.testing import CliRunner

from kg.cli import app
from kg.compare import ACCOUNTABILITY, FIELDS, MONEY, compare, resolve
from kg.exceptions import KgError, UnknownRegionError

from .conftest import EXPECTED, ROOT, load_expected, parsed

ID = "https://w3id.org/xunshi-kg/id/"
LIANHU = ID + "report/610104-区委/2020-10-20/2022-05-06"
QINHUANGDAO = ID + "report/130371-党工委/2020-10-22/2021-07-23"
REAL = {load_expected(p)["report"]: load_expected(p) for p in EXPECTED if "variants" not in str(p)}


def _expected(code: str) -> dict:
    return next(e for e in REAL.values() if e["committee"]["region_code"] == code)


@pytest.mark.parametrize("name", ["610104", "莲湖区", "6101", "61", "西安市", "陕西省", "陕西", "中共西安市莲湖区委", "莲湖区委",
                                  "report/610104-区委/2020-10-20/2022-05-06"])
def test_every_way_of_naming_lianhu_finds_its_report(store: Store, name: str) -> None:
    scope = resolve(store, name)
    assert scope.reports == (LIANHU,)
    assert scope.code in ("610104", "610100", "610000")


def test_a_province_holds_its_counties_and_names_come_from_the_graph(store: Store) -> None:
    scope = resolve(store, "130000")
    assert scope.kind == "region" and scope.label == "河北省" and scope.reports == (QINHUANGDAO,)


def test_figures_match_the_text_and_the_parsed_model(store: Store) -> None:
    sides = compare(store, ["130371", "莲湖区", "天桥区", "鼓楼区"])
    for s in sides:
        expected = _expected(s.reports[0].code or "")
        report = parsed(str(ROOT / expected["report"]))
        assert len(s.reports) == 1
        assert s.problems == len(report.iter_problems())
        assert s.measures == len(report.iter_measures())
        assert s.concrete == sum(1 for m in report.iter_measures() if m.concreteness > 0)
        feedback, signed = expected["inspection"]["feedback"], expected["signed"]
        assert s.days_to_report == [(dt.date.fromisoformat(signed) - dt.date.fromisoformat(feedback)).days]
        assert 0 < s.concrete <= s.measures and s.concrete_share == round(100 * s.concrete / s.measures, 1)
        problems_by_type = [t.problems for t in s.types]
        assert problems_by_type == sorted(problems_by_type, reverse=True) and s.top_types()
    qinhuangdao, lianhu, tianqiao, gulou = sides
    # read in the reports: 立案 13件, 给予党政纪处分和组织处理24人, 处分了8名…党员; none elsewhere
    assert qinhuangdao.accountability == {**dict.fromkeys(ACCOUNTABILITY, 0), "cases_opened": 13,
                                          "people_disciplined": 32}
    assert all(set(s.accountability.values()) == {0} for s in (lianhu, tianqiao, gulou))
    # 制定《…》等5项制度, 完善相关廉政风险防控制度57个
    assert lianhu.rules == 62
    # data/ states no sum recovered, refunded or saved (its sums are investment, output, loans)
    assert all(s.money == dict.fromkeys(MONEY, 0) for s in sides)
    lianhu_b1 = next(t for t in lianhu.types if t.notation == "B1")
    assert (lianhu_b1.measures, lianhu_b1.concrete) == (2, 1)  # as in tests/queries/concrete-by-type.*.json


def test_most_concrete_measures_carry_their_sentences(store: Store) -> None:
    (lianhu,) = compare(store, ["莲湖区"])
    report = parsed(str(ROOT / _expected("610104")["report"]))
    texts = {m.text for m in report.iter_measures()}
    scores = [m.score for m in lianhu.top_measures]
    assert lianhu.top_measures and scores == sorted(scores, reverse=True)
    for measure in lianhu.top_measures:
        assert measure.text in texts and measure.measure.startswith(LIANHU + "/")
        assert len(measure.reasons) == measure.score


@pytest.fixture(scope="module")
def variant_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """Two synthetic reports (tests/variants) whose measures state money recovered and refunded."""
    from kg.build import build

    store = Store()
    names = ("street-problem-label-circled.txt", "municipal-department-bracket-status.txt",
             "university-toplevel-categories.txt")
    summary = build(store, [ROOT / "tests" / "variants" / n for n in names])
    assert len(summary.added) == 3
    return store


def test_money_recovered_and_refunded(variant_store: Store) -> None:
    street, bureau = compare(variant_store, ["中共岳麓区望月湖街道工作委员会", "中共绵阳市财政局党组"])
    # 追回资金2.3万元; 清退不合规费用0.6万元
    assert street.money == {"recovered": 23_000, "refunded": 6_000, "saved": 0}
    # 共收回市级部门存量资金3.2亿元; 清退违规报销费用1.8万元
    assert bureau.money == {"recovered": 320_000_000, "refunded": 18_000, "saved": 0}
    assert street.scope.kind == bureau.scope.kind == "committee"


def test_unknown_names_are_one_line_errors(store: Store) -> None:
    for name in ("火星", "990000", "report/000000-区委/2020-01-01/2020-02-02"):
        with pytest.raises(UnknownRegionError) as caught:
            compare(store, ["莲湖区", name])
        assert isinstance(caught.value, KgError) and "\n" not in str(caught.value)


# --- the command ----------------------------------------------------------------------------


def _run(store_dir: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["compare", *args, "--store", str(store_dir)])
    return result.exit_code, result.output


def test_cli_csv_json_and_table(store_dir: Path) -> None:
    code, text = _run(store_dir, "130371", "610104", "-f", "csv")
    assert code == 0, text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [key for key, _ in FIELDS]
    assert [r["label"] for r in rows] == ["秦皇岛市经济技术开发区", "莲湖区"]
    assert rows[0]["cases_opened"] == "13" and rows[0]["people_disciplined"] == "32" and rows[1]["rules_made"] == "62"
    code, text = _run(store_dir, "天桥区", "鼓楼区", "-f", "json")
    sides = json.loads(text)
    assert code == 0 and [s["code"] for s in sides] == ["370105", "320302"]
    assert sides[0]["days_feedback_to_report_by_report"] == [146]  # 2020-09-15 → 2021-02-08
    assert sides[0]["days_feedback_to_report"] == 146  # the mean over the region's reports
    assert {"types", "accountability", "money", "reports_detail", "top_concrete_measures"} <= set(sides[0])
    code, text = _run(store_dir, "天桥区", "鼓楼区")
    assert code == 0 and all(header in text for _, header in FIELDS[1:])


def test_cli_errors(store_dir: Path) -> None:
    code, text = _run(store_dir, "天桥区", "火星")
    assert code == 2 and "火星" in text and len(text.strip().splitlines()) == 1
    code, text = _run(store_dir, "天桥区")
    assert code == 2 and len(text.strip().splitlines()) == 1


def test_a_committee_without_a_division_code_says_what_is_not_counted(variant_store: Store) -> None:
    """A university's committee has no region: the by-region queries cannot reach its report, so its
    清退违规报销费用3.6万元 is not in money, and the side says which reports were left out."""
    street, university = compare(variant_store, ["岳麓区", "中共鄂东理工大学委员会"])
    assert university.unplaced == [r.report for r in university.reports] and len(university.reports) == 1
    assert university.money == dict.fromkeys(MONEY, 0) and university.types == []
    assert university.measures > 0 and street.unplaced == []
