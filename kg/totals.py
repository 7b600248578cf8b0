"""Corpus totals: what the whole-corpus listings count, kept up to date at build time.

Three listings aggregate every report before their first row: organisations with their measure
counts, documents cited by two or more regions, and problem types per region. At 10,000 reports
Oxigraph took 5.2 s, 22.8 s and 3.0 s for them (and ``kg types`` 7.6 s), however few rows were
wanted. So each report's share of those totals (a ``Tally``) is worked out from its graph's quads
when it is built, kept in the side database beside its text-index rows (same transaction, removed
with them), and the totals touched by a build are rewritten in one named graph, ``TOTALS_GRAPH``,
that the saved queries read like any other graph.

The report graphs stay the truth: a tally is computed from a graph's quads by ``report_tallies``
whether the quads come from the parser or from the store (``kg.build.reconcile`` re-derives the
tallies of graphs the index lacks). A report's tallies are one value in its side-database row,
written in the transaction of its index rows, which also flags the totals stale; after the graphs
are written, ``refresh_totals`` sums every report's tallies, compares them with what the totals
graph states (recorded in the side database) and rewrites what differs. The flag is cleared only
after, so a build killed in between leaves the work to the next build.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store, serialize

from kg.classify import taxonomy
from kg.index import TOTALS_KEPT as KEPT
from kg.index import TOTALS_STALE, Tally, TextIndex, decode_key, encode_key
from kg.namespaces import DCT, ID, KG, ROLE_PROPERTIES, SKOS_PREF, TOTALS_GRAPH
from kg.rdf import document_scope_of, int_literal
from kg.sparql import select, term_text

ORGANISATION, TYPE, DOCUMENT = "organisation", "type", "document"
COMMITTEE_SEPARATOR = "、"
SHARED_MIN_REGIONS = 2  # a document is listed as shared once the reports of two regions cite it
BULK_QUADS = 10_000  # more new quads than this go through Store.bulk_load
WRITE_BATCH_QUADS = 200_000  # the totals graph is written in batches of this many quads (memory)

_K = {name: NamedNode(KG + name) for name in (
    "committee", "region", "divisionCode", "problemType", "document",
    "totalOf", "regionCode", "measureTotal", "itemTotal",
    "regionTotal", "citingCommittees")}
_TITLE, _IDENTIFIER = NamedNode(DCT + "title"), NamedNode(DCT + "identifier")
_ROLES = tuple(KG + name for name in ROLE_PROPERTIES.values())  # kg:namesOrganisation, not written (kg.rdf)
_READ = frozenset({*(_K[name] for name in ("committee", "region", "divisionCode", "problemType", "document")),
                   *map(NamedNode, _ROLES), SKOS_PREF, _TITLE, _IDENTIFIER})


# --- a report's tallies, from its quads --------------------------------------------------

def report_tallies(graph: NamedNode, quads: Iterable[Quad]) -> list[Tally]:
    """The tallies of one report graph, read from its quads (parser output or stored graph alike)."""
    facts: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for quad in [q for q in quads if q.predicate in _READ]:  # a tenth of the quads: filtered first, 8x faster
        facts[quad.predicate.value].append((term_text(quad.subject), term_text(quad.object)))
    one = {p: dict(facts.get(p, ())) for p in (KG + "committee", KG + "region", KG + "divisionCode", SKOS_PREF.value)}

    def code_of(node: str | None) -> str:
        return one[KG + "divisionCode"].get(one[KG + "region"].get(node or "", ""), "")

    committee = one[KG + "committee"].get(graph.value)
    return [*_organisation_tallies(facts, code_of, one[SKOS_PREF.value]), *_type_tallies(facts, code_of(committee)),
            *_document_tallies(facts, code_of(committee), one[SKOS_PREF.value].get(committee or ""))]


def _organisation_tallies(facts: dict[str, list[tuple[str, str]]], code_of: Callable[[str | None], str],
                          labels: dict[str, str]) -> list[Tally]:
    measures: dict[tuple[str, str], set[str]] = defaultdict(set)
    for measure, org in (pair for role in _ROLES for pair in facts.get(role, [])):
        code, name = code_of(org), labels.get(org)
        if code and name:
            measures[(code, name)].add(measure)
    return [Tally(ORGANISATION, key, len(found)) for key, found in sorted(measures.items())]


def _type_tallies(facts: dict[str, list[tuple[str, str]]], code: str) -> list[Tally]:
    """Items per leaf type, and per top type (an item of two kinds of one type counted once)."""
    concepts = taxonomy().concepts
    items: dict[str, set[str]] = defaultdict(set)
    for item, concept in facts.get(KG + "problemType", []):
        items[concept].add(item)
        broader = concepts[concept].broader if concept in concepts else None
        if broader:
            items[broader].add(item)
    return [Tally(TYPE, (code, concept), len(found)) for concept, found in sorted(items.items())]


def _document_tallies(facts: dict[str, list[tuple[str, str]]], code: str, committee: str | None) -> list[Tally]:
    """Documents that other regions may cite too: a local document's node is the citing region's
    own (its IRI holds the region code), so it is never shared and is not tallied (it was 85% of
    the tallies of a 10,000-report corpus)."""
    if not code or not committee:
        return []
    titles: dict[str, set[str]] = defaultdict(set)
    numbers: dict[str, set[str]] = defaultdict(set)
    for doc, title in facts.get(_TITLE.value, []):
        titles[doc].add(title)
    for doc, number in facts.get(_IDENTIFIER.value, []):
        numbers[doc].add(number)
    cited = {doc for _, doc in facts.get(KG + "document", []) if document_scope_of(doc) != "local"}
    return [Tally(DOCUMENT, (doc, title, number), 1, (code, committee))
            for doc in sorted(cited) for title in sorted(titles.get(doc, ()))
            for number in sorted(numbers.get(doc) or {""})]


# --- totals, from the tallies of every report ---------------------------------------------

def total_iri(kind: str, key: tuple[str, ...]) -> NamedNode:
    """The node of one total in the totals graph: the same key always gives the same node."""
    digest = hashlib.sha256(encode_key((kind, *key)).encode()).hexdigest()[:24]
    return NamedNode(f"{ID}total/{kind}/{digest}")


@dataclass(frozen=True)
class Total:
    """One corpus total summed over every report's tally of it: n the sum of their counts,
    regions and committees the distinct ones of their details (documents)."""

    kind: str
    key: tuple[str, ...]
    n: int
    regions: int = 0
    committees: tuple[str, ...] = ()

    @property
    def value(self) -> str:
        """What the totals graph states of it, as one string: equal values, equal quads."""
        return encode_key((str(self.n), str(self.regions), *self.committees))


def sum_tallies(tallies: Iterable[Tally]) -> dict[tuple[str, str], Total]:
    """{(kind, encoded key): total} of every total some tally counts."""
    counts: dict[tuple[str, tuple[str, ...]], int] = defaultdict(int)
    details: dict[tuple[str, tuple[str, ...]], set[tuple[str, ...]]] = defaultdict(set)
    for tally in tallies:
        counts[(tally.kind, tally.key)] += tally.n
        if tally.detail:
            details[(tally.kind, tally.key)].add(tally.detail)
    totals = {}
    for (kind, key), n in counts.items():
        seen = details.get((kind, key), set())
        totals[(kind, encode_key(key))] = Total(kind, key, n, len({d[0] for d in seen}),
                                                tuple(sorted({d[1] for d in seen})))
    return totals


def total_quads(total: Total) -> list[Quad]:
    """The quads stating one total (none for a document cited by one region only).

    No rdf:type: a total's class follows from the domain of its count property (kg:measureTotal,
    kg:itemTotal, kg:regionTotal), which keeps the totals graph a quarter smaller."""
    node = total_iri(total.kind, total.key)
    out: list[tuple[NamedNode, NamedNode, NamedNode | Literal]] = []
    if total.kind == ORGANISATION:
        code, name = total.key
        out += [(node, SKOS_PREF, Literal(name)), (node, _K["regionCode"], Literal(code)),
                (node, _K["measureTotal"], int_literal(total.n))]
    elif total.kind == TYPE:
        code, concept = total.key
        out += [(node, _K["totalOf"], NamedNode(concept)), (node, _K["itemTotal"], int_literal(total.n))]
        if code:
            out.append((node, _K["regionCode"], Literal(code)))
    elif total.kind == DOCUMENT and total.regions >= SHARED_MIN_REGIONS:
        document, title, number = total.key
        out += [(node, _K["totalOf"], NamedNode(document)), (node, _TITLE, Literal(title)),
                (node, _K["regionTotal"], int_literal(total.regions)),
                (node, _K["citingCommittees"], Literal(COMMITTEE_SEPARATOR.join(total.committees)))]
        if number:
            out.append((node, _IDENTIFIER, Literal(number)))
    return [Quad(s, p, o, TOTALS_GRAPH) for s, p, o in out]


def type_counts(store: Store) -> dict[str, dict[str, int]]:
    """{concept IRI: {region code ("?" when unknown): problems and measures}}, leaf and top
    concepts, read from the totals graph (an item with two kinds of one type counts once for it)."""
    query = f"""SELECT ?concept ?code ?n WHERE {{ GRAPH <{TOTALS_GRAPH.value}> {{
        ?total <{KG}itemTotal> ?n ; <{KG}totalOf> ?concept . OPTIONAL {{ ?total <{KG}regionCode> ?code }} }} }}"""
    counts: dict[str, dict[str, int]] = {}
    for row in select(store, query, union=False):
        code = row["code"].value if row["code"] is not None else "?"
        counts.setdefault(row["concept"].value, {})[code] = int(row["n"].value)
    return counts


def refresh_totals(store: Store, index: TextIndex) -> int:
    """Rewrite in the totals graph every total whose value changed since it was last written;
    returns how many were rewritten (or removed).

    Runs when a report's tallies changed since (the side database's ``totals-stale`` flag): every
    report's tallies are summed (about 1 s at 10,000 reports) and compared with what the ``totals``
    table records as stated. The record is updated, and the flag cleared, only once the graph is
    written; while it is written the record is marked as not describing the graph, so after a build
    killed in between (or a side database new, emptied or of an older schema) the graph is cleared
    and every total written afresh."""
    if index.meta(KEPT) is None:
        if store.contains_named_graph(TOTALS_GRAPH):
            store.remove_graph(TOTALS_GRAPH)
        index.forget_totals()  # everything stale: record_totals below marks the record kept again
    if index.meta(TOTALS_STALE) is None:
        return 0
    want = sum_tallies(index.all_tallies())
    stated = index.stated_totals()
    changed = {key: total for key, total in want.items() if stated.get(key) != total.value}
    removed = [key for key in stated if key not in want]
    in_graph = bool(stated)
    # until record_totals, the record may not describe the graph: a kill from here on makes the
    # next refresh clear the graph and write every total afresh
    index.set_meta(KEPT, None)
    batch: list[Quad] = []
    for kind, key in [*changed, *removed]:
        if in_graph:
            for quad in list(store.quads_for_pattern(total_iri(kind, decode_key(key)), None, None, TOTALS_GRAPH)):
                store.remove(quad)
        if (kind, key) in changed:
            batch.extend(total_quads(changed[(kind, key)]))
        if len(batch) >= WRITE_BATCH_QUADS:
            _add(store, batch)
            batch = []
    _add(store, batch)
    index.record_totals({key: total.value for key, total in changed.items()}, removed)
    return len(changed) + len(removed)


def _add(store: Store, quads: list[Quad]) -> None:
    if len(quads) > BULK_QUADS:  # lenient: terms built a moment ago from checked ones
        store.bulk_load(input=serialize(quads, format=RdfFormat.N_QUADS), format=RdfFormat.N_QUADS, lenient=True)
    else:
        store.extend(quads)


def totals_problems(store: Store, index: TextIndex) -> list[str]:
    """How the totals graph differs from the totals of every report's tallies (empty when they
    agree): totals left dirty by an unfinished build, and totals missing, extra or different."""
    problems = []
    if index.meta(KEPT) is None:
        problems.append("尚未生成 (corpus totals not written yet: run kg build)")
    if index.meta(TOTALS_STALE) is not None:
        problems.append("待更新 (reports changed since the totals were written: run kg build)")
    want = {quad for total in sum_tallies(index.all_tallies()).values() for quad in total_quads(total)}
    have = set(store.quads_for_pattern(None, None, None, TOTALS_GRAPH))
    for label, quads in (("缺少 (missing)", want - have), ("多出 (extra)", have - want)):
        subjects = sorted({term_text(q.subject) for q in quads})
        if subjects:
            problems.append(f"{label} {len(subjects)} 项, 如 (e.g.) {subjects[0]}")
    return problems
