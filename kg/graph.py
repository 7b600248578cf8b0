"""Graph: the knowledge graph projected into NetworkX views, for analyses, exports and pictures.

The store is read directly with a few SELECT queries over the report graphs (never through
rdflib): each asks for the predicates it needs (Oxigraph's predicate index), so the type
explanations, which make up most quads, are read only by the views that need them, and
multi-valued data comes aggregated, one row per node (Python pays per row; Oxigraph joins fast).
Literals become node attributes, never nodes.

Views (``VIEWS``), each read straight from the store:

- ``full``: a MultiDiGraph of every resource of the report graphs (reports, committees, regions,
  inspections, groups, categories, problems, measures, document mentions, documents, organisations,
  declared counts, source files) and the problem-type concepts they use, with object-property edges
  keyed by property. Folded in rather than kept as nodes: type assignments (a ``problemType`` edge
  carries the score as ``weight`` and the matched ``keywords``) and OWL-Time intervals (the
  inspection's dates are its attributes).
- ``committee-document``: committees and the documents their measures formulate, apply or mention
  (edge ``weight`` = number of measures; ``formulates``/``applies``/``mentions`` = measures per relation).
- ``region-type``: regions (the inspected committees' divisions) and leaf problem types (edge
  ``weight`` = problems + measures typed so, as ``kg.totals.type_counts`` counts them).

The measure-similarity view is computed from these (kg.analysis.similarity), and
kg.analysis.views names every view, these and that one.

Every node has ``kind`` (class local name), ``label`` (Chinese, at most 40 characters) and ``iri``
(also the node key); where they apply ``region`` (division code), ``region_label``, ``report``,
``year`` (of the signed date), ``text`` (the span text), ``span`` ("start-end"), ``types`` (problem
type notations, space separated). Every edge has ``relation``. No attribute is ever None.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
from pyoxigraph import Literal, NamedNode, QuerySolutions, Store

from kg.exceptions import GraphError
from kg.namespaces import (DCT, KG, PROV, ROLE_PROPERTIES, SKOS, SKOS_PREF, TYPES, TYPES_GRAPH, local_id, shorten,
                           sparql_prefixes)
from kg.sparql import select, term_text
from kg.store import report_graph, report_graphs

VIEWS: dict[str, str] = {
    "full": "全图 (every report resource and problem type; object-property edges; MultiDiGraph)",
    "committee-document": "党组织—文件 (committees and the documents their measures formulate, apply or mention; "
                          "weight = measures)",
    "region-type": "地区—问题类型 (regions and problem types; weight = problems + measures of that type)",
}

LABEL_CHARS = 40
NODE_KINDS = ("Report", "PartyCommittee", "Region", "Inspection", "InspectionGroup", "ProblemCategory", "Problem",
              "Measure", "DocumentMention", "NamedDocument", "Organisation", "DeclaredCount", "SourceFile")
CITES = ("formulates", "applies", "mentions")
_NUMBERED = ("ProblemCategory", "Problem", "Measure")  # kg:position is the number ending their IRIs (…/c2/p3/m1)
FULL_EDGES = ("committee", "inspection", "inspectedCommittee", "group", "dispatchedBy", "region", "withinRegion",
              "category", "subProblemOf", "addresses", "document", *CITES, "declares")
# and three edges the graph implies instead of stating (issue 25): inReport (Reader.reports), namesOrganisation
# (any of ROLES) and inMeasure (Reader.mention_measures)
#: the role properties (kg.namespaces.ROLE_PROPERTIES); namesOrganisation is any of them
ROLES = tuple(ROLE_PROPERTIES.values())
#: How the nodes of each kind are found: by their stated class, or, where it is not stated because a property's
#: domain or range gives it (kg.ttl, issue 25), by that property.
KIND_PATTERNS = {kind: f"?s a kg:{kind}" for kind in NODE_KINDS} | {
    "DocumentMention": "?s kg:document ?of", "Organisation": f"?of {'|'.join(f'kg:{r}' for r in ROLES)} ?s",
    "DeclaredCount": "?of kg:declares ?s"}
# literal predicate -> (attribute, python type); canonicalText, tokens and keywords stay out
LITERALS: dict[str, tuple[str, type]] = {
    SKOS_PREF.value: ("prefLabel", str), SKOS + "altLabel": ("altLabel", str), DCT + "title": ("title", str),
    DCT + "identifier": ("identifier", str), DCT + "issued": ("issued", str), KG + "signedDate": ("signedDate", str),
    KG + "text": ("text", str), KG + "status": ("status", str), KG + "marker": ("marker", str),
    KG + "position": ("position", int), KG + "lead": ("lead", str), KG + "committeeKind": ("committeeKind", str),
    KG + "inspectionKind": ("inspectionKind", str), KG + "round": ("round", str), KG + "ordinal": ("ordinal", int),
    KG + "startDate": ("startDate", str), KG + "endDate": ("endDate", str), KG + "feedbackDate": ("feedbackDate", str),
    KG + "divisionCode": ("divisionCode", str), KG + "divisionLevel": ("divisionLevel", str),
    KG + "documentKind": ("documentKind", str), KG + "issuer": ("issuer", str), KG + "scope": ("scope", str),
    KG + "relation": ("relation", str), KG + "count": ("count", int), KG + "countedThing": ("countedThing", str),
    KG + "comparedWith": ("comparedWith", str), KG + "foundCount": ("foundCount", int),
    KG + "sourcePath": ("sourcePath", str), KG + "sha256": ("sha256", str), KG + "encoding": ("encoding", str),
    KG + "publishedBy": ("publishedBy", str), KG + "warning": ("warning", str),
}
SPAN_START, SPAN_END = KG + "spanStart", KG + "spanEnd"



def project(store: Store, view: str = "full", *, report: str | None = None) -> nx.Graph:
    """The store (or one report graph) as a NetworkX graph of the named view."""
    builders = {"full": _full, "committee-document": _committee_document, "region-type": _region_type}
    if view not in builders:
        raise GraphError(f"没有这个视图 (no view {view!r}; views: {', '.join(VIEWS)})")
    return builders[view](store, report=report)


# --- reading the store ------------------------------------------------------------------------


@dataclass
class Reader:
    """SPARQL over the chosen report graphs: one report graph, or every graph but the vocabularies.

    Rows cost Python time (several microseconds each) while Oxigraph joins and aggregates fast, so
    multi-valued data (literals, tokens, matched keywords) comes aggregated, one row per subject.
    Graph IRIs in the query text are terms read from the store, serialised with str(NamedNode).
    """

    store: Store
    graph: NamedNode | None  # one report graph, or None for all of them
    others: list[NamedNode]  # the named graphs that are not report graphs
    _cache: dict[str, list[tuple[str, Literal | NamedNode]]] = field(default_factory=dict)
    _derived: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def of(cls, store: Store, report: str | None) -> Reader:
        graph = report_graph(store, report) if report else None
        reports = set(report_graphs(store))
        return cls(store, graph, sorted((g for g in store.named_graphs() if isinstance(g, NamedNode) and g not in reports),
                                        key=str))

    def select(self, projection: str, pattern: str, tail: str = "") -> QuerySolutions:
        """SELECT projection WHERE { GRAPH ?g { pattern } } over the chosen report graphs."""
        scope = f"VALUES ?g {{ {self.graph} }}" if self.graph is not None else ""
        others = f"FILTER(?g NOT IN ({', '.join(map(str, self.others))}))" if self.graph is None and self.others else ""
        query = f"{_PREFIXES}SELECT {projection} WHERE {{ {scope} GRAPH ?g {{ {pattern} }} {others} }} {tail}"
        return select(self.store, query, union=False)

    def pairs(self, predicate: str) -> list[tuple[str, Literal | NamedNode]]:
        """(subject IRI, object term) of a predicate, once each, kept for later calls."""
        if predicate not in self._cache:
            rows = self.select("DISTINCT ?s ?o", f"?s {NamedNode(predicate)} ?o")
            self._cache[predicate] = [(row[0].value, row[1]) for row in rows]
        return self._cache[predicate]

    def links(self, name: str, namespace: str = KG) -> dict[str, list[str]]:
        """{subject: [object IRIs]} of an object property."""
        key = ("links", namespace + name)
        if key not in self._derived:
            found: dict[str, list[str]] = defaultdict(list)
            for subject, obj in self.pairs(namespace + name):
                if isinstance(obj, NamedNode):
                    found[subject].append(obj.value)
            self._derived[key] = dict(found)
        return self._derived[key]

    def one(self, name: str, namespace: str = KG) -> dict[str, str]:
        """{subject: value} of a property, the smallest value when a shared node has several."""
        key = ("one", namespace + name)
        if key not in self._derived:
            found: dict[str, str] = {}
            for subject, obj in self.pairs(namespace + name):
                if subject not in found or obj.value < found[subject]:
                    found[subject] = obj.value
            self._derived[key] = found
        return self._derived[key]

    def reports(self) -> dict[str, list[str]]:
        """{item: [report]}: what kg:inReport said before it was left out (issue 25): the report graph an item
        is in, for the items it was written for (those with a span, every problem and category)."""
        rows = self.select("DISTINCT ?s ?g", "{ ?s kg:spanStart ?start } UNION { ?s a kg:Problem } "
                                             "UNION { ?s a kg:ProblemCategory } FILTER (?s != ?g)")
        found: dict[str, list[str]] = defaultdict(list)
        for row in rows:
            found[row[0].value].append(row[1].value)
        return dict(found)

    def mention_measures(self) -> dict[str, list[str]]:
        """{mention: [measure]}: what kg:inMeasure said before it was left out (issue 25): the measure that cites
        the mention's document and whose span holds the mention's (kg.rdf._documents)."""
        rows = self.select("DISTINCT ?mention ?measure", "?mention kg:document ?d ; kg:spanStart ?s ; kg:spanEnd ?e . "
                           f"?measure {'|'.join(f'kg:{c}' for c in CITES)} ?d ; kg:spanStart ?from ; kg:spanEnd ?to . "
                           "FILTER (?from <= ?s && ?e <= ?to)")
        found: dict[str, list[str]] = defaultdict(list)
        for row in rows:
            found[row[0].value].append(row[1].value)
        return dict(found)

    def kinds(self) -> dict[str, str]:
        """{resource: class local name} for the classes that become nodes."""
        return {row[0].value: row[1].value for row in self.select("DISTINCT ?s ?c", _kinds_pattern(NODE_KINDS))}

    def literals(self, kinds: Iterable[str] | None = None) -> dict[str, list[tuple[str, str]]]:
        """{subject: [(predicate, value)]} of the LITERALS predicates, for subjects of some classes or all."""
        predicates = " ".join(str(NamedNode(p)) for p in [*LITERALS, SPAN_START, SPAN_END])
        typed = "" if kinds is None else f"{{ SELECT DISTINCT ?s WHERE {{ {_kinds_pattern(sorted(kinds))} }} }}"
        rows = self.select(f'?s (GROUP_CONCAT(CONCAT(STR(?p), "{_FIELD}", STR(?o)); separator="{_ROW}") AS ?all)',
                           f"VALUES ?p {{ {predicates} }} {typed} ?s ?p ?o", "GROUP BY ?s")
        found: dict[str, list[tuple[str, str]]] = {}
        for row in rows:
            values = dict.fromkeys(tuple(part.split(_FIELD, 1)) for part in row[1].value.split(_ROW))
            found[row[0].value] = [v for v in values if len(v) == 2]
        return found

    def type_assignments(self) -> list[tuple[str, str, float, str]]:
        """(item, concept, score, matched keywords joined with 、) of every type assignment."""
        rows = self.select("?s ?c ?score ?keywords",  # the assignment is ITEM/type/SLUG (kg.ttl, kg:TypeAssignment)
                           f'?s kg:problemType ?c . BIND(IRI(CONCAT(STR(?s), "/type/", STRAFTER(STR(?c), "{TYPES}"))) '
                           "AS ?a) ?a kg:score ?score . OPTIONAL { ?a kg:matchedKeywords ?keywords }")
        return [(row[0].value, row[1].value, float(row[2].value), row[3].value if row[3] is not None else "")
                for row in rows]


def _kinds_pattern(kinds: Iterable[str]) -> str:
    """The nodes of some kinds, as ?s with the kind's name as ?c (KIND_PATTERNS)."""
    return " UNION ".join(f'{{ {KIND_PATTERNS[kind]} BIND ("{kind}" AS ?c) }}' for kind in kinds)


_PREFIXES = sparql_prefixes("kg")
_FIELD, _ROW = "\u0001", "\u0002"  # separators inside GROUP_CONCAT; report text holds no control characters


@dataclass
class Context:
    """What every view needs: node kinds, and each item's report, committee, region and year."""

    reader: Reader
    kinds: dict[str, str]
    concepts: dict[str, dict[str, str]]
    in_report: dict[str, list[str]]
    report_committee: dict[str, str]
    committee_region: dict[str, str]
    region_code: dict[str, str]
    pref_label: dict[str, str]
    signed: dict[str, str]

    @classmethod
    def of(cls, store: Store, report: str | None) -> Context:
        reader = Reader.of(store, report)
        return cls(reader, reader.kinds(), _concepts(store), reader.reports(), reader.one("committee"),
                   reader.one("region"), reader.one("divisionCode"), reader.one("prefLabel", SKOS), reader.one("signedDate"))

    @property
    def scope(self) -> str:
        """The report graph's IRI when the view is of one report, else ""."""
        return self.reader.graph.value if self.reader.graph is not None else ""

    def report_of(self, node: str) -> str | None:
        """The one report an item belongs to (shared nodes belong to none)."""
        if self.kinds.get(node) == "Report":
            return node
        reports = self.in_report.get(node, [])
        return reports[0] if len(set(reports)) == 1 else None

    def region_of(self, node: str) -> str | None:
        """The region IRI an item is about: its own, its committee's, or its report's committee's."""
        kind = self.kinds.get(node)
        if kind == "Region":
            return node
        if kind in ("PartyCommittee", "Organisation"):
            return self.committee_region.get(node)
        if kind == "Inspection":
            committee = self.reader.one("inspectedCommittee").get(node)
            return self.committee_region.get(committee) if committee else None
        report = self.report_of(node)
        committee = self.report_committee.get(report) if report else None
        return self.committee_region.get(committee) if committee else None


def _concepts(store: Store) -> dict[str, dict[str, str]]:
    """Problem-type concepts from their vocabulary graph: notation, Chinese and English labels, parent."""
    concepts: dict[str, dict[str, str]] = defaultdict(dict)
    for quad in store.quads_for_pattern(None, None, None, TYPES_GRAPH):
        subject, predicate, obj = term_text(quad.subject), quad.predicate.value, quad.object
        if predicate == SKOS + "notation":
            concepts[subject]["notation"] = term_text(obj)
        elif predicate == SKOS + "prefLabel" and isinstance(obj, Literal):
            concepts[subject]["label" if obj.language == "zh" else "label_en"] = obj.value
        elif predicate == SKOS + "broader":
            concepts[subject]["broader"] = term_text(obj)
    return {iri: values for iri, values in concepts.items() if "notation" in values}


# --- node attributes ----------------------------------------------------------------------


def node_attributes(context: Context, nodes: Iterable[str]) -> dict[str, dict[str, object]]:
    """{node: attributes} in IRI order (so views and their exports repeat), literals included, never None."""
    wanted = set(nodes)
    kinds = {context.kinds[n] for n in wanted if n in context.kinds}
    every_kind = len(kinds) == len(NODE_KINDS)
    literals = context.reader.literals(None if every_kind else kinds) if kinds else {}
    types = _type_notations(context, wanted)
    attributes: dict[str, dict[str, object]] = {}
    for node in sorted(wanted):
        values, span = _literal_values(literals.get(node, []))
        if context.kinds.get(node) in _NUMBERED and "position" not in values:  # not written: ends the IRI
            values["position"] = int(node.rsplit("/", 1)[-1][1:])
        elif context.kinds.get(node) == "NamedDocument" and "scope" not in values:  # not written: its IRI says it
            from kg.rdf import document_scope_of  # here: kg.rdf loads the classifier

            values["scope"] = document_scope_of(node)
        elif context.kinds.get(node) == "DocumentMention" and "text" not in values:  # not written: the title
            title = context.reader.one("title", DCT).get(context.reader.one("document").get(node, ""))
            if title is not None:
                values["text"] = title
        attributes[node] = _common(context, node, values, span, types.get(node))
    return attributes


def _literal_values(pairs: list[tuple[str, str]]) -> tuple[dict[str, object], str | None]:
    """Attribute values of one node's literals, and its span when it has exactly one."""
    values: dict[str, object] = {}
    starts, ends = set(), set()
    for predicate, value in pairs:
        if predicate == SPAN_START:
            starts.add(int(value))
        elif predicate == SPAN_END:
            ends.add(int(value))
        elif predicate in LITERALS:
            name, kind = LITERALS[predicate]
            _set_literal(values, name, kind, value)
    span = f"{min(starts)}-{min(ends)}" if len(starts) == 1 and len(ends) == 1 else None  # a committee signs many
    return values, span


def _set_literal(values: dict[str, object], name: str, kind: type, value: str) -> None:
    if name == "warning" and name in values:
        values[name] = "；".join(sorted({*str(values[name]).split("；"), value}))
    elif name not in values or str(value) < str(values[name]):  # shared nodes: one value, deterministically
        values[name] = int(value) if kind is int else value


def _type_notations(context: Context, wanted: set[str]) -> dict[str, str]:
    found: dict[str, set[str]] = defaultdict(set)
    for subject, obj in context.reader.pairs(KG + "problemType"):
        if subject in wanted and obj.value in context.concepts:
            found[subject].add(context.concepts[obj.value]["notation"])
    return {n: " ".join(sorted(v, key=_notation_order)) for n, v in found.items()}


def _notation_order(notation: str) -> tuple[str, int]:
    return notation[0], int(notation[1:] or 0)


def _common(context: Context, node: str, values: dict[str, object], span: str | None,
            types: str | None) -> dict[str, object]:
    """kind, label, iri, report, year, region, region_label, span, types: the attributes every view shares."""
    concept = context.concepts.get(node)
    kind = "Concept" if concept else context.kinds.get(node, "Resource")
    if concept:
        values.update({k: v for k, v in concept.items() if k != "broader"})
        if "broader" in concept:
            values["broader"] = context.concepts.get(concept["broader"], {}).get("notation", "")
    attributes: dict[str, object] = {"kind": kind, "label": _short(_label(context, node, kind, values)), "iri": node}
    report = context.report_of(node)
    if report:
        attributes["report"] = report
        signed = context.signed.get(report)
        if signed:
            attributes["year"] = int(signed[:4])
    region = context.region_of(node)
    if region and region in context.region_code:
        attributes["region"] = context.region_code[region]
        if region in context.pref_label:
            attributes["region_label"] = context.pref_label[region]
    if span and report:
        attributes["span"] = span
    elif "text" in values and kind not in ("Problem", "Measure", "DocumentMention", "DeclaredCount",
                                            "ProblemCategory", "Inspection"):
        values.pop("text")  # a shared node's text is one report's signature line, not its own
    if types:
        attributes["types"] = types
    return {**values, **attributes}


def _label(context: Context, node: str, kind: str, values: dict[str, object]) -> str:
    if kind == "Concept":
        return str(values.get("label", ""))
    if "prefLabel" in values:
        return str(values["prefLabel"])
    if kind == "Report":
        if "title" in values:
            return str(values["title"])
        committee = context.report_committee.get(node, "")
        return f"{context.pref_label.get(committee, '')}整改报告 {values.get('signedDate', '')}".strip()
    if kind == "NamedDocument" and "title" in values:
        return f"《{values['title']}》"
    if kind == "Inspection":
        committee = context.reader.one("inspectedCommittee").get(node, "")
        return f"{values.get('inspectionKind', '巡视')} {context.pref_label.get(committee, '')} {values.get('startDate', '')}"
    if kind == "SourceFile" and "sourcePath" in values:
        return str(values["sourcePath"]).rsplit("/", 1)[-1]
    if "text" in values:
        return str(values["text"])
    return local_id(node)


def _short(text: str, width: int = LABEL_CHARS) -> str:
    return shorten(" ".join(text.split()), width)


# --- views ----------------------------------------------------------------------------------


def _full(store: Store, *, report: str | None = None) -> nx.MultiDiGraph:
    """Every resource node and object-property edge of the report graphs, with the types used."""
    context = Context.of(store, report)
    graph = nx.MultiDiGraph(view="full", report=context.scope)
    nodes = set(context.kinds)
    type_edges = _type_edges(context)
    nodes.update(concept for _, concept, _ in type_edges)
    for node, attributes in node_attributes(context, nodes).items():
        graph.add_node(node, **attributes)
    edges: list[tuple[str, str, str, dict[str, object]]] = [
        (subject, obj, name, {}) for name in FULL_EDGES for subject, objects in context.reader.links(name).items()
        for obj in objects]
    edges += [(subject, source, "wasDerivedFrom", {})
              for subject, sources in context.reader.links("wasDerivedFrom", PROV).items() for source in sources]
    edges += [(item, report, "inReport", {}) for item, reports in context.in_report.items() for report in reports]
    edges += [(mention, measure, "inMeasure", {}) for mention, measures in context.reader.mention_measures().items()
              for measure in measures]
    named = {(measure, org) for role in ROLES for measure, orgs in context.reader.links(role).items() for org in orgs}
    edges += [(measure, org, "namesOrganisation", {}) for measure, org in named]
    edges += [(item, concept, "problemType", attributes) for item, concept, attributes in type_edges]
    for subject, obj, name, attributes in sorted(edges, key=lambda e: (e[0], e[2], e[1])):
        if subject in nodes and obj in nodes:
            graph.add_edge(subject, obj, key=name, relation=name, **attributes)
    return graph


def _type_edges(context: Context) -> list[tuple[str, str, dict[str, object]]]:
    """(item, concept, {weight: score, keywords}) from the items' type assignments."""
    return [(item, concept, {"weight": score, "keywords": keywords})
            for item, concept, score, keywords in context.reader.type_assignments() if concept in context.concepts]


def _committee_of(context: Context, item: str) -> str | None:
    report = context.report_of(item)
    return context.report_committee.get(report) if report else None


def _committee_document(store: Store, *, report: str | None = None) -> nx.Graph:
    """Committees ↔ documents, weighted by the number of their measures that cite the document."""
    context = Context.of(store, report)
    measures: dict[tuple[str, str], set[str]] = defaultdict(set)
    per_relation: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for relation in CITES:
        for measure, documents in context.reader.links(relation).items():
            committee = _committee_of(context, measure)
            if committee is None:
                continue
            for document in documents:
                measures[(committee, document)].add(measure)
                per_relation[(committee, document)][relation] += 1
    graph = nx.Graph(view="committee-document", report=context.scope)
    ends = {n for pair in measures for n in pair}
    for node, attributes in node_attributes(context, ends).items():
        graph.add_node(node, bipartite=0 if attributes["kind"] == "PartyCommittee" else 1, **attributes)
    for (committee, document), cited_by in sorted(measures.items()):
        counts = per_relation[(committee, document)]
        graph.add_edge(committee, document, relation="cites", weight=len(cited_by),
                       **{r: counts.get(r, 0) for r in CITES})
    return graph


def _region_type(store: Store, *, report: str | None = None) -> nx.Graph:
    """Regions ↔ leaf problem types, weighted by the problems and measures of that type there."""
    context = Context.of(store, report)
    items: dict[tuple[str, str], set[str]] = defaultdict(set)
    for item, concepts in context.reader.links("problemType").items():
        region = context.region_of(item)
        if region is None:
            continue
        for concept in concepts:
            if concept in context.concepts:
                items[(region, concept)].add(item)
    graph = nx.Graph(view="region-type", report=context.scope)
    ends = {n for pair in items for n in pair}
    for node, attributes in node_attributes(context, ends).items():
        graph.add_node(node, bipartite=0 if attributes["kind"] == "Region" else 1, **attributes)
    for (region, concept), found in sorted(items.items()):
        kinds = Counter(context.kinds.get(i) for i in found)
        graph.add_edge(region, concept, relation="problemType", weight=len(found), problems=kinds.get("Problem", 0),
                       measures=kinds.get("Measure", 0))
    return graph


# --- summary --------------------------------------------------------------------------------


@dataclass
class Summary:
    """What `kg graph` prints: counts by node kind and edge relation, density, components."""

    view: str
    nodes: int
    edges: int
    density: float
    components: int
    largest_component: int
    kinds: dict[str, int]
    relations: dict[str, int]


def summarise(graph: nx.Graph, view: str) -> Summary:
    kinds = Counter(str(kind) for _, kind in graph.nodes(data="kind"))
    relations = Counter(str(relation) for *_, relation in graph.edges(data="relation"))
    parts = list(nx.weakly_connected_components(graph) if graph.is_directed() else nx.connected_components(graph))
    return Summary(view, graph.number_of_nodes(), graph.number_of_edges(), nx.density(graph), len(parts),
                   max((len(p) for p in parts), default=0), dict(kinds.most_common()), dict(relations.most_common()))
