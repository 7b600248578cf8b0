"""Problem types: the SKOS taxonomy (kg/ontology/problem-types.ttl) and a keyword classifier.

An item (problem or measure) is scored against every leaf concept by the concept's keywords
found among the item's own tokens (weight 1) and among the tokens of the headings above it
(weight 0.5); longer keywords weigh more. Concepts found only in the headings count only
when the item's own words match nothing. The concepts scoring at least MIN_SCORE and at
least half the best score are kept (three at most), each with the keywords that matched, so
every assignment can be explained.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from pyoxigraph import Literal, NamedNode, RdfFormat, Variable, parse

from kg.namespaces import KG, SKOS, TYPES, sparql_prefixes
from kg.parse.region import division_code
from kg.resources import ONTOLOGY_DIR
from kg.sparql import Term, select, values_clause, with_values
from kg.text import add_words, tokens

KEYWORD_SEPARATOR = "、"  # joins an assignment's matched keywords in the graph (no keyword holds one)

if TYPE_CHECKING:
    from pyoxigraph import Store

TYPES_FILE = ONTOLOGY_DIR / "problem-types.ttl"
KEYWORD = KG + "keyword"
MIN_SCORE = 1.0
CONTEXT_WEIGHT = 0.5
MAX_TYPES = 3
MEMO_LIMIT = 20_000  # texts whose keywords a process keeps (a report has about 150)


@dataclass
class Concept:
    iri: str
    notation: str
    label_zh: str
    label_en: str
    definition: str = ""
    broader: str | None = None
    keywords: list[str] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return self.iri.removeprefix(TYPES)


@dataclass
class TypeHit:
    concept: Concept
    score: float
    matched: list[str]


@dataclass
class Taxonomy:
    concepts: dict[str, Concept]

    @property
    def leaves(self) -> list[Concept]:
        return [c for c in self.concepts.values() if c.broader is not None]

    @property
    def top(self) -> list[Concept]:
        return sorted((c for c in self.concepts.values() if c.broader is None), key=lambda c: c.notation)

    def children(self, concept: Concept) -> list[Concept]:
        return sorted((c for c in self.leaves if c.broader == concept.iri), key=lambda c: _order(c.notation))

    def family(self, concept: Concept) -> list[Concept]:
        """The concept and its kinds: what an item of that type may have been assigned (kinds only)."""
        return [concept, *self.children(concept)]

    def find(self, key: str) -> Concept | None:
        """A concept by notation (B3), Chinese or English label, slug or IRI."""
        key = key.strip()
        for concept in self.concepts.values():
            if key.lower() in (concept.notation.lower(), concept.label_zh, concept.label_en.lower(), concept.slug,
                               concept.iri):
                return concept
        return None

    def top_of(self, concept: Concept) -> Concept:
        return self.concepts[concept.broader] if concept.broader else concept

    @cached_property
    def matcher(self) -> _Matcher:
        return _Matcher.of(self)


def _order(notation: str) -> tuple[str, int]:
    return notation[0], int(notation[1:] or 0)


@lru_cache(maxsize=1)
def taxonomy(path: Path = TYPES_FILE) -> Taxonomy:
    """The problem-type scheme, read with pyoxigraph (its keywords are jieba words: _keywords)."""
    concepts: dict[str, Concept] = {}
    values: dict[tuple[str, str], list[Literal | NamedNode]] = {}
    for triple in parse(path=str(path), format=RdfFormat.TURTLE):
        values.setdefault((triple.subject.value, triple.predicate.value), []).append(triple.object)
    subjects = {s for (s, p), objs in values.items() if p.endswith("#type") and any(o.value == SKOS + "Concept" for o in objs)}
    for iri in subjects:
        labels = values.get((iri, SKOS + "prefLabel"), [])
        concepts[iri] = Concept(
            iri=iri,
            notation=values[(iri, SKOS + "notation")][0].value,
            label_zh=next((label.value for label in labels if isinstance(label, Literal) and label.language == "zh"), ""),
            label_en=next((label.value for label in labels if isinstance(label, Literal) and label.language == "en"), ""),
            definition=next((d.value for d in values.get((iri, SKOS + "definition"), [])), ""),
            broader=next((b.value for b in values.get((iri, SKOS + "broader"), [])), None),
            keywords=sorted({k.value for k in values.get((iri, KEYWORD), [])}, key=lambda k: (-len(k), k)),
        )
    return Taxonomy(concepts)


def _keywords() -> list[str]:
    """Every keyword of the taxonomy, for kg.text's tokenizer (so each stays one token)."""
    return [keyword for concept in taxonomy().concepts.values() for keyword in concept.keywords]


add_words(_keywords)


def _weight(keyword: str) -> float:
    return 1.0 + 0.25 * min(len(keyword) - 2, 4)


@dataclass
class _Matcher:
    """Keywords indexed for speed: looked up by token, and (4+ characters) by substring,
    since jieba's search mode yields the 2- and 3-character words inside a longer word only."""

    concepts: dict[str, Concept]
    by_keyword: dict[str, list[Concept]]
    long_keywords: list[str]
    present: dict[str, frozenset[str]] = field(default_factory=dict)  # the same headings stand above many items
    found: dict[tuple[str, ...], dict[str, list[str]]] = field(default_factory=dict)

    @classmethod
    def of(cls, tax: Taxonomy) -> _Matcher:
        by_keyword: dict[str, list[Concept]] = {}
        for concept in tax.leaves:
            for keyword in concept.keywords:
                by_keyword.setdefault(keyword, []).append(concept)
        return cls(tax.concepts, by_keyword, [k for k in by_keyword if len(k) >= 4])

    def find(self, *texts: str) -> dict[str, list[str]]:
        """{concept IRI: keywords present in any of the texts} (the caller must not change it).
        Each text is tokenised once: headings are matched one by one and merged, never re-cut as a
        joined string (jieba cuts at spaces, so the keywords found are the same); the same headings
        stand above every measure of a problem, so their merged result is kept too. Both memos are
        emptied now and then: a worker parses thousands of reports whose texts mostly never recur."""
        if texts in self.found:
            return self.found[texts]
        if len(self.found) > MEMO_LIMIT:
            self.found.clear()
            self.present.clear()
        present = frozenset().union(*(self._present(t) for t in texts if t))
        found: dict[str, list[str]] = {}
        for keyword in sorted(present, key=lambda k: (-len(k), k)):
            for concept in self.by_keyword[keyword]:
                found.setdefault(concept.iri, []).append(keyword)
        self.found[texts] = found
        return found

    def _present(self, text: str) -> frozenset[str]:
        if text not in self.present:
            found = set(tokens(text)).intersection(self.by_keyword)
            found.update(k for k in self.long_keywords if k not in found and k in text)
            self.present[text] = frozenset(found)
        return self.present[text]


def classify(text: str, context: list[str] | None = None, tax: Taxonomy | None = None) -> list[TypeHit]:
    """Leaf concepts for an item, best first, each with its score and matched keywords."""
    matcher = (tax or taxonomy()).matcher
    own = matcher.find(text)
    heading = matcher.find(*(context or []))
    candidates = own.keys() or heading.keys()  # headings decide alone only when the item's own words say nothing
    hits: list[TypeHit] = []
    for iri in candidates:
        own_keywords = own.get(iri, [])
        heading_keywords = [k for k in heading.get(iri, []) if k not in own_keywords]
        score = sum(map(_weight, own_keywords)) + CONTEXT_WEIGHT * sum(map(_weight, heading_keywords))
        if score >= MIN_SCORE:
            hits.append(TypeHit(matcher.concepts[iri], round(score, 2), own_keywords + [f"({k})" for k in heading_keywords]))
    hits.sort(key=lambda h: (-h.score, h.concept.notation))
    if not hits:
        return []
    best = hits[0].score
    return [h for h in hits if h.score >= best / 2][:MAX_TYPES]


# --- types in the graph ------------------------------------------------------------------

_TYPE_PREFIXES = sparql_prefixes("kg", "skos")


@dataclass
class TypedMeasure:
    item: str
    region_code: str | None
    committee: str
    year: str | None
    problem: str | None
    text: str
    score: float
    matched: list[str]


def measures_of_type(store: Store, concept: Concept, region: str | None = None,
                     since: int | None = None) -> list[TypedMeasure]:
    """Measures assigned the concept (or any child of it), grouped by region, best scored first.

    Assignments are found by their concept inside each report graph and everything else looked
    up per row (LATERAL); a region is a scope of the query, not a filter afterwards: at 10,000
    reports the whole-corpus join this replaced ran for over 10 minutes for one county."""
    region = division_code(region) if region else None
    types = [NamedNode(c.iri) for c in taxonomy().family(concept)]
    scope = (""" ?r kg:divisionCode ?region . ?own kg:withinRegion* ?r . ?c kg:region ?own .
            ?report a kg:Report ; kg:committee ?c .""" if region else "")
    query = _TYPE_PREFIXES + """SELECT ?m ?code ?committee ?signed ?problem ?text ?score ?keywords WHERE {
        GRAPH ?report {""" + scope + """
            ?a kg:concept ?type .
            LATERAL {
                ?m kg:typeAssignment ?a ; a kg:Measure ; kg:text ?text . ?a kg:score ?score .
                OPTIONAL { ?a kg:matchedKeywords ?keywords } OPTIONAL { ?m kg:addresses/kg:text ?problem }
            }
            LATERAL {
                ?report kg:committee ?c2 . ?c2 skos:prefLabel ?committee .
                OPTIONAL { ?c2 kg:region/kg:divisionCode ?code } OPTIONAL { ?report kg:signedDate ?signed }
            }
        }
    }"""
    variables = [Variable("type"), *([Variable("region")] if region else [])]
    rows_in: list[list[Term]] = [[t, *([Literal(region)] if region else [])] for t in types]
    rows = select(store, with_values(query, [values_clause(variables, rows_in)]))
    found: dict[str, TypedMeasure] = {}
    for row in rows:
        item = row["m"].value
        if item not in found:
            signed = row["signed"].value if row["signed"] is not None else None
            found[item] = TypedMeasure(item, row["code"].value if row["code"] is not None else None,
                                       row["committee"].value, signed[:4] if signed else None,
                                       row["problem"].value if row["problem"] is not None else None,
                                       row["text"].value, float(row["score"].value), [])
        if row["keywords"] is not None:
            known = found[item].matched
            known.extend(k for k in row["keywords"].value.split(KEYWORD_SEPARATOR) if k not in known)
    measures = list(found.values())
    if since:
        measures = [m for m in measures if m.year and int(m.year) >= since]
    return sorted(measures, key=lambda m: (m.region_code or "", -m.score, m.item))
