"""Search: Chinese full-text search over the text index (kg.index, SQLite FTS5 beside the graph).

A search finds, first, every item of one kind whose own text contains each word of the query as
written (a substring lookup over the indexed texts, so stop words, numbers, 文号 and parts of
compound words are found as surely as terms), ranked among themselves by BM25 over those words;
then, unless only exact hits are asked for, the items holding some of the query's jieba tokens:
those holding every part of the query before those holding only some (形式 or 主义 alone rank
below 形式 and 主义), each group by BM25. When nothing matches, or nothing contains the query
whole, the answer says why (``Hits.warning``). The graph then gives each hit its text, committee,
region and report. SPARQL reaches the token index through a ``search`` parameter of a saved
query (kg/queries/search-text.rq) or the ``kg:textScore`` function (kg.query).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import NamedNode, QuerySolution, Store, Variable

import kg.classify  # noqa: F401 - adds the taxonomy's keywords to kg.text's words before a query is cut
from kg.exceptions import QueryError
from kg.index import Match, TextIndex
from kg.namespaces import sparql_prefixes
from kg.sparql import select
from kg.text import stopwords, tokens

PREFIXES = sparql_prefixes("kg", "skos", "dcterms")
SCOPES = {"measures": "Measure", "problems": "Problem", "documents": "NamedDocument"}
SCOPE_NAMES = {"measures": "措施", "problems": "问题", "documents": "文件"}
COMMON_SHARE = 0.05  # a token in more than this share of items is left out of a multi-word ranking
_NUMBER_RE = re.compile(r"^[\d.%０-９]+$")


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


class Hits(list[Hit]):
    """The hits of one search, best first, with how many items contain the query whole
    (``exact_total``, all of them, not only those shown) and, when nothing matched or nothing
    contains the query whole, why (``warning``, one line, Chinese first)."""

    def __init__(self, hits: Iterable[Hit] = (), *, exact_total: int = 0, warning: str | None = None) -> None:
        super().__init__(hits)
        self.exact_total = exact_total
        self.warning = warning


def search(store: Store, index: TextIndex, query: str, scope: str = "measures", top: int | None = 10, *,
           exact: bool = False) -> Hits:
    """Items of a scope containing every word of the query first (all of them when ``top`` is
    None), ranked by BM25 over those words counted in their texts (TextIndex.exact); then, unless
    ``exact``, items holding some of its tokens, those holding every part first."""
    if scope not in SCOPES:
        raise QueryError(f"检索范围须为 {'/'.join(SCOPES)} (scope must be one of {', '.join(SCOPES)})")
    parts = query.split()
    if not parts:
        raise QueryError("检索词为空 (empty search)")
    kind = SCOPES[scope]
    whole, total = index.exact(kind, parts, limit=top)
    partial = [] if exact or (top is not None and total >= top) else _partial_matches(index, kind, parts, whole, top)
    ranked = [*whole, *partial][:top]
    describer = Describer(store)
    hits = Hits(exact_total=total, warning=_warning(query, parts, scope, whole, partial, exact))
    held = {m.item for m in whole}
    for match in ranked:
        hit = describer(match.item, kind, match.score, match.matched)
        hit.exact = match.item in held
        hit.snippet = snippet(hit.text, [*parts, *match.matched])
        hits.append(hit)
    return hits


def _partial_matches(index: TextIndex, kind: str, query: list[str], whole: list[Match], top: int | None) -> list[Match]:
    """Items holding some of the query's tokens but not the query whole: those holding every
    part (the tokens no other query token contains: 形式 and 主义 of 形式主义) first, then by BM25."""
    words = list(dict.fromkeys(token for part in query for token in tokens(part)))  # no stop words, numbers
    if not words:
        return []
    parts = [w for w in words if not any(other != w and other in w for other in words)]
    wanted = None if top is None else max(top - len(whole), 0)
    if wanted == 0:
        return []
    limit = None if wanted is None else max(wanted * 3, 30) + len(whole)
    total = index.total(kind)
    rare = [w for w in words if index.df(kind, w) <= COMMON_SHARE * total]
    seen = {m.item for m in whole}
    found: dict[str, tuple[float, Match]] = {}
    candidates = [*index.rank(kind, parts, every=True, limit=limit, held=words),
                  *index.rank(kind, rare or words, limit=limit, held=words)]
    if rare and len(rare) < len(words) and (limit is None or len(candidates) < limit):  # too few: common words too
        candidates += index.rank(kind, words, limit=limit, held=words)
    for match in candidates:
        if match.item in seen or match.item in found:
            continue
        cover = sum(part in match.matched for part in parts) / len(parts)
        found[match.item] = (cover, match)
    ranked = sorted(found.values(), key=lambda pair: (-pair[0], -pair[1].score))
    return [match for _, match in ranked]


def _warning(query: str, parts: list[str], scope: str, whole: list[Match], partial: list[Match],
             exact: bool) -> str | None:
    """Why nothing matched, or why no hit contains the query whole; None when some hit does."""
    if whole:
        return None
    name = SCOPE_NAMES[scope]
    shown = "」「".join(parts)
    unindexed = [part for part in parts if not tokens(part)]
    reasons = [f"「{part}」{_why_unindexed(part)}" for part in unindexed]
    if partial:
        return (f"没有{name}原文包含「{shown}」, 以下为部分词语相符的{name} "
                f"(no {scope} contain {' '.join(parts)}; partial matches follow)")
    why = ("; " + "; ".join(reasons)) if reasons else ""
    mode = "" if exact else ", 也没有相符的词"
    return (f"没有{name}原文包含「{shown}」{mode}{why} (nothing in {scope} contains {' '.join(parts)}"
            f"{'' if exact else ' or shares its words'})")


def _why_unindexed(part: str) -> str:
    """Why a word is not in the token index (so only its exact text can be found)."""
    if part in stopwords():
        return "是停用词, 不入词索引"
    if _NUMBER_RE.match(part):
        return "是数字, 不入词索引"
    if len(part) < 2:
        return "是单字, 不入词索引"
    return "不构成检索词"


class Describer:
    """Text, committee, region and report of items; committees cached per report for one call."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._committees: dict[str, tuple[str | None, str | None]] = {}

    def __call__(self, item: str, kind: str, score: float = 0.0, matched: list[str] | None = None) -> Hit:
        if kind == "NamedDocument":
            return self._document(item, score, matched)
        rows = self._rows(PREFIXES + "SELECT ?item ?text ?report WHERE { GRAPH ?report { ?item kg:text ?text } } LIMIT 1",
                          "item", item)
        text = rows[0]["text"].value if rows else ""
        report = rows[0]["report"].value if rows else None
        committee, region = self._committee(report) if report else (None, None)
        return Hit(item=item, kind=kind, score=round(score, 3), text=text, snippet="", committee=committee,
                   region_code=region, report=report, matched=matched or [])

    def _document(self, item: str, score: float, matched: list[str] | None) -> Hit:
        query = PREFIXES + """SELECT ?item ?text (SAMPLE(?c) AS ?committee) (SAMPLE(?code) AS ?region) WHERE {
            ?item dcterms:title ?text .
            OPTIONAL { GRAPH ?report { ?m kg:document ?item . ?report kg:committee ?cn } ?cn skos:prefLabel ?c .
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
