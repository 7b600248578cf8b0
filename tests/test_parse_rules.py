"""Outline and measure rules on small texts: the shapes a report may take."""

from __future__ import annotations

import datetime as dt

from pathlib import Path

import pytest

from kg.exceptions import NoReportError
from kg.parse import parse_file, parse_text
from kg.parse.documents import document_kind, find_titles, relation_before
from kg.parse.outline import build_outline

from .conftest import REAL_REPORTS

INTRO = "根据省委统一部署，2022年3月1日至4月30日，省委第三巡视组对某某市某某区开展了常规巡视，于6月10日反馈了巡视意见。现将整改进展情况予以公布。\n"
CLOSE = "\n联系电话：0123-4567890。\n中共某某市某某区委员会\n2022年12月1日"


def test_sequence_continuity_decides_levels() -> None:
    text = "一、甲\n(一)乙\n1.丙\n2.丁\n(二)戊\n1.己\n二、庚"
    outline = build_outline(text)
    top = outline.root.children
    assert [n.marker.label for n in top] == ["一、", "二、"]
    assert [n.marker.label for n in top[0].children] == ["(一)", "(二)"]
    assert [n.marker.label for n in top[0].children[0].children] == ["1.", "2."]


def test_marker_that_breaks_the_sequence_is_text() -> None:
    outline = build_outline("一、甲\n1.乙\n7.这一行不是标题\n2.丙")
    first = outline.root.children[0]
    assert [n.marker.label for n in first.children] == ["1.", "2."]
    assert len(first.children[0].paragraphs) == 1


def test_numbering_that_runs_on_across_parents() -> None:
    outline = build_outline("一、甲\n1.乙\n(1)a\n(2)b\n2.丙\n(3)c\n(4)d")
    one, two = outline.root.children[0].children
    assert [n.marker.value for n in two.children] == [3, 4]


def test_inline_problem_with_measures_on_the_same_line() -> None:
    report = parse_text(INTRO + "二、整改落实情况\n(1)关于“学习不深入”等问题。一是健全学习制度；二是开展专题研讨；三是加强督查。\n"
                        "(2)关于“监督不到位”等问题。一是建立台账；二是定期通报。" + CLOSE)
    problems = report.categories[0].problems
    assert report.categories[0].title is None
    assert [len(p.measures) for p in problems] == [3, 2]
    assert problems[0].title == "关于“学习不深入”等问题"
    assert problems[0].measures[1].text.startswith("开展专题研讨")


def test_lead_in_and_label_are_not_measures() -> None:
    report = parse_text(INTRO + "二、整改情况\n(一)关于党的领导方面\n1.理论学习不够深入。\n整改落实情况：全区上下高度重视。一是抓学习；二是抓落实。\n"
                        "2.基层党建薄弱。\n整改落实情况：\n加强支部建设。\n开展专项整治。" + CLOSE)
    first, second = report.categories[0].problems
    assert [m.text for m in first.measures] == ["抓学习", "抓落实。"]
    assert first.lead == "全区上下高度重视。"
    assert [m.text for m in second.measures] == ["加强支部建设。", "开展专项整治。"]


def test_status_tags_go_to_status() -> None:
    report = parse_text(INTRO + "二、整改情况\n(一)关于作风方面\n1.文山会海问题。(已完成)\n精简文件。\n2.督查检查过多问题(基本完成)\n统筹督查。" + CLOSE)
    assert [p.status for p in report.categories[0].problems] == ["已完成", "基本完成"]
    assert [p.title for p in report.categories[0].problems] == ["文山会海问题", "督查检查过多问题"]


def test_status_written_as_a_line_under_the_heading() -> None:
    report = parse_text(INTRO + "二、整改情况\n(一)关于作风方面\n1.文山会海问题\n整改情况:已完成。\n一是精简文件；二是压缩会议。\n"
                        "2.督查过多问题\n整改进度:基本完成\n统筹督查。" + CLOSE)
    first, second = report.categories[0].problems
    assert (first.status, len(first.measures)) == ("已完成", 2)
    assert (second.status, [m.text for m in second.measures]) == ("基本完成", ["统筹督查。"])


def test_omitted_years_are_inferred() -> None:
    report = parse_text(INTRO.replace("2022年3月1日至4月30日", "2023年11月6日至1月12日").replace("6月10日", "3月28日")
                        + "二、整改情况\n(一)关于问题方面\n1.学习不够问题\n加强学习。" + CLOSE)
    assert report.inspection.start.isoformat() == "2023-11-06"
    assert report.inspection.end.isoformat() == "2024-01-12"
    assert report.inspection.feedback.isoformat() == "2024-03-28"


def test_nested_titles_and_document_numbers() -> None:
    text = "依据《关于加强纪检监察干部监督的通知》(鲁纪发〔2013〕8号),制定《贯彻落实〈党委(党组)落实全面从严治党主体责任规定〉实施意见》。"
    mentions = {m.title: m for m in find_titles(text)}
    assert mentions["关于加强纪检监察干部监督的通知"].number == "鲁纪发〔2013〕8号"
    assert mentions["关于加强纪检监察干部监督的通知"].relation == "applies"
    assert mentions["贯彻落实〈党委(党组)落实全面从严治党主体责任规定〉实施意见"].relation == "formulates"
    assert mentions["党委(党组)落实全面从严治党主体责任规定"].relation == "applies"


@pytest.mark.parametrize("clause,relation", [
    ("严格按照2020年制定的《", "applies"),  # 制定的: an attribute, not the verb
    ("制定的方案已按照新的要求修订完善了《", "formulates"),  # the nearest verb, 修订完善
    ("印发并严格执行《", "applies"),
    ("落实和执行制定的制定的《", "applies"),  # every 制定 attributive: the nearest verb before them
    ("关于《某规定》的报道中提到《", "mentions"),  # a verb inside an earlier title does not count
    ("在全区范围内《", "mentions"),  # no verb at all
])
def test_relation_from_the_nearest_verb_in_the_clause(clause: str, relation: str) -> None:
    assert relation_before(clause, len(clause) - 1) == relation


@pytest.mark.parametrize("title,kind", [("关于激励干部担当作为的实施意见", "意见"), ("廉政风险防控承诺书", "书"),
                                        ("党政领导干部选拔任用工作条例", "条例"), ("群租房管理规定(试行)", "规定"),
                                        ("习近平谈治国理政", None)])
def test_document_kind_from_title_ending(title: str, kind: str | None) -> None:
    assert document_kind(title) == kind


def test_page_without_a_report_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "news.txt"
    path.write_text("首页>新闻\n今天天气晴朗，市民纷纷外出踏青。公园里游人如织。\n版权所有", encoding="utf-8")
    with pytest.raises(NoReportError) as info:
        parse_file(path)
    assert str(path) in str(info.value)


def test_truncated_report_gives_partial_structure_and_a_warning(tmp_path: Path) -> None:
    text = REAL_REPORTS[0].read_text(encoding="utf-8")
    cut = text[: len(text) // 2]
    path = tmp_path / "cut.txt"
    path.write_text(cut, encoding="utf-8")
    report = parse_file(path)
    assert report.categories and report.iter_measures()
    assert any("truncated" in w for w in report.warnings)
    assert report.signed is None


@pytest.mark.parametrize("label", ["问题{}：", "问题{}:", "反馈问题{}、"])
@pytest.mark.parametrize("numeral", ["arabic", "chinese"])
def test_problems_headed_by_a_labelled_ordinal(label: str, numeral: str) -> None:
    """问题1:/问题一: headings (厅局 and 巡察 reports) are problems, numbered straight through the categories;
    a (1)(2) list under a 整改情况: label is their measures, not sub-problems."""
    n = ["1", "2", "3"] if numeral == "arabic" else ["一", "二", "三"]
    report = parse_text(INTRO + "二、整改落实情况\n(一)党的政治建设方面\n"
                        f"{label.format(n[0])}理论学习不够深入。\n整改情况：\n(1)修订中心组学习制度。\n(2)开展专题研讨4次。\n"
                        f"{label.format(n[1])}基层党建薄弱。\n整改情况：一是加强支部建设；二是开展专项整治。\n"
                        f"(二)全面从严治党方面\n{label.format(n[2])}主体责任落实不到位。\n整改情况：制定责任清单。" + CLOSE)
    assert [[p.title for p in c.problems] for c in report.categories] == [["理论学习不够深入", "基层党建薄弱"],
                                                                        ["主体责任落实不到位"]]
    assert [len(p.measures) for p in report.iter_problems()] == [2, 2, 1]


SIBLINGS = "1.关于理论学习不够深入的问题。\n修订中心组学习制度。\n3.关于基层党建薄弱的问题。\n开展专项整治。\n"


def test_a_heading_running_on_into_its_first_step_is_titled_by_its_sentence() -> None:
    """Beside one-sentence sibling headings, a heading whose line goes on with a step taken (修订…) is titled by
    its first sentence; the rest of the line is its first measure."""
    report = parse_text(INTRO + "二、整改落实情况\n" + SIBLINGS.replace(
        "3.", "2.关于科技创新投入不足的问题。修订《科技创新管理办法》,设立专项基金20亿元。\n组建中央研究院。\n3."))
    second = report.categories[0].problems[1] if report.categories[0].problems else report.iter_problems()[1]
    assert second.title == "关于科技创新投入不足的问题"
    assert [m.text for m in second.measures] == ["修订《科技创新管理办法》,设立专项基金20亿元。", "组建中央研究院。"]


def test_a_heading_going_on_to_describe_its_problem_keeps_its_whole_line() -> None:
    """The line goes on with words of a problem (还不足以形成支撑; Tianqiao's line): it is all the title."""
    line = "新兴产业培育不足。高端产业发展没有破题,新兴产业项目少,还不足以形成支撑"
    report = parse_text(INTRO + "二、整改落实情况\n" + SIBLINGS.replace("3.", f"2.{line}。\n引进新兴产业项目5个。\n3."))
    assert report.iter_problems()[1].title == line


@pytest.mark.parametrize(("heading", "after"), [
    ("1.关于理论学习不够深入的问题   持续推进", ""),  # a status word after a gap
    ("1.关于理论学习不够深入的问题。", "整改进展：持续推进。\n"),  # the last paragraph under the measures
])
def test_a_status_written_outside_brackets(heading: str, after: str) -> None:
    report = parse_text(INTRO + "二、整改落实情况\n" + heading + "\n整改措施：①修订学习制度；②开展专题研讨。\n" + after
                        + "2.关于基层党建薄弱的问题。(已完成)\n开展专项整治。\n" + CLOSE)
    first, second = report.iter_problems()
    assert (first.title, first.status, second.status) == ("关于理论学习不够深入的问题", "持续推进", "已完成")
    assert [m.text for m in first.measures] == ["修订学习制度", "开展专题研讨。"]


def test_headings_running_on_with_their_first_step_beside_headings_running_on_with_a_run() -> None:
    """Siblings titled by one sentence before their 一是… run count as one-sentence titles too; a 关于…问题 title is
    whole even when the step after it names a risk (风险)."""
    report = parse_text(INTRO + "二、整改落实情况\n"
                        "1.关于“学习不够深入”的问题。一是修订学习制度。\n二是开展专题研讨。\n"
                        "2.关于“防范化解重大风险不够到位”的问题。县政府开展政府债务风险专项排查,累计化解隐性债务9.8亿元。\n"
                        "组织开展安全生产大排查。\n"
                        "3.关于“基层党建薄弱”的问题。一是整顿软弱涣散党组织11个。\n二是规范“三会一课”。\n" + CLOSE)
    second = report.iter_problems()[1]
    assert second.title == "关于“防范化解重大风险不够到位”的问题"
    assert [m.text for m in second.measures] == ["县政府开展政府债务风险专项排查,累计化解隐性债务9.8亿元。", "组织开展安全生产大排查。"]


def test_status_tags_on_numbered_measures_leave_them_measures() -> None:
    """(1)…【已完成】 lines under a problem heading own nothing: measures with their own status, not sub-problems."""
    report = parse_text(INTRO + "二、整改落实情况\n(一)政治建设方面\n1.关于“学习不够深入”问题\n(1)修订学习规则,开展专题研讨8次。【已完成】\n"
                        "(2)将学习情况纳入年度考核。【持续推进】\n2.关于“基层党建薄弱”问题\n(1)整顿软弱涣散党组织11个。【已完成】\n" + CLOSE)
    problems = report.iter_problems()
    assert [(p.title, p.status) for p in problems] == [("关于“学习不够深入”问题", None), ("关于“基层党建薄弱”问题", None)]
    assert [[m.status for m in p.measures] for p in problems] == [["已完成", "持续推进"], ["已完成"]]


def test_problem_headings_without_numbers_under_numbered_categories() -> None:
    """关于“…”问题 lines of their own, each followed by its measures, under 【一】 categories: problems."""
    report = parse_text(INTRO + "二、整改落实情况\n【一】关于政治建设方面\n关于“落实‘第一议题’制度不够到位”问题\n建立学习台账。\n"
                        "修订学习制度。\n关于“推动乡村振兴有短板”问题\n新建高标准农田2.1万亩。\n【二】关于全面从严治党方面\n"
                        "关于“主体责任落实不够有力”问题\n制定主体责任清单。\n关于“廉洁风险突出”问题\n开展专项整治。\n完善决策制度。\n" + CLOSE)
    assert [[(p.title, len(p.measures)) for p in c.problems] for c in report.categories] == [
        [("关于“落实‘第一议题’制度不够到位”问题", 2), ("关于“推动乡村振兴有短板”问题", 1)],
        [("关于“主体责任落实不够有力”问题", 1), ("关于“廉洁风险突出”问题", 2)]]
    assert all(p.marker is None for p in report.iter_problems())


@pytest.mark.parametrize(("rest", "title_alone"), [("县委组织部开展“星级评定”,评定五星级党组织36个。", True),
                                                   ("如2018年转办信访件中,有3件逾期半年多仍未完成整改。", False)])
def test_a_last_heading_beside_one_sibling_runs_on_with_a_step_not_an_example(rest: str, title_alone: bool) -> None:
    report = parse_text(INTRO + "二、整改落实情况\n1.关于“干部队伍建设存在短板”的问题。一是提拔年轻干部43名。\n二是开展专题培训。\n"
                        f"2.关于“基层党组织建设不够规范”的问题。{rest}\n整顿软弱涣散村党组织11个。\n" + CLOSE)
    second = report.iter_problems()[1]
    assert (second.title == "关于“基层党组织建设不够规范”的问题") is title_alone
    assert len(second.measures) == (2 if title_alone else 1)


def test_parts_numbered_as_sections_close_the_list_at_the_next_steps() -> None:
    """第一部分 … 第三部分 下一步工作打算 (a space, no comma, after 部分): the last part's 一、二、 are no problems."""
    report = parse_text(INTRO + "第一部分 整改工作总体情况\n区委高度重视整改工作。\n第二部分 巡视反馈问题整改落实情况\n"
                        "一、关于政治建设方面\n1.关于“学习不够深入”问题\n修订学习制度。\n2.关于“基层党建薄弱”问题\n开展专项整治。\n"
                        "第三部分 下一步工作打算\n一、持续压紧压实整改责任\n坚持标准不降。\n二、巩固拓展整改成果\n持续跟踪问效。\n" + CLOSE)
    assert [p.title for p in report.iter_problems()] == ["关于“学习不够深入”问题", "关于“基层党建薄弱”问题"]


def test_a_measure_that_reads_as_a_problem_heading_asks_for_review() -> None:
    """A heading the parser did not see (关于“…”问题 alone, unnumbered after a numbered one) stays a measure,
    and the report says so instead of passing as ok."""
    report = parse_text(INTRO + "二、整改落实情况\n1.关于“学习不够深入”问题\n修订学习制度。\n关于“基层党建薄弱”问题\n"
                        "开展专项整治。\n2.关于“主体责任落实不力”问题\n制定责任清单。\n" + CLOSE)
    assert report.quality.verdict == "review"
    assert "headings-among-measures" in [reason.code for reason in report.quality.reasons]


def test_a_number_given_twice_goes_on_with_the_list() -> None:
    """2. twice (a typo), then 3.: four problems, and a warning."""
    report = parse_text(INTRO + "二、整改落实情况\n1.关于“主体责任落实不到位”问题\n制定责任清单。\n2.关于“监督责任有差距”问题\n"
                        "开展专项检查。\n2.关于“不正之风仍然存在”问题\n查处问题12个。\n3.关于“八项规定精神问题时有发生”问题\n"
                        "开展专项整治。\n" + CLOSE)
    assert [p.title for p in report.iter_problems()] == ["关于“主体责任落实不到位”问题", "关于“监督责任有差距”问题",
                                                         "关于“不正之风仍然存在”问题", "关于“八项规定精神问题时有发生”问题"]
    assert any("编号重复" in w for w in report.warnings)


def test_decimal_numbering_under_a_part() -> None:
    """3.1, 3.2, 3.4 under (三): one list of problems (a skipped number tolerated); 2.5亿元 opening a line is no number."""
    report = parse_text(INTRO + "二、整改落实情况\n(三)关于组织路线方面\n3.1关于“领导班子建设有弱项”问题\n调整班子成员3名。\n"
                        "3.2关于“干部队伍建设存在短板”问题\n提拔年轻干部12名。\n2.5亿元专项资金已全部拨付。\n"
                        "3.4关于“人才工作存在短板”问题\n引进高层次人才20名。\n" + CLOSE)
    problems = report.iter_problems()
    assert [(p.marker, p.title, len(p.measures)) for p in problems] == [
        ("3.1", "关于“领导班子建设有弱项”问题", 1), ("3.2", "关于“干部队伍建设存在短板”问题", 2),
        ("3.4", "关于“人才工作存在短板”问题", 1)]


@pytest.mark.parametrize("label", ["第{}个问题:", "【问题{}】"])
def test_problems_labelled_as_the_nth_problem(label: str) -> None:
    report = parse_text(INTRO + "二、整改落实情况\n一、关于政治建设方面\n" + label.format("一") + "理论学习与推动工作结合不够紧密\n"
                        "1.制定学习计划。\n2.建立学习成果转化清单。\n" + label.format("二") + "基层党建薄弱\n1.开展专项整治。\n"
                        "二、关于作风建设方面\n" + label.format("三") + "违规吃喝问题仍有发生\n1.查处问题3起。\n" + CLOSE)
    assert [(p.title, len(p.measures)) for p in report.iter_problems()] == [
        ("理论学习与推动工作结合不够紧密", 2), ("基层党建薄弱", 1), ("违规吃喝问题仍有发生", 1)]


def test_circled_measures_own_the_paragraphs_after_them() -> None:
    """①… then a paragraph going on with it, then ②…: two measures, not two sub-problems."""
    report = parse_text(INTRO + "二、整改落实情况\n1.关于“课后服务落实不够到位”问题\n①制定《课后服务实施方案》。\n"
                        "对课后服务收费开展自查,清退3.82万元。\n②落实作业总量控制。\n2.关于“安全管理有漏洞”问题\n"
                        "①开展校园安全隐患排查。\n" + CLOSE)
    first, second = report.iter_problems()
    assert (len(first.measures), len(second.measures), first.problems) == (2, 1, [])


def test_a_problem_description_paragraph_and_a_status_line_before_the_measures() -> None:
    """问题表现:… is the problem's lead, not a measure; 整改进展:已完成 among the lines before numbered measures is its status."""
    report = parse_text(INTRO + "二、整改落实情况\n1.关于“水质不稳定达标”问题\n问题表现:部分断面水质不稳定达标。\n"
                        "制定三年行动方案。\n关停排污口12个。\n2.关于“主体责任有差距”问题\n责任单位:县委办公室\n"
                        "整改进展:已完成\n1.制定责任清单。\n2.开展专题研讨。\n" + CLOSE)
    first, second = report.iter_problems()
    assert (first.lead, [m.text for m in first.measures]) == ("问题表现:部分断面水质不稳定达标。",
                                                             ["制定三年行动方案。", "关停排污口12个。"])
    assert (second.status, len(second.measures)) == ("已完成", 2)


@pytest.mark.parametrize(("category", "problem", "measure"), [("Ⅰ、", "⒈", "⑴"), ("( 一 )", "1 .", "( 1 )")])
def test_numbers_in_other_glyphs_or_with_spaces_inside(category: str, problem: str, measure: str) -> None:
    """Roman Ⅰ、, ⒈ and ⑴ (one character each), and markers with spaces inside: the same outline as (一) 1. (1)."""
    two = {"Ⅰ、": "Ⅱ、", "⒈": "⒉", "⑴": "⑵"}
    def nth(marker: str, second: bool) -> str:
        return two.get(marker, marker.replace("一", "二").replace("1", "2")) if second else marker
    report = parse_text(INTRO + "二、整改落实情况\n" + category + "关于政治建设方面\n" + problem + "关于“学习不够深入”问题\n"
                        + measure + "修订学习制度。\n" + nth(measure, True) + "开展专题研讨。\n" + nth(problem, True)
                        + "关于“基层党建薄弱”问题\n" + measure + "开展专项整治。\n" + nth(category, True) + "关于作风建设方面\n"
                        + problem + "关于“违规吃喝仍有发生”问题\n" + measure + "查处问题3起。\n" + CLOSE)
    assert [[(p.title, len(p.measures)) for p in c.problems] for c in report.categories] == [
        [("关于“学习不够深入”问题", 2), ("关于“基层党建薄弱”问题", 1)], [("关于“违规吃喝仍有发生”问题", 1)]]


def test_paragraphs_that_lost_their_line_breaks_but_kept_their_gaps() -> None:
    """A page scraped as one long line, its paragraphs separated by full-width spaces: cut at the gaps."""
    lines = ["二、整改落实情况", "1.关于“学习不够深入”问题", "一是修订学习制度,全年集中学习16次;二是开展专题研讨8次,形成调研报告12篇。",
             "2.关于“基层党建薄弱”问题", "一是整顿软弱涣散党组织11个,已全部完成转化;二是规范“三会一课”记录,整改问题26个。",
             "3.关于“违规吃喝仍有发生”问题", "一是开展违规吃喝专项整治,查处问题3起;二是点名道姓通报曝光典型案例2起。"]
    report = parse_text(INTRO + "\u3000\u3000".join(lines) + CLOSE)
    assert [(p.title, len(p.measures)) for p in report.iter_problems()] == [
        ("关于“学习不够深入”问题", 2), ("关于“基层党建薄弱”问题", 2), ("关于“违规吃喝仍有发生”问题", 2)]


def test_a_page_that_lost_every_line_break() -> None:
    """The whole report on one line, headings after sentences and 一是 right after 问题: cut before each heading."""
    body = ("二、整改落实情况。一、关于政治建设方面(一)关于“学习不够深入”问题一是修订学习制度,全年集中学习16次。"
            "二是开展专题研讨8次。(二)关于“基层党建薄弱”问题一是整顿软弱涣散党组织11个。二是规范“三会一课”记录。"
            "二、关于作风建设方面(一)关于“违规吃喝仍有发生”问题一是开展专项整治,查处问题3起。二是通报曝光典型案例2起。"
            "(二)关于“形式主义官僚主义问题仍然存在”问题一是精简文件会议,全区发文数量同比下降21.3%,会议数量同比下降18.6%,"
            "严格控制发文规格和篇幅,推行视频会议和套会合开,切实把基层干部从文山会海中解脱出来,集中精力抓落实。"
            "二是整治督查检查考核过多过频问题,合并督查检查事项12项。三是建立基层减负观测点15个,定期收集基层意见建议。"
            "三、下一步工作打算。区委将持续巩固整改成果,坚持标准不降、力度不减,推动整改常态化长效化,"
            "以巡视整改成效推动全区经济社会高质量发展,为全面建设社会主义现代化国家贡献力量。对已完成的整改任务适时开展"
            "“回头看”,对需要长期坚持的整改任务持续跟踪推进,确保件件有着落、事事有回音。")
    report = parse_text(INTRO.rstrip("\n") + body + CLOSE)
    assert len(INTRO.rstrip("\n") + body) >= 500  # a whole page's length: a shorter line is no page that lost its breaks
    assert [[(p.title, len(p.measures)) for p in c.problems] for c in report.categories] == [
        [("关于“学习不够深入”问题", 2), ("关于“基层党建薄弱”问题", 2)],
        [("关于“违规吃喝仍有发生”问题", 2), ("关于“形式主义官僚主义问题仍然存在”问题", 3)]]


# --- problem tables (kg.parse.table) ------------------------------------------------------------------

def _problems(report: object) -> list[tuple[str | None, str | None, int, str | None]]:
    """(category, problem, measures, status) of every problem, in order."""
    return [(c.title, p.title, len(p.measures), p.status) for c in report.categories  # type: ignore[attr-defined]
            for p in c.problems]


def test_a_problem_table_copied_with_tabs() -> None:
    table = ("二、整改落实情况\n序号\t反馈问题\t整改措施\t整改时限\t完成情况\n一、党的领导方面\n"
             "1\t理论学习不够深入\t1.健全学习制度;2.开展专题研讨;3.2022年起每季度督查。\t2022年9月\t已完成\n"
             "2\t意识形态工作不到位\t建立阵地管理台账。\t长期坚持\t\n二、全面从严治党方面\n"
             "3\t监督责任落实不力\t(1)建立台账;(2)定期通报\t2022年10月\t基本完成\n")
    report = parse_text(INTRO + table + "三、下一步工作\n持续抓好整改。" + CLOSE)
    assert _problems(report) == [("党的领导方面", "理论学习不够深入", 3, "已完成"),
                                 ("党的领导方面", "意识形态工作不到位", 1, None),
                                 ("全面从严治党方面", "监督责任落实不力", 2, "基本完成")]
    measures = report.categories[0].problems[0].measures
    assert [report.text[slice(*m.span)] for m in measures] == [m.text for m in measures]
    assert measures[2].text.startswith("2022年起")


def test_a_markdown_table_with_a_category_column_and_a_problem_over_several_rows() -> None:
    table = ("| 问题类别 | 存在问题 | 整改措施 | 整改进展 |\n| --- | --- | --- | --- |\n"
             "| 党的建设 | 支部建设薄弱 | 开展标准化建设 | 已完成 |\n| | | 整顿软弱涣散支部3个 | |\n"
             "| 党的建设 | 党员教育不经常 | 一是建立积分制;二是开展轮训 | 正在推进 |\n"
             "| 作风建设 | 文山会海 | 精简文件 | 已完成 |\n")
    report = parse_text(INTRO + "二、整改情况\n" + table + CLOSE)
    assert _problems(report) == [("党的建设", "支部建设薄弱", 2, "已完成"), ("党的建设", "党员教育不经常", 2, "正在推进"),
                                 ("作风建设", "文山会海", 1, "已完成")]


def test_a_saved_page_whose_problem_table_spans_rows(tmp_path: Path) -> None:
    rows = ('<tr><th>序号</th><th>反馈问题</th><th>整改措施</th><th>完成情况</th></tr>'
            '<tr><td colspan="4">一、关于党的领导方面</td></tr>'
            '<tr><td rowspan="2">1</td><td rowspan="2">学习不深入</td><td>健全制度</td><td rowspan="2">已完成</td></tr>'
            '<tr><td>开展研讨<br>形成成果</td></tr>'
            '<tr><td>2</td><td>落实不到位</td><td><p>1.建立台账;</p><p>2.定期通报。</p></td><td>基本完成</td></tr>')
    page = ("<html><head><title>整改进展</title></head><body><p>" + INTRO.strip() + "</p><p>二、整改情况</p>"
            f"<table>{rows}</table><p>联系电话：0123-4567890。</p><p>中共某某市某某区委员会</p><p>2022年12月1日</p></body></html>")
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    report = parse_file(path)
    assert _problems(report) == [("关于党的领导方面", "学习不深入", 3, "已完成"), ("关于党的领导方面", "落实不到位", 2, "基本完成")]
    assert [m.text for m in report.categories[0].problems[0].measures] == ["健全制度", "开展研讨", "形成成果"]
    assert report.signed is not None and report.inspection.group == "省委第三巡视组"


def test_a_task_table_in_an_appendix_leaves_the_reports_own_list() -> None:
    body = "二、整改情况\n(一)关于学习不深入的问题\n一是健全制度;二是开展研讨。\n(二)关于监督不到位的问题\n一是建立台账。\n"
    appendix = "\n附件\n序号\t问题\t整改措施\t责任单位\n1\t学习不深入\t健全制度\t区委办\n2\t监督不到位\t建立台账\t区纪委\n"
    report = parse_text(INTRO + body + CLOSE + appendix)
    assert [(p.title, len(p.measures)) for c in report.categories for p in c.problems] == [
        ("关于学习不深入的问题", 2), ("关于监督不到位的问题", 1)]


def test_numbered_measures_inside_one_paragraph() -> None:
    report = parse_text(INTRO + "二、整改情况\n(一)关于学习不深入的问题\n1.健全学习制度;2.2022年开展研讨6次;3.加强督查。\n"
                        "(二)关于监督不到位的问题\n全年投入2.5亿元,建立台账。" + CLOSE)
    first, second = report.categories[0].problems
    assert [m.text for m in first.measures] == ["健全学习制度", "2022年开展研讨6次", "加强督查。"]
    assert len(second.measures) == 1


# --- probe-found shapes: sentence headings, closing paragraphs, duty tags, progress groups ----------------------

PLACED_INTRO = INTRO.replace("某某市某某区", "西安市莲湖区")
PLACED_CLOSE = CLOSE.replace("某某市某某区", "西安市莲湖区")

def test_problems_written_as_sentences_naming_them() -> None:
    body = ("二、整改落实情况\n(一)关于贯彻落实党中央决策部署方面\n"
            "针对“理论学习不够深入”的问题,区委采取以下措施推动整改。\n一是健全学习制度。\n二是开展专题研讨。\n"
            "针对“产业发展推进不力”的问题,区委采取以下措施推动整改。\n出台产业发展三年行动方案。\n建设产业园二期。\n"
            "(二)关于全面从严治党方面\n针对“主体责任落实不到位”的问题,一是制定责任清单;二是开展廉政谈话;三是强化督查。\n"
            "关于“监督责任落实不力”的问题,区纪委采取以下措施。\n建立监督台账。\n")
    report = parse_text(PLACED_INTRO + body + PLACED_CLOSE)
    assert _problems(report) == [
        ("关于贯彻落实党中央决策部署方面", "针对“理论学习不够深入”的问题", 2, None),
        ("关于贯彻落实党中央决策部署方面", "针对“产业发展推进不力”的问题", 2, None),
        ("关于全面从严治党方面", "针对“主体责任落实不到位”的问题", 3, None),
        ("关于全面从严治党方面", "关于“监督责任落实不力”的问题", 1, None)]
    assert report.categories[0].problems[1].lead == "区委采取以下措施推动整改。"


@pytest.mark.parametrize("style", ["1.", "(1)"])
def test_a_closing_paragraph_after_the_last_numbered_measure_is_no_measure(style: str) -> None:
    one, two = style.replace("1", "1"), style.replace("1", "2")
    body = (f"二、整改情况\n(一)学习贯彻不够深入\n{one}健全学习制度。\n{two}开展专题研讨。\n"
            f"(二)选人用人检查发现的问题整改不彻底\n{one}逐条整改。\n{two}严格执行任职前公示制度。\n"
            "下一步,区委将坚持目标不变、标准不降、力度不减,持续推进整改。\n")
    report = parse_text(PLACED_INTRO + body + PLACED_CLOSE)
    assert [(p.title, len(p.measures)) for p in report.categories[0].problems] == [
        ("学习贯彻不够深入", 2), ("选人用人检查发现的问题整改不彻底", 2)]
    assert "下一步" not in report.categories[0].problems[1].measures[-1].text


def test_who_answers_for_a_problem_is_no_part_of_its_title() -> None:
    body = ("二、整改情况\n1.学习贯彻不够深入的问题(牵头单位:县委办公室;责任单位:各乡镇党委)\n一是健全制度;二是开展研讨。\n"
            "2.产业扶贫衔接不足的问题【责任单位:县农业农村局】\n一是制定方案。\n")
    report = parse_text(PLACED_INTRO + body + PLACED_CLOSE)
    assert [p.title for c in report.categories for p in c.problems] == ["学习贯彻不够深入的问题", "产业扶贫衔接不足的问题"]


def test_circled_measures_inside_one_paragraph() -> None:
    body = "二、整改情况\n1.主体责任压力传导不到位的问题\n①制定责任清单;②开展谈心谈话52人次;③每季度召开形势分析会。\n2.作风不实的问题\n①开展作风整治。\n"
    report = parse_text(PLACED_INTRO + body + PLACED_CLOSE)
    assert [len(p.measures) for c in report.categories for p in c.problems] == [3, 1]


def test_problems_grouped_by_progress_take_its_status() -> None:
    body = ("一、整改工作开展情况\n截至目前,反馈的4个问题中,已完成整改2个,基本完成整改1个,需长期坚持、持续推进的1个;"
            "8条整改措施已完成6条。\n二、整改落实情况\n(一)已完成整改的问题(2个)\n1.学习贯彻不够深入\n一是健全制度;二是开展研讨。\n"
            "2.意识形态工作不到位\n一是建立台账;二是开展督查。\n"
            "(二)基本完成整改的问题(1个)\n1.产业发展推进不力\n一是出台方案;二是建设园区。\n"
            "(三)需长期坚持的问题(1个)\n1.基层党建薄弱\n一是整顿软弱涣散支部;二是选派第一书记。\n")
    report = parse_text(PLACED_INTRO + body + PLACED_CLOSE)
    assert [(p.title, p.status) for c in report.categories for p in c.problems] == [
        ("学习贯彻不够深入", "已完成"), ("意识形态工作不到位", "已完成"), ("产业发展推进不力", "基本完成"),
        ("基层党建薄弱", "长期坚持")]
    assert report.quality.verdict == "ok", report.quality.reasons


@pytest.mark.parametrize("slogan", ["做到改一个问题、堵一批漏洞、建一套制度。", "实行“一个问题、一名县领导、一个牵头单位”包干责任制。"])
def test_a_slogan_naming_one_problem_is_no_declared_count(slogan: str) -> None:
    body = (f"一、整改工作开展情况\n区委对反馈的2个问题逐项整改,{slogan}\n二、整改落实情况\n1.学习贯彻不够深入\n一是健全制度;二是开展研讨。\n"
            "2.产业发展推进不力\n一是出台方案。\n")
    report = parse_text(PLACED_INTRO + body + PLACED_CLOSE)
    assert [d.count for d in report.declared] == [2]
    assert report.quality.verdict == "ok", report.quality.reasons


def test_an_unsigned_report_whose_page_dates_it_and_that_ends_with_its_contacts_is_whole() -> None:
    body = "二、整改落实情况\n1.学习贯彻不够深入\n一是健全制度;二是开展研讨。\n2.产业发展推进不力\n一是出台方案。\n"
    close = "欢迎广大干部群众对巡视整改落实情况进行监督。联系电话:0971-1234567。"
    dated = parse_text("发布时间:2023-01-05\n" + PLACED_INTRO + body + close)
    undated = parse_text(PLACED_INTRO + body + close)
    assert dated.quality.verdict == "ok", dated.quality.reasons
    assert undated.quality.verdict == "review"


# (case, the report's list, its problems as (category, title, measures, status)): whole lists read as written
LISTS = [
    ("prose-and-table",
     "二、整改落实情况\n(一)关于党的领导方面\n1.关于“学习不深入”问题\n一是健全制度;二是开展研讨。\n"
     "2.关于“落实不到位”问题\n一是建立台账。\n(二)关于巡视反馈具体问题方面\n"
     "序号\t具体问题\t整改措施\t完成情况\n1\t厂房长期闲置\t1.盘活厂房;2.引进企业。\t已完成\n"
     "2\t物业管理缺位\t成立业主委员会。\t基本完成\n三、下一步工作\n持续抓好整改。\n",
     [("关于党的领导方面", "关于“学习不深入”问题", 2, None), ("关于党的领导方面", "关于“落实不到位”问题", 1, None),
      ("关于巡视反馈具体问题方面", "厂房长期闲置", 2, "已完成"), ("关于巡视反馈具体问题方面", "物业管理缺位", 1, "基本完成")]),
    ("table-under-a-part",  # the parts are no problems: the table under one of them is the list
     "一、整改工作的组织落实情况\n成立领导小组。\n召开专题会议。\n二、巡视反馈问题的整改落实情况\n具体见下表:\n"
     "序号\t反馈问题\t整改措施\t完成情况\n1\t学习不深入\t健全制度\t已完成\n2\t落实不到位\t建立台账\t已完成\n",
     [(None, "学习不深入", 1, "已完成"), (None, "落实不到位", 1, "已完成")]),
    ("second-part",  # 三、选人用人专项检查…: a second list after the main one, the next steps no list
     "一、提高政治站位\n县委高度重视。\n二、巡视反馈问题整改落实情况\n(一)党的领导方面\n1.学习贯彻不够深入\n1)健全制度。\n2)开展研讨。\n"
     "2.落实新发展理念不到位\n1)出台方案。\n(二)全面从严治党方面\n3.“两个责任”落实有差距\n1)制定清单。\n2)开展督查。\n"
     "三、选人用人专项检查反馈问题整改落实情况\n1.干部选拔任用工作不够规范\n1)严格执行条例。\n2)规范动议程序。\n"
     "2.干部人事档案管理不够严格\n1)开展专项审核。\n四、下一步工作打算\n1.持续巩固整改成果。\n2.建立长效机制。\n",
     [("党的领导方面", "学习贯彻不够深入", 2, None), ("党的领导方面", "落实新发展理念不到位", 1, None),
      ("全面从严治党方面", "“两个责任”落实有差距", 2, None),
      (None, "干部选拔任用工作不够规范", 2, None), (None, "干部人事档案管理不够严格", 1, None)]),
    ("nth-aspect",  # 第一方面: categories over (一)… problems numbered across them
     "二、整改落实情况\n第一方面:贯彻落实党中央决策部署不到位\n(一)学习贯彻不够深入\n1)健全制度。\n2)开展研讨。\n"
     "(二)河湖管理存在短板\n1)修订考核办法。\n第二方面:全面从严治党不够到位\n(三)主体责任压得不实\n1)制定清单。\n2)开展督查。\n",
     [("贯彻落实党中央决策部署不到位", "学习贯彻不够深入", 2, None), ("贯彻落实党中央决策部署不到位", "河湖管理存在短板", 1, None),
      ("全面从严治党不够到位", "主体责任压得不实", 2, None)]),
]


LISTS += [
    ("paragraph-problems",  # 关于“…”问题: opening a paragraph, two to a category, its measures after any lead-in
     "二、整改落实情况\n(一)关于政治建设方面\n关于“理论学习不够深入”问题:一是健全学习制度;二是开展专题研讨。\n"
     "关于“决策部署落实不力”问题。局党组研究制定了落实清单,逐项督办。\n(二)关于全面从严治党方面\n"
     "关于“主体责任落实不到位”问题:局党组将从三个方面推动整改,一是制定责任清单;二是开展廉政谈话。\n"
     "关于“监督责任落实不力”问题:一是建立监督台账。\n",
     [("关于政治建设方面", "关于“理论学习不够深入”问题", 2, None), ("关于政治建设方面", "关于“决策部署落实不力”问题", 1, None),
      ("关于全面从严治党方面", "关于“主体责任落实不到位”问题", 2, None), ("关于全面从严治党方面", "关于“监督责任落实不力”问题", 1, None)]),
    ("labelled-problems",  # 【问题】… on its own line, 【整改情况】一是… under it
     "二、整改落实情况\n(一)党的领导方面\n【问题】理论学习与推动实践结合不够紧密\n【整改情况】一是坚持第一议题制度;二是开展专题研讨。\n"
     "【问题】推动服务业发展办法不多\n【整改情况】一是出台扶持政策。\n",
     [("党的领导方面", "理论学习与推动实践结合不够紧密", 2, None), ("党的领导方面", "推动服务业发展办法不多", 1, None)]),
    ("status-after-numbered-measures",  # 整改状态:已完成 as the last paragraph under 1. 2. measures
     "二、整改落实情况\n(一)学习贯彻不够深入\n1.健全学习制度。\n2.开展专题研讨。\n整改状态:已完成\n"
     "(二)产业发展推进不力\n1.出台方案。\n整改状态:持续推进\n",
     [(None, "学习贯彻不够深入", 2, "已完成"), (None, "产业发展推进不力", 1, "持续推进")]),
    ("first-sentence-problems",  # each paragraph of a category opens with the problem's sentence, the last part too
     "一、贯彻落实党中央决策部署\n理论学习成果转化不够有力。一是健全学习制度;二是开展专题研讨。\n"
     "乡村振兴工作存在短板。市委将从两方面整改,一是制定衔接方案;二是壮大集体经济。\n二、全面从严治党\n"
     "管党治党政治责任压得不实。一是制定责任清单;二是开展廉政谈话。\n重点领域腐败问题易发多发。一是开展专项整治。\n"
     "三、新时代党的组织路线\n领导班子建设有短板。一是调整班子;二是开展轮训。\n选人用人不够规范。一是严格程序。\n",
     [("贯彻落实党中央决策部署", "理论学习成果转化不够有力", 2, None), ("贯彻落实党中央决策部署", "乡村振兴工作存在短板", 2, None),
      ("全面从严治党", "管党治党政治责任压得不实", 2, None), ("全面从严治党", "重点领域腐败问题易发多发", 1, None),
      ("新时代党的组织路线", "领导班子建设有短板", 2, None), ("新时代党的组织路线", "选人用人不够规范", 1, None)]),
    ("no-headings",  # 针对反馈的“…”问题,我们… paragraphs, no heading at all, one of them with no 一是 run
     "针对反馈的“意识形态责任制落实不到位”问题,我们修订了实施细则,一是每半年专题研究;二是开展专项检查。\n"
     "针对反馈的“‘双减’政策落实不够到位”问题,我们会同市场监管部门开展专项治理,查处违规培训12起。\n"
     "针对反馈的“食堂管理存在漏洞”问题,我们一是开展食品安全检查;二是推行明厨亮灶;三是开展应急演练。\n",
     [(None, "针对反馈的“意识形态责任制落实不到位”问题", 2, None), (None, "针对反馈的“‘双减’政策落实不够到位”问题", 1, None),
      (None, "针对反馈的“食堂管理存在漏洞”问题", 3, None)]),
    ("grouped-runs",  # 立行立改方面:一是…二是… 长期坚持方面:一是…: one run in groups, the label inline or on its own line
     "二、整改落实情况\n1.关于“科技创新支撑不足”的问题\n立行立改方面:一是修订扶持政策。二是新引进研发机构11家。\n"
     "长期坚持方面:一是实施高企培育计划。\n2.关于“年轻干部培养不够”的问题\n立行立改:\n一是开展专项调研。\n"
     "二是提拔使用年轻干部24名。\n长期坚持:\n一是制定墩苗计划。\n二是选派干部到基层历练。\n",
     [(None, "关于“科技创新支撑不足”的问题", 3, None), (None, "关于“年轻干部培养不够”的问题", 4, None)]),
    ("run-numbered-problems",  # 一是关于…的问题。 then what was done (2016-style central reports), a paragraph going on
     "二、整改落实情况\n(一)关于党的领导弱化的问题\n一是关于贯彻中央决策部署打折扣、搞变通的问题。省委常委会专题学习14次。\n"
     "二是关于议事决策机制不健全的问题。修订常委会工作规则。\n建立议定事项督办机制。\n"
     "(二)关于全面从严治党不到位的问题\n一是关于基层“微腐败”问题易发多发的问题。开展专项行动,查处问题1278件。\n"
     "二是关于“四风”隐形变异的问题。出台公务接待管理办法。\n",
     [("关于党的领导弱化的问题", "关于贯彻中央决策部署打折扣、搞变通的问题", 1, None),
      ("关于党的领导弱化的问题", "关于议事决策机制不健全的问题", 2, None),
      ("关于全面从严治党不到位的问题", "关于基层“微腐败”问题易发多发的问题", 1, None),
      ("关于全面从严治党不到位的问题", "关于“四风”隐形变异的问题", 1, None)]),
    ("numbered-problem-sentences",  # 1.关于…的问题。 and what was done, on one line
     "二、整改落实情况\n(一)党的建设方面\n1.关于干部队伍不强的问题。举办培训班5期,引进专业人才9名。\n"
     "2.关于支部建设不够的问题。调整设置支部7个,规范三会一课。\n(二)作风建设方面\n"
     "3.关于文山会海的问题。精简会议31.5%。\n",
     [("党的建设方面", "关于干部队伍不强的问题", 1, None), ("党的建设方面", "关于支部建设不够的问题", 1, None),
      ("作风建设方面", "关于文山会海的问题", 1, None)]),
    ("lead-in-after-the-title",  # 关于…的问题。针对这一问题,…:一是…: the lead-in sentence is no part of the title
     "二、整改落实情况\n1.关于“基层服务能力提升不快”的问题。针对这一问题,委党组从以下方面补齐短板:一是建设紧密型医共体;"
     "二是培训基层人员。\n2.关于“监管不严”的问题。对此,委党组一是开展专项检查;二是通报典型案例;三是完善制度。\n",
     [(None, "关于“基层服务能力提升不快”的问题", 2, None), (None, "关于“监管不严”的问题", 3, None)]),
    ("explained-status",  # 完成情况:正在推进。 and a sentence explaining it
     "二、整改落实情况\n问题1:主导产业集群发展不够有力\n整改措施:一是制定招商图谱;二是实施链长制。\n"
     "完成情况:正在推进。产业链补链强链需长期坚持,已列入年度重点工作。\n问题2:营商环境存在薄弱环节\n"
     "整改措施:一是压缩审批时限。\n完成情况:已完成。\n",
     [(None, "主导产业集群发展不够有力", 2, "正在推进"), (None, "营商环境存在薄弱环节", 1, "已完成")]),
    ("problem-measures-results",  # 问题:/整改措施:/整改成效: blocks with no number; the results are no measure
     "二、整改落实情况\n(一)党的建设方面\n问题:干部队伍专业化水平不高。\n整改措施:一是举办培训班5期;二是引进专业人才9名。\n"
     "整改成效:干部能力提升。\n问题:文旅产业发展质量不高。\n整改措施:\n策划推出精品线路6条。\n引进文旅市场主体23家。\n"
     "整改成效:接待游客326.7万人次。\n",
     [("党的建设方面", "干部队伍专业化水平不高", 2, None), ("党的建设方面", "文旅产业发展质量不高", 2, None)]),
    ("duty-lines-after-items",  # (1)(2) measures, then 整改时限:/责任单位:/整改状态: lines: no sub-problem, no measure
     "二、整改落实情况\n(一)党的建设方面\n1.干部队伍专业化水平不高\n(1)举办培训班5期。\n(2)引进专业人才9名。\n"
     "整改时限:2023年10月底前\n责任单位:人事科\n整改状态:已完成\n2.支部建设不够\n(1)调整设置支部7个。\n"
     "(2)规范三会一课。\n(3)建立台账。\n整改时限:2023年7月底前\n责任单位:机关党委\n整改状态:持续推进\n",
     [("党的建设方面", "干部队伍专业化水平不高", 2, "已完成"), ("党的建设方面", "支部建设不够", 3, "持续推进")]),
    ("ordinal-runs",  # 首先,…其次,…最后,… and 第一,…第二,… (inline, or the first opening the paragraph)
     "二、整改落实情况\n1.关于“干部队伍不强”的问题\n首先,举办培训班5期。其次,引进专业人才9名。最后,选派干部挂职12名。\n"
     "2.关于“作风不实”的问题\n区委从三方面整改。第一,精简会议;第二,精简文件;第三,清理工作群。\n"
     "3.关于“责任层层递减”的问题\n第一,出台主体责任清单;第二,开展双述双评。\n",
     [(None, "关于“干部队伍不强”的问题", 3, None), (None, "关于“作风不实”的问题", 3, None),
      (None, "关于“责任层层递减”的问题", 2, None)]),
]


@pytest.mark.parametrize(("body", "expected"), [case[1:] for case in LISTS], ids=[case[0] for case in LISTS])
def test_whole_lists_read_as_written(body: str, expected: list[tuple[str | None, str, int, str | None]]) -> None:
    assert _problems(parse_text(PLACED_INTRO + body + PLACED_CLOSE)) == expected


def test_a_problems_own_details_before_its_measures_are_its_lead() -> None:
    body = ("二、整改情况\n1.关于县委领导作用发挥不够充分的问题\n具体问题:(1)研究重大问题不够深入;(2)对党组领导不够有力;(3)督查落实不够。\n"
            "整改情况:一是修订议事规则;二是建立党组报告制度;三是开展督查;四是建立台账。\n"
            "2.关于意识形态工作责任制落实不到位的问题\n巡视指出:(1)风险研判不够;(2)舆情处置机制不健全。\n整改情况:一是开展研判;二是完善机制。\n")
    report = parse_text(PLACED_INTRO + body + PLACED_CLOSE)
    first, second = report.categories[0].problems
    assert [len(first.measures), len(second.measures)] == [4, 2]
    assert first.lead is not None and first.lead.startswith("具体问题")


def test_measures_counted_as_qi_yi_qi_er() -> None:
    body = "二、整改情况\n1.学习不深入的问题\n其一,健全制度;其二,开展研讨;其三,加强督查。\n2.落实不到位的问题\n一是建立台账。\n"
    report = parse_text(PLACED_INTRO + body + PLACED_CLOSE)
    assert [len(p.measures) for p in report.categories[0].problems] == [3, 1]


@pytest.mark.parametrize("summary", [
    "共明确整改任务71项、整改措施215条,逐项明确责任单位。",  # a plan's tasks: the report lists its problems, not them
    "截至目前,反馈的2个问题已完成整改1个,其余1个问题正在按时序推进。",  # 其余1个问题: the rest, no total
    "截至目前,47个具体问题已完成整改41个,其余6个达到阶段性目标。"])  # a finer tier the report does not list
def test_counts_of_units_the_report_does_not_list_are_not_compared(summary: str) -> None:
    body = ("一、整改工作开展情况\n" + summary + "\n二、整改落实情况\n1.学习贯彻不够深入(已完成)\n一是健全制度;二是开展研讨。\n"
            "2.产业发展推进不力(基本完成)\n一是出台方案。\n")
    report = parse_text(PLACED_INTRO + body + PLACED_CLOSE)
    assert report.quality.verdict == "ok", report.quality.reasons


@pytest.mark.parametrize("date", ["2023年12月28日", "2023年12月"])
def test_the_signature_is_found_above_footnotes_and_a_pages_credits(date: str) -> None:
    body = "二、整改情况\n1.学习贯彻不够深入\n一是健全制度[1];二是开展研讨。\n2.产业发展推进不力\n一是出台方案。\n"
    tail = (f"\n中共西安市莲湖区委员会\n{date}\n[1]数据来源:区委办。\n来源|莲湖区纪委监委\n编辑|某某\n审核|某某")
    report = parse_text(PLACED_INTRO + body + "联系电话:029-1234567。" + tail)
    assert report.committee.name == "中共西安市莲湖区委员会"
    assert report.signed == (dt.date(2023, 12, 28) if date.endswith("日") else None)


@pytest.mark.parametrize("signature", [
    "中共西安市莲湖区委员会",
    "中共西安市莲湖区委员会\u3000\u3000西安市莲湖区人民政府",  # a joint signature: the Party organisation signs
    "西安市莲湖区人民政府\n中共西安市莲湖区委员会\n(盖章)",  # a seal line between the name and its date
    "中共西安市莲湖区 委员会"])  # a stray space inside the name is no gap between two names
def test_the_signing_party_organisation(signature: str) -> None:
    body = "二、整改情况\n1.学习贯彻不够深入\n一是健全制度;二是开展研讨。\n2.产业发展推进不力\n一是出台方案。\n"
    report = parse_text(PLACED_INTRO + body + f"联系电话:029-1234567。\n{signature}\n2023年12月28日")
    assert (report.committee.name or "").replace(" ", "") == "中共西安市莲湖区委员会"
    assert report.signed == dt.date(2023, 12, 28)


def test_a_group_label_is_no_part_of_the_measure_before_it() -> None:
    """立行立改方面:/长期坚持: open the next group of a problem's run; the item before ends where the label starts."""
    body = ("二、整改落实情况\n1.关于“科技创新支撑不足”的问题\n立行立改方面:一是修订扶持政策。二是新引进研发机构11家。\n"
            "长期坚持方面:一是实施高企培育计划。\n2.关于“年轻干部培养不够”的问题\n立行立改:\n一是开展专项调研。\n"
            "二是提拔使用年轻干部24名。\n长期坚持:\n一是制定墩苗计划。\n")
    report = parse_text(PLACED_INTRO + body + PLACED_CLOSE)
    texts = [m.text for c in report.categories for p in c.problems for m in p.measures]
    assert texts == ["修订扶持政策。", "新引进研发机构11家。", "实施高企培育计划。", "开展专项调研。", "提拔使用年轻干部24名。",
                     "制定墩苗计划。"]
