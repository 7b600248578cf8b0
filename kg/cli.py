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
from rich.tree import Tree

from kg import __version__
from kg.exceptions import KgError
from kg.model import Problem, Report
from kg.parse import parse_file

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


def main() -> None:
    app()


if __name__ == "__main__":
    main()
