"""Problem types, search and related measures: quality and speed.

Run: python benchmarks/search.py [--synthetic N]

- precision and recall per top-level problem type of the classifier on the hand labels
  (tests/labels/types.json, 88 items), and micro-F1 (target >= 0.8);
- the share of build time spent classifying and indexing tokens;
- kg search and kg related latency (median of several queries, after start-up) on data/,
  and on N synthetic reports (benchmarks/synthetic.py; default 1000). Target: < 200 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from pyoxigraph import Store

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.synthetic import generate  # noqa: E402
from kg import rdf  # noqa: E402
from kg.related import related  # noqa: E402
from kg.search import search  # noqa: E402
from kg.store import build  # noqa: E402
from tests.test_types import top_level_scores  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEARCHES = ["公务用车", "形式主义 基层减负", "意识形态", "招商引资", "选人用人 程序", "警示教育"]
TEXTS = ["公务用车管理不规范,存在公车私用问题", "文山会海,督查检查过多,基层负担重", "意识形态工作责任制落实不到位"]


def timed_build(paths: list[Path], store: Store) -> tuple[float, float]:
    """Total build seconds, and seconds spent in classification and the token index."""
    spent = [0.0]
    original_types, original_tokens = rdf._types, rdf._token_index

    def types(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        start = time.perf_counter()
        original_types(*args, **kwargs)
        spent[0] += time.perf_counter() - start

    def token_index(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        start = time.perf_counter()
        original_tokens(*args, **kwargs)
        spent[0] += time.perf_counter() - start

    rdf._types, rdf._token_index = types, token_index
    try:
        start = time.perf_counter()
        build(store, paths)
        return time.perf_counter() - start, spent[0]
    finally:
        rdf._types, rdf._token_index = original_types, original_tokens


def latencies(store: Store, label: str) -> None:
    measure_ids = [row["m"].value for row in store.query(
        "SELECT ?m WHERE { ?m a <https://w3id.org/xunshi-kg/ontology#Measure> } LIMIT 200",
        use_default_graph_as_union=True)][::40][:5]
    for name, calls in (("search", [lambda q=q: search(store, q, "measures", 10) for q in SEARCHES]),
                        ("related TEXT", [lambda t=t: related(store, text=t, top=10) for t in TEXTS]),
                        ("related --measure", [lambda m=m: related(store, measure=m, top=10) for m in measure_ids])):
        times = []
        for call in calls:
            start = time.perf_counter()
            call()
            times.append(time.perf_counter() - start)
        print(f"  {label:22} {name:18} median {statistics.median(times) * 1000:7.1f} ms  max {max(times) * 1000:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, default=1000)
    args = parser.parse_args()
    per_type, micro_f1 = top_level_scores()
    print("classifier on 88 hand-labelled items (top-level types):")
    for letter, (precision, recall) in per_type.items():
        print(f"  {letter}  precision {precision:.2f}  recall {recall:.2f}")
    print(f"  micro-F1 {micro_f1:.3f} (target >= 0.8)")

    store = Store()
    build(Store(), [ROOT / "data" / "reports" / "shaanxi-xian-lianhu-2022.txt"])  # start-up: jieba, divisions
    total, typing = timed_build([ROOT / "data" / "reports"], store)
    print(f"build data/: {total:.2f} s, classification + token index {typing:.2f} s ({typing / total:.0%})")
    latencies(store, "data/ (4 reports)")
    if args.synthetic:
        with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
            files = generate(args.synthetic, Path(tmp) / "reports")
            big = Store(f"{tmp}/store")
            total, typing = timed_build([Path(tmp) / "reports"], big)
            print(f"build {len(files)} synthetic reports: {total:.1f} s, classification + token index "
                  f"{typing:.1f} s ({typing / total:.0%}); {len(big)} quads")
            latencies(big, f"{len(files)} synthetic")
            del big


if __name__ == "__main__":
    main()
