"""Search: Chinese full-text search over the token index kept in the graph.

Oxigraph has no full-text index, so every problem, measure and document carries its distinct
jieba tokens (kg:token) and its token count (kg:tokenCount). A search looks each query token
up as a bound constant (a join, not a scan), ranks items by BM25, and puts items containing
the whole query text first. The same index serves SPARQL directly (queries/search-token.rq).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode, Store, Variable

from kg.exceptions import QueryError
from kg.rdf import KG
from kg.text import query_tokens

PREFIXES = """PREFIX kg: <https://w3id.org/xunshi-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
SCOPES = {"measures": "Measure", "problems": "Problem", "documents": "NamedDocument"}
K1, B = 1.2, 0.75
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


class TokenIndex:
    """BM25 over the kg:token triples of one class of items."""

    def __init__(self, store: Store, kind: str) -> None:
        if kind not in SCOPES.values():
            raise QueryError(f"未知检索范围 (unknown scope {kind!r})")
        self.store = store
        self.cls = NamedNode(KG + kind)
        self.kind = kind
        self.total, self.avg_len = self._stats()
        self._postings: dict[str, dict[str, int]] = {}
        self._df: dict[str, int] = {}

    def _stats(self) -> tuple[int, float]:
        """Item count and mean length: from the statistics kg build keeps, else counted here."""
        kept = PREFIXES + """SELECT ?node ?n ?avg WHERE { ?node kg:items ?n ; kg:meanTokenCount ?avg }"""
        node = NamedNode("https://w3id.org/xunshi-kg/id/index-stats/" + self.kind)
        rows = list(self.store.query(kept, use_default_graph_as_union=True, substitutions={Variable("node"): node}))
        if rows:
            return int(rows[0]["n"].value), float(rows[0]["avg"].value) or 1.0
        query = PREFIXES + """SELECT ?class (COUNT(DISTINCT ?item) AS ?n) (AVG(?len) AS ?avg) WHERE {
            ?item a ?class ; kg:tokenCount ?len } GROUP BY ?class"""
        rows = list(self.store.query(query, use_default_graph_as_union=True, substitutions={Variable("class"): self.cls}))
        if not rows or rows[0]["n"] is None:
            return 0, 1.0
        return int(rows[0]["n"].value), float(rows[0]["avg"].value or 1.0)

    def postings(self, token: str) -> dict[str, int]:
        """{item IRI: token count} of the items holding this token (a join on a bound constant)."""
        if token not in self._postings:
            query = PREFIXES + """SELECT DISTINCT ?item ?len ?token ?class WHERE {
                ?item kg:token ?token ; a ?class ; kg:tokenCount ?len }"""
            rows = self.store.query(query, use_default_graph_as_union=True,
                                    substitutions={Variable("token"): Literal(token), Variable("class"): self.cls})
            self._postings[token] = {row["item"].value: int(row["len"].value) for row in rows}
        return self._postings[token]

    def df(self, token: str) -> int:
        """How many items hold the token (a COUNT, cheaper than fetching the postings)."""
        if token in self._postings:
            return len(self._postings[token])
        if token not in self._df:
            query = PREFIXES + """SELECT ?token ?class (COUNT(DISTINCT ?item) AS ?n) WHERE {
                ?item kg:token ?token ; a ?class } GROUP BY ?token ?class"""
            rows = list(self.store.query(query, use_default_graph_as_union=True,
                                         substitutions={Variable("token"): Literal(token), Variable("class"): self.cls}))
            self._df[token] = int(rows[0]["n"].value) if rows else 0
        return self._df[token]

    def idf(self, token: str) -> float:
        df = self.df(token)
        return math.log(1 + (self.total - df + 0.5) / (df + 0.5))

    def bm25(self, tokens: list[str]) -> dict[str, tuple[float, list[str]]]:
        """{item: (score, matched tokens)} for items holding any of the tokens (tf taken as 1)."""
        scores: dict[str, tuple[float, list[str]]] = {}
        for token in tokens:
            idf = self.idf(token)
            for item, length in self.postings(token).items():
                norm = (K1 + 1) / (1 + K1 * (1 - B + B * length / self.avg_len))
                score, matched = scores.get(item, (0.0, []))
                scores[item] = (score + idf * norm, [*matched, token])
        return scores


def search(store: Store, query: str, scope: str = "measures", top: int = 10) -> list[Hit]:
    """Items of a scope ranked by BM25 over jieba tokens; exact matches of the query first."""
    if scope not in SCOPES:
        raise QueryError(f"检索范围须为 {'/'.join(SCOPES)} (scope must be one of {', '.join(SCOPES)})")
    words = query_tokens(query)
    if not words:
        raise QueryError("检索词为空 (empty search)")
    index = TokenIndex(store, SCOPES[scope])
    rare = [w for w in words if index.df(w) <= COMMON_SHARE * index.total]
    scored = index.bm25(rare or words)  # very common tokens add little to the ranking and cost the most
    phrase = re.sub(r"\s+", "", query)
    ranked = sorted(scored.items(), key=lambda kv: -kv[1][0])[: max(top * 3, 30)]
    hits = []
    describer = Describer(store)
    for item, (score, matched) in ranked:
        hit = describer(item, index.kind, score, matched)
        hit.exact = phrase in hit.text
        hit.snippet = snippet(hit.text, [phrase, *matched])
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

    def _rows(self, query: str, variable: str, iri: str) -> list:
        return list(self.store.query(query, use_default_graph_as_union=True,
                                     substitutions={Variable(variable): NamedNode(iri)}))


def _value(row, name: str) -> str | None:  # noqa: ANN001 - a pyoxigraph QuerySolution or None
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
