"""Recurrence: the round of this inspection, and the report's references to earlier ones.

Two facts let a reader ask whether the same problems come back. The round: the opening or title
names the dispatching committee's term and round (十二届市委第二轮巡视 -> term 12, round 2; 十四届第五轮).
The references: a report cites earlier inspections, audits, supervisions and campaigns as sources of
problems (2015年省委巡视反馈13个问题中8个未整改到位; 巡视、审计等监督发现问题; 主题教育检视问题;
2018年中央环保督察“回头看”转办信访件; 审计整改重视不够), often to say they were not fixed.

Rules are by class of wording: a source word (巡视/巡察, 审计, 督察, 主题教育) with what may stand before
it (a year, 上轮, a term and round, the dispatching body, an environmental domain, a quoted campaign
name) and a trigger after it that makes it a source of problems (发现/反馈/检视/指出/交办/转办 … 问题,
整改, “回头看”). Since this report's own inspection is also a 巡视/巡察 that 反馈 problems, an
inspection counts as earlier only with evidence: an earlier year, 上轮/历次…, another round, a list
with audits or campaigns (巡视、审计等监督发现问题), or the sentence saying its problems were not fixed.
Titles in 《》 are names of documents, not references. Linking a reference to the inspection it
names is left to the store (kg/queries/recurrences.rq), where the earlier reports are.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from kg.model import Inspection, Reference
from kg.parse.counts import sentence_of
from kg.parse.numerals import to_int

_CN = "一二三四五六七八九十"
_ROUND_RE = re.compile(rf"(?:([{_CN}\d]+)届)?[^第届\n]{{0,6}}?第([{_CN}\d]+)轮")
_TITLE_RE = re.compile(r"《[^《》\n]*》")
_SOURCE_RE = re.compile(r"巡视|巡察|审计|督察|主题教育")
_PREFIX_RE = re.compile(
    r"(?:(?P<year>(?:19|20)\d{2})年度?(?:至(?:19|20)\d{2}年)?)?"
    r"(?P<earlier>上一?轮|上一?次|前次|前一轮|历次|以往|往年)?"
    rf"(?:(?P<term>[{_CN}\d]+)届)?"
    r"(?P<by>中央|省委|自治区党委|市委|州委|区委|县委|旗委|各级|各类)?"
    rf"(?:第(?P<round>[{_CN}\d]+)轮)?"
    r"(?P<domain>(?:生态)?环(?:境)?保(?:护)?)?"
    r"(?P<name>“[^“”\n]{2,12}”)?$")
_TRIGGER_RE = re.compile(
    r"(?:机关|部门|局)?(?:审计)?"
    r"(?P<list>(?:[、和](?:审计|巡视|巡察|督察|主题教育))*(?:等(?:监督)?)?)"
    r"(?:(?P<follow>“回头看”|回头看)"
    r"|(?P<verb>检视发现|发现|反馈|检视|指出|交办|移交|转办|查摆)(?P<gap>[^,,;;。\n《“]{0,40}?)(?P<noun>问题|信访件)"
    r"|(?P<fix>整改)|(?P<bare>问题))")
_KINDS = {"巡视": "inspection", "巡察": "inspection", "审计": "audit", "督察": "supervision", "主题教育": "campaign"}
_NOT_FIXED_RE = re.compile(r"未整改到位|整改不到位|未整改|不彻底|有欠缺|重视不够|仍未完成|未完成整改|逾期|不扎实|落实不到位|不到位")
_COUNTS_RE = re.compile(r"(\d+)\s*(?:个|项|件)(?:问题)?中(?:有)?(\d+)\s*(?:个|项|件)")
_OPEN_RE = re.compile(r"中[,,]?(?:目前)?(?:仍)?(?:有|尚有)(\d+)\s*(?:个|项|件)[^。;;]{0,12}?(?:未整改到位|未整改|未完成|仍未完成)")
_PREVIOUS = ("上轮", "上一轮", "上次", "上一次", "前次", "前一轮")  # the one before (历次, 以往: every earlier one)
_YEAR_BEFORE_RE = re.compile(r"((?:19|20)\d{2})年[^,,;;。\n]{0,24}$")
_PREFIX_WINDOW = 24
_LISTED_AFTER_RE = re.compile(r"和[^,,;;。\n]{0,16}?(?:审计|督察|主题教育)")


def inspection_round(inspection: Inspection) -> tuple[int | None, int | None]:
    """Term (届) and round (轮) from the round as the opening or title writes it (十二届市委第二轮)."""
    match = _ROUND_RE.search(inspection.round or "")
    if match is None:
        return None, None
    return (to_int(match.group(1)) if match.group(1) else None), to_int(match.group(2))


def find_references(text: str, inspection: Inspection) -> list[Reference]:
    """References to earlier inspections, audits, supervisions and campaigns, in text order."""
    current_year = (inspection.start or inspection.feedback)
    year_now = current_year.year if current_year else None
    titles = [m.span() for m in _TITLE_RE.finditer(text)]
    out: list[Reference] = []
    for source in _SOURCE_RE.finditer(text):
        if _in_title(titles, source.start()) or _covered(out, source.start()):
            continue
        reference = _reference(text, source, year_now, inspection)
        if reference is not None:
            out.append(reference)
    return out


def _in_title(titles: list[tuple[int, int]], at: int) -> bool:
    """Whether ``at`` lies inside one of ``titles`` (in order, not overlapping): only the last one opening
    before ``at`` can hold it, found by bisection instead of a scan of every title per source word."""
    i = bisect_left(titles, (at,)) - 1
    return i >= 0 and titles[i][0] < at < titles[i][1]


def _reference(text: str, source: re.Match[str], year_now: int | None, inspection: Inspection) -> Reference | None:
    kind = _KINDS[source.group(0)]
    trigger = _TRIGGER_RE.match(text, source.end())
    if trigger is None or (kind == "inspection" and (trigger.group("fix") or trigger.group("bare"))):
        return None  # 巡视整改 is this report's own rectification
    window = text[max(0, source.start() - _PREFIX_WINDOW):source.start()]
    prefix = _PREFIX_RE.search(window)
    assert prefix is not None  # every part is optional: at worst it matches empty at the end
    start = source.start() - len(prefix.group(0))
    end = trigger.end()
    sentence = sentence_of(text, start, end)
    said = text[sentence[0]:sentence[1]]
    year = int(prefix.group("year")) if prefix.group("year") else _year_before(text, sentence[0], start)
    term, rnd = (to_int(prefix.group("term")) if prefix.group("term") else None,
                 to_int(prefix.group("round")) if prefix.group("round") else None)
    not_fixed = bool(_NOT_FIXED_RE.search(said))
    if kind == "inspection" and not _earlier(prefix, trigger, text, end, year, year_now, term, rnd,
                                             inspection, not_fixed):
        return None
    by = prefix.group("by") if prefix.group("by") not in (None, "各级", "各类") else None
    counts = _COUNTS_RE.search(text, end - len(trigger.group("gap") or "") - 4, sentence[1])
    total, open_count = (int(counts.group(1)), int(counts.group(2))) if counts and counts.start() < end + 4 else (None, None)
    if open_count is None:
        later = _OPEN_RE.search(text, end, sentence[1])
        open_count = int(later.group(1)) if later else None
    return Reference(kind=kind, quote=text[start:end], span=(start, end), sentence=sentence, year=year, by=by,
                     term=term, round_number=rnd, followup=bool(trigger.group("follow")),
                     previous=prefix.group("earlier") in _PREVIOUS, not_fixed=not_fixed,
                     total=total, open=open_count)


def _earlier(prefix: re.Match[str], trigger: re.Match[str], text: str, end: int, year: int | None,
             year_now: int | None, term: int | None, rnd: int | None, inspection: Inspection,
             not_fixed: bool) -> bool:
    """Evidence that an inspection named here is not this report's own."""
    if year is not None and year_now is not None:
        return year < year_now
    if prefix.group("earlier") or trigger.group("follow"):
        return True
    if rnd is not None and (term, rnd) != (inspection.term, inspection.round_number):
        return True
    listed = bool(trigger.group("list")) or bool(_LISTED_AFTER_RE.match(text[end:end + 20]))
    return listed or not_fixed


def _year_before(text: str, sentence_start: int, start: int) -> int | None:
    """A year written a few words before, in the same clause (针对2018年市纪委、…、市审计局发现…)."""
    match = _YEAR_BEFORE_RE.search(text, max(sentence_start, start - _PREFIX_WINDOW), start)
    return int(match.group(1)) if match else None


def _covered(found: list[Reference], at: int) -> bool:
    """A second source word inside a reference already read (各级审计机关审计发现问题)."""
    return bool(found) and found[-1].span[0] <= at < found[-1].span[1] and not _lists_another(found[-1], at)


def _lists_another(reference: Reference, at: int) -> bool:
    """巡视、审计等监督发现问题: the audit listed inside the inspection's reference is a reference too."""
    return reference.kind == "inspection"
