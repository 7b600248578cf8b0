"""Parse speed: MB/s of report text per core, start-up excluded.

Run: python -m benchmarks.parse [--rounds N] [FILES...]   (default: data/reports/*.txt)
Reads each file once, warms the parser (jionlp's division index loads on first use),
then times parsing only (canonical text -> model), single process, and prints a table.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from kg.ingest import read_report
from kg.parse import parse_canonical

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    files = args.files or sorted((ROOT / "data" / "reports").glob("*.txt"))
    sources = [read_report(f) for f in files]
    for source in sources:  # warm-up: region index, regex caches
        parse_canonical(source)
    print(f"{'report':40} {'KB':>7} {'median ms':>10} {'MB/s':>7}")
    total_bytes, total_seconds = 0, 0.0
    for source in sources:
        size = len(source.text.encode("utf-8"))
        times = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            parse_canonical(source)
            times.append(time.perf_counter() - start)
        median = statistics.median(times)
        total_bytes += size
        total_seconds += median
        print(f"{Path(source.path).name:40} {size / 1024:7.1f} {median * 1000:10.2f} {size / median / 1e6:7.2f}")
    print(f"{'all':40} {total_bytes / 1024:7.1f} {total_seconds * 1000:10.2f} {total_bytes / total_seconds / 1e6:7.2f}")
    print("target: >= 2 MB/s per core (a 40 KB report in under 20 ms)")


if __name__ == "__main__":
    main()
