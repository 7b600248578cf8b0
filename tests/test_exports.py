"""kg export: every format read back with its own reader equals the view it was written from.

Views come from the real reports in data/. GraphML and GEXF are also validated against the
format's XML schema (tests/schemas/, resolved locally). Text formats (DOT, CSV) carry every
value as a string, so values are compared as text there.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pydot
import pytest
from lxml import etree
from pyoxigraph import Store
from typer.testing import CliRunner

from kg.cli import app
from kg.exceptions import GraphError
from kg.export import FORMATS, csv_paths, dot_bytes, export_graph, gexf_bytes, graphml_bytes
from kg.analysis.views import VIEWS, project

SCHEMAS = Path(__file__).resolve().parent / "schemas"
FORMAT_EXTRAS = {"id", "value", "name", "source", "target", "key", "viz", "networkx_key"}  # added by a format
TEXT_FORMATS = {"dot", "csv"}
LIANHU = "report/610104-区委/2020-10-20/2022-05-06"


@pytest.fixture(scope="module")
def report_views(store: Store) -> dict[str, nx.Graph]:
    """The views of one report: pydot's parser takes ~40 s over the whole full view, ~2 s over one report."""
    return {name: project(store, name, report=LIANHU) for name in VIEWS}


# --- reading each format back, keyed by IRI ------------------------------------------------------

Nodes = dict[str, dict[str, object]]
Edges = dict[tuple[str, str, str], dict[str, object]]


def _keyed(graph: nx.Graph, by_iri: bool) -> tuple[Nodes, Edges]:
    """Nodes by IRI and edges by (source IRI, target IRI, relation), format extras dropped."""
    iri = {n: (_unquote(a["iri"]) if by_iri else n) for n, a in graph.nodes(data=True)}
    nodes = {iri[n]: {k: v for k, v in a.items() if k not in FORMAT_EXTRAS} for n, a in graph.nodes(data=True)}
    edges: Edges = {}
    for u, v, attributes in graph.edges(data=True):
        a, b = iri[u], iri[v]
        if not graph.is_directed():
            a, b = sorted((a, b))
        relation = _unquote(attributes["relation"])
        edges[(a, b, relation)] = {k: val for k, val in attributes.items() if k not in FORMAT_EXTRAS}
    return nodes, edges


def _unquote(value: object) -> object:
    """A DOT value as read by pydot: surrounding quotes removed, escapes decoded."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        out, chars = [], iter(value[1:-1])
        for ch in chars:
            if ch == "\\":
                nxt = next(chars, "")
                out.append({"n": "\n", "r": "\r", '"': '"', "\\": "\\"}.get(nxt, "\\" + nxt))
            else:
                out.append(ch)
        return "".join(out)
    return value


def read_graphml(data: bytes, multigraph: bool) -> tuple[Nodes, Edges]:
    return _keyed(nx.read_graphml(io.BytesIO(data), force_multigraph=multigraph), by_iri=True)


def read_gexf(data: bytes, multigraph: bool) -> tuple[Nodes, Edges]:
    return _keyed(nx.read_gexf(io.BytesIO(data)), by_iri=False)


def read_cytoscape(data: bytes, multigraph: bool) -> tuple[Nodes, Edges]:
    return _keyed(nx.cytoscape_graph(json.loads(data.decode("utf-8")), name="label"), by_iri=False)


def read_node_link(data: bytes, multigraph: bool) -> tuple[Nodes, Edges]:
    return _keyed(nx.node_link_graph(json.loads(data.decode("utf-8")), edges="links"), by_iri=False)


def read_dot(data: bytes, multigraph: bool) -> tuple[Nodes, Edges]:
    (parsed,) = pydot.graph_from_dot_data(data.decode("utf-8"))
    graph = nx.nx_pydot.from_pydot(parsed)
    nodes, edges = _keyed(graph, by_iri=True)
    unquoted = {n: {k: _unquote(v) for k, v in a.items()} for n, a in nodes.items()}
    return unquoted, {e: {k: _unquote(v) for k, v in a.items()} for e, a in edges.items()}


def read_csv_files(paths: list[Path], directed: bool) -> tuple[Nodes, Edges]:
    with paths[0].open(encoding="utf-8", newline="") as handle:
        nodes = {row.pop("id"): {k: v for k, v in row.items() if v != ""} for row in csv.DictReader(handle)}
    edges: Edges = {}
    with paths[1].open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            a, b = row.pop("source"), row.pop("target")
            if not directed:
                a, b = sorted((a, b))
            row.pop("key", None)
            edges[(a, b, row["relation"])] = {k: v for k, v in row.items() if v != ""}
    return nodes, edges


READERS: dict[str, Callable[[bytes, bool], tuple[Nodes, Edges]]] = {
    "graphml": read_graphml, "gexf": read_gexf, "cytoscape": read_cytoscape, "node-link": read_node_link,
    "dot": read_dot,
}


def _comparable(value: object, as_text: bool) -> object:
    if as_text:
        return str(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return value


def assert_same(graph: nx.Graph, nodes: Nodes, edges: Edges, as_text: bool) -> None:
    """Node and edge counts, and every attribute of every node and edge, as in the source view."""
    source_nodes, source_edges = _keyed(graph, by_iri=False)
    assert len(nodes) == graph.number_of_nodes() and set(nodes) == set(source_nodes)
    assert len(edges) == graph.number_of_edges() and set(edges) == set(source_edges)
    for node, attributes in source_nodes.items():
        assert {k: _comparable(v, as_text) for k, v in nodes[node].items()} == \
               {k: _comparable(v, as_text) for k, v in attributes.items()}, node
    for edge, attributes in source_edges.items():
        assert {k: _comparable(v, as_text) for k, v in edges[edge].items()} == \
               {k: _comparable(v, as_text) for k, v in attributes.items()}, edge


# --- every format, every view --------------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(READERS))
@pytest.mark.parametrize("view", list(VIEWS))
def test_format_reads_back_as_the_view(views: dict[str, nx.Graph], report_views: dict[str, nx.Graph], view: str,
                                      fmt: str) -> None:
    graph = report_views[view] if fmt == "dot" else views[view]
    assert graph.number_of_edges() > 0
    data = export_graph(graph, fmt)
    assert isinstance(data, bytes)
    nodes, edges = READERS[fmt](data, graph.is_multigraph())
    assert_same(graph, nodes, edges, as_text=fmt in TEXT_FORMATS)


@pytest.mark.parametrize("view", list(VIEWS))
def test_csv_node_and_edge_lists_read_back(views: dict[str, nx.Graph], view: str, tmp_path: Path) -> None:
    graph = views[view]
    written = export_graph(graph, "csv", tmp_path / f"{view}.csv")
    assert written == [tmp_path / f"{view}-nodes.csv", tmp_path / f"{view}-edges.csv"]
    nodes, edges = read_csv_files(written, graph.is_directed())
    assert_same(graph, nodes, edges, as_text=True)


def test_csv_paths_beside_a_file_or_in_a_folder(tmp_path: Path) -> None:
    assert csv_paths(tmp_path / "g.csv") == (tmp_path / "g-nodes.csv", tmp_path / "g-edges.csv")
    assert csv_paths(tmp_path / "g") == (tmp_path / "g-nodes.csv", tmp_path / "g-edges.csv")
    assert csv_paths(tmp_path) == (tmp_path / "nodes.csv", tmp_path / "edges.csv")


def test_chinese_survives_every_format(report_views: dict[str, nx.Graph], tmp_path: Path) -> None:
    graph = report_views["full"]
    committee = next(a for _, a in graph.nodes(data=True) if a.get("label") == "中共西安市莲湖区委")
    for fmt in READERS:
        nodes, _ = READERS[fmt](export_graph(graph, fmt), True)
        assert nodes[committee["iri"]]["label"] == "中共西安市莲湖区委", fmt
        assert nodes[committee["iri"]]["region_label"] == "莲湖区", fmt
    nodes, _ = read_csv_files(export_graph(graph, "csv", tmp_path / "g"), True)
    assert nodes[committee["iri"]]["label"] == "中共西安市莲湖区委"


# --- schemas ----------------------------------------------------------------------------------------


def _schema(path: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(path)))


@pytest.mark.parametrize("view", list(VIEWS))
def test_graphml_is_valid_graphml(views: dict[str, nx.Graph], view: str) -> None:
    schema = _schema(SCHEMAS / "graphml" / "graphml.xsd")
    document = etree.fromstring(graphml_bytes(views[view]))
    assert schema.validate(document), schema.error_log.last_error
    keys = {(k.get("for"), k.get("attr.name")): k.get("attr.type") for k in document.iter("{*}key")}
    assert keys[("node", "label")] == "string"
    if view == "full":
        assert keys[("node", "year")] in ("int", "long") and keys[("edge", "weight")] == "double"


@pytest.mark.parametrize("view", list(VIEWS))
def test_gexf_is_valid_gexf_with_colours_and_sizes(views: dict[str, nx.Graph], view: str) -> None:
    schema = _schema(SCHEMAS / "gexf" / "gexf.xsd")
    graph = views[view]
    document = etree.fromstring(gexf_bytes(graph))
    assert schema.validate(document), schema.error_log.last_error
    read = nx.read_gexf(io.BytesIO(gexf_bytes(graph)))
    colours: dict[str, set[tuple[int, int, int]]] = {}
    for node, attributes in read.nodes(data=True):
        colour = attributes["viz"]["color"]
        colours.setdefault(attributes["kind"], set()).add((colour["r"], colour["g"], colour["b"]))
    assert all(len(c) == 1 for c in colours.values())  # one colour per kind
    assert len({next(iter(c)) for c in colours.values()}) == len(colours)  # and kinds differ
    hub = max(graph.degree, key=lambda nd: nd[1])[0]
    leaf = min(graph.degree, key=lambda nd: nd[1])[0]
    assert read.nodes[hub]["viz"]["size"] > read.nodes[leaf]["viz"]["size"]


def test_schemas_are_strict(views: dict[str, nx.Graph]) -> None:
    """NetworkX's own GEXF (graph/@name) and GraphML with IRIs as ids are rejected: the schemas bite."""
    graph = views["region-type"]
    raw = io.BytesIO()
    nx.write_gexf(graph, raw)
    assert not _schema(SCHEMAS / "gexf" / "gexf.xsd").validate(etree.fromstring(raw.getvalue()))
    raw = io.BytesIO()
    nx.write_graphml(graph, raw)
    assert not _schema(SCHEMAS / "graphml" / "graphml.xsd").validate(etree.fromstring(raw.getvalue()))


def test_schema_imports_resolve_locally() -> None:
    for path in SCHEMAS.rglob("*.xsd"):
        for imported in etree.parse(str(path)).iter("{http://www.w3.org/2001/XMLSchema}import",
                                                    "{http://www.w3.org/2001/XMLSchema}include"):
            location = imported.get("schemaLocation")
            assert location and "://" not in location and (path.parent / location).exists(), (path, location)


# --- DOT quoting ------------------------------------------------------------------------------------


def test_dot_keeps_quotes_backslashes_and_newlines() -> None:
    tricky = ['《关于“四风”的"通知"》', "a\\b", "ends with \\", "两行\n第二行", "{braces} [x]; a=b", "-> --", "graph"]
    graph = nx.MultiDiGraph()
    for i, text in enumerate(tricky):
        graph.add_node(f"https://example.org/{i}", kind="Measure", label=text, iri=f"https://example.org/{i}", text=text)
    graph.add_edge("https://example.org/0", "https://example.org/1", key="addresses", relation="addresses",
                   keywords=tricky[0])
    nodes, edges = read_dot(dot_bytes(graph), True)
    assert_same(graph, nodes, edges, as_text=True)


# --- the command ------------------------------------------------------------------------------------


def test_cli_export_writes_files_and_stdout(store_dir: Path, views: dict[str, nx.Graph], tmp_path: Path) -> None:
    runner = CliRunner()
    target = tmp_path / "cd.graphml"
    result = runner.invoke(app, ["export", "--view", "committee-document", "--format", "graphml", "-o", str(target),
                                 "--store", str(store_dir)])
    assert result.exit_code == 0, result.output
    graph = views["committee-document"]
    assert_same(graph, *read_graphml(target.read_bytes(), False), as_text=False)
    result = runner.invoke(app, ["export", "-v", "region-type", "-f", "node-link", "-s", str(store_dir)])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["graph"]["view"] == "region-type"
    result = runner.invoke(app, ["export", "-v", "region-type", "-f", "csv", "-o", f"{tmp_path}/", "-s", str(store_dir)])
    assert result.exit_code == 0 and (tmp_path / "nodes.csv").exists() and (tmp_path / "edges.csv").exists()


def test_cli_export_for_one_report(store_dir: Path) -> None:
    report = "report/610104-区委/2020-10-20/2022-05-06"
    result = CliRunner().invoke(app, ["export", "-f", "cytoscape", "-r", report, "-s", str(store_dir)])
    assert result.exit_code == 0
    graph = nx.cytoscape_graph(json.loads(result.stdout), name="label")
    reports = {a["iri"] for _, a in graph.nodes(data=True) if a["kind"] == "Report"}
    assert reports == {"https://w3id.org/xunshi-kg/id/" + report}


@pytest.mark.parametrize("args", [["-f", "csv"], ["-f", "xml"], ["-v", "nope"]])
def test_cli_export_errors_exit_2(store_dir: Path, args: list[str]) -> None:
    result = CliRunner().invoke(app, ["export", *args, "-s", str(store_dir)])
    assert result.exit_code == 2 and "错误" in result.output


def test_export_errors_are_graph_errors(views: dict[str, nx.Graph]) -> None:
    with pytest.raises(GraphError):
        export_graph(views["region-type"], "svg")
    with pytest.raises(GraphError):
        export_graph(views["region-type"], "csv")
    assert set(FORMATS) == {"graphml", "gexf", "cytoscape", "node-link", "dot", "csv"}


def test_exports_repeat_across_processes(store_dir: Path) -> None:
    """Node order (and so GraphML's n0, n1, … ids) does not depend on Python's string hashing."""
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-m", "kg.cli", "export", "-v", "committee-document", "-f", "graphml",
                               "-s", str(store_dir)], capture_output=True, env=env, check=True, timeout=300)
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1] and b"<graphml" in outputs[0]
