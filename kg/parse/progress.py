"""Progress: the report's own statements of how far rectification has come, and what is still open.

Reports say it three ways: a status tag on each item ("(已完成)", kept by kg.parse.structure), a split
of the declared total in the summary ("31个具体问题,目前已完成22个、基本完成7个、未完成2个";
"42项已整改完成,4项整改取得阶段性成效,3项整改需要长期坚持"), and a count inside an item's text
("目前除3个审计问题正在积极推进外"; "发现问题46个,均已整改到位"). This module reads the last two as
``Progress`` statements, each with its state, count and span, and maps every status wording to one of
six states so that open work can be asked for across reports.

Numbers are not read here: the summary's counts come from kg.parse.counts (declared counts), the
items' from kg.parse.quantities. A statement inside a quotation (“2015年…8个未整改到位”) quotes an
earlier finding and is kg.parse.recurrence's, not progress of this rectification.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.model import Declared, Progress, Quantity, Span
from kg.parse.structure import STATUS_WORDS

STATES = ("done", "basically_done", "staged", "in_progress", "long_term", "not_done")
OPEN_STATES = frozenset({"staged", "in_progress", "long_term", "not_done"})  # still work to do

# wording -> state; the first pattern that matches decides (未完成 before 完成, 基本完成 before 完成)
_STATE_WORDS: tuple[tuple[str, str], ...] = (
    ("not_done", r"尚未完成|未完成|未整改到位|未整改|仍未完成|未办结|未销号"),
    ("basically_done", r"基本完成|基本整改到位|基本整改"),
    ("staged", r"取得阶段性成效|阶段性成效|阶段性完成|阶段性"),
    ("long_term", r"(?:需要|需)?长期坚持|长期整改|长期推进|长期任务|持续整改"),
    ("in_progress", r"正在(?:积极|按计划|有序|持续|稳步|加快|抓紧)?(?:推进|整改|办理)|持续推进|整改中|推进中|部分完成"),
    ("done", r"已整改完成|已完成整改|整改完成|已完成|完成整改|已整改到位|整改到位|已整改|已办结|已销号|已落实|完成"),
)
_STATE_RES = tuple((state, re.compile(words)) for state, words in _STATE_WORDS)
_ANY_STATE = re.compile("|".join(f"(?:{words})" for _, words in _STATE_WORDS))
_CLAUSE_END = ",,;;。!?!?、\n"
_NEXT_CLAUSE_STATE = re.compile(rf"^(?:目前|现|现已|均|全部|已全部|均已|已)+(?:全部)?(?:{_ANY_STATE.pattern})")
_LONG_BEFORE = re.compile(r"长期(?:整改)?$")
_COUNTED = re.compile(r"具体问题|问题线索|问题|整改任务|任务|整改事项|事项|措施|信访件|件")
_ITEM_KINDS = frozenset({"completion_count", "problem_count", "task_count"})


def state_of(status: str | None) -> str | None:
    """The state a status wording names (已完成 -> done, 正在推进 -> in_progress…); None if none."""
    if not status:
        return None
    for state, pattern in _STATE_RES:
        if pattern.search(status):
            return state
    return None


def is_open(state: str | None) -> bool:
    return state in OPEN_STATES


def find_progress(text: str, declared: list[Declared], quantities: list[Quantity],
                  listed: Span | None) -> list[Progress]:
    """Progress statements of a report: its declared status counts and the counts of items said to be
    done, in progress or open. ``listed`` is the problem list's range (summary before, plan after)."""
    out: list[Progress] = []
    taken: set[tuple[int, int]] = set()
    for item in declared:
        state = state_of(item.what)
        if state is None and _long_term(text, item.span[0]):
            state = "long_term"
        if state is None or _quoted(text, item.span[0]):
            continue
        counted = _COUNTED.search(item.what)
        out.append(Progress(state, item.text, item.span, item.count, counted.group(0) if counted else None,
                            _total(declared, item), _where(item.span, listed)))
        taken.add(item.span)
    declared_spans = {d.span for d in declared}  # a declared total (693个问题) is not a statement of progress
    for quantity in quantities:
        if quantity.kind not in _ITEM_KINDS or any(_overlaps(quantity.span, span) for span in taken | declared_spans):
            continue
        found = _clause_state(text, quantity.span)
        if found is None or _quoted(text, quantity.span[0]):
            continue
        state, span = found
        counted = (_COUNTED.search(text, quantity.span[1], min(quantity.span[1] + 6, span[1]))
                   or _COUNTED.search(text, max(0, quantity.span[0] - 4), quantity.span[0]))
        out.append(Progress(state, text[span[0]:span[1]], span, int(quantity.value),
                            counted.group(0) if counted else None, None, _where(span, listed)))
        taken.add(span)
    return sorted(out, key=lambda p: p.span)


def sum_disagreements(progress: list[Progress]) -> list[tuple[int, int, list[Progress]]]:
    """Statements splitting one declared total whose counts do not add up to it: (total, sum, parts).
    Only a split naming at least two states is checked (one state alone is a part, not a split)."""
    out = []
    for (total, _), parts in _by_statement(progress).items():
        if len({p.state for p in parts}) >= 2:
            found = sum(p.count or 0 for p in parts)
            if found != total:
                out.append((total, found, parts))
    return out


def _by_statement(progress: list[Progress]) -> dict[tuple[int, int], list[Progress]]:
    """Statements sharing a total and following each other within a few characters: one split."""
    groups: dict[tuple[int, int], list[Progress]] = {}
    last: Progress | None = None
    key: tuple[int, int] | None = None
    for item in progress:
        if item.total is None or item.count is None:
            last = None
            continue
        if last is None or last.total != item.total or item.span[0] - last.span[1] > _SPLIT_GAP:
            key = (item.total, item.span[0])
        assert key is not None
        groups.setdefault(key, []).append(item)
        last = item
    return groups


_SPLIT_GAP = 8  # "已完成22个、基本完成7个、未完成2个": the parts of one split sit this close


def _long_term(text: str, start: int) -> bool:
    return bool(_LONG_BEFORE.search(text, max(0, start - 4), start))


def _total(declared: list[Declared], item: Declared) -> int | None:
    """The problem or task count the statement splits: the last one before it in its sentence that
    carries no status of its own (31个具体问题,目前已完成22个…)."""
    before = [d for d in declared if d.sentence == item.sentence and d.span[1] <= item.span[0]
              and state_of(d.what) is None and _COUNTED.search(d.what) and d.what != "方面"]
    return before[-1].count if before else None


def _clause_state(text: str, span: Span) -> tuple[str, Span] | None:
    """The state said of a count in its own clause (除3个审计问题正在积极推进外), or at the head of the
    next one (发现问题46个,均已整改到位); with the span from the count to the end of the state's words."""
    start = _clause_start(text, span[0])
    end = _clause_end(text, span[1])
    after = _ANY_STATE.search(text, span[1], end)
    if after is not None:
        return state_of(after.group(0)) or "done", (span[0], after.end())
    before = _last(_ANY_STATE.finditer(text, start, span[0]))
    if before is not None:
        return state_of(before.group(0)) or "done", (before.start(), span[1])
    if end < len(text) and text[end] in ",,;;":
        clause = text[end + 1:_clause_end(text, end + 1)]
        nxt = _NEXT_CLAUSE_STATE.match(clause)
        if nxt and not re.search(r"\d", clause):  # 目前已完成22个 has its own count
            return state_of(nxt.group(0)) or "done", (span[0], end + 1 + nxt.end())
    return None


def _last(matches: Iterator[re.Match[str]]) -> re.Match[str] | None:
    last = None
    for last in matches:
        pass
    return last


def _clause_start(text: str, at: int) -> int:
    return max(text.rfind(c, 0, at) for c in _CLAUSE_END) + 1


def _clause_end(text: str, at: int) -> int:
    ends = [i for i in (text.find(c, at) for c in _CLAUSE_END) if i != -1]
    return min(ends) if ends else len(text)


def _quoted(text: str, at: int) -> bool:
    """Inside “…” on its line: a quoted finding, not this report's progress."""
    line_start = text.rfind("\n", 0, at) + 1
    return text.count("“", line_start, at) > text.count("”", line_start, at)


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _where(span: Span, listed: Span | None) -> str:
    if listed is None or span[1] <= listed[0]:
        return "summary"
    return "plan" if span[0] >= listed[1] else "item"


# A lookahead of the characters the tag opens with: the search fails at once at other positions.
_MEASURE_STATUS_RE = re.compile(
    rf"(?=[(【\[整完])(?:[(【\[]\s*((?:{STATUS_WORDS})[^()【】\[\]]{{0,8}}?)\s*[)】\]]"
    rf"|(?:整改|完成)(?:情况|进度|进展|状态)\s*[::]\s*((?:{STATUS_WORDS})[^,。;\n]{{0,4}}?))\s*[。;]?$")


def measure_status(text: str) -> str | None:
    """The status tag that closes a measure ("…建立长效机制。(已完成)", "…完成情况:持续推进。"), as written;
    a bracket in the middle of the text is not the measure's status."""
    match = _MEASURE_STATUS_RE.search(text)
    if match is None:
        return None
    return (match.group(1) or match.group(2)).strip()
