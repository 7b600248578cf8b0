"""Graph views and exports: time and peak memory.

Run: python -m benchmarks.graph [--synthetic N] [--no-memory]

For data/ (the four real reports) and for N synthetic reports (benchmarks/synthetic.py; default
1000, about 3 minutes to build; 0 skips them), prints one row per step: each view's projection
from the store (kg.analysis.views.project) and each export format of each view (kg.export.export_graph),
with wall-clock seconds (one run, without tracing), the peak of Python allocations during the
step (tracemalloc, a second run; Oxigraph's own Rust memory is not traced), and the size of what
was written. The process's peak resident memory is printed at the end.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyoxigraph import Store

from benchmarks.synthetic import generate
from kg.build import build
from kg.export import FORMATS, export_graph
from kg.analysis.views import VIEWS, project

ROOT = Path(__file__).resolve().parent.parent


def measure(step: Callable[[], Any], memory: bool) -> tuple[float, float | None, Any]:
    """Seconds of one untraced run; MB peak of Python allocations in a traced second run."""
    start = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - start
    peak = None
    if memory:
        del result
        tracemalloc.start()
        result = step()
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    return seconds, peak, result


def size_of(written: Any) -> int:
    if isinstance(written, bytes):
        return len(written)
    return sum(p.stat().st_size for p in written)


def bench(store: Store, label: str, memory: bool, out: Path) -> None:
    print(f"\n{label}: {len(store)} quads")
    print(f"  {'step':42} {'seconds':>8} {'peak MB':>8} {'nodes':>8} {'edges':>8} {'MB out':>8}")
    for view in VIEWS:
        seconds, peak, graph = measure(lambda v=view: project(store, v), memory)
        nodes, edges = graph.number_of_nodes(), graph.number_of_edges()
        print(f"  {'project ' + view:42} {seconds:8.2f} {_mb(peak):>8} {nodes:8d} {edges:8d} {'':>8}")
        for fmt in FORMATS:
            target = out / f"{view}.{fmt}"
            seconds, peak, written = measure(lambda g=graph, f=fmt, t=target: export_graph(g, f, t), memory)
            print(f"  {'  export ' + fmt:42} {seconds:8.2f} {_mb(peak):>8} {'':>8} {'':>8} "
                  f"{size_of(written) / 1e6:8.2f}")
        del graph


def _mb(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, default=1000, help="synthetic reports (0: data/ only)")
    parser.add_argument("--no-memory", action="store_true", help="skip the traced runs (half the time)")
    args = parser.parse_args()
    memory = not args.no_memory
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        small = Store(f"{tmp}/data-store")
        build(small, [ROOT / "data" / "reports"])
        bench(small, "data/ (4 reports)", memory, Path(tmp))
        if args.synthetic:
            files = generate(args.synthetic, Path(tmp) / "reports")
            big = Store(f"{tmp}/synthetic-store")
            start = time.perf_counter()
            build(big, [Path(tmp) / "reports"])
            print(f"\nbuilt {len(files)} synthetic reports in {time.perf_counter() - start:.0f} s")
            bench(big, f"{len(files)} synthetic reports", memory, Path(tmp))
    print(f"\npeak resident memory of the process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3:.0f} MB")


if __name__ == "__main__":
    main()
