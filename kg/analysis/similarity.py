"""Measure similarity: measures linked when they share a problem type and a cited document or
enough rare tokens, scored in 0..1 (the ``measure-similarity`` view, and the communities' input).
A measure the classifier left untyped is of no other type: it is linked by a shared document alone,
scored over tokens and documents.

Features are read once per scope (``measure_features``: tokens from the text index or cut again
from the stored texts, leaf problem types, cited documents, token idf); candidate pairs come from
the token and document postings, never from all pairs, and each is then scored exactly.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import cast

import networkx as nx
from pyoxigraph import NamedNode, Store

from kg.graph import CITES, Context, Reader, node_attributes
from kg.index import TextIndex
from kg.namespaces import KG
from kg.text import tokens as text_tokens

VIEW = "measure-similarity"
TITLE = "相似措施 (measures sharing problem types and documents or rare words; weight = similarity 0..1)"

# measure-similarity: link rule, score weights, sparsity
SIMILARITY_THRESHOLD = 0.25
SIMILARITY_TOP_K = 10
MIN_TOKEN_COSINE = 0.15  # "enough tokens" when no document is shared
SCORE_WEIGHTS = {"tokens": 0.5, "types": 0.3, "documents": 0.2}
POSTINGS_BUDGET = 400  # postings visited per measure (rarest tokens first) to find candidates
CANDIDATES = 50  # best candidates by partial token score scored exactly


@dataclass
class MeasureFeatures:
    """Per measure: distinct tokens, leaf problem types, cited documents; and token idf."""

    tokens: dict[str, set[str]]
    types: dict[str, set[str]]
    documents: dict[str, set[str]]
    idf: dict[str, float]


def measure_features(context: Context, index: TextIndex | None = None) -> MeasureFeatures:
    """The tokens, types and cited documents of the measures in scope; the tokens from the text
    index when given (else cut again from the stored texts: 15 s of jieba at 1,000 reports)."""
    measures = {n for n, k in context.kinds.items() if k == "Measure"}
    stored = index.tokens_of("Measure") if index is not None else _text_tokens(context.reader, "Measure")
    tokens = {m: set(stored.get(m, ())) for m in measures}
    types = {m: set(c) for m, c in context.reader.links("problemType").items() if m in measures}
    documents: dict[str, set[str]] = defaultdict(set)
    for relation in CITES:
        for measure, cited in context.reader.links(relation).items():
            if measure in measures:
                documents[measure].update(cited)
    df = Counter(t for found in tokens.values() for t in found)
    total = len(measures)
    idf = {t: math.log(1 + (total - n + 0.5) / (n + 0.5)) for t, n in df.items()}
    return MeasureFeatures(tokens, types, dict(documents), idf)



def _text_tokens(reader: Reader, kind: str) -> dict[str, set[str]]:
    """{item: its distinct jieba tokens} of a class of items, cut from their stored text the way
    the text index cuts them (the index lives outside the graph, kg.index)."""
    rows = reader.select("DISTINCT ?s ?t", f"?s a {NamedNode(KG + kind)} ; kg:text ?t")
    return {row[0].value: set(text_tokens(row[1].value)) for row in rows}

def measure_similarity(store: Store, *, report: str | None = None, threshold: float = SIMILARITY_THRESHOLD,
                       top_k: int = SIMILARITY_TOP_K, index: TextIndex | None = None) -> nx.Graph:
    """Measures linked by shared types and documents or rare tokens, sparse: score >= threshold, top-k.

    Candidates come from the token postings (each measure's rarest tokens first, a bounded number of
    postings) and from documents cited in common, never from all pairs; each candidate pair is then
    scored exactly: 0.5 token cosine (idf-weighted) + 0.3 type Jaccard + 0.2 document Jaccard.
    A pair must share a problem type, and a document or a token cosine of MIN_TOKEN_COSINE.
    """
    context = Context.of(store, report)
    return similarity_graph(context, measure_features(context, index), threshold=threshold, top_k=top_k)


def similarity_graph(context: Context, features: MeasureFeatures, *, threshold: float = SIMILARITY_THRESHOLD,
                     top_k: int = SIMILARITY_TOP_K) -> nx.Graph:
    """The measure-similarity view from features already read (analyses reuse them)."""
    graph = nx.Graph(view="measure-similarity", report=context.scope, threshold=threshold, top_k=top_k)
    for node, attributes in node_attributes(context, features.tokens).items():
        graph.add_node(node, **attributes)
    for (a, b), attributes in _similar_pairs(features, threshold, top_k).items():
        graph.add_edge(a, b, relation="similarTo", **attributes)
    return graph


def _similar_pairs(features: MeasureFeatures, threshold: float, top_k: int) -> dict[tuple[str, str], dict[str, object]]:
    """The kept edges: each measure's top-k candidates scoring at least the threshold."""
    scorer = _Scorer(features)
    kept: dict[tuple[str, str], dict[str, object]] = {}
    for measure in sorted(features.tokens):
        if not features.types.get(measure):
            continue
        scored = []
        for other in scorer.candidates(measure):
            attributes = scorer.score(measure, other)
            weight = cast(float, attributes["weight"]) if attributes else 0.0
            if attributes and weight >= threshold:
                scored.append((weight, other, attributes))
        for _, other, attributes in heapq.nlargest(top_k, scored, key=lambda s: (s[0], s[1])):
            kept[(min(measure, other), max(measure, other))] = attributes
    return kept


class _Scorer:
    """Candidate generation from the token and document postings, and exact pair scores (cached)."""

    def __init__(self, features: MeasureFeatures) -> None:
        self.features = features
        self.postings: dict[str, list[str]] = defaultdict(list)
        for measure, found in features.tokens.items():
            for token in found:
                self.postings[token].append(measure)
        self.by_document: dict[str, list[str]] = defaultdict(list)
        for measure, cited in features.documents.items():
            for document in cited:
                self.by_document[document].append(measure)
        self.idf2 = {t: w * w for t, w in features.idf.items()}
        self.norm = {m: math.sqrt(sum(self.idf2[t] for t in found)) or 1.0 for m, found in features.tokens.items()}
        self.cache: dict[tuple[str, str], dict[str, object] | None] = {}

    def candidates(self, measure: str) -> set[str]:
        """Measures holding this one's rarest tokens (within a postings budget), and co-citing ones."""
        partial: dict[str, float] = defaultdict(float)
        visited = 0
        for token in sorted(self.features.tokens[measure], key=lambda t: (len(self.postings[t]), t)):
            if visited >= POSTINGS_BUDGET:
                break
            weight = self.idf2[token]
            for other in self.postings[token]:
                partial[other] += weight
            visited += len(self.postings[token])
        found = {m for m, _ in heapq.nlargest(CANDIDATES, partial.items(), key=lambda kv: kv[1])}  # most_common
        for document in sorted(self.features.documents.get(measure, ())):
            found.update(self.by_document[document][:CANDIDATES])
        found.discard(measure)
        return found

    def score(self, a: str, b: str) -> dict[str, object] | None:
        key = (a, b) if a < b else (b, a)
        if key not in self.cache:
            self.cache[key] = self._score(*key)
        return self.cache[key]

    def _score(self, a: str, b: str) -> dict[str, object] | None:
        """Similarity of two measures in 0..1 with its parts, or None when they are not to be linked."""
        features = self.features
        types_a, types_b = features.types.get(a, set()), features.types.get(b, set())
        shared_types = types_a & types_b
        typed = bool(types_a and types_b)  # an untyped measure (the classifier abstained) is not of another type
        if typed and not shared_types:
            return None
        docs_a, docs_b = features.documents.get(a, set()), features.documents.get(b, set())
        shared_docs = docs_a & docs_b
        if not typed and not shared_docs:  # without types, only a shared document is evidence enough
            return None
        idf2 = self.idf2
        cosine = min(sum(idf2[t] for t in features.tokens[a] & features.tokens[b]) / (self.norm[a] * self.norm[b]), 1.0)
        if not shared_docs and cosine < MIN_TOKEN_COSINE:
            return None
        documents = len(shared_docs) / len(docs_a | docs_b) if shared_docs else 0.0
        parts = SCORE_WEIGHTS["tokens"] * cosine + SCORE_WEIGHTS["documents"] * documents
        if typed:
            score = parts + SCORE_WEIGHTS["types"] * len(shared_types) / len(types_a | types_b)
        else:  # the weights of what can be compared, renormalised
            score = parts / (SCORE_WEIGHTS["tokens"] + SCORE_WEIGHTS["documents"])
        return {"weight": round(score, 4), "token_similarity": round(cosine, 4),
                "shared_types": len(shared_types), "shared_documents": len(shared_docs)}
