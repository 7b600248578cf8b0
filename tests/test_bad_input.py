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

from kg.exceptions import IngestError
from kg.parse import parse_file
from kg.build import build
from kg.store import open_store, report_graphs, sources_in_store

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


# --- one bad file is one line, and nothing else stops ---------------------------------------------------

def _boom_hook(folder: Path) -> dict[str, str]:
    """An environment whose Python processes (the build and its spawned parsing workers alike) get a
    kg.parse.parse_file that raises an error no rule foresees for the file named $KG_TEST_BOOM."""
    folder.mkdir(exist_ok=True)
    (folder / "sitecustomize.py").write_text(
        "import os\n"
        "if os.environ.get('KG_TEST_BOOM'):\n"
        "    import kg.parse\n"
        "    _original = kg.parse.parse_file\n"
        "    def parse_file(path):\n"
        "        if os.path.basename(str(path)) == os.environ['KG_TEST_BOOM']:\n"
        "            import multiprocessing, signal\n"
        "            if os.environ.get('KG_TEST_BOOM_KILL') and multiprocessing.parent_process() is not None:\n"
        "                os.kill(os.getpid(), signal.SIGKILL)  # a parsing worker dies (out of memory, a crash)\n"
        "            raise ZeroDivisionError('boom\\nsecond line')\n"
        "        return _original(path)\n"
        "    kg.parse.parse_file = parse_file\n", encoding="utf-8")
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")]))}


def _corpus(folder: Path) -> list[Path]:
    """Enough distinct reports (real ones and the variants) for a --jobs 2 build to use workers."""
    folder.mkdir()
    sources = [*REAL_REPORTS, *sorted((Path(__file__).parent / "variants").glob("*.txt"))]
    for source in sources:
        shutil.copy(source, folder / source.name)
    assert len(sources) >= 8
    return sorted(folder.iterdir())


@pytest.mark.parametrize("jobs", [1, 2])
def test_unexpected_error_while_parsing_fails_that_file_alone(tmp_path: Path, jobs: int) -> None:
    files = _corpus(tmp_path / "reports")
    victim = files[3]
    env = {**_boom_hook(tmp_path / "hook"), "KG_TEST_BOOM": victim.name}
    log = tmp_path / "build.jsonl"
    result = subprocess.run([sys.executable, "-m", "kg.cli", "build", str(tmp_path / "reports"), "--store",
                             str(tmp_path / "store"), "--jobs", str(jobs), "--log", str(log)],
                            capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("失败")]
    assert str(victim) in line and "ZeroDivisionError" in line and "boom" in line
    records = {Path(r["path"]).name: r for r in map(json.loads, log.read_text(encoding="utf-8").splitlines())}
    assert records[victim.name]["outcome"] == "failed" and records[victim.name]["error"] == "ZeroDivisionError"
    assert all(r["outcome"] in ("added", "duplicate") for name, r in records.items() if name != victim.name)
    assert len(records) == len(files)
    built = set(sources_in_store(open_store(tmp_path / "store", read_only=True)))
    assert str(victim) not in built and len(built) == len(files) - 1


def test_a_parsing_worker_dying_on_one_file_fails_that_file_alone(tmp_path: Path) -> None:
    files = _corpus(tmp_path / "reports")
    victim = files[5]
    env = {**_boom_hook(tmp_path / "hook"), "KG_TEST_BOOM": victim.name, "KG_TEST_BOOM_KILL": "1"}
    result = subprocess.run([sys.executable, "-m", "kg.cli", "build", str(tmp_path / "reports"), "--store",
                             str(tmp_path / "store"), "--jobs", "2"], capture_output=True, text=True, env=env,
                            timeout=900)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("失败")]
    assert str(victim) in line and "解析进程意外退出" in line
    built = set(sources_in_store(open_store(tmp_path / "store", read_only=True)))
    assert str(victim) not in built and len(built) == len(files) - 1


def test_unexpected_error_in_kg_parse_is_that_files_line(tmp_path: Path) -> None:
    env = {**_boom_hook(tmp_path / "hook"), "KG_TEST_BOOM": REAL_REPORTS[1].name}
    result = subprocess.run([sys.executable, "-m", "kg.cli", "parse", "-f", "json", "--no-text", *map(str, REAL_REPORTS[:3])],
                            capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert str(REAL_REPORTS[1]) in result.stderr and "ZeroDivisionError" in result.stderr
    payload = json.loads(result.stdout)
    assert [("error" in item) for item in payload] == [False, True, False]


@pytest.mark.parametrize("error", [ZeroDivisionError("boom"), RecursionError("too deep"), MemoryError()])
def test_unexpected_error_in_a_serial_build_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       error: BaseException) -> None:
    import kg.build

    victim = REAL_REPORTS[2]
    original = kg.build.parse_file

    def parse_file(path: str | Path):  # noqa: ANN202
        if Path(path) == victim:
            raise error
        return original(path)

    monkeypatch.setattr(kg.build, "parse_file", parse_file)
    summary = build(open_store(tmp_path / "store"), REAL_REPORTS)
    (failed,) = [f for f in summary.files if f.outcome == "failed"]
    assert failed.path == str(victim) and failed.error == type(error).__name__ and type(error).__name__ in failed.reason
    assert len(summary.added) == len(REAL_REPORTS) - 1


# Things that are no regular file, made at a path: each is refused at once with its reason.
NOT_REGULAR = {
    "fifo": (os.mkfifo, "命名管道"),
    "device": (lambda path: path.symlink_to("/dev/zero"), "字符设备"),
    "dangling link": (lambda path: path.symlink_to(path.parent / "gone.txt"), "符号链接指向不存在"),
    "link loop": (lambda path: path.symlink_to(path), "符号链接循环"),
}


@pytest.mark.parametrize("where", ["argument", "folder"])
@pytest.mark.parametrize("kind", sorted(NOT_REGULAR))
def test_fifo_device_and_bad_links_are_one_line_each(tmp_path: Path, kind: str, where: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(REAL_REPORTS[0], folder / "good.txt")
    make, word = NOT_REGULAR[kind]
    odd = folder / "odd.txt"
    make(odd)
    args = [str(folder)] if where == "folder" else [str(folder / "good.txt"), str(odd)]
    result = subprocess.run([sys.executable, "-m", "kg.cli", "build", *args, "--store", str(tmp_path / "store")],
                            capture_output=True, text=True, timeout=300)  # a FIFO used to block here forever
    assert result.returncode == 1, result.stderr
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("失败")]
    assert f"{odd}:" in line and word in line
    assert "新增 1" in result.stdout
    parsed = subprocess.run([sys.executable, "-m", "kg.cli", "parse", "-f", "json", str(odd)], capture_output=True,
                            text=True, timeout=300)
    assert parsed.returncode == 2 and word in parsed.stderr and parsed.stderr.count("\n") == 1


def test_device_named_directly_is_refused() -> None:
    result = subprocess.run([sys.executable, "-m", "kg.cli", "parse", "-f", "json", "/dev/zero"], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 2 and "字符设备" in result.stderr and result.stderr.count("\n") == 1


def _cut_characters(data: bytes, count: int) -> bytes:
    """UTF-8 with `count` multi-byte characters cut short (a byte dropped), spread over the text."""
    cut = bytearray(data)
    for i in range(count, 0, -1):
        pos = len(cut) * i // (count + 1)
        while cut[pos] & 0xC0 != 0x80:  # a continuation byte: inside a character
            pos += 1
        del cut[pos]
    return bytes(cut)


READABLE = {  # name: (bytes from the report's text, the encoding recorded, a word of its warnings or None)
    "utf-8, 3 characters cut": (lambda text: _cut_characters(text.encode(), 3), "utf-8", "无效字节"),
    "utf-8, cut at the end": (lambda text: text.encode()[:-1] if text.encode()[-1] >= 0x80 else
                              (text + "。").encode()[:-1], "utf-8", "无效字节"),
    "utf-16-le without BOM": (lambda text: text.encode("utf-16-le"), "utf-16-le", None),
    "utf-16-be without BOM": (lambda text: text.encode("utf-16-be"), "utf-16-be", None),
}


@pytest.mark.parametrize("case", sorted(READABLE))
def test_damaged_or_unusual_encodings_are_read(tmp_path: Path, case: str) -> None:
    make, encoding, warning = READABLE[case]
    source = REAL_REPORTS[3]
    path = tmp_path / "report.txt"
    path.write_bytes(make(source.read_text(encoding="utf-8")))
    report = parse_file(path)
    reference = parse_file(source)
    assert report.source.encoding == encoding
    assert len(report.iter_measures()) == len(reference.iter_measures())
    assert any(warning in w for w in report.warnings) if warning else report.warnings == reference.warnings


def test_many_bad_bytes_are_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes(_cut_characters(REAL_REPORTS[3].read_bytes(), 200))
    with pytest.raises(IngestError):
        parse_file(path)


def _page(text: str, depth: int = 0, attribute: int = 0) -> str:
    paragraphs = "".join(f"<p>{line}</p>" for line in text.splitlines())
    big = f' data-x="{"a" * attribute}"' if attribute else ""
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>t</title></head><body>{'<div>' * depth}"
            f"<div{big}>{paragraphs}</div>{'</div>' * depth}</body></html>")


@pytest.mark.parametrize("depth,attribute", [(300, 0), (1500, 0), (0, 10_500_000), (300, 10_500_000)])
def test_deep_or_huge_pages_still_yield_their_text(tmp_path: Path, depth: int, attribute: int) -> None:
    source = REAL_REPORTS[3]
    path = tmp_path / "page.html"
    path.write_text(_page(source.read_text(encoding="utf-8"), depth, attribute), encoding="utf-8")
    report = parse_file(path)
    assert len(report.iter_measures()) == len(parse_file(source).iter_measures()) > 10


def test_file_name_with_a_newline_is_still_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "empty\nname.txt"
    bad.write_bytes(b"")
    build_result = kg("build", str(REAL_REPORTS[0]), str(bad), "--store", str(tmp_path / "store"))
    parse_result = kg("parse", "-f", "json", str(bad), str(REAL_REPORTS[0]))
    for result, mark in ((build_result, "失败"), (parse_result, "错误")):
        assert result.returncode == 1, result.stderr
        (line,) = [line for line in result.stderr.splitlines() if "name.txt" in line or "empty" in line]
        assert line.startswith(mark) and "empty\\nname.txt" in line and "空文件" in line


def test_a_stray_nul_in_a_report_is_a_space_and_its_words_are_found(tmp_path: Path) -> None:
    """A NUL past the first 4 KB (a binary file has one early and is refused) becomes a space: SQLite's trigram
    index stops reading a text at a NUL, so the words after it would not be found."""
    source = next(p for p in REAL_REPORTS if "gulou" in p.name)
    text = source.read_text(encoding="utf-8")
    at = text.index("健全", 4096)
    damaged = tmp_path / "reports" / source.name
    damaged.parent.mkdir()
    damaged.write_text(text[:at + 2] + "\x00" + text[at + 2:], encoding="utf-8")
    result = kg("build", str(damaged.parent), "--store", str(tmp_path / "store"))
    assert result.returncode == 0, result.stderr
    found = json.loads(kg("search", "健全", "-f", "json", "-n", "50", "--store", str(tmp_path / "store")).stdout)
    assert found and any(f"健全 {text[at + 2:at + 4]}" in row["snippet"].replace("【", "").replace("】", "")
                         for row in found)
