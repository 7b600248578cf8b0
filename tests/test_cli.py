"""The `kg` command as a user runs it: a real subprocess, real files, exit codes and streams."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
