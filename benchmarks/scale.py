"""Scale: the whole pipeline on synthetic corpora of 100, 1,000 (and 10,000) reports, one table.

Run: python -m benchmarks.scale [--sizes 100,1000,10000] [--jobs N] [--no-serial]

The corpora are SYNTHETIC (benchmarks/synthetic.py: real reports' sections recombined, names,
dates and numbering varied) and never test truth. For each size it prints:
parse MB/s per core; build from scratch with 1 job and with all cores (seconds, reports/s,
quads/s, peak memory of the largest process); store size on disk; every saved query's latency
(median and 95th percentile of the slowest query); an unchanged rebuild (hash check only);
adding one report to the full store; and the same quads loaded through rdflib, as a ratio.
Targets (2-core machine): 1,000 reports < 60 s with 2 jobs; 10,000 < 10 min and < 2 GB;
every saved query < 100 ms at 10,000.
Saved queries run as their golden test cases do (tests/queries/): lookups, narrowed to a report, a
county or city, a committee or a search; whole-corpus and whole-province listings twice, their
first 100 rows (kg query --limit 100, what a person looks at) and the whole listing (what a
spreadsheet gets), whose time grows with the corpus.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import Store

from benchmarks.common import golden_cases
from benchmarks.synthetic import generate
from kg.build import default_jobs
from kg.parse import parse_file
from kg.query import SavedQuery, resolve_query, run_query
from kg.namespaces import ID
from kg.store import open_index, open_store


def kg_build(corpus: Path, store: Path, jobs: int) -> tuple[float, float]:
    """Seconds and peak resident memory (MB, largest process) of one `kg build` subprocess."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "build", str(corpus), "--store", str(store),
                             "--jobs", str(jobs)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"kg build failed on {corpus}")
    return seconds, usage.ru_maxrss / 1024


def parse_rate(files: list[Path]) -> float:
    """MB/s of one core over a sample of the corpus, after start-up."""
    parse_file(files[0])
    sample = files[:50]
    size = sum(f.stat().st_size for f in sample)
    start = time.perf_counter()
    for f in sample:
        parse_file(f)
    return size / 1e6 / (time.perf_counter() - start)


def disk_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def is_listing(query: SavedQuery, params: dict[str, str]) -> bool:
    """A run that lists or aggregates the whole corpus (no parameter narrows it: a search or a
    type alone does not narrow it to a region or a report) or a whole province (a province code:
    at 10,000 synthetic reports a province holds 400-500 of them, so it is timed as a listing is,
    its first page and the whole of it)."""
    narrowed = any(p.name in params and p.name != "type" for p in query.params)
    return not narrowed or re.fullmatch(r"\d{2}0000", params.get("code", "")) is not None


_REPORT_RE = re.compile(r"^report/[^/]+/[^/]+/[^/]+")


@dataclass
class Sample:
    """A report of the store to point golden cases at: paths after /id/, committee, division code."""

    report: str
    committee: str
    code: str
    measure: str
    problem: str


def sample_report(store: Store) -> Sample:
    """A report in the store with a region, and one of its measures with the problem it addresses."""
    query = """PREFIX kg: <https://w3id.org/xunshi-kg/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?report ?committee ?code ?measure ?problem WHERE { GRAPH ?report { ?report a kg:Report ;
          kg:committee ?c . ?c skos:prefLabel ?committee ; kg:region/kg:divisionCode ?code .
          ?measure kg:addresses ?problem } } LIMIT 1"""
    row = next(iter(store.query(query, use_default_graph_as_union=True)))
    path = {k: row[k].value.removeprefix(ID) for k in ("report", "measure", "problem")}
    return Sample(path["report"], row["committee"].value, row["code"].value, path["measure"], path["problem"])


def localised(params: dict[str, str], sample: Sample) -> dict[str, str]:
    """The golden parameters pointed at a report of this (synthetic) store, keeping their shape: a
    report, item, problem or committee of data/ becomes one of the sample report's (an item becomes
    a measure that exists there); a county, city or province code becomes the sample's code at the
    same level. Otherwise lookups would time misses."""
    out = {}
    for name, value in params.items():
        if name == "item" and _REPORT_RE.match(value):
            value = sample.measure
        elif name == "problem" and _REPORT_RE.match(value):
            value = sample.problem
        elif _REPORT_RE.match(value):
            value = _REPORT_RE.sub(sample.report, value)
        elif name == "committee":
            value = sample.committee
        elif name == "code" and re.fullmatch(r"\d{6}", value):
            code = sample.code
            value = code[:2] + "0000" if value.endswith("0000") else code[:4] + "00" if value.endswith("00") else code
        out[name] = value
    return out


PAGE = 100  # rows of a listing's first page (kg query --limit 100)


def query_latencies(store_dir: Path, rounds: int = 5) -> list[tuple[str, float, float, str]]:
    """(query and parameters, median ms, 95th percentile ms, kind) of every saved query as its
    golden cases run it, slowest first. kind: "lookup" (narrowed by a parameter), "page" (the
    first PAGE rows of a whole-corpus or whole-province listing) or "listing" (all of it)."""
    store = open_store(store_dir, read_only=True)
    index = open_index(store_dir, read_only=True)
    found = []
    sample = sample_report(store)
    for name, golden in golden_cases():
        query, params = resolve_query(name), localised(golden, sample)
        label = name + "".join(f" {k}={v}" for k, v in params.items() if k != "type")
        listing = is_listing(query, params)
        runs = [("page", PAGE), ("listing", None)] if listing else [("lookup", None)]
        for kind, limit in runs:
            median, p95 = _latency(lambda: run_query(store, query, params, index, limit=limit), rounds)
            found.append((label + (f" (first {PAGE} rows)" if kind == "page" else ""), median, p95, kind))
    return sorted(found, key=lambda f: -f[1])


def _latency(run: Callable[[], object], rounds: int) -> tuple[float, float]:
    """Median and 95th percentile in ms; the first run (jieba and caches loading) not counted."""
    start = time.perf_counter()
    run()
    times = []
    for _ in range(rounds if time.perf_counter() - start < 1 else 2):  # slow ones: enough to rank them
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def rdflib_ratio(store_dir: Path, limit: int = 1_500_000) -> str:
    """Seconds to load the report quads into rdflib's Dataset over pyoxigraph's bulk_extend."""
    import rdflib
    from pyoxigraph import Store

    from benchmarks.common import to_rdflib

    source = open_store(store_dir, read_only=True)
    quads = [q for q in source if "/report/" in q.graph_name.value][:limit]
    with tempfile.TemporaryDirectory() as tmp:
        target = Store(tmp)
        start = time.perf_counter()
        target.bulk_extend(quads)
        target.flush()
        ours = time.perf_counter() - start
        del target
    dataset = rdflib.Dataset()
    start = time.perf_counter()
    dataset.addN((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object), dataset.graph(to_rdflib(q.graph_name)))
                 for q in quads)
    theirs = time.perf_counter() - start
    return f"{theirs / ours:.1f}x slower ({len(quads):,} quads)"


def measure(size: int, jobs: int, serial: bool, work: Path) -> Iterator[tuple[str, str]]:
    corpus = work / f"corpus-{size}"
    files = generate(size, corpus)
    mb = sum(f.stat().st_size for f in files) / 1e6
    yield "corpus", f"{size:,} reports, {mb:.1f} MB (synthetic)"
    yield "parse", f"{parse_rate(files):.2f} MB/s per core"
    builds = [(1, work / f"store-{size}-1")] if serial else []
    builds.append((jobs, work / f"store-{size}-{jobs}"))
    for n, store in builds:
        seconds, peak = kg_build(corpus, store, n)
        quads = len(open_store(store, read_only=True))
        yield (f"build, {n} job{'s' if n > 1 else ''}", f"{seconds:.1f} s · {size / seconds:.1f} reports/s · "
                     f"{quads / seconds:,.0f} quads/s · peak {peak:,.0f} MB · {quads:,} quads")
    store = builds[-1][1]
    yield "store on disk", f"{disk_mb(store):,.0f} MB"
    latencies = query_latencies(store)
    for kind, label in (("lookup", "lookups"), ("page", f"listings, first {PAGE} rows"), ("listing", "whole listings")):
        runs = [run for run in latencies if run[3] == kind]
        name, median, p95, _ = runs[0]
        yield f"{label}, slowest", f"{name}: median {median:.1f} ms, p95 {p95:.1f} ms"
        yield f"{label}, median", " · ".join(f"{n} {m:.0f}" for n, m, _, _ in runs) + " (ms)"
    seconds, _ = kg_build(corpus, store, jobs)
    yield "rebuild, unchanged", f"{seconds:.2f} s (start-up included)"
    extra = work / f"extra-{size}"
    generate(1, extra, seed=size + 1)
    seconds, _ = kg_build(extra, store, jobs)
    yield "add one report", f"{seconds:.2f} s (start-up included)"
    if size <= 1000:
        yield "rdflib, same quads", rdflib_ratio(store)
    for _, path in builds:
        shutil.rmtree(path, ignore_errors=True)
    shutil.rmtree(corpus, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000", help="comma-separated corpus sizes (add 10000 for the big run)")
    parser.add_argument("--jobs", type=int, default=default_jobs())
    parser.add_argument("--no-serial", action="store_true", help="skip the 1-job build")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kg-scale-") as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            print(f"\n== {size:,} synthetic reports ({args.jobs} cores) ==", flush=True)
            for label, value in measure(size, args.jobs, not args.no_serial, Path(tmp)):
                print(f"  {label:22} {value}", flush=True)


if __name__ == "__main__":
    main()
