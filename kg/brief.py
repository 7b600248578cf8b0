"""Brief: one self-contained HTML page of a region's, committee's or report's figures.

One job: turn the data kg.compare computed for one side into a page a journalist can mail or open
offline: the headline figures, charts drawn by Apache ECharts (problems and measures by type, a
timeline of inspections and reports, accountability figures, money) and the most concrete
measures with their sentences. ECharts' dist script (npm package echarts, Apache-2.0, shipped in
kg/vendor/echarts by tools/vendor.py) is written inline, so nothing leaves the file. Every text
value reaches the page either through html.escape (markup) or as JSON with every <, >, & and
non-ASCII character escaped (ensure_ascii), which a script cannot break out of.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from kg import __version__
from kg.compare import ACCOUNTABILITY, MONEY, Side
from kg.exceptions import VizError
from kg.model import CONCRETE_REASONS
from kg.namespaces import local_id

ECHARTS_DIR = Path(__file__).resolve().parent / "vendor" / "echarts"
ECHARTS_VERSION = "6.1.0"  # of ECHARTS_DIR/echarts.min.js, from the npm package echarts (Apache-2.0)
FONTS = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei", sans-serif'
TYPES_SHOWN = 15  # problem types drawn, most problems first
EVENTS = (("start", "巡视巡察开始"), ("end", "巡视巡察结束"), ("feedback", "反馈"), ("signed", "报告落款"),
          ("published", "发布"))


def chart_data(side: Side) -> dict[str, Any]:
    """What the charts draw, read straight from the compare data (the tests compare the two)."""
    types = side.types[:TYPES_SHOWN]
    return {
        "title": side.scope.label,
        "types": {"categories": [f"{t.notation} {t.label}" for t in types],
                  "problems": [t.problems for t in types], "measures": [t.measures for t in types],
                  "concrete": [t.concrete for t in types]},
        "timeline": {"reports": [f"{r.committee} {r.signed or ''}".strip() for r in side.reports],
                     "events": [{"name": label, "data": [[getattr(r, key), i] for i, r in enumerate(side.reports)
                                                          if getattr(r, key)]} for key, label in EVENTS],
                     "spans": [[[getattr(r, key), i] for key, _ in EVENTS if getattr(r, key)]
                               for i, r in enumerate(side.reports)]},
        "accountability": {"categories": list(ACCOUNTABILITY.values()),
                           "values": [side.accountability[k] for k in ACCOUNTABILITY]},
        "money": {"categories": [f"{label}资金" for label in MONEY.values()],
                  "values": [side.money[k] for k in MONEY]},
    }


def _json(value: Any) -> str:
    """JSON safe inside a <script> element: ASCII only, and <, > and & as \\u escapes."""
    text = json.dumps(value, ensure_ascii=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _echarts() -> str:
    try:
        script = (ECHARTS_DIR / "echarts.min.js").read_text(encoding="utf-8")
    except OSError as exc:
        raise VizError(f"找不到 ECharts 资源, 请重新安装 xunshi-kg (ECharts assets not found: reinstall; {exc})") from None
    if "</script" in script.lower():
        raise VizError("ECharts 脚本含 </script>, 不能内联 (the ECharts script holds </script>: cannot inline it)")
    return script


def _figures(side: Side) -> str:
    """The headline figures as a definition list."""
    share = "—" if side.concrete_share is None else f"{side.concrete_share}%"
    days = "—" if side.mean_days_to_report is None else f"{side.mean_days_to_report:g}"
    items = [("报告", len(side.reports)), ("问题", side.problems), ("整改措施", side.measures),
             ("具体措施", f"{side.concrete} ({share})"), ("制定制度", side.rules),
             ("反馈至报告 (天)", days)]
    return "".join(f'<div class="fig"><dt>{html.escape(k)}</dt><dd>{html.escape(str(v))}</dd></div>' for k, v in items)


def _none(figures: dict[str, int], note: str) -> str:
    """A note under a chart whose figures are all zero: the reports say nothing of it."""
    return "" if any(figures.values()) else f'<p class="sub">{html.escape(note)}</p>'


def _unplaced(side: Side) -> str:
    """Reports whose committee has no division code: their types, accountability, money and rules are missing."""
    if not side.unplaced:
        return ""
    names = "、".join(local_id(r) for r in side.unplaced)
    return (f'<p class="sub" id="kg-unplaced">{len(side.unplaced)} 份报告的党组织无行政区划代码, 其问题类型、问责、资金和制度'
            f'数字未计入 (not counted in types, accountability, money and rules: no division code): {html.escape(names)}</p>')


def _reports(side: Side) -> str:
    rows = []
    for r in side.reports:
        cells = [r.committee, r.group or "", r.start or "", r.end or "", r.feedback or "", r.signed or "",
                 "" if r.days_to_report is None else str(r.days_to_report), local_id(r.report)]
        rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    head = "".join(f"<th>{h}</th>" for h in ("党组织", "巡视巡察组", "开始", "结束", "反馈", "落款", "反馈至报告 (天)", "报告"))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _measures(side: Side) -> str:
    items = []
    for m in side.top_measures:
        reasons = "、".join(CONCRETE_REASONS.get(r, r) for r in m.reasons)
        items.append(f'<li data-measure="{html.escape(m.measure)}"><span class="score">{m.score}</span>'
                     f'<span class="why">{html.escape(reasons)}</span><p>{html.escape(m.text)}</p>'
                     f'<code>{html.escape(local_id(m.measure))}</code></li>')
    return f'<ol id="kg-measures">{"".join(items)}</ol>' if items else "<p>没有具体措施 (no concrete measures)</p>"


_STYLE = """
body { font-family: FONTS; margin: 24px 32px; color: #222; background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; }
.sub { color: #666; font-size: 13px; }
dl { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.fig { border: 1px solid #ddd; border-radius: 6px; padding: 8px 16px; min-width: 110px; }
.fig dt { color: #666; font-size: 13px; } .fig dd { margin: 0; font-size: 24px; font-weight: bold; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.chart { height: 340px; border: 1px solid #eee; } #kg-chart-types { height: 460px; }
table { border-collapse: collapse; font-size: 13px; } td, th { border: 1px solid #ddd; padding: 4px 8px; text-align: left; }
ol#kg-measures li { margin: 8px 0; } .score { background: #1f77b4; color: #fff; border-radius: 3px; padding: 0 6px; margin-right: 6px; }
.why { color: #1f77b4; font-size: 13px; } ol#kg-measures p { margin: 4px 0; } code { color: #888; font-size: 12px; }
""".replace("FONTS", FONTS)

_SCRIPT = """
(function () {
  var data = JSON.parse(document.getElementById("kg-brief-data").textContent);
  var font = {fontFamily: FONTS_JSON};
  function bars(id, categories, series, horizontal) {
    var chart = echarts.init(document.getElementById(id), null, {renderer: "canvas"});
    var cat = {type: "category", data: categories, axisLabel: {interval: 0}};
    var val = {type: "value", minInterval: 1};
    chart.setOption({animation: false, textStyle: font, tooltip: {trigger: "axis"}, legend: {top: 0},
      grid: {left: horizontal ? 190 : 60, right: 30, top: 40, bottom: 40, containLabel: false},
      xAxis: horizontal ? val : cat, yAxis: horizontal ? Object.assign({inverse: true}, cat) : val,
      series: series.map(function (s) { return {type: "bar", name: s[0], data: s[1], label: {show: true,
        position: horizontal ? "right" : "top"}}; })});
    return chart;
  }
  var EVENT_COLOURS = ["#5470c6", "#91cc75", "#fac858", "#ee6666", "#9a60b4"];  // the same whatever the reports
  var charts = {};
  charts.types = bars("kg-chart-types", data.types.categories,
    [["问题", data.types.problems], ["整改措施", data.types.measures], ["具体措施", data.types.concrete]], true);
  charts.accountability = bars("kg-chart-accountability", data.accountability.categories,
    [["人数/件数", data.accountability.values]], false);
  charts.money = bars("kg-chart-money", data.money.categories, [["元", data.money.values]], false);
  var box = document.getElementById("kg-chart-timeline");
  box.style.height = Math.max(220, 90 + 46 * data.timeline.reports.length) + "px";  // one row a report
  var timeline = echarts.init(box, null, {renderer: "canvas"});
  timeline.setOption({animation: false, textStyle: font, tooltip: {trigger: "item"}, legend: {top: 0},
    grid: {left: 260, right: 40, top: 40, bottom: 40},
    xAxis: {type: "time"}, yAxis: {type: "category", data: data.timeline.reports},
    series: data.timeline.spans.map(function (span) { return {type: "line", data: span, symbol: "none",
      silent: true, lineStyle: {color: "#bbb", width: 3}, z: 1}; }).concat(
      data.timeline.events.map(function (e, i) { return {type: "scatter", name: e.name, data: e.data,
        symbolSize: 14, z: 2, itemStyle: {color: EVENT_COLOURS[i]}}; }))});
  charts.timeline = timeline;
  window.kgBrief = {data: data, charts: charts};
  document.body.setAttribute("data-ready", "1");
})();
""".replace("FONTS_JSON", json.dumps(FONTS))


def render_html(side: Side) -> str:
    """The page for one side of kg.compare's data."""
    scope = side.scope
    what = {"region": "地区", "committee": "党组织", "report": "报告"}.get(scope.kind, scope.kind)
    title = f"{scope.label} · 巡视巡察整改简报"
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="xunshi-kg {html.escape(__version__)}; Apache ECharts {ECHARTS_VERSION}">
<title>{html.escape(title)}</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>{html.escape(title)}</h1>
<div class="sub">{html.escape(what)} {html.escape(scope.label)}{' · ' + html.escape(scope.code) if scope.code else ''} ·
整改报告中的数字, 每个都可追溯到原句 (every figure from the reports' sentences; kg compare, kg show)</div>
<dl id="kg-figures">{_figures(side)}</dl>
{_unplaced(side)}
<h2>问题类型 (problems and measures by type)</h2>
<div id="kg-chart-types" class="chart"></div>
<h2>时间线 (inspections and reports)</h2>
<div id="kg-chart-timeline" class="chart"></div>
{_reports(side)}
<div class="grid">
<div><h2>问责与处分 (accountability)</h2><div id="kg-chart-accountability" class="chart"></div>
{_none(side.accountability, "报告的措施中没有立案、处分、问责等人数或件数 (the measures state no accountability figure)")}</div>
<div><h2>资金 (money, yuan)</h2><div id="kg-chart-money" class="chart"></div>
{_none(side.money, "报告的措施中没有追回、清退或节约的金额 (the measures state no sum recovered, refunded or saved)")}</div>
</div>
<h2>最具体的整改措施 (the most concrete measures)</h2>
{_measures(side)}
<script id="kg-brief-data" type="application/json">{_json(chart_data(side))}</script>
<script>{_echarts()}</script>
<script>{_SCRIPT}</script>
</body>
</html>
"""


def write_html(side: Side, path: str | Path) -> Path:
    """Write the page; the path written."""
    try:
        Path(path).write_text(render_html(side), encoding="utf-8")
    except OSError as exc:
        raise VizError(f"无法写出页面 (cannot write the page: {exc.strerror})", path) from None
    return Path(path)
