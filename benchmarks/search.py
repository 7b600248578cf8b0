"""Search and related measures: speed (their quality against hand labels: python -m benchmarks.answers).

Run: python -m benchmarks.search [--synthetic N]

- the share of build time spent classifying, tokenising and writing the text index;
- kg search and kg related latency (median of several queries, after start-up) on data/,
  and on N synthetic reports (benchmarks/synthetic.py; default 1000). Target: < 200 ms. Searches
  for words the token index lacks (stop words, numbers, two characters: found by substring, the
  two-character ones by a scan of the texts) are timed apart, top 10 and all hits.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from pyoxigraph import Store

from benchmarks.synthetic import generate
from kg import rdf
from kg.build import build
from kg.index import TextIndex
from kg.related import related
from kg.search import search

ROOT = Path(__file__).resolve().parent.parent
SEARCHES = ["公务用车", "形式主义 基层减负", "意识形态", "招商引资", "选人用人 程序", "警示教育"]
SUBSTRINGS = ["整改", "12345", "信访", "的", "〔2013〕8号", "区属国有企业"]
TEXTS = ["公务用车管理不规范,存在公车私用问题", "文山会海,督查检查过多,基层负担重", "意识形态工作责任制落实不到位"]


def timed_build(paths: list[Path], store: Store, index: TextIndex) -> tuple[float, float]:
    """Total build seconds (one process), and seconds spent classifying, tokenising for the text
    index and writing it."""
    spent = [0.0]
    originals = rdf._types, rdf._index, TextIndex.put

    def timed(function):  # noqa: ANN001, ANN202
        def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            start = time.perf_counter()
            result = function(*args, **kwargs)
            spent[0] += time.perf_counter() - start
            return result
        return wrapper

    rdf._types, rdf._index, TextIndex.put = (timed(f) for f in originals)
    try:
        start = time.perf_counter()
        build(store, paths, index=index)
        return time.perf_counter() - start, spent[0]
    finally:
        rdf._types, rdf._index, TextIndex.put = originals


def latencies(store: Store, index: TextIndex, label: str) -> None:
    measure_ids = [row["m"].value for row in store.query(
        "SELECT ?m WHERE { ?m a <https://w3id.org/xunshi-kg/ontology#Measure> } LIMIT 200",
        use_default_graph_as_union=True)][::40][:5]
    for name, calls in (("search", [lambda q=q: search(store, index, q, "measures", 10) for q in SEARCHES]),
                        ("search substrings", [lambda q=q: search(store, index, q, "measures", 10) for q in SUBSTRINGS]),
                        ("search 2 characters", [lambda q=q: search(store, index, q, "measures", 10)
                                                 for q in SUBSTRINGS if len(q) < 3]),
                        ("search all hits", [lambda q=q: search(store, index, q, "measures", None) for q in SUBSTRINGS]),
                        ("related TEXT", [lambda t=t: related(store, index, text=t, top=10) for t in TEXTS]),
                        ("related --measure", [lambda m=m: related(store, index, measure=m, top=10)
                                               for m in measure_ids])):
        times = []
        for call in calls:
            start = time.perf_counter()
            call()
            times.append(time.perf_counter() - start)
        print(f"  {label:22} {name:18} median {statistics.median(times) * 1000:7.1f} ms  max {max(times) * 1000:7.1f} ms",
              flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, default=1000)
    args = parser.parse_args()
    build(Store(), [ROOT / "data" / "reports" / "shaanxi-xian-lianhu-2022.txt"])  # start-up: jieba, divisions
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        store, index = Store(f"{tmp}/data"), TextIndex.open(f"{tmp}/data")
        total, typing = timed_build([ROOT / "data" / "reports"], store, index)
        print(f"build data/: {total:.2f} s, classification + text index {typing:.2f} s ({typing / total:.0%})")
        latencies(store, index, "data/ (4 reports)")
        if args.synthetic:
            files = generate(args.synthetic, Path(tmp) / "reports")
            big, big_index = Store(f"{tmp}/store"), TextIndex.open(f"{tmp}/store")
            total, typing = timed_build([Path(tmp) / "reports"], big, big_index)
            print(f"build {len(files)} synthetic reports (1 process): {total:.1f} s, classification + text index "
                  f"{typing:.1f} s ({typing / total:.0%}); {len(big):,} quads", flush=True)
            latencies(big, big_index, f"{len(files)} synthetic")
            del big


if __name__ == "__main__":
    main()
