"""Openings, pages cut short and page furniture: classes of layout built by code from the real reports
in data/, so that a rule is tested on every report and never written for one file.

Each case takes a real report, changes one thing the way real pages do (cut after the introduction,
furniture above the title, the title repeated or split, the inspection written in another grammar)
and checks that the metadata read from it is the metadata read from the report as it is. The last
test scores the real openings of ../shared/eval against their hand-made gold, when that folder exists.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Callable
from functools import lru_cache, partial
from pathlib import Path

import pytest

from kg.exceptions import NoReportError
from kg.model import Report
from kg.parse import parse_file, parse_text
from kg.parse.entities import committee_from_intro

from .conftest import EVAL, REAL_REPORTS

INSPECTION_FIELDS = ("kind", "by", "group", "ordinal", "start", "end", "feedback")


@lru_cache(maxsize=None)
def _full(path: Path) -> Report:
    return parse_file(path)


def _raw(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _intro_line(path: Path) -> str:
    """The report's introduction as the file writes it (one line)."""
    report = _full(path)
    start, _ = report.inspection.span
    intro = report.text[start:report.text.index("\n", start)]
    return next(line.strip() for line in _raw(path).splitlines() if line.strip() == intro)


def _titled(path: Path) -> tuple[str, str]:
    """(title, the report's lines from its introduction on): the report's own title, or one made from its
    signing committee for a report that has none."""
    report = _full(path)
    lines = _raw(path).splitlines()
    intro = lines.index(next(line for line in lines if line.strip() == _intro_line(path)))
    title = report.title or f"{report.committee.name}关于{report.inspection.kind}整改进展情况的通报"
    return title, "\n".join(lines[intro:])


def _inspection(report: Report) -> dict:
    return {key: getattr(report.inspection, key) for key in INSPECTION_FIELDS}


def _same_metadata(got: Report, want: Report) -> None:
    assert _inspection(got) == _inspection(want)
    assert got.committee.name == want.committee.name
    assert got.committee.region == want.committee.region
    assert got.title == want.title


# --- openings and pages cut short ---------------------------------------------------------------------


@pytest.mark.parametrize("path", REAL_REPORTS, ids=lambda p: p.stem)
def test_a_report_cut_after_its_introduction_is_still_a_report(path: Path) -> None:
    raw = _raw(path)
    intro = _intro_line(path)
    cut = raw[:raw.index(intro) + len(intro)]
    report, full = parse_text(cut), _full(path)
    assert _inspection(report) == _inspection(full)
    assert report.published == full.published
    assert not report.categories and report.signed is None
    assert any("cut short" in w for w in report.warnings) and any("no signature" in w for w in report.warnings)
    if report.committee.name:  # named by the title or, with neither title nor signature, by the introduction
        assert report.committee.region.code == full.committee.region.code


@pytest.mark.parametrize("path", REAL_REPORTS, ids=lambda p: p.stem)
def test_an_opening_without_title_names_the_committee_from_its_introduction(path: Path) -> None:
    """对X开展巡视 names the inspected place: its committee is 中共X委员会, in X's division."""
    full = _full(path)
    place = full.committee.region.county or full.committee.region.city
    body = _intro_line(path)
    if not re.search("对.{2,30}?(?:开展|进行)", body):
        body = body.replace("根据", f"根据省委统一部署,2021年3月1日至4月30日,省委第一巡视组对{place}开展了巡视。根据", 1)
    report = parse_text(body)
    assert report.committee.name and report.committee.name.startswith("中共")
    assert report.committee.region.code == full.committee.region.code or full.committee.region.code is None


@pytest.mark.parametrize("unit,recipient,want", [
    ("广元市", "广元市委", "中共广元市委员会"),
    ("杭州市西湖区", "西湖区委", "中共杭州市西湖区委员会"),
    ("长春新区", "长春新区党工委", "中共长春新区党工委"),
    ("市交通运输局党组", "市交通运输局党组", "市交通运输局党组"),  # relative: kept as written
    ("中共某某市某某管理局(简称管理局)党组", "管理局党组", "中共某某市某某管理局党组"),
    ("浙江工业大学", "浙江工业大学党委", "中共浙江工业大学委员会"),  # a university's 党委 signs as its 委员会
    ("中国计量大学", "中国计量大学党委", "中共中国计量大学委员会"),
    ("长春净月高新技术产业开发区", "净月高新区党工委", "中共长春净月高新技术产业开发区党工委"),  # a zone's short name
])
def test_the_inspected_unit_and_the_feedback_recipient_name_the_committee(unit: str, recipient: str,
                                                                          want: str) -> None:
    intro = f"根据省委统一部署,2024年3月18日至5月20日,省委第七巡视组对{unit}开展了巡视。8月9日,省委巡视组向{recipient}反馈了巡视意见。"
    assert committee_from_intro(intro) == want


@pytest.mark.parametrize("text", [
    "市纪委监委召开巡视整改工作推进会,要求各单位抓好整改落实。",
    "关于巡察整改工作的通知\n请各单位高度重视巡察整改工作,按时报送材料。",
])
def test_a_text_with_neither_an_inspection_statement_nor_a_problem_list_is_refused(text: str) -> None:
    with pytest.raises(NoReportError):
        parse_text(text)


# --- page furniture ------------------------------------------------------------------------------------

Furniture = Callable[[str, str], str]


def _toolbar(title: str, body: str) -> str:
    return f"页面:\n    字体:\n    对比度:\n字号:\n{title}\n【字号 】【我要打印】【关闭\n-\n{body}"


def _portal_and_breadcrumb(title: str, body: str) -> str:
    return (f"某某市人民政府门户网站 某某局 政务公告 {title}\n当前位置:首页 > 政务公开 > 政务公告\n"
            f"{title}\n来源:本网   时间:2023-02-09 18:18:56   浏览:-\n{body}")


def _breadcrumb_title(title: str, body: str) -> str:
    return f"当前位置:首页>巡视巡察>{title}\n{body}"


def _column_label(title: str, body: str) -> str:
    return f"上级巡视:{title}\n{body}"


def _split_title(title: str, body: str) -> str:
    committee, rest = title.split("关于", 1)
    return f"当前位置: 首页 > 巡视巡察 > 巡视整改\n{title}\n\n{committee}\n\n关于{rest}\n\n{body}"


def _title_then_committee_line(title: str, body: str) -> str:
    committee, rest = title.split("关于", 1)
    return f"关于{rest}\n{committee}\n{body}"


def _share_buttons_and_date_under_title(title: str, body: str) -> str:
    return f"{title}\n微信 微博 QQ空间\n(2024年3月27日)\n本文来源:某某纪检\n{body}"


def _stripped_disclosure_block(title: str, body: str) -> str:
    return f"11441400MB2C93244X/2023-00012\n某某市某某局\n2023-02-09\n政务公告\n{title}\n{body}"


def _spam_and_other_articles(title: str, body: str) -> str:
    other = ("市纪委监委召开全会。会议强调,要持之以恒正风肃纪,深化巡视巡察上下联动,推动全面从严治党向纵深发展,"
             "各级党组织要切实扛起主体责任。")
    return f"某某日报 2024年3月5日 第3版\n{other}\n全面推进乡村振兴 本报讯\n{title}\n{body}"


FURNITURE: dict[str, Furniture] = {f.__name__.lstrip("_"): f for f in (
    _toolbar, _portal_and_breadcrumb, _breadcrumb_title, _column_label, _split_title, _title_then_committee_line,
    _share_buttons_and_date_under_title, _stripped_disclosure_block, _spam_and_other_articles)}


@pytest.mark.parametrize("furniture", sorted(FURNITURE))
@pytest.mark.parametrize("path", REAL_REPORTS, ids=lambda p: p.stem)
def test_page_furniture_above_the_title_is_dropped(path: Path, furniture: str) -> None:
    title, body = _titled(path)
    plain = parse_text(f"{title}\n{body}")
    dressed = parse_text(FURNITURE[furniture](title, body))
    assert dressed.text == plain.text
    _same_metadata(dressed, plain)
    assert [p.span for p in dressed.iter_problems()] == [p.span for p in plain.iter_problems()]


@pytest.mark.parametrize("path", REAL_REPORTS, ids=lambda p: p.stem)
def test_a_numbered_heading_between_title_and_introduction_is_report_text(path: Path) -> None:
    title, body = _titled(path)
    report = parse_text(f"{title}\n一、整改工作总体情况\n{body}")
    assert report.text.split("\n")[1] == "一、整改工作总体情况"
    assert _inspection(report) == _inspection(_full(path))


@pytest.mark.parametrize("line,published", [
    ("发布时间: 2025-05-28   信息来源:市委巡察办   访问量:0   保护视力色:", "2025-05-28"),
    ("【信息时间:2026-02-13 阅读次数: 】【字号 】【我要打印】【关闭", "2026-02-13"),
    ("2021-02-23 12:42:06来源:某某市住房和城乡建设局", "2021-02-23"),
    ("来源:某某管理局发布日期:2022-12-08", "2022-12-08"),
    ("2025-06-10 09:00 浙江省纪委省监委网站", "2025-06-10"),
    # a disclosure block whose labels were stripped (written, then published) under the site's "today"
    ("今天是2026年12月3日 星期四\n11441400MB2C93244X/2023-00012\n2023-02-01\n某某市某某局\n2023-02-09", "2023-02-09"),
])
@pytest.mark.parametrize("path", REAL_REPORTS[:2], ids=lambda p: p.stem)
def test_the_date_shown_in_the_page_is_the_publication_date(path: Path, line: str, published: str) -> None:
    title, body = _titled(path)
    report = parse_text(f"{line}\n{title}\n{body}")
    assert report.published == dt.date.fromisoformat(published)
    assert report.text == parse_text(f"{title}\n{body}").text


# --- inspection grammar ---------------------------------------------------------------------------------

_DATE_RE = re.compile(r"((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日")


def _lost_year_month(intro: str) -> str:
    """A scrape that dropped the 年 and 月 characters: 2024年7月17日 -> 2024717日."""
    return re.sub(r"(\d)[年月](\d)", r"\1\2", intro)


def _group_number_after_kind(intro: str) -> str:
    """省委第九巡视组 -> 省委巡视九组."""
    return re.sub(r"第([一二三四五六七八九十]+)(巡视|巡察)组", r"\2\1组", intro)


def _rectification_period_first(intro: str) -> str:
    """A second range, for the rectification period, written before the inspection's."""
    return "2030年1月1日至3月31日集中整改。" + intro


def _hyphenated_range(intro: str) -> str:
    return re.sub(r"日至(\d)", r"日—\1", intro, count=1)


def _lead_in_paragraph_first(intro: str) -> str:
    """A lead-in paragraph that names the inspection but tells neither group nor date."""
    return "现将本单位巡视巡察整改进展情况予以公布,接受广大干部群众监督,具体情况如下:\n" + intro


def _entry_and_exit(intro: str) -> str:
    """The period as two events: 2020年10月22日进驻,12月15日撤离 instead of a range."""
    return re.sub(r"(\d{1,2}日)至((?:(?:19|20)\d{2}年)?\d{1,2}月\d{1,2}日)", r"\1进驻,\2撤离,", intro, count=1)


def _round_before_group(intro: str) -> str:
    """The term and round written into the group's name: 省委第九巡视组 -> 十三届省委第五轮巡视第九巡视组."""
    return re.sub(r"(省委|市委)第([一二三四五六七八九十]+)(巡视|巡察)组", r"十三届\1第五轮\3第\2\3组", intro)


def _place_before_dispatcher(intro: str, province: str = "河北省", city: str = "秦皇岛市") -> str:
    """The group named with its dispatcher's place, as the report's province and city are written before their
    committees: 市委第五巡察组 -> 秦皇岛市委第五巡察组, 省委第九巡视组 -> 山东省委第九巡视组."""
    places = {"省委": province.removesuffix("省"), "市委": city.removesuffix("市")}
    return re.sub(r"(省委|市委)(第[一二三四五六七八九十]+(?:巡视|巡察)组)", lambda m: places[m[1]] + m[0], intro)


GRAMMAR: dict[str, Callable[[str], str]] = {f.__name__.lstrip("_"): f for f in (
    _lost_year_month, _group_number_after_kind, _rectification_period_first, _hyphenated_range,
    _lead_in_paragraph_first, _entry_and_exit, _round_before_group, _place_before_dispatcher)}


@pytest.mark.parametrize("change", sorted(GRAMMAR))
@pytest.mark.parametrize("path", REAL_REPORTS, ids=lambda p: p.stem)
def test_inspection_grammar_variants_give_the_same_inspection(path: Path, change: str) -> None:
    raw, intro, full = _raw(path), _intro_line(path), _full(path)
    region = full.committee.region
    rewrite = partial(_place_before_dispatcher, province=region.province or "", city=region.city or "") \
        if change == "place_before_dispatcher" else GRAMMAR[change]
    changed = rewrite(intro)
    report = parse_text(raw.replace(intro, changed, 1))
    want = _inspection(full)
    got = _inspection(report)
    if change in ("group_number_after_kind", "place_before_dispatcher"):  # the group as written
        want["group"] = rewrite(want["group"] or "") or None
    assert changed != intro
    assert got == want


@pytest.mark.parametrize("path", REAL_REPORTS, ids=lambda p: p.stem)
def test_an_introduction_without_years_is_dated_from_the_publication(path: Path) -> None:
    full = _full(path)
    intro = _intro_line(path)
    yearless = re.sub(r"(?:19|20)\d{2}年", "", intro)
    published = full.inspection.feedback + dt.timedelta(days=120)
    report = parse_text(f"发布时间:{published.isoformat()}\n{yearless}")
    assert _inspection(report) == _inspection(full)


@pytest.mark.parametrize("group,ordinal", [("区委营商环境专项巡察组", None), ("市委巡视六组", 6),
                                           ("省委第九巡视组", 9), ("中央第十五巡视组", 15), ("县委巡察第二组", 2),
                                           ("区委第一机动巡察组", 1), ("区委机动巡察二组", 2), ("区党委第三巡视组", 3)])
def test_group_forms(group: str, ordinal: int | None) -> None:
    report = parse_text(f"根据四届区委第二轮巡察工作统一部署,2022年3月15日至5月20日,{group}对某某局党组开展巡察,"
                        f"并于7月5日向某某局党组反馈了巡察意见。现将整改进展情况予以公布。")
    assert (report.inspection.group, report.inspection.ordinal) == (group, ordinal)
    assert report.inspection.round == "四届区委第二轮"


def test_round_in_the_title_and_month_only_period() -> None:
    report = parse_text("中共某某市某某区委员会关于十二届市委第二轮巡视集中整改进展情况的通报\n"
                        "根据市委统一部署,市委第一巡视组于2023年4月至6月对某某区进行了巡视,并于2023年8月29日反馈了巡视意见。")
    assert report.inspection.round == "十二届市委第二轮"
    assert (report.inspection.start, report.inspection.end) == (dt.date(2023, 4, 1), dt.date(2023, 6, 30))
    assert report.inspection.feedback == dt.date(2023, 8, 29)
    assert any("month only" in w for w in report.warnings)


# --- region of a department ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", REAL_REPORTS, ids=lambda p: p.stem)
def test_a_city_department_is_placed_in_the_city_the_page_names(path: Path) -> None:
    """市交通运输局党组 names no place: the page's 来源 does, and the department governs the city."""
    region = _full(path).committee.region
    if not region.city or region.city == region.province:
        pytest.skip("a municipality: its departments are placed at the province's level")
    text = (f"来源:{region.city}{region.county or ''}纪委监委\n市交通运输局党组关于巡察整改情况的通报\n"
            "根据市委统一部署,2022年3月8日至5月7日,市委第三巡察组对市交通运输局党组进行了巡察。")
    report = parse_text(text)
    assert report.committee.name == "市交通运输局党组"
    assert report.committee.region.city == region.city and report.committee.region.county is None


# --- the real openings, when the evaluation set is beside the project ------------------------------------

GOLD = sorted(p for p in (EVAL / "gold").glob("*.json")
              if json.loads(p.read_text(encoding="utf-8"))["file"].startswith("eval/openings/")) \
    if EVAL.is_dir() else []


def _loose(text: str | None) -> str:
    return re.sub(r"[\s\"“”()（）,，。:：]", "", text or "")


@pytest.mark.skipif(not GOLD, reason="no ../shared/eval beside the project")
@pytest.mark.parametrize("gold_path", GOLD, ids=lambda p: p.stem)
def test_real_openings_against_their_gold(gold_path: Path) -> None:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    report = parse_file(EVAL.parent / gold["file"])
    wrong = []
    names = {_loose(gold["committee"]["name"])} | {_loose(a) for a in gold["committee"].get("aliases") or []
                                                   if len(_loose(a)) >= 5}
    if _loose(report.committee.name) not in names:
        wrong.append(f"committee {report.committee.name}")
    code = (gold.get("region") or {}).get("code")
    if code and report.committee.region.code != code:
        wrong.append(f"region {report.committee.region.code} != {code}")
    got = dataclasses.asdict(report.inspection)
    for key in INSPECTION_FIELDS:
        want = gold["inspection"].get(key)
        value = got[key].isoformat() if isinstance(got[key], dt.date) else got[key]
        if want is not None and (not str(value or "").endswith(str(want)) if key in ("group", "by") else value != want):
            wrong.append(f"{key} {value} != {want}")
    published = report.published.isoformat() if report.published else None
    if published != gold.get("published"):
        wrong.append(f"published {published} != {gold.get('published')}")
    assert not wrong, "; ".join(wrong)


def test_a_group_written_with_a_stray_space() -> None:
    report = parse_text("中共某某镇委员会关于县委巡察整改进展情况的通报\n"
                        "根据县委统一部署,2023年3月15日至5月20日,县委第二 巡察组对某某镇党委开展了巡察,并于7月12日反馈了巡察意见。")
    assert (report.inspection.group, report.inspection.ordinal) == ("县委第二巡察组", 2)


@pytest.mark.parametrize("end", ["27日", "同月27日", "10月27日"])
def test_a_period_ending_in_its_own_month_may_write_the_day_only(end: str) -> None:
    report = parse_text(f"根据市委统一部署,2023年10月9日至{end},市委第一巡察组对市公安局党委开展了常规巡察。"
                        "2024年1月23日,市委第一巡察组向市公安局党委反馈了巡察意见。现将巡察整改情况予以公告。")
    inspection = report.inspection
    assert (inspection.start, inspection.end, inspection.feedback) == (
        dt.date(2023, 10, 9), dt.date(2023, 10, 27), dt.date(2024, 1, 23))


@pytest.mark.parametrize("path", REAL_REPORTS, ids=lambda p: p.stem)
def test_a_title_without_guanyu_is_still_the_title(path: Path) -> None:
    """中共X委员会关于巡视整改进展情况的通报 written as 中共X委员会巡视整改进展情况通报."""
    title, body = _titled(path)
    bare = title.replace("关于", "", 1).replace("情况的通报", "情况通报")
    assert bare != title
    assert parse_text(f"{bare}\n{body}").title == bare


def test_a_village_named_without_its_county_is_placed_by_the_page_header() -> None:
    report = parse_text("阳朔县人民政府门户网站\n首页 > 政务公开 > 乡镇动态 > 高田镇\n历村村党支部巡察整改情况公告\n"
                        "根据县委统一部署,2024年3月18日至4月26日,县委第三巡察组对高田镇历村村党支部开展了村级巡察,"
                        "并于2024年5月16日向历村村党支部反馈了巡察意见。现将巡察整改情况予以公告。")
    assert report.title == "历村村党支部巡察整改情况公告"
    assert report.committee.region.code == "450321"
