"""Progress and open work: statements read from the real reports (checked by reading), their sums against
the report's declared totals, the quality verdict when they disagree, and metamorphic checks."""

from __future__ import annotations

from kg.model import Report
from kg.parse import parse_text
from kg.parse.progress import state_of, sum_disagreements


def _by(reports: list[Report], word: str) -> Report:
    return next(r for r in reports if word in (r.committee.name or ""))


def test_summary_splits_add_up_to_the_declared_totals(real_reports: list[Report]) -> None:
    """Qinhuangdao: 31个具体问题 = 已完成22 + 基本完成7 + 未完成2; Tianqiao: 49项具体问题 = 42 + 4 + 3."""
    qhd, tq = _by(real_reports, "秦皇岛"), _by(real_reports, "天桥")
    assert [(p.state, p.count, p.total) for p in qhd.progress if p.where == "summary"] == [
        ("done", 22, 31), ("basically_done", 7, 31), ("not_done", 2, 31)]
    assert [(p.state, p.count, p.total) for p in tq.progress if p.where == "summary"] == [
        ("done", 42, 49), ("staged", 4, 49), ("long_term", 3, 49)]
    assert sum_disagreements(qhd.progress) == [] and sum_disagreements(tq.progress) == []


def test_open_work_inside_items(real_reports: list[Report]) -> None:
    """Lianhu: 目前除3个审计问题正在积极推进外 (in an item, not the quoted 2015 finding)."""
    lianhu = _by(real_reports, "莲湖")
    open_items = [(p.state, p.count, p.counted) for p in lianhu.progress if p.state != "done"]
    assert open_items == [("in_progress", 3, "问题")]
    for report in real_reports:
        for p in report.progress:
            assert report.text[p.span[0]:p.span[1]] == p.quote


def test_state_of_status_wordings() -> None:
    words = {"已完成": "done", "已整改": "done", "基本完成": "basically_done", "未完成": "not_done",
             "正在推进": "in_progress", "持续推进": "in_progress", "长期坚持": "long_term", "取得阶段性成效": "staged"}
    assert {w: state_of(w) for w in words} == words


def test_a_split_that_does_not_add_up_is_flagged_for_review(real_reports: list[Report]) -> None:
    """Metamorphic: Tianqiao's 42项已整改完成 rewritten as 40项 no longer adds up to 49: review, with a reason."""
    tq = _by(real_reports, "天桥")
    report = parse_text(tq.text.replace("42项已整改完成", "40项已整改完成"))
    assert [(t, s) for t, s, _ in sum_disagreements(report.progress)] == [(49, 47)]
    assert report.quality.verdict in ("review", "incomplete")
    assert any(r.code == "progress-sum" for r in report.quality.reasons)
    assert not any(r.code == "progress-sum" for r in tq.quality.reasons)


def test_moved_summary_sentence_is_still_a_summary_split(real_reports: list[Report]) -> None:
    """Metamorphic: Qinhuangdao's split moved to the opening paragraph keeps its states and total."""
    qhd = _by(real_reports, "秦皇岛")
    sentence = "市委第五巡察组反馈的31个具体问题,目前已完成22个、基本完成7个、未完成2个。"
    text = qhd.text.replace(sentence, "")
    at = text.index("\n") + 1
    report = parse_text(text[:at] + sentence + "\n" + text[at:])
    assert [(p.state, p.count, p.total) for p in report.progress if p.where == "summary"] == [
        ("done", 22, 31), ("basically_done", 7, 31), ("not_done", 2, 31)]


def test_a_status_tag_closing_a_measure_is_its_status(real_reports: list[Report]) -> None:
    """Metamorphic: Lianhu's first measure closed by (正在推进)。 and its second by 完成情况:已完成。 carry those
    statuses; a declared 已完成整改措施1条 is then compared with the measures' tags (and agrees)."""
    from kg.parse.counts import check_declared

    lianhu = _by(real_reports, "莲湖")
    first, second = lianhu.iter_measures()[:2]
    text = lianhu.text
    text = text[:second.span[1]] + "完成情况:已完成。" + text[second.span[1]:]
    text = text[:first.span[1] - 1] + "(正在推进)" + text[first.span[1] - 1:]  # before its closing 。
    intro_end = text.index("\n")
    text = text[:intro_end] + "\n已完成整改措施1条。" + text[intro_end:]
    report = parse_text(text)
    measures = report.iter_measures()
    assert [(m.status, state_of(m.status)) for m in measures[:2]] == [("正在推进", "in_progress"), ("已完成", "done")]
    assert all(m.status is None for m in measures[2:])
    check = next(c for c in check_declared(report.declared, report.categories) if c.text.startswith("已完成整改措施"))
    assert check.level == "measure status 已完成" and check.agrees
    assert all(m.status is None for r in real_reports for m in r.iter_measures())


def test_summary_forms_of_the_issue(real_reports: list[Report]) -> None:
    """The wordings issue 23 quotes, put in a real report's summary: 已完成整改688个,未完成5个 split the
    693 fed back (and add up); 长期整改任务3项 is long-term work; 除3个问题正在推进外 is in progress."""
    lianhu = _by(real_reports, "莲湖")
    at = lianhu.text.index("\n")
    summary = ("截至目前,反馈的693个问题已完成整改688个,未完成5个,完成率98.71%;长期整改任务3项。"
               "除3个问题正在推进外,其余均已整改到位。")
    report = parse_text(lianhu.text[:at] + "\n" + summary + lianhu.text[at:])
    stated = [(p.state, p.count, p.total) for p in report.progress if p.where == "summary"]
    assert stated == [("done", 688, 693), ("not_done", 5, 693), ("long_term", 3, None), ("in_progress", 3, None)]
    assert sum_disagreements(report.progress) == []
    broken = parse_text(lianhu.text[:at] + "\n" + summary.replace("未完成5个", "未完成7个") + lianhu.text[at:])
    assert [(t, s) for t, s, _ in sum_disagreements(broken.progress)] == [(693, 695)]
