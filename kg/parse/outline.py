"""Outline: numbered lines become a tree, levels decided by sequence continuity.

No depth is fixed per marker style. A marker continues the open list of its style
whose last value it follows (二 after 一), starts a nested list when it is a first
value (一, 1, ①), or continues a numbering that runs on across parents ((5) after a
closed (1)…(4)). Anything else is running text, not a heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.parse.numerals import CIRCLED, roman, to_int

_CN = "一二三四五六七八九十百零"
DECIMAL = "1.1"  # the style of decimal numbering; a list's style names its major number (3.1 for 3.1, 3.2…)
_DECIMAL_LIST_RE = re.compile(r"\d{1,2}\.1")
# (style, pattern). The value is group 1. Order matters: longer forms first.
MARKER_STYLES: list[tuple[str, re.Pattern[str]]] = [
    ("(一)", re.compile(rf"\(\s*([{_CN}]{{1,5}})\s*\)\s*")),
    ("【一】", re.compile(rf"【([{_CN}]{{1,5}})】\s*")),
    ("一、", re.compile(rf"([{_CN}]{{1,5}})\s*(?:、|\.(?![\d.]))\s*")),  # 一. and 一． (NFKC) as copies write 一、
    ("第一,", re.compile(rf"第([{_CN}]{{1,3}})(?:(?:部分|方面)\s*[,、:]?|\s*[,、:])\s*")),  # 第一, 第二部分, 第三方面:
    ("〈一〉", re.compile(rf"[〈‹<]([{_CN}]{{1,3}})[〉›>]\s*")),
    # a labelled ordinal: "问题1:", "问题一:", "反馈问题3、", "【问题一】", "第一个问题:" (the label names what is numbered)
    ("问题1", re.compile(r"(?:反馈)?问题\s*(\d{1,3})\s*[:.、]\s*")),
    ("问题一", re.compile(rf"(?:反馈)?问题\s*([{_CN}]{{1,5}})\s*[:、]\s*")),
    ("【问题一】", re.compile(rf"【(?:反馈)?问题\s*([{_CN}\d]{{1,5}})】\s*[:、]?\s*")),
    ("第一个问题", re.compile(rf"第([{_CN}\d]{{1,3}})个问题\s*[:、]?\s*")),
    ("(1)", re.compile(r"\(\s*(\d{1,3})\s*\)\s*")),
    # decimal numbering, 3.1 3.2 … under the third part: one list for each major number; not 2.5亿元
    (DECIMAL, re.compile(r"(?P<major>\d{1,2})\.(\d{1,2})(?![\d万亿千百元%‰个项人次件家倍年月日天名户条])\s*")),
    ("1)", re.compile(r"(\d{1,3})\)\s*")),
    ("1.", re.compile(r"(\d{1,3})(?:\s?\.(?!\d)\s*|\.(?=(?:19|20)\d\d年))")),  # 3.2020年…: an item opening on a year
    ("1、", re.compile(r"(\d{1,3})\s*、\s*")),
    ("①", re.compile(rf"([{CIRCLED}])\s*")),
    ("I、", re.compile(r"([IVX]{1,4})\s*[、.]\s*(?=[^\x00-\x7f])")),  # Ⅰ、Ⅱ、 (NFKC makes them Latin letters)
]
# A heading sharing its line with the first heading of a nested list: "(一)关于…方面 1.关于…问题".
# Only first values (or run-on values) of the unambiguous styles, after a short title with no sentence inside it.
_INNER_RE = re.compile(r"(?<=[^\d\s(])\s*(?=\((?:[一二三四五六七八九十]{1,3}|\d{1,3})\)|【[一二三四五六七八九十]{1,3}】|\d{1,3}\.(?!\d)"
                       r"|(?:反馈)?问题(?:\d{1,3}|[一二三四五六七八九十]{1,3})[:、])")
MAX_INNER_TITLE = 60
_LONG_NUMBER_RE = re.compile(r"\(?\d{4,}[.、)]\s*(?!\d)[\u4e00-\u9fff]")
MAX_GAP = 2  # a skipped number or two is tolerated (and reported), a larger jump is not a heading
UNNUMBERED = "关于…"  # the style of headings written without a number (kg.parse.structure finds them)


@dataclass
class Marker:
    style: str
    value: int
    start: int
    end: int

    @property
    def label(self) -> str:
        if self.style == UNNUMBERED:
            return ""
        if self.style.startswith(BULLET):
            return self.style[len(BULLET):]
        if _DECIMAL_LIST_RE.fullmatch(self.style):  # decimal numbering: the list 3.1 labels 3.1, 3.2…
            return f"{self.style[:-1]}{self.value}"
        if self.style == "①":
            return CIRCLED[self.value - 1]
        if self.style == "I、":
            return f"{roman(self.value)}、"
        if "一" in self.style:
            return self.style.replace("一", _num_cn(self.value))
        return self.style.replace("1", str(self.value))


def _num_cn(value: int) -> str:
    if value >= 100:
        import cn2an  # slow to import: only numbers from 100 on need it

        numeral: str = cn2an.an2cn(value)
        return numeral
    if value <= 10:
        return "零一二三四五六七八九十"[value]
    tens, ones = divmod(value, 10)
    return ("" if tens == 1 else "零一二三四五六七八九"[tens]) + "十" + ("" if ones == 0 else "零一二三四五六七八九"[ones])


@dataclass
class Node:
    """One numbered line (or the root). ``head`` is the text after its marker(s) on its line."""

    marker: Marker | None
    head_start: int
    head_end: int
    line_end: int
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    paragraphs: list[tuple[int, int]] = field(default_factory=list)
    end: int = 0  # end of everything this node owns (its subtree), set after building

    @property
    def style(self) -> str | None:
        return self.marker.style if self.marker else None

    @property
    def value(self) -> int:
        return self.marker.value if self.marker else 0

    def depth(self) -> int:
        return 0 if self.parent is None else self.parent.depth() + 1

    def walk(self) -> list[Node]:
        out = [self]
        for child in self.children:
            out.extend(child.walk())
        return out


@dataclass
class Outline:
    text: str
    root: Node
    warnings: list[str] = field(default_factory=list)


BULLETS = "■□◆◇●○▶►▪◼♦•"  # headings marked by a glyph, not a number: siblings are the lines with the same glyph
BULLET = "•"  # the style prefix of a bullet list: •■, •◆…


def leading_markers(text: str, pos: int, end: int) -> list[Marker]:
    """Markers at the start of a line, e.g. "1.(1)" gives two. A bullet glyph before a number (◆一、) is only
    decoration; a bullet before text is a marker of its own, numbered by its place in its list (see _Builder)."""
    markers: list[Marker] = []
    if pos < end and text[pos] in BULLETS:
        after = pos + 1
        while after < end and text[after] == " ":
            after += 1
        if _numbered_at(text, after, end):
            pos = after
        elif after < end:
            return [Marker(BULLET + text[pos], 0, pos, after)]
    while pos < end:
        for style, pattern in MARKER_STYLES:
            match = pattern.match(text, pos, end)
            if not match:
                continue
            value = to_int(match.group(2) if style == DECIMAL else match.group(1))
            if value is None or value < 1:
                continue
            named = f"{int(match.group('major'))}.1" if style == DECIMAL else style
            markers.append(Marker(named, value, match.start(), match.end()))
            pos = match.end()
            break
        else:
            break
    return markers


_NEXT_STEPS_OPEN_RE = re.compile(r"(?:下一步|下步|今后|接下来)\s*[,:]")


def _before_closing_words(text: str, limit: int) -> int:
    """Where the list ends when an unnumbered paragraph after its last numbered line opens with the next steps
    (下一步,县委将…): that paragraph closes the report, it is no text of the last item."""
    lines = text[:limit].split("\n")
    pos = limit
    for line in reversed(lines):
        pos -= len(line) + 1
        if leading_markers(line, 0, len(line)):
            return limit
        if _NEXT_STEPS_OPEN_RE.match(line):
            return min(limit, max(pos + 1, 0))
    return limit


def _numbered_at(text: str, pos: int, end: int) -> bool:
    return any(pattern.match(text, pos, end) for _, pattern in MARKER_STYLES)


def build_outline(text: str, limit: int | None = None) -> Outline:
    """Build the heading tree of a canonical report text (one paragraph per line).

    Lines from ``limit`` on (the closing: contact details, signature, date) stay out.
    """
    limit = _before_closing_words(text, len(text) if limit is None else limit)
    root = Node(marker=None, head_start=0, head_end=0, line_end=0)
    outline = Outline(text=text, root=root)
    builder = _Builder(outline)
    pos = 0
    for line in text.split("\n"):
        if pos >= limit:
            break
        builder.add_line(pos, pos + len(line))
        pos += len(line) + 1
    _close_ends(root, min(limit, len(text)))
    return outline


class _Builder:
    def __init__(self, outline: Outline) -> None:
        self.outline = outline
        self.stack: list[Node] = [outline.root]
        self.closed_last: dict[tuple[str, int], int] = {}

    def add_line(self, start: int, end: int) -> None:
        text = self.outline.text
        if not self._add_segment(start, end):
            self.stack[-1].paragraphs.append((start, end))
            self._flag_unplaced(start, end)
            if _LONG_NUMBER_RE.match(text, start, end):
                self.outline.warnings.append(
                    f"编号过长未识别为标题 (a numbered line with four digits or more is read as text, offset {start})")

    def _flag_unplaced(self, start: int, end: int) -> None:
        """A numbered line of an open list's style that continues nothing is read as text:
        say so, so a numbering jump is never silently merged into the measure above."""
        markers = leading_markers(self.outline.text, start, end)
        if markers and any(n.style == markers[0].style for n in self.stack[1:]):
            self.outline.warnings.append(
                f"编号不连续, 按正文处理: {markers[0].label} (a numbered line continuing no list is read as "
                f"text, offset {start})")

    def _add_segment(self, start: int, end: int) -> bool:
        """Place the markers leading text[start:end]; a heading whose line goes on with the
        first heading of a nested list ends there, and that heading is placed too."""
        text = self.outline.text
        markers = leading_markers(text, start, end)
        placed_any = False
        for i, marker in enumerate(markers):
            head_start = marker.end
            if i + 1 < len(markers):
                head_start = head_end = marker.end  # an untitled level, e.g. "1." in "1.(1)…"
            else:
                head_end = end
            node = Node(marker=marker, head_start=head_start, head_end=head_end, line_end=end)
            if not self._place(node):
                break
            placed_any = True
            if i + 1 == len(markers):
                self._split_inner(node, end)
        return placed_any

    def _split_inner(self, node: Node, end: int) -> None:
        text = self.outline.text
        inner = _INNER_RE.search(text, node.head_start, min(end, node.head_start + MAX_INNER_TITLE + 1))
        if inner is None or inner.start() - node.head_start < 2:
            return
        title = text[node.head_start:inner.start()]
        if any(c in title[:-1] for c in "。;!?") or not any("\u4e00" <= c <= "\u9fff" for c in title):
            return
        marker_at = inner.end()
        styles = {n.style for n in self.stack[1:]}
        first = leading_markers(text, marker_at, end)
        if not first or first[0].style in styles or not (first[0].value == 1 or self._runs_on(first[0])):
            return
        node.head_end = inner.start()
        if not self._add_segment(marker_at, end):
            node.head_end = end

    def _place(self, node: Node) -> bool:
        marker = node.marker
        assert marker is not None
        same_style = [n for n in reversed(self.stack[1:]) if n.style == marker.style]
        if marker.style.startswith(BULLET):  # a bullet goes on the open list of its glyph, else opens one
            marker.value = same_style[0].value + 1 if same_style else 1
        for open_node in same_style:
            if marker.value == open_node.value + 1:
                self._attach_sibling(open_node, node)
                return True
        if same_style and marker.value == same_style[0].value and marker.value > 1 and self._heads_alike(node, same_style[0]):
            self.outline.warnings.append(f"编号重复: {marker.label} (a number given twice, offset {marker.start})")
            self._attach_sibling(same_style[0], node)  # a typo: 6. twice, then 7.
            return True
        if marker.value == 1:
            self._attach_child(self.stack[-1], node)
            return True
        parent = self.stack[-1]
        if self.closed_last.get((marker.style, parent.depth())) == marker.value - 1:
            self._attach_child(parent, node)
            return True
        for open_node in same_style:
            if open_node.value < marker.value <= open_node.value + 1 + MAX_GAP:
                self.outline.warnings.append(
                    f"编号不连续: {open_node.marker.label if open_node.marker else ''} 之后是 {marker.label} "
                    f"(numbering gap at offset {marker.start})")
                self._attach_sibling(open_node, node)
                return True
        return False

    def _heads_alike(self, node: Node, other: Node) -> bool:
        """Two numbered lines opening alike (关于… and 关于…, 1.针对… and 1.针对…): a repeated number is the list
        going on, not a line of text that happens to start with a number."""
        text = self.outline.text
        return text[node.head_start:node.head_start + 2] == text[other.head_start:other.head_start + 2]

    def _runs_on(self, marker: Marker) -> bool:
        """The marker continues a numbering of its style closed under the current parent."""
        return self.closed_last.get((marker.style, self.stack[-1].depth())) == marker.value - 1

    def _attach_sibling(self, open_node: Node, node: Node) -> None:
        while self.stack[-1] is not open_node:
            self._pop()
        self._pop()
        self._attach_child(self.stack[-1], node)

    def _attach_child(self, parent: Node, node: Node) -> None:
        node.parent = parent
        parent.children.append(node)
        self.stack.append(node)

    def _pop(self) -> None:
        node = self.stack.pop()
        if node.parent is not None and node.marker is not None:
            self.closed_last[(node.marker.style, node.parent.depth())] = node.marker.value


def _close_ends(node: Node, end: int) -> None:
    """Set each node's end: where the next sibling (or the parent's end) begins."""
    node.end = end
    for i, child in enumerate(node.children):
        following = node.children[i + 1].marker if i + 1 < len(node.children) else None
        assert following is not None or i + 1 == len(node.children)  # every child of a node has its marker
        child_end = following.start if following is not None else end
        _close_ends(child, child_end)
