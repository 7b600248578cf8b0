"""SPARQL text with bound values: VALUES blocks of typed terms opening the WHERE group.

Measured at 1,000 reports (2.6 M quads): a measure lookup with the problem IRI bound through
pyoxigraph's ``substitutions`` takes 1,580 ms, because Oxigraph plans the query before the value
is known and scans every measure; the same value in a VALUES block opening the WHERE group
takes 1 ms. So values are bound here, always as typed terms written in their own N-Triples
form by pyoxigraph (quotes, braces and newlines escaped): no user text becomes query syntax.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, QuerySolutions, QueryTriples, Store, Triple, Variable

from kg.exceptions import QueryError

Term = NamedNode | BlankNode | Literal | Triple


_OPAQUE_RE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""' r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"' r"|'(?:[^'\\\n]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>' r"|#[^\n]*", re.DOTALL)
_GRAPH_RE = re.compile(r"\s*GRAPH\s+\?\w+\s*\{", re.IGNORECASE)
_FORM_RE = re.compile(r"\b(SELECT|CONSTRUCT|DESCRIBE|ASK)\b", re.IGNORECASE)


def code_only(text: str) -> str:
    """The query with strings, IRIs and comments blanked out, offsets unchanged."""
    return _OPAQUE_RE.sub(lambda m: " " * len(m.group(0)), text)


def values_clause(variables: Sequence[Variable], rows: Iterable[Sequence[Term]]) -> str:
    """``VALUES (?a ?b) { (term term) … }`` from typed terms, each in its own N-Triples form."""
    names = " ".join(map(str, variables))
    body = " ".join(f"({' '.join(map(str, row))})" for row in rows)
    return f"VALUES ({names}) {{ {body} }}"


def with_values(text: str, blocks: list[str]) -> str:
    """The query with VALUES blocks opening its WHERE group, or the GRAPH group that opens it.

    A trailing VALUES would join after FILTERs ran with the variable unbound (so
    ``FILTER(CONTAINS(?text, ?keyword))`` would drop every row); at the start of the group it
    joins before them. Inside a leading ``GRAPH ?report { … }`` because Oxigraph evaluates such a
    block on its own and joins afterwards: one report's problems at 1,000 reports take 1,719 ms
    with the report bound outside the block and 6 ms with it bound inside (same answer). When the
    WHERE group opens with a subquery that projects every bound variable, the values go into the
    subquery the same way (types-by-region for one county: 9 ms there, the whole corpus
    aggregated first outside).
    """
    if not blocks:
        return text
    code = code_only(text)
    form = _FORM_RE.search(code)
    if not form or form.group(1).upper() != "SELECT":
        raise QueryError("只支持 SELECT 查询 (only SELECT queries take parameters here)")
    bound = {v for block in blocks for v in re.findall(r"\?\w+", block.split("{", 1)[0])}
    at = _values_at(code, form.end(), bound)
    if at is None:
        raise QueryError("查询中没有 WHERE 块 (no WHERE group in the query)")
    return text[:at] + "".join(f"\n  {block}" for block in blocks) + "\n" + text[at:]


def _group_start(code: str, start: int) -> int:
    """The first "{" after start outside parentheses (a SELECT's WHERE group), or the end."""
    depth = 0
    for i in range(start, len(code)):
        depth += (code[i] == "(") - (code[i] == ")")
        if code[i] == "{" and depth == 0:
            return i
    return len(code)


_SUBSELECT_RE = re.compile(r"\s*\{\s*SELECT\b", re.IGNORECASE)


def _values_at(code: str, start: int, bound: set[str]) -> int | None:
    """Where the VALUES go: just inside the WHERE group of the SELECT whose clause starts at start,
    descending into a leading GRAPH ?var group, or into a leading subquery projecting ``bound``."""
    i = _group_start(code, start)
    if i == len(code):
        return None
    graph = _GRAPH_RE.match(code, i + 1)
    if graph:
        return graph.end()
    sub = _SUBSELECT_RE.match(code, i + 1)
    if sub and bound <= set(re.findall(r"\?\w+", code[sub.end():_group_start(code, sub.end())])):
        inner = _values_at(code, sub.end(), bound)
        if inner is not None:
            return inner
    return i + 1


def select(store: Store, text: str, bindings: Mapping[Variable, Term] | None = None, *, union: bool = True,
           **options: Any) -> QuerySolutions:
    """Run a SELECT with the bindings in a VALUES block opening its WHERE group. The one place where
    the store's answer (solutions, a boolean or triples) is narrowed to a SELECT's solutions."""
    blocks = [values_clause(list(bindings), [list(bindings.values())])] if bindings else []
    solutions = store.query(with_values(text, blocks), use_default_graph_as_union=union, **options)
    if not isinstance(solutions, QuerySolutions):
        raise QueryError("只支持 SELECT 查询 (only SELECT queries are supported here)")
    return solutions


def term_text(term: Term) -> str:
    """The text of an IRI, blank node or literal (the graphs hold no RDF-star triples)."""
    if isinstance(term, Triple):
        raise QueryError(f"不支持 RDF-star 三元组 (an RDF-star triple where a term was expected: {term})")
    return term.value


def construct(store: Store, text: str, *, union: bool = True) -> QueryTriples:
    """Run a CONSTRUCT (or DESCRIBE): its triples."""
    triples = store.query(text, use_default_graph_as_union=union)
    if not isinstance(triples, QueryTriples):
        raise QueryError("只支持 CONSTRUCT 查询 (only CONSTRUCT queries are supported here)")
    return triples
