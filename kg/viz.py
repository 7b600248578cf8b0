"""Viz: a graph view as one self-contained, interactive HTML page, and a PNG of it.

The page must open anywhere, offline, as a single file one can mail: vis-network's script and
style (the npm package's dist files, shipped in kg/vendor/vis-network; tools/vendor.py refreshes
them) are written inline, so no ``<script src>`` or ``<link href>`` leaves the file. Nodes are
coloured by kind with a legend (Chinese labels from the ontology), a search box finds nodes by a
substring of their label, and a click shows a node's attributes and source sentence. A view of
thousands of nodes is capped to its best-connected nodes (the page says so) and physics stops once
the layout has stabilised, so the page stays responsive.

``screenshot`` renders the page in headless Chromium through playwright, an optional
dependency imported only when a PNG is asked for.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup
from pyoxigraph import Store

from kg import __version__
from kg.exceptions import VizError
from kg.namespaces import KG, shorten, sparql_prefixes
from kg.sparql import select

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE = "viz.html.j2"
VIS_DIR = Path(__file__).resolve().parent / "vendor" / "vis-network"
VIS_VERSION = "10.1.5"  # of the files in VIS_DIR, from the npm package vis-network (Apache-2.0 or MIT)
VIS_FILES = {"js": "vis-network.min.js", "css": "vis-network.min.css"}
DEFAULT_MAX_NODES = 1500  # the four reports of data/ (1,025 nodes in the full view) are drawn whole
DEFAULT_MAX_EDGES = 5000
SHORT_LABEL = 14

# Kinds in the order their colours are handed out, so a kind keeps its colour in every view.
KIND_ORDER = ("Report", "PartyCommittee", "Region", "Inspection", "InspectionGroup", "ProblemCategory", "Problem",
              "Measure", "NamedDocument", "DocumentMention", "Organisation", "Concept", "DeclaredCount", "SourceFile")
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#bcbd22", "#ff7f0e", "#17becf", "#e377c2",
           "#7f7f7f", "#393b79", "#637939", "#843c39", "#b5cf6b", "#a6cee3", "#fb9a99", "#fdbf6f", "#cab2d6",
           "#6a3d9a", "#b15928", "#000000")
# The backbone a reader looks for first: kept in a capped view whatever their degree.
ANCHOR_KINDS = frozenset({"Report", "PartyCommittee", "Region", "Inspection", "InspectionGroup"})
# Kinds outside our ontology (kg build loads kg.ttl only) and a fallback when no store is at hand.
EXTRA_KIND_LABELS = {"Concept": "问题类型", "Resource": "资源"}
ATTRIBUTE_LABELS = {
    "iri": "IRI", "region": "地区代码 (region)", "region_label": "地区 (region)", "report": "报告 (report)",
    "year": "年份 (year)", "span": "原文位置 (span)", "types": "问题类型 (types)", "degree": "连接数 (degree)",
    "prefLabel": "名称 (name)", "altLabel": "别名 (other name)", "title": "标题 (title)",
    "identifier": "文号 (identifier)", "issued": "发布日期 (issued)", "signedDate": "落款日期 (signed)",
    "status": "状态 (status)", "marker": "序号 (marker)", "position": "次序 (position)", "lead": "引语 (lead)",
    "committeeKind": "党组织类别 (committee kind)", "inspectionKind": "巡视/巡察 (kind)", "round": "轮次 (round)",
    "ordinal": "组次 (ordinal)", "startDate": "开始 (start)", "endDate": "结束 (end)", "feedbackDate": "反馈 (feedback)",
    "divisionCode": "区划代码 (division code)", "divisionLevel": "区划级别 (level)",
    "documentKind": "文件类别 (document kind)", "issuer": "发文机关 (issuer)", "scope": "范围 (scope)",
    "relation": "关系 (relation)", "count": "声明数 (declared)", "countedThing": "所计 (counted)",
    "comparedWith": "比照 (compared with)", "foundCount": "解析数 (found)", "sourcePath": "来源文件 (source)",
    "encoding": "编码 (encoding)", "publishedBy": "发布者 (published by)", "warning": "警告 (warning)",
    "notation": "编号 (notation)", "label": "名称 (label)", "label_en": "英文 (English)",
    "broader": "上位类型 (broader)",
}
HIDDEN_ATTRIBUTES = frozenset({"label", "text", "kind", "bipartite"})
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync")


@dataclass(frozen=True)
class Drawn:
    """The graph a page draws and how much of the view it left out."""

    graph: nx.Graph
    total_nodes: int
    total_edges: int

    @property
    def nodes(self) -> int:
        return int(self.graph.number_of_nodes())

    @property
    def edges(self) -> int:
        return int(self.graph.number_of_edges())


def cap(graph: nx.Graph, max_nodes: int = DEFAULT_MAX_NODES, max_edges: int = DEFAULT_MAX_EDGES) -> Drawn:
    """Keep the backbone and the best-connected nodes, and the heaviest edges, so a browser can lay it out."""
    if max_nodes < 1 or max_edges < 0:
        raise VizError(f"节点上限须至少为 1, 边上限不能为负 (need max nodes >= 1, max edges >= 0: {max_nodes}, {max_edges})")
    keep = list(graph.nodes)
    if len(keep) > max_nodes:
        rank = {kind: i for i, kind in enumerate(KIND_ORDER)}
        keep.sort(key=lambda n: (graph.nodes[n].get("kind") not in ANCHOR_KINDS, -graph.degree(n),
                                 rank.get(graph.nodes[n].get("kind"), len(rank)), str(graph.nodes[n].get("label", "")),
                                 str(n)))
        keep = keep[:max_nodes]
    kept = set(keep)
    edges = [e for e in _edges(graph) if e[0] in kept and e[1] in kept]
    if len(edges) > max_edges:
        edges.sort(key=lambda e: -_weight(e[-1]))
        edges = edges[:max_edges]
    drawn = graph.__class__()
    drawn.graph.update(graph.graph)
    drawn.add_nodes_from((n, graph.nodes[n]) for n in keep)
    drawn.add_edges_from(edges)
    return Drawn(drawn, graph.number_of_nodes(), graph.number_of_edges())


def _edges(graph: nx.Graph) -> list[tuple[Any, ...]]:
    """(u, v, data) or, for multigraphs, (u, v, key, data)."""
    return list(graph.edges(keys=True, data=True) if graph.is_multigraph() else graph.edges(data=True))


def _weight(data: Mapping[str, Any]) -> float:
    try:
        return float(data.get("weight", 1.0))
    except (TypeError, ValueError):
        return 1.0


def kind_colours(kinds: Iterable[str]) -> dict[str, str]:
    """A fixed colour per known kind, the rest of the palette for unknown kinds in name order."""
    colours = {kind: PALETTE[i] for i, kind in enumerate(KIND_ORDER)}
    spare = PALETTE[len(KIND_ORDER):]
    unknown = sorted(set(kinds) - set(colours))
    for i, kind in enumerate(unknown):
        colours[kind] = spare[i % len(spare)]
    return {kind: colours[kind] for kind in kinds}


def kind_labels(store: Store) -> dict[str, str]:
    """Chinese names of our classes, read from the ontology graph so the legend says what kg.ttl says."""
    query = sparql_prefixes("owl", "rdfs") + """SELECT ?class ?label WHERE { ?class a owl:Class ; rdfs:label ?label FILTER(LANG(?label) = "zh") }"""
    labels = dict(EXTRA_KIND_LABELS)
    for row in select(store, query):
        if row["class"].value.startswith(KG):
            labels[row["class"].value[len(KG):]] = row["label"].value
    return labels


def _darker(colour: str) -> str:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(int(c * 0.7) for c in (r, g, b)))


def _value(value: Any) -> str | None:
    """An attribute as the panel shows it: spans as [start, end), lists joined, None left out."""
    if value is None or value == "":
        return None
    if isinstance(value, tuple | list) and len(value) == 2 and all(isinstance(x, int) for x in value):
        return f"[{value[0]}, {value[1]})"
    if isinstance(value, list | tuple | set | frozenset):
        return "、".join(str(x) for x in value)
    return str(value)


def _short(label: str) -> str:
    return shorten(label, SHORT_LABEL)


def page_data(drawn: Drawn, labels: Mapping[str, str] | None = None, title: str = "") -> dict[str, Any]:
    """The JSON the page draws from: nodes, edges, kinds with colours and counts, and layout settings."""
    graph = drawn.graph
    labels = {**EXTRA_KIND_LABELS, **(labels or {})}
    index = {node: i for i, node in enumerate(graph.nodes)}
    nodes = [_node_data(index[node], node, attrs, graph.degree(node)) for node, attrs in graph.nodes(data=True)]
    counts: dict[str, int] = {}
    for node in nodes:
        counts[node["kind"]] = counts.get(node["kind"], 0) + 1
    ordered = sorted(counts, key=lambda k: (KIND_ORDER.index(k) if k in KIND_ORDER else len(KIND_ORDER), k))
    colours = kind_colours(ordered)
    kinds = [{"kind": k, "label": labels.get(k, k), "colour": colours[k], "border": _darker(colours[k]),
              "count": counts[k]} for k in ordered]
    edges = [{"from": index[e[0]], "to": index[e[1]], "relation": str(e[-1].get("relation", "")),
              "weight": _weight(e[-1])} for e in _edges(graph)]
    return {"nodes": nodes, "edges": edges, "kinds": kinds, "attributeLabels": ATTRIBUTE_LABELS,
            "meta": {"title": title, "directed": graph.is_directed(), "iterations": _iterations(len(nodes)),
                     "shown_nodes": drawn.nodes, "total_nodes": drawn.total_nodes,
                     "shown_edges": drawn.edges, "total_edges": drawn.total_edges}}


def _node_data(i: int, node: Any, attrs: Mapping[str, Any], degree: int) -> dict[str, Any]:
    label = str(attrs.get("label") or node)
    shown = [(key, _value(value)) for key, value in attrs.items() if key not in HIDDEN_ATTRIBUTES]
    shown.append(("degree", str(degree)))
    return {"id": i, "label": label, "short": _short(label), "kind": str(attrs.get("kind") or "Thing"),
            "degree": degree, "text": str(attrs.get("text") or ""),
            "attrs": [[key, value] for key, value in shown if value is not None]}


def _iterations(nodes: int) -> int:
    """Fewer layout iterations for bigger views: each costs time proportional to the node count."""
    return 400 if nodes <= 300 else 250 if nodes <= 1000 else 150


def _asset(name: str) -> str:
    """vis-network's script or style as kg ships it."""
    try:
        return (VIS_DIR / VIS_FILES[name]).read_text(encoding="utf-8")
    except OSError as exc:
        raise VizError(f"找不到 vis-network 资源, 请重新安装 xunshi-kg (vis-network assets not found: reinstall; {exc})") \
            from None


def render_html(graph: nx.Graph, *, title: str = "xunshi-kg", labels: Mapping[str, str] | None = None,
                max_nodes: int = DEFAULT_MAX_NODES, max_edges: int = DEFAULT_MAX_EDGES,
                notes: Iterable[str] = ()) -> tuple[str, Drawn]:
    """The page for a graph whose nodes carry kind/label/text: HTML text and what it drew."""
    if graph.number_of_nodes() == 0:
        raise VizError("图中没有节点 (the view has no nodes)")
    drawn = cap(graph, max_nodes, max_edges)
    notes = list(notes)
    if drawn.nodes < drawn.total_nodes:
        notes.append(f"仅显示 {drawn.nodes} 个节点 (共 {drawn.total_nodes} 个): 报告、党组织、地区、巡视及连接最多的其他节点; "
                     f"可只画一份报告或提高上限 (showing {drawn.nodes} of {drawn.total_nodes} nodes: reports, committees, "
                     f"regions, inspections and the best-connected others; draw one report or raise the limit)")
    if drawn.edges < drawn.total_edges and drawn.edges >= max_edges:
        notes.append(f"仅显示权重最高的 {drawn.edges} 条边 (showing the {drawn.edges} heaviest edges)")
    env = Environment(loader=FileSystemLoader(TEMPLATE_DIR), autoescape=True, keep_trailing_newline=True)
    html = env.get_template(TEMPLATE).render(
        title=title, notes=notes, data=page_data(drawn, labels, title),
        vis_js=Markup(_asset("js")), vis_css=Markup(_asset("css")), version=__version__, vis_version=VIS_VERSION,
        shown_nodes=drawn.nodes, total_nodes=drawn.total_nodes,
        shown_edges=drawn.edges, total_edges=drawn.total_edges)
    return html, drawn


def write_html(graph: nx.Graph, path: str | Path, **options: Any) -> Drawn:
    """Write the page (options as for render_html) and say what it drew."""
    html, drawn = render_html(graph, **options)
    try:
        Path(path).write_text(html, encoding="utf-8")
    except OSError as exc:
        raise VizError(f"无法写出页面 (cannot write the page: {exc.strerror})", path) from None
    return drawn


def find_chromium(explicit: str | Path | None = None) -> str:
    """The Chromium to drive: the one given, else $KG_CHROMIUM, else /usr/bin/chromium or one on PATH."""
    wanted = explicit or os.environ.get("KG_CHROMIUM")
    if wanted:
        if Path(wanted).is_file() and os.access(wanted, os.X_OK):
            return str(wanted)
        raise VizError(f"KG_CHROMIUM 指向的浏览器不存在 (no Chromium executable at {wanted})")
    for name in ("/usr/bin/chromium", *CHROMIUM_NAMES):
        found = shutil.which(name)
        if found:
            return found
    raise VizError("未找到 Chromium, 请安装 chromium 或设置 KG_CHROMIUM (no Chromium found: install chromium "
                   "or set KG_CHROMIUM)")


def screenshot(html: str | Path, png: str | Path, *, chromium: str | Path | None = None, width: int = 1600,
               height: int = 1000, timeout: float = 120.0) -> Path:
    """Render the page in headless Chromium, with every non-file request refused, and save a PNG."""
    executable = find_chromium(chromium)
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise VizError("未安装 playwright, 请 pip install 'xunshi-kg[viz]' (playwright is not installed)") from None
    url = Path(html).resolve().as_uri()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=executable, headless=True, args=list(CHROMIUM_ARGS))
            try:
                page = browser.new_page(viewport={"width": width, "height": height})
                page.route("**/*", _file_only)
                page.goto(url)
                page.wait_for_selector("body[data-ready='1']", timeout=timeout * 1000)
                page.screenshot(path=str(png))
            finally:
                browser.close()
    except PlaywrightError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise VizError(f"Chromium 未能渲染页面 (Chromium could not render the page: {first})", html) from None
    return Path(png)


def _file_only(route: Any) -> None:
    """The page is self-contained: anything but file: and data: is refused."""
    if route.request.url.startswith(("file:", "data:")):
        route.continue_()
    else:
        route.abort()
