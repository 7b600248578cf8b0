"""The `kg` command. The only module that prints or exits: the library returns data and
raises kg.exceptions errors, which are turned into one-line messages and exit codes here.

Exit codes: 0 every file parsed; 1 some files failed (the others were still parsed);
2 nothing could be parsed (or a usage error).
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.tree import Tree

from kg import __version__
from kg.exceptions import KgError
from kg.model import Problem, Report
from kg.parse import parse_file
from kg.query import QueryResult, parse_params, resolve_query, run_query, saved_queries
from kg.store import EXPORT_FORMATS, build, export_rdf, open_store, stats, store_path

app = typer.Typer(
    help="xunshi-kg: 巡视/巡察整改报告 → 知识图谱 (inspection-rectification reports as a knowledge graph)",
    no_args_is_help=True,
    add_completion=False,
)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class ParseFormat(str, Enum):
    text = "text"
    json = "json"


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", help="显示版本 (show the version)")] = False,
) -> None:
    if version:
        out.print(f"xunshi-kg {__version__}")
        raise typer.Exit(0)


@app.command("parse")
def parse_command(
    files: Annotated[list[Path], typer.Argument(help="报告文件 (report files: UTF-8/GB18030/UTF-16 text)")],
    fmt: Annotated[ParseFormat | None, typer.Option(
        "--format", "-f", help="text: 大纲树 (outline tree, default on a terminal); json: 结构化 (default when piped)")] = None,
    no_text: Annotated[bool, typer.Option("--no-text", help="JSON 中不含全文 (omit the canonical text from JSON)")] = False,
    measures: Annotated[bool, typer.Option("--measures", "-m", help="大纲中列出整改措施 (show measures in the outline)")] = False,
) -> None:
    """解析整改报告 (parse reports into the document model: outline tree or JSON)."""
    fmt = fmt or (ParseFormat.text if sys.stdout.isatty() else ParseFormat.json)
    results: list[dict] = []
    failures = 0
    for path in files:
        try:
            report = parse_file(path)
        except KgError as exc:
            failures += 1
            err.print(f"[red]错误[/red] {escape(str(exc))}")
            results.append({"source": {"path": str(path)}, "error": exc.reason})
            continue
        if fmt is ParseFormat.json:
            results.append(report.to_dict(include_text=not no_text))
        else:
            out.print(_outline_tree(report, show_measures=measures))
            for warning in report.warnings:
                err.print(f"[yellow]警告[/yellow] {escape(report.source.path)}: {escape(warning)}")
    if fmt is ParseFormat.json:
        payload = results[0] if len(files) == 1 else results
        if not (len(files) == 1 and failures):
            sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    raise typer.Exit(_exit_code(len(files), failures))


def _exit_code(total: int, failures: int) -> int:
    if failures == 0:
        return 0
    return 2 if failures == total else 1


def _outline_tree(report: Report, show_measures: bool = False) -> Tree:
    c, i = report.committee, report.inspection
    problems = [p for cat in report.categories for p in cat.problems]
    subproblems = len(report.iter_problems()) - len(problems)
    title = report.title or f"{c.name or '?'} 整改进展情况 (无标题)"
    tree = Tree(f"[bold]{escape(title)}[/bold]")
    region = " ".join(x for x in (c.region.province, c.region.city, c.region.county) if x)
    tree.add(f"党组织: {escape(c.name or '?')} ({c.kind or '?'}) · {escape(region or '?')} {c.region.code or ''}")
    period = f"{i.start or '?'} 至 {i.end or '?'}"
    tree.add(f"{i.kind or '巡视/巡察'}: {escape(i.group or '?')}{' · ' + i.round if i.round else ''} · {period} · "
             f"反馈 {i.feedback or '?'}")
    tree.add(f"发布 {report.published or '?'} · 落款 {report.signed or '?'} · 编码 {report.source.encoding} · "
             f"{report.source.chars} 字")
    tree.add(f"[bold]{len([x for x in report.categories if x.title])} 个方面 · {len(problems)} 个问题 · "
             f"{subproblems} 个子问题 · {len(report.iter_measures())} 条措施 · {len(report.documents)} 份文件[/bold]")
    for category in report.categories:
        node = tree.add(f"{category.marker or ''}{escape(category.title or '(未分类)')} "
                        f"[dim][{len(category.problems)} 问题][/dim]") if category.title else tree
        for problem in category.problems:
            _add_problem(node, problem, show_measures)
    if report.declared:
        tree.add("声明: " + "; ".join(f"{escape(d.text)}" + (f" (解析到 {d.found})" if d.found is not None else "")
                                      for d in report.declared))
    return tree


def _add_problem(parent: Tree, problem: Problem, show_measures: bool) -> None:
    status = f" [green]({problem.status})[/green]" if problem.status else ""
    counts = f"{len(problem.measures)} 措施" + (f", {len(problem.problems)} 子问题" if problem.problems else "")
    node = parent.add(f"{problem.marker or ''}{escape(_short(problem.title or '(无标题)', 48))}{status} "
                      f"[dim][{counts}][/dim]")
    if show_measures:
        for measure in problem.measures:
            docs = f" [cyan]《{'》《'.join(measure.documents)}》[/cyan]" if measure.documents else ""
            node.add(f"[dim]{measure.marker or '·'}[/dim]{escape(_short(measure.text, 40))}{docs}")
    for sub in problem.problems:
        _add_problem(node, sub, show_measures)


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


StoreOption = Annotated[Path | None, typer.Option(
    "--store", "-s", help="仓库目录 (store directory; default $KG_STORE or ./kg-store)", show_default=False)]


class TableFormat(str, Enum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"


def _fail(exc: KgError, code: int = 2) -> typer.Exit:
    err.print(f"[red]错误[/red] {escape(str(exc))}")
    return typer.Exit(code)


@app.command("build")
def build_command(
    paths: Annotated[list[Path], typer.Argument(help="报告文件或目录 (report files or folders)")],
    store: StoreOption = None,
    prune: Annotated[bool, typer.Option("--prune", help="删除源文件已不存在的报告 (drop reports whose files are gone)")] = False,
) -> None:
    """构建知识图谱 (parse reports and load them into the Oxigraph store, incrementally)."""
    try:
        db = open_store(store)
    except KgError as exc:
        raise _fail(exc) from None
    columns = (TextColumn("[bold]解析入库[/bold]"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("{task.description}"))
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("", total=None)

        def tick(done: int, total: int, path: str) -> None:
            progress.update(task, completed=done - 1, total=total, description=escape(Path(path).name))

        try:
            summary = build(db, paths, prune=prune, progress=tick)
        except KgError as exc:
            raise _fail(exc) from None
    for path, reason in summary.failed:
        err.print(f"[red]失败[/red] {escape(path)}: {escape(reason)}")
    out.print(f"新增 {len(summary.added)} · 替换 {len(summary.replaced)} · 跳过 {len(summary.skipped)} · "
              f"失败 {len(summary.failed)} · 删除 {len(summary.pruned)} · 三元组 {summary.quads} · "
              f"{summary.seconds:.2f} 秒 [dim](added · replaced · skipped · failed · pruned · quads · seconds; "
              f"store {store_path(store)})[/dim]")
    raise typer.Exit(_exit_code(len(summary.added) + len(summary.replaced) + len(summary.skipped) + len(summary.failed),
                                len(summary.failed)))


@app.command("stats")
def stats_command(store: StoreOption = None,
                  fmt: Annotated[TableFormat, typer.Option("--format", "-f")] = TableFormat.table) -> None:
    """仓库统计 (counts of reports, committees, regions, problems, measures, documents, quads)."""
    try:
        counts = stats(open_store(store, read_only=True))
    except KgError as exc:
        raise _fail(exc) from None
    labels = {"reports": "报告", "committees": "党组织", "regions": "行政区", "inspections": "巡视巡察",
              "groups": "巡视巡察组", "categories": "问题方面", "problems": "问题", "measures": "整改措施",
              "documents": "文件", "organisations": "机构", "report graphs": "报告命名图", "quads": "四元组"}
    _print_result(QueryResult(["项目", "item", "数量"], [[labels.get(k, k), k, v] for k, v in counts.items()]), fmt)


@app.command("queries")
def queries_command() -> None:
    """列出已保存的查询 (list saved queries with their parameters)."""
    table = Table(show_lines=False)
    for header in ("名称 name", "说明 title", "参数 parameters"):
        table.add_column(header, overflow="fold")
    for query in saved_queries():
        params = "\n".join(f"{p.name} ({p.type}{', 必填 required' if p.required else ''}) {p.description}"
                           for p in query.params)
        table.add_row(query.name, escape(query.title), escape(params))
    out.print(table)


@app.command("query")
def query_command(
    name: Annotated[str, typer.Argument(help="查询名或 .rq 文件 (saved query name or a .rq file)")],
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="参数 name=value (bound, never pasted into the query)")] = None,
    fmt: Annotated[TableFormat, typer.Option("--format", "-f", help="table | csv | tsv | json")] = TableFormat.table,
    store: StoreOption = None,
) -> None:
    """运行 SPARQL 查询 (run a saved query or a .rq file over the store)."""
    try:
        query = resolve_query(name)
        result = run_query(open_store(store, read_only=True), query, parse_params(param or []))
    except KgError as exc:
        raise _fail(exc) from None
    _print_result(result, fmt, title=query.title)


def _print_result(result: QueryResult, fmt: TableFormat, title: str | None = None, highlight: bool = False) -> None:
    if fmt is TableFormat.json:
        sys.stdout.write(json.dumps(result.as_dicts(), ensure_ascii=False, indent=2) + "\n")
    elif fmt in (TableFormat.csv, TableFormat.tsv):
        import csv

        writer = csv.writer(sys.stdout, delimiter="," if fmt is TableFormat.csv else "\t", lineterminator="\n")
        writer.writerow(result.variables)
        writer.writerows([["" if v is None else v for v in row] for row in result.rows])
    else:
        table = Table(title=escape(title) if title else None, show_lines=False)
        for variable in result.variables:
            table.add_column(variable, overflow="fold")
        for row in result.rows:
            cells = [escape(_short(_display(v), 60)) for v in row]
            if highlight:  # 【term】 marks from snippets become highlighted terms
                cells = [c.replace("【", "[bold red]").replace("】", "[/bold red]") for c in cells]
            table.add_row(*cells)
        out.print(table)
        err.print(f"[dim]{len(result.rows)} 行 (rows)[/dim]")


def _display(value: object) -> str:
    if value is None:
        return ""
    text = str(value)
    return text.removeprefix("https://w3id.org/xunshi-kg/id/")


@app.command("validate")
def validate_command(
    store: StoreOption = None,
    report: Annotated[str | None, typer.Option("--report", "-r", help="只验证一份报告 (one report IRI or the part after /id/)")] = None,
) -> None:
    """SHACL 验证 (validate report graphs against ontology/shapes.ttl; exit 0 conforms, 1 violations, 2 error)."""
    from kg.validate import validate_store

    try:
        reports = validate_store(open_store(store, read_only=True), report)
    except KgError as exc:
        raise _fail(exc) from None
    bad = 0
    for result in reports:
        mark = "[green]符合[/green]" if result.conforms else f"[red]不符合 {len(result.violations)} 处[/red]"
        out.print(f"{mark} {escape(_display(result.graph))}")
        for violation in result.violations:
            bad += 1
            path = f" {_display(violation.path).rsplit('#', 1)[-1]}" if violation.path else ""
            out.print(f"   {escape(violation.message)} — {escape(_display(violation.focus))}{escape(path)}")
    raise typer.Exit(1 if bad else 0)


class RdfFormatName(str, Enum):
    turtle = "turtle"
    trig = "trig"
    nquads = "nquads"
    ntriples = "ntriples"
    jsonld = "jsonld"


@app.command("export-rdf")
def export_rdf_command(
    fmt: Annotated[RdfFormatName, typer.Option("--format", "-f", help=", ".join(EXPORT_FORMATS))] = RdfFormatName.trig,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="输出文件 (output file; default standard output)")] = None,
    report: Annotated[str | None, typer.Option("--report", "-r", help="只导出一份报告 (one report graph)")] = None,
    store: StoreOption = None,
) -> None:
    """导出 RDF (write the store or one report as Turtle, TriG, N-Quads, N-Triples or JSON-LD)."""
    try:
        data = export_rdf(open_store(store, read_only=True), fmt.value, output, report)
    except KgError as exc:
        raise _fail(exc) from None
    if data is not None:
        sys.stdout.buffer.write(data)


@app.command("show")
def show_command(
    item: Annotated[str, typer.Argument(help="条目 IRI 或 /id/ 之后的部分 (item IRI, e.g. report/…/c1/p1/m2)")],
    store: StoreOption = None,
    context: Annotated[int, typer.Option("--context", "-c", help="上下文字数 (characters of context each side)")] = 80,
) -> None:
    """显示条目原文 (print an item's source sentence in context)."""
    from kg.query import source_of

    try:
        found = source_of(open_store(store, read_only=True), item)
    except KgError as exc:
        raise _fail(exc) from None
    text, start, end = found.text, found.start, found.end
    left = max(0, start - context)
    right = min(len(text), end + context)
    out.print(f"[bold]{escape(found.kind)}[/bold] · {escape(found.committee)} · {escape(_display(found.report))} "
              f"· [{start}, {end})")
    out.print(("…" if left else "") + escape(text[left:start]) + "[reverse]" + escape(text[start:end]) + "[/reverse]"
              + escape(text[end:right]) + ("…" if right < len(text) else ""))


class Scope(str, Enum):
    measures = "measures"
    problems = "problems"
    documents = "documents"


@app.command("search")
def search_command(
    words: Annotated[list[str], typer.Argument(help="检索词 (words; jieba tokens are matched)")],
    scope: Annotated[Scope, typer.Option("--in", help="measures | problems | documents")] = Scope.measures,
    top: Annotated[int, typer.Option("--top", "-n", help="结果数 (number of results)")] = 10,
    fmt: Annotated[TableFormat, typer.Option("--format", "-f")] = TableFormat.table,
    store: StoreOption = None,
) -> None:
    """中文全文检索 (rank problems, measures or documents by jieba-token match; exact matches first)."""
    from kg.search import search

    try:
        hits = search(open_store(store, read_only=True), " ".join(words), scope.value, top)
    except KgError as exc:
        raise _fail(exc) from None
    rows = [[i, h.score, "是" if h.exact else "", h.region_code, h.committee, h.snippet, h.item] for i, h in enumerate(hits, 1)]
    _print_result(QueryResult(["rank", "score", "exact", "region", "committee", "snippet", "item"], rows), fmt,
                  title=f"检索 {' '.join(words)} ({scope.value})", highlight=True)


@app.command("related")
def related_command(
    text: Annotated[str | None, typer.Argument(help="一段文字 (a free text to match)")] = None,
    measure: Annotated[str | None, typer.Option("--measure", "-m", help="一条措施 (a measure IRI or the part after /id/)")] = None,
    top: Annotated[int, typer.Option("--top", "-n")] = 10,
    exclude_region: Annotated[str | None, typer.Option("--exclude-region", help="排除某地区 (a division code; sub-regions too)")] = None,
    fmt: Annotated[TableFormat, typer.Option("--format", "-f")] = TableFormat.table,
    store: StoreOption = None,
) -> None:
    """相关整改措施 (measures most related to a text or a measure, other regions first, with reasons)."""
    from kg.related import related

    if bool(text) == bool(measure):
        err.print("[red]错误[/red] 请给出一段文字或 --measure 之一 (give either TEXT or --measure)")
        raise typer.Exit(2)
    try:
        found = related(open_store(store, read_only=True), text=text, measure=measure, top=top,
                        exclude_region=exclude_region)
    except KgError as exc:
        raise _fail(exc) from None
    rows = [[i, r.score, r.region_code, r.committee, r.year, r.problem, r.snippet, "、".join(r.shared_terms),
             "、".join(r.shared_types), "、".join(r.shared_documents), r.item] for i, r in enumerate(found, 1)]
    _print_result(QueryResult(["rank", "score", "region", "committee", "year", "problem", "snippet", "shared_terms",
                               "shared_types", "shared_documents", "item"], rows), fmt, title="相关整改措施", highlight=True)


@app.command("types")
def types_command(
    fmt: Annotated[TableFormat, typer.Option("--format", "-f")] = TableFormat.table,
    store: StoreOption = None,
) -> None:
    """问题类型体系及各地区数量 (the problem-type taxonomy with counts of problems and measures per region)."""
    from kg.classify import taxonomy, type_counts

    tax = taxonomy()
    try:
        counts = type_counts(open_store(store, read_only=True))
    except KgError as exc:
        raise _fail(exc) from None
    regions = sorted({code for per in counts.values() for code in per})
    rows = []
    for top_concept in tax.top:
        for concept in [top_concept, *tax.children(top_concept)]:
            per = counts.get(concept.iri, {})
            indent = "" if concept is top_concept else "  "
            rows.append([concept.notation, indent + concept.label_zh, concept.label_en, sum(per.values()),
                         *[per.get(code, 0) for code in regions]])
    _print_result(QueryResult(["type", "中文", "English", "total", *regions], rows), fmt, title="问题类型 (problem types)")


@app.command("measures")
def measures_command(
    type_: Annotated[str, typer.Option("--type", "-t", help="类型: B3 / 中央八项规定精神 / eight-rules")],
    region: Annotated[str | None, typer.Option("--region", "-r", help="地区代码 (division code; sub-regions too)")] = None,
    since: Annotated[int | None, typer.Option("--since", help="起始年份 (signed in or after this year)")] = None,
    fmt: Annotated[TableFormat, typer.Option("--format", "-f")] = TableFormat.table,
    store: StoreOption = None,
) -> None:
    """某类问题的整改措施 (the measures under a problem type, grouped by region)."""
    from kg.classify import measures_of_type, taxonomy

    concept = taxonomy().find(type_)
    if concept is None:
        err.print(f"[red]错误[/red] 没有这个问题类型 (no problem type {escape(type_)!r}; see kg types)")
        raise typer.Exit(2)
    try:
        found = measures_of_type(open_store(store, read_only=True), concept, region, since)
    except KgError as exc:
        raise _fail(exc) from None
    rows = [[m.region_code, m.committee, m.year, m.problem, _short(m.text, 80), m.score, "、".join(m.matched), m.item]
            for m in found]
    _print_result(QueryResult(["region", "committee", "year", "problem", "measure", "score", "keywords", "item"], rows),
                  fmt, title=f"{concept.notation} {concept.label_zh} ({concept.label_en})")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
