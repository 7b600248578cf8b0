"""Store: the embedded on-disk Oxigraph store, one named graph per report.

Opening it with errors a user can act on (a damaged or foreign folder, a lock held by another
process), the vocabulary graphs, the text index kept beside it, what it holds (sources, report
graphs, stats) and RDF export. Each report graph carries its own SourceFile node (path,
SHA-256), so the store itself says which files it was built from; building it is kg.build.
"""

from __future__ import annotations

import hashlib
import os
import re
import struct
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, overload
from typing import Literal as Only

try:
    import fcntl
except ImportError:  # not POSIX: no lock is taken before opening
    fcntl = None  # type: ignore[assignment]
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store, Variable, serialize

from kg.exceptions import StoreError
from kg.index import INDEX_FILE, TextIndex
from kg.namespaces import ID, KG, ONTOLOGY_GRAPH, PREFIXES, ROLE_PROPERTIES, SHAPES_GRAPH, TYPES_GRAPH
from kg.resources import ONTOLOGY_DIR
from kg.sparql import construct, select

DEFAULT_STORE = "kg-store"
VOCABULARY_GRAPHS = {ONTOLOGY_GRAPH: "kg.ttl", SHAPES_GRAPH: "shapes.ttl", TYPES_GRAPH: "problem-types.ttl"}
VOCAB_HASH = NamedNode(KG + "sourceHash")

Progress = Callable[[int, int, str], None]


def store_path(path: str | Path | None = None) -> Path:
    """--store, else $KG_STORE, else ./kg-store."""
    return Path(path or os.environ.get("KG_STORE") or DEFAULT_STORE)


def open_store(path: str | Path | None = None, *, read_only: bool = False, create: bool = True) -> Store:
    """Open the on-disk store with errors a user can act on."""
    location = store_path(path)
    if not location.exists() and (read_only or not create):
        raise StoreError("仓库不存在, 请先运行 kg build (no store here: run kg build first)", location)
    if location.exists():
        _check_store_folder(location, probe=not read_only)
        if not read_only and (location / "CURRENT").exists():
            os.close(lock_store(location))  # a failed writable open would still write LOG files
    try:
        return Store.read_only(str(location)) if read_only else Store(str(location))
    except OSError as exc:
        if "lock" in str(exc).lower():
            raise StoreError("仓库被另一进程占用 (store is locked by another process, e.g. a running build "
                             "or kg serve)", location) from None
        raise StoreError(f"无法打开仓库 (cannot open store: {_first_line(exc)})", location) from None
    except RuntimeError as exc:
        raise StoreError(f"仓库已损坏 (store is damaged: {_first_line(exc)})", location) from None


_ROCKSDB_FILE = re.compile(r"^(CURRENT|IDENTITY|LOCK|LOG(\..*)?|MANIFEST-\d+|OPTIONS-\d+|\d+\.(sst|log|blob))$")


def _first_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 300 else text[:299] + "…"


def lock_store(location: Path) -> int:
    """Take the store's write lock, the one RocksDB takes on its ``LOCK`` file at every writable
    open, without opening the store; returns the descriptor holding it (closing it releases it).
    An open-file-description lock on Linux (it conflicts with RocksDB's lock, even in this process,
    and closing it releases no other lock of this process), else a POSIX one."""
    try:  # a copy made by Store.backup has no LOCK file until a writable open makes it
        fd = os.open(location / "LOCK", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise StoreError(f"无法锁定仓库 (cannot lock the store: {exc.strerror or exc})", location) from None
    if fcntl is None:
        return fd
    try:
        if hasattr(fcntl, "F_OFD_SETLK"):
            fcntl.fcntl(fd, fcntl.F_OFD_SETLK, struct.pack("@hhqqi4x", fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0))
        else:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise StoreError("仓库被另一进程占用 (store is locked by another process, e.g. a running build "
                         "or kg serve)", location) from None
    return fd


def _check_store_folder(location: Path, *, probe: bool) -> None:
    """An existing store folder is opened read-only first, which writes nothing: a damaged store
    (CURRENT, MANIFEST or table files missing, truncated or garbled) is reported as damaged before a
    writable open could add files to it (RocksDB writes LOG files, and without CURRENT it would
    start a new database beside the old files). A folder holding other files is no store."""
    if not location.is_dir():
        raise StoreError("不是仓库目录 (not a store folder: a file)", location)
    names = [entry.name for entry in location.iterdir()]
    if not names:
        return  # an empty folder: a new store
    if "CURRENT" not in names:
        if _creation_cut_short(location, names):
            if not probe:
                raise StoreError("仓库不存在, 请先运行 kg build (no store here: run kg build first)", location)
            for name in names:  # RocksDB's start-up files of a store killed while it was made: it holds nothing
                (location / name).unlink(missing_ok=True)
            return
        if any(_ROCKSDB_FILE.match(name) or name.startswith(INDEX_FILE) for name in names):
            raise StoreError("仓库已损坏 (store is damaged: its CURRENT file is missing)", location)
        raise StoreError("不是 Oxigraph 仓库 (not an Oxigraph store: the folder holds other files)", location)
    if probe:
        try:
            opened = Store.read_only(str(location))
        except (OSError, RuntimeError) as exc:
            raise StoreError(f"仓库已损坏 (store is damaged: {_first_line(exc)})", location) from None
        del opened


_START_UP_FILE = re.compile(r"^(IDENTITY|LOCK|LOG(\..*)?|MANIFEST-\d+|OPTIONS-\d+|\d+\.log)$")


def _creation_cut_short(location: Path, names: list[str]) -> bool:
    """A store folder whose making was killed before RocksDB wrote CURRENT (a build killed in its first
    moments): only start-up files, every write-ahead log empty, no table file, no text index. Nothing
    can have been written: RocksDB takes writes only once CURRENT names its MANIFEST."""
    return all(_START_UP_FILE.match(name) for name in names) and all(
        (location / name).stat().st_size == 0 for name in names if name.endswith(".log"))


@overload
def open_index(path: str | Path | None = None, *, read_only: bool = False, required: Only[True] = True) -> TextIndex: ...
@overload
def open_index(path: str | Path | None = None, *, read_only: bool = False, required: bool) -> TextIndex | None: ...
def open_index(path: str | Path | None = None, *, read_only: bool = False, required: bool = True) -> TextIndex | None:
    """The text index kept in the store's folder (None when it is missing and not required)."""
    if read_only and not required and not (store_path(path) / INDEX_FILE).exists():
        return None
    return TextIndex.open(store_path(path), read_only=read_only)


def sources_in_store(store: Store) -> dict[str, tuple[str, NamedNode]]:
    """{source path: (sha256, report graph)} as recorded in the report graphs."""
    query = f"""SELECT ?path ?sha ?g WHERE {{ GRAPH ?g {{ ?src <{KG}sourcePath> ?path ; <{KG}sha256> ?sha }} }}"""
    return {row["path"].value: (row["sha"].value, row["g"]) for row in select(store, query, union=False)}


def built_otherwise(store: Store, current: str) -> set[str]:
    """Source paths whose report graph was built by other code or data than ``current`` (kg.rdf.graph_format),
    or before graphs recorded it: `kg build` parses them again though their bytes are unchanged."""
    query = f"""SELECT ?path WHERE {{ GRAPH ?g {{ ?src <{KG}sourcePath> ?path ; <{KG}sha256> ?sha .
        OPTIONAL {{ ?src <{KG}builtWith> ?built }} }} FILTER(!BOUND(?built) || ?built != ?current) }}"""
    return {row["path"].value for row in select(store, query, {Variable("current"): Literal(current)}, union=False)}


def ensure_vocabularies(store: Store) -> None:
    """Load kg/ontology/kg.ttl and kg/ontology/shapes.ttl into their graphs when they changed."""
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


def report_graphs(store: Store) -> list[NamedNode]:
    query = f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?g a <{KG}Report> }} }} ORDER BY ?g"
    return [row["g"] for row in select(store, query, union=False)]


def stats(store: Store) -> dict[str, int]:
    """Counts of the main kinds of node, and quads."""
    classes = {"reports": "Report", "committees": "PartyCommittee", "regions": "Region", "inspections": "Inspection",
               "groups": "InspectionGroup", "categories": "ProblemCategory", "problems": "Problem",
               "measures": "Measure", "documents": "NamedDocument"}
    values = " ".join(f"(<{KG}{cls}> \"{name}\")" for name, cls in classes.items())
    roles = "|".join(f"<{KG}{role}>" for role in ROLE_PROPERTIES.values())
    # a body's class (kg:Organisation) is its role edge's range and is not stated (kg.ttl): counted by the edges
    query = f"""SELECT ?name (COUNT(DISTINCT ?x) AS ?n) WHERE {{
        {{ VALUES (?cls ?name) {{ {values} }} GRAPH ?g {{ ?x a ?cls }} }}
        UNION {{ BIND ("organisations" AS ?name) GRAPH ?g {{ ?m {roles} ?x }} }} }} GROUP BY ?name"""
    counts = {name: 0 for name in [*classes, "organisations"]}
    for row in select(store, query, union=False):
        counts[row["name"].value] = int(row["n"].value)
    counts["report graphs"] = len(report_graphs(store))
    counts["quads"] = len(store)
    return counts


EXPORT_FORMATS = {"turtle": RdfFormat.TURTLE, "trig": RdfFormat.TRIG, "nquads": RdfFormat.N_QUADS,
                  "jsonld": RdfFormat.JSON_LD, "ntriples": RdfFormat.N_TRIPLES}


def export_rdf(store: Store, fmt: str, output: Path | None = None, report: str | None = None) -> bytes | None:
    """Write the store (or one report graph) as Turtle, TriG, N-Quads, N-Triples or JSON-LD.

    Formats without named graphs get the union of all graphs (or the one report graph).
    Returns the bytes when no output path is given. The file is written through Python (a device
    such as /dev/null works, a full disk or a missing folder is a StoreError naming the file).
    """
    if output is None:
        return _export_rdf(store, fmt, None, report)
    graph = report_graph(store, report) if report else None  # an unknown report fails before the file is made
    try:
        with open(output, "wb") as target:
            _export_rdf(store, fmt, target, graph.value if graph else None)
    except OSError as exc:
        raise StoreError(f"无法写入 (cannot write: {exc.strerror or exc})", output) from None
    return None


def _export_rdf(store: Store, fmt: str, target: BinaryIO | None, report: str | None) -> bytes | None:
    rdf_format = EXPORT_FORMATS[fmt]
    if report:
        graph = report_graph(store, report)
        if rdf_format.supports_datasets:
            return serialize(store.quads_for_pattern(None, None, None, graph), target, format=rdf_format,
                             prefixes=PREFIXES)
        return store.dump(target, format=rdf_format, from_graph=graph, prefixes=PREFIXES)
    if rdf_format.supports_datasets:
        return store.dump(target, format=rdf_format, prefixes=PREFIXES)
    triples = construct(store, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    return serialize(triples, target, format=rdf_format, prefixes=PREFIXES)


def report_graph(store: Store, report: str) -> NamedNode:
    """A report graph named by its IRI or by the part after .../id/ ."""
    try:
        graph = NamedNode(report if report.startswith("http") else ID + report.lstrip("/"))
    except ValueError as exc:
        raise StoreError(f"不是有效的报告 IRI (not a valid report IRI: {report!r}, {exc})") from None
    if not store.contains_named_graph(graph):
        raise StoreError(f"仓库中没有该报告 (no such report graph: {graph.value})")
    return graph
