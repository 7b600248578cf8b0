"""Related measures: what others did about the same kind of problem.

A measure (or a free text) is compared with other measures through the text index in
four ways: BM25 of the measure texts over the source's domain keywords and rare words;
BM25 of the *problems* the measures answer over the source's domain keywords (a measure
under "意识形态领域管控不力" is related to one about 意识形态 even when its own words are
思政 and 舆情); the share of problem types in common (Jaccard); documents cited by both.
The combined score is explained by the shared terms, problem, types and documents.
Measures from other regions come first.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import Literal, NamedNode, Store, Variable

from kg.classify import classify, taxonomy
from kg.exceptions import QueryError
from kg.index import TextIndex
from kg.namespaces import ID
from kg.parse.documents import find_titles
from kg.parse.region import code_within
from kg.search import PREFIXES, Describer, snippet
from kg.sparql import select
from kg.text import tokens

QUERY_TERMS = 20  # rarest shared tokens of the source used to find candidates
COMMON_SHARE = 0.05  # tokens in more than this share of measures say little (and cost most)
CANDIDATES = 40  # best text matches looked at in detail
PROBLEMS = 12  # best matching problems whose measures are looked at too
WEIGHTS = {"text": 0.5, "problem": 0.1, "types": 0.3, "documents": 0.1}


@dataclass
class Source:
    text: str
    types: set[str]
    documents: set[str]
    region_code: str | None = None
    report: str | None = None
    item: str | None = None
    problem: str | None = None


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


def related(store: Store, index: TextIndex, text: str | None = None, measure: str | None = None, top: int = 10,
            exclude_region: str | None = None) -> list[Related]:
    """The measures most related to a free text or to a measure, other regions first."""
    source = _measure_source(store, measure) if measure else _text_source(store, text or "")
    counts = Counter(tokens(source.text))
    words = list(counts)
    if not words:
        raise QueryError("文本中没有可比较的词 (no content words to compare)")
    own = 1 if source.item else 0  # a token only the source itself holds finds nothing
    total = index.total("Measure")
    useful = [w for w in words if own < index.df("Measure", w) <= max(2, COMMON_SHARE * total)]
    keywords = _taxonomy_keywords()

    def idf(word: str) -> float:
        return index.idf("Measure", word)

    # domain keywords first (they name the kind of problem), then rare words the source repeats
    words = sorted(useful, key=lambda w: (w not in keywords, -idf(w) * (1 + math.log(counts[w]))))[:QUERY_TERMS]
    scored = {m.item: (m.score, m.matched)
              for m in index.rank("Measure", words, limit=CANDIDATES + 1, exclude_graph=source.report)
              if m.item != source.item}
    best = max((s for s, _ in scored.values()), default=1.0) or 1.0
    context_words = [w for w in dict.fromkeys([*counts, *tokens(source.problem or "")]) if w in keywords]
    by_problem = _measures_of_matching_problems(store, index, context_words, source)
    candidates = list(scored)[:CANDIDATES]
    candidates += [item for item in by_problem if item not in scored]
    results = []
    describe = Describer(store)
    for item in candidates:
        bm25, matched = scored.get(item, (0.0, []))
        problem_score, problem_terms = by_problem.get(item, (0.0, []))
        detail = _details(store, item)
        if exclude_region and code_within(detail["region"], exclude_region):
            continue
        shared_types = sorted(source.types & detail["types"])
        union = source.types | detail["types"]
        shared_docs = sorted(source.documents & detail["documents"])
        score = (WEIGHTS["text"] * bm25 / best + WEIGHTS["problem"] * problem_score
                 + WEIGHTS["types"] * (len(shared_types) / len(union) if union else 0)
                 + WEIGHTS["documents"] * min(1, len(shared_docs)))
        hit = describe(item, "Measure")
        results.append(Related(
            item=item, score=round(score, 3), text_score=round(bm25, 2), region_code=hit.region_code,
            committee=hit.committee, problem=detail["problem"], year=detail["year"], report=hit.report,
            snippet=snippet(hit.text, matched or problem_terms),
            shared_terms=sorted(dict.fromkeys([*matched, *problem_terms]), key=idf, reverse=True)[:6],
            shared_types=[_label(t) for t in shared_types], shared_documents=[_doc_title(store, d) for d in shared_docs]))
    same_region = source.region_code
    results.sort(key=lambda r: (r.region_code is not None and r.region_code == same_region, -r.score))
    return results[:top]


def _measures_of_matching_problems(store: Store, index: TextIndex, words: list[str],
                                   source: Source) -> dict[str, tuple[float, list[str]]]:
    """{measure: (normalised BM25 of its problem over the domain keywords, matched keywords)}."""
    if not words:
        return {}
    problems = index.rank("Problem", words, limit=PROBLEMS, exclude_graph=source.report)
    best = max((p.score for p in problems), default=1.0) or 1.0
    found: dict[str, tuple[float, list[str]]] = {}
    for problem in problems:
        rows = select(store, PREFIXES + "SELECT ?m ?p WHERE { { ?m kg:addresses ?p } UNION "
                      "{ ?q kg:subProblemOf ?p . ?m kg:addresses ?q } }", {Variable("p"): NamedNode(problem.item)})
        for row in rows:
            found.setdefault(row["m"].value, (problem.score / best, problem.matched))
    return found


def _taxonomy_keywords() -> frozenset[str]:
    return frozenset(k for c in taxonomy().leaves for k in c.keywords)


def _label(concept: str) -> str:
    found = taxonomy().concepts.get(concept)
    return f"{found.notation} {found.label_zh}" if found else concept


def _doc_title(store: Store, doc: str) -> str:
    rows = list(select(store, PREFIXES + "SELECT ?d ?t WHERE { ?d dcterms:title ?t } LIMIT 1",
                       {Variable("d"): NamedNode(doc)}))
    return rows[0]["t"].value if rows else doc


def _text_source(store: Store, text: str) -> Source:
    if not text.strip():
        raise QueryError("请给出文本或 --measure (give a text or --measure)")
    types = {hit.concept.iri for hit in classify(text)}
    documents: set[str] = set()
    for mention in find_titles(text):
        rows = select(store, PREFIXES + "SELECT DISTINCT ?d ?t WHERE { ?d dcterms:title ?t }",
                      {Variable("t"): Literal(mention.title)})
        documents |= {row["d"].value for row in rows}
    return Source(text=text, types=types, documents=documents)


def _measure_source(store: Store, measure: str) -> Source:
    iri = measure if measure.startswith("http") else ID + measure.lstrip("/")
    detail = _details(store, iri)
    if detail["text"] is None:
        raise QueryError(f"没有这条措施 (no measure {iri})")
    return Source(text=detail["text"], types=detail["types"], documents=detail["documents"],
                  region_code=detail["region"], report=detail["report"], item=iri, problem=detail["problem"])


def _details(store: Store, item: str) -> dict[str, Any]:
    """Text, report, region, problem title, year, types and cited documents of one measure."""
    query = PREFIXES + """SELECT ?m ?text ?report ?region ?problem ?signed ?type ?doc WHERE {
        ?m kg:text ?text ; kg:inReport ?report .
        OPTIONAL { ?report kg:committee/kg:region/kg:divisionCode ?region }
        OPTIONAL { ?m kg:addresses/kg:text ?problem }
        OPTIONAL { ?report kg:signedDate ?signed }
        OPTIONAL { ?m kg:problemType ?type }
        OPTIONAL { { ?m kg:formulates ?doc } UNION { ?m kg:applies ?doc } UNION { ?m kg:mentions ?doc } }
    }"""
    rows = list(select(store, query, {Variable("m"): NamedNode(item)}))
    first = rows[0] if rows else None

    def value(name: str) -> str | None:
        return first[name].value if first is not None and first[name] is not None else None

    signed = value("signed")
    return {"text": value("text"), "report": value("report"), "region": value("region"), "problem": value("problem"),
            "year": signed[:4] if signed else None,
            "types": {r["type"].value for r in rows if r["type"] is not None},
            "documents": {r["doc"].value for r in rows if r["doc"] is not None}}
