"""kg viz: the self-contained page, checked as HTML and in headless Chromium on the real reports.

The browser tests drive Debian's Chromium through playwright (no browser download) and are skipped,
with the reason, only when no Chromium binary is present; .ci/run installs one.
"""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from lxml import html as lxml_html
from PIL import Image
from pyoxigraph import Store

from kg.exceptions import KgError, VizError
from kg.graph import project
from kg.query import resolve_query, run_query
from kg.viz import (ANCHOR_KINDS, CHROMIUM_ARGS, VIS_VERSION, cap, find_chromium, kind_labels, page_data, render_html,
                    write_html)

from .conftest import DATA, REAL_REPORTS


@pytest.fixture(scope="module")
def viz_store(store: Store) -> Store:
    """The store built from data/reports once per session (tests/conftest.py)."""
    return store


@pytest.fixture(scope="module")
def full_view(viz_store: Store) -> nx.Graph:
    return project(viz_store, "full")


def _committees(store: Store) -> list[str]:
    """The inspected committees of the reports, as the store names them."""
    rows = run_query(store, resolve_query("reports")).as_dicts()
    return sorted({str(row["committee"]) for row in rows})


def _source_text(store: Store, iri: str) -> str:
    rows = run_query(store, resolve_query("source-sentence"), {"item": iri}).as_dicts()
    assert rows, iri
    return str(rows[0]["text"])


def _data(page_html: str) -> dict[str, Any]:
    tree = lxml_html.fromstring(page_html)
    return json.loads(tree.get_element_by_id("kg-data").text)


def _distinct_colours(picture: bytes | Image.Image) -> int:
    image = picture if isinstance(picture, Image.Image) else Image.open(io.BytesIO(picture))
    image = image.convert("RGBA")
    return len(image.getcolors(maxcolors=image.width * image.height) or ())


# --- the page as a file ---------------------------------------------------------------------


def test_page_is_one_self_contained_file(viz_store: Store, full_view: nx.Graph) -> None:
    page, drawn = render_html(full_view, title="全图", labels=kind_labels(viz_store))
    tree = lxml_html.fromstring(page)
    assert not tree.xpath("//script[@src] | //link[@href] | //img[@src] | //iframe")
    assert not [v for v in tree.xpath("//@src | //@href") if v.startswith(("http:", "https:", "//"))]
    assert tree.xpath("//meta[@charset='utf-8']")
    style = " ".join(tree.xpath("//style/text()"))
    assert "Noto Sans CJK SC" in style and "vis-network" in style  # CJK font stack, vis-network's own style
    scripts = tree.xpath("//script[not(@type)]/text()")
    assert any("vis-network" in s and f"@version {VIS_VERSION}" in s for s in scripts)  # inlined from kg/vendor
    data = _data(page)
    assert drawn.nodes == drawn.total_nodes == full_view.number_of_nodes() == len(data["nodes"])
    assert drawn.edges == full_view.number_of_edges() == len(data["edges"])
    labels = {n["label"] for n in data["nodes"]}
    assert set(_committees(viz_store)) <= labels


def test_legend_kinds_come_from_the_ontology(viz_store: Store, full_view: nx.Graph) -> None:
    labels = kind_labels(viz_store)
    assert labels["PartyCommittee"] == "党组织" and labels["Measure"] == "整改措施" and labels["Concept"] == "问题类型"
    data = page_data(cap(full_view), labels)
    kinds = {k["kind"]: k for k in data["kinds"]}
    assert kinds["Measure"]["label"] == "整改措施" and kinds["PartyCommittee"]["label"] == "党组织"
    assert sum(k["count"] for k in data["kinds"]) == len(data["nodes"])
    assert kinds["Measure"]["count"] == sum(1 for _, k in full_view.nodes(data="kind") if k == "Measure")
    assert len({k["colour"] for k in data["kinds"]}) == len(data["kinds"])  # one colour per kind


def test_measures_carry_their_source_sentence(viz_store: Store, full_view: nx.Graph) -> None:
    data = page_data(cap(full_view))
    measures = [n for n in data["nodes"] if n["kind"] == "Measure"]
    assert len(measures) == sum(1 for _, k in full_view.nodes(data="kind") if k == "Measure") > 300
    for node in measures[:: len(measures) // 5]:
        iri = dict(node["attrs"])["iri"]
        assert node["text"] == _source_text(viz_store, iri)


def test_a_big_view_is_capped_to_the_backbone_and_best_connected(full_view: nx.Graph, tmp_path: Path) -> None:
    drawn = write_html(full_view, tmp_path / "capped.html", max_nodes=200)
    assert drawn.nodes == 200 and drawn.total_nodes == full_view.number_of_nodes() > 200
    kept = set(drawn.graph)
    anchors = {n for n, k in full_view.nodes(data="kind") if k in ANCHOR_KINDS}
    assert anchors <= kept
    others_kept = [full_view.degree(n) for n in kept - anchors]
    others_dropped = [full_view.degree(n) for n in set(full_view) - kept]
    assert min(others_kept) >= max(others_dropped)
    assert all(u in kept and v in kept for u, v in drawn.graph.edges())
    page = (tmp_path / "capped.html").read_text(encoding="utf-8")
    assert f"仅显示 200 个节点 (共 {full_view.number_of_nodes()} 个)" in page
    assert len(_data(page)["nodes"]) == 200


def test_heaviest_edges_are_kept_and_multigraph_edges_counted() -> None:
    graph = nx.MultiDiGraph()
    graph.add_node("a", kind="Measure", label="甲", text="措施甲。")
    graph.add_node("b", kind="Widget", label="乙")
    graph.add_edge("a", "b", key="x", relation="x", weight=0.2)
    graph.add_edge("a", "b", key="y", relation="y", weight=0.9)
    assert cap(graph).edges == 2
    drawn = cap(graph, max_edges=1)
    assert [d["relation"] for *_, d in drawn.graph.edges(data=True)] == ["y"]
    data = page_data(drawn)
    assert data["meta"]["directed"] and {k["kind"] for k in data["kinds"]} == {"Measure", "Widget"}


def test_empty_view_and_bad_limits_are_errors() -> None:
    with pytest.raises(VizError, match="没有节点"):
        render_html(nx.Graph())
    graph = nx.Graph()
    graph.add_node(1, kind="Region", label="天桥区")
    with pytest.raises(VizError):
        cap(graph, max_nodes=0)


def test_a_missing_chromium_is_one_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KG_CHROMIUM", str(tmp_path / "no-such-chromium"))
    with pytest.raises(VizError, match="KG_CHROMIUM") as caught:
        find_chromium()
    assert "\n" not in str(caught.value) and isinstance(caught.value, KgError)


# --- the page in headless Chromium ----------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> str:
    try:
        return find_chromium()
    except VizError as exc:
        pytest.skip(f"no Chromium binary, so the page cannot be rendered ({exc.reason}); "
                    ".ci/run installs Debian's chromium")


@dataclass
class Loaded:
    """A page opened from a file:// URL, with everything it logged and asked for."""

    page: Any
    requests: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=chromium, headless=True, args=list(CHROMIUM_ARGS))
        yield launched
        launched.close()


def _open(browser: Any, path: Path) -> Loaded:
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    loaded = Loaded(page)
    page.on("request", lambda request: loaded.requests.append(request.url))
    page.on("console", lambda msg: loaded.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: loaded.errors.append(str(exc)))

    def refuse_dialog(dialog: Any) -> None:
        loaded.errors.append("dialog: " + dialog.message)
        dialog.dismiss()

    page.on("dialog", refuse_dialog)

    def only_files(route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            loaded.refused.append(url)
            route.abort()

    page.route("**/*", only_files)
    page.goto(path.resolve().as_uri())
    page.wait_for_selector("body[data-ready='1']", timeout=120_000)
    return loaded


@pytest.fixture(scope="module")
def full_page(browser: Any, viz_store: Store, full_view: nx.Graph, tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    path = tmp_path_factory.mktemp("viz") / "full.html"
    write_html(full_view, path, title="全图 · full", labels=kind_labels(viz_store))
    return _open(browser, path)


def test_page_loads_offline_without_errors(full_page: Loaded) -> None:
    assert full_page.errors == []
    assert full_page.refused == []
    assert full_page.requests and all(url.startswith(("file:", "data:")) for url in full_page.requests)
    assert full_page.page.evaluate("kgViz.network.physics.options.enabled") is False  # stopped after layout


def test_the_graph_is_drawn(full_page: Loaded) -> None:
    page = full_page.page
    page.evaluate("kgViz.network.unselectAll(); kgViz.network.fit({animation: false}); kgViz.network.redraw()")
    url = page.evaluate("document.querySelector('#kg-network canvas').toDataURL('image/png')")  # the canvas alone
    image = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    assert image.width > 800 and image.height > 600
    painted = image.width * image.height - image.getchannel("A").histogram()[0]  # not transparent
    assert painted > 0.01 * image.width * image.height
    assert _distinct_colours(image) > 200
    legend = page.locator("#kg-legend").inner_text()
    assert "党组织" in legend and "整改措施" in legend


def test_search_selects_each_committee(full_page: Loaded, viz_store: Store) -> None:
    page = full_page.page
    committees = _committees(viz_store)
    assert len(committees) == len(REAL_REPORTS)
    for name in committees:
        page.fill("#kg-search", name)
        target = page.evaluate("name => kgViz.data.nodes.filter(n => n.label === name).map(n => n.id)", name)
        assert len(target) == 1, name
        selected = page.evaluate("kgViz.network.getSelectedNodes()")
        assert target[0] in selected and int(page.get_attribute("body", "data-matches")) == len(selected)
        assert page.locator("#kg-label").inner_text() == name  # the exact match is shown first
        assert page.locator("#kg-panel").get_attribute("data-node") == str(target[0])
    page.fill("#kg-search", "不会出现的名称xyz")
    assert page.evaluate("kgViz.network.getSelectedNodes()") == []
    assert page.get_attribute("body", "data-matches") == "0"


_LONELY_MEASURES = """count => {
  const net = kgViz.network, pos = net.getPositions();
  const ids = Object.keys(pos).map(Number);
  const gap = id => Math.min(...ids.filter(o => o !== id)
    .map(o => Math.hypot(pos[o].x - pos[id].x, pos[o].y - pos[id].y)));
  return kgViz.data.nodes.filter(n => n.kind === "Measure").map(n => [gap(n.id), n.id])
    .sort((a, b) => b[0] - a[0]).slice(0, count).map(p => p[1]);
}"""


def test_clicking_a_measure_shows_its_source_sentence(full_page: Loaded, viz_store: Store) -> None:
    page = full_page.page
    page.fill("#kg-search", "")
    box = page.locator("#kg-network").bounding_box()
    for node_id in page.evaluate(_LONELY_MEASURES, 3):  # measures with room around them, so the click is theirs
        point = page.evaluate("""id => { const p = kgViz.network.getPosition(id);
            kgViz.network.moveTo({position: p, scale: 2.0, animation: false});
            return kgViz.network.canvasToDOM(p); }""", node_id)
        page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
        assert page.locator("#kg-panel").get_attribute("data-node") == str(node_id)
        iri = page.locator("#kg-attrs tr[data-key='iri'] td").nth(1).inner_text()
        assert page.locator("#kg-text").inner_text() == _source_text(viz_store, iri)
        assert page.evaluate("kgViz.network.getSelectedNodes()") == [node_id]


def test_labels_are_data_not_markup(browser: Any, tmp_path: Path) -> None:
    hostile = '</script><script>alert("x")</script><img src="https://example.invalid/x.png">'
    graph = nx.Graph()
    graph.add_node("m", kind="Measure", label=hostile, text=hostile)
    graph.add_node("r", kind="Region", label="天桥区")
    graph.add_edge("m", "r", relation="region")
    write_html(graph, tmp_path / "hostile.html")
    loaded = _open(browser, tmp_path / "hostile.html")
    loaded.page.fill("#kg-search", "alert")
    assert loaded.page.locator("#kg-text").inner_text() == hostile
    assert loaded.errors == [] and loaded.refused == []


# --- the command ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def disk_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    location = tmp_path_factory.mktemp("viz-store") / "store"
    result = _kg("build", str(DATA), "--store", str(location))
    assert result.returncode == 0, result.stderr
    return location


def _kg(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True, timeout=300,
                          env=env, check=False)


def test_cli_writes_the_page_and_a_picture(disk_store: Path, chromium: str, tmp_path: Path) -> None:
    page, picture = tmp_path / "graph.html", tmp_path / "graph.png"
    result = _kg("viz", "--store", str(disk_store), "-o", str(page), "--png", str(picture))
    assert result.returncode == 0, result.stderr
    assert "已写出" in result.stdout and "committee-document" in result.stdout
    data = _data(page.read_text(encoding="utf-8"))
    assert {k["kind"] for k in data["kinds"]} == {"PartyCommittee", "NamedDocument"}
    image = Image.open(picture).convert("RGB")
    assert image.size == (1600, 1000)
    graph_area = image.crop((300, 120, 1100, 800))  # clear of the header, legend and side panel
    painted = {colour: count for count, colour in graph_area.getcolors(maxcolors=800 * 680) or ()}
    for kind in data["kinds"]:  # nodes of every kind are drawn in their legend colour
        rgb = tuple(int(kind["colour"][i:i + 2], 16) for i in (1, 3, 5))
        assert painted.get(rgb, 0) > 20, kind
    assert len(painted) > 200


def test_cli_one_report_and_errors(disk_store: Path, tmp_path: Path) -> None:
    page = tmp_path / "one.html"
    report = "report/610104-区委/2020-10-20/2022-05-06"
    result = _kg("viz", "--store", str(disk_store), "--view", "full", "--report", report, "-o", str(page))
    assert result.returncode == 0, result.stderr
    data = _data(page.read_text(encoding="utf-8"))
    reports = {dict(n["attrs"]).get("report") for n in data["nodes"]} - {None}
    assert reports == {"https://w3id.org/xunshi-kg/id/" + report}
    bad_view = _kg("viz", "--store", str(disk_store), "--view", "nope", "-o", str(tmp_path / "x.html"))
    assert bad_view.returncode == 2 and "nope" in bad_view.stderr and not (tmp_path / "x.html").exists()
    env = {**os.environ, "KG_CHROMIUM": str(tmp_path / "no-chromium")}
    no_browser = _kg("viz", "--store", str(disk_store), "-o", str(page), "--png", str(tmp_path / "x.png"), env=env)
    assert no_browser.returncode == 2 and not (tmp_path / "x.png").exists()
    assert len(no_browser.stderr.strip().splitlines()) == 1 and "Chromium" in no_browser.stderr
