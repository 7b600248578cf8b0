"""Quality verdict: says out loud when a parse should not be trusted as it stands.

A report that came out empty, cut short or at odds with its own declared counts used to be
stored like any other. ``judge`` reads the parsed model (and the warnings the parser already
gave) and returns ``ok``, ``review`` (something a person should check) or ``incomplete``
(the problem list or the end of the report is missing), with one reason per finding: a stable
English ``code`` for programs and a Chinese-first ``message`` for people.

It only reads what the other stages produced: declared counts as kg.parse.counts compared
them (``compared_with``/``found``), truncation as kg.parse's warnings say it.
"""

from __future__ import annotations

import re

from kg.model import Declared, Problem, Quality, QualityReason, Report
from kg.parse.progress import sum_disagreements
from kg.parse.region import TERRITORIAL_KINDS
from kg.parse.structure import problem_like, reads_as_heading

VERDICTS = ("ok", "review", "incomplete")  # in rising order of severity
Finding = tuple[str, QualityReason]  # (verdict it calls for, reason)

# compared_with values naming the level below the problems (kg.parse.counts): a flat report
# lists its problems only, so a larger declared count there is the finer items it did not list
_SUB_LEVELS = ("leaf problems", "sub-problems", "tasks")
_MAX_TITLES = 3  # problem titles quoted in a reason


_TOP_MARKER_RE = re.compile(r"^[一二三四五六七八九十]+、$")


def judge(report: Report) -> Quality:
    """The verdict on a parsed report and every reason for it (none when it is ``ok``)."""
    disagreeing = _disagreeing(report)
    findings = [*_problem_list(report), *_cut_short(report, any(_at_most_half(d) for d in disagreeing)),
                *_measures(report), *map(_mismatch, disagreeing), *_progress_sums(report), *_metadata(report)]
    verdict = max((v for v, _ in findings), key=VERDICTS.index, default="ok")
    return Quality(verdict, [reason for _, reason in findings])


def _reason(verdict: str, code: str, message: str) -> Finding:
    return verdict, QualityReason(code, message)


def _problem_list(report: Report) -> list[Finding]:
    """No problem list at all, or one with nothing in it: the report's substance is missing."""
    findings: list[Finding] = []
    if not report.categories:
        findings.append(_reason("incomplete", "no-problem-list", "未识别出问题清单 (no problem list found)"))
    elif _none_reads_like_a_problem(report):
        titled = [p for p in report.iter_problems() if p.title]
        findings.append(_reason("incomplete", "no-problem-list",
                                f"未识别出问题清单: 当作问题的 {len(titled)} 个标题都不像问题, 如 {_titles(titled)} "
                                f"(no problem list found: none of the {len(titled)} headings taken as problems "
                                f"reads like one)"))
    if not report.iter_problems():
        findings.append(_reason("incomplete", "empty", "空报告: 0 个问题, 0 条措施 (empty: 0 problems and 0 measures)"))
    return findings


def _none_reads_like_a_problem(report: Report) -> bool:
    """The parser fell back on other headings (the work summary, next steps) as problems. Structure
    decides first: headings that own runs of marked measures (一是…, 1.…, ①…) are a problem list
    however they are worded (1.在…上下功夫, 1.加强…建设). Only when no problem owns such a run is
    wording asked: with the list cut out of a real report, none of the headings taken in its place
    reads like a problem (关于…问题, 不到位, 不足…)."""
    if any(m.marker for p in _leaves(report) for m in p.measures) and not _parts_taken_as_problems(report):
        return False
    titles = [c.title for c in report.categories if c.title] + [p.title for p in report.iter_problems() if p.title]
    return bool(titles) and not any(problem_like(title) for title in titles)


def _parts_taken_as_problems(report: Report) -> bool:
    """The report's own top-level parts (一、…, 二、…) under an untitled category were taken as the
    problems: the outline of the whole report, not a list inside it, so its runs prove nothing."""
    problems = [p for c in report.categories for p in c.problems]
    return (all(not c.title for c in report.categories) and bool(problems)
            and all(p.marker and _TOP_MARKER_RE.match(p.marker) for p in problems))


def _leaves(report: Report) -> list[Problem]:
    return [p for p in report.iter_problems() if not p.problems]


def _titles(problems: list[Problem]) -> str:
    titles = [f"{p.marker or ''}{(p.title or '(无标题)')[:16]}" for p in problems[:_MAX_TITLES]]
    return "、".join(titles) + ("…" if len(problems) > _MAX_TITLES else "")


def _measures(report: Report) -> list[Finding]:
    """Problems without measures (where most have some), no measures at all, measures that read as a
    problem's heading (关于“…”问题 alone: a heading the parser did not see), and measures the parser hung
    on a problem it found no heading for."""
    problems = report.iter_problems()
    if not problems:
        return []
    measures = sum(len(p.measures) for p in problems)
    if measures == 0:
        return [_reason("review", "no-measures", f"未识别出整改措施: {len(problems)} 个问题, 0 条措施 "
                                                 f"(no measures found under {len(problems)} problems)")]
    findings: list[Finding] = []
    leaves = _leaves(report)
    bare = [p for p in leaves if not p.measures]
    if bare and len(bare) < len(leaves) / 2:
        findings.append(_reason("review", "problems-without-measures",
                                f"{len(bare)} 个问题没有整改措施, 其余 {len(leaves) - len(bare)} 个有: {_titles(bare)} "
                                f"({len(bare)} of {len(leaves)} problems have no measures)"))
    headings = [m.text for p in problems for m in p.measures if reads_as_heading(m.text)]
    if headings:
        quoted = "、".join(text[:24] for text in headings[:_MAX_TITLES]) + ("…" if len(headings) > _MAX_TITLES else "")
        findings.append(_reason("review", "headings-among-measures",
                                f"{len(headings)} 条措施读来像问题标题, 问题可能漏识: {quoted} "
                                f"({len(headings)} measures read as problem headings: problems may be missed)"))
    untitled = [p for p in problems if p.title is None and p.measures]
    if untitled:
        count = sum(len(p.measures) for p in untitled)
        findings.append(_reason("review", "measures-outside-problems",
                                f"{count} 条措施不在任何问题标题之下 ({count} measures outside any problem heading)"))
    return findings


def _disagreeing(report: Report) -> list[Declared]:
    """Declared counts kg.parse.counts found disagreeing at a level the report lists (once each).

    Not a reason: measure counts (a report's 197 整改措施 are its plan's tasks, which it rarely
    lists one for one, and the parser counts paragraphs or 一是… items), and a larger declared
    count of finer problems in a report that lists only one level of problems (Xi'an declares
    具体问题40项 and lists its 12 problems)."""
    flat = not any(p.problems for c in report.categories for p in c.problems)
    found: dict[tuple[str, int], Declared] = {}
    for item in report.declared:
        if item.found is None or item.compared_with is None or item.found == item.count:
            continue
        if item.compared_with.endswith("measures") or (item.compared_with in _SUB_LEVELS and flat
                                                        and item.found < item.count):
            continue
        found.setdefault((item.what, item.count), item)
    return list(found.values())


def _progress_sums(report: Report) -> list[Finding]:
    """A split of a declared total by state (31个具体问题,已完成22个、基本完成7个、未完成2个) that does not
    add up to it: the report contradicts itself, or a part was misread."""
    return [_reason("review", "progress-sum",
                    f"进度分项之和 {found} 与所称总数 {total} 不符: {'、'.join(p.quote for p in parts)} "
                    f"(the parts add up to {found}, not the declared {total})")
            for total, found, parts in sum_disagreements(report.progress)]


def _at_most_half(item: Declared) -> bool:
    """Found half of what the report declares, or less: what a text cut off in its list looks like
    (a whole report publishing 27 of its 31 problems does not)."""
    return item.found is not None and item.found * 2 <= item.count


def _mismatch(item: Declared) -> Finding:
    assert item.found is not None
    return _reason("review", "declared-mismatch", f"报告称“{item.text}”, 解析到 {item.found} "
                                                  f"(declares {item.count}, found {item.found} {item.compared_with})")


def _cut_short(report: Report, shortfall: bool) -> list[Finding]:
    """The parser's truncation warnings. Text ending mid-sentence is cut short; a missing
    signature date alone only may be (some pages leave it out), unless the report also lists at
    most half of the categories, problems or statuses it declares."""
    findings: list[Finding] = []
    for warning in report.warnings:
        if "truncated" not in warning:
            continue
        if "signature" in warning and shortfall:
            findings.append(_reason("incomplete", "no-signature", f"{warning}; 所列不到所声明的一半 "
                                                                 f"(and it lists at most half of what it declares)"))
        elif "signature" in warning:
            findings.append(_reason("review", "no-signature", warning))
        else:
            findings.append(_reason("incomplete", "cut-short", warning))
    return findings


def _metadata(report: Report) -> list[Finding]:
    """Facts every report states that the graph keys on: the period, and the region of a committee
    that governs one (a university's, an enterprise's or a hospital's 党委, a bureau's 党组 or a
    zone's 党工委 may have none: the graph names those by their name)."""
    findings: list[Finding] = []
    kind = report.committee.kind
    if report.committee.region.code is None and (kind is None or kind in TERRITORIAL_KINDS):
        findings.append(_reason("review", "no-region", "未识别出党组织所在行政区 (no region found for the committee)"))
    if report.inspection.start is None and report.inspection.end is None:
        findings.append(_reason("review", "no-inspection-dates", "未找到巡视/巡察起止日期 (no inspection dates found)"))
    return findings
