"""Declared counts ("4个方面12项问题", "细化为49项具体问题", "已完成22个") and their check
against what the parser found. A disagreement is a warning naming both numbers."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from kg.model import Category, Declared, Problem
from kg.parse.numerals import to_int

_N = r"(\d+|[零〇一二三四五六七八九十百两]+)"
_CLS = r"(?:个|项|条|类|件|处)"
_WHAT = r"(具体问题|具体整改措施|整改措施|整改任务|整改事项|问题线索|问题|措施|任务|事项)"
_NOT_WHAT = r"(?!\s*(?:具体|整改|大项|子项)?\s*(?:问题|措施|任务|事项))"  # "问题177项任务": 177 counts the tasks
_STATUS = (r"(已整改完成|已完成整改|整改完成|已完成|基本完成|未完成|已整改到位|整改到位|已整改|正在整改|"
           r"正在(?:按计划|有序|持续|稳步|加快)?推进|持续推进|已落实|(?:需要|需)?长期坚持|整改取得阶段性成效|取得阶段性成效|阶段性完成)")
# Lookaheads of the characters a number or a status opens with: a scan skips other positions at once.
_N_FIRST = r"(?=[\d零〇一二三四五六七八九十百两])"
_STATUS_FIRST = r"(?=[已整基未正持需长取阶])"
_PATTERNS: list[tuple[re.Pattern[str], int, int | None]] = [
    # (pattern, group of the number, group of "what"; None: the counted thing is problems)
    (re.compile(rf"{_N_FIRST}{_N}\s*(?:个|项|条)?\s*(方面)"), 1, 2),
    (re.compile(rf"{_N_FIRST}{_N}\s*(大类)"), 1, 2),
    (re.compile(rf"{_N_FIRST}{_N}\s*(?:个)?\s*((?:大项|子项|小项)(?:问题|任务)?)"), 1, 2),
    (re.compile(rf"{_N_FIRST}{_N}\s*{_CLS}\s*{_WHAT}"), 1, 2),
    (re.compile(rf"{_WHAT}\s*{_N}\s*{_CLS}(?!方面|大类|类){_NOT_WHAT}"), 2, 1),
    (re.compile(rf"{_STATUS_FIRST}{_STATUS}\s*(?:整改)?\s*{_WHAT}?\s*的?\s*{_N}\s*{_CLS}"), 3, 1),  # 持续推进的2个
    # "693个问题已完成整改688个": a status followed by its own count leaves the first number the total
    (re.compile(rf"{_N_FIRST}{_N}\s*{_CLS}\s*(?:问题)?\s*(?:整改)?\s*(?:已经|已)?\s*{_STATUS}(?!\s*(?:整改)?\s*{_WHAT}?\s*\d)"), 1, 2),
    (re.compile(rf"(?<=方面){_N}\s*{_CLS}(?=[,;。、]|$)"), 1, None),  # "3个方面21条": 21 problems
]
_STATUS_ONLY_RE = re.compile(_STATUS)
_SENTENCE_END = "。;;!?!?\n"
_UNIT_RE = re.compile(r"措施|任务|事项")
_COMPLETED = {"已整改完成", "已完成整改", "整改完成", "已完成", "已整改到位", "整改到位", "已整改"}
_LONG_TERM = {"长期坚持", "需长期坚持", "需要长期坚持"}
_STAGED = {"整改取得阶段性成效", "取得阶段性成效", "阶段性完成"}


def find_declared(text: str, ranges: list[tuple[int, int]]) -> list[Declared]:
    """Declared counts inside the given text ranges (the report's own summary passages)."""
    found: dict[tuple[int, int], Declared] = {}
    for start, end in ranges:
        for pattern, num_group, what_group in _PATTERNS:
            for match in pattern.finditer(text, start, end):
                count = to_int(match.group(num_group))
                if count is None or count <= 0 or count > 5000 or match.group(num_group) == "一":
                    continue  # 改一个问题、堵一批漏洞: "一个问题" is a problem, never a count
                what = match.group(what_group) if what_group else "问题"
                if _REMAINDER_RE.search(text, max(0, match.start() - 2), match.start()) and _names_problems(what):
                    continue  # 其余7个问题正在推进: the rest of a total, no total (其余6个正在推进 counts a status)
                if _STATUS_ONLY_RE.fullmatch(what):  # "已完成整改措施71条" counts measures done, not problems
                    unit = _UNIT_RE.search(match.group(0)) or _subject_unit(text, match.start())
                    what += unit.group(0) if unit else ""
                found.setdefault((match.start(), match.end()), Declared(match.group(0), count, what, (match.start(), match.end()),
                                                                 sentence=sentence_of(text, match.start(), match.end())))
    spans = list(found)
    maximal = [s for s in spans if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in spans)]
    return [found[k] for k in sorted(maximal)]


_REMAINDER_RE = re.compile(r"(?:其余|剩余|剩下|另有)$")
_CLAUSE_SUBJECT_RE = re.compile(r"(?:措施|任务|事项)[^,;。\d]{0,4}$")
CLAUSE_LOOKBACK = 16  # characters before a status count searched for what it counts


def _subject_unit(text: str, start: int) -> re.Match[str] | None:
    """What a status count counts when the clause names it first (61条整改措施已完成54条: measures)."""
    subject = _CLAUSE_SUBJECT_RE.search(text, max(0, start - CLAUSE_LOOKBACK), start)
    return _UNIT_RE.search(subject.group(0)) if subject else None


def sentence_of(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence holding text[start:end]: from after the previous 。;!? or line break to the next."""
    left = max(text.rfind(c, 0, start) for c in _SENTENCE_END) + 1
    ends = [i for i in (text.find(c, end) for c in _SENTENCE_END) if i != -1]
    return left, min(ends) if ends else len(text)


@dataclass
class DeclaredCheck:
    """One declared count compared at the level it names: ``level`` is categories, problems,
    sub-problems (leaf problems), tasks, measures or status X; ``found`` is None when the
    report's own structure has no such level to compare with, and ``reason`` then says why."""

    text: str
    count: int
    what: str
    level: str | None
    found: int | None
    reason: str | None = None

    @property
    def agrees(self) -> bool | None:
        return None if self.found is None else self.found == self.count


@dataclass
class _Levels:
    """What the parser found at each level a report may declare a count for."""

    categories: int | None
    problems: int
    top_problems: int | None
    leaves: int
    measures: int
    statuses: Counter[str]
    measure_statuses: Counter[str]

    @property
    def flat(self) -> bool:
        """One tier of problem headings: nothing is listed between the problems and their measures."""
        return self.top_problems is None


def _levels(categories: list[Category]) -> _Levels:
    problems = [p for c in categories for p in c.problems]
    walked = _walk(problems)
    titled = [c for c in categories if c.title]
    two_problem_levels = any(p.problems for p in problems)
    return _Levels(categories=len(titled) if titled else None, problems=len(problems),
                   top_problems=len(problems) if two_problem_levels else None,
                   leaves=sum(1 for p in walked if not p.problems),
                   measures=sum(len(p.measures) for p in walked),
                   statuses=Counter(_status_key(p.status) for p in walked if p.status),
                   measure_statuses=Counter(_status_key(m.status) for p in walked for m in p.measures if m.status))


Level = tuple[str | None, int | None, str | None]  # (level, found there, why not compared)

_NO_STATUS_TAGS = "报告未给各问题标注整改状态 (no item carries a status tag to count)"
_STATUS_OF_MEASURES = "所称为措施或任务的完成数, 报告未给措施标注状态 (a status count of measures or tasks; no measure carries a status tag)"
_COMPARABLE = ("已完成", "基本完成", "未完成", "长期坚持", "阶段性成效")
_NO_CATEGORY_HEADINGS = "报告未列出这一层的标题 (the report lists no headings at this level)"
_NO_FINER_LEVEL = "报告只列出一层问题, 未列出更细的具体问题 (the report lists one tier of problems, none finer)"
_PLAN_TASKS = ("列出的问题({found})少于所称方案任务数, 报告未逐项列出任务 (the report lists {found} problems, fewer than "
               "the plan's {count} tasks, which it does not list one by one)")
_FINER_MEASURES = ("列出的措施({found})多于所称方案措施数, 是另一种单位 (the report lists {found} measure paragraphs, "
                   "more than the plan's {count}: another unit)")


def _level_of(item: Declared, declared: list[Declared], levels: _Levels) -> Level:
    """The level a declared word names, what was found there, and why not when nothing fits."""
    what = item.what
    status = _STATUS_ONLY_RE.match(what)
    if status:
        key = _status_key(status.group(0))
        if what[status.end():]:  # a status of measures or tasks: compared where the measures carry tags
            if levels.measure_statuses and what.endswith("措施") and key in _COMPARABLE:
                return f"measure status {key}", levels.measure_statuses.get(key, 0), None
            return None, None, _STATUS_OF_MEASURES
        if levels.statuses and key in _COMPARABLE:
            if _counts_another_tier(item, declared, levels):
                return None, None, _OTHER_TIER
            return f"status {key}", levels.statuses.get(key, 0), None
        return None, None, _NO_STATUS_TAGS
    if what == "大类":
        return _big_classes(levels)
    if what == "方面":
        return _aspects(item, declared, levels)
    if what.startswith("大项"):  # the level above the leaves: problems over sub-problems, else categories
        if levels.top_problems is not None:
            return "problems", levels.top_problems, None
        return _found("categories", levels.categories, _NO_CATEGORY_HEADINGS)
    if what.startswith(("子项", "小项")):
        return "sub-problems", levels.leaves, None
    if what in ("问题", "具体问题"):
        return _problem_tier(item, declared, levels)
    if what.endswith("措施"):
        if levels.measures > item.count:
            # a plan of N measures cannot list more than N: the paragraphs found (一是…) are another unit
            return None, None, _FINER_MEASURES.format(found=levels.measures, count=item.count)
        return "measures", levels.measures, None
    if what in ("任务", "整改任务"):
        # tasks are the level below the deepest declared problem level: with 子项问题 declared
        # beside them they are measures, otherwise the numbered leaf headings (tasks/problems)
        if _sub_declared(declared):
            return "tasks", levels.measures, None
        if levels.leaves < item.count and item.count != levels.measures:
            return None, None, _PLAN_TASKS.format(found=levels.leaves, count=item.count)
        return "tasks", levels.leaves, None
    return None, None, f"“{what}”不对应报告的任何层级 (“{what}” names no level the report lists)"


_OTHER_TIER = ("所称完成数属于另一层问题, 其总数与列出的不符 (a status count of a total the report does not list at any "
               "tier)")


def _counts_another_tier(item: Declared, declared: list[Declared], levels: _Levels) -> bool:
    """A status count whose sentence gives the total it is part of (47个具体问题已完成整改41个), when that total is
    more than twice every tier the report lists (9 problems): a finer tier it does not list. A total near a
    listed tier (31 declared, 27 found) is that tier, and its statuses are compared."""
    totals = [d.count for d in _statement_of(item, declared) if _names_problems(d.what)]
    return bool(totals) and all(t > 2 * max(levels.problems, levels.leaves) for t in totals)


def _sub_declared(declared: list[Declared]) -> bool:
    return any(d.what.startswith(("子项", "小项")) or d.what == "具体问题" for d in declared)


def _found(level: str, found: int | None, reason: str) -> Level:
    return (level, found, None) if found is not None else (None, None, reason)


def _big_classes(levels: _Levels) -> Level:
    """大类 is the coarsest tier: the titled categories, when the report has them."""
    return _found("categories", levels.categories, _NO_CATEGORY_HEADINGS)


def _aspects(item: Declared, declared: list[Declared], levels: _Levels) -> Level:
    """方面 names the categories; below a 大类 count in the same statement (8大类19个方面) it names the
    tier under them, and so does it when the report has no titled categories: its top headings are
    then its 方面, unless a bare 问题 count of the same statement claims that tier (4个方面12项问题)."""
    own = _statement_of(item, declared)
    below_classes = any(d.what == "大类" for d in own)
    if levels.categories is not None and not below_classes:
        return "categories", levels.categories, None
    if any(d.what == "问题" and d.count > item.count for d in own):
        return None, None, _NO_CATEGORY_HEADINGS
    return "problems", levels.problems, None


def _statement_of(item: Declared, declared: list[Declared]) -> list[Declared]:
    """The counts of the sentence that holds ``item`` (and ``item`` itself)."""
    return [d for d in declared if d.sentence == item.sentence] if item.sentence else [item]


def _names_problems(what: str) -> bool:
    return what in ("问题", "具体问题") or what.startswith(("子项", "小项"))


def _finer(what: str) -> bool:
    return what == "具体问题" or what.startswith(("子项", "小项"))


def _statements(declared: list[Declared]) -> list[list[Declared]]:
    """Problem counts grouped by statement: the counts of one sentence."""
    groups: dict[object, list[Declared]] = {}
    for item in sorted((d for d in declared if _names_problems(d.what)), key=lambda d: d.span):
        groups.setdefault(item.sentence or item.span, []).append(item)
    return list(groups.values())


def _problem_tier(item: Declared, declared: list[Declared], levels: _Levels) -> Level:
    """问题/具体问题 name a level by the report's own tiers, not by the word: in one statement with two
    problem counts (4个方面12项问题,细化为49项具体问题) the smaller is the problems, the larger the leaves,
    and the same count in another statement names the same level (围绕12项具体问题…); otherwise 具体 (or a
    bare 问题 repeating a 具体 count: 反馈的31个问题细化为31个具体问题) names the leaves and a bare 问题 the
    problems. A report listing one tier of problems has no finer tier: a count its statement puts below
    a coarser one (4方面12类问题…具体问题40项; 19个方面问题,细化为80个具体问题) is not compared."""
    problems: Level = ("problems", levels.problems, None)
    leaves: Level = ("sub-problems", levels.leaves, None)
    own = next((g for g in _statements(declared) if item in g), [item])
    tier = _tier(item, own, declared)
    if tier == "problems":
        return problems
    if levels.flat and _coarser_in_statement(item, declared, levels):
        return None, None, _NO_FINER_LEVEL
    return leaves


def _tier(item: Declared, own: list[Declared], declared: list[Declared]) -> str:
    tiers = sorted({d.count for d in own})
    if len(tiers) >= 2:
        return "problems" if item.count == tiers[0] else "leaves"
    if any(d is not item and d.count == item.count for d in own):  # 31个问题细化为31个具体问题: one tier, the leaves
        return "leaves"
    for group in _statements(declared):
        ranked = sorted({d.count for d in group})
        if len(ranked) >= 2 and item.count in ranked:
            return "problems" if item.count == ranked[0] else "leaves"
    return "leaves" if any(d.count == item.count and _finer(d.what) for d in declared) else "problems"


def _coarser_in_statement(item: Declared, declared: list[Declared], levels: _Levels) -> bool:
    """A smaller count of the listed problem tier in the same sentence: a bare 问题 count, or a 方面
    count that names the top headings (no titled categories)."""
    for other in _statement_of(item, declared):
        if other is item or other.count >= item.count:
            continue
        if other.what == "问题" or (other.what == "方面" and _aspects(other, declared, levels)[0] == "problems"):
            return True
    return False


def check_declared(declared: list[Declared], categories: list[Category]) -> list[DeclaredCheck]:
    """Each declared count against what the parser found at the level it names (plain data)."""
    levels = _levels(categories)
    checks: list[DeclaredCheck] = []
    for item in declared:
        level, found, reason = _level_of(item, declared, levels)
        if found is None:
            level, reason = None, reason or _NO_CATEGORY_HEADINGS
        checks.append(DeclaredCheck(item.text, item.count, item.what, level, found, reason))
    return checks


def compare_declared(declared: list[Declared], categories: list[Category]) -> list[str]:
    """Fill found/compared_with (or not_compared, the reason) on each declared count; return
    warnings for mismatches."""
    warnings: list[str] = []
    seen: set[tuple[str, int]] = set()
    for item, check in zip(declared, check_declared(declared, categories), strict=True):
        if check.found is None:
            item.not_compared = check.reason
            continue
        item.compared_with, item.found = _LEGACY_NAMES.get(check.level or "", check.level), check.found
        if item.found != item.count and (item.what, item.count) not in seen:
            seen.add((item.what, item.count))
            warnings.append(f"声明与解析不符: 报告称“{item.text}”({item.count}), 解析到 {item.found} "
                            f"({item.compared_with}) (declared {item.count}, found {item.found})")
    return warnings


_LEGACY_NAMES = {"sub-problems": "leaf problems"}  # the JSON's compared_with keeps its documented words


def _status_key(status: str) -> str:
    if status in _COMPLETED:
        return "已完成"
    if status in _LONG_TERM:
        return "长期坚持"
    if status in _STAGED:
        return "阶段性成效"
    return status


def _walk(problems: list[Problem]) -> list[Problem]:
    out: list[Problem] = []
    for problem in problems:
        out.append(problem)
        out.extend(_walk(problem.problems))
    return out
