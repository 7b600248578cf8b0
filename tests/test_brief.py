"""kg brief: the self-contained page of one region's figures, as HTML and in headless Chromium.

The browser tests drive Debian's Chromium through playwright, as tests/test_viz.py does, and are
skipped, with the reason, only when no Chromium binary is present.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html
from pyoxigraph import Store
from typer.testing import CliRunner

from kg.brief import ECHARTS_VERSION, chart_data, render_html, write_html
from kg.cli import app
from kg.compare import ACCOUNTABILITY, MONEY, Side, compare
from kg.exceptions import VizError
from kg.viz import CHROMIUM_ARGS, find_chromium

from .test_viz import Loaded, _open


@pytest.fixture(scope="module")
def qinhuangdao(store: Store) -> Side:
    """The report with accountability figures (立案13件, 处分 24 + 8 people)."""
    return compare(store, ["秦皇岛市经济技术开发区"])[0]


def _data(page: str) -> dict[str, Any]:
    return json.loads(lxml_html.fromstring(page).get_element_by_id("kg-brief-data").text)


def test_page_is_one_self_contained_file(qinhuangdao: Side) -> None:
    page = render_html(qinhuangdao)
    tree = lxml_html.fromstring(page)
    assert not tree.xpath("//script[@src] | //link[@href] | //img[@src] | //iframe")
    assert tree.xpath("//meta[@charset='utf-8']")
    scripts = tree.xpath("//script[not(@type)]/text()")
    assert any("Apache Software Foundation" in s and f'"{ECHARTS_VERSION}"' in s for s in scripts)  # inlined
    assert _data(page) == json.loads(json.dumps(chart_data(qinhuangdao)))
    text = tree.text_content()
    assert "秦皇岛市经济技术开发区" in text and "问题类型" in text and "最具体的整改措施" in text
    items = tree.xpath("//ol[@id='kg-measures']/li")
    assert len(items) == len(qinhuangdao.top_measures) > 0
    for item, measure in zip(items, qinhuangdao.top_measures, strict=True):
        assert item.get("data-measure") == measure.measure and measure.text in item.text_content()


def test_chart_data_is_the_compare_data(qinhuangdao: Side) -> None:
    data = chart_data(qinhuangdao)
    assert data["accountability"]["values"] == [13, 32, 0, 0, 0, 0]  # read in the report
    assert data["types"]["problems"] == [t.problems for t in qinhuangdao.types][:len(data["types"]["problems"])]
    assert data["money"]["values"] == [qinhuangdao.money[k] for k in MONEY]
    feedback = next(e for e in data["timeline"]["events"] if e["name"] == "反馈")
    assert feedback["data"] == [["2021-03-18", 0]]  # tests/expected/hebei-qinhuangdao-etdz-2021.json


def test_text_values_are_escaped(qinhuangdao: Side) -> None:
    hostile = '</script><script>alert("x")</script><img src="https://example.invalid/x.png">&amp;'
    scope = replace(qinhuangdao.scope, label=hostile)
    measures = [replace(qinhuangdao.top_measures[0], text=hostile, reasons=[hostile])]
    side = replace(qinhuangdao, scope=scope, top_measures=measures)
    page = render_html(side)
    tree = lxml_html.fromstring(page)
    assert len(tree.xpath("//script")) == 3 and not tree.xpath("//img")
    assert _data(page)["title"] == hostile
    assert hostile in tree.xpath("//ol[@id='kg-measures']/li/p")[0].text_content()


# --- the page in headless Chromium ----------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        chromium = find_chromium()
    except VizError as exc:
        pytest.skip(f"no Chromium binary, so the page cannot be rendered ({exc.reason})")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=chromium, headless=True, args=list(CHROMIUM_ARGS))
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def loaded(browser: Any, qinhuangdao: Side, tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    path = write_html(qinhuangdao, tmp_path_factory.mktemp("brief") / "brief.html")
    return _open(browser, path)


def test_page_loads_offline_without_errors(loaded: Loaded) -> None:
    assert loaded.errors == [] and loaded.refused == []
    assert all(url.startswith(("file:", "data:")) for url in loaded.requests)


def _series(loaded: Loaded, chart: str) -> list[list[Any]]:
    return loaded.page.evaluate(f"kgBrief.charts[{json.dumps(chart)}].getOption().series.map(s => s.data)")


def test_charts_draw_the_compare_data(loaded: Loaded, qinhuangdao: Side) -> None:
    page = loaded.page
    for chart in ("types", "timeline", "accountability", "money"):
        box = page.locator(f"#kg-chart-{chart} canvas").first.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 200, chart
    shown = len(page.evaluate("kgBrief.charts.types.getOption().yAxis[0].data"))
    types = qinhuangdao.types[:shown]
    assert _series(loaded, "types") == [[t.problems for t in types], [t.measures for t in types],
                                        [t.concrete for t in types]]
    assert _series(loaded, "accountability") == [[qinhuangdao.accountability[k] for k in ACCOUNTABILITY]]
    assert _series(loaded, "accountability")[0][:2] == [13, 32]
    assert _series(loaded, "money") == [[qinhuangdao.money[k] for k in MONEY]]
    signed = page.evaluate("kgBrief.charts.timeline.getOption().series.filter(s => s.name === '报告落款')[0].data")
    assert signed == [["2021-07-23", 0]]
    painted = page.evaluate("""() => { const c = document.querySelector('#kg-chart-types canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n / (c.width * c.height); }""")
    assert painted > 0.02  # bars and labels drawn, not an empty canvas


def test_chinese_text_is_on_the_page(loaded: Loaded, qinhuangdao: Side) -> None:
    body = loaded.page.locator("body").inner_text()
    assert "巡视巡察整改简报" in body and "问责与处分" in body
    assert qinhuangdao.top_measures[0].text[:30] in body


# --- the command ----------------------------------------------------------------------------


def test_cli_writes_the_page_and_refuses_unknown_regions(store_dir: Path, tmp_path: Path) -> None:
    page = tmp_path / "lianhu.html"
    result = CliRunner().invoke(app, ["brief", "莲湖区", "-o", str(page), "--store", str(store_dir)])
    assert result.exit_code == 0, result.output
    assert "已写出" in result.output and _data(page.read_text(encoding="utf-8"))["title"] == "莲湖区"
    bad = CliRunner().invoke(app, ["brief", "火星", "-o", str(tmp_path / "x.html"), "--store", str(store_dir)])
    assert bad.exit_code == 2 and len(bad.output.strip().splitlines()) == 1 and not (tmp_path / "x.html").exists()
