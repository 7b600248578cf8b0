"""Related measures: what others did about the same kind of problem.

A measure (or a free text) is compared with every other measure through the token index:
BM25 over its rarest tokens (text similarity), the share of problem types in common
(Jaccard), and documents cited by both. The combined score is explained by the shared
terms, types and documents. Measures from other regions come first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyoxigraph import NamedNode, Store, Variable

from kg.classify import classify, taxonomy
from kg.exceptions import QueryError
from kg.parse.documents import find_titles
from kg.rdf import ID
from kg.search import PREFIXES, TokenIndex, describe, snippet
from kg.text import tokens

QUERY_TERMS = 15  # rarest tokens of the source used to find candidates
CANDIDATES = 40  # best text matches looked at in detail
WEIGHTS = {"text": 0.6, "types": 0.3, "documents": 0.1}


@dataclass
class Source:
    text: str
    types: set[str]
    documents: set[str]
    region_code: str | None = None
    report: str | None = None
    item: str | None = None


@dataclass
class Related:
    item: str
    score: float
    text_score: float
    region_code: str | None
    committee: str | None
    problem: str | None
    year: str | None
    report: str | None
    snippet: str
    shared_terms: list[str] = field(default_factory=list)
    shared_types: list[str] = field(default_factory=list)
    shared_documents: list[str] = field(default_factory=list)


def related(store: Store, text: str | None = None, measure: str | None = None, top: int = 10,
            exclude_region: str | None = None) -> list[Related]:
    """The measures most related to a free text or to a measure, other regions first."""
    source = _measure_source(store, measure) if measure else _text_source(store, text or "")
    words = list(dict.fromkeys(tokens(source.text)))
    if not words:
        raise QueryError("文本中没有可比较的词 (no content words to compare)")
    index = TokenIndex(store, "Measure")
    words = sorted(words, key=index.idf, reverse=True)[:QUERY_TERMS]
    scored = index.bm25(words)
    scored.pop(source.item or "", None)
    best = max((s for s, _ in scored.values()), default=1.0) or 1.0
    results = []
    for item, (bm25, matched) in sorted(scored.items(), key=lambda kv: -kv[1][0])[:CANDIDATES]:
        detail = _details(store, item)
        if source.report and detail["report"] == source.report:
            continue
        if exclude_region and _within(detail["region"], exclude_region):
            continue
        shared_types = sorted(source.types & detail["types"])
        union = source.types | detail["types"]
        shared_docs = sorted(source.documents & detail["documents"])
        score = (WEIGHTS["text"] * bm25 / best + WEIGHTS["types"] * (len(shared_types) / len(union) if union else 0)
                 + WEIGHTS["documents"] * min(1, len(shared_docs)))
        hit = describe(store, item, "Measure")
        results.append(Related(
            item=item, score=round(score, 3), text_score=round(bm25, 2), region_code=hit.region_code,
            committee=hit.committee, problem=detail["problem"], year=detail["year"], report=hit.report,
            snippet=snippet(hit.text, matched), shared_terms=sorted(matched, key=index.idf, reverse=True)[:6],
            shared_types=[_label(t) for t in shared_types], shared_documents=[_doc_title(store, d) for d in shared_docs]))
    same_region = source.region_code
    results.sort(key=lambda r: (r.region_code is not None and r.region_code == same_region, -r.score))
    return results[:top]


def _within(code: str | None, region: str) -> bool:
    """A region code lies within a region: 370105 is within 370105, 370100 and 370000."""
    if not code:
        return False
    prefix = region.rstrip("0")
    if len(prefix) % 2:
        prefix += "0"
    return code.startswith(prefix)


def _label(concept: str) -> str:
    found = taxonomy().concepts.get(concept)
    return f"{found.notation} {found.label_zh}" if found else concept


def _doc_title(store: Store, doc: str) -> str:
    rows = list(store.query(PREFIXES + "SELECT ?d ?t WHERE { ?d dcterms:title ?t } LIMIT 1",
                            use_default_graph_as_union=True, substitutions={Variable("d"): NamedNode(doc)}))
    return rows[0]["t"].value if rows else doc


def _text_source(store: Store, text: str) -> Source:
    if not text.strip():
        raise QueryError("请给出文本或 --measure (give a text or --measure)")
    types = {hit.concept.iri for hit in classify(text)}
    documents: set[str] = set()
    for mention in find_titles(text):
        rows = store.query(PREFIXES + "SELECT DISTINCT ?d ?t WHERE { ?d dcterms:title ?t }",
                           use_default_graph_as_union=True, substitutions={Variable("t"): _lit(mention.title)})
        documents |= {row["d"].value for row in rows}
    return Source(text=text, types=types, documents=documents)


def _lit(value: str):  # noqa: ANN202 - a pyoxigraph Literal
    from pyoxigraph import Literal

    return Literal(value)


def _measure_source(store: Store, measure: str) -> Source:
    iri = measure if measure.startswith("http") else ID + measure.lstrip("/")
    detail = _details(store, iri)
    if detail["text"] is None:
        raise QueryError(f"没有这条措施 (no measure {iri})")
    return Source(text=detail["text"], types=detail["types"], documents=detail["documents"],
                  region_code=detail["region"], report=detail["report"], item=iri)


def _details(store: Store, item: str) -> dict:
    """Text, report, region, problem title, year, types and cited documents of one measure."""
    query = PREFIXES + """SELECT ?m ?text ?report ?region ?problem ?signed ?type ?doc WHERE {
        ?m kg:text ?text ; kg:inReport ?report .
        OPTIONAL { ?report kg:committee/kg:region/kg:divisionCode ?region }
        OPTIONAL { ?m kg:addresses/kg:text ?problem }
        OPTIONAL { ?report kg:signedDate ?signed }
        OPTIONAL { ?m kg:problemType ?type }
        OPTIONAL { { ?m kg:formulates ?doc } UNION { ?m kg:applies ?doc } UNION { ?m kg:mentions ?doc } }
    }"""
    rows = list(store.query(query, use_default_graph_as_union=True, substitutions={Variable("m"): NamedNode(item)}))
    first = rows[0] if rows else None

    def value(name: str) -> str | None:
        return first[name].value if first is not None and first[name] is not None else None

    signed = value("signed")
    return {"text": value("text"), "report": value("report"), "region": value("region"), "problem": value("problem"),
            "year": signed[:4] if signed else None,
            "types": {r["type"].value for r in rows if r["type"] is not None},
            "documents": {r["doc"].value for r in rows if r["doc"] is not None}}
