"""Roles in the outline: which headings are categories, problems and sub-problems,
and which text under a problem is a rectification measure.

The rules look at structure, not at fixed depths or wording: a heading is a line that
owns text or headings below it (or titles a 一是… run on its own line); siblings of one
numbering style share one role. The part that carries the problem list is the top-level
part whose leaf headings own the most measure text (runs of 一是…, numbered items,
paragraphs), read either as a wrapper (its headings are categories or problems) or, with
its alike neighbours (same numbering below, a shared leaf style), as top-level categories;
the report's declared counts decide between readings, and problem-like wording (关于…问题,
不到位…) is only a tie-breaker. Inside the list the deepest headings hold the measures, and
a second heading level above them makes categories.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from kg.model import Category, Measure, Problem, Span
from kg.parse.numerals import CIRCLED, to_int
from kg.parse.outline import UNNUMBERED, Marker, Node, Outline

STATUS_WORDS = ("已完成|基本完成|未完成|已整改|整改中|正在整改|持续整改|持续推进|正在推进|序时推进|长期坚持|阶段性|已办结|基本办结|"
                "已销号|已落实|部分完成|完成")
STATUS_RE = re.compile(rf"[(【\[]\s*((?:{STATUS_WORDS})[^()【】\[\]]{{0,8}}?)\s*[)】\]]")
_STATUS_LINE_RE = re.compile(rf"\s*(?:整改|完成)(?:情况|进度|进展|状态)\s*:\s*((?:{STATUS_WORDS})[^,。;\n]{{0,4}}?)(?=[。;,\n]|$)")
_BARE_STATUS_RE = re.compile(rf"\s+((?:{STATUS_WORDS})[^\s()【】\[\]]{{0,4}}?)\s*$")  # "…问题  持续推进": after a gap
# who answers for a problem, in brackets after its title: (牵头单位:县委办;责任单位:各乡镇党委) is no part of the title
_DUTY_TAG_RE = re.compile(r"[(【\[]\s*(?:牵头|责任|主责|配合|协办|包抓|分管)[^()【】\[\]]{0,120}[)】\]]\s*[。.]?\s*$")
_LABEL_RE = re.compile(r"([^,。;:!?\n]{0,12}(?:整改|措施|落实情况|进展情况|完成情况|成效|具体做法)[^,。;:!?\n]{0,6}):")
# …问题一是…, 我们一是…, 区委一是…: no stop between a problem or the body acting and its run
_XSHI_RE = re.compile(r"(?:^|(?<=[。;:!?,\s|】们委组局司校府院厅])|(?<=问题))([一二三四五六七八九十]{1,3})是", re.M)
_CIRCLED_RE = re.compile(rf"(?:^|(?<=[。;:!?,\s|]))([{CIRCLED}])", re.M)  # a table's cell opens after | or a tab
# numbered items inside a paragraph (…;2.…;3.…, (1)…(2)…), after a sentence's or a clause's end only: not 2.5亿元
_CLAUSE_OPENS = r"(?<![^。;:!?,\s|])"  # at a text's start or after a clause's end, a space, a tab or a table's |
_INLINE_DOT_RE = re.compile(rf"{_CLAUSE_OPENS}(\d{{1,2}})(?:\s?[.、](?![\d.])|\.(?=(?:19|20)\d\d年))")
_INLINE_PAREN_RE = re.compile(rf"{_CLAUSE_OPENS}\((\d{{1,2}})\)")
_QI_RE = re.compile(rf"{_CLAUSE_OPENS}其([一二三四五六七八九十]{{1,2}})(?=\s*[,:、])")  # 其一,…;其二,…
# 第一,…第二,… and 首先,…其次,…再次,…最后,… inside a paragraph: ordinals counting its measures (two at least)
_ORDINAL_RE = re.compile(rf"{_CLAUSE_OPENS}第([一二三四五六七八九十]{{1,2}})(?=\s*[,:、])")
_FIRSTLY_RE = re.compile(rf"{_CLAUSE_OPENS}(首先|其次|再次|最后)(?=\s*[,:、])")
_SEQUENCE_WORDS = {"首先": 1, "其次": 2, "再次": 3}  # 最后 closes a run at whatever place it comes
_RUN_PATTERNS = (_XSHI_RE, _CIRCLED_RE, _INLINE_DOT_RE, _INLINE_PAREN_RE, _QI_RE, _ORDINAL_RE, _FIRSTLY_RE)
_ONE_IS_A_RUN = (_XSHI_RE, _CIRCLED_RE)  # a lone 一是 or ① is a run; a lone 1. inside a paragraph is not
_STRONG_PROBLEM_RE = re.compile(
    r"^(关于|针对).*(问题|方面|情况)|(”问题|等问题|方面|方面的问题|方面问题|问题的整改(落实)?(情况)?)$")
_NEGATIVE_RE = re.compile(
    r"不够|不到位|不足|不力|不严|不实|不强|不高|不明显|不突出|不彻底|不规范|不完善|不扎实|不深入|不及时|不精准|"
    r"不畅|不优|不佳|不适应|不合理|差距|欠缺|弱化|淡化|虚化|边缘化|缺失|缺位|短板|弱项|薄弱|滞后|缓慢|欠佳|偏小|"
    r"较多|较少|多发|仍然存在|依然存在|仍有发生|时有发生|禁而未绝|推诿扯皮|不作为|乱作为|失守|失范|失职|风险|隐患|"
    r"问题突出|存在.{0,6}问题|有偏差|落实难|难以|乏力|粗放|懈怠|松懈|宽松软|走过场")
_DESCRIPTION_RE = re.compile(r"\s*(?:问题表现|具体表现|主要表现|表现形式|问题描述|存在问题|问题情况|具体问题|主要问题|"
                             r"(?:巡视|巡察|反馈)指出)\s*:")
_EXAMPLE_RE = re.compile(r"\s*(?:如|比如|例如|譬如|其中|主要表现|具体表现|表现在|表现为)")  # an example of the problem
_NEXT_STEPS_RE = re.compile(r"下一步|今后|工作打算|努力方向|下步|后续工作|持续深化整改")
_SENTENCE_END = "。!?;"
_GAP_RE = re.compile(r"(?<=\S)\s+(?=\S)")
MAX_HEADING_CHARS = 100
MAX_TITLE_BEFORE_RUN = 60  # a numbered measure may hold a nested run, but after a long sentence
MAX_UNNUMBERED_TITLE = 60  # a heading without a number is a short line


@dataclass
class Head:
    """A node's own line split into title, status tag and inline rest."""

    title: Span | None
    status: str | None
    status_span: Span | None
    rest: int  # offset where inline content after the title starts (== line end when none)


def promote_unnumbered_headings(outline: Outline) -> None:
    """Headings written without a number: in the text of a node without numbered children, two or more lines
    each shaped like a problem's title (关于“…”问题 on its own line, no sentence inside) and each followed by
    text become the node's children, each owning the paragraphs up to the next (reports that number only
    their categories)."""
    text = outline.text
    for node in outline.root.walk():
        if node.children or len(node.paragraphs) < 2:  # the root too: a report with no numbered heading at all
            continue
        title_ends = {i: cut for i, (start, end) in enumerate(node.paragraphs)
                      if (cut := unnumbered_title_end(text[start:end], loose=node.parent is None)) is not None}
        if not title_ends and not problem_like(text[node.head_start:node.head_end]):
            title_ends = _first_sentence_titles(text, node.paragraphs)  # a category's paragraphs, each a problem
        heads = sorted(title_ends)
        numbers = _run_numbers(text[node.paragraphs[i][0]:node.paragraphs[i][1]] for i in heads)
        if any(numbers) and numbers != list(range(1, len(heads) + 1)):
            continue  # a run's labels (一是, 二是…) number all the headings or none, in order
        carrying = {i for i in heads if _carries_its_measures(text, node.paragraphs[i], title_ends[i])}
        owning = [i for k, i in enumerate(heads) if i in carrying
                  or (i + 1 < len(node.paragraphs) and (k + 1 == len(heads) or heads[k + 1] > i + 1))]
        if len(heads) < 2 or owning != heads:
            continue
        paragraphs, node.paragraphs = node.paragraphs, node.paragraphs[:heads[0]]
        for k, i in enumerate(heads):
            start, end = paragraphs[i]
            label = problem_label_length(text[start:end])
            child = Node(marker=Marker(UNNUMBERED, k + 1, start, start + label), head_start=start + label,
                         head_end=start + title_ends[i], line_end=end, parent=node)
            child.paragraphs = paragraphs[i + 1:heads[k + 1] if k + 1 < len(heads) else len(paragraphs)]
            child.end = paragraphs[heads[k + 1]][0] if k + 1 < len(heads) else node.end
            node.children.append(child)


_UNNUMBERED_RE = re.compile(r"^(?:关于|针对).{2,}(?:问题|方面)(?:的?整改(?:落实)?(?:情况)?)?[。:]?$")


# 针对“…”的问题 opening a paragraph that goes on with a lead-in (…,区委采取以下措施推动整改。) or with its 一是…
_SENTENCE_HEAD_RE = re.compile(r"(?:关于|针对)(?:[^“”,。;:]|“[^”]{1,80}”){1,80}?的?问题(?=\s*[,:。]|\s*一是|$)")
# 一是关于…的问题。省委… (二是…, 三是…): paragraphs numbered by a run, each a problem's title and what was done
_RUN_LABEL_RE = re.compile(r"([一二三四五六七八九十]{1,3})是(?=关于|针对)")
_LEAD_IN_RE = re.compile(r"[^。]{0,30}(?:以下|如下|下列)[^。]{0,12}[。:]?")  # 区委采取以下措施推动整改。 具体情况如下:


_PROBLEM_LABEL_RE = re.compile(r"(?:【(?:问题|存在问题|反馈问题)】|(?:存在问题|反馈问题|问题)\s*:)\s*")  # 【问题】理论学习…


def problem_label_length(line: str) -> int:
    """The length of a label naming the line a problem (【问题】…, 反馈问题:…) or numbering it (一是关于…问题。), else 0."""
    label = _PROBLEM_LABEL_RE.match(line) or _RUN_LABEL_RE.match(line)
    return label.end() if label else 0


def _run_numbers(lines: Iterable[str]) -> list[int]:
    """The values of the run labels (一是, 二是…) opening the lines, 0 for a line without one."""
    return [(to_int(m.group(1)) or 0) if (m := _RUN_LABEL_RE.match(line)) else 0 for line in lines]


def unnumbered_title_end(line: str, loose: bool = False) -> int | None:
    """Where the title of a problem's unnumbered heading ends in its line: the whole line for 关于“…”问题 alone on
    it (see ``reads_as_heading``) or for 【问题】… (the label is no part of the title); the words up to 问题 for
    针对“…”的问题 followed by a lead-in sentence or by its own 一是…, and for 关于“…”问题 followed by : or 。 (or by
    a comma when ``loose``: in a text with no numbered heading); None for a line that is no such heading."""
    if reads_as_heading(line):
        return len(line)
    run = _RUN_LABEL_RE.match(line)
    if run:  # 一是关于…的问题。 and what was done: the sentence is the title, quoted or not
        head = _SENTENCE_HEAD_RE.match(line, run.end())
        ok = head and head.end() - run.end() <= MAX_UNNUMBERED_TITLE and line[head.end():head.end() + 1] in (":", "。")
        return head.end() if head and ok else None
    label = problem_label_length(line)
    if label and len(line) - label <= MAX_UNNUMBERED_TITLE and not any(c in line[:-1] for c in _SENTENCE_END):
        return len(line)  # 【问题】… on a line of its own
    head = _SENTENCE_HEAD_RE.match(line)
    if head is None or head.end() > MAX_UNNUMBERED_TITLE:
        return None
    if "“" in head.group(0) and line[head.end():head.end() + 1] in ((":", "。", ",") if loose else (":", "。")):
        return head.end()  # 关于“…”问题: or 。 opening a paragraph (or ",": in a text with no numbered heading)
    rest = line[head.end():].lstrip(" ,:。")
    return head.end() if not rest or _lead_in_length(rest) or rest.startswith("一是") else None


def _lead_in_length(paragraph: str) -> int:
    """The length of the lead-in sentence opening a paragraph (区委采取以下措施推动整改。, 具体情况如下:), else 0."""
    lead_in = _LEAD_IN_RE.match(paragraph)
    if lead_in is None or not (lead_in.end() == len(paragraph) or paragraph[lead_in.end() - 1] in "。:"):
        return 0
    return lead_in.end()


def _inside_brackets(line: str, pos: int) -> bool:
    """Whether line[pos] stands inside a bracket opened before it ((责任领导:局长 刘某某): a name's space)."""
    before = line[:pos]
    return before.count("(") > before.count(")") or before.count("【") > before.count("】")


MAX_FIRST_SENTENCE_TITLE = 40


def _first_sentence_titles(text: str, paragraphs: list[Span]) -> dict[int, int]:
    """Paragraphs that each open with a short sentence naming a problem (理论学习成果转化不够有力。一是…): where those
    sentences end, when every paragraph of the node so opens and goes on with its measures."""
    ends: dict[int, int] = {}
    for i, (start, end) in enumerate(paragraphs):
        stop = text.find("。", start, end)
        sentence = text[start:stop] if stop >= 0 else ""
        if not (4 <= len(sentence) <= MAX_FIRST_SENTENCE_TITLE and _NEGATIVE_RE.search(sentence)
                and text[stop + 1:end].strip() and not any(c in sentence for c in ":;")):
            return {}
        ends[i] = stop - start
    return ends


def _carries_its_measures(text: str, paragraph: Span, title_end: int) -> bool:
    """A heading sentence whose paragraph goes on, after any lead-in, with its measures (…的问题,一是…; …的问题,
    区委采取以下措施推动整改。区委常委会…)."""
    rest = text[paragraph[0] + title_end:paragraph[1]].lstrip(" ,:。")
    return bool(rest[_lead_in_length(rest):].strip())


def reads_as_heading(line: str) -> bool:
    """关于“…”问题 (…的整改情况) alone on its line, one short sentence at most: a problem's heading."""
    title = STATUS_RE.sub("", line).strip(" \u3000")
    return len(title) <= MAX_UNNUMBERED_TITLE and bool(_UNNUMBERED_RE.match(title)) \
        and not any(c in title[:-1] for c in _SENTENCE_END)


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
        head = _SENTENCE_HEAD_RE.match(line)  # 关于…的问题。针对这一问题,…补齐短板。一是…: the lead-in is no title
        if head and line[head.end():head.end() + 1] == "。" and head.end() + 1 < cut:
            cut = head.end() + 1
    status, status_span, title_limit = None, None, cut
    for match in STATUS_RE.finditer(line, 0, cut):
        if not line[match.end():cut].strip(" 。.;,"):
            status = match.group(1).strip()
            status_span = (start + match.start(1), start + match.start(1) + len(status))
            title_limit = match.start()
            break
    if status is None and (bare := _BARE_STATUS_RE.search(line, 0, cut)):  # a status word alone after a gap
        status = bare.group(1)
        status_span = (start + bare.start(1), start + bare.end(1))
        title_limit = bare.start()
    duty = _DUTY_TAG_RE.search(line, 0, title_limit) if line[:title_limit].rstrip(" 。.")[-1:] in ")】]" else None
    title_end = duty.start() if duty else title_limit
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


def _same_style(node: Node) -> list[Node]:
    """The node's list: its siblings of its numbering style, itself included."""
    return [n for n in node.parent.children if n.style == node.style] if node.parent else [node]


def problem_like(title: str) -> bool:
    return bool(_STRONG_PROBLEM_RE.search(title) or _NEGATIVE_RE.search(title))


@dataclass
class PartShape:
    """What a top-level part looks like: how deep its headings go and what its leaves own."""

    node: Node = field(repr=False)
    depth: int  # heading levels below the part (0: the part is itself a leaf)
    child_style: str | None  # marker style of the headings directly below (None: none)
    leaf_styles: frozenset[str | None]  # marker styles of its deepest headings
    leaves: int  # deepest headings (the part itself when it has none)
    runs: int  # leaves owning a marked run of measures (一是…, ①…, numbered items)
    measured: int  # leaves owning any text
    wording: int  # leaves whose titles read like problems (a tie-breaker only)
    titled_problem: bool  # the part's own title reads like a problem or category
    next_steps: bool  # the part's title names next steps (下一步, 今后…)

    @property
    def weight(self) -> int:
        return self.runs + self.measured


@dataclass
class Reading:
    """The chosen reading of the outline: which parts hold the problem list, and why.

    ``layout`` is "wrapper" (one part holds categories or problems), "parts" (top-level
    parts are themselves the categories or problems), "wording" (chosen by problem-like
    wording, no structural evidence) or "none". ``agree``/``disagree`` count the report's
    declared counts this reading matches or contradicts.
    """

    roots: list[Node]
    parts: list[Node] = field(default_factory=list)
    layout: str = "none"
    more: list[Node] = field(default_factory=list)  # further parts holding problem lists (选人用人专项检查…)
    agree: int = 0
    disagree: int = 0
    alternatives: int = 0

    def found(self) -> bool:
        return bool(self.roots)

    def summary(self, roles: Roles) -> dict[str, object]:
        """Plain data for a quality verdict: was a problem list found, in which parts, how read."""
        return {"found": self.found(), "layout": self.layout,
                "parts": [{"title": roles.title(p), "start": p.marker.start if p.marker else 0, "end": p.end}
                          for p in self.parts],
                "roots": len(self.roots), "declared_agree": self.agree, "declared_disagree": self.disagree,
                "alternatives": self.alternatives}


class Roles:
    """Heading/item decisions and the problem tree for one outline."""

    def __init__(self, outline: Outline) -> None:
        self.outline = outline
        self.text = outline.text
        self.heads: dict[int, Head] = {}
        self._heading: dict[int, bool] = {}
        self._by_sibling: set[int] = set()  # headings whose role comes from their siblings
        self._alone_memo: dict[int, bool] = {}
        self._share_memo: dict[int, bool] = {}
        self._shapes: dict[int, PartShape] = {}
        self._one_sentence_lists: dict[tuple[int, str | None], tuple[int, set[int]]] = {}
        self._heading_heads: dict[int, Head] = {}
        self._reading: Reading | None = None

    def head(self, node: Node) -> Head:
        key = id(node)
        if key not in self.heads:
            self.heads[key] = split_head(self.text, node)
        return self.heads[key]

    def heading_head(self, node: Node) -> Head:
        """The head of a heading: a heading by its siblings' role is titled by its first sentence."""
        key = id(node)
        if key in self._heading_heads:
            return self._heading_heads[key]
        head = self._heading_head(node)
        if key in self._heading:  # kept once its role is decided (a heading by its siblings' role is titled anew)
            self._heading_heads[key] = head
        return head

    def _heading_head(self, node: Node) -> Head:
        head = self.head(node)
        if (id(node) in self._by_sibling or self._among_one_sentence_headings(node)
                or self._problem_sentence_list(node)) and head.rest >= node.head_end:
            cut = self._sentence_cut(node)
            if cut is not None and (self._only_status_after(node, cut, head.status)
                                    or id(node) not in self._by_sibling and self._describes_problem(node, cut)):
                cut = None
            if cut is not None:
                title_end = cut
                while title_end > node.head_start and self.text[title_end - 1] in " 。":
                    title_end -= 1
                return Head((node.head_start, title_end), head.status, head.status_span, cut)
        return head

    def _only_status_after(self, node: Node, cut: int, status: str | None) -> bool:
        """What follows the first sentence is the status tag (…问题。(已完成), …问题  持续推进): one sentence."""
        rest = STATUS_RE.sub("", self.text[cut:node.head_end]).strip(" 。.;,")
        return not (rest.removesuffix(status) if status else rest).strip()

    def _describes_problem(self, node: Node, cut: int) -> bool:
        """The line goes on after its first sentence describing the problem (…不足。高端产业发展没有破题…,
        …缓慢。如2018年…): with an example, or with words of a problem after a title that is not a whole
        关于…问题 sentence. Then all of it is the title."""
        rest = self.text[cut:node.head_end]
        if _EXAMPLE_RE.match(rest):
            return True
        return problem_like(rest) and not _STRONG_PROBLEM_RE.search(self.text[node.head_start:cut].rstrip(" 。"))

    def _among_one_sentence_headings(self, node: Node) -> bool:
        """Most siblings of the node's numbering style own text and are titled by one sentence (their line is
        that sentence, or it goes on with a cue: 一是…, 整改情况:…): the node's line, going on after its first
        sentence with words that do not read as a problem, holds a title of that shape and then its first
        measure (``2.关于…不力的问题。修订《…办法》,…``)."""
        if node.parent is None:
            return False
        key = (id(node.parent), node.style)
        if key not in self._one_sentence_lists:  # once a list: every heading of it asks
            siblings = _same_style(node)
            self._one_sentence_lists[key] = (len(siblings), {id(n) for n in siblings if (
                n.paragraphs or n.children or self.head(n).rest < n.head_end) and self._one_sentence_title(n)})
        size, one_sentence = self._one_sentence_lists[key]
        others, alike = size - 1, len(one_sentence) - (id(node) in one_sentence)
        return others > 0 and alike * 2 > others

    def _one_sentence_title(self, node: Node) -> bool:
        span = self.head(node).title
        return span is not None and not any(c in self.text[span[0]:span[1]] for c in _SENTENCE_END)

    def title(self, node: Node) -> str:
        span = self.heading_head(node).title
        return self.text[span[0]:span[1]] if span else ""

    def is_heading(self, node: Node) -> bool:
        key = id(node)
        if key not in self._heading:
            self._heading[key] = self._decide_heading(node)
        return self._heading[key]

    def _decide_heading(self, node: Node) -> bool:
        """A node shares the role of most of its list (siblings of the same style).

        A node heading only because its siblings are (by vote, or beside siblings that own
        their 一是… runs) is titled by its first sentence when its line runs on.
        """
        siblings = _same_style(node)
        alone = self._alone(node)
        decided = alone
        if len(siblings) >= 3 and not any(self._own_heading_children(n) for n in siblings):
            votes = sum(1 for n in siblings if self._alone(n) or self._shares_role_with_run_owners(n, siblings))
            if votes * 2 != len(siblings):
                decided = votes * 2 > len(siblings)
        if not decided and self._shares_role_with_run_owners(node, siblings):
            decided = True
        if decided and not alone:
            self._by_sibling.add(id(node))
        return decided

    def _alone(self, node: Node) -> bool:
        key = id(node)
        if key not in self._alone_memo:
            self._alone_memo[key] = self._decide_alone(node)
        return self._alone_memo[key]

    def _shares_role_with_run_owners(self, node: Node, siblings: list[Node]) -> bool:
        """Siblings of one numbering style share one role: when a sibling is a heading that
        owns its own 一是… run, a sibling written as one sentence running straight into its
        measures (``(2)关于…等问题。紧密对接…``) is a heading too, titled by that sentence."""
        key = id(node)
        if key in self._share_memo:
            return self._share_memo[key]
        shares = False
        if len(siblings) >= 2 and node.head_start < node.head_end and self.head(node).rest >= node.head_end \
                and self._sentence_cut(node) is not None:
            shares = any(n is not node and self._alone(n) and not self._own_heading_children(n)
                         and self._xshi_run(n) for n in siblings)
        self._share_memo[key] = shares
        return shares

    def _xshi_run(self, node: Node) -> bool:
        start = self.head(node).rest
        end = node.children[0].marker.start if node.children and node.children[0].marker else node.end
        return len(_sequence(self.text, start, end, _XSHI_RE)) >= 2

    def _sentence_cut(self, node: Node) -> int | None:
        """Offset where the text after the first sentence of the node's line starts, when the
        line goes on after it: a sentence ends at 。 or at a gap of spaces (Chinese prose has none)."""
        line = self.text[node.head_start:node.head_end]
        stop = line.find("。")
        gap = next((g for g in _GAP_RE.finditer(line, 2) if not _inside_brackets(line, g.start())), None)
        if gap and (stop < 0 or gap.start() < stop):
            stop, after = gap.start(), gap.end()
        else:
            after = stop + 1
        if stop <= 0 or stop > MAX_HEADING_CHARS or not line[after:].strip():
            return None
        return node.head_start + after

    def _own_heading_children(self, node: Node) -> bool:
        return any(self.is_heading(child) for child in node.children)

    def _decide_alone(self, node: Node) -> bool:
        head = self.head(node)
        title = self.title(node)
        if node.head_start >= node.head_end:  # untitled level such as "1." in "1.(1)…"
            return bool(node.children)
        if node.style == UNNUMBERED:  # promoted as a problem's heading (promote_unnumbered_headings)
            return True
        if any(self.is_heading(child) for child in node.children):
            return True
        if node.style == "①" and not self._circled_problems(node):  # ①制定…: a measure and the paragraphs going on
            return False
        short = len(title) <= MAX_HEADING_CHARS
        inline_rest = head.rest < node.head_end
        owned = [p for p in node.paragraphs if not _status_paragraph(self.text[p[0]:p[1]])  # 整改状态:已完成 and
                 and not _DUTY_LINE_RE.match(self.text, p[0], p[1])]  # 责任单位:… are no text a heading owns
        if (owned or node.children) and short and not inline_rest:
            return True
        if head.status is not None and (node.paragraphs or node.children):
            return True  # a tagged line owning nothing is a measure with its own status (…12个。【已完成】)
        if inline_rest and problem_like(title) and _STRONG_PROBLEM_RE.search(title):
            return True
        if inline_rest and self._titles_a_run(node, title):
            return True
        return not inline_rest and self._problem_sentence_list(node)

    def _problem_sentence_list(self, node: Node) -> bool:
        """Most lines of the node's list (its siblings of its style) open with a sentence naming a problem and go
        on with what was done (1.关于干部队伍不强的问题。举办培训班5期…): each is a problem titled by that sentence."""
        siblings = _same_style(node) if node.parent is not None else [node]
        opening = [n for n in siblings if self._opens_with_problem_sentence(n)]
        return any(n is node for n in opening) and len(opening) * 2 > len(siblings)

    def _opens_with_problem_sentence(self, node: Node) -> bool:
        cut = self._sentence_cut(node)
        if cut is None or self.text[cut - 1] != "。":
            return False
        head = _SENTENCE_HEAD_RE.match(self.text, node.head_start, cut)
        return head is not None and head.end() == cut - 1 and head.end() - node.head_start <= MAX_UNNUMBERED_TITLE

    def _circled_problems(self, node: Node) -> bool:
        """Circled numbers count measures, unless one of the list reads as a problem (①…不够严格。): siblings
        share one role."""
        siblings = _same_style(node)
        titles = [self.text[span[0]:span[1]] for n in siblings if (span := self.head(n).title)]
        return any(problem_like(title) for title in titles)

    def _titles_a_run(self, node: Node, title: str) -> bool:
        """A short sentence followed on its line by a whole 一是/二是… run is a heading that
        owns those measures, whatever its wording (``1.加强…建设。一是…二是…``); a run of one
        (a lone 一是) counts too: a measure holding a nested run holds two items or more."""
        if len(title) > MAX_TITLE_BEFORE_RUN:
            return False
        rest = self.head(node).rest
        if self.text[rest - 1] not in _SENTENCE_END + ":, \u3000":  # a gap of spaces ends a sentence too
            return False
        end = node.children[0].marker.start if node.children and node.children[0].marker else node.end
        return len(_sequence(self.text, rest, end, _XSHI_RE)) >= 1

    def problem_roots(self) -> list[Node]:
        """The top nodes of the problem tree: categories, or problems when there are none."""
        return self.reading().roots

    def reading(self) -> Reading:
        """Which top-level parts carry the problem list, decided by structure (see choose_reading)."""
        if self._reading is None:
            self._reading = choose_reading(self)
        return self._reading

    def shape(self, part: Node) -> PartShape:
        """Structural profile of a top-level part: its heading depth, leaves and measure runs."""
        key = id(part)
        if key not in self._shapes:
            leaves = self.leaf_headings(part) or [part]
            self._shapes[key] = PartShape(
                node=part, depth=self.heading_depth(part), leaves=len(leaves),
                child_style=next((c.style for c in self.heading_children(part)), None),
                leaf_styles=frozenset(leaf.style for leaf in leaves),
                runs=sum(1 for leaf in leaves if self.owns_run(leaf)),
                measured=sum(1 for leaf in leaves if self.owns_text(leaf)),
                wording=sum(1 for leaf in leaves if self._reads_like_problem(leaf)),
                titled_problem=self._reads_like_problem(part),
                next_steps=bool(_NEXT_STEPS_RE.search(self.title(part))))
        return self._shapes[key]

    def _reads_like_problem(self, node: Node) -> bool:
        return problem_like(self.title(node)) or self.head(node).status is not None

    def leaf_headings(self, node: Node) -> list[Node]:
        """The deepest headings under node (not node itself)."""
        out: list[Node] = []
        for child in self.heading_children(node):
            out.extend(self.leaf_headings(child) or [child])
        return out

    def heading_depth(self, node: Node) -> int:
        children = self.heading_children(node)
        return 1 + max(self.heading_depth(c) for c in children) if children else 0

    def owns_run(self, node: Node) -> bool:
        """A leaf that owns a marked run of measures: 一是/二是…, ①②…, or two numbered items."""
        if sum(1 for c in node.children if not self.is_heading(c)) >= 2:
            return True
        start = _skip_label(self.text, self.heading_head(node).rest, node.end)
        end = node.children[0].marker.start if node.children and node.children[0].marker else node.end
        for pattern in (_XSHI_RE, _CIRCLED_RE):
            found = _sequence(self.text, start, end, pattern)
            if len(found) >= 2 or (found and not self.text[start:found[0][0]].strip(" \n,;:。")):
                return True  # a run, or a lone 一是 opening the leaf's text
        return False

    def owns_text(self, node: Node) -> bool:
        """A leaf with any text of its own below or after its title (measures in some form): an unnumbered
        heading's title may end before its line does (针对“…”问题,我们…)."""
        rest = self.heading_head(node).rest
        return bool(node.children or node.paragraphs or rest < node.head_end
                    or self.text[rest:node.line_end].strip(" ,:;。"))

    def _mostly_problems(self, headings: list[Node]) -> bool:
        leaves = [n for h in headings for n in h.walk() if self.is_heading(n)]
        hits = sum(1 for n in leaves if problem_like(self.title(n)) or self.head(n).status)
        return hits * 2 >= len(leaves)

    def heading_children(self, node: Node) -> list[Node]:
        return [c for c in node.children if self.is_heading(c)]


def choose_reading(roles: Roles) -> Reading:
    """Find the problem list by structure, with wording and declared counts as tie-breakers.

    The main part is the top-level part whose leaf headings own the most measure text
    (runs of 一是…, numbered items, paragraphs): the organising part is mostly a run of
    items under one heading, the next-steps part a few headings, the problem list many.
    Two readings are then possible: the main part wraps the list (its headings are the
    categories or problems), or the main part and its alike neighbours (same heading
    depth, same kind of measures) are themselves the categories. The report's declared
    counts decide between them when they disagree; otherwise the neighbours' wording does.
    """
    parts = [p for p in roles.outline.root.children if roles.is_heading(p)]
    shapes = [roles.shape(p) for p in parts]
    candidates = [s for s in shapes if s.weight > 0 and (s.depth > 0 or s.runs or s.titled_problem)]
    if not candidates:
        return _wording_reading(roles, parts)
    main = max(candidates, key=lambda s: (s.weight, s.wording + s.titled_problem, not s.next_steps))
    if main.next_steps and not main.titled_problem and main.wording * 2 < main.leaves:
        wording = _wording_reading(roles, parts)
        if wording.roots:
            return wording
    run = _alike_run(shapes, shapes.index(main))
    last = run[-1]
    if len(run) > 1 and last is shapes[-1] and last is not main and not last.titled_problem \
            and last.wording * 2 <= last.leaves:
        run = run[:-1]  # the report's last part, alike but reading like no problem, nor its headings: next steps
    readings: list[Reading] = []
    children = roles.heading_children(main.node)
    if children:
        readings.append(Reading(roots=children, parts=[main.node], layout="wrapper"))
    if len(run) >= 2 or main.titled_problem or not children:
        readings.append(Reading(roots=[s.node for s in run], parts=[s.node for s in run], layout="parts"))
    if len(readings) == 1:
        return _with_more_lists(readings[0], shapes, main, roles)
    _score_against_declared(roles, readings)
    best = max(readings, key=lambda r: r.agree - r.disagree)
    best.alternatives = len(readings) - 1
    if any(r.agree - r.disagree != best.agree - best.disagree for r in readings):
        return _with_more_lists(best, shapes, main, roles)
    chosen = readings[1] if _parts_are_categories(run) else readings[0]
    chosen.alternatives = len(readings) - 1
    return _with_more_lists(chosen, shapes, main, roles)


def _with_more_lists(reading: Reading, shapes: list[PartShape], main: PartShape, roles: Roles) -> Reading:
    """A report may list problems in a second part after the main one (三、选人用人专项检查反馈问题整改落实情况,
    its 1.…4. problems with their measures): a later part, not the next steps, whose title names problems and
    whose headings read as problems and own their measures."""
    if reading.layout != "wrapper":
        return reading
    later = shapes[shapes.index(main) + 1:]
    reading.more = [s.node for s in later if s.depth >= 1 and not s.next_steps and "问题" in roles.title(s.node)
                    and s.wording * 2 > s.leaves and s.measured == s.leaves]
    return reading


def _parts_are_categories(run: list[PartShape]) -> bool:
    """Alike neighbours are categories when they read like problems, or when there are three
    or more whose leaves own marked runs (an organising part is one part, not three)."""
    titled = sum(1 for s in run if s.titled_problem)
    if titled * 2 > len(run):
        return True
    return len(run) >= 3 and all(s.runs * 2 >= s.leaves for s in run)


def _alike_run(shapes: list[PartShape], index: int) -> list[PartShape]:
    """The main part and its adjacent siblings of the same shape: headings of the same
    numbering style directly below them (or none below any of them), and leaves of a shared
    style (an organising part's (一) leaves are not alike a problem list's 1. leaves)."""
    main = shapes[index]

    def alike(shape: PartShape) -> bool:
        if shape.weight == 0 or shape.next_steps:
            return False
        if shape.child_style == main.child_style and shape.leaf_styles & main.leaf_styles:
            return True
        # numbered differently below, but both titled like categories (关于…方面): wording breaks the tie
        return shape.titled_problem and main.titled_problem and shape.depth > 0 and main.depth > 0

    lo, hi = index, index
    while lo > 0 and alike(shapes[lo - 1]):
        lo -= 1
    while hi + 1 < len(shapes) and alike(shapes[hi + 1]):
        hi += 1
    return shapes[lo:hi + 1]


def _score_against_declared(roles: Roles, readings: list[Reading]) -> None:
    """Count how many of the report's own declared counts each reading agrees with."""
    from kg.parse.counts import check_declared, find_declared  # counts imports the model only

    first = min(r.parts[0].marker.start if r.parts[0].marker else 0 for r in readings)
    declared = find_declared(roles.text, [(0, first)])
    if not declared:
        return
    for reading in readings:
        checks = check_declared(declared, categories_from_roots(roles, reading.roots))
        reading.agree = sum(1 for c in checks if c.found is not None and c.found == c.count)
        reading.disagree = sum(1 for c in checks if c.found is not None and c.found != c.count)


def _wording_reading(roles: Roles, parts: list[Node]) -> Reading:
    """Without structural evidence: the parts whose headings read like problems (关于…问题, 不到位…)."""
    roots: list[Node] = []
    used: list[Node] = []
    for part in parts:
        title = roles.title(part)
        if _NEXT_STEPS_RE.search(title):
            continue
        if problem_like(title):
            roots.append(part)
            used.append(part)
            continue
        headings = roles.heading_children(part)
        if headings and roles._mostly_problems(headings):
            roots.extend(headings)
            used.append(part)
    return Reading(roots=roots, parts=used, layout="wording" if roots else "none")


def build_categories(roles: Roles) -> tuple[list[Category], list[tuple[int, int]]]:
    """The category → problem → sub-problem tree, and the text ranges it covers."""
    roots = roles.problem_roots()
    covered = [(roots[0].marker.start if roots[0].marker else 0, roots[-1].end)] if roots else []
    categories = categories_from_roots(roles, roots)
    for part in roles.reading().more:
        categories += categories_from_roots(roles, roles.heading_children(part))
        covered.append((part.marker.start if part.marker else 0, part.end))
    return categories, covered


def categories_from_roots(roles: Roles, roots: list[Node]) -> list[Category]:
    """Roots with headings below them are categories; otherwise they are the problems."""
    if not roots:
        return []
    has_two_levels = any(roles.heading_children(r) for r in roots)
    if not has_two_levels:
        return [Category(title=None, span=None, problems=[_problem(roles, r) for r in roots])]
    categories: list[Category] = []
    for root in roots:
        problems = [_problem(roles, n) for n in roles.heading_children(root)]
        if not problems:  # a category without sub-headings is itself one problem
            problems = [_problem(roles, root)]
        span = roles.heading_head(root).title  # the title's span and its text from one head
        categories.append(Category(title=roles.title(root) or None, span=span if roles.title(root) else None,
                                   problems=problems,
                                   marker=root.marker.label if root.marker else None))
    return categories


# a category that groups the problems by their progress: 已完成整改的问题(9个), 需长期坚持的问题, 正在推进的问题
_PROGRESS_GROUP_RE = re.compile(rf"(?:需要?|仍需)?(?P<status>{STATUS_WORDS})[^,。;]{{0,16}}?问题(?:\(\d+个\))?")


def give_group_status(categories: list[Category]) -> None:
    """Problems listed under a category that groups them by progress take its status when they state none."""
    for category in categories:
        group = _PROGRESS_GROUP_RE.fullmatch(category.title or "")
        if group is None:
            continue
        for problem in category.problems:
            for item in [problem, *problem.problems]:
                item.status = item.status or group.group("status")


def _problem(roles: Roles, node: Node) -> Problem:
    head = roles.heading_head(node)
    title = roles.text[head.title[0]:head.title[1]] if head.title else None
    problem = Problem(title=title or None, span=head.title, status=head.status,
                      marker=(node.marker.label or None) if node.marker else None)
    sub = roles.heading_children(node)
    if sub:
        problem.problems = [_problem(roles, n) for n in sub]
        content_end = sub[0].marker.start if sub[0].marker else node.end
        items: list[Node] = []
    else:
        items = node.children
        first = items[0].marker if items else None
        assert first is not None or not items  # every child of a node has its marker
        content_end = first.start if first is not None else node.end
    lead_start = head.rest
    if problem.status is None:  # "整改情况:已完成" written under the heading
        tag = _STATUS_LINE_RE.match(roles.text, lead_start, content_end)
        if tag:
            problem.status = tag.group(1)
            lead_start = tag.end()
    if not items:  # or under its measures, as their last paragraph (with 整改时限:/责任单位: lines, no measures)
        status, content_end = _closing_lines(roles.text, lead_start, content_end)
        problem.status = problem.status or status
    if problem.status is None and items:  # or among the lines before its numbered measures (责任单位:… 整改进展:已完成)
        problem.status = _status_line_among(roles.text, lead_start, content_end)
    if not items:  # 整改成效:… after the measures tells what they achieved: no measure of its own
        content_end = _results_start(roles.text, lead_start, content_end)
    measures, lead = extract_measures(roles.text, lead_start, content_end, items, roles)
    if items and measures:  # or as a last paragraph after its numbered measures
        status, block = _closing_lines(roles.text, measures[-1].span[0], measures[-1].span[1])
        problem.status = problem.status or status
        if block < measures[-1].span[1]:
            last = measure_in(roles.text, measures[-1].span[0], block, measures[-1].marker)
            measures = measures[:-1] + ([last] if last else [])
    problem.measures = measures
    if lead:
        problem.lead_span = lead
        problem.lead = roles.text[lead[0]:lead[1]]
    return problem


def _closing_lines(text: str, start: int, end: int) -> tuple[str | None, int]:
    """The last lines of a problem's text after its measures that state its status ("整改进展:已完成。") or who
    answers for it by when (整改时限:…, 责任单位:…): the status they state, and where they start (end if none)."""
    status, block = None, end
    body_end = start + len(text[start:end].rstrip())
    while body_end > start:
        line_start = text.rfind("\n", start, body_end) + 1
        if line_start <= start:
            break
        paragraph = text[line_start:body_end]
        stated = _status_paragraph(paragraph)
        if stated is None and not _DUTY_LINE_RE.match(paragraph):
            break
        status, block = stated or status, line_start
        body_end = start + len(text[start:line_start].rstrip())
    return status, block


_RESULTS_RE = re.compile(r"^\s*(?:整改|取得的?|主要)?(?:成效|效果|成果)\s*:", re.M)


def _results_start(text: str, start: int, end: int) -> int:
    """Where a paragraph labelled as the results of the measures above it (整改成效:…, 取得成效:…) starts in
    text[start:end], when one follows some text; else end."""
    found = _RESULTS_RE.search(text, start, end)
    return found.start() if found and text[start:found.start()].strip() else end


_DUTY_LINE_RE = re.compile(r"\s*(?:(?:整改|完成)(?:时限|时间|期限)|(?:牵头|责任|配合|协办|主责|督办)(?:单位|领导|部门|人))\s*:")


def _status_line_among(text: str, start: int, end: int) -> str | None:
    """The status of a paragraph that is only a status line (整改进展:已完成), among text[start:end]'s."""
    return next((status for paragraph in text[start:end].split("\n") if (status := _status_paragraph(paragraph))), None)


def _status_paragraph(paragraph: str) -> str | None:
    """The status a paragraph states when it is a status line (整改进展:已完成。), alone or explained by the
    sentences after it (完成情况:正在推进。产业链补链强链需长期坚持…)."""
    tag = _STATUS_LINE_RE.match(paragraph)
    return tag.group(1) if tag and (paragraph[tag.end():tag.end() + 1] == "。"
                                    or not paragraph[tag.end():].strip(" 。;,")) else None


def extract_measures(text: str, start: int, end: int, items: list[Node],
                     roles: Roles) -> tuple[list[Measure], Span | None]:
    """Measures in text[start:end] plus numbered item nodes; returns (measures, lead span)."""
    start = _skip_label(text, start, end)
    if items:
        numbered = [measure_in(text, item.marker.end if item.marker else item.head_start, item.end,
                               item.marker.label if item.marker else None) for item in items[:-1]]
        return [m for m in numbered if m] + _last_item_measures(text, items[-1]), _trim(text, start, end)
    described = _description(text, start, end)  # 具体问题:(1)…;(2)… describes the problem: its lead, no measures
    run = marked_measures(text, described[1] if described else start, end)
    if run is not None:
        return run[0], described or _trim(text, start, run[1])
    measures: list[Measure] = []
    lead: Span | None = None
    pos = start
    for paragraph in text[start:end].split("\n"):
        opening = paragraph.lstrip(" ,:")
        lead_in = _lead_in_length(opening) if not measures and lead is None else 0
        if _DESCRIPTION_RE.match(paragraph) or lead_in == len(opening) > 0:
            lead = lead or _trim(text, pos, pos + len(paragraph))  # 问题表现:… or 采取以下措施: its lead, no measure
        else:
            if lead_in:  # 区委采取以下措施推动整改。区委常委会坚持…: the lead-in, then the first measure
                cut = pos + len(paragraph) - len(opening) + lead_in
                lead = _trim(text, pos, cut)
                paragraph, pos = text[cut:pos + len(paragraph)], cut
            p_start = _skip_label(text, pos, pos + len(paragraph))
            measure = measure_in(text, p_start, pos + len(paragraph), None)
            if measure:
                measures.append(measure)
        pos += len(paragraph) + 1
    return measures, lead


def _description(text: str, start: int, end: int) -> Span | None:
    """The paragraph opening text[start:end] when it describes the problem (具体问题:…, 问题表现:…) and measures
    follow it."""
    line_end = text.find("\n", start, end)
    if line_end < 0 or not _DESCRIPTION_RE.match(text, start, line_end):
        return None
    return _trim(text, start, line_end)


def marked_measures(text: str, start: int, end: int) -> tuple[list[Measure], int] | None:
    """The measures of the first run of items marked inside text[start:end] (一是, 二是…; ①, ②…; 1., 2.… or
    (1), (2)… after a clause's end), and where the run starts; None when there is no run."""
    best: list[tuple[int, int, str]] | None = None
    for pattern in _RUN_PATTERNS:  # the run that opens first holds any other inside its items
        if pattern.search(text, start, best[0][0] if best else end) is None:
            continue  # no marker of this style before the best run's first: looked for no further
        run = _sequence(text, start, end, pattern)
        if run and (pattern in _ONE_IS_A_RUN or len(run) > 1) and (best is None or run[0][0] < best[0][0]):
            best = run
    if best is None:
        return None
    found = best
    measures: list[Measure] = []
    for i, (_, marker_end, label) in enumerate(found):
        item_end = group_start(text, marker_end, found[i + 1][0]) if i + 1 < len(found) else end
        measure = measure_in(text, marker_end, item_end, label)
        if measure:
            measures.append(measure)
    return measures, found[0][0]


_INLINE_BY_STYLE = {"1.": _INLINE_DOT_RE, "1、": _INLINE_DOT_RE, "(1)": _INLINE_PAREN_RE, "①": _CIRCLED_RE, "第一,": _ORDINAL_RE}


def _last_item_measures(text: str, item: Node) -> list[Measure]:
    """The last numbered measure, and those its paragraph goes on to number inline (1.…;2.…;3.…, the outline
    seeing only the 1. that opens the line)."""
    marker = item.marker
    start = marker.end if marker else item.head_start
    pattern = _INLINE_BY_STYLE.get(marker.style) if marker else None
    run = _sequence(text, start, item.end, pattern, first=marker.value + 1) if marker and pattern else []
    bounds = [(start, marker.label if marker else None)] + [(marker_end, label) for _, marker_end, label in run]
    ends = [marker_start for marker_start, _, _ in run] + [item.end]
    return [m for (begin, label), finish in zip(bounds, ends) if (m := measure_in(text, begin, finish, label))]


def _sequence(text: str, start: int, end: int, pattern: re.Pattern[str], first: int = 1) -> list[tuple[int, int, str]]:
    """The run 一是, 二是, … (or ①, ②, …) in order.

    A run that restarts inside an item (一是 again within 三是) belongs to that item: its
    markers are consumed by the nested run. When the items so far each open a paragraph,
    a later item must open one too.
    """
    found: list[tuple[int, int, str]] = []
    expected, nested_expected = first, 0
    line_mode = grouped = False
    for match in pattern.finditer(text, start, end):
        word = match.group(1)
        value = _SEQUENCE_WORDS.get(word, expected if word == "最后" and found else None) or to_int(word)
        marker_start = match.end() - len(match.group(0).lstrip())
        at_line_start = _opens_paragraph(text, start, marker_start)
        if line_mode and at_line_start and value == expected:  # the outer run goes on at a paragraph start
            nested_expected = 0
        elif found and value == 1 and grouped and _group_label_before(text, start, marker_start):
            expected = 1  # 长期坚持方面:一是… after 立行立改方面:一是…二是…: a group of the same measures
        elif found and value == 1:
            nested_expected = 2
            continue
        elif nested_expected and value == nested_expected:
            nested_expected += 1
            continue
        if value != expected or (line_mode and not at_line_start):
            continue
        if len(found) == 1:
            line_mode = at_line_start and _opens_paragraph(text, start, found[0][0])
        elif not found:
            grouped = _group_label_before(text, start, marker_start)
        found.append((marker_start, match.end(), match.group(0).strip()))
        expected += 1
        nested_expected = 0
    return found


_GROUP_LABEL_RE = re.compile(r"[^,。;:!?\n]{2,12}:")  # 立行立改方面: 长期坚持方面: 已完成事项:


def _group_label_before(text: str, region_start: int, pos: int) -> bool:
    """Whether a short label (立行立改方面:) opens the line before pos, or stands alone on the line above it: the
    run that opens there is a group."""
    return group_start(text, region_start, pos) < pos


def group_start(text: str, region_start: int, pos: int) -> int:
    """Where the item marked at pos starts: at its group's label (立行立改方面:一是…, or 立行立改: on the line
    above), else at pos."""
    line_start = max(text.rfind("\n", 0, pos) + 1, region_start)
    before = text[line_start:pos].strip()
    if before:
        return line_start if _GROUP_LABEL_RE.fullmatch(before) else pos
    above = text[region_start:line_start].rstrip()
    label_start = max(above.rfind("\n") + 1, 0) + region_start
    return label_start if above and _GROUP_LABEL_RE.fullmatch(text[label_start:region_start + len(above)].strip()) \
        else pos


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


def measure_in(text: str, start: int, end: int, marker: str | None = None) -> Measure | None:
    """text[start:end] as a measure, trimmed of spaces and clause marks; None when it holds no Chinese."""
    while start < end and text[start] in " \n,;:、":
        start += 1
    while end > start and text[end - 1] in " \n;,":
        end -= 1
    if end <= start or not any("\u4e00" <= c <= "\u9fff" for c in text[start:end]):
        return None
    return Measure(text=text[start:end], span=(start, end), marker=marker)
