"""Roles in the outline: which headings are categories, problems and sub-problems,
and which text under a problem is a rectification measure.

The rules look at shapes, not at fixed depths: a heading is a line that owns text
or headings below it; the parts that carry problems are the ones whose headings read
like problems (关于…问题/方面, 不到位, 不足…, or a status tag); inside them the deepest
headings hold the measures, and a second heading level above them makes categories.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.model import Category, Measure, Problem, Span
from kg.parse.numerals import CIRCLED, to_int
from kg.parse.outline import Node, Outline

STATUS_WORDS = "已完成|基本完成|未完成|已整改|整改中|正在整改|持续整改|持续推进|正在推进|长期坚持|阶段性|已办结|已销号|已落实|部分完成|完成"
STATUS_RE = re.compile(rf"[(【\[]\s*((?:{STATUS_WORDS})[^()【】\[\]]{{0,8}}?)\s*[)】\]]")
_STATUS_LINE_RE = re.compile(rf"\s*(?:整改|完成)(?:情况|进度|进展|状态)\s*:\s*((?:{STATUS_WORDS})[^,。;\n]{{0,4}}?)(?=[。;,\n]|$)")
_LABEL_RE = re.compile(r"([^,。;:!?\n]{0,12}(?:整改|措施|落实情况|进展情况|完成情况|成效|具体做法)[^,。;:!?\n]{0,6}):")
_XSHI_RE = re.compile(r"(?:^|(?<=[。;:!?,\n]))\s*([一二三四五六七八九十]{1,3})是", re.M)
_CIRCLED_RE = re.compile(rf"(?:^|(?<=[。;:!?,\n]))\s*([{CIRCLED}])", re.M)
_STRONG_PROBLEM_RE = re.compile(
    r"^(关于|针对).*(问题|方面|情况)|(”问题|等问题|方面|方面的问题|方面问题|问题的整改(落实)?(情况)?)$")
_NEGATIVE_RE = re.compile(
    r"不够|不到位|不足|不力|不严|不实|不强|不高|不明显|不突出|不彻底|不规范|不完善|不扎实|不深入|不及时|不精准|"
    r"不畅|不优|不佳|不适应|不合理|差距|欠缺|弱化|淡化|虚化|边缘化|缺失|缺位|短板|弱项|薄弱|滞后|缓慢|欠佳|偏小|"
    r"较多|较少|多发|仍然存在|依然存在|仍有发生|时有发生|禁而未绝|推诿扯皮|不作为|乱作为|失守|失范|失职|风险|隐患|"
    r"问题突出|存在.{0,6}问题|有偏差|落实难|难以|乏力|粗放|懈怠|松懈|宽松软|走过场")
_NEXT_STEPS_RE = re.compile(r"下一步|今后|工作打算|努力方向|下步|后续工作|持续深化整改")
_SENTENCE_END = "。!?;"
MAX_HEADING_CHARS = 100


@dataclass
class Head:
    """A node's own line split into title, status tag and inline rest."""

    title: Span | None
    status: str | None
    status_span: Span | None
    rest: int  # offset where inline content after the title starts (== line end when none)


def split_head(text: str, node: Node) -> Head:
    """Title = the line up to an inline label/一是 (or the whole line), minus a status tag."""
    start, end = node.head_start, node.head_end
    if start >= end:
        return Head(None, None, None, end)
    line = text[start:end]
    cut = len(line)
    label = _LABEL_RE.search(line)
    if label and label.start() > 0 and line[label.start() - 1] in _SENTENCE_END + ",":
        cut = label.start()
    first = _first_marker(line, _XSHI_RE, "一")
    if first is not None and first > 0:
        cut = min(cut, first)
    status, status_span, title_limit = None, None, cut
    for match in STATUS_RE.finditer(line, 0, cut):
        if not line[match.end():cut].strip(" 。.;,"):
            status = match.group(1).strip()
            status_span = (start + match.start(1), start + match.start(1) + len(status))
            title_limit = match.start()
            break
    title_end = title_limit
    while title_end > 0 and line[title_end - 1] in " .,:" + _SENTENCE_END:
        title_end -= 1
    title = (start, start + title_end) if title_end > 0 else None
    rest = start + cut if cut < len(line) else end
    return Head(title, status, status_span, rest)


def _first_marker(line: str, pattern: re.Pattern[str], first_value: str) -> int | None:
    for match in pattern.finditer(line):
        if match.group(1) == first_value:
            return match.start(1)
    return None


def problem_like(title: str) -> bool:
    return bool(_STRONG_PROBLEM_RE.search(title) or _NEGATIVE_RE.search(title))


class Roles:
    """Heading/item decisions and the problem tree for one outline."""

    def __init__(self, outline: Outline) -> None:
        self.outline = outline
        self.text = outline.text
        self.heads: dict[int, Head] = {}
        self._heading: dict[int, bool] = {}

    def head(self, node: Node) -> Head:
        key = id(node)
        if key not in self.heads:
            self.heads[key] = split_head(self.text, node)
        return self.heads[key]

    def title(self, node: Node) -> str:
        span = self.head(node).title
        return self.text[span[0]:span[1]] if span else ""

    def is_heading(self, node: Node) -> bool:
        key = id(node)
        if key not in self._heading:
            self._heading[key] = self._decide_heading(node)
        return self._heading[key]

    def _decide_heading(self, node: Node) -> bool:
        """A node shares the role of most of its list (siblings of the same style)."""
        siblings = [n for n in node.parent.children if n.style == node.style] if node.parent else [node]
        if len(siblings) < 3 or any(self._own_heading_children(n) for n in siblings):
            return self._decide_alone(node)
        votes = sum(self._decide_alone(n) for n in siblings)
        if votes * 2 == len(siblings):
            return self._decide_alone(node)
        return votes * 2 > len(siblings)

    def _own_heading_children(self, node: Node) -> bool:
        return any(self.is_heading(child) for child in node.children)

    def _decide_alone(self, node: Node) -> bool:
        head = self.head(node)
        title = self.title(node)
        if node.head_start >= node.head_end:  # untitled level such as "1." in "1.(1)…"
            return bool(node.children)
        if any(self.is_heading(child) for child in node.children):
            return True
        short = len(title) <= MAX_HEADING_CHARS
        inline_rest = head.rest < node.head_end
        if (node.paragraphs or node.children) and short and not inline_rest:
            return True
        if head.status is not None:
            return True
        if inline_rest and problem_like(title) and _STRONG_PROBLEM_RE.search(title):
            return True
        return False

    def problem_roots(self) -> list[Node]:
        """The top nodes of the problem tree: categories, or problems when there are none."""
        roots: list[Node] = []
        for part in self.outline.root.children:
            title = self.title(part)
            if _NEXT_STEPS_RE.search(title) or not self.is_heading(part):
                continue
            if problem_like(title):
                roots.append(part)
                continue
            headings = [c for c in part.children if self.is_heading(c)]
            if headings and self._mostly_problems(headings):
                roots.extend(headings)
        return roots

    def _mostly_problems(self, headings: list[Node]) -> bool:
        leaves = [n for h in headings for n in h.walk() if self.is_heading(n)]
        hits = sum(1 for n in leaves if problem_like(self.title(n)) or self.head(n).status)
        return hits * 2 >= len(leaves)

    def heading_children(self, node: Node) -> list[Node]:
        return [c for c in node.children if self.is_heading(c)]


def build_categories(roles: Roles) -> tuple[list[Category], list[tuple[int, int]]]:
    """The category → problem → sub-problem tree, and the text ranges it covers."""
    roots = roles.problem_roots()
    covered = [(roots[0].marker.start if roots[0].marker else 0, roots[-1].end)] if roots else []
    if not roots:
        return [], covered
    has_two_levels = any(roles.heading_children(r) for r in roots)
    if not has_two_levels:
        return [Category(title=None, span=None, problems=[_problem(roles, r) for r in roots])], covered
    categories: list[Category] = []
    for root in roots:
        head = roles.head(root)
        problems = [_problem(roles, n) for n in roles.heading_children(root)]
        if not problems:  # a category without sub-headings is itself one problem
            problems = [_problem(roles, root)]
        categories.append(Category(title=roles.title(root) or None, span=head.title, problems=problems,
                                   marker=root.marker.label if root.marker else None))
    return categories, covered


def _problem(roles: Roles, node: Node) -> Problem:
    head = roles.head(node)
    problem = Problem(title=roles.title(node) or None, span=head.title, status=head.status,
                      marker=node.marker.label if node.marker else None)
    sub = roles.heading_children(node)
    if sub:
        problem.problems = [_problem(roles, n) for n in sub]
        content_end = sub[0].marker.start if sub[0].marker else node.end
        items: list[Node] = []
    else:
        items = node.children
        content_end = items[0].marker.start if items else node.end
    lead_start = head.rest
    if problem.status is None:  # "整改情况:已完成" written under the heading
        tag = _STATUS_LINE_RE.match(roles.text, lead_start, content_end)
        if tag:
            problem.status = tag.group(1)
            lead_start = tag.end()
    measures, lead = extract_measures(roles.text, lead_start, content_end, items, roles)
    problem.measures = measures
    if lead:
        problem.lead_span = lead
        problem.lead = roles.text[lead[0]:lead[1]]
    return problem


def extract_measures(text: str, start: int, end: int, items: list[Node],
                     roles: Roles) -> tuple[list[Measure], Span | None]:
    """Measures in text[start:end] plus numbered item nodes; returns (measures, lead span)."""
    start = _skip_label(text, start, end)
    if items:
        measures = [_measure(text, item.marker.end if item.marker else item.head_start, item.end,
                             item.marker.label if item.marker else None) for item in items]
        return [m for m in measures if m], _trim(text, start, end)
    for pattern in (_XSHI_RE, _CIRCLED_RE):
        found = _sequence(text, start, end, pattern)
        if found:
            measures = []
            for i, (marker_start, marker_end, label) in enumerate(found):
                item_end = found[i + 1][0] if i + 1 < len(found) else end
                measure = _measure(text, marker_end, item_end, label)
                if measure:
                    measures.append(measure)
            return measures, _trim(text, start, found[0][0])
    measures = []
    pos = start
    for paragraph in text[start:end].split("\n"):
        p_start = _skip_label(text, pos, pos + len(paragraph))
        measure = _measure(text, p_start, pos + len(paragraph), None)
        if measure:
            measures.append(measure)
        pos += len(paragraph) + 1
    return measures, None


def _sequence(text: str, start: int, end: int, pattern: re.Pattern[str]) -> list[tuple[int, int, str]]:
    """The run 一是, 二是, … (or ①, ②, …) in order.

    A run that restarts inside an item (一是 again within 三是) belongs to that item: its
    markers are consumed by the nested run. When the items so far each open a paragraph,
    a later item must open one too.
    """
    found: list[tuple[int, int, str]] = []
    expected, nested_expected = 1, 0
    line_mode = False
    for match in pattern.finditer(text, start, end):
        value = to_int(match.group(1))
        at_line_start = _opens_paragraph(text, start, match.start(1))
        if line_mode and at_line_start and value == expected:  # the outer run goes on at a paragraph start
            nested_expected = 0
        elif found and value == 1:
            nested_expected = 2
            continue
        elif nested_expected and value == nested_expected:
            nested_expected += 1
            continue
        if value != expected or (line_mode and not at_line_start):
            continue
        if expected == 2:
            line_mode = at_line_start and _opens_paragraph(text, start, found[0][0])
        found.append((match.start(1), match.end(), match.group(0).strip()))
        expected += 1
        nested_expected = 0
    return found


def _opens_paragraph(text: str, region_start: int, pos: int) -> bool:
    """True when only whitespace or a label stands between the line start and pos."""
    line_start = max(text.rfind("\n", 0, pos) + 1, region_start)
    before = text[line_start:pos].strip()
    return not before or bool(_LABEL_RE.fullmatch(before))


def _skip_label(text: str, start: int, end: int) -> int:
    while start < end and text[start] in " \n":
        start += 1
    match = _LABEL_RE.match(text, start, end)
    if match and match.start() == start:
        return match.end()
    return start


def _trim(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start] in " \n,;:。":
        start += 1
    while end > start and text[end - 1] in " \n":
        end -= 1
    return (start, end) if end > start and any("\u4e00" <= c <= "\u9fff" for c in text[start:end]) else None


def _measure(text: str, start: int, end: int, marker: str | None) -> Measure | None:
    while start < end and text[start] in " \n,;:、":
        start += 1
    while end > start and text[end - 1] in " \n;,":
        end -= 1
    if end <= start or not any("\u4e00" <= c <= "\u9fff" for c in text[start:end]):
        return None
    return Measure(text=text[start:end], span=(start, end), marker=marker)
