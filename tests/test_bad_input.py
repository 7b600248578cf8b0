"""A build over a folder of real-world downloads: bad files are named with their reason, the
good ones are built, nothing of a bad file reaches the store, and `--log` records every file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pytest

from kg.store import build, open_store, report_graphs, sources_in_store

from .conftest import REAL_REPORTS


def kg(*args: str, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*prefix, sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True,
                          timeout=600)


def _truncated(text: str) -> str:
    """A download cut off mid-sentence, two thirds of the way in."""
    cut = text.index("。", len(text) * 2 // 3) - 5
    return text[:cut]


def _bad_files(folder: Path) -> dict[str, str]:
    """{file name: a word its error must contain}; written into folder."""
    report = REAL_REPORTS[0].read_text(encoding="utf-8")
    files = {
        "empty.txt": (b"", "空文件"),
        "binary.txt": (os.urandom(3000) + b"\x00" * 10, "二进制"),
        "photo.txt": (b"\x89PNG\r\n\x1a\n" + os.urandom(2000), "PNG"),
        "undecodable.txt": (bytes(range(0x80, 0x100)) * 40, "编码"),
        "news.html": ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>新闻</title></head><body>"
                      "<p>市纪委监委召开全会, 强调持之以恒正风肃纪。</p></body></html>".encode(), "报告"),
        "five-mb.txt": (((report + "\n") * (5_000_000 // len(report.encode()) + 1)).encode(), "过长"),
    }
    reasons = {}
    for name, (data, word) in files.items():
        (folder / name).write_bytes(data)
        reasons[name] = word
    return reasons


def test_folder_with_bad_files(tmp_path: Path) -> None:
    folder = tmp_path / "downloads"
    folder.mkdir()
    for report in REAL_REPORTS:
        shutil.copy(report, folder / report.name)
    (folder / "cut-off.txt").write_text(_truncated(REAL_REPORTS[1].read_text(encoding="utf-8")).replace(
        "鼓楼区", "泉山区"), encoding="utf-8")
    reasons = _bad_files(folder)
    store, log = tmp_path / "store", tmp_path / "build.jsonl"

    result = kg("build", str(folder), "--store", str(store), "--log", str(log))

    assert result.returncode == 1, result.stderr
    failure_lines = [line for line in result.stderr.splitlines() if line.startswith("失败")]
    assert len(failure_lines) == len(reasons)
    for name, word in reasons.items():
        line = next(line for line in failure_lines if f"{folder / name}:" in line)
        assert word in line, line
    assert "Traceback" not in result.stderr
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert {r["path"] for r in records} == {str(p) for p in folder.iterdir()}
    outcomes = {Path(r["path"]).name: r for r in records}
    assert {name for name, r in outcomes.items() if r["outcome"] == "failed"} == set(reasons)
    assert all(r["error"] in ("IngestError", "NoReportError") and r["reason"] for r in records if r["outcome"] == "failed")
    assert outcomes["cut-off.txt"]["outcome"] == "added" and outcomes["cut-off.txt"]["warnings"]
    db = open_store(store, read_only=True)
    built = set(sources_in_store(db))
    assert built == {str(folder / p.name) for p in REAL_REPORTS} | {str(folder / "cut-off.txt")}
    assert len(report_graphs(db)) == len(REAL_REPORTS) + 1


def test_unreadable_file_is_named_and_the_rest_built(tmp_path: Path) -> None:
    """chmod 000; as root (who reads anything) the build runs in a user namespace without privileges."""
    prefix: tuple[str, ...] = ()
    if os.geteuid() == 0:
        if not shutil.which("unshare") or subprocess.run(["unshare", "--user", "true"]).returncode != 0:
            pytest.skip("running as root without user namespaces: no file is unreadable")
        prefix = ("unshare", "--user")
    work = Path(tempfile.mkdtemp(prefix="kg-perm-"))  # outside pytest's root-only tmp, for the unprivileged build
    try:
        work.chmod(0o777)
        shutil.copy(REAL_REPORTS[2], work / "good.txt")
        (work / "good.txt").chmod(0o644)
        locked = work / "locked.txt"
        shutil.copy(REAL_REPORTS[3], locked)
        locked.chmod(0o000)
        result = kg("build", str(work / "good.txt"), str(locked), "--store", str(work / "store"), prefix=prefix)
        assert result.returncode == 1, result.stderr
        assert f"{locked}: 无读取权限" in result.stderr
        assert "新增 1" in result.stdout
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_thousands_of_files_with_a_few_bad(tmp_path: Path) -> None:
    """2,000 downloads, mostly mirrors of the same reports: each report is parsed once, every
    copy is recorded as a source of it, the bad files fail alone."""
    folder = tmp_path / "mirror"
    folder.mkdir()
    for i in range(1990):
        report = REAL_REPORTS[i % len(REAL_REPORTS)]
        (folder / f"site{i // 100:02d}-{i:04d}.txt").write_bytes(report.read_bytes())
    for i in range(10):
        (folder / f"broken-{i}.txt").write_bytes(b"" if i % 2 else b"\x89PNG\r\n\x1a\n" + bytes(100))
    store = open_store(tmp_path / "store")

    summary = build(store, [folder])

    assert len(summary.files) == 2000
    assert Counter(f.outcome for f in summary.files) == {"added": 4, "duplicate": 1986, "failed": 10}
    assert len(report_graphs(store)) == len(REAL_REPORTS)
    assert len(sources_in_store(store)) == 1990
    again = build(store, [folder])
    assert Counter(f.outcome for f in again.files) == {"skipped": 1990, "failed": 10}


def test_parallel_build_equals_serial_build(tmp_path: Path) -> None:
    variants = sorted((Path(__file__).parent / "variants").glob("*.txt"))
    files = [*REAL_REPORTS, *variants]
    serial, parallel = open_store(tmp_path / "serial"), open_store(tmp_path / "parallel")
    one = build(serial, files, jobs=1)
    two = build(parallel, files, jobs=2)
    assert [(f.path, f.outcome, f.reason) for f in one.files] == [(f.path, f.outcome, f.reason) for f in two.files]
    assert len(one.added) >= 8  # enough work for the parallel path to be taken
    graphs = report_graphs(serial)
    assert graphs == report_graphs(parallel)
    for graph in graphs:
        assert set(serial.quads_for_pattern(None, None, None, graph)) == \
            set(parallel.quads_for_pattern(None, None, None, graph)), graph.value
