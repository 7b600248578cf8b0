"""Build: report files into the store, incrementally, one named graph per report.

Planning (every file hashed: unchanged ones skipped, byte-identical copies grouped), parsing in
worker processes, loading in file order by this process, conflicts (one report identity, two
contents) and pruning, then reconciling the text index with the graph and refreshing the totals.

Writes are all-or-nothing per report graph, so a build killed at any moment leaves every
report graph complete or absent and the next build completes the work: new graphs go in
batches through ``Store.bulk_load`` of the parsing processes' N-Quads (one atomic SST
ingestion per batch of up to ``BULK_BATCH_QUADS``, 2.3x the rate of ``Store.extend``, in a
thread while the next batch is gathered); a changed report's old graph is removed and the new
one written with one ``Store.extend``.

The text index (kg.index, SQLite FTS5 in the same folder) gets each batch in one transaction
just before the graph does, and is reconciled with the graph at the end of every build.
"""

from __future__ import annotations

import errno
import hashlib
import multiprocessing
import os
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Store, Variable, parse, serialize

from kg.exceptions import KgError, StoreError, UnexpectedError
from kg.index import Entry, Indexed, Tally, TextIndex
from kg.ingest import read_file_bytes
from kg.namespaces import DCT, ID, KG, PROV
from kg.parse import parse_file
from kg.rdf import graph_format, report_rdf, report_regions
from kg.sparql import select, term_text
from kg.store import Progress, built_otherwise, ensure_vocabularies, sources_in_store
from kg.text import tokens
from kg.totals import refresh_totals, report_tallies

REPORT_SUFFIXES = {".txt", ".text", ".md", ".html", ".htm", ".shtml"}
PROV_DERIVED = NamedNode(PROV + "wasDerivedFrom")
SOURCE_PATH = NamedNode(KG + "sourcePath")
ITEM_TEXT = NamedNode(KG + "text")

_WARM_UP_REPORT = Path(__file__).resolve().parent / "data" / "warm-up.txt"
PARALLEL_MIN_FILES = 8  # below this, starting worker processes (~2 s each) costs more than it saves
BULK_BATCH_QUADS = int(os.environ.get("KG_BULK_BATCH_QUADS", 200_000))  # under Oxigraph's 1M-quad ingestion
# Bulk loading leaves many overlapping files for every lookup to search: after a build writing this
# many quads (about 2,000 reports) the store is compacted (Store.optimize). At 10,000 reports that
# takes 115-125 s, shrinks the store from 9.2 to 5.9 GB and makes joins 4-7x faster (organisations
# totals 3.2 -> 0.7 s); at 1,000 reports it took 6.7 s (12% of the build) for 1.3-1.5x.
CHUNKS_AHEAD = 4  # chunks of reports a worker may be ahead of the loading: Executor.map queues every
# result, and once parsing outpaced loading, 10,000 reports piled up 2.5 GB of N-Quads in this process
RECONCILE_BATCH = 200  # report graphs re-indexed from the store in one transaction
OPTIMIZE_AFTER_QUADS = int(os.environ.get("KG_OPTIMIZE_AFTER_QUADS", 5_000_000))


@dataclass
class FileOutcome:
    """What became of one file in a build: one line of `kg build --log`."""

    path: str
    outcome: str  # added | replaced | skipped | duplicate | failed
    reason: str | None = None  # why it failed
    error: str | None = None  # the error's class: IngestError, NoReportError…
    report: str | None = None  # the report graph it went into
    sha256: str | None = None
    quads: int = 0
    warnings: list[str] = field(default_factory=list)
    quality: dict[str, Any] | None = None  # the parsed report's verdict and reasons (kg.parse.quality), as in its JSON

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, [], 0) or k in ("path", "outcome")}


@dataclass
class BuildSummary:
    """Every file's outcome, in file order; the per-outcome lists are views of it."""

    files: list[FileOutcome] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)  # paths of the dropped reports
    detached: list[str] = field(default_factory=list)  # gone paths of reports that keep another file
    quads: int = 0  # quads of the report graphs written (len(store) would scan them all: 6 s at 10,000 reports)
    seconds: float = 0.0
    jobs: int = 1
    totals: int = 0  # corpus totals rewritten (kg.totals)
    optimize_seconds: float | None = None  # the store was compacted after the build, in this time

    def _paths(self, outcome: str) -> list[str]:
        return [f.path for f in self.files if f.outcome == outcome]

    @property
    def added(self) -> list[str]:
        return self._paths("added")

    @property
    def replaced(self) -> list[str]:
        return self._paths("replaced")

    @property
    def skipped(self) -> list[str]:
        return self._paths("skipped")

    @property
    def duplicates(self) -> list[str]:
        return self._paths("duplicate")

    @property
    def failed(self) -> list[tuple[str, str]]:
        return [(f.path, f.reason or "") for f in self.files if f.outcome == "failed"]

    @property
    def needs_review(self) -> list[FileOutcome]:
        """Files built this time whose report was judged review or incomplete: stored, not plain successes."""
        return [f for f in self.files if f.quality and f.quality.get("verdict") != "ok"]

    @property
    def warnings(self) -> dict[str, list[str]]:
        return {f.path: f.warnings for f in self.files if f.warnings}


def collect_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files given, and report files found under folders given (sorted, so builds are repeatable).

    Whatever is named like a report in a folder is kept, regular file or not: a FIFO, a device, a
    dangling symbolic link or a link loop is then refused with its reason (kg.ingest.read_file_bytes)
    instead of being passed over in silence."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in REPORT_SUFFIXES and not p.is_dir()))
        else:
            found.append(path)
    return found


@dataclass
class _Job:
    """A file to parse, and the byte-identical copies of it found under other paths."""

    path: str
    sha256: str
    copies: list[str] = field(default_factory=list)


@dataclass
class _Parsed:
    """A parsed report's graph as N-Quads: ~30x cheaper than pickling terms across processes, and
    what Store.bulk_load ingests fastest (it parses in Rust: no Python term objects in the loader)."""

    job: _Job
    graph: NamedNode | None = None
    nquads: bytes = b""
    count: int = 0
    entries: list[Entry] = field(default_factory=list)
    tallies: list[Tally] = field(default_factory=list)
    regions: tuple[str, ...] = ()
    warnings: list[str] = field(default_factory=list)
    error: KgError | None = None
    quality: dict[str, Any] | None = None

    def indexed(self) -> Indexed:
        assert self.graph is not None
        return Indexed(self.graph.value, self.job.sha256, self.entries, self.tallies, self.regions)

    def quads(self) -> list[Quad]:
        return list(parse(self.nquads, format=RdfFormat.N_QUADS))


def default_jobs() -> int:
    """Parsing processes: one per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


class _Writer:
    """New report graphs batched for one bulk ingestion; their index rows written just before.

    A batch's quads are loaded in a thread while the next batch is gathered and indexed:
    ``Store.bulk_load`` releases the GIL, so receiving reports from the workers and writing the
    text index (a fifth of this process's work) no longer wait for it. One batch is in flight at
    a time, and its index rows are always written before its quads, as without the thread."""

    def __init__(self, store: Store, index: TextIndex | None) -> None:
        self.store = store
        self.index = index
        self.chunks: list[bytes] = []
        self.count = 0
        self.graphs: set[NamedNode] = set()
        self.entries: list[Indexed] = []
        self.loading: set[NamedNode] = set()  # graphs of the batch the thread is loading
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self.stored = 0  # report graphs this build has written: whole batches, and replaced reports

    def add(self, parsed: _Parsed) -> None:
        assert parsed.graph is not None
        self.chunks.append(parsed.nquads)
        self.count += parsed.count
        self.graphs.add(parsed.graph)
        self.entries.append(parsed.indexed())
        if self.count >= BULK_BATCH_QUADS:
            self.flush()

    def replace(self, parsed: _Parsed, quads: list[Quad], drop: Iterable[NamedNode] = ()) -> None:
        """Write one changed report (the caller has finished the batches): index rows, then the
        old graph (and ``drop``, the graphs its files made before) out and the new one in, in one
        SPARQL update, which Oxigraph applies as one transaction: a failure (a full disk) leaves
        the old graph as it was, never a report removed and not written again."""
        assert parsed.graph is not None and not self.chunks and self._thread is None
        if self.index is not None:
            self.index.put([parsed.indexed()])
        graph = parsed.graph.value
        triples = serialize([quad.triple for quad in quads], format=RdfFormat.N_TRIPLES)
        assert triples is not None  # no output given: the bytes are returned
        drops = "".join(f"DROP SILENT GRAPH <{g.value}> ;\n" for g in {*drop, parsed.graph})
        self.store.update(f"{drops}INSERT DATA {{ GRAPH <{graph}> {{\n{triples.decode('utf-8')}}} }}")
        self.stored += 1

    def flush(self) -> None:
        """Index the gathered batch, then hand its quads to the loading thread (once the
        previous batch is loaded)."""
        if not self.chunks:
            return
        if self.index is not None:
            self.index.put(self.entries)
        data = b"".join(self.chunks)
        self.wait()
        self.loading = self.graphs
        self._thread = threading.Thread(target=self._bulk_load, args=(data, len(self.graphs)), name="kg-bulk-load")
        self._thread.start()
        self.chunks = []
        self.count = 0
        self.graphs = set()
        self.entries = []

    def _bulk_load(self, data: bytes, graphs: int) -> None:
        try:  # lenient: these N-Quads were written by pyoxigraph from checked terms a moment ago
            self.store.bulk_load(input=data, format=RdfFormat.N_QUADS, lenient=True)
            self.stored += graphs
        except BaseException as exc:  # noqa: BLE001 - raised again in the building thread by wait()
            self._error = exc

    def wait(self) -> None:
        """Until the batch in flight is in the store; its error, if it failed, is raised here."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
            self.loading = set()
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def finish(self) -> None:
        """Every gathered report in the store."""
        self.flush()
        self.wait()


def build(store: Store, paths: Iterable[str | Path], **options: object) -> BuildSummary:
    """Parse and load report files (see _build). Writing the store or its index failing (a full
    disk) stops the build with a StoreError saying what the store holds."""
    try:
        return _build(store, paths, **options)  # type: ignore[arg-type]
    except _WRITE_ERRORS as exc:
        raise _write_failed(exc, store, options.get("index"), None) from None  # type: ignore[arg-type]


# Writing the store or its index failed (a full disk: OSError from Oxigraph, sqlite3.OperationalError
# "database or disk is full" from the index).
_WRITE_ERRORS = (OSError, sqlite3.Error)


def _write_failed(exc: BaseException, store: Store, index: TextIndex | None, stored: int | None) -> StoreError:
    """The error that stops a build whose writing failed. Every write is all-or-nothing per report
    graph (one bulk_load a batch, one extend a changed report), so the store holds whole reports:
    those it had, and those of this build written before the failure (``stored``; None: the
    failure came after the reports, in the index, the totals or the compaction)."""
    reason = getattr(exc, "strerror", None) or " ".join(str(exc).split()) or type(exc).__name__
    full = getattr(exc, "errno", None) == errno.ENOSPC or "full" in str(exc).lower()
    if index is not None:
        try:  # rows indexed for a batch that never reached the graph: dropped now if the disk lets us
            reconcile(store, index)
        except Exception:  # noqa: BLE001 - the next build reconciles them anyway
            pass
    if stored == 0:
        state = "仓库保持原样, 本次没有写入任何报告 (the store is as it was: nothing of this build was written)"
    elif stored is None:
        state = "仓库中的报告都完整 (every report graph in the store is whole)"
    else:
        state = (f"仓库中的报告都完整, 本次写入了 {stored} 份 (every report graph in the store is whole: "
                 f"{stored} of this build were written before it, none in part)")
    return StoreError(f"{'磁盘已满' if full else '写入失败'}, 构建已停止 (cannot write the store: {reason}; "
                      f"{type(exc).__name__}); {state}; 再次运行 kg build 完成其余 (run kg build again to finish)")


def _build(store: Store, paths: Iterable[str | Path], *, prune: bool = False,
           progress: Progress | None = None, jobs: int = 1, index: TextIndex | None = None,
           optimize: bool | None = None) -> BuildSummary:
    """Parse and load report files; unchanged files are skipped, changed ones replaced.

    Parsing (the costly part) runs in ``jobs`` processes; results are loaded in file order by
    this process alone, so the store is the same whatever ``jobs`` is. Byte-identical files are
    parsed once: the copies become extra source paths of the same report. The text index, when
    given, is kept in step (`kg build` always gives the store's own), and so are the corpus totals.
    ``optimize``: compact the store afterwards (None: when the build wrote OPTIMIZE_AFTER_QUADS)."""
    started = time.perf_counter()
    summary = BuildSummary()
    ensure_vocabularies(store)
    files = collect_files(paths)
    known = sources_in_store(store)
    work = _plan(files, known, summary, built_otherwise(store, graph_format()) if known else set())
    summary.jobs = jobs if _worth_parallel(len(work), jobs) else 1
    writer = _Writer(store, index)
    done = len(files) - len(work) - sum(len(job.copies) for job in work)
    try:
        for parsed in _parse_all(work, summary.jobs):
            done += 1 + len(parsed.job.copies)
            if progress:
                progress(done, len(files), parsed.job.path)
            if parsed.error is not None:
                for path in [parsed.job.path, *parsed.job.copies]:
                    summary.files.append(FileOutcome(path, "failed", parsed.error.reason,
                                                     parsed.error.error_class, sha256=parsed.job.sha256))
                continue
            _load(store, writer, parsed, known, summary)
        writer.finish()
    except _WRITE_ERRORS as exc:
        raise _write_failed(exc, store, index, writer.stored) from None
    finally:
        try:
            writer.wait()  # never leave a batch loading behind an error
        except _WRITE_ERRORS:
            pass  # the error that stopped the build says what the store holds
    if prune:
        summary.pruned = prune_missing(store, {str(f) for f in files}, known, summary.detached)
    if index is not None:  # nothing written: the sources read at the start still hold
        changed = summary.added or summary.replaced or summary.pruned or summary.duplicates or summary.detached
        reconcile(store, index, None if changed else known)
        if progress:
            progress(len(files), len(files), "全库合计 (corpus totals)")
        summary.totals = refresh_totals(store, index)
        index.seal()  # the next build need not read the whole index for damage while it stays so
    store.flush()
    if optimize or (optimize is None and summary.quads >= OPTIMIZE_AFTER_QUADS):
        if progress:
            progress(len(files), len(files), "整理存储 (compacting the store)")
        compacting = time.perf_counter()
        store.optimize()
        summary.optimize_seconds = time.perf_counter() - compacting
    summary.seconds = time.perf_counter() - started
    return summary


def _plan(files: list[Path], known: dict[str, tuple[str, NamedNode]], summary: BuildSummary,
          outdated: set[str]) -> list[_Job]:
    """Hash every file: unreadable ones fail, unchanged ones are skipped (unless their graph is ``outdated``:
    built by other code), copies are grouped."""
    by_hash: dict[str, _Job] = {}
    for path in files:
        key = str(path)
        try:  # refuses what is no regular file (a FIFO would block here forever), reads at most the size limit
            digest = hashlib.sha256(read_file_bytes(path)).hexdigest()
        except Exception as exc:  # noqa: BLE001 - whatever stops reading one file fails that file alone
            error = UnexpectedError.wrap(exc, path)
            summary.files.append(FileOutcome(key, "failed", error.reason, error.error_class))
            continue
        if key in known and known[key][0] == digest and key not in outdated:
            summary.files.append(FileOutcome(key, "skipped", report=known[key][1].value, sha256=digest))
        elif digest in by_hash:
            by_hash[digest].copies.append(key)
        else:
            by_hash[digest] = _Job(key, digest)
    return list(by_hash.values())


def _parse_job(job: _Job) -> _Parsed:
    """Parse one file into its report graph's quads (runs in a worker process)."""
    try:
        return _parsed(job)
    except Exception as exc:  # noqa: BLE001 - expected or not, an error parsing one file is that file's failure
        return _Parsed(job, error=UnexpectedError.wrap(exc, job.path))


def _parsed(job: _Job) -> _Parsed:
    report = parse_file(job.path)
    rdf = report_rdf(report)
    source = NamedNode(f"{ID}source/{report.source.sha256}")
    rdf.quads.extend(Quad(source, NamedNode(KG + "sourcePath"), Literal(copy), rdf.graph) for copy in job.copies)
    nquads = serialize(rdf.quads, format=RdfFormat.N_QUADS)
    assert nquads is not None  # no output given: the bytes are returned
    return _Parsed(job, rdf.graph, nquads, len(rdf.quads), rdf.entries, report_tallies(rdf.graph, rdf.quads),
                   report_regions(rdf.graph, rdf.quads), report.warnings, quality=report.quality.to_dict())


def _worth_parallel(files: int, jobs: int) -> bool:
    return jobs > 1 and files >= max(PARALLEL_MIN_FILES, 2 * jobs)


def _parse_all(work: list[_Job], jobs: int) -> Iterator[_Parsed]:
    """Parsed jobs in order; in worker processes when there is enough work to share."""
    if not _worth_parallel(len(work), jobs):
        yield from map(_parse_job, work)
        return
    # "spawn", not "fork": a forked worker would inherit the open store's lock file and keep
    # the store locked if this process were killed; spawned workers hold nothing of ours.
    context = multiprocessing.get_context("spawn")
    size = max(1, min(8, len(work) // (jobs * 8)))
    chunks = [work[start:start + size] for start in range(0, len(work), size)]
    done = 0  # chunks yielded
    while done < len(chunks):
        try:
            with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_start_worker) as pool:
                pending: deque[Future[list[_Parsed]]] = deque()
                submitted = done
                while done < len(chunks):
                    while submitted < len(chunks) and len(pending) < jobs * CHUNKS_AHEAD:
                        pending.append(pool.submit(_parse_chunk, chunks[submitted]))
                        submitted += 1
                    parsed = pending.popleft().result()
                    done += 1
                    yield from parsed
        except BrokenProcessPool:
            # A worker died (killed, out of memory, a crash in a C library) on some file of this
            # chunk: each of its files is parsed alone, so only the one that kills its process
            # fails; the chunks after it go to a fresh pool.
            yield from _parse_one_by_one(chunks[done], context)
            done += 1


def _parse_one_by_one(jobs: list[_Job], context: multiprocessing.context.BaseContext) -> Iterator[_Parsed]:
    """Files parsed one at a time by one worker (after a worker died): a file whose parsing kills
    the worker is that file's failure, and a new worker takes the next."""
    pool: ProcessPoolExecutor | None = None
    try:
        for job in jobs:
            if pool is None:
                pool = ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_start_worker)
            try:
                parsed = pool.submit(_parse_job, job).result()
            except BrokenProcessPool:
                pool.shutdown()
                pool = None
                parsed = _Parsed(job, error=UnexpectedError(
                    "解析进程意外退出 (the parsing process died while parsing this file: killed, out of memory, "
                    "or a crash)", job.path, "BrokenProcessPool"))
            yield parsed
    finally:
        if pool is not None:
            pool.shutdown()


def _parse_chunk(jobs: list[_Job]) -> list[_Parsed]:
    return [_parse_job(job) for job in jobs]


def _start_worker() -> None:
    """A parsing worker: exits when its parent dies (a killed build leaves no orphans), then loads
    its dictionaries so that the first report it gets costs no more than the others."""
    parent = os.getppid()

    def watch_parent() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch_parent, daemon=True, name="kg-parent-watch").start()
    warm_up()


def warm_up() -> None:
    """Load what every parse needs (division index, jieba, taxonomy) into a worker at its start."""
    report_rdf(parse_file(_WARM_UP_REPORT))


def _load(store: Store, writer: _Writer, parsed: _Parsed, known: dict[str, tuple[str, NamedNode]],
          summary: BuildSummary) -> None:
    """Write one parsed report: new graphs are batched for bulk ingestion, changed ones replaced."""
    key, graph = parsed.job.path, parsed.graph
    assert graph is not None
    paths = [key, *parsed.job.copies]
    replaced = (any(p in known for p in paths) or graph in writer.graphs or graph in writer.loading
                or store.contains_named_graph(graph))  # written before, maybe by this build (a mirror)
    if replaced:
        writer.finish()
        rival = _rival(store, graph, paths, parsed)
        if rival is not None:  # one report identity, two contents: neither silently replaces the other
            reason = (f"与 {rival} 为同一报告但内容不同, 未替换 (conflict: same report as {rival}, "
                      f"different content; not replaced)")
            for path in paths:
                summary.files.append(FileOutcome(path, "failed", reason, "ReportConflict", report=graph.value,
                                                 sha256=parsed.job.sha256))
            return
        drop = {known[path][1] for path in paths if path in known and known[path][1] != graph}
        quads = parsed.quads() + _other_sources(store, graph, paths)
        writer.replace(parsed, quads, drop)
        summary.quads += len(quads)
    else:
        writer.add(parsed)
        summary.quads += parsed.count
    outcome = "replaced" if replaced else "added"
    summary.files.append(FileOutcome(key, outcome, report=graph.value, sha256=parsed.job.sha256,
                                     quads=parsed.count, warnings=parsed.warnings, quality=parsed.quality))
    for copy in parsed.job.copies:
        summary.files.append(FileOutcome(copy, "duplicate", report=graph.value, sha256=parsed.job.sha256))


def _other_sources(store: Store, graph: NamedNode, paths: list[str]) -> list[Quad]:
    """SourceFile nodes of the same report from other files that still exist (one report, two sites),
    with only the paths that still exist."""
    if not store.contains_named_graph(graph):
        return []
    query = f"""SELECT ?g ?report ?src ?path ?p ?o WHERE {{ GRAPH ?g {{
        ?report <{PROV_DERIVED.value}> ?src . ?src <{KG}sourcePath> ?path ; ?p ?o }} }}"""
    keep: dict[Quad, None] = {}
    for row in select(store, query, {Variable("g"): graph}, union=False):
        if row["path"].value not in paths and Path(row["path"].value).exists():
            if row["p"] == SOURCE_PATH and (row["o"].value in paths or not Path(row["o"].value).exists()):
                continue
            keep[Quad(row["src"], row["p"], row["o"], graph)] = None
            keep[Quad(row["report"], PROV_DERIVED, row["src"], graph)] = None
    return list(keep)


def _rival(store: Store, graph: NamedNode, paths: list[str], parsed: _Parsed) -> str | None:
    """Another existing file recorded as a source of this report graph when the parsed report
    differs from the stored one in more than its sources (None: no such file, or the same report,
    as when one report is scraped from two sites)."""
    if not store.contains_named_graph(graph):
        return None
    others = sorted({term_text(q.object) for q in _other_sources(store, graph, paths) if q.predicate == SOURCE_PATH})
    if not others:
        return None
    stored = _item_texts(store.quads_for_pattern(None, ITEM_TEXT, None, graph))
    return others[0] if stored != _item_texts(parsed.quads()) else None


def _item_texts(quads: Iterable[Quad]) -> set[tuple[NamedNode | BlankNode, Literal | NamedNode | BlankNode]]:
    """What a report says: each item (problem, measure…, named by its place in the tree) with its text.
    Spans, page metadata and sources differ between sites that publish one report; these do not."""
    return {(q.subject, q.object) for q in quads if q.predicate == ITEM_TEXT}  # type: ignore[misc]


def prune_missing(store: Store, current: set[str], known: dict[str, tuple[str, NamedNode]],
                  detached: list[str] | None = None) -> list[str]:
    """Drop report graphs none of whose source files is left; a gone file of a report that keeps
    another (a byte-identical copy, or the same report from another site) only loses its record
    (its path, and its SourceFile node once no path is left), listed in ``detached``."""
    by_graph: dict[NamedNode, list[str]] = {}
    for path, (_, graph) in known.items():
        by_graph.setdefault(graph, []).append(path)
    pruned = []
    for graph, paths in by_graph.items():
        gone = [p for p in paths if p not in current and not Path(p).exists()]
        if not gone or not store.contains_named_graph(graph):
            continue
        if len(gone) == len(paths):
            store.remove_graph(graph)
            pruned.extend(gone)
            continue
        for path in gone:
            for quad in list(store.quads_for_pattern(None, SOURCE_PATH, Literal(path), graph)):
                store.remove(quad)
                if next(store.quads_for_pattern(quad.subject, SOURCE_PATH, None, graph), None) is None:
                    for stale in [*store.quads_for_pattern(quad.subject, None, None, graph),
                                  *store.quads_for_pattern(None, PROV_DERIVED, quad.subject, graph)]:
                        store.remove(stale)
            if detached is not None:
                detached.append(path)
    return pruned


def graph_sources(store: Store, sources: dict[str, tuple[str, NamedNode]] | None = None) -> dict[str, set[str]]:
    """{report graph: SHA-256 of every source file recorded in it}, from the store or from
    sources_in_store's answer already at hand."""
    found: dict[str, set[str]] = {}
    for _, (sha, graph) in (sources if sources is not None else sources_in_store(store)).items():
        found.setdefault(graph.value, set()).add(sha)
    return found


def reconcile(store: Store, index: TextIndex,
              sources: dict[str, tuple[str, NamedNode]] | None = None) -> tuple[list[str], list[str]]:
    """Make the text index describe exactly the store's report graphs, in their stored versions.

    Rows of graphs the store lacks (or holds from another source) are dropped; graphs the index
    lacks are indexed again from their stored texts. ``sources``: sources_in_store's answer, when
    the caller knows it still holds. Returns (dropped, re-indexed) graphs."""
    in_store = graph_sources(store, sources)
    indexed = index.graphs()
    dropped = sorted(g for g, sha in indexed.items() if sha not in in_store.get(g, ()))
    index.remove(dropped)
    missing = sorted(g for g in in_store if g not in indexed or g in dropped)
    for start in range(0, len(missing), RECONCILE_BATCH):  # a whole store at once held 4.5 GB at 10,000 reports
        index.put([_stored_indexed(store, NamedNode(g), min(in_store[g])) for g in missing[start:start + RECONCILE_BATCH]])
    return dropped, missing


def _stored_indexed(store: Store, graph: NamedNode, sha256: str) -> Indexed:
    """What the side database holds of a report graph, worked out again from its stored quads."""
    quads = list(store.quads_for_pattern(None, None, None, graph))
    return Indexed(graph.value, sha256, stored_entries(store, graph), report_tallies(graph, quads),
                   report_regions(graph, quads))


def stored_tallies(store: Store, graph: NamedNode) -> list[Tally]:
    """A report graph's tallies of the corpus totals, worked out from its stored quads."""
    return report_tallies(graph, store.quads_for_pattern(None, None, None, graph))


_STORED_TEXT = {"Measure": KG + "text", "Problem": KG + "text", "NamedDocument": DCT + "title"}


def stored_entries(store: Store, graph: NamedNode) -> list[Entry]:
    """Index entries of a report graph read back from its texts (what report_rdf gave at build)."""
    entries = []
    for kind, predicate in _STORED_TEXT.items():
        query = f"""SELECT ?g ?item ?text WHERE {{ GRAPH ?g {{ ?item a <{KG}{kind}> .
            OPTIONAL {{ ?item <{predicate}> ?text }} }} }} ORDER BY ?item"""
        for row in select(store, query, {Variable("g"): graph}, union=False):
            text = row["text"].value if row["text"] else ""
            entries.append(Entry(kind, row["item"].value, tokens(text), text))
    return entries
