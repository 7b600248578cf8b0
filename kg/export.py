"""Export: a graph view written for other tools, through NetworkX's own writers where it has them.

| format | for | node ids |
| --- | --- | --- |
| graphml | yEd, Gephi, Cytoscape (typed attribute keys) | n0, n1, … (GraphML ids are XML NMTOKENs: no '/') |
| gexf | Gephi (GEXF 1.2draft, colour per kind, size by degree) | the IRI |
| cytoscape | Cytoscape.js JSON (``elements``) | the IRI |
| node-link | D3, sigma.js (``nodes`` and ``links``) | the IRI |
| dot | Graphviz (through pydot) | n0, n1, … (the IRI is the ``iri`` attribute) |
| csv | spreadsheets, Gephi's import: FILE-nodes.csv and FILE-edges.csv, or nodes.csv and edges.csv in a folder | the IRI |

Every node keeps its ``iri`` attribute, so a file with short ids still names each node. Text is UTF-8.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
from networkx.readwrite.gexf import GEXFWriter
from pyoxigraph import Store

from kg.exceptions import GraphError
from kg.analysis.views import project
from kg.index import TextIndex

FORMATS: dict[str, str] = {
    "graphml": "GraphML (yEd, Gephi, Cytoscape)",
    "gexf": "GEXF 1.2 (Gephi; 颜色按类别, 大小按度数 colour by kind, size by degree)",
    "cytoscape": "Cytoscape.js JSON",
    "node-link": "节点-连线 JSON (node-link JSON for D3, sigma.js)",
    "dot": "Graphviz DOT",
    "csv": "CSV 节点表和边表 (two CSV files: nodes and edges)",
}
SUFFIXES = {"graphml": ".graphml", "gexf": ".gexf", "cytoscape": ".cyjs", "node-link": ".json", "dot": ".dot",
            "csv": ".csv"}
KIND_COLOURS: dict[str, tuple[int, int, int]] = {
    "Report": (31, 119, 180), "PartyCommittee": (214, 39, 40), "Region": (44, 160, 44), "Inspection": (148, 103, 189),
    "InspectionGroup": (140, 86, 75), "ProblemCategory": (227, 119, 194), "Problem": (255, 127, 14),
    "Measure": (23, 190, 207), "DocumentMention": (199, 199, 199), "NamedDocument": (188, 189, 34),
    "Organisation": (127, 127, 127), "Concept": (255, 187, 120), "DeclaredCount": (174, 199, 232),
    "SourceFile": (152, 223, 138),
}
OTHER_COLOUR = (90, 90, 90)
FIRST_COLUMNS = ("kind", "label", "iri", "region", "region_label", "report", "year", "span", "types", "text")


@dataclass
class Exported:
    """What `kg export` wrote: the view's size, and the bytes (no output path) or the files."""

    nodes: int
    edges: int
    data: bytes | None = None
    files: list[Path] = field(default_factory=list)


def export_view(store: Store, view: str, fmt: str, output: Path | None = None, *,
                report: str | None = None, index: TextIndex | None = None) -> Exported:
    """Project a view and write it; the format and output are checked before the store is read."""
    check_format(fmt, output)
    graph = project(store, view, report=report, index=index)
    written = export_graph(graph, fmt, output)
    if isinstance(written, bytes):
        return Exported(graph.number_of_nodes(), graph.number_of_edges(), data=written)
    return Exported(graph.number_of_nodes(), graph.number_of_edges(), files=written)


def check_format(fmt: str, output: Path | None) -> None:
    if fmt not in FORMATS:
        raise GraphError(f"没有这个导出格式 (no export format {fmt!r}; formats: {', '.join(FORMATS)})")
    if fmt == "csv" and output is None:
        raise GraphError("CSV 导出需要 -o 文件或目录 (CSV export writes two files: give -o FILE or -o DIR/)")


def export_graph(graph: nx.Graph, fmt: str, output: Path | None = None) -> bytes | list[Path]:
    """Write the graph in a format: the files written when given an output path, else the bytes."""
    check_format(fmt, output)
    if fmt == "csv" and output is not None:
        return write_csv(graph, output)
    data = {"graphml": graphml_bytes, "gexf": gexf_bytes, "cytoscape": cytoscape_bytes,
            "node-link": node_link_bytes, "dot": dot_bytes}[fmt](graph)
    if output is None:
        return data
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise GraphError(f"无法写入 (cannot write: {exc.strerror or exc})", output) from None
    return [output]


def short_ids(graph: nx.Graph) -> dict[str, str]:
    """n0, n1, … in node order, for formats whose ids cannot hold an IRI."""
    return {node: f"n{i}" for i, node in enumerate(graph)}


def _graph_attributes(graph: nx.Graph) -> dict[str, object]:
    """Graph-level attributes without empty ones (a report of "" means the whole store)."""
    return {k: v for k, v in graph.graph.items() if v not in ("", None)}


def graphml_bytes(graph: nx.Graph) -> bytes:
    """GraphML with typed keys; node ids n0…, edge ids e0… (unique, as the schema requires)."""
    relabelled = nx.relabel_nodes(graph, short_ids(graph), copy=True)
    relabelled.graph = _graph_attributes(graph)
    if relabelled.is_multigraph():
        unique = type(relabelled)(**relabelled.graph)
        unique.add_nodes_from(relabelled.nodes(data=True))
        unique.add_edges_from((u, v, f"e{i}", d) for i, (u, v, d) in enumerate(relabelled.edges(data=True)))
        relabelled = unique
    buffer = io.BytesIO()
    nx.write_graphml(relabelled, buffer, encoding="utf-8")
    return buffer.getvalue()


def gexf_bytes(graph: nx.Graph) -> bytes:
    """GEXF 1.2draft with a colour per node kind and a size growing with degree.

    NetworkX writes a ``name`` attribute on <graph> that the GEXF 1.2draft schema does not
    allow (Gephi ignores it); it is dropped so the file validates.
    """
    styled = graph.copy()
    styled.graph = {k: v for k, v in _graph_attributes(graph).items() if k in ("mode",)}
    for node, degree in graph.degree():
        r, g, b = KIND_COLOURS.get(str(graph.nodes[node].get("kind")), OTHER_COLOUR)
        styled.nodes[node]["viz"] = {"color": {"r": r, "g": g, "b": b, "a": 1.0},
                                     "size": round(4.0 + 3.0 * math.sqrt(degree), 2)}
    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    writer.add_graph(styled)
    writer.graph_element.attrib.pop("name", None)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def cytoscape_bytes(graph: nx.Graph) -> bytes:
    """Cytoscape.js elements JSON (``name`` = the Chinese label)."""
    data = nx.cytoscape_data(graph, name="label")
    data["data"] = _graph_attributes(graph)
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


def node_link_bytes(graph: nx.Graph) -> bytes:
    """Node-link JSON as D3's force layouts read it: ``nodes`` with ``id``, ``links`` with source/target."""
    plain = graph.copy()
    plain.graph = _graph_attributes(graph)
    data = nx.node_link_data(plain, edges="links")
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


def dot_bytes(graph: nx.Graph) -> bytes:
    """Graphviz DOT through pydot; node ids n0…, backslashes escaped so every label survives."""
    relabelled = nx.relabel_nodes(graph, short_ids(graph), copy=True)
    relabelled.graph = {k: _dot_value(v) for k, v in _graph_attributes(graph).items()}
    for _, attributes in relabelled.nodes(data=True):
        attributes.update({k: _dot_value(v) for k, v in attributes.items()})
    for *_, attributes in relabelled.edges(data=True):
        attributes.update({k: _dot_value(v) for k, v in attributes.items()})
    text: str = nx.nx_pydot.to_pydot(relabelled).to_string()
    return text.encode("utf-8")


def _dot_value(value: object) -> object:
    """pydot quotes and escapes '"' and newlines but not backslashes: escape those first."""
    return value.replace("\\", "\\\\") if isinstance(value, str) else value


def csv_paths(output: Path) -> tuple[Path, Path]:
    """FILE-nodes.csv and FILE-edges.csv beside FILE, or nodes.csv and edges.csv in a folder."""
    if output.is_dir() or str(output).endswith(("/", "\\")):
        return output / "nodes.csv", output / "edges.csv"
    stem = output.with_suffix("") if output.suffix == ".csv" else output
    return stem.with_name(stem.name + "-nodes.csv"), stem.with_name(stem.name + "-edges.csv")


def write_csv(graph: nx.Graph, output: Path) -> list[Path]:
    """A node list (id + attributes) and an edge list (source, target[, key] + attributes)."""
    nodes_path, edges_path = csv_paths(output)
    node_columns = _columns(attrs for _, attrs in graph.nodes(data=True))
    edge_rows = list(graph.edges(keys=True, data=True)) if graph.is_multigraph() else [
        (u, v, None, d) for u, v, d in graph.edges(data=True)]
    edge_columns = _columns(d for *_, d in edge_rows)
    try:
        nodes_path.parent.mkdir(parents=True, exist_ok=True)
        with nodes_path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", *node_columns])
            for node, attrs in graph.nodes(data=True):
                writer.writerow([node, *(attrs.get(c, "") for c in node_columns)])
        with edges_path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            key_column = ["key"] if graph.is_multigraph() else []
            writer.writerow(["source", "target", *key_column, *edge_columns])
            for u, v, key, attrs in edge_rows:
                writer.writerow([u, v, *([key] if key_column else []), *(attrs.get(c, "") for c in edge_columns)])
    except OSError as exc:
        raise GraphError(f"无法写入 (cannot write: {exc.strerror or exc})", output) from None
    return [nodes_path, edges_path]


def _columns(rows: Iterable[dict[str, object]]) -> list[str]:
    """Attribute names: the common ones first in a fixed order, then the rest sorted."""
    seen: set[str] = set()
    for attributes in rows:
        seen.update(attributes)
    first = [c for c in FIRST_COLUMNS if c in seen]
    return first + sorted(seen - set(first))
