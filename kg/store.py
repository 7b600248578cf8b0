"""Store: the embedded on-disk Oxigraph store, built incrementally, one named graph per report.

Each report graph carries its own SourceFile node (path, SHA-256), so the store itself says
which files it was built from: an unchanged file is skipped by hash, a changed one replaced,
a vanished one pruned.

Writes are all-or-nothing per report graph, so a build killed at any moment leaves every
report graph complete or absent and the next build completes the work: new graphs go in
batches through ``Store.bulk_extend`` (one atomic SST ingestion per batch of up to
``BULK_BATCH_QUADS``, about 3x the rate of ``Store.extend``); a changed report's old graph is
removed and the new one written with one transactional ``Store.extend``.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store, Variable, serialize

from kg.exceptions import KgError, StoreError
from kg.parse import parse_file
from kg.rdf import ID, KG, ONTOLOGY_GRAPH, SHAPES_GRAPH, TYPES_GRAPH, XSD, XSD_INTEGER, report_quads

DEFAULT_STORE = "kg-store"
REPORT_SUFFIXES = {".txt", ".text", ".md", ".html", ".htm", ".shtml"}
PROJECT_ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = PROJECT_ROOT / "ontology"
VOCABULARY_GRAPHS = {ONTOLOGY_GRAPH: "kg.ttl", SHAPES_GRAPH: "shapes.ttl", TYPES_GRAPH: "problem-types.ttl"}
VOCAB_HASH = NamedNode(KG + "sourceHash")
PROV_DERIVED = NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
XSD_DOUBLE = NamedNode(XSD + "double")

Progress = Callable[[int, int, str], None]
BULK_BATCH_QUADS = int(os.environ.get("KG_BULK_BATCH_QUADS", 200_000))  # under Oxigraph's 1M-quad ingestion


def store_path(path: str | Path | None = None) -> Path:
    """--store, else $KG_STORE, else ./kg-store."""
    return Path(path or os.environ.get("KG_STORE") or DEFAULT_STORE)


def open_store(path: str | Path | None = None, *, read_only: bool = False, create: bool = True) -> Store:
    """Open the on-disk store with errors a user can act on."""
    location = store_path(path)
    if not location.exists() and (read_only or not create):
        raise StoreError(f"仓库不存在, 请先运行 kg build (no store here: run kg build first)", location)
    try:
        return Store.read_only(str(location)) if read_only else Store(str(location))
    except OSError as exc:
        if "lock" in str(exc).lower():
            raise StoreError("仓库被另一进程占用 (store is locked by another process, e.g. a running build "
                             "or kg serve)", location) from None
        raise StoreError(f"无法打开仓库 (cannot open store: {exc})", location) from None
    except RuntimeError as exc:
        raise StoreError(f"仓库已损坏 (store is corrupt: {exc})", location) from None


@dataclass
class BuildSummary:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)
    warnings: dict[str, list[str]] = field(default_factory=dict)
    quads: int = 0
    seconds: float = 0.0


def collect_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files given, and report files found under folders given (sorted, so builds are repeatable)."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES))
        else:
            found.append(path)
    return found


def build(store: Store, paths: Iterable[str | Path], *, prune: bool = False,
          progress: Progress | None = None) -> BuildSummary:
    """Parse and load report files; unchanged files are skipped, changed ones replaced."""
    started = time.perf_counter()
    summary = BuildSummary()
    ensure_vocabularies(store)
    files = collect_files(paths)
    known = sources_in_store(store)
    pending: list[Quad] = []
    pending_graphs: set[NamedNode] = set()
    for i, path in enumerate(files, 1):
        key = str(path)
        if progress:
            progress(i, len(files), key)
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as exc:
            summary.failed.append((key, f"无法读取 (cannot read: {exc.strerror or exc})"))
            continue
        if key in known and known[key][0] == digest:
            summary.skipped.append(key)
            continue
        try:
            report = parse_file(path)
        except KgError as exc:
            summary.failed.append((key, exc.reason))
            continue
        graph, quads = report_quads(report)
        if report.warnings:
            summary.warnings[key] = report.warnings
        replaced = key in known or store.contains_named_graph(graph)
        if replaced or graph in pending_graphs:
            if key in known and known[key][1] != graph:
                store.remove_graph(known[key][1])
            _flush(store, pending, pending_graphs)
            quads.extend(_other_sources(store, graph, key))
            if store.contains_named_graph(graph):
                store.remove_graph(graph)
            store.extend(quads)
        else:
            pending.extend(quads)
            pending_graphs.add(graph)
            if len(pending) >= BULK_BATCH_QUADS:
                _flush(store, pending, pending_graphs)
        (summary.replaced if replaced else summary.added).append(key)
    _flush(store, pending, pending_graphs)
    if prune:
        summary.pruned = prune_missing(store, {str(f) for f in files}, known)
    if summary.added or summary.replaced or summary.pruned:
        update_index_stats(store)
    store.flush()
    summary.quads = len(store)
    summary.seconds = time.perf_counter() - started
    return summary


def _flush(store: Store, pending: list[Quad], graphs: set[NamedNode]) -> None:
    """Write the batched new report graphs in one atomic bulk ingestion."""
    if pending:
        store.bulk_extend(pending)
        pending.clear()
        graphs.clear()


def sources_in_store(store: Store) -> dict[str, tuple[str, NamedNode]]:
    """{source path: (sha256, report graph)} as recorded in the report graphs."""
    query = f"""SELECT ?path ?sha ?g WHERE {{ GRAPH ?g {{ ?src <{KG}sourcePath> ?path ; <{KG}sha256> ?sha }} }}"""
    return {row["path"].value: (row["sha"].value, row["g"]) for row in store.query(query)}


def _other_sources(store: Store, graph: NamedNode, path: str) -> list[Quad]:
    """SourceFile nodes of the same report from other files that still exist (one report, two sites)."""
    if not store.contains_named_graph(graph):
        return []
    query = f"""SELECT ?g ?report ?src ?path ?p ?o WHERE {{ GRAPH ?g {{
        ?report <{PROV_DERIVED.value}> ?src . ?src <{KG}sourcePath> ?path ; ?p ?o }} }}"""
    keep: list[Quad] = []
    for row in store.query(query, substitutions={Variable("g"): graph}):
        if row["path"].value != path and Path(row["path"].value).exists():
            keep.append(Quad(row["src"], row["p"], row["o"], graph))
            keep.append(Quad(row["report"], PROV_DERIVED, row["src"], graph))
    return keep


def prune_missing(store: Store, current: set[str], known: dict[str, tuple[str, NamedNode]]) -> list[str]:
    """Drop report graphs whose source files are gone."""
    pruned = []
    for path, (_, graph) in known.items():
        if path not in current and not Path(path).exists() and store.contains_named_graph(graph):
            store.remove_graph(graph)
            pruned.append(path)
    return pruned


def ensure_vocabularies(store: Store) -> None:
    """Load ontology/kg.ttl and ontology/shapes.ttl into their graphs when they changed."""
    for graph, name in VOCABULARY_GRAPHS.items():
        path = ONTOLOGY_DIR / name
        if not path.exists():
            raise StoreError("找不到本体文件 (ontology file missing)", path)
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        marker = Quad(graph, VOCAB_HASH, Literal(digest), graph)
        if marker in store:
            continue
        if store.contains_named_graph(graph):
            store.remove_graph(graph)
        store.load(data, format=RdfFormat.TURTLE, to_graph=graph)
        store.add(marker)


STATS_GRAPH = NamedNode(ID + "graph/index-stats")
INDEXED_CLASSES = ("Measure", "Problem", "NamedDocument")


def update_index_stats(store: Store) -> None:
    """Item count and mean token count per indexed class, for BM25 without a scan per search."""
    if store.contains_named_graph(STATS_GRAPH):
        store.remove_graph(STATS_GRAPH)
    quads = []
    for name in INDEXED_CLASSES:
        query = f"""SELECT (COUNT(DISTINCT ?item) AS ?n) (AVG(?len) AS ?avg) WHERE {{
            GRAPH ?g {{ ?item a <{KG}{name}> ; <{KG}tokenCount> ?len }} }}"""
        row = next(iter(store.query(query)))
        node = NamedNode(f"{ID}index-stats/{name}")
        quads.append(Quad(node, NamedNode(KG + "items"), Literal(row["n"].value, datatype=XSD_INTEGER), STATS_GRAPH))
        mean = row["avg"].value if row["avg"] is not None else "1"
        quads.append(Quad(node, NamedNode(KG + "meanTokenCount"), Literal(str(float(mean)), datatype=XSD_DOUBLE), STATS_GRAPH))
    store.extend(quads)


def report_graphs(store: Store) -> list[NamedNode]:
    query = f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?g a <{KG}Report> }} }} ORDER BY ?g"
    return [row["g"] for row in store.query(query)]


def stats(store: Store) -> dict[str, int]:
    """Counts of the main kinds of node, and quads."""
    classes = {"reports": "Report", "committees": "PartyCommittee", "regions": "Region", "inspections": "Inspection",
               "groups": "InspectionGroup", "categories": "ProblemCategory", "problems": "Problem",
               "measures": "Measure", "documents": "NamedDocument", "organisations": "Organisation"}
    values = " ".join(f"(<{KG}{cls}> \"{name}\")" for name, cls in classes.items())
    query = f"""SELECT ?name (COUNT(DISTINCT ?x) AS ?n) WHERE {{
        VALUES (?cls ?name) {{ {values} }} GRAPH ?g {{ ?x a ?cls }} }} GROUP BY ?name"""
    counts = {name: 0 for name in classes}
    for row in store.query(query):
        counts[row["name"].value] = int(row["n"].value)
    counts["report graphs"] = len(report_graphs(store))
    counts["quads"] = len(store)
    return counts


EXPORT_FORMATS = {"turtle": RdfFormat.TURTLE, "trig": RdfFormat.TRIG, "nquads": RdfFormat.N_QUADS,
                  "jsonld": RdfFormat.JSON_LD, "ntriples": RdfFormat.N_TRIPLES}


def export_rdf(store: Store, fmt: str, output: Path | None = None, report: str | None = None) -> bytes | None:
    """Write the store (or one report graph) as Turtle, TriG, N-Quads, N-Triples or JSON-LD.

    Formats without named graphs get the union of all graphs (or the one report graph).
    Returns the bytes when no output path is given.
    """
    rdf_format = EXPORT_FORMATS[fmt]
    target = str(output) if output else None
    if report:
        graph = report_graph(store, report)
        if rdf_format.supports_datasets:
            return serialize(store.quads_for_pattern(None, None, None, graph), target, format=rdf_format,
                             prefixes=PREFIXES)
        return store.dump(target, format=rdf_format, from_graph=graph, prefixes=PREFIXES)
    if rdf_format.supports_datasets:
        return store.dump(target, format=rdf_format, prefixes=PREFIXES)
    triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
    return serialize(triples, target, format=rdf_format, prefixes=PREFIXES)


def report_graph(store: Store, report: str) -> NamedNode:
    """A report graph named by its IRI or by the part after .../id/ ."""
    graph = NamedNode(report if report.startswith("http") else ID + report.lstrip("/"))
    if not store.contains_named_graph(graph):
        raise StoreError(f"仓库中没有该报告 (no such report graph: {graph.value})")
    return graph


PREFIXES = {"kg": KG, "dcterms": "http://purl.org/dc/terms/", "prov": "http://www.w3.org/ns/prov#",
            "skos": "http://www.w3.org/2004/02/skos/core#", "org": "http://www.w3.org/ns/org#",
            "time": "http://www.w3.org/2006/time#", "xsd": "http://www.w3.org/2001/XMLSchema#"}
