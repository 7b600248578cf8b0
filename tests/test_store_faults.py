"""Faults of the files on disk: a damaged text index is reported by `kg validate` in one line and
rebuilt by the next `kg build` from the stored graphs (nothing parsed again); damage inside the
Oxigraph folder is reported as such, and an open that fails writes nothing into the folder."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kg.index import INDEX_FILE, TextIndex
from kg.build import build
from kg.store import open_index, open_store
from kg.validate import index_problems

from .conftest import REAL_REPORTS

REPORT = REAL_REPORTS[0]


def kg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A store of one report, closed, and the best hits of a search in its index."""
    folder = tmp_path_factory.mktemp("faults")
    shutil.copyfile(REPORT, folder / REPORT.name)
    store_dir = folder / "store"
    store, index = open_store(store_dir), open_index(store_dir)
    build(store, [folder / REPORT.name], index=index)
    ranked = [m.item for m in index.rank("Measure", ["监督", "干部"])]
    assert ranked
    index.close()
    del store
    return folder, ranked


def _copy(built: tuple[Path, list[str]], target: Path) -> tuple[Path, Path]:
    """A copy of the built store, and the report file it records (the original's)."""
    folder, _ = built
    shutil.copytree(folder / "store", target / "store")
    return target / "store", folder / REPORT.name


def _truncate(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


def _garbage(path: Path) -> None:
    path.write_bytes(os.urandom(path.stat().st_size))


def _corrupt_page(path: Path) -> None:
    pages = path.stat().st_size // 4096
    with path.open("r+b") as file:
        file.seek(pages // 2 * 4096)
        file.write(b"\xab" * 4096)


def _sql(statement: str) -> Callable[[Path], None]:
    def run(path: Path) -> None:
        connection = sqlite3.connect(path)
        with connection:
            assert connection.execute(statement).rowcount > 0
        connection.close()
    return run


INDEX_DAMAGE = {
    "half-truncated": _truncate,
    "garbage": _garbage,
    "corrupt-page": _corrupt_page,
    "item-rows-removed": _sql("DELETE FROM entries WHERE id IN (SELECT id FROM entries ORDER BY id DESC LIMIT 3)"),
    "report-row-removed": _sql("DELETE FROM reports"),
    "token-rows-removed": _sql("DELETE FROM tokens_Measure WHERE rowid IN (SELECT rowid FROM tokens_Measure LIMIT 2)"),
    "region-rows-removed": _sql("DELETE FROM regions WHERE code IN (SELECT code FROM regions LIMIT 1)"),
    "item-and-token-rows-removed": lambda path: (
        _sql("DELETE FROM tokens_Problem WHERE rowid = (SELECT MAX(id) FROM entries WHERE kind = 'Problem')")(path),
        _sql("DELETE FROM entries WHERE id = (SELECT MAX(id) FROM entries WHERE kind = 'Problem')")(path)),
}


@pytest.mark.parametrize("damage", INDEX_DAMAGE, ids=list(INDEX_DAMAGE))
def test_a_damaged_text_index_is_reported_by_validate_and_rebuilt_by_build(
        built: tuple[Path, list[str]], tmp_path: Path, damage: str) -> None:
    store_dir, report = _copy(built, tmp_path / "copy")
    index_file = store_dir / INDEX_FILE
    assert not list(store_dir.glob(INDEX_FILE + "-*")), "the index was closed: no WAL beside it"
    INDEX_DAMAGE[damage](index_file)
    checked = kg("validate", "--store", str(store_dir))
    assert checked.returncode == 1, (checked.stdout, checked.stderr)
    lines = [line for line in checked.stdout.splitlines() if line.startswith("文本索引")]
    assert len(lines) == 1 and "damaged" in lines[0] and "kg build" in lines[0], checked.stdout
    assert "Traceback" not in checked.stderr
    index, reason = TextIndex.checked(store_dir)
    assert index is None and reason is not None and "\n" not in reason
    store = open_store(store_dir)
    repaired = open_index(store_dir)
    assert repaired.repaired is not None
    summary = build(store, [report], index=repaired)
    assert summary.skipped == [str(report)] and not summary.added and not summary.replaced  # nothing parsed
    assert repaired.damage() is None and index_problems(store, repaired) == []
    assert [m.item for m in repaired.rank("Measure", ["监督", "干部"])] == built[1]
    repaired.close()
    index, reason = TextIndex.checked(store_dir)
    assert index is not None and reason is None


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    return {entry.name: (entry.stat().st_size, entry.stat().st_mtime_ns) for entry in folder.iterdir()}


def _quiet(folder: Path) -> dict[str, tuple[int, int]]:
    """The folder's files once they stopped changing for half a second."""
    seen = _files(folder)
    for _ in range(40):
        time.sleep(0.5)
        now = _files(folder)
        if now == seen:
            return now
        seen = now
    raise AssertionError("the folder kept changing")


def _sst(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.sst"), key=lambda p: (p.stat().st_size, p.name))


STORE_DAMAGE = {
    "CURRENT-missing": lambda d: (d / "CURRENT").unlink(),
    "CURRENT-garbage": lambda d: (d / "CURRENT").write_text("MANIFEST-999999\x00\n"),
    "MANIFEST-truncated": lambda d: [_truncate(m) for m in d.glob("MANIFEST-*")],
    "table-file-deleted": lambda d: _sst(d)[-1].unlink(),
    "table-file-truncated": lambda d: _truncate(_sst(d)[-1]),
    "only-the-index-left": lambda d: [p.unlink() for p in d.iterdir() if not p.name.startswith(INDEX_FILE)],
}


@pytest.mark.parametrize("damage", STORE_DAMAGE, ids=list(STORE_DAMAGE))
def test_damage_inside_the_oxigraph_folder_is_reported_and_nothing_is_written(
        built: tuple[Path, list[str]], tmp_path: Path, damage: str) -> None:
    store_dir, report = _copy(built, tmp_path / "copy")
    STORE_DAMAGE[damage](store_dir)
    before = _files(store_dir)
    for command in (["build", str(report), "--optimize"], ["query", "reports"], ["validate"]):
        result = kg(*command, "--store", str(store_dir))
        assert result.returncode == 2 and result.stdout == "", (command, result.stdout, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "仓库已损坏" in lines[0] and "damaged" in lines[0], (command, result.stderr)
        assert _files(store_dir) == before, f"{command[0]} wrote into the damaged store"


def test_a_folder_of_other_files_is_no_store_and_stays_untouched(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "notes.txt").write_text("not a store\n", encoding="utf-8")
    before = _files(folder)
    result = kg("build", str(REPORT), "--store", str(folder))
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "not an Oxigraph store" in result.stderr
    assert _files(folder) == before


def test_an_open_refused_by_the_lock_writes_nothing(built: tuple[Path, list[str]], tmp_path: Path) -> None:
    store_dir, report = _copy(built, tmp_path / "copy")
    holder = subprocess.Popen([sys.executable, "-c", "import pyoxigraph, sys, time; s = pyoxigraph.Store(sys.argv[1]); "
                               "print('ready', flush=True); time.sleep(120)", str(store_dir)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        before = _quiet(store_dir)  # the holder's RocksDB writes its LOG for a moment after opening
        result = kg("build", str(report), "--store", str(store_dir))
        assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1 and "占用" in result.stderr
        assert _files(store_dir) == before
    finally:
        holder.kill()
        holder.wait()


def test_an_index_as_the_last_build_left_it_is_not_read_again_and_rot_is_still_repaired(
        built: tuple[Path, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store_dir, report = _copy(built, tmp_path / "copy")
    index_file = store_dir / INDEX_FILE
    calls: list[str] = []
    damage = TextIndex.damage

    def counted(index: TextIndex) -> str | None:
        calls.append(index.path)
        return damage(index)

    store = open_store(store_dir)
    index = open_index(store_dir)  # a copy is another file: its seal does not hold
    build(store, [report], index=index)  # and the build seals it
    index.close()
    del store
    monkeypatch.setattr(TextIndex, "damage", counted)
    open_index(store_dir).close()
    assert calls == [], "sealed by the build that wrote it: no full read"
    os.utime(index_file)  # any change of the file breaks the seal
    open_index(store_dir).close()
    assert len(calls) == 1
    store = open_store(store_dir)
    index = open_index(store_dir)
    build(store, [report], index=index)  # seals it again
    index.close()
    del store
    calls.clear()
    stat = index_file.stat()
    _corrupt_page(index_file)  # rot: the bytes change, the size and the times do not
    os.utime(index_file, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    open_index(store_dir).close()
    assert calls == [], "a build alone cannot see rot under an intact seal"
    checked = kg("validate", "--store", str(store_dir))  # validate reads it all, and breaks the seal
    assert checked.returncode == 1 and "damaged" in checked.stdout
    repaired = open_index(store_dir)
    assert calls and repaired.repaired is not None
    store = open_store(store_dir)
    assert build(store, [report], index=repaired).skipped == [str(report)]
    assert repaired.damage() is None and index_problems(store, repaired) == []


def test_a_damaged_block_found_while_reading_is_reported_as_store_damage(built: tuple[Path, list[str]],
                                                                         tmp_path: Path) -> None:
    store_dir, report = _copy(built, tmp_path / "copy")
    for table in _sst(store_dir):  # a data block of every larger table file: the open passes, reading fails
        if table.stat().st_size > 8192:
            with table.open("r+b") as file:
                file.seek(100)
                file.write(b"\x00" * 64)
    for command in (["export-rdf", "-f", "nquads"], ["build", str(report)]):
        result = kg(*command, "--store", str(store_dir))
        assert result.returncode == 2 and result.stdout == "", (command, result.stdout)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "仓库已损坏" in lines[0] and "store is damaged" in lines[0], result.stderr


def test_a_store_killed_while_it_was_made_is_made_again(tmp_path: Path) -> None:
    """A build killed in its first moments leaves RocksDB's start-up files without CURRENT: nothing was written,
    so a read says there is no store, and a build makes it anew; with a table file it stays damaged."""
    folder = tmp_path / "store"
    folder.mkdir()
    for name, data in (("LOCK", b""), ("IDENTITY", b"c0ffee\n"), ("LOG", b"RocksDB version: 9\n"),
                       ("MANIFEST-000001", b"\x00" * 64), ("OPTIONS-000003", b"[Version]\n"), ("000004.log", b"")):
        (folder / name).write_bytes(data)
    read = kg("query", "reports", "--store", str(folder))
    assert read.returncode == 2 and "kg build" in read.stderr and "damaged" not in read.stderr
    built = kg("build", str(REPORT), "--store", str(folder))
    assert built.returncode == 0, built.stderr
    assert "1 行" in kg("query", "reports", "--store", str(folder)).stderr
    damaged = tmp_path / "damaged"
    shutil.copytree(folder, damaged)
    (damaged / "CURRENT").unlink()
    assert "damaged" in kg("query", "reports", "--store", str(damaged)).stderr
