"""The `kg` command. The only module that prints or exits: the library returns data and
raises kg.exceptions errors, which are turned into one-line messages and exit codes here.

Exit codes: 0 every file parsed; 1 some files failed (the others were still parsed);
2 nothing could be parsed (or a usage error).
"""

from __future__ import annotations

import errno
import json
import os
import re
import sqlite3
import sys
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from kg import __version__
from kg.exceptions import KgError, QueryError, UnexpectedError
from kg.index import INDEX_FILE
from kg.namespaces import ID, local_id, shorten

if TYPE_CHECKING:
    from pyoxigraph import Store
    from rich.tree import Tree

    from kg.model import Declared, Problem, Report
    from kg.query import QueryResult, SavedQuery
    from kg.related import Related

_state: dict[str, Path | None] = {"store": None}  # the --store of the command running, for error messages


class _OneLineErrors(TyperGroup):
    """The one place where errors become one line on standard error and an exit code (2): a
    KgError says what and where; an OSError names its file, or standard output when writing it
    failed (a full disk, /dev/full); a broken pipe (kg … | head) ends quietly (1); a malformed text
    index says how to rebuild it; anything else is an unexpected error with its class, never a
    traceback (KG_DEBUG=1 shows it). Standard output is flushed here, so that a failure to write it
    is reported too rather than ignored at exit."""

    def main(self, args: Sequence[str] | None = None, *rest: Any, **extra: Any) -> Any:  # click's signature
        try:
            try:
                argv = sys.argv[1:] if args is None else list(args)
                if any("\x00" in arg for arg in argv):
                    raise QueryError("参数中有 NUL 字符 (an argument holds a NUL character)")
                return super().main(args, *rest, **extra)
            finally:
                sys.stdout.flush()
        except Exception as exc:  # noqa: BLE001 - SystemExit (every normal end) is not an Exception
            if os.environ.get("KG_DEBUG"):
                raise
            sys.exit(_report(exc))


_MALFORMED_INDEX = ("malformed", "not a database", "no such table", "no such column", "corrupt")


def _report(exc: Exception) -> int:
    """Print the one line an error deserves; return the exit code."""
    from kg.store import store_path
    if getattr(exc, "errno", None) == errno.EPIPE:
        _silence_stdout()
        return 1
    if isinstance(exc, KgError):
        _error_line(str(exc))
    elif isinstance(exc, OSError):
        reason = f"{exc.strerror or exc} ({type(exc).__name__})"
        if exc.filename:
            _error_line(f"{exc.filename}: 无法读写 (cannot read or write: {reason})")
        else:  # files are read and written by the library, which names them: this was standard output
            _silence_stdout()
            _error_line(f"标准输出: 无法写出 (standard output: cannot write: {reason})")
    elif isinstance(exc, sqlite3.DatabaseError) and any(word in str(exc) for word in _MALFORMED_INDEX):
        _error_line(f"{store_path(_state['store']) / INDEX_FILE}: 文本索引已损坏 (the text index is malformed: {exc}); "
                    f"运行 kg build 即可从图重建 (run kg build to rebuild it from the graphs)")
    elif isinstance(exc, RuntimeError) and str(exc).startswith("Corruption"):  # RocksDB read a damaged block
        detail = " ".join(str(exc).split())[:300]
        _error_line(f"{store_path(_state['store'])}: 仓库已损坏 (store is damaged: {detail})")
    else:
        _error_line(str(UnexpectedError.wrap(exc)))
    return 2


def _silence_stdout() -> None:
    """Standard output to /dev/null from now on, so that Python's own flush at exit does not print
    a traceback about what is still buffered for it."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (a test runner's buffer)
        pass


_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _one_line(text: str) -> str:
    """Text on one line: control characters (a newline in a file name…) are shown escaped."""
    return _CONTROL_RE.sub(lambda match: repr(match.group())[1:-1], text)


def _error_line(message: str) -> None:
    err.print(f"[red]错误[/red] {escape(_one_line(message))}")


def _remember_store(value: Path | None) -> Path | None:
    _state["store"] = value
    return value


def _iri(value: str | None) -> str | None:
    """An item or report named on the command line (an IRI, or the part after /id/) must make an IRI."""
    from pyoxigraph import NamedNode

    if value is not None:
        try:
            NamedNode(value if value.startswith("http") else ID + value.lstrip("/"))
        except ValueError as exc:
            raise QueryError(f"不是有效的 IRI (not a valid IRI: {value!r}: {exc})") from None
    return value


def _output(value: Path | None) -> Path | None:
    """An output file must go into a folder that exists (checked before any work is done)."""
    if value is not None:
        folder = value if value.is_dir() else value.parent
        if not folder.is_dir():
            raise KgError(f"输出目录不存在 (no such folder: {folder})", value)
    return value


def _lean_coercion() -> None:
    """Typer (0.2x) checks every value given through a pydantic TypeAdapter built on first use, and
    importing pydantic took 0.1-0.14 s of a 0.25 s kg search. The values kg's commands take (text,
    whole numbers, paths, choices, flags and lists of them) are checked here with typer's own path and
    choice functions, the same as the adapters call; anything else, and every value these checks do
    not accept, goes the adapters' way, so results and error messages stay typer's. A typer without
    this layer (before pydantic, or after a change) is left as it is."""
    try:
        from functools import cached_property
        from typing import get_args, get_origin

        from typer import core
        from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
        from typer._param_types import coerce_cli_choice, coerce_cli_path
    except ImportError:
        return
    if getattr(core, "build_runtime_param", None) is not build_runtime_param or \
            getattr(RuntimeParam, "__abstractmethods__", None) != {"_coerce_value"}:
        return  # not the layer this was written for
    slow = object()
    whole = re.compile(r"-?[0-9]{1,18}")

    def leaf(value: Any, annotation: Any, info: Any, param: Any, ctx: Any) -> Any:
        if isinstance(annotation, type) and issubclass(annotation, Enum):
            return coerce_cli_choice(value, choices=list(annotation), case_sensitive=info.case_sensitive, ctx=ctx)
        if annotation is bool:
            return value if isinstance(value, bool) else slow
        if annotation is int:
            number = int(value) if isinstance(value, str) and whole.fullmatch(value) else \
                value if type(value) is int else None
            if number is None or info.clamp or (info.min is not None and number < info.min) or \
                    (info.max is not None and number > info.max):
                return slow
            return number
        if annotation is str:
            return value if isinstance(value, str) else slow
        if isinstance(annotation, type) and issubclass(annotation, Path) and info.path_type is None and \
                isinstance(value, (str, Path)):
            return coerce_cli_path(annotation(value), info, path_type=annotation, param=param, ctx=ctx)
        return slow

    class Lean(RuntimeParam):
        descriptor: TypeDescriptor

        def __init__(self, descriptor: TypeDescriptor) -> None:
            object.__setattr__(self, "parameter_info", descriptor.parameter_info)
            object.__setattr__(self, "annotation", descriptor.annotation)
            object.__setattr__(self, "descriptor", descriptor)

        @cached_property
        def full(self) -> RuntimeParam:
            return build_runtime_param(self.descriptor)

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            annotation: Any = self.annotation
            try:
                if get_origin(annotation) is list:
                    items = [leaf(item, get_args(annotation)[0], self.parameter_info, param, ctx)
                             for item in value] if isinstance(value, (list, tuple)) else [slow]
                    done: Any = slow if slow in items else items
                else:
                    done = leaf(value, annotation, self.parameter_info, param, ctx)
            except Exception:  # noqa: BLE001 - typer's own way says what is wrong, in its words
                done = slow
            return self.full._coerce_value(value, param=param, ctx=ctx) if done is slow else done

    def lean(descriptor: TypeDescriptor) -> RuntimeParam:
        plain = descriptor.file_annotation is None and descriptor.parameter_info.parser is None
        return Lean(descriptor) if plain else build_runtime_param(descriptor)

    core.build_runtime_param = lean  # type: ignore[attr-defined]  # typer's own name, imported there from _coercion


_lean_coercion()

app = typer.Typer(
    cls=_OneLineErrors,
    help="xunshi-kg: 巡视/巡察整改报告 → 知识图谱 (inspection-rectification reports as a knowledge graph)",
    no_args_is_help=True,
    add_completion=False,
)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class ParseFormat(str, Enum):
    text = "text"
    json = "json"


def _print_version(value: bool) -> None:
    if value:
        out.print(f"xunshi-kg {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[bool, typer.Option(
        "--version", callback=_print_version, is_eager=True, help="显示版本 (show the version)")] = False,
) -> None:
    """Options that hold for every command."""


@app.command("parse")
def parse_command(
    files: Annotated[list[Path], typer.Argument(
        readable=False, help="报告文件 (report files: text in UTF-8/GB18030/UTF-16, or saved web pages)")],
    fmt: Annotated[ParseFormat | None, typer.Option(
        "--format", "-f", help="text: 大纲树 (outline tree, default on a terminal); json: 结构化 (default when piped)")] = None,
    no_text: Annotated[bool, typer.Option("--no-text", help="JSON 中不含全文 (omit the canonical text from JSON)")] = False,
    measures: Annotated[bool, typer.Option("--measures", "-m", help="大纲中列出整改措施 (show measures in the outline)")] = False,
) -> None:
    """解析整改报告 (parse reports into the document model: outline tree or JSON)."""
    from kg.parse import parse_file
    fmt = fmt or (ParseFormat.text if sys.stdout.isatty() else ParseFormat.json)
    results: list[dict[str, Any]] = []
    failures = 0
    for path in files:
        try:
            report = parse_file(path)
            shown = report.to_dict(include_text=not no_text) if fmt is ParseFormat.json else \
                _outline_tree(report, show_measures=measures)
        except Exception as exc:  # noqa: BLE001 - expected or not, an error in one file is that file's failure
            error = UnexpectedError.wrap(exc, path)
            failures += 1
            _error_line(str(error))
            results.append({"source": {"path": str(path)}, "error": error.reason})
            continue
        if isinstance(shown, dict):
            results.append(shown)
        else:
            out.print(shown)
            for warning in report.warnings:
                err.print(f"[yellow]警告[/yellow] {escape(_one_line(f'{report.source.path}: {warning}'))}")
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
    from rich.tree import Tree
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
    colour = {"ok": "green", "review": "yellow"}.get(report.quality.verdict, "red")
    tree.add(f"[{colour}]质量 (quality): {_quality_line(report.quality.to_dict())}[/{colour}]")
    for category in report.categories:
        node = tree.add(f"{category.marker or ''}{escape(category.title or '(未分类)')} "
                        f"[dim][{len(category.problems)} 问题][/dim]") if category.title else tree
        for problem in category.problems:
            _add_problem(node, problem, show_measures)
    if report.declared:
        tree.add("声明: " + "; ".join(_declared_text(d) for d in report.declared))
    if report.progress:
        tree.add("进展 (progress): " + "; ".join(
            f"{escape(shorten(p.quote, 30))} [dim]({PROGRESS_STATES.get(p.state, p.state)})[/dim]"
            for p in report.progress))
    for reference in report.references:
        counts = f" · {reference.open}/{reference.total} 未整改" if reference.open is not None and reference.total else ""
        flag = " · [yellow]未整改到位[/yellow]" if reference.not_fixed else ""
        tree.add(f"前次监督 ({reference.kind}): {escape(shorten(reference.quote, 40))}{counts}{flag}")
    return tree


# How a progress state reads in the outline (kg.parse.progress's states are stable English keys).
PROGRESS_STATES = {"done": "已完成", "basically_done": "基本完成", "staged": "阶段性成效", "in_progress": "正在推进",
                   "long_term": "长期坚持", "not_done": "未完成"}


def _declared_text(declared: Declared) -> str:
    """A declared count and what it was compared with, or why it was not."""
    if declared.found is not None:
        return f"{escape(declared.text)} (解析到 {declared.found})"
    if declared.not_compared:
        return f"{escape(declared.text)} [dim](未比较: {escape(declared.not_compared)})[/dim]"
    return escape(declared.text)


def _add_problem(parent: Tree, problem: Problem, show_measures: bool) -> None:
    status = f" [green]({problem.status})[/green]" if problem.status else ""
    counts = f"{len(problem.measures)} 措施" + (f", {len(problem.problems)} 子问题" if problem.problems else "")
    node = parent.add(f"{problem.marker or ''}{escape(shorten(problem.title or '(无标题)', 48))}{status} "
                      f"[dim][{counts}][/dim]")
    if show_measures:
        for measure in problem.measures:
            docs = f" [cyan]《{'》《'.join(measure.documents)}》[/cyan]" if measure.documents else ""
            node.add(f"[dim]{measure.marker or '·'}[/dim]{escape(shorten(measure.text, 40))}{docs}")
    for sub in problem.problems:
        _add_problem(node, sub, show_measures)


StoreOption = Annotated[Path | None, typer.Option(
    "--store", "-s", help="仓库目录 (store directory; default $KG_STORE or ./kg-store)", show_default=False,
    callback=_remember_store)]


class TableFormat(str, Enum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"


@app.command("build")
def build_command(
    paths: Annotated[list[Path], typer.Argument(readable=False, help="报告文件或目录 (report files or folders)")],
    store: StoreOption = None,
    prune: Annotated[bool, typer.Option("--prune", help="删除源文件已不存在的报告 (drop reports whose files are gone)")] = False,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1,
                                             help="并行解析进程数 (parsing processes; default: one per core)")] = None,
    log: Annotated[Path | None, typer.Option("--log", help="逐文件结果写入 JSON Lines (write every file's outcome "
                                                          "as JSON lines)")] = None,
    optimize: Annotated[bool | None, typer.Option(
        "--optimize/--no-optimize", help="构建后整理存储 (compact the store afterwards: queries 4-7x faster after a "
                                         "large load; default: when the build wrote 5,000,000 quads, about 2,000 reports)")] = None,
) -> None:
    """构建知识图谱 (parse reports and load them into the Oxigraph store, incrementally).

    Exit codes: 0 every file built or unchanged; 1 some files failed (the others were built);
    2 nothing could be built, or the store could not be opened."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from kg.build import build, default_jobs
    from kg.store import open_index, open_store, store_path
    db = open_store(store)
    index = open_index(store)
    try:
        log_file = log.open("w", encoding="utf-8") if log else None
    except OSError as exc:
        raise KgError(f"无法写入日志 (cannot write the log: {exc.strerror or exc})", log) from None
    columns = (TextColumn("[bold]解析入库[/bold]"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("{task.description}"))
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("", total=None)

        def tick(done: int, total: int, path: str) -> None:
            progress.update(task, completed=done - 1, total=total, description=escape(_one_line(Path(path).name)))

        summary = build(db, paths, prune=prune, progress=tick, jobs=jobs or default_jobs(), index=index,
                        optimize=optimize)
    for path, reason in summary.failed:
        err.print(f"[red]失败[/red] {escape(_one_line(f'{path}: {reason}'))}")
    for outcome in summary.needs_review:
        err.print(f"[yellow]待复核[/yellow] {escape(outcome.path)}: {_quality_line(outcome.quality or {})}")
    out.print(f"新增 {len(summary.added)} · 替换 {len(summary.replaced)} · 跳过 {len(summary.skipped)} · "
              f"重复 {len(summary.duplicates)} · 失败 {len(summary.failed)} · 待复核 {len(summary.needs_review)} · "
              f"删除 {len(summary.pruned)} · "
              f"写入四元组 {summary.quads} · 合计 {summary.totals} · {summary.seconds:.2f} 秒 · {summary.jobs} 进程 "
              f"[dim](added · replaced · skipped · duplicate · failed · needs review · pruned · quads written · totals rewritten · "
              f"seconds · jobs; store {store_path(store)})[/dim]")
    if summary.optimize_seconds is not None:
        out.print(f"整理存储 {summary.optimize_seconds:.2f} 秒 [dim](store compacted, seconds)[/dim]")
    if log_file:
        try:
            with log_file:
                for outcome in summary.files:
                    log_file.write(json.dumps(outcome.to_dict(), ensure_ascii=False) + "\n")
        except OSError as exc:
            raise KgError(f"无法写入日志 (cannot write the log: {exc.strerror or exc}); 构建已完成 (the build itself "
                          f"was done)", log) from None
    raise typer.Exit(_exit_code(len(summary.files), len(summary.failed)))


_VERDICTS = {"ok": "合格", "review": "需复核", "incomplete": "不完整"}


def _quality_line(quality: dict[str, Any]) -> str:
    """A quality verdict and its reasons on one line, Chinese first (kg parse and kg build)."""
    verdict = quality.get("verdict", "ok")
    reasons = "; ".join(r["message"] for r in quality.get("reasons", []))
    return escape(f"{_VERDICTS.get(verdict, verdict)} ({verdict})" + (f": {reasons}" if reasons else ""))


@app.command("stats")
def stats_command(store: StoreOption = None,
                  fmt: Annotated[TableFormat, typer.Option("--format", "-f")] = TableFormat.table) -> None:
    """仓库统计 (counts of reports, committees, regions, problems, measures, documents, quads)."""
    from kg.query import QueryResult
    from kg.store import open_store, stats
    counts = stats(open_store(store, read_only=True))
    labels = {"reports": "报告", "committees": "党组织", "regions": "行政区", "inspections": "巡视巡察",
              "groups": "巡视巡察组", "categories": "问题方面", "problems": "问题", "measures": "整改措施",
              "documents": "文件", "organisations": "机构", "report graphs": "报告命名图", "quads": "四元组"}
    _print_result(QueryResult(["label", "item", "count"], [[labels.get(k, k), k, v] for k, v in counts.items()]), fmt,
                  headers=COUNT_HEADERS)


@app.command("queries")
def queries_command(fmt: Annotated[TableFormat, typer.Option("--format", "-f", help=(
        "table | json (name, title, description, params, sort, local_plan: English keys) | csv | tsv"))] =
        TableFormat.table) -> None:
    """列出已保存的查询 (list saved queries with their parameters)."""
    from rich.table import Table

    from kg.query import QueryResult, saved_queries
    if fmt is TableFormat.json:
        sys.stdout.write(json.dumps([q.describe() for q in saved_queries()], ensure_ascii=False, indent=2) + "\n")
        return
    if fmt is not TableFormat.table:
        _print_result(QueryResult(["name", "title", "params"], [
            [q.name, q.title, "; ".join(f"{p.name} ({p.type}{', required' if p.required else ''})" for p in q.params)]
            for q in saved_queries()]), fmt)
        return
    table = Table(show_lines=False)
    for header in ("名称 name", "说明 title", "参数 parameters"):
        table.add_column(header, overflow="fold")
    for query in saved_queries():
        params = "\n".join(f"{p.name} ({p.type}{', 必填 required' if p.required else ''}) {p.description}"
                           for p in query.params)
        table.add_row(query.name, escape(query.title), escape(params))
    out.print(table)


class QueryFormat(str, Enum):
    """kg query's formats: TableFormat's, and the standard ones written from the answer's RDF terms (kg.results)."""
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    srj = "srj"
    srx = "srx"
    sparql_tsv = "sparql-tsv"
    xlsx = "xlsx"


@app.command("query")
def query_command(
    name: Annotated[str, typer.Argument(help="查询名或 .rq 文件 (saved query name or a .rq file)")],
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="参数 name=value (bound, never pasted into the query)")] = None,
    fmt: Annotated[QueryFormat, typer.Option("--format", "-f", help=(
        "table | csv (W3C SPARQL CSV) | tsv (plain values) | json (rows as objects) | srj (W3C SPARQL JSON results) | "
        "srx (SPARQL XML results) | sparql-tsv (W3C SPARQL TSV: terms in N-Triples form) | xlsx (typed cells: codes "
        "and years text, counts numbers; needs -o or a redirect)"))] = QueryFormat.table,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="写入文件 (write to this file instead of "
                                                "standard output)", callback=_output, show_default=False)] = None,
    store: StoreOption = None,
    endpoint: Annotated[str | None, typer.Option(
        "--endpoint", "-e", help="远程 SPARQL 查询地址 (run on a SPARQL 1.1 endpoint instead of the store, e.g. "
        "http://127.0.0.1:7878/query of kg serve; its default graph must be the union of the named graphs: "
        "oxigraph --union-default-graph, Fuseki tdb2:unionDefaultGraph true; auth from $KG_ENDPOINT_TOKEN or "
        "$KG_ENDPOINT_USER/$KG_ENDPOINT_PASSWORD)", show_default=False)] = None,
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1, help="只取一页的行数 (one page of this many rows, "
                                              "in store order, then sorted; a listing's page is fast at any corpus size)",
                                              show_default=False)] = None,
    offset: Annotated[int, typer.Option("--offset", min=0, help="跳过的行数 (rows to skip: the next page)")] = 0,
) -> None:
    """运行 SPARQL 查询 (run a saved query or a .rq file over the store, or on a remote endpoint)."""
    from kg.query import parse_params, resolve_query, run_query
    from kg.store import open_index, open_store
    query = resolve_query(name)
    if fmt is QueryFormat.xlsx and output is None and sys.stdout.isatty():
        raise QueryError("xlsx 是二进制文件: 用 -o 文件名 或重定向 (xlsx is binary: give -o FILE.xlsx or redirect "
                         "standard output)")
    if endpoint:
        from kg.remote import ACCEPT, TYPED_ACCEPT, run_remote_query

        typed = fmt in (QueryFormat.srj, QueryFormat.srx, QueryFormat.sparql_tsv, QueryFormat.xlsx)
        result = run_remote_query(endpoint, query, parse_params(param or []),
                                  index=open_index(store, read_only=True, required=False), limit=limit, offset=offset,
                                  accept=TYPED_ACCEPT if typed else ACCEPT)
    else:
        db = open_store(store, read_only=True)
        result = run_query(db, query, parse_params(param or []), open_index(store, read_only=True, required=False),
                           limit=limit, offset=offset)
    if output is None and fmt in (QueryFormat.table, QueryFormat.tsv, QueryFormat.json):
        _print_result(result, TableFormat(fmt.value), title=query.title)
        return
    _write_result(result, fmt, output, query)


def _write_result(result: QueryResult, fmt: QueryFormat, output: Path | None, query: SavedQuery) -> None:
    """A query's answer in a standard format (kg.results: pyoxigraph's SPARQL results serialisers, an
    openpyxl workbook) or a table format, to a file or to standard output as bytes."""
    import io

    from kg.results import serialize_result, write_xlsx
    if fmt is QueryFormat.xlsx:
        buffer = io.BytesIO()
        write_xlsx(result, buffer, title=query.title, sheet=query.name)
        data = buffer.getvalue()
    elif fmt in (QueryFormat.table, QueryFormat.tsv, QueryFormat.json):
        text = io.StringIO()
        _print_result(result, TableFormat(fmt.value), title=query.title, stream=text)
        data = text.getvalue().encode("utf-8")
    else:
        data = serialize_result(result, fmt.value)
    if output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        return
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise KgError(f"无法写入 (cannot write: {exc.strerror or exc})", output) from None
    err.print(f"[dim]已写出 {escape(str(output))} · {len(result.rows)} 行 (wrote; rows)[/dim]")


# Chinese column headers of the count tables (kg stats, kg graph) for people; programs get the keys.
COUNT_HEADERS = {"label": "项目", "count": "数量"}


def _print_result(result: QueryResult, fmt: TableFormat, title: str | None = None, highlight: bool = False,
                  stream: TextIO | None = None, headers: dict[str, str] | None = None) -> None:
    """Programs get the result's English keys (JSON, CSV, TSV); people get a table whose column
    headers may be Chinese (``headers``: key → header)."""
    from rich.table import Table
    stream = sys.stdout if stream is None else stream
    if fmt is TableFormat.json:
        stream.write(json.dumps(result.as_dicts(), ensure_ascii=False, indent=2) + "\n")
    elif fmt in (TableFormat.csv, TableFormat.tsv):
        import csv

        writer = csv.writer(stream, delimiter="," if fmt is TableFormat.csv else "\t", lineterminator="\n")
        writer.writerow(result.variables)
        writer.writerows([["" if v is None else v for v in row] for row in result.rows])
    else:
        table = Table(title=escape(title) if title else None, show_lines=False)
        for variable in result.variables:
            table.add_column((headers or {}).get(variable, variable), overflow="fold")
        for row in result.rows:
            cells = [escape(shorten(_display(v), 60)) for v in row]
            if highlight:  # 【term】 marks from snippets become highlighted terms
                cells = [c.replace("【", "[bold red]").replace("】", "[/bold red]") for c in cells]
            table.add_row(*cells)
        (out if stream is sys.stdout else Console(file=stream, highlight=False, width=200)).print(table)
        err.print(f"[dim]{len(result.rows)} 行 (rows)[/dim]")


def _display(value: object) -> str:
    if value is None:
        return ""
    text = str(value)
    return local_id(text)


@app.command("validate")
def validate_command(
    store: StoreOption = None,
    report: Annotated[str | None, typer.Option("--report", "-r", help="只验证一份报告 (one report IRI or the part after /id/)",
                                                      callback=_iri)] = None,
) -> None:
    """SHACL 验证与索引核对 (validate report graphs against kg/ontology/shapes.ttl and check the text index and the
    corpus totals agree with the graph; exit 0 conforms, 1 violations, 2 error)."""
    from kg.index import TextIndex
    from kg.store import open_store, store_path
    from kg.totals import totals_problems
    from kg.validate import index_problems, validate_store

    db = open_store(store, read_only=True)
    reports = validate_store(db, report)
    index, damage = (None, None) if report else TextIndex.checked(store_path(store))
    index_issues = [("文本索引", f"{damage}; kg build 从图重建 (kg build rebuilds it from the graphs)")] if damage else []
    if index is not None:
        index_issues += [("文本索引", issue) for issue in index_problems(db, index)] + \
            [("全库合计", issue) for issue in totals_problems(db, index)]
    bad = len(index_issues)
    for label, issue in index_issues:
        out.print(f"[red]{label}[/red] {escape(issue)}", soft_wrap=True)
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
    fmt: Annotated[RdfFormatName, typer.Option("--format", "-f", help="turtle, trig, nquads, jsonld, ntriples")] = RdfFormatName.trig,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="输出文件 (output file; default standard output)",
                                                callback=_output)] = None,
    report: Annotated[str | None, typer.Option("--report", "-r", help="只导出一份报告 (one report graph)", callback=_iri)] = None,
    store: StoreOption = None,
) -> None:
    """导出 RDF (write the store or one report as Turtle, TriG, N-Quads, N-Triples or JSON-LD)."""
    from kg.store import export_rdf, open_store
    data = export_rdf(open_store(store, read_only=True), fmt.value, output, report)
    if data is not None:
        sys.stdout.buffer.write(data)


@app.command("show")
def show_command(
    item: Annotated[str, typer.Argument(help="条目 IRI 或 /id/ 之后的部分 (item IRI, e.g. report/…/c1/p1/m2)",
                                               callback=_iri)],
    store: StoreOption = None,
    context: Annotated[int, typer.Option("--context", "-c", help="上下文字数 (characters of context each side)")] = 80,
) -> None:
    """显示条目原文 (print an item's source sentence in context)."""
    from kg.query import source_of
    from kg.store import open_store

    found = source_of(open_store(store, read_only=True), item)
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
    words: Annotated[list[str], typer.Argument(help="检索词 (words: each found as written, then by jieba tokens)")],
    scope: Annotated[Scope, typer.Option("--in", help="measures | problems | documents")] = Scope.measures,
    top: Annotated[int, typer.Option("--top", "-n", help="结果数 (number of results)")] = 10,
    exact: Annotated[bool, typer.Option("--exact", "-e", help="只要原文包含每个检索词的条目 (only items containing every word as written)")] = False,
    fmt: Annotated[TableFormat, typer.Option("--format", "-f")] = TableFormat.table,
    store: StoreOption = None,
) -> None:
    """中文全文检索 (items containing the words as written first, then ranked partial matches by jieba tokens)."""
    from kg.query import QueryResult
    from kg.search import search
    from kg.store import open_index, open_store

    hits = search(open_store(store, read_only=True), open_index(store, read_only=True), " ".join(words), scope.value, top,
                  exact=exact)
    if hits.warning:
        err.print(f"[yellow]提示[/yellow] {escape(_one_line(hits.warning))}")
    rows = [[i, h.score, "是" if h.exact else "", h.region_code, h.committee, h.snippet, h.item] for i, h in enumerate(hits, 1)]
    _print_result(QueryResult(["rank", "score", "exact", "region", "committee", "snippet", "item"], rows), fmt,
                  title=f"检索 {' '.join(words)} ({scope.value}; 原文包含 {hits.exact_total} 条)", highlight=True)


@app.command("related")
def related_command(
    text: Annotated[str | None, typer.Argument(help="一段文字 (a free text: a need, a problem in your own words)")] = None,
    measure: Annotated[str | None, typer.Option("--measure", "-m", help="一条措施 (a measure IRI or the part after /id/)",
                                                        callback=_iri)] = None,
    problem: Annotated[str | None, typer.Option("--problem", "-p", help="一个问题 (a problem IRI or the part after /id/)",
                                                callback=_iri)] = None,
    top: Annotated[int, typer.Option("--top", "-n")] = 10,
    exclude_region: Annotated[str | None, typer.Option("--exclude-region", help="排除某地区 (a division code; sub-regions too)")] = None,
    fmt: Annotated[TableFormat, typer.Option("--format", "-f")] = TableFormat.table,
    store: StoreOption = None,
) -> None:
    """相关整改措施 (measures most related to a text, a measure or a problem, other regions first, with reasons)."""
    from kg.related import related
    from kg.store import open_index, open_store

    if sum(map(bool, (text, measure, problem))) != 1:
        err.print("[red]错误[/red] 请给出一段文字、--measure 或 --problem 之一 (give one of TEXT, --measure, --problem)")
        raise typer.Exit(2)
    found = related(open_store(store, read_only=True), open_index(store, read_only=True), text=text, measure=measure,
                    problem=problem, top=top, exclude_region=exclude_region)
    if fmt is TableFormat.table:
        _print_related(found)
        return
    columns = ["rank", "score", "region", "region_code", "committee", "year", "problem", "snippet", "shared_terms",
               "shared_types", "shared_documents", "sentence", "text_score", "problem_score", "item"]
    rows = []
    for i, r in enumerate(found, 1):
        values = {"rank": i, "score": r.score, "region": r.region or r.region_code, "region_code": r.region_code,
                  "committee": r.committee, "year": r.year, "problem": r.problem, "snippet": r.snippet,
                  "shared_terms": "、".join(r.shared_terms), "shared_types": "、".join(r.shared_types),
                  "shared_documents": "、".join(r.shared_documents), "sentence": r.sentence, "text_score": r.text_score,
                  "problem_score": r.problem_score, "item": r.item}
        rows.append([values[c] for c in columns])
    from kg.query import QueryResult  # for programs only: a table for people is printed without it

    _print_result(QueryResult(columns, rows), fmt)


def _print_related(found: Sequence[Related]) -> None:
    """Related measures for people: a few lines each, readable at any width (eleven columns of a table were not
    at 80), the shared words marked in the snippet; -f json|csv|tsv gives programs every field."""
    for rank, r in enumerate(found, 1):
        where = " · ".join(escape(str(v)) for v in (r.region or r.region_code, r.committee, r.year) if v)
        snippet = escape(r.snippet).replace("【", "[bold red]").replace("】", "[/bold red]")
        reasons = " · ".join(f"{name} {escape('、'.join(values))}" for name, values in
                             (("共同词语", r.shared_terms), ("类型", r.shared_types), ("文件", r.shared_documents)) if values)
        out.print(f"[bold]{rank}.[/bold] {where}  [dim]{r.score}[/dim]", soft_wrap=True)
        if r.problem:
            out.print(f"   问题: {escape(shorten(r.problem, 80))}", soft_wrap=True)
        out.print(f"   {snippet}", soft_wrap=True)
        out.print(f"   [dim]{reasons}{' · ' if reasons else ''}{escape(local_id(r.item))}[/dim]", soft_wrap=True)
    err.print(f"[dim]相关整改措施 {len(found)} 条 (related measures)[/dim]")


@app.command("types")
def types_command(
    fmt: Annotated[TableFormat, typer.Option("--format", "-f")] = TableFormat.table,
    store: StoreOption = None,
) -> None:
    """问题类型体系及各地区数量 (the problem-type taxonomy with counts of problems and measures per region)."""
    from kg.classify import taxonomy
    from kg.query import QueryResult
    from kg.store import open_store
    from kg.totals import type_counts

    tax = taxonomy()
    counts = type_counts(open_store(store, read_only=True))
    regions = sorted({code for per in counts.values() for code in per})
    rows = []
    for top_concept in tax.top:
        for concept in [top_concept, *tax.children(top_concept)]:
            per = counts.get(concept.iri, {})
            indent = "" if concept is top_concept else "  "
            rows.append([concept.notation, indent + concept.label_zh, concept.label_en, sum(per.values()),
                         *[per.get(code, 0) for code in regions]])
    _print_result(QueryResult(["type", "label_zh", "label_en", "total", *regions], rows), fmt,
                  title="问题类型 (problem types)", headers={"label_zh": "中文", "label_en": "English"})


@app.command("measures")
def measures_command(
    type_: Annotated[str | None, typer.Option("--type", "-t", help="类型: B3 / 中央八项规定精神 / eight-rules")] = None,
    region: Annotated[str | None, typer.Option("--region", "-r", help="地区代码 (division code; sub-regions too)")] = None,
    since: Annotated[int | None, typer.Option("--since", help="起始年份 (signed in or after this year)")] = None,
    concrete: Annotated[bool, typer.Option("--concrete", help="只列具体措施 (only measures carrying a quantity, a named "
                                           "document or body, a date or a deadline)")] = False,
    fmt: Annotated[TableFormat, typer.Option("--format", "-f")] = TableFormat.table,
    store: StoreOption = None,
) -> None:
    """某类问题的整改措施 (the measures under a problem type, grouped by region; --concrete: only concrete ones)."""
    from kg.classify import measures_of_type, taxonomy
    from kg.query import QueryResult
    from kg.store import open_store

    if type_ is None and not concrete:
        err.print("[red]错误[/red] 需要 --type 或 --concrete (give a problem type with --type, or --concrete)")
        raise typer.Exit(2)
    db = open_store(store, read_only=True)
    reasons = _concrete_reasons(db) if concrete else None
    if type_ is None:
        _print_concrete(reasons or {}, region, fmt)
        return
    concept = taxonomy().find(type_)
    if concept is None:
        err.print(f"[red]错误[/red] 没有这个问题类型 (no problem type {escape(type_)!r}; see kg types)")
        raise typer.Exit(2)
    found = measures_of_type(db, concept, region, since)
    if reasons is not None:
        found = [m for m in found if m.item in reasons]
    rows = [[m.region_code, m.committee, m.year, m.problem, shorten(m.text, 80), m.score, "、".join(m.matched), m.item]
            for m in found]
    _print_result(QueryResult(["region", "committee", "year", "problem", "measure", "score", "keywords", "item"], rows),
                  fmt, title=f"{concept.notation} {concept.label_zh} ({concept.label_en})")


def _concrete_reasons(db: Store) -> dict[str, tuple[str, int, list[str], str]]:
    """Concrete measures by IRI: (report, score, reasons, text), read with the saved query concrete-measures."""
    from kg.query import resolve_query, run_query

    out: dict[str, tuple[str, int, list[str], str]] = {}
    for row in run_query(db, resolve_query("concrete-measures")).as_dicts():
        report, score, reasons, text = out.get(row["measure"], (row["report"], int(row["score"]), [], row["text"]))
        out[row["measure"]] = (report, score, [*reasons, row["reason"]], text)
    return out


def _print_concrete(reasons: dict[str, tuple[str, int, list[str], str]], region: str | None, fmt: TableFormat) -> None:
    """The concrete measures, most concrete first; --region keeps reports of that division and those below it."""
    from kg.query import QueryResult

    prefix = f"{ID}report/{region.rstrip('0')}" if region else f"{ID}report/"
    from kg.model import CONCRETE_REASONS
    order = list(CONCRETE_REASONS)
    rows: list[list[Any]] = [[report.removeprefix(f"{ID}report/"), item.removeprefix(report + "/"), score,
             "、".join(sorted(why, key=order.index)), shorten(text, 80)]
            for item, (report, score, why, text) in reasons.items() if report.startswith(prefix)]
    rows.sort(key=lambda r: (-int(r[2]), str(r[0]), str(r[1])))
    _print_result(QueryResult(["report", "item", "score", "reasons", "measure"], rows), fmt,
                  title="具体措施 (concrete measures)")


@app.command("serve")
def serve_command(
    store: StoreOption = None,
    host: Annotated[str, typer.Option("--host", help="监听地址 (address to listen on; 0.0.0.0 for every interface)")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="端口 (port)")] = 7878,
    cors: Annotated[bool, typer.Option("--cors", help="允许跨域请求 (allow cross-origin requests from web pages)")] = False,
    allow_federated: Annotated[bool, typer.Option(
        "--allow-federated", help="允许联邦查询 SERVICE (let queries make the server fetch other endpoints' URLs; "
        "refused by default)")] = False,
) -> None:
    """SPARQL 端点 (serve the store read-only with Oxigraph's server: SPARQL 1.1 Protocol and a web UI; Ctrl-C stops)."""
    from kg.serve import serve_until_stopped, start_server
    from kg.store import store_path

    server = start_server(store_path(store), host, port, cors=cors, federated=allow_federated)
    out.print(f"SPARQL 查询地址 {server.query_url} [dim](query endpoint, SPARQL 1.1 Protocol, read-only)[/dim]",
              soft_wrap=True)
    out.print(f"网页界面 {server.ui_url} [dim](web UI)[/dim]", soft_wrap=True)
    out.print(f"[dim]默认图为所有命名图之并 (default graph = union of the named graphs); 按 Ctrl-C 停止 (Ctrl-C stops; "
              f"store {escape(str(store_path(store)))})[/dim]", soft_wrap=True)
    sys.stdout.flush()
    stopped = serve_until_stopped(server)
    reason = server.last_error()
    status = server.stop()
    if not stopped:
        err.print(f"[red]错误[/red] {escape(server.query_url)}: 服务器意外退出 (server exited with status {status}; "
                  f"its last line: {escape(reason)})")
        raise typer.Exit(2)
    err.print("[dim]已停止 (stopped)[/dim]")
    raise typer.Exit(0)


@app.command("push")
def push_command(
    endpoint: Annotated[str, typer.Option(
        "--endpoint", "-e", help="Graph Store 地址 (the server's SPARQL 1.1 Graph Store Protocol URL: Oxigraph "
        "http://HOST:7878/store, Fuseki http://HOST:3030/DATASET/data; auth only from $KG_ENDPOINT_TOKEN or "
        "$KG_ENDPOINT_USER/$KG_ENDPOINT_PASSWORD)", show_default=False)],
    force: Annotated[bool, typer.Option("--force", help="全部上传 (push every graph, changed or not)")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只列出将上传的图 (list what would be pushed)")] = False,
    prune: Annotated[bool, typer.Option("--prune", help="删除远端已在本地删除的图 (DELETE graphs removed locally)")] = False,
    store: StoreOption = None,
) -> None:
    """上传到 SPARQL 服务器 (push changed report, vocabulary and index graphs to any SPARQL 1.1 server, one PUT per graph)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from kg.remote import push
    from kg.store import open_store

    db = open_store(store, read_only=dry_run, create=False)
    with Progress(TextColumn("[bold]上传[/bold]"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.description}"), console=err, transient=True) as progress:
        task = progress.add_task("", total=None)

        def tick(done: int, total: int, graph: str) -> None:
            progress.update(task, completed=done - 1, total=total, description=escape(_display(graph)))

        summary = push(db, endpoint, force=force, dry_run=dry_run, prune=prune, progress=tick)
    if dry_run:
        for graph in summary.pushed:
            out.print(f"将上传 {escape(_display(graph))}")
        for graph in summary.deleted:
            out.print(f"将删除 {escape(_display(graph))}")
    verb = "将上传" if dry_run else "上传"
    out.print(f"{verb} {len(summary.pushed)} · 未变 {len(summary.unchanged)} · 删除 {len(summary.deleted)} · "
              f"{summary.bytes / 1e6:.2f} MB · {summary.seconds:.2f} 秒 [dim](pushed · unchanged · deleted · size · "
              f"seconds{'; dry run' if dry_run else ''}; {escape(summary.endpoint)})[/dim]")
    if summary.stale:
        err.print(f"[yellow]提示[/yellow] 远端还有 {len(summary.stale)} 个本地已删除的图, 用 --prune 删除 "
                  f"({len(summary.stale)} graphs removed locally are still on the endpoint; --prune deletes them)")


@app.command("viz")
def viz_command(
    view: Annotated[str, typer.Option("--view", help="视图 (view): committee-document | full | region-type | "
                                      "measure-similarity")] = "committee-document",
    report: Annotated[str | None, typer.Option("--report", "-r", help="只画一份报告 (one report: IRI or the part after /id/)",
                                                      callback=_iri)] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML 文件 (the page to write)",
                                         callback=_output)] = Path("kg-graph.html"),
    png: Annotated[Path | None, typer.Option("--png", help="另存截图 (also a PNG, rendered by headless Chromium)",
                                             callback=_output)] = None,
    max_nodes: Annotated[int | None, typer.Option("--max-nodes", "-n", help="节点上限 (most nodes drawn, default 1500; "
                                                  "reports, committees, regions and the best-connected are kept)")] = None,
    store: StoreOption = None,
) -> None:
    """画出图谱 (draw a view as one self-contained interactive HTML page; --png for a picture too)."""
    from kg.analysis.views import VIEWS, project
    from kg.store import open_index, open_store
    from kg.viz import DEFAULT_MAX_NODES, kind_labels, screenshot, write_html

    db = open_store(store, read_only=True)
    graph = project(db, view, report=report, index=open_index(store, read_only=True, required=False))
    title = f"{VIEWS[view].split(' (')[0]} · {view}" + (f" · {report}" if report else "")
    drawn = write_html(graph, output, title=title, labels=kind_labels(db), max_nodes=max_nodes or DEFAULT_MAX_NODES)
    out.print(f"已写出 {escape(str(output))} · 视图 {view} · 节点 {drawn.nodes}/{drawn.total_nodes} · 边 "
              f"{drawn.edges}/{drawn.total_edges} (wrote the page; nodes and edges drawn/in the view)")
    if png:
        screenshot(output, png)
        out.print(f"已写出 {escape(str(png))} (wrote the picture)")


ViewOption = Annotated[str, typer.Option("--view", "-v", help="视图 (view): full | committee-document | region-type | "
                                         "measure-similarity")]
ReportOption = Annotated[str | None, typer.Option("--report", "-r", help="只看一份报告 (one report: IRI or the part after /id/)",
                                                  callback=_iri)]


@app.command("graph")
def graph_command(
    view: ViewOption = "full",
    report: ReportOption = None,
    fmt: Annotated[TableFormat, typer.Option("--format", "-f")] = TableFormat.table,
    store: StoreOption = None,
) -> None:
    """图谱视图概况 (a NetworkX view of the graph: nodes by kind, edges by relation, density, components)."""
    from kg.analysis.views import VIEWS, project
    from kg.graph import summarise
    from kg.query import QueryResult
    from kg.store import open_index, open_store

    summary = summarise(project(open_store(store, read_only=True), view, report=report,
                                index=open_index(store, read_only=True, required=False)), view)
    rows: list[list[object]] = [["视图", "view", view], ["节点", "nodes", summary.nodes], ["边", "edges", summary.edges],
                                ["密度", "density", round(summary.density, 6)],
                                ["连通分量", "components", summary.components],
                                ["最大连通分量", "largest component", summary.largest_component]]
    rows += [["节点类别", kind, n] for kind, n in summary.kinds.items()]
    rows += [["边关系", relation, n] for relation, n in summary.relations.items()]
    _print_result(QueryResult(["label", "name", "count"], rows), fmt, title=VIEWS[view], headers=COUNT_HEADERS)


@app.command("analyse")
def analyse_command(
    name: Annotated[str, typer.Argument(help="分析 (analysis): documents-by-regions | region-similarity | centrality | "
                                        "communities")],
    top: Annotated[int | None, typer.Option("--top", "-n", help="行数 (rows; default all)")] = None,
    report: ReportOption = None,
    fmt: Annotated[TableFormat, typer.Option("--format", "-f")] = TableFormat.table,
    store: StoreOption = None,
) -> None:
    """图谱分析 (documents cited by most regions, alike regions, central documents, communities of measures)."""
    from kg.analysis import ANALYSES, analyse
    from kg.query import QueryResult
    from kg.store import open_index, open_store

    rows = analyse(open_store(store, read_only=True), name, report=report, top=top,
                   index=open_index(store, read_only=True, required=False))
    columns = list(rows[0]) if rows else ["无结果 (no rows)"]
    _print_result(QueryResult(columns, [list(r.values()) for r in rows]), fmt, title=ANALYSES[name].title)


@app.command("export")
def export_command(
    view: ViewOption = "full",
    fmt: Annotated[str, typer.Option("--format", "-f", help="graphml | gexf | cytoscape | node-link | dot | csv "
                                     "(csv: FILE-nodes.csv and FILE-edges.csv, or nodes.csv and edges.csv in DIR/)")] = "graphml",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="输出文件 (output file; default standard output)",
                                                callback=_output)] = None,
    report: ReportOption = None,
    store: StoreOption = None,
) -> None:
    """导出图谱视图 (write a view for Gephi, yEd, Cytoscape, D3/sigma.js, Graphviz or a spreadsheet)."""
    from kg.export import check_format, export_view
    from kg.store import open_index, open_store

    check_format(fmt, output)
    if fmt == "csv" and output is not None and output.exists() and not output.is_dir() and not output.is_file():
        raise KgError("csv 写出两个文件, 请给目录或文件名前缀, 而不是设备 (csv writes two files: give a folder or a "
                      "file-name prefix, not a device)", output)
    exported = export_view(open_store(store, read_only=True), view, fmt, output, report=report,
                           index=open_index(store, read_only=True, required=False))
    if exported.data is not None:
        sys.stdout.buffer.write(exported.data)
        return
    err.print(f"已写出 {escape('、'.join(map(str, exported.files)))} · 节点 {exported.nodes} · 边 {exported.edges} "
              f"(wrote; nodes, edges)")


@app.command("compare")
def compare_command(
    names: Annotated[list[str], typer.Argument(help="地区 (division code or name: 370105, 天桥区, 山东省), 党组织 (committee) "
                                               "或报告 (report/…); two or more")],
    fmt: Annotated[TableFormat, typer.Option("--format", "-f", help="table | csv | tsv | json")] = TableFormat.table,
    store: StoreOption = None,
) -> None:
    """地区对比 (regions or committees side by side: reports, problems by type, measures, concrete share,
    accountability figures, money, rules made, days from feedback to report)."""
    from kg.compare import FIELDS, compare
    from kg.store import open_store

    if len(names) < 2:
        raise QueryError("至少需要两个地区或党组织 (give two or more regions or committees)")
    sides = compare(open_store(store, read_only=True), names)
    if fmt is TableFormat.json:
        sys.stdout.write(json.dumps([s.to_dict() for s in sides], ensure_ascii=False, indent=2) + "\n")
        return
    if fmt in (TableFormat.csv, TableFormat.tsv):
        from kg.query import QueryResult

        keys = [key for key, _ in FIELDS]
        _print_result(QueryResult(keys, [[s.flat()[k] for k in keys] for s in sides]), fmt)
        return
    from rich.table import Table

    table = Table(title="地区对比 (comparison)", show_lines=True)
    table.add_column("项目")
    for s in sides:
        table.add_column(escape(s.scope.label), overflow="fold")
    for key, header in FIELDS[1:]:
        cells = [s.flat()[key] for s in sides]
        if key == "top_types":
            cells = ["\n".join(f"{t.notation} {t.label} {t.problems}" for t in s.top_types()) for s in sides]
        table.add_row(header, *(escape("" if v is None else f"{v:g}" if isinstance(v, float) else str(v)) for v in cells))
    out.print(table)


@app.command("brief")
def brief_command(
    name: Annotated[str, typer.Argument(help="地区 (division code or name), 党组织 (committee) 或报告 (report/…)")],
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML 文件 (the page to write)",
                                         callback=_output)] = Path("kg-brief.html"),
    png: Annotated[Path | None, typer.Option("--png", help="另存截图 (also a PNG, rendered by headless Chromium)",
                                             callback=_output)] = None,
    store: StoreOption = None,
) -> None:
    """简报页面 (one self-contained HTML page of a region's, committee's or report's figures as charts, with its most
    concrete measures)."""
    from kg.brief import write_html
    from kg.compare import resolve, side
    from kg.store import open_store

    db = open_store(store, read_only=True)
    data = side(db, resolve(db, name))
    write_html(data, output)
    out.print(f"已写出 {escape(str(output))} · {escape(data.scope.label)} · 报告 {len(data.reports)} · 问题 "
              f"{data.problems} · 措施 {data.measures} (wrote the page: reports, problems, measures)")
    if png:
        from kg.viz import screenshot

        screenshot(output, png, height=2200)
        out.print(f"已写出 {escape(str(png))} (wrote the picture)")


def main() -> None:
    """Run the command named on the command line. typer makes every command's options (reading their
    annotations: 30-80 ms for twenty commands) before it runs one, so when the first argument names a
    command only that one is made; anything else (options first, a wrong name) sees them all."""
    every = app.registered_commands
    app.registered_commands = [command for command in every if sys.argv[1:2] == [command.name]] or every
    try:
        app()
    finally:
        app.registered_commands = every


if __name__ == "__main__":
    main()
