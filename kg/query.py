"""Query: saved SPARQL queries (queries/*.rq) run with bound parameters.

A saved query starts with header comments::

    # title: 报告一览 (reports with committee, region, group and dates)
    # description: one line or more
    # param: code literal optional — 6-digit division code of the region

Parameter values never enter the query text as text: each becomes a typed RDF term (literal,
integer, date or IRI) bound in a VALUES block opening the WHERE group (kg.sparql says why not
pyoxigraph's ``substitutions``). Every parameter of a saved query appears in its SELECT clause.
A ``search`` parameter is answered by the text index (kg.index). So is a ``contains`` parameter
(text the item's own text holds, narrowed to the query's ``region`` parameter), when the index is
there: its items are bound as ``?hit``, a hundred at a time, and the query's own FILTER keeps the
answer the same as a scan's.

Every saved query is standard SPARQL 1.1 (what a remote endpoint gets, and what a user copies).
Where an Oxigraph-only form (``LATERAL``) is much faster on the embedded store, the same query
also has a *local plan*, ``queries/local/NAME.rq``: the same columns and rows, run by ``run_query``;
``prepare(..., portable=True)`` (other engines) always takes the portable text; kg.remote sends the
local plan to an Oxigraph server.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, QuerySolutions, Store, Variable

from kg.exceptions import QueryError
from kg.index import KINDS, TextIndex
from kg.namespaces import ID, KG, XSD, XSD_DATE, XSD_INTEGER, sparql_prefixes
from kg.resources import QUERY_DIR
from kg.sparql import Term, code_only, select, values_clause, with_values

XSD_DOUBLE = NamedNode(XSD + "double")
XSD_BOOLEAN = NamedNode(XSD + "boolean")

PARAM_TYPES = ("literal", "integer", "date", "iri", "concept", "search", "region", "contains")
TEXT_SCORE = NamedNode(KG + "textScore")
SEARCH_LIMIT = 100  # best hits of each kind a search parameter brings into a query (Oxigraph's
# plans for a VALUES block stay index lookups up to a few hundred rows: measures-by-keyword at
# 1,000 reports takes 50 ms with 200 rows and 20 s with 859)
CONTAINS_CHUNK = 100  # items of a contains parameter bound in one VALUES block: at 10,000 reports a
# province's 4,684 hits took 1.3 s a hundred at a time and 650 s in one block (Oxigraph's plan turns)
CONTAINS_MAX = 2_000  # more hits than this, and a whole listing scans instead (a page never does)
HIT, SCORE = Variable("hit"), Variable("score")
LOCAL_PLANS = "local"  # queries/local/NAME.rq: an Oxigraph-only local plan of queries/NAME.rq
_REGION_RE = re.compile(r"^\d{6}$")
_HEADER_RE = re.compile(r"^#\s*(title|description|param|sort)\s*:\s*(.*)$")
_PARAM_RE = re.compile(r"^(\w+)\s+(\w+)(?:\(([\w\s,]+)\))?(?:\s+(required|optional))?\s*(?:[—–-]+\s*(.*))?$")


@dataclass
class Param:
    name: str
    type: str
    required: bool
    description: str
    kinds: tuple[str, ...] = ()  # contains(Measure, Problem): the kinds of item a contains parameter looks in


@dataclass
class SavedQuery:
    name: str
    path: Path
    text: str
    title: str = ""
    description: str = ""
    params: list[Param] = field(default_factory=list)
    sort: list[tuple[str, bool]] = field(default_factory=list)  # (column, descending), from "# sort: a, -b"
    local_text: str | None = None  # the local plan (local/NAME.rq beside the file), when it has one

    def plan(self, portable: bool = False) -> str:
        """The text to run: the local plan on the embedded store when there is one, else (and
        for any other engine) the portable SPARQL 1.1 text."""
        return self.text if portable or self.local_text is None else self.local_text

    def describe(self) -> dict[str, Any]:
        """The query as programs read it (``kg queries -f json``): stable English keys, the header's
        own (Chinese-first) text as values."""
        return {"name": self.name, "title": self.title, "description": self.description,
                "params": [{"name": p.name, "type": p.type, "required": p.required, "description": p.description,
                            **({"kinds": list(p.kinds)} if p.type == "contains" else {})} for p in self.params],
                "sort": [{"column": column, "descending": descending} for column, descending in self.sort],
                "local_plan": self.local_text is not None}


@dataclass
class QueryResult:
    """A SELECT's answer: Python values for people and JSON (``rows``), and, when it came from a
    query, the RDF terms themselves (``terms``: IRIs, literals with their language or datatype,
    blank nodes; None where unbound), row for row, for the standard result formats (kg.results)."""

    variables: list[str]
    rows: list[list[Any]]
    terms: list[list[Term | None]] | None = None

    def as_dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.variables, row, strict=True)) for row in self.rows]

    def reordered(self, order: list[int]) -> QueryResult:
        """The same answer with its rows (and their terms) taken in this order of row numbers."""
        terms = None if self.terms is None else [self.terms[i] for i in order]
        return QueryResult(self.variables, [self.rows[i] for i in order], terms)

    def solution_terms(self) -> list[list[Term | None]]:
        """The rows as RDF terms: the query's own, or for rows made in Python (kg stats, kg search…)
        an integer as xsd:integer and anything else as a plain literal (codes stay text)."""
        if self.terms is not None:
            return self.terms
        return [[None if v is None else Literal(str(v), datatype=XSD_INTEGER)
                 if isinstance(v, int) and not isinstance(v, bool) else Literal(str(v)) for v in row]
                for row in self.rows]


def load_query(path: Path) -> SavedQuery:
    """A .rq file with its header comments read."""
    text = path.read_text(encoding="utf-8")
    local = path.parent / LOCAL_PLANS / path.name
    query = SavedQuery(name=path.stem, path=path, text=text,
                       local_text=local.read_text(encoding="utf-8") if local.is_file() else None)
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER_RE.match(line)
        if not match:
            continue
        key, value = match.group(1), match.group(2).strip()
        if key == "title":
            query.title = value
        elif key == "description":
            query.description = (query.description + " " + value).strip()
        elif key == "sort":
            query.sort = [(c.strip().lstrip("-"), c.strip().startswith("-")) for c in value.split(",") if c.strip()]
        else:
            query.params.append(_param(value, path))
    return query


def _param(spec: str, path: Path) -> Param:
    match = _PARAM_RE.match(spec)
    kinds = tuple(k.strip() for k in (match.group(3) or "").split(",") if k.strip()) if match else ()
    if not match or match.group(2) not in PARAM_TYPES or not set(kinds) <= set(KINDS) \
            or (kinds and match.group(2) != "contains"):
        raise QueryError(f"参数声明无效 (bad param header: {spec!r}; types: {', '.join(PARAM_TYPES)}; "
                         f"contains may name kinds: contains({', '.join(KINDS)}))", path)
    kinds = kinds or (KINDS if match.group(2) == "contains" else ())
    return Param(match.group(1), match.group(2), match.group(4) == "required", match.group(5) or "", kinds)


def saved_queries(directory: Path = QUERY_DIR) -> list[SavedQuery]:
    return [load_query(p) for p in sorted(directory.glob("*.rq"))]


def resolve_query(name_or_file: str, directory: Path = QUERY_DIR) -> SavedQuery:
    """A saved query by name (reports) or a .rq file path."""
    path = Path(name_or_file)
    if path.suffix == ".rq" and path.exists():
        return load_query(path)
    candidate = directory / f"{name_or_file}.rq"
    if candidate.exists():
        return load_query(candidate)
    known = ", ".join(q.name for q in saved_queries(directory))
    raise QueryError(f"没有这个查询 (no saved query or .rq file named {name_or_file!r}; saved: {known})")


def parse_params(pairs: list[str]) -> dict[str, str]:
    """name=value pairs from the command line; the value is taken verbatim."""
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise QueryError(f"参数须写作 name=value (parameter must be name=value: {pair!r})")
        params[name.strip()] = value
    return params


def bind(query: SavedQuery, values: dict[str, str]) -> dict[Variable, Literal | NamedNode]:
    """Typed terms for the given values; unknown names and missing required ones are errors."""
    declared = {p.name: p for p in query.params}
    unknown = sorted(set(values) - set(declared))
    if unknown:
        allowed = ", ".join(declared) or "无 (none)"
        raise QueryError(f"未知参数 {', '.join(unknown)} (unknown parameter; this query takes: {allowed})", query.path)
    missing = [p.name for p in query.params if p.required and p.name not in values]
    if missing:
        raise QueryError(f"缺少参数 {', '.join(missing)} (missing required parameter)", query.path)
    return {Variable(name): typed_term(declared[name], value) for name, value in values.items()}


def typed_term(param: Param, value: str) -> Literal | NamedNode:
    try:
        if param.type == "integer":
            return Literal(str(int(value)), datatype=XSD_INTEGER)
        if param.type == "date":
            return Literal(dt.date.fromisoformat(value).isoformat(), datatype=XSD_DATE)
        if param.type == "iri":
            return NamedNode(value if re.match(r"^[a-z][a-z0-9+.-]*:", value) else ID + value.lstrip("/"))
        if param.type == "concept":
            return _concept(param, value)
        if param.type == "region" and not _REGION_RE.match(value):
            raise ValueError("a division code is 6 digits, e.g. 370000, 370100 or 370105")
    except ValueError as exc:
        reason = repr(str(exc))[1:-1]  # one line: the parser may quote the bad character itself
        raise QueryError(f"参数 {param.name} 的值无效 (bad {param.type} value {value!r}: {reason})") from None
    return Literal(value)


def _concept(param: Param, value: str) -> NamedNode:
    """A problem type given as people name it (B3, eight-rules, 中央八项规定精神) or by its IRI."""
    from kg.classify import taxonomy

    concept = taxonomy().find(value)
    if concept is None:
        raise QueryError(f"参数 {param.name}: 没有这个问题类型 (no problem type {value!r}; give its notation, "
                         "slug, label or IRI: kg types lists them)")
    return NamedNode(concept.iri)


def _kinds(term: Literal | NamedNode) -> list[Literal | NamedNode]:
    """A problem type with its kinds (items are assigned the kinds only); any other term as itself."""
    from kg.classify import taxonomy

    tax = taxonomy()
    concept = tax.find(term.value) if isinstance(term, NamedNode) else None
    return [NamedNode(c.iri) for c in tax.family(concept)] if concept is not None else [term]


def prepare(query: SavedQuery, values: dict[str, str], index: TextIndex | None = None,
            hits: list[str] | None = None, *, portable: bool = False) -> str:
    """The query text with its parameters bound (kg.sparql: a VALUES row of typed terms opening the
    WHERE group, the same text locally and on a remote server). A ``search`` parameter also brings
    the best hits of the text index as ``?hit ?score`` columns of the same VALUES block, one row per
    hit, so the query joins on bound items instead of scanning texts; ``hits`` (items a contains
    parameter found, see contains_hits) come as a ``?hit`` column the same way. ``portable``: the
    standard SPARQL 1.1 text even when the query has a local plan (for any other engine)."""
    text = query.plan(portable)
    bindings = bind(query, values)
    if not bindings:
        return text
    variables = list(bindings)
    concepts = {Variable(p.name) for p in query.params if p.type == "concept"}
    rows: list[list[Term]] = [[]]
    for variable, term in bindings.items():  # a top type becomes one row per kind of it
        rows = [[*row, kind] for row in rows for kind in (_kinds(term) if variable in concepts else [term])]
    for param in query.params:
        if param.type == "search" and param.name in values:
            if index is None:
                raise QueryError(f"参数 {param.name} 需要文本索引 (a search parameter needs the text index: "
                                 "run kg build)", query.path)
            scored = search_hits(index, values[param.name])
            variables += [HIT, SCORE]
            rows = [[*row, NamedNode(item), _double(score)] for row in rows for item, score in scored.items()]
            break
        if param.type == "contains" and param.name in values and hits is not None:
            variables.append(HIT)
            rows = [[*row, NamedNode(item)] for row in rows for item in hits]
            break
    return with_values(text, [values_clause(variables, rows)])


def search_hits(index: TextIndex, words: str, limit: int | None = SEARCH_LIMIT) -> dict[str, float]:
    """{item: BM25} of the problems, measures and documents whose text contains the words as
    written (so stop words such as 整改, numbers and parts of compounds are found) or holds every
    token of them, up to limit best of each kind for each way; an item found both ways keeps the
    higher score."""
    from kg.text import query_tokens  # loads jieba: only queries that search pay for it

    tokens = query_tokens(words)
    parts = words.split()
    scores: dict[str, float] = {}
    for kind in KINDS:
        matches = [*(index.exact(kind, parts, limit=limit)[0] if parts else []),
                   *(index.rank(kind, tokens, every=True, limit=limit) if tokens else [])]
        for match in matches:
            scores[match.item] = max(match.score, scores.get(match.item, match.score))
    return scores


def contains_hits(query: SavedQuery, values: dict[str, str], index: TextIndex | None) -> list[str] | None:
    """Items whose text holds the value of the query's contains parameter, in the reports of its
    region parameter when given (None: no such parameter given, or no index to ask)."""
    param = next((p for p in query.params if p.type == "contains" and p.name in values), None)
    if param is None or index is None:
        return None
    region = next((p for p in query.params if p.type == "region" and p.name in values), None)
    code = typed_term(region, values[region.name]).value if region is not None else None
    return list(dict.fromkeys(item for item, _ in index.containing(values[param.name], param.kinds, code)))


def _double(value: float) -> Literal:
    return Literal(repr(float(value)), datatype=XSD_DOUBLE)


class TextScores:
    """The SPARQL function kg:textScore(?item, "words"): the item's BM25 for the words, or unbound."""

    def __init__(self, index: TextIndex) -> None:
        self.index = index
        self.scores: dict[str, dict[str, float]] = {}

    def __call__(self, item: Term, words: Term) -> Literal | None:
        if not isinstance(item, NamedNode) or not isinstance(words, Literal):
            return None
        if words.value not in self.scores:
            self.scores[words.value] = search_hits(self.index, words.value, limit=None)
        score = self.scores[words.value].get(item.value)
        return _double(score) if score is not None else None


def paged(text: str, limit: int | None = None, offset: int = 0) -> str:
    """The query with a LIMIT/OFFSET page appended (two checked integers, never user text).

    Whole-corpus listings are written to stream, report after report, with no ORDER BY or GROUP
    BY over the corpus, so a page costs the rows it holds: at 10,000 reports the first 100 rows
    of every listing come back in milliseconds, while the whole listing takes seconds."""
    if limit is None and not offset:
        return text
    if (limit is not None and limit < 1) or offset < 0:
        raise QueryError(f"分页参数无效 (page size must be 1 or more and offset 0 or more: {limit}, {offset})")
    if re.search(r"\b(LIMIT|OFFSET)\s+\d+\s*$", code_only(text), re.IGNORECASE):
        raise QueryError("查询已有 LIMIT/OFFSET，不能再分页 (the query sets its own LIMIT or OFFSET)")
    page = f"\nLIMIT {int(limit)}" if limit is not None else ""
    return text.rstrip() + page + (f"\nOFFSET {int(offset)}" if offset else "") + "\n"


def sort_rows(result: QueryResult, order: list[tuple[str, bool]]) -> QueryResult:
    """Rows ordered by the query's ``# sort:`` columns, here rather than by an ORDER BY that would
    make Oxigraph evaluate the whole corpus before the first row; unbound values come last."""
    rows = result.rows
    at_row = list(range(len(rows)))
    for column, descending in reversed(order):
        if column not in result.variables:
            continue
        at = result.variables.index(column)
        bound = [i for i in at_row if rows[i][at] is not None]
        bound.sort(key=lambda i: _sort_key(rows[i][at]), reverse=descending)
        at_row = bound + [i for i in at_row if rows[i][at] is None]
    return result.reordered(at_row)


_NUMBER_RE = re.compile(r"^-?\d+(?:\.\d+)?$")


def _sort_key(value: Any) -> tuple[int, Any]:
    """Numbers (integers, and decimals such as a score, which arrive as text) by value, before text."""
    if isinstance(value, int):
        return (0, Decimal(value))
    text = str(value)
    return (0, Decimal(text)) if _NUMBER_RE.match(text) else (1, text)


def run_query(store: Store, query: SavedQuery, values: dict[str, str] | None = None,
              index: TextIndex | None = None, *, limit: int | None = None, offset: int = 0,
              portable: bool = False) -> QueryResult:
    """Run a saved query over the union of all graphs, with its parameters bound; with the text
    index, search and contains parameters and the kg:textScore function work too. ``limit``/``offset``
    take one page of the rows (in the store's order; the query's sort columns then order that page).
    The query's local plan runs when it has one; ``portable`` runs its SPARQL 1.1 text instead."""
    values = values or {}
    functions = {TEXT_SCORE: TextScores(index)} if index is not None else None
    hits = contains_hits(query, values, index)
    if hits is None or (limit is None and len(hits) > CONTAINS_MAX):
        text = paged(prepare(query, values, index, portable=portable), limit, offset)
        return sort_rows(_solve(store, query, text, functions), query.sort)
    wanted = None if limit is None else offset + limit
    variables: list[str] = []
    rows: list[list[Any]] = []
    terms: list[list[Term | None]] = []
    for start in range(0, max(len(hits), 1), CONTAINS_CHUNK):  # no hits: one query, no rows, its columns
        page = None if wanted is None else wanted - len(rows)
        chunk = hits[start:start + CONTAINS_CHUNK]
        part = _solve(store, query, paged(prepare(query, values, index, chunk, portable=portable), page), functions)
        variables = part.variables
        rows += part.rows
        terms += part.solution_terms()
        if wanted is not None and len(rows) >= wanted:
            break
    return sort_rows(QueryResult(variables, rows[offset:wanted], terms[offset:wanted]), query.sort)


def _solve(store: Store, query: SavedQuery, text: str, functions: dict[NamedNode, Any] | None) -> QueryResult:
    try:
        solutions = store.query(text, use_default_graph_as_union=True, custom_functions=functions)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL 语法错误 (syntax error: {exc})", query.path) from None
    except (RuntimeError, OSError, ValueError) as exc:
        raise QueryError(f"查询失败 (query failed: {exc})", query.path) from None
    return query_result(solutions, query.path)


def query_result(solutions: Any, path: str | Path | None = None) -> QueryResult:
    """Rows of Python values, and their terms, from SELECT solutions (local, or parsed from a remote
    server's answer)."""
    if not isinstance(solutions, QuerySolutions):
        raise QueryError("只支持 SELECT 查询 (only SELECT queries are supported here)", path)
    variables = [v.value for v in solutions.variables]
    terms: list[list[Term | None]] = [[_canonical(solution[v]) for v in variables] for solution in solutions]
    return QueryResult(variables, [[term_value(term) for term in row] for row in terms], terms)


def _canonical(term: Term | None) -> Term | None:
    """A boolean in its canonical form, true or false (Virtuoso's JSON writes 1 and 0: the same value),
    so that every engine's answer reads the same in srj/srx; any other term as it came."""
    if isinstance(term, Literal) and term.datatype == XSD_BOOLEAN and term.value.strip() in ("1", "0"):
        return Literal("true" if term.value.strip() == "1" else "false", datatype=XSD_BOOLEAN)
    return term


def term_value(term: Any) -> Any:
    """Python value of a result term: int for integers, str otherwise, None when unbound. A boolean is
    "true" or "false" whichever lexical form the engine wrote (Virtuoso writes 1 and 0)."""
    if term is None:
        return None
    if isinstance(term, Literal) and term.datatype == XSD_INTEGER:
        return int(term.value)
    if isinstance(term, Literal) and term.datatype == XSD_BOOLEAN:
        return "true" if term.value.strip() in ("true", "1") else "false"
    return term.value


@dataclass
class Source:
    item: str
    kind: str
    report: str
    committee: str
    text: str
    start: int
    end: int


#: An item's class as ?type: the stated one, or, where a link's domain or range gives it and it is not stated
#: (kg.ttl, issue 25), that one; no row when neither (as kg/queries/source-sentence.rq reads it).
ITEM_TYPE = """{ ?item a ?type } UNION { ?item kg:document ?cited BIND (kg:DocumentMention AS ?type) }
    UNION { ?report kg:declares ?item BIND (kg:DeclaredCount AS ?type) }
    UNION { ?report kg:statesProgress ?item BIND (kg:ProgressStatement AS ?type) }
    UNION { ?report kg:refersTo ?item BIND (kg:EarlierReference AS ?type) }
    UNION { ?owner kg:hasQuantity ?item BIND (kg:Quantity AS ?type) }"""


def source_of(store: Store, item: str) -> Source:
    """An item's span and its report's canonical text, for showing the sentence in context."""
    node = NamedNode(item if item.startswith("http") else ID + item.lstrip("/"))
    query = sparql_prefixes("kg", "skos") + f"""SELECT ?item ?type ?report ?committee ?text ?start ?end WHERE {{
          GRAPH ?report {{ ?item kg:spanStart ?start ; kg:spanEnd ?end .  # its report is its graph
                          ?report kg:canonicalText ?text ; kg:committee/skos:prefLabel ?committee . {ITEM_TYPE} }}
        }} LIMIT 1"""
    rows = list(select(store, query, {Variable("item"): node}))
    if not rows:
        raise QueryError(f"没有这个条目或它没有原文位置 (no item with a source span: {node.value})")
    row = rows[0]
    return Source(node.value, row["type"].value.rsplit("#", 1)[-1], row["report"].value, row["committee"].value,
                  row["text"].value, int(row["start"].value), int(row["end"].value))
