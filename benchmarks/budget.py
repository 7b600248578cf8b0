"""Budget: quads per report and `kg build` time of this checkout against an earlier git revision.

Run: python -m benchmarks.budget --against REV [--reports N] [--rounds R] [--jobs J] [--by-predicate]

Issue 23 allows its facts to cost a build at most 15% more time than before them; issue 25 wants
35% fewer quads per report. This checks both on the same SYNTHETIC corpus (benchmarks/synthetic.py,
never test truth): REV is checked out into a git worktree (/tmp/kg-budget-REV, reused), each side's
`kg build` runs as a subprocess with PYTHONPATH on its own sources into a fresh store, the two
interleaved round by round (A B A B ...) so that the machine's drift falls on both; wall and CPU
seconds (the child's own rusage), median and min-max, the ratio taken pair by pair, the load average
before and after. Quads per report are counted in the report graphs of each store (ontology, shapes
and corpus totals left out); --by-predicate prints where this checkout's quads go.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pyoxigraph import Store

from benchmarks.common import ROOT
from benchmarks.synthetic import generate
from kg.namespaces import ID
from kg.sparql import select, term_text

_REPORT_GRAPHS = f'FILTER(STRSTARTS(STR(?g), "{ID}report/"))'


def worktree(rev: str) -> Path:
    """REV's sources in a worktree of their own (made once, reused while REV names the same commit)."""
    commit = subprocess.run(["git", "rev-parse", "--verify", rev + "^{commit}"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout.strip()
    path = Path(tempfile.gettempdir()) / f"kg-budget-{commit[:10]}"
    if not (path / "kg").is_dir():
        subprocess.run(["git", "worktree", "add", "--detach", str(path), commit], cwd=ROOT, check=True,
                       capture_output=True)
    return path


def _env(source: Path, tmp: Path) -> dict[str, str]:
    """The environment that runs ``source``'s kg, with bytecode kept per side in the scratch folder."""
    return {**os.environ, "PYTHONPATH": str(source), "PYTHONPYCACHEPREFIX": str(tmp / "pycache" / source.name)}


def build_command(corpus: Path, store: Path, jobs: int) -> list[str]:
    """`kg build` of ``corpus`` into ``store`` as run here (the sources are PYTHONPATH's, see _env)."""
    return [sys.executable, "-m", "kg.cli", "build", str(corpus), "--store", str(store), "--jobs", str(jobs)]


def build_once(source: Path, corpus: Path, store: Path, jobs: int) -> tuple[float, float]:
    """Wall and CPU seconds (user + system of the build and its workers) of one `kg build` into a new store."""
    shutil.rmtree(store, ignore_errors=True)
    env = _env(source, store.parent)
    start = time.perf_counter()
    proc = subprocess.Popen(build_command(corpus, store, jobs), env=env, cwd=source, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"kg build of {source} failed")
    return wall, usage.ru_utime + usage.ru_stime


def report_quads(store: Path) -> tuple[int, int]:
    """(quads in report graphs, report graphs) of a built store."""
    opened = Store.read_only(str(store))
    row = next(iter(select(opened, "SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?g) AS ?r) "
                                   f"WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {_REPORT_GRAPHS} }}")))
    return int(term_text(row["n"])), int(term_text(row["r"]))


def by_predicate(store: Path) -> list[tuple[str, int]]:
    """Quads of the report graphs per predicate, most first."""
    opened = Store.read_only(str(store))
    rows = select(opened, f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {_REPORT_GRAPHS} }} "
                          "GROUP BY ?p ORDER BY DESC(?n)")
    return [(term_text(r["p"]), int(term_text(r["n"]))) for r in rows]


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):8.2f} ({min(values):.2f}-{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", required=True, help="git revision to compare with (e.g. 3bedaa6^)")
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--by-predicate", action="store_true")
    args = parser.parse_args()
    sides = {"before": worktree(args.against), "now": ROOT}
    with tempfile.TemporaryDirectory(prefix="kg-budget-") as tmp:
        corpus = generate(args.reports, Path(tmp) / "corpus")[0].parent
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
        for source in sides.values():  # bytecode compiled before the clock runs
            subprocess.run([sys.executable, "-c", "import kg.cli, kg.build, kg.rdf, kg.parse"], check=True,
                           cwd=source, env=_env(source, Path(tmp)))
        load = os.getloadavg()
        for _ in range(args.rounds):
            for name, source in sides.items():
                times[name].append(build_once(source, corpus, Path(tmp) / name, args.jobs))
        load_after = os.getloadavg()
        counts = {name: report_quads(Path(tmp) / name) for name in sides}
        print(f"{args.reports} synthetic reports, kg build --jobs {args.jobs}, {args.rounds} interleaved rounds; "
              f"load average {load[0]:.2f} before, {load_after[0]:.2f} after")
        print(f"{'':8} {'quads/report':>12} {'wall s median (min-max)':>26} {'CPU s median (min-max)':>26}")
        for name in sides:
            quads, graphs = counts[name]
            label = args.against if name == "before" else "this"
            print(f"{label:8} {quads / graphs:12.0f} {_spread([w for w, _ in times[name]]):>26} "
                  f"{_spread([c for _, c in times[name]]):>26}")
        wall = [n[0] / b[0] for n, b in zip(times["now"], times["before"], strict=True)]
        cpu = [n[1] / b[1] for n, b in zip(times["now"], times["before"], strict=True)]
        quads = counts["now"][0] / counts["now"][1] / (counts["before"][0] / counts["before"][1])
        print(f"this / {args.against}: quads per report {quads:.3f}; wall {_spread(wall)}; CPU {_spread(cpu)} "
              "(issue 23's budget: time <= 1.15)")
        if args.by_predicate:
            graphs = counts["now"][1]
            for predicate, n in by_predicate(Path(tmp) / "now"):
                print(f"{n / graphs:10.1f} {predicate}")


if __name__ == "__main__":
    main()
