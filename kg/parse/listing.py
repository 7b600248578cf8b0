"""The problem list: the categories and problems a report lists, from its numbered outline (kg.parse.outline,
kg.parse.structure) and from its problem tables (kg.parse.table), put together in the order the text gives them.

A table is blanked out of the outline, so that its rows are read once; a numbered part that holds a table is a
part of the report, not a problem, and a (二)…方面 heading over a table titles its rows. Problems grouped by their
progress (已完成整改的问题) take the group's status.
"""

from __future__ import annotations

import re

from kg.model import Category, Span
from kg.parse.outline import Node, Outline, build_outline
from kg.parse.structure import Roles, build_categories, give_group_status, problem_like, promote_unnumbered_headings
from kg.parse.table import ProblemTable, find_problem_tables


def problem_list(text: str, closing: int, warnings: list[str]) -> tuple[list[Category], list[Span]]:
    """The report's categories and problems (before ``closing``), and the text ranges they cover; the outline's
    warnings go into ``warnings``."""
    categories, covered = _listed_problems(text, closing, warnings)
    give_group_status(categories)
    return categories, covered


def _listed_problems(text: str, closing: int, warnings: list[str]) -> tuple[list[Category], list[Span]]:
    """Problems listed in the text's outline and in its problem tables, in the order the text gives them; a
    table in an appendix counts only when the text lists none."""
    tables = find_problem_tables(text, closing)
    body = [t for t in tables if not t.appendix]
    outline = build_outline(_without(text, [t.span for t in body]), limit=closing)  # the tables are no outline
    promote_unnumbered_headings(outline)
    warnings.extend(outline.warnings)
    categories, covered = build_categories(Roles(outline))
    listed = body or (tables if not categories else [])
    if not listed:
        return categories, covered
    parts = [(_start(c), c) for c in categories]
    for table in listed:
        parts = _with_table(parts, table, _holder(outline, table.span[0]), text)
    from_tables = {id(p) for t in listed for c in t.categories for p in c.problems}
    kept = [c for _, c in sorted(parts, key=lambda part: part[0]) if _lists_problems(c, from_tables)]
    return kept, sorted(covered + [t.span for t in listed])


def _lists_problems(category: Category, from_tables: set[int]) -> bool:
    """Beside a problem table, a category the outline reads is kept when it lists problems: most of its titles
    read as problems (an organising part's 1.提高站位,迅速部署 does not), or a table's rows are in it."""
    problems = category.problems
    if any(id(p) in from_tables for p in problems):
        return True
    return sum(problem_like(p.title or "") for p in problems) * 2 > len(problems)


def _holder(outline: Outline, pos: int) -> Node | None:
    """The deepest numbered line of the outline whose text holds offset ``pos``."""
    node, found = outline.root, None
    while True:
        inside = next((c for c in node.children if c.head_start <= pos < c.end), None)
        if inside is None:
            return found
        node = found = inside


def _with_table(parts: list[tuple[int, Category]], table: ProblemTable,
                holder: Node | None, text: str) -> list[tuple[int, Category]]:
    """The table's problems where the text puts them. A problem read from the outline that holds the table is
    a part of the report, not a problem: an untitled list of such parts gives way to the table; a category
    whose only problem is itself takes the table's problems (or its categories, when the table has its own)."""
    heads = _ancestors(holder)
    titled = _category_heading(holder, text)
    if titled and len(table.categories) == 1 and table.categories[0].title is None:  # (二)关于…方面, then the table
        table.categories[0].title, table.categories[0].span = text[slice(*titled)], titled
    for i, (start, category) in enumerate(parts):
        holding = next((p for p in category.problems if p.span and any(n.head_start <= p.span[0] < n.line_end
                                                                         for n in heads)), None)
        if holding is None:
            continue
        rest = parts[:i] + parts[i + 1:]
        if category.title and category.problems == [holding] and len(table.categories) == 1 \
                and table.categories[0].title is None:
            category.problems = table.categories[0].problems
            return rest + [(start, category)]
        kept = [] if category.title is None else [(start, Category(category.title, category.span,
                                                                    [p for p in category.problems if p is not holding],
                                                                    category.marker))]
        return rest + [(s, c) for s, c in kept if c.problems] + [(table.span[0], c) for c in table.categories]
    return parts + [(table.span[0], c) for c in table.categories]


def _category_heading(holder: Node | None, text: str) -> Span | None:
    """The title of the numbered heading a table stands under when it names a category (…方面)."""
    if holder is None or holder.head_start >= holder.head_end:
        return None
    title = text[holder.head_start:holder.head_end].rstrip(" 。:")
    return (holder.head_start, holder.head_start + len(title)) if _CATEGORY_TITLE_RE.search(title) else None


_CATEGORY_TITLE_RE = re.compile(r"方面(?:的?问题)?$")


def _ancestors(node: Node | None) -> list[Node]:
    out = []
    while node is not None and node.marker is not None:
        out.append(node)
        node = node.parent
    return out


_BLANK = "\u2060"  # a word joiner: no text of a report holds one (kg.ingest drops invisible characters), no pattern reads it


def _without(text: str, spans: list[Span]) -> str:
    """The text with the given spans blanked (line breaks kept, so that every offset stays)."""
    for start, end in spans:
        text = text[:start] + re.sub(r"[^\n]", _BLANK, text[start:end]) + text[end:]
    return text


def _start(category: Category) -> int:
    first = category.span or next((p.span for p in category.problems if p.span), None)
    return first[0] if first else 0
