"""The `kg` command as a user runs it: a real subprocess, real files, exit codes and streams."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from kg.namespaces import local_id

from .conftest import REAL_REPORTS


def kg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True, timeout=120)


def test_parse_json_for_several_files_with_one_bad(tmp_path: Path) -> None:
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    result = kg("parse", "--format", "json", "--no-text", str(REAL_REPORTS[0]), str(bad), str(REAL_REPORTS[1]))
    assert result.returncode == 1, result.stderr
    payload = json.loads(result.stdout)
    assert [item.get("error") is None for item in payload] == [True, False, True]
    assert payload[0]["schema"] == "xunshi-kg/report/1" and "text" not in payload[0]
    assert payload[0]["categories"] and payload[2]["categories"]
    errors = [line for line in result.stderr.splitlines() if "错误" in line]
    assert len(errors) == 1 and str(bad) in errors[0] and "空文件" in errors[0]


def test_parse_json_single_file_is_one_object_with_text_and_spans() -> None:
    result = kg("parse", "-f", "json", str(REAL_REPORTS[2]))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    text = report["text"]
    measure = report["categories"][0]["problems"][0]["measures"][0]
    assert text[measure["span"][0]:measure["span"][1]] == measure["text"]
    assert report["source"]["sha256"] and report["source"]["encoding"] == "utf-8"


def test_nothing_parsed_exits_2(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text("首页>新闻\n今天天气晴朗。", encoding="utf-8")
    result = kg("parse", str(page), str(tmp_path / "missing.txt"))
    assert result.returncode == 2
    assert result.stderr.count("错误") == 2


def test_text_outline_shows_counts_and_tree() -> None:
    tianqiao = next(p for p in REAL_REPORTS if "tianqiao" in p.name)
    result = kg("parse", "--format", "text", "--measures", str(tianqiao))
    assert result.returncode == 0, result.stderr
    assert "省委第九巡视组" in result.stdout and "370105" in result.stdout
    assert "4 个方面" in result.stdout and "(一)关于贯彻落实中央重大决策部署" in result.stdout
    assert "《" in result.stdout  # measures list their documents


def test_text_outline_shows_progress_references_and_uncompared_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read in the Lianhu report: 除3个审计问题正在积极推进外; 2015年省委巡视反馈13个问题中8个未整改到位;
    具体问题40项 while the report lists one tier of 12 problems."""
    lianhu = next(p for p in REAL_REPORTS if "lianhu" in p.name)
    monkeypatch.setenv("COLUMNS", "400")  # one line a node
    result = kg("parse", "--format", "text", str(lianhu))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any("进展" in line and "3个审计问题正在积极推进" in line and "正在推进" in line for line in lines)
    assert any("前次监督 (inspection)" in line and "2015年省委巡视" in line and "8/13 未整改" in line for line in lines)
    assert any("具体问题40项 (未比较" in line for line in lines)


# --- the graph commands ---------------------------------------------------------------

import csv  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402

import pytest  # noqa: E402
from pyoxigraph import RdfFormat, parse  # noqa: E402

from .conftest import DATA  # noqa: E402


@pytest.fixture(scope="module")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("cli") / "kg-store"
    result = kg("build", str(DATA), "--store", str(store))
    assert result.returncode == 0, result.stderr
    assert "新增 4" in result.stdout and "失败 0" in result.stdout
    return store


def test_build_again_skips_everything(built_store: Path) -> None:
    result = kg("build", str(DATA), "--store", str(built_store))
    assert result.returncode == 0 and "跳过 4" in result.stdout and "新增 0" in result.stdout


def test_build_compacts_the_store_after_a_large_load_only(tmp_path: Path) -> None:
    small = kg("build", str(REAL_REPORTS[0]), "--store", str(tmp_path / "a"))
    assert small.returncode == 0 and "整理存储" not in small.stdout  # ~2,700 quads: under the threshold
    forced = kg("build", str(REAL_REPORTS[0]), "--store", str(tmp_path / "b"), "--optimize")
    assert forced.returncode == 0 and "整理存储" in forced.stdout
    env = {**os.environ, "KG_OPTIMIZE_AFTER_QUADS": "1000"}
    command = [sys.executable, "-m", "kg.cli", "build", str(REAL_REPORTS[0]), "--store", str(tmp_path / "c")]
    over = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert over.returncode == 0 and "整理存储" in over.stdout
    again = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)  # nothing written
    assert again.returncode == 0 and "整理存储" not in again.stdout and "跳过 1" in again.stdout
    assert kg("query", "organisations", "--store", str(tmp_path / "c")).returncode == 0


def test_build_reports_a_bad_file_and_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    result = kg("build", str(REAL_REPORTS[2]), str(bad), "--store", str(tmp_path / "s"))
    assert result.returncode == 1
    assert "失败" in result.stderr and str(bad) in result.stderr and "新增 1" in result.stdout


def test_query_csv_and_json_carry_the_same_rows(built_store: Path) -> None:
    as_csv = kg("query", "reports", "--format", "csv", "--store", str(built_store))
    as_json = kg("query", "reports", "--format", "json", "--store", str(built_store))
    assert as_csv.returncode == as_json.returncode == 0
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert len(rows) == 4 and {r["code"] for r in rows} == {"130371", "320302", "610104", "370105"}
    assert [r["committee"] for r in rows] == [r["committee"] for r in json.loads(as_json.stdout)]


def test_query_takes_one_page(built_store: Path) -> None:
    whole = json.loads(kg("query", "problems", "-f", "json", "--store", str(built_store)).stdout)
    first = kg("query", "problems", "--limit", "5", "-f", "json", "--store", str(built_store))
    second = kg("query", "problems", "-n", "5", "--offset", "5", "-f", "json", "--store", str(built_store))
    assert first.returncode == second.returncode == 0
    page = json.loads(first.stdout) + json.loads(second.stdout)
    assert len(page) == 10 and len({r["problem"] for r in page}) == 10 and len(whole) > 10
    assert {r["problem"] for r in page} <= {r["problem"] for r in whole}
    refused = kg("query", "problems", "--limit", "0", "--store", str(built_store))
    assert refused.returncode == 2


def test_query_parameter_is_a_plain_value_via_the_environment_store(built_store: Path) -> None:
    env = {**os.environ, "KG_STORE": str(built_store)}
    result = subprocess.run([sys.executable, "-m", "kg.cli", "query", "measures-by-keyword", "-p",
                             'keyword=" } ; DROP ALL ; {', "-f", "json"], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
    unknown = kg("query", "nope", "--store", str(built_store))
    assert unknown.returncode == 2 and "reports" in unknown.stderr


def test_validate_export_show_and_stats(built_store: Path, tmp_path: Path) -> None:
    validate = kg("validate", "--store", str(built_store))
    assert validate.returncode == 0 and validate.stdout.count("符合") == 4
    out = tmp_path / "kg.trig"
    export = kg("export-rdf", "--format", "trig", "--output", str(out), "--store", str(built_store))
    assert export.returncode == 0
    assert sum(1 for _ in parse(path=str(out), format=RdfFormat.TRIG)) > 5000
    show = kg("show", "report/610104-区委/2020-10-20/2022-05-06/c1/p1/m1", "--store", str(built_store))
    assert show.returncode == 0 and "建立长效学习机制" in show.stdout and "Measure" in show.stdout
    stats = kg("stats", "--format", "json", "--store", str(built_store))
    counts = {row["item"]: row["count"] for row in json.loads(stats.stdout)}
    assert counts["reports"] == 4 and counts["measures"] == 121 + 76 + 37 + 88  # the hand counts


def test_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    result = kg("query", "reports", "--store", str(tmp_path / "none"))
    assert result.returncode == 2 and "kg build" in result.stderr


def test_search_related_types_and_measures_commands(built_store: Path) -> None:
    store = ["--store", str(built_store)]
    as_json = json.loads(kg("search", "公务用车", "-f", "json", *store).stdout)
    as_csv = list(csv.DictReader(io.StringIO(kg("search", "公务用车", "-f", "csv", *store).stdout)))
    assert as_json and [r["item"] for r in as_json] == [r["item"] for r in as_csv]
    assert "公务用车" in as_json[0]["snippet"]
    related = kg("related", "公务用车管理不规范", "-f", "json", "--exclude-region", "370000", *store)
    rows = json.loads(related.stdout)
    assert related.returncode == 0 and rows and not any(str(r["region_code"]).startswith("37") for r in rows)
    people = kg("related", "公务用车管理不规范", "--exclude-region", "370000", *store).stdout.splitlines()
    heads = [line for line in people if re.match(r"\d+\. ", line)]  # one block a measure, in the same order
    assert [line.split(" · ")[0] for line in heads] == [f"{i}. {r['region']}" for i, r in enumerate(rows, 1)]
    assert all(local_id(r["item"]) in "\n".join(people) for r in rows) and sum("问题: " in line for line in people)
    both = kg("related", "文本", "--measure", "x", *store)
    assert both.returncode == 2
    types = list(csv.DictReader(io.StringIO(kg("types", "-f", "csv", *store).stdout)))
    assert {r["type"] for r in types} >= {"A", "B3", "E12"} and all(int(r["total"]) >= 0 for r in types)
    measures = json.loads(kg("measures", "--type", "中央八项规定精神", "--since", "2021", "-f", "json", *store).stdout)
    assert measures and all(int(m["year"]) >= 2021 for m in measures)
    unknown = kg("measures", "--type", "不存在的类型", *store)
    assert unknown.returncode == 2 and "kg types" in unknown.stderr


# --- errors are one line, wherever they come from ---------------------------------------------------------

from typer.testing import CliRunner  # noqa: E402

from kg.cli import app  # noqa: E402


def _one_error_line(stderr: str) -> str:
    """The one error line of standard error (warnings and review lines may stand beside it)."""
    assert "Traceback" not in stderr and "│" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.startswith("错误")]
    assert len(lines) == 1, stderr
    return lines[0]


# Commands naming an item or a report, with where the name goes; every bad IRI value is one line, exit 2.
NAMED = {
    "show": ["show", "{}"],
    "export-rdf": ["export-rdf", "-r", "{}"],
    "viz": ["viz", "-r", "{}", "-o", "{tmp}/page.html"],
    "graph": ["graph", "-r", "{}"],
    "analyse": ["analyse", "centrality", "-r", "{}"],
    "export": ["export", "-r", "{}"],
    "validate": ["validate", "-r", "{}"],
    "related": ["related", "--measure", "{}"],
    "query": ["query", "source-sentence", "-p", "item={}"],
}


@pytest.mark.parametrize("value", ["a>b", "report/a b", "<x>", 'x"y'])
@pytest.mark.parametrize("command", sorted(NAMED))
def test_bad_iri_values_are_one_line(built_store: Path, tmp_path: Path, command: str, value: str) -> None:
    args = [a.format(value, tmp=tmp_path) if a != "{}" else value for a in NAMED[command]]
    result = CliRunner().invoke(app, [*args, "--store", str(built_store)])
    assert result.exit_code == 2, (result.output, result.exception)
    assert value in _one_error_line(result.stderr)


OUTPUTS = {  # command writing to -o
    "export-rdf": ["export-rdf", "-f", "trig"],
    "export": ["export", "-v", "committee-document", "-f", "graphml"],
    "viz": ["viz", "--view", "committee-document"],
}


@pytest.mark.parametrize("target,code", [("{tmp}/missing/out.file", 2), ("/dev/full", 2), ("/dev/null", 0)])
@pytest.mark.parametrize("command", sorted(OUTPUTS))
def test_output_into_missing_folder_full_or_null_device(built_store: Path, tmp_path: Path, command: str,
                                                        target: str, code: int) -> None:
    output = target.format(tmp=tmp_path)
    result = kg(*OUTPUTS[command], "-o", output, "--store", str(built_store))
    assert result.returncode == code, result.stderr
    if code:
        assert output.split("/")[-2 if "missing" in output else -1] in _one_error_line(result.stderr)
    else:
        assert "Traceback" not in result.stderr


def test_csv_export_to_a_device_is_refused(built_store: Path) -> None:
    made = [Path("/dev/null-nodes.csv"), Path("/dev/null-edges.csv")]
    try:
        result = kg("export", "-f", "csv", "-o", "/dev/null", "--store", str(built_store))
        assert result.returncode == 2 and "/dev/null" in _one_error_line(result.stderr)
        assert not any(p.exists() for p in made)
    finally:
        for path in made:  # what the command wrote into /dev before it refused devices
            if path.is_file():
                path.unlink()


STDOUT_COMMANDS = {
    "parse json": ["parse", "-f", "json", str(REAL_REPORTS[0])],
    "parse text": ["parse", "-f", "text", str(REAL_REPORTS[0])],
    "query table": ["query", "reports"],
    "query json": ["query", "reports", "-f", "json"],
    "export-rdf": ["export-rdf"],
    "stats": ["stats"],
}


@pytest.mark.parametrize("command", sorted(STDOUT_COMMANDS))
def test_standard_output_to_a_full_device(built_store: Path, command: str) -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "kg.cli", *STDOUT_COMMANDS[command], "--store", str(built_store)]
                                if command != "parse json" and command != "parse text" else
                                [sys.executable, "-m", "kg.cli", *STDOUT_COMMANDS[command]],
                                stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert result.returncode == 2
    assert "标准输出" in _one_error_line(result.stderr)


def test_build_log_to_a_full_device(tmp_path: Path) -> None:
    result = kg("build", str(REAL_REPORTS[0]), "--store", str(tmp_path / "s"), "--log", "/dev/full")
    assert result.returncode == 2
    assert "/dev/full" in _one_error_line(result.stderr) and "新增 1" in result.stdout
    missing = kg("build", str(REAL_REPORTS[0]), "--store", str(tmp_path / "s"), "--log", str(tmp_path / "no" / "l"))
    assert missing.returncode == 2 and "日志" in _one_error_line(missing.stderr) and not missing.stdout


def _garbage(path: Path) -> None:
    path.write_bytes(os.urandom(8192))


def _drop_table(path: Path) -> None:
    import sqlite3

    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE entries")


def _overwrite_middle(path: Path) -> None:
    import sqlite3

    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("PRAGMA journal_mode=DELETE")
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.seek(size // 3)
        handle.write(os.urandom(size // 3))


@pytest.mark.parametrize("damage", [_garbage, _drop_table, _overwrite_middle])
def test_validate_and_search_on_a_malformed_index(built_store: Path, tmp_path: Path, damage) -> None:  # noqa: ANN001
    import shutil

    store = tmp_path / "store"
    shutil.copytree(built_store, store)
    index = store / "kg-text-index.sqlite"
    for extra in store.glob("kg-text-index.sqlite-*"):
        extra.unlink() if damage is _garbage else None
    damage(index)
    for args in (["validate"], ["search", "公务用车"]):
        result = kg(*args, "--store", str(store))
        assert result.returncode in (1, 2), result.stderr  # validate may count it as its finding (1)
        assert "Traceback" not in result.stderr and "│" not in result.stderr
        said = [line for line in (result.stdout + result.stderr).splitlines() if "文本索引已损坏" in line]
        assert len(said) == 1, (result.stdout, result.stderr)


@pytest.mark.parametrize("args", [["query", "region-measures", "-p", "code=370000", "-p", "keyword=公务\x00用车"],
                                  ["query", "measures-by-keyword", "-p", "keyword=\x00"],
                                  ["search", "公务\x00用车"]])
def test_contains_search_holding_a_nul(built_store: Path, args: list[str]) -> None:
    result = CliRunner().invoke(app, [*args, "--store", str(built_store)])
    assert result.exit_code == 2, (result.output, result.exception)
    assert "NUL" in _one_error_line(result.stderr)


def test_values_are_checked_as_typer_checks_them(tmp_path: Path) -> None:
    """kg.cli checks the values its commands take without pydantic (start-up time): for every
    parameter of every command, the value or the error message is the one typer's adapters give."""
    from typer._coercion import build_runtime_param
    from typer._click import Context
    from typer.core import _TyperParameter
    from typer.main import get_command

    from kg.cli import app

    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    values: list[object] = ["3", "-1", "0", "007", "1_0", " 4", "x", "", "table", "JSON", "srj", "measures", "-",
                            str(tmp_path), str(tmp_path / "file.txt"), str(tmp_path / "none" / "x.html"), True, 12, None,
                            ["a", "b"], ["2", "x"], [str(tmp_path)], ()]
    group = get_command(app)
    checked = 0
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        ctx = Context(command, info_name=name)
        for param in command.params:
            assert isinstance(param, _TyperParameter)
            lean, full = param.get_runtime_param(), build_runtime_param(param.type_descriptor)
            assert type(lean) is not type(full), "kg.cli's checks are not in use"
            for value in values:
                outcomes = []
                for runtime in (lean, full):
                    try:
                        outcomes.append(("value", runtime.coerce(value, param=param, ctx=ctx)))
                    except Exception as exc:  # noqa: BLE001 - the error is the outcome compared
                        outcomes.append(("error", f"{type(exc).__name__}: {exc}"))
                assert outcomes[0] == outcomes[1], (name, param.name, value)
                checked += 1
    assert checked > 1000


def test_a_help_page_is_shown_again_from_the_cache_without_typer(tmp_path: Path) -> None:
    """kg.launch (the `kg` script) keeps the page kg.cli renders and writes it out the next time
    without importing typer or rich: the same bytes; another terminal width is another page."""
    def run(module: str, *args: str, columns: str = "80") -> subprocess.CompletedProcess[str]:
        code = (f"import sys; sys.argv[0] = 'kg'; from {module} import main; main(); "
                "print('typer' in sys.modules, 'rich' in sys.modules, file=sys.stderr)")
        env = {**os.environ, "KG_CACHE_DIR": str(tmp_path), "COLUMNS": columns}
        return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=120)

    pages = {}
    for args in (["--help"], ["search", "--help"]):
        rendered, first, again = run("kg.cli", *args), run("kg.launch", *args), run("kg.launch", *args)
        assert rendered.returncode == first.returncode == again.returncode == 0
        assert "Usage: kg" in rendered.stdout and rendered.stdout == first.stdout == again.stdout
        assert again.stderr == "False False\n"  # not rendered: written out
        pages[args[0]] = again.stdout
    assert pages["--help"] != pages["search"]
    narrow = run("kg.launch", "--help", columns="50")
    assert narrow.stdout == run("kg.cli", "--help", columns="50").stdout != pages["--help"]
    assert len(list(tmp_path.glob("help-*.txt"))) == 3
    versions = [run("kg.launch", "--version") for _ in range(2)]
    assert versions[0].stdout == versions[1].stdout == run("kg.cli", "--version").stdout
    assert versions[0].stdout.startswith("xunshi-kg ") and versions[1].stderr == "False False\n"
    assert len(list(tmp_path.glob("help-*.txt"))) == 4


def test_a_command_made_alone_answers_as_among_all() -> None:
    """kg.cli.main makes only the command named first (typer makes every command's options before
    running one): its help, its usage errors and its exit codes are those of the whole group."""
    def run(call: str, *args: str) -> tuple[int, str, str]:
        code = f"import sys; sys.argv[0] = 'kg'; from kg.cli import app, main; {call}"
        done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)
        return done.returncode, done.stdout, done.stderr

    for args in (["search", "--help"], ["query"], ["build", "--nosuch"], ["related", "-n", "x", "text"]):
        whole, alone = run("app()", *args), run("main()", *args)
        assert whole == alone, args
        assert ("Usage: kg " + args[0]) in whole[1] + whole[2]
    assert run("app()", "serach", "x") == run("main()", "serach", "x")  # a wrong name: the group's error
