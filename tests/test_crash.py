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
from kg.store import build, index_problems, open_index, open_store, report_graphs, sources_in_store
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
