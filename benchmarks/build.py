"""Build speed: reports/s and quads/s, our load path against pyoxigraph's own loaders and
rdflib, and the latency of every saved query.

Run: python -m benchmarks.build [--copies N] [--rounds N]

- parse + map: data/reports parsed and turned into quads (start-up excluded).
- load: the quads of data/, replicated --copies times under distinct report IRIs so the
  timings are not noise (marked synthetic), loaded into fresh on-disk stores by
  (a) our path, as kg build does: each report's quads serialised to N-Quads (in the parsing
      process), batches of them handed to Store.bulk_load(lenient=True); and, for comparison,
      Store.extend per report graph (what a changed report gets);
  (b) Store.bulk_load of the same quads from an N-Quads file; (c) Store.load of that file;
  (d) rdflib Dataset.add, for comparison (printed as a ratio).
- queries: every saved query on the store built from data/ (parameters of its golden case),
  median of --rounds runs.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import rdflib
from pyoxigraph import NamedNode, Quad, RdfFormat, Store, serialize

from benchmarks.common import ROOT, golden_cases, timed, to_rdflib
from kg.build import BULK_BATCH_QUADS, build
from kg.index import TextIndex
from kg.parse import parse_file
from kg.query import resolve_query, run_query
from kg.namespaces import ID
from kg.rdf import report_quads


def replicate(graphs: list[tuple[NamedNode, list[Quad]]], copies: int) -> list[tuple[NamedNode, list[Quad]]]:
    """Synthetic: the same report graphs again under report/copyK/… IRIs."""
    out = []
    prefix = ID + "report/"

    def rename(term, k):  # noqa: ANN001, ANN202
        if isinstance(term, NamedNode) and term.value.startswith(prefix):
            return NamedNode(f"{prefix}copy{k}/{term.value[len(prefix):]}")
        return term

    for k in range(copies):
        for graph, quads in graphs:
            g = rename(graph, k)
            out.append((g, [Quad(rename(q.subject, k), q.predicate, rename(q.object, k), g) for q in quads]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    files = sorted((ROOT / "data" / "reports").glob("*.txt"))
    report_quads(parse_file(files[0]))  # warm-up: division index, jieba, taxonomy

    graphs: list[tuple[NamedNode, list[Quad]]] = []
    t_parse = 0.0
    for f in files:
        start = time.perf_counter()
        graphs.append(report_quads(parse_file(f)))
        t_parse += time.perf_counter() - start
    n_quads = sum(len(q) for _, q in graphs)
    print(f"parse + map   {len(files)} reports, {n_quads} quads: {len(files) / t_parse:8.1f} reports/s "
          f"{n_quads / t_parse:10.0f} quads/s")

    corpus = replicate(graphs, args.copies)
    total = sum(len(q) for _, q in corpus)
    print(f"load corpus   {len(corpus)} report graphs, {total} quads (synthetic: data/ x {args.copies})")
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        stores = {name: Store(f"{tmp}/{name}") for name in ("ours", "extend", "bulk", "load")}
        chunks = [serialize(quads, format=RdfFormat.N_QUADS) for _, quads in corpus]  # done by the workers

        def our_load() -> None:  # what kg build does with new report graphs
            pending: list[bytes] = []
            count = 0
            for (_, quads), chunk in zip(corpus, chunks, strict=True):
                pending.append(chunk)
                count += len(quads)
                if count >= BULK_BATCH_QUADS:
                    stores["ours"].bulk_load(input=b"".join(pending), format=RdfFormat.N_QUADS, lenient=True)
                    pending, count = [], 0
            stores["ours"].bulk_load(input=b"".join(pending), format=RdfFormat.N_QUADS, lenient=True)

        t_ours = timed(our_load)
        t_extend = timed(lambda: [stores["extend"].extend(q) for _, q in corpus])
        nquads = Path(tmp) / "corpus.nq"
        serialize((q for _, qs in corpus for q in qs), str(nquads), format=RdfFormat.N_QUADS)
        t_bulk = timed(lambda: stores["bulk"].bulk_load(path=str(nquads), format=RdfFormat.N_QUADS))
        t_load = timed(lambda: stores["load"].load(path=str(nquads), format=RdfFormat.N_QUADS))
        assert {len(store) for store in stores.values()} == {total}
        stores.clear()  # closed before their folder is removed
    subset = corpus[: max(1, len(corpus) // 10)]
    subset_quads = sum(len(q) for _, q in subset)
    dataset = rdflib.Dataset()

    def rdflib_add() -> None:
        for _, quads in subset:
            graph = dataset.graph(rdflib.URIRef(quads[0].graph_name.value))
            for q in quads:
                graph.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))

    t_rdflib = timed(rdflib_add)
    rate = {"ours": total / t_ours, "bulk": total / t_bulk, "load": total / t_load, "rdflib": subset_quads / t_rdflib,
            "extend": total / t_extend}
    print(f"  ours: batched lenient bulk_load     {rate['ours']:10.0f} quads/s  "
          f"({rate['ours'] / rate['bulk']:.0%} of bulk_load; target >= 80%)")
    print(f"  Store.extend per report graph       {rate['extend']:10.0f} quads/s  (used for changed reports)")
    print(f"  Store.bulk_load of N-Quads          {rate['bulk']:10.0f} quads/s")
    print(f"  Store.load of N-Quads               {rate['load']:10.0f} quads/s")
    print(f"  rdflib Dataset.add ({subset_quads} quads)   {rate['rdflib']:10.0f} quads/s  "
          f"(ours is {rate['ours'] / rate['rdflib']:.1f}x faster)")

    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        store, index = Store(f"{tmp}/store"), TextIndex.open(f"{tmp}/store")
        t_build = timed(lambda: build(store, [ROOT / "data" / "reports"], index=index))
        print(f"kg build data/ (parse, map, load, text index): {t_build:.2f} s; re-build (all skipped): "
              f"{timed(lambda: build(store, [ROOT / 'data' / 'reports'], index=index)) * 1000:.1f} ms")
        print(f"{'saved query (golden case)':60} {'rows':>5} {'median ms':>10}   (target < 50 ms on data/)")
        for name, params in golden_cases():
            query = resolve_query(name)
            times, rows = [], 0
            for _ in range(args.rounds):
                start = time.perf_counter()
                rows = len(run_query(store, query, params, index).rows)
                times.append(time.perf_counter() - start)
            label = name + "".join(f" {k}={v}" for k, v in params.items())
            print(f"{label[:60]:60} {rows:5d} {statistics.median(times) * 1000:10.2f}")


if __name__ == "__main__":
    main()
