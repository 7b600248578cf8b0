"""Lookups: every golden query case (tests/queries/, injection cases left out) timed on one store, slowest
first, with its rows, and the median: which saved query is slow for the parameters people give it.

Run: python -m benchmarks.lookups [--store PATH] [--rounds N] [--only TEXT] [--portable] [--localised]

The store: --store (opened read-only), else the 1,000 synthetic reports benchmarks.startup builds once
into /tmp/kg-startup-1000/ and keeps. Each case runs as the golden tests run it, through
``kg.query.run_query`` with its parameters (and the store's text index), --rounds times (default 3, after
one run not counted); its time is the fastest run's, in ms, as its variation on a shared machine is all
upward. The golden parameters name data/'s reports and regions, so on a synthetic store a report lookup
times a miss (0 rows) unless --localised points them at a report of the store, keeping their level (a
county, city or province code stays one: benchmarks.scale.localised). --portable times the standard
SPARQL 1.1 text of the queries that have a local plan (what another engine gets). --only runs the cases
whose file name contains the text. Cases narrowed by a report, region, code, committee or search are
marked "lookup"; the others list the whole corpus (not this benchmark's target: their time grows with it).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from benchmarks.common import ROOT
from benchmarks.scale import Sample, localised, sample_report
from kg.query import SavedQuery, load_query, run_query
from kg.resources import QUERY_DIR
from kg.store import open_index, open_store

REPORTS = 1000  # the default store's synthetic reports


def cases(only: str = "") -> list[tuple[str, str, dict[str, str]]]:
    """(case file's name, query name, parameters) of every golden case but the injection ones."""
    found = []
    for path in sorted((ROOT / "tests" / "queries").glob("*.json")):
        if "injection" in path.name or only not in path.name:
            continue
        spec = json.loads(path.read_text(encoding="utf-8"))
        found.append((path.stem, spec["query"], spec.get("params", {})))
    return found


def is_lookup(query: SavedQuery, params: dict[str, str]) -> bool:
    """Narrowed by a parameter (a problem type alone does not narrow a query to a region or report)."""
    return any(p.name in params and p.name != "type" for p in query.params)


def localise(sample: Sample, params: dict[str, str]) -> dict[str, str]:
    """The parameters pointed at the sample report (benchmarks.scale.localised), a ``region`` code as
    a ``code`` one."""
    out = localised({("code" if k == "region" else k): v for k, v in params.items()}, sample)
    return {("region" if k == "code" and "region" in params else k): v for k, v in out.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help=f"store folder (default: {REPORTS:,} synthetic reports)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default="", help="only the cases whose file name contains this text")
    parser.add_argument("--portable", action="store_true", help="the SPARQL 1.1 text even where a local plan is")
    parser.add_argument("--localised", action="store_true", help="parameters pointed at a report of the store")
    args = parser.parse_args(argv)
    if args.store is None:
        from benchmarks.startup import synthetic_store

        args.store = synthetic_store(REPORTS)
    store = open_store(args.store, read_only=True)
    index = open_index(args.store, read_only=True, required=False)
    sample = sample_report(store) if args.localised else None
    timed = []
    for case, name, params in cases(args.only):
        query = load_query(QUERY_DIR / f"{name}.rq")
        if sample is not None:
            params = localise(sample, params)
        rows = len(run_query(store, query, params, index, portable=args.portable).rows)  # not counted
        times = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            run_query(store, query, params, index, portable=args.portable)
            times.append((time.perf_counter() - start) * 1000)
        timed.append((min(times), rows, case, "lookup" if is_lookup(query, params) else "listing", params))
    print(f"{len(timed)} golden cases on {args.store}, fastest of {args.rounds} runs"
          f"{' (portable texts)' if args.portable else ''}:")
    print(f"{'ms':>9} {'rows':>7}  {'kind':<8} case and parameters")
    for ms, rows, case, kind, params in sorted(timed, key=lambda t: -t[0]):
        shown = " ".join(f"{k}={v}" for k, v in params.items())
        print(f"{ms:9.1f} {rows:7d}  {kind:<8} {case} {shown}".rstrip())
    for kind in ("lookup", "listing"):
        some = [t[0] for t in timed if t[3] == kind]
        if some:
            print(f"median of the {len(some)} {kind}s: {statistics.median(some):.1f} ms")
    if timed:
        print(f"median of all {len(timed)}: {statistics.median(t[0] for t in timed):.1f} ms")


if __name__ == "__main__":
    main()
