"""Parse one report: canonical text -> typed document model (kg.model.Report), the stages in order.

``parse_file`` reads and parses one file; ``parse_text`` parses text already in hand;
``parse_canonical`` parses text already cleaned. Stages, each in its own module: outline (numbered
lines -> tree), structure (roles: categories, problems, measures), table (problems listed as table rows),
listing (outline and tables -> the problem list, in the text's order), documents (《》 titles), entities
(committee, inspection, contact, organisations), counts (declared counts), progress (statuses and
open work), recurrence (rounds and earlier inspections), dates, region.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from kg import SCHEMA
from kg.exceptions import NoReportError
from kg.ingest import MAX_REPORT_CHARS, PAGE_DATE, PAGE_SITE, PAGE_TITLE, TITLE_RE, CanonicalText, canonicalize, read_report
from kg.model import Inspection, Quantity, Report, SourceInfo, Span
from kg.parse.counts import compare_declared, find_declared
from kg.parse.dates import parse_date_text
from kg.parse.documents import TitleMention, collect_documents, find_titles
from kg.parse.entities import bodies_in, committee_from, contact_from, find_closing, inspection_from, signature
from kg.parse.progress import find_progress, measure_status
from kg.parse.quality import judge
from kg.parse.quantities import concreteness, find_quantities, quantities_in
from kg.parse.recurrence import find_references, inspection_round
from kg.parse.listing import problem_list

_REPORT_WORDS = re.compile(r"巡视|巡察")
_ENDS_SENTENCE = tuple("。!?”)》…") + ("...",)


def parse_file(path: str | Path) -> Report:
    """Read and parse one report file; raises IngestError or NoReportError."""
    return parse_canonical(read_report(path))


def parse_text(text: str, path: str = "<text>") -> Report:
    """Parse report text given as a string (normalised and cut like a file)."""
    return parse_canonical(canonicalize(text, path=path))


def parse_canonical(source: CanonicalText) -> Report:
    text = source.text
    if len(text) > MAX_REPORT_CHARS:
        raise NoReportError(f"文本过长, 不是一份报告 (text too long for one report: {len(text):,} characters "
                            f"after cleaning, limit {MAX_REPORT_CHARS:,}; several reports in one file?)", source.path)
    if not _REPORT_WORDS.search(text) or "整改" not in text:
        raise NoReportError("未找到巡视/巡察整改报告 (no rectification report in this text)", source.path)
    report = Report(schema=SCHEMA, text=text, source=SourceInfo(
        path=source.path, sha256=source.sha256, encoding=source.encoding, chars=len(text), bytes=source.size,
        dropped_lines=len(source.dropped_lines), metadata=dict(source.metadata)))
    report.warnings.extend(source.warnings)
    report.title_span = _title_span(text)
    report.title = text[report.title_span[0]:report.title_span[1]] if report.title_span else None

    closing = find_closing(text)
    signed_span, signed_date = signature(text)
    report.signed = signed_date.date if signed_date else None
    intro = _intro_span(text, report.title_span)
    intro_text = text[intro[0]:intro[1]] if intro else ""
    report.committee, warnings = committee_from(text, signed_span, report.title_span, intro_text,
                                                _place_hints(source))
    report.warnings.extend(warnings)
    report.published = _published(source.metadata)
    if intro:
        report.inspection, warnings = inspection_from(text, intro, report.title, report.published)
        report.warnings.extend(warnings)
    else:
        report.warnings.append("未找到导语 (no introduction naming the inspection)")
    report.contact = contact_from(text, closing)

    report.categories, covered = problem_list(text, closing, report.warnings)
    if not report.categories:
        if not _states_inspection(report.inspection, intro_text):
            raise NoReportError("未找到巡视/巡察组和问题清单 (neither an inspection group nor a problem list)",
                                source.path)
        report.warnings.append("报告不完整: 未识别出问题清单 (cut short: no problem list found)")

    mentions = find_titles(text)
    report.documents = collect_documents(mentions)
    found = find_quantities(text)  # read once: the measures', the problems' and progress's numbers
    _link_measures(report, mentions, found)

    summary_end = covered[0][0] if covered else closing
    report.declared = find_declared(text, [(0, summary_end)])
    if report.categories:  # a text cut short before its list has nothing to compare the counts with
        report.warnings.extend(compare_declared(report.declared, report.categories))
    report.inspection.term, report.inspection.round_number = inspection_round(report.inspection)
    listed = (covered[0][0], covered[-1][1]) if covered else None
    report.progress = find_progress(text, report.declared, found, listed)
    report.references = find_references(text, report.inspection)
    report.warnings.extend(_truncation_warnings(text, signed_date is not None, closing, report.published))
    report.quality = judge(report)  # ok / review / incomplete, with the reasons (kg.parse.quality)
    return report


_INSPECTED_RE = re.compile(r"对.{2,60}?(?:进行|开展|实施)了?.{0,8}?(?:巡视|巡察)")


def _states_inspection(inspection: Inspection, intro: str) -> bool:
    """An opening or a page cut short is still a report when it says who inspected whom, or when."""
    return bool(inspection.group or inspection.start or _INSPECTED_RE.search(intro))


HEADER_HINTS = 6  # page lines dropped before the report that may name its place (阳朔县人民政府门户网站)


def _place_hints(source: CanonicalText) -> tuple[str, ...]:
    """Page values that may name the report's place: its source, publisher and site, and the page's header
    lines dropped before the report."""
    metadata = source.metadata
    page = tuple(metadata[key] for key in ("来源", "信息来源", "发布机构", PAGE_SITE, PAGE_TITLE) if metadata.get(key))
    return page + tuple(source.dropped_lines[:HEADER_HINTS])


def _title_span(text: str) -> Span | None:
    first = text.split("\n", 1)[0]
    if len(first) <= 80 and TITLE_RE.search(first):
        return (0, len(first))
    return None


def _intro_span(text: str, title: Span | None) -> Span | None:
    """The first paragraph that names the inspection (巡视/巡察), among the first few; a title line
    repeated under the title is not it. When the feedback is told in the next paragraph, that one too."""
    pos = title[1] + 1 if title else 0
    first: Span | None = None
    for _ in range(4):
        end = text.find("\n", pos)
        end = len(text) if end == -1 else end
        if _REPORT_WORDS.search(text, pos, end) and end - pos > 20 and not _is_title_line(text[pos:end]):
            if _TELLS_WHEN_RE.search(text, pos, end):  # a lead-in (现将…公布如下) tells no group and no date
                return (pos, _with_feedback_paragraph(text, pos, end))
            first = first or (pos, end)
        if end >= len(text):
            break
        pos = end + 1
    return (first[0], _with_feedback_paragraph(text, *first)) if first else None


_TELLS_WHEN_RE = re.compile(r"(?:巡视|巡察)(?:[一二三四五六七八九十\d]+)?组|\d+\s*月|[一二三四五六七八九十]+月")


_MARKER_START_RE = re.compile(r"^(?:[一二三四五六七八九十]+、|\(|（|\d+[.、]|第[一二三四五六七八九十]+)")


def _is_title_line(line: str) -> bool:
    return len(line) <= 80 and "。" not in line and "," not in line and bool(TITLE_RE.search(line))


def _with_feedback_paragraph(text: str, start: int, end: int) -> int:
    """The end of the introduction: the next paragraph when it tells the feedback the first one lacks."""
    if "反馈" in text[start:end] or end >= len(text):
        return end
    after = text.find("\n", end + 1)
    after = len(text) if after == -1 else after
    line = text[end + 1:after]
    if "反馈" in line and len(line) <= 200 and not _MARKER_START_RE.match(line):
        return after
    return end


def _published(metadata: dict[str, str]) -> dt.date | None:
    for key in ("发布时间", "发布日期", "信息时间", "发稿时间", "发表时间", "发文日期", "日期", "时间", PAGE_DATE):
        if key in metadata:
            value = parse_date_text(metadata[key])
            if value:
                return value
    return None


def _link_measures(report: Report, mentions: list[TitleMention], found: list[Quantity]) -> None:
    """Give each measure the documents mentioned inside it and the organisations it names."""
    for measure in report.iter_measures():
        start, end = measure.span
        titles = [m.title for m in mentions if start <= m.outer[0] and m.outer[1] <= end]
        measure.documents = list(dict.fromkeys(titles))
        measure.bodies = bodies_in(report.text, start, end)
        measure.organizations = [body.name for body in measure.bodies]
        measure.quantities = quantities_in(report.text, start, end, found)
        measure.concrete_reasons = concreteness(measure.text, measure.quantities, measure.documents,
                                                measure.organizations)
        measure.concreteness = len(measure.concrete_reasons)
        measure.status = measure_status(measure.text)
    for problem in report.iter_problems():
        problem.quantities = [q for span in (problem.span, problem.lead_span) if span is not None
                              for q in quantities_in(report.text, *span, found)]


def _truncation_warnings(text: str, signed: bool, closing: int, published: dt.date | None) -> list[str]:
    """A report without its signature's date may be cut short; one whose page dates it and whose text ends with
    its closing block (欢迎…监督, the contact lines) is whole, as pages that leave the signature out are."""
    warnings: list[str] = []
    if not signed and published is not None and closing < len(text):
        warnings.append("没有落款日期, 以网页发布日期为准 (no signature date; the page's publication date stands)")
    elif not signed:
        warnings.append("报告可能不完整: 没有落款日期 (possibly truncated: no signature date)")
    if not text.rstrip().endswith(_ENDS_SENTENCE) and closing >= len(text):
        warnings.append("报告在句中截断 (truncated: the text ends mid-sentence)")
    return warnings
