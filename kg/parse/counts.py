"""Declared counts ("4个方面12项问题", "细化为49项具体问题", "已完成22个") and their check
against what the parser found. A disagreement is a warning naming both numbers."""

from __future__ import annotations

import re
from collections import Counter

from kg.model import Category, Declared, Problem
from kg.parse.numerals import to_int

_N = r"(\d+|[零〇一二三四五六七八九十百两]+)"
_CLS = r"(?:个|项|条|类|件|处)"
_WHAT = r"(具体问题|具体整改措施|整改措施|整改任务|整改事项|问题线索|问题|措施|任务|事项)"
_STATUS = (r"(已整改完成|已完成整改|整改完成|已完成|基本完成|未完成|已整改到位|整改到位|已整改|正在整改|"
           r"正在(?:按计划|有序|持续|稳步|加快)?推进|持续推进|已落实|(?:需要|需)?长期坚持|整改取得阶段性成效|取得阶段性成效|阶段性完成)")
_PATTERNS: list[tuple[re.Pattern[str], int, int | None]] = [
    # (pattern, group of the number, group of "what"; None: the counted thing is problems)
    (re.compile(rf"{_N}\s*(?:个|项|条)?\s*(方面)"), 1, 2),
    (re.compile(rf"{_N}\s*(大类)"), 1, 2),
    (re.compile(rf"{_N}\s*{_CLS}\s*{_WHAT}"), 1, 2),
    (re.compile(rf"{_WHAT}\s*{_N}\s*{_CLS}(?!方面|大类|类)"), 2, 1),
    (re.compile(rf"{_STATUS}\s*(?:整改)?\s*{_WHAT}?\s*{_N}\s*{_CLS}"), 3, 1),
    (re.compile(rf"{_N}\s*{_CLS}\s*(?:问题)?\s*(?:整改)?\s*(?:已经|已)?\s*{_STATUS}"), 1, 2),
    (re.compile(rf"(?<=方面){_N}\s*{_CLS}(?=[,;。、]|$)"), 1, None),  # "3个方面21条": 21 problems
]
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
                found.setdefault((match.start(), match.end()), Declared(match.group(0), count, what, (match.start(), match.end())))
    spans = list(found)
    maximal = [s for s in spans if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in spans)]
    return [found[k] for k in sorted(maximal)]


def compare_declared(declared: list[Declared], categories: list[Category]) -> list[str]:
    """Fill found/compared_with on each declared count; return warnings for mismatches."""
    problems = [p for c in categories for p in c.problems]
    leaves = [p for p in _walk(problems) if not p.problems]
    statuses = Counter(_status_key(p.status) for p in _walk(problems) if p.status)
    titled = [c for c in categories if c.title]
    measures = sum(len(p.measures) for p in _walk(problems))
    warnings: list[str] = []
    seen: set[tuple[str, int]] = set()
    for item in declared:
        what = item.what
        if what in ("方面", "大类"):
            if titled:  # without titled categories the report's 方面 cannot be checked
                item.compared_with, item.found = "categories", len(titled)
        elif what == "具体问题":
            item.compared_with, item.found = "leaf problems", len(leaves)
        elif what == "问题":
            item.compared_with, item.found = "problems", len(problems)
        elif what.endswith("措施"):
            item.compared_with, item.found = "measures", measures
        elif statuses and _status_key(what) in ("已完成", "基本完成", "未完成", "长期坚持", "阶段性成效"):
            item.compared_with, item.found = f"status {_status_key(what)}", statuses.get(_status_key(what), 0)
        if item.found is not None and item.found != item.count and (what, item.count) not in seen:
            seen.add((what, item.count))
            warnings.append(f"声明与解析不符: 报告称“{item.text}”({item.count}), 解析到 {item.found} "
                            f"({item.compared_with}) (declared {item.count}, found {item.found})")
    return warnings


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
