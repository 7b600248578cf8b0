"""Search: Chinese full-text search over the text index (kg.index, SQLite FTS5 beside the graph).

Every problem, measure and document is indexed by its jieba tokens. A search ranks the items
of one kind by BM25 over the query's tokens, leaving out tokens too common to tell items apart,
and puts items containing the whole query text first. The graph then gives each hit its text,
committee, region and report. SPARQL reaches the same index through a ``search`` parameter of a
saved query (kg/queries/search-text.rq) or the ``kg:textScore`` function (kg.query).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import NamedNode, QuerySolution, Store, Variable

import kg.classify  # noqa: F401 - adds the taxonomy's keywords to kg.text's words before a query is cut
from kg.exceptions import QueryError
from kg.index import TextIndex
from kg.namespaces import sparql_prefixes
from kg.sparql import select
from kg.text import query_tokens

PREFIXES = sparql_prefixes("kg", "skos", "dcterms")
SCOPES = {"measures": "Measure", "problems": "Problem", "documents": "NamedDocument"}
COMMON_SHARE = 0.05  # a token in more than this share of items is left out of a multi-word ranking


@dataclass
class Hit:
    item: str
    kind: str
    score: float
    text: str
    snippet: str
    committee: str | None = None
    region_code: str | None = None
    report: str | None = None
    matched: list[str] = field(default_factory=list)
    exact: bool = False


def search(store: Store, index: TextIndex, query: str, scope: str = "measures", top: int = 10) -> list[Hit]:
    """Items of a scope ranked by BM25 over jieba tokens; exact matches of the query first."""
    if scope not in SCOPES:
        raise QueryError(f"检索范围须为 {'/'.join(SCOPES)} (scope must be one of {', '.join(SCOPES)})")
    words = query_tokens(query)
    if not words:
        raise QueryError("检索词为空 (empty search)")
    kind = SCOPES[scope]
    total = index.total(kind)
    rare = [w for w in words if index.df(kind, w) <= COMMON_SHARE * total]
    matches = index.rank(kind, rare or words, limit=max(top * 3, 30))  # common tokens add little, cost most
    phrase = re.sub(r"\s+", "", query)
    hits = []
    describer = Describer(store)
    for match in matches:
        hit = describer(match.item, kind, match.score, match.matched)
        hit.exact = phrase in hit.text
        hit.snippet = snippet(hit.text, [phrase, *match.matched])
        hits.append(hit)
    hits.sort(key=lambda h: (not h.exact, -h.score))
    return hits[:top]


class Describer:
    """Text, committee, region and report of items; committees cached per report for one call."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._committees: dict[str, tuple[str | None, str | None]] = {}

    def __call__(self, item: str, kind: str, score: float = 0.0, matched: list[str] | None = None) -> Hit:
        if kind == "NamedDocument":
            return self._document(item, score, matched)
        rows = self._rows(PREFIXES + "SELECT ?item ?text ?report WHERE { ?item kg:text ?text ; kg:inReport ?report } LIMIT 1",
                          "item", item)
        text = rows[0]["text"].value if rows else ""
        report = rows[0]["report"].value if rows else None
        committee, region = self._committee(report) if report else (None, None)
        return Hit(item=item, kind=kind, score=round(score, 3), text=text, snippet="", committee=committee,
                   region_code=region, report=report, matched=matched or [])

    def _document(self, item: str, score: float, matched: list[str] | None) -> Hit:
        query = PREFIXES + """SELECT ?item ?text (SAMPLE(?c) AS ?committee) (SAMPLE(?code) AS ?region) WHERE {
            ?item dcterms:title ?text .
            OPTIONAL { ?m kg:document ?item ; kg:inReport/kg:committee ?cn . ?cn skos:prefLabel ?c .
                       OPTIONAL { ?cn kg:region/kg:divisionCode ?code } } } GROUP BY ?item ?text"""
        rows = self._rows(query, "item", item)
        row = rows[0] if rows else None
        return Hit(item=item, kind="NamedDocument", score=round(score, 3), text=_value(row, "text") or "", snippet="",
                   committee=_value(row, "committee"), region_code=_value(row, "region"), matched=matched or [])

    def _committee(self, report: str) -> tuple[str | None, str | None]:
        if report not in self._committees:
            query = PREFIXES + """SELECT ?report ?committee ?region WHERE { ?report kg:committee ?c .
                ?c skos:prefLabel ?committee . OPTIONAL { ?c kg:region/kg:divisionCode ?region } } LIMIT 1"""
            rows = self._rows(query, "report", report)
            self._committees[report] = (_value(rows[0], "committee"), _value(rows[0], "region")) if rows else (None, None)
        return self._committees[report]

    def _rows(self, query: str, variable: str, iri: str) -> list[Any]:
        return list(select(self.store, query, {Variable(variable): NamedNode(iri)}))


def _value(row: QuerySolution | None, name: str) -> str | None:
    return row[name].value if row is not None and row[name] is not None else None


def snippet(text: str, terms: list[str], width: int = 36) -> str:
    """A window around the first matching term, with every match marked 【…】."""
    positions = [text.find(t) for t in terms if t and t in text]
    start = min(positions) if positions else 0
    left, right = max(0, start - width // 2), min(len(text), start + width * 2)
    window = text[left:right]
    marks = sorted({t for t in terms if t and t in window}, key=len, reverse=True)
    if marks:
        window = re.sub("|".join(map(re.escape, marks)), lambda m: f"【{m.group(0)}】", window)
    return ("…" if left else "") + window + ("…" if right < len(text) else "")
