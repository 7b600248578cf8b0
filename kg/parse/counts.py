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
_PATTERNS: list[tuple[re.Pattern[str], int, int | None]] = [
    # (pattern, group of the number, group of "what"; None: the counted thing is problems)
    (re.compile(rf"{_N}\s*(?:个|项|条)?\s*(方面)"), 1, 2),
    (re.compile(rf"{_N}\s*(大类)"), 1, 2),
    (re.compile(rf"{_N}\s*(?:个)?\s*((?:大项|子项|小项)(?:问题|任务)?)"), 1, 2),
    (re.compile(rf"{_N}\s*{_CLS}\s*{_WHAT}"), 1, 2),
    (re.compile(rf"{_WHAT}\s*{_N}\s*{_CLS}(?!方面|大类|类){_NOT_WHAT}"), 2, 1),
    (re.compile(rf"{_STATUS}\s*(?:整改)?\s*{_WHAT}?\s*{_N}\s*{_CLS}"), 3, 1),
    (re.compile(rf"{_N}\s*{_CLS}\s*(?:问题)?\s*(?:整改)?\s*(?:已经|已)?\s*{_STATUS}"), 1, 2),
    (re.compile(rf"(?<=方面){_N}\s*{_CLS}(?=[,;。、]|$)"), 1, None),  # "3个方面21条": 21 problems
]
_STATUS_ONLY_RE = re.compile(_STATUS)
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
                if count is None or count <= 0 or count > 5000:
                    continue
                what = match.group(what_group) if what_group else "问题"
                if _STATUS_ONLY_RE.fullmatch(what):  # "已完成整改措施71条" counts measures done, not problems
                    unit = _UNIT_RE.search(match.group(0))
                    what += unit.group(0) if unit else ""
                found.setdefault((match.start(), match.end()), Declared(match.group(0), count, what, (match.start(), match.end())))
    spans = list(found)
    maximal = [s for s in spans if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in spans)]
    return [found[k] for k in sorted(maximal)]


@dataclass
class DeclaredCheck:
    """One declared count compared at the level it names: ``level`` is categories, problems,
    sub-problems (leaf problems), tasks, measures or status X; ``found`` is None when the
    report's own structure has no such level to compare with."""

    text: str
    count: int
    what: str
    level: str | None
    found: int | None

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


def _levels(categories: list[Category]) -> _Levels:
    problems = [p for c in categories for p in c.problems]
    walked = _walk(problems)
    titled = [c for c in categories if c.title]
    two_problem_levels = any(p.problems for p in problems)
    return _Levels(categories=len(titled) if titled else None, problems=len(problems),
                   top_problems=len(problems) if two_problem_levels else None,
                   leaves=sum(1 for p in walked if not p.problems),
                   measures=sum(len(p.measures) for p in walked),
                   statuses=Counter(_status_key(p.status) for p in walked if p.status))


def _level_of(item: Declared, declared: list[Declared], levels: _Levels) -> tuple[str | None, int | None]:
    """The level a declared word names, and what was found there (None: not comparable)."""
    what = item.what
    status = _STATUS_ONLY_RE.match(what)
    if status:
        if what[status.end():]:  # a status of measures or tasks: the parser keeps statuses of problems only
            return None, None
        key = _status_key(what)
        if levels.statuses and key in ("已完成", "基本完成", "未完成", "长期坚持", "阶段性成效"):
            return f"status {key}", levels.statuses.get(key, 0)
        return None, None
    if what in ("方面", "大类"):
        return "categories", levels.categories
    if what.startswith("大项"):  # the level above the leaves: problems over sub-problems, else categories
        if levels.top_problems is not None:
            return "problems", levels.top_problems
        return "categories", levels.categories
    if what.startswith(("子项", "小项")):
        return "sub-problems", levels.leaves
    if what in ("问题", "具体问题"):
        return _problem_tier(item, declared, levels)
    if what.endswith("措施"):
        return "measures", levels.measures
    if what in ("任务", "整改任务"):
        # tasks are the level below the deepest declared problem level: with 子项问题 declared
        # beside them they are measures, otherwise the numbered leaf headings (tasks/problems)
        sub_declared = any(d.what.startswith(("子项", "小项")) or d.what == "具体问题" for d in declared)
        return "tasks", levels.measures if sub_declared else levels.leaves
    return None, None


_STATEMENT_GAP = 12  # "12项问题,细化为49项具体问题": counts this close belong to one statement


def _names_problems(what: str) -> bool:
    return what in ("问题", "具体问题") or what.startswith(("子项", "小项"))


def _finer(what: str) -> bool:
    return what == "具体问题" or what.startswith(("子项", "小项"))


def _statements(declared: list[Declared]) -> list[list[Declared]]:
    """Problem counts grouped by statement: each group is a run of counts a few characters apart."""
    groups: list[list[Declared]] = []
    for item in sorted((d for d in declared if _names_problems(d.what)), key=lambda d: d.span):
        if groups and item.span[0] - groups[-1][-1].span[1] <= _STATEMENT_GAP:
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups


def _problem_tier(item: Declared, declared: list[Declared], levels: _Levels) -> tuple[str, int]:
    """问题/具体问题 name a level by the report's own tiers, not by the word: in one statement with two
    problem counts (4个方面12项问题,细化为49项具体问题) the smaller is the problems, the larger the leaves,
    and the same count in another statement names the same level (围绕12项具体问题…); otherwise 具体 (or a bare 问题 repeating a 具体
    count: 反馈的31个问题细化为31个具体问题) names the leaves and a bare 问题 the problems."""
    problems, leaves = ("problems", levels.problems), ("sub-problems", levels.leaves)
    groups = _statements(declared)
    own = next((g for g in groups if item in g), [item])
    tiers = sorted({d.count for d in own})
    if len(tiers) >= 2:
        return problems if item.count == tiers[0] else leaves
    for group in groups:
        ranked = sorted({d.count for d in group})
        if len(ranked) >= 2 and item.count in ranked:
            return problems if item.count == ranked[0] else leaves
    if any(d.count == item.count and _finer(d.what) for d in own):
        return leaves
    return leaves if any(d.count == item.count and _finer(d.what) for d in declared) else problems


def check_declared(declared: list[Declared], categories: list[Category]) -> list[DeclaredCheck]:
    """Each declared count against what the parser found at the level it names (plain data)."""
    levels = _levels(categories)
    checks: list[DeclaredCheck] = []
    for item in declared:
        level, found = _level_of(item, declared, levels)
        checks.append(DeclaredCheck(item.text, item.count, item.what, level if found is not None else None, found))
    return checks


def compare_declared(declared: list[Declared], categories: list[Category]) -> list[str]:
    """Fill found/compared_with on each declared count; return warnings for mismatches."""
    warnings: list[str] = []
    seen: set[tuple[str, int]] = set()
    for item, check in zip(declared, check_declared(declared, categories), strict=True):
        if check.found is None:
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
