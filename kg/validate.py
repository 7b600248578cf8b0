"""Validate: SHACL over report graphs, with the shapes in kg/ontology/shapes.ttl.

Core constraints are checked by pyshacl on an rdflib copy of one report graph at a time
(a few thousand triples, handed over as N-Triples; rdflib never holds the bulk data).
SHACL-SPARQL constraints (sh:sparql / sh:select) are run by Oxigraph on the graph in the
store instead: pyshacl evaluates them node by node through rdflib, 3.4 s a report here,
Oxigraph in milliseconds.

``index_problems`` checks the text index against the graph (kg validate reports each difference).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyshacl
import rdflib
from pyoxigraph import NamedNode, RdfFormat, Store, Variable

from kg.build import graph_sources
from kg.index import KINDS, TextIndex
from kg.namespaces import KG
from kg.namespaces import SH as SHACL
from kg.resources import ONTOLOGY_DIR
from kg.sparql import select
from kg.store import report_graph, report_graphs

SH = rdflib.Namespace(SHACL)


@dataclass
class Violation:
    focus: str
    path: str | None
    message: str
    severity: str


@dataclass
class ValidationReport:
    graph: str
    conforms: bool
    violations: list[Violation] = field(default_factory=list)


@dataclass
class SparqlConstraint:
    targets: list[tuple[str, str]]  # (SHACL target property local name, class or property IRI)
    select: str
    message: str


_TARGETS = ("targetClass", "targetSubjectsOf", "targetObjectsOf")
#: The focus nodes of each kind of SHACL target, over ?x with the class or property bound as ?t.
_FOCUS = {"targetClass": "?x a ?t", "targetSubjectsOf": "?x ?t ?o", "targetObjectsOf": "?s ?t ?x"}


def load_shapes() -> tuple[rdflib.Graph, list[SparqlConstraint]]:
    """The shapes for pyshacl (core constraints) and the SPARQL constraints split off for Oxigraph."""
    shapes = rdflib.Graph().parse(ONTOLOGY_DIR / "shapes.ttl", format="turtle")
    constraints: list[SparqlConstraint] = []
    for shape, constraint in list(shapes.subject_objects(SH.sparql)):
        targets = [(kind, str(t)) for kind in _TARGETS for t in shapes.objects(shape, SH[kind])]
        constraints.append(SparqlConstraint(targets, str(shapes.value(constraint, SH.select)),
                                            str(shapes.value(constraint, SH.message) or "")))
        shapes.remove((shape, SH.sparql, constraint))
        shapes.remove((constraint, None, None))
    return shapes, constraints


def validate_store(store: Store, report: str | None = None) -> list[ValidationReport]:
    """Validate one report graph (by IRI) or every report graph in the store."""
    graphs = [report_graph(store, report)] if report else report_graphs(store)
    shapes, constraints = load_shapes()
    return [validate_graph(store, graph, shapes, constraints) for graph in graphs]


def validate_graph(store: Store, graph: NamedNode, shapes: rdflib.Graph,
                   constraints: list[SparqlConstraint]) -> ValidationReport:
    data = rdflib.Graph()
    data.parse(data=store.dump(format=RdfFormat.N_TRIPLES, from_graph=graph), format="nt")
    conforms, results, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none",
                                            abort_on_first=False, allow_warnings=True)
    violations = []
    for result in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        path = results.value(result, SH.resultPath)
        violations.append(Violation(
            focus=str(results.value(result, SH.focusNode)),
            path=str(path) if path is not None else None,
            message=str(results.value(result, SH.resultMessage) or ""),
            severity=str(results.value(result, SH.resultSeverity) or "").rsplit("#", 1)[-1],
        ))
    violations.extend(_sparql_violations(store, graph, constraints))
    violations.sort(key=lambda v: (v.focus, v.path or "", v.message))
    return ValidationReport(graph=graph.value, conforms=not violations, violations=violations)


def _sparql_violations(store: Store, graph: NamedNode, constraints: list[SparqlConstraint]) -> list[Violation]:
    out: list[Violation] = []
    for constraint in constraints:
        typed = {row["x"].value for kind, target in constraint.targets for row in select(
            store, f"SELECT DISTINCT ?x WHERE {{ {_FOCUS[kind]} }}", {Variable("t"): NamedNode(target)}, union=False,
            default_graph=graph)}
        for row in select(store, constraint.select, union=False, default_graph=graph):
            focus = row["this"].value
            if focus in typed:
                out.append(Violation(focus=focus, path=None, message=constraint.message, severity="Violation"))
    return out


def index_problems(store: Store, index: TextIndex) -> list[str]:
    """How the text index differs from the graph (empty when they agree): graphs missing on
    either side or from another source, and graphs whose item counts differ."""
    in_store = graph_sources(store)
    indexed = index.graphs()
    problems = [f"索引缺少报告 (not indexed): {g}" for g in sorted(set(in_store) - set(indexed))]
    problems += [f"索引多出报告 (indexed, not in the store): {g}" for g in sorted(set(indexed) - set(in_store))]
    problems += [f"索引来自另一版本 (indexed from another source): {g}" for g, sha in sorted(indexed.items())
                 if g in in_store and sha not in in_store[g]]
    values = " ".join(f"<{KG}{kind}>" for kind in KINDS)
    query = f"""SELECT ?g ?class (COUNT(DISTINCT ?item) AS ?n) WHERE {{ VALUES ?class {{ {values} }}
        GRAPH ?g {{ ?g a <{KG}Report> . ?item a ?class }} }} GROUP BY ?g ?class"""
    stored = {(row["g"].value, row["class"].value.removeprefix(KG)): int(row["n"].value) for row in select(store, query, union=False)}
    counted = index.counts()
    for key in sorted(set(stored) | set(counted)):
        if key[0] in indexed and stored.get(key, 0) != counted.get(key, 0):
            problems.append(f"条目数不符 (items differ: {key[1]} graph {stored.get(key, 0)}, index "
                            f"{counted.get(key, 0)}): {key[0]}")
    return problems
