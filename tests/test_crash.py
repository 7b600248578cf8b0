"""A build killed at any moment leaves every report graph complete or absent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.parse import parse_file
from kg.rdf import report_rdf
from kg.build import build
from kg.store import open_index, open_store, report_graphs, sources_in_store
from kg.validate import index_problems
from kg.totals import totals_problems
from kg.validate import validate_store

from .conftest import REAL_REPORTS

COPIES = 6  # distinct reports per real report: the signing date differs, so the report IRI does


def _corpus(folder: Path) -> list[Path]:
    folder.mkdir()
    files = []
    for report in REAL_REPORTS:
        text = report.read_text(encoding="utf-8")
        signed = parse_file(report).signed
        written = f"{signed.year}年{signed.month}月{signed.day}日"
        for day in range(1, COPIES + 1):
            path = folder / f"{report.stem}-{day:02d}.txt"
            path.write_text(text.replace(written, f"{signed.year}年{signed.month}月{day}日"), encoding="utf-8")
            files.append(path)
    return files


def _build_command(folder: Path, store_dir: Path, jobs: int) -> list[str]:
    return [sys.executable, "-m", "kg.cli", "build", str(folder), "--store", str(store_dir), "--jobs", str(jobs)]


ENV = {**os.environ, "KG_BULK_BATCH_QUADS": "3000"}  # several atomic batches per build


@pytest.fixture(scope="module")
def full_build_seconds(tmp_path_factory: pytest.TempPathFactory) -> dict[int, float]:
    """How long a whole build takes here, per number of jobs: kill points are fractions of it,
    so the kills land mid-build however fast or loaded the machine is."""
    folder = tmp_path_factory.mktemp("reference")
    _corpus(folder / "reports")
    seconds = {}
    for jobs in (1, 2):
        start = time.perf_counter()
        subprocess.run(_build_command(folder / "reports", folder / f"store-{jobs}", jobs), env=ENV, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seconds[jobs] = time.perf_counter() - start
    return seconds


@pytest.mark.parametrize("fraction,jobs", [(0.3, 1), (0.6, 1), (0.45, 2), (0.75, 2)])
def test_killed_build_leaves_graphs_complete_or_absent(tmp_path: Path, fraction: float, jobs: int,
                                                       full_build_seconds: dict[int, float]) -> None:
    files = _corpus(tmp_path / "reports")
    store_dir = tmp_path / "store"
    kill_after = fraction * full_build_seconds[jobs]
    proc = subprocess.Popen(_build_command(tmp_path / "reports", store_dir, jobs), env=ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(kill_after)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    store = open_store(store_dir)
    index = open_index(store_dir)
    present = sources_in_store(store)
    for path, (_, graph) in present.items():
        expected = report_rdf(parse_file(path))
        assert set(store.quads_for_pattern(None, None, None, graph)) == set(expected.quads), f"{path}: partial graph"
        # index rows go in before their graph, so a graph in the store is always indexed
        assert set(index.entries(graph.value)) == set(expected.entries), f"{path}: index rows differ"
    summary = build(store, [tmp_path / "reports"], index=index)
    assert len(summary.skipped) == len(present) and len(summary.added) == len(files) - len(present)
    assert len(report_graphs(store)) == len(files)
    assert index_problems(store, index) == []
    assert totals_problems(store, index) == []  # the totals of every report, whatever the kill interrupted
    first = report_graphs(store)[0].value
    assert all(result.conforms for result in validate_store(store, first))
    print(f"killed after {kill_after:.1f}s ({jobs} jobs): {len(present)} of {len(files)} reports were in the store")


# --- a full disk during a build ----------------------------------------------------------------------------

import errno  # noqa: E402
import shutil  # noqa: E402

from typer.testing import CliRunner  # noqa: E402

import kg.cli  # noqa: E402
import kg.build  # noqa: E402
import kg.store  # noqa: E402
from kg.exceptions import StoreError  # noqa: E402


class _FullDisk:
    """A store whose writes of report graphs fail as on a full disk after ``batches`` bulk loads
    succeeded (reads, and the vocabulary graphs, pass through)."""

    def __init__(self, store, batches: int = 0) -> None:  # noqa: ANN001
        self._store = store
        self._batches = batches

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(self._store, name)

    def __contains__(self, quad) -> bool:  # noqa: ANN001
        return quad in self._store

    def __len__(self) -> int:
        return len(self._store)

    def _full(self) -> OSError:
        return OSError(errno.ENOSPC, "No space left on device")

    def bulk_load(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        if self._batches <= 0:
            raise self._full()
        self._batches -= 1
        return self._store.bulk_load(*args, **kwargs)

    def extend(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise self._full()

    def update(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise self._full()


def _changed(folder: Path, source: Path) -> Path:
    """A report file whose content changed since the store was built (same report, one more line)."""
    path = folder / source.name
    path.write_text(source.read_text(encoding="utf-8") + "\n附: 更正。\n", encoding="utf-8")
    return path


# what the failing build gets: new reports (bulk loads) or a changed one (replaced in place)
FULL_DISK_CASES = {"new reports": 0, "a changed report": 1, "second batch of new reports": 2}


@pytest.mark.parametrize("case", sorted(FULL_DISK_CASES))
def test_full_disk_leaves_the_store_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    first = folder / REAL_REPORTS[0].name
    shutil.copy(REAL_REPORTS[0], first)
    store_dir = tmp_path / "store"
    store, index = open_store(store_dir), open_index(store_dir)
    build(store, [first], index=index)
    before = set(store)
    batches = 0
    if case == "a changed report":
        files = [_changed(folder, REAL_REPORTS[0])]
    else:
        files = [shutil.copy(p, folder / p.name) and folder / p.name for p in REAL_REPORTS[1:]]
        if case == "second batch of new reports":
            monkeypatch.setattr(kg.build, "BULK_BATCH_QUADS", 1)  # one report a batch
            batches = 1
    with pytest.raises(StoreError) as raised:
        build(_FullDisk(store, batches), files, index=index)
    message = str(raised.value)
    assert "\n" not in message and "磁盘已满" in message and "No space left on device" in message
    after = set(store)
    if batches:
        assert "本次写入了 1 份" in message
        (written,) = {q.graph_name for q in after - before}
        expected = report_rdf(parse_file(folder / REAL_REPORTS[1].name))
        assert set(store.quads_for_pattern(None, None, None, written)) == set(expected.quads)
        assert after - set(expected.quads) == before
    else:
        assert "仓库保持原样" in message and "as it was" in message
        assert after == before
    assert index_problems(store, index) == []  # the rows indexed for what was not written are gone


def test_full_disk_is_one_line_from_kg_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store_dir = tmp_path / "store"
    real_open = kg.store.open_store  # kg build imports it when it runs
    monkeypatch.setattr(kg.store, "open_store", lambda *a, **k: _FullDisk(real_open(*a, **k)))
    result = CliRunner().invoke(kg.cli.app, ["build", *map(str, REAL_REPORTS[:2]), "--store", str(store_dir)])
    assert result.exit_code == 2, (result.output, result.exception)
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("错误")]
    assert "磁盘已满" in line and "仓库保持原样" in line
    assert "Traceback" not in result.stderr
    assert report_graphs(open_store(store_dir, read_only=True)) == []
