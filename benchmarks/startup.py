"""Start-up and answers end to end: whole-process times of `kg --help`, `kg --version`, a saved query
(`kg query reports`, all rows, and `kg query region-reports`, a lookup of one region), `kg search 整改`
(found as written), `kg search 违规发放津贴补贴` (found by its tokens: the query is cut) and
`kg related TEXT` against a store of synthetic reports, each beside `python -c pass` (the
interpreter's own start, the floor) run in turn in the same call.

Run: python -m benchmarks.startup [--runs N] [--reports N] [--store DIR] [--source DIR [--source DIR]] [--only TEXT]

The store: --store, else N synthetic reports (benchmarks/synthetic.py, default 1,000) built once with
`kg build` into /tmp/kg-startup-N/ and kept there for the next run (building 1,000 took 7 min 50 s
on the loaded two-core machine; a marker file says the build finished). --source DIR runs
`python -m kg.launch` (an older copy without it: kg.cli) from another copy of the package (DIR holds
its kg/), to time a before and an after in the same conditions (twice: both in the same rounds, each row named by its folder). --only
runs the commands whose name contains the text (python -c pass always).

Each command is started --runs times (after one run not counted, which also writes the tokenizer's
cached dictionary, kg.text, and the help page kept by kg.launch) as a child process of this one, the
commands in turn; wall seconds from its start to its exit (its whole output written to /dev/null) and its CPU seconds (user + system,
the operating system's accounting of the finished child). The children keep their bytecode in a
folder of their own (PYTHONPYCACHEPREFIX), as an installed package has it, even where
PYTHONDONTWRITEBYTECODE is set. Printed as min / median / max with the median's ratio to
`python -c pass`, and the load average before and after: quote medians on a shared machine.
Goals (issue 25): search, related and a saved-query lookup under 0.25 s, `kg --help` under 0.15 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PEER = "python -c pass"
SEARCH_WORD = "整改"
SEARCH_PHRASE = "违规发放津贴补贴"  # no synthetic measure holds it as written: found by its tokens, so the query is cut
RELATED_TEXT = "公务用车管理不规范, 私车公养"


def _kg(source: Path | None) -> list[str]:
    """The installed `kg` script, else the module it starts in (kg.launch, which keeps help pages; an
    older copy's kg.cli) run by this interpreter, as for a source copy."""
    found = shutil.which("kg")
    if found and source is None:
        return [found]
    home = source if source is not None else Path(__file__).resolve().parents[1]
    return [sys.executable, "-m", "kg.launch" if (home / "kg" / "launch.py").exists() else "kg.cli"]


def _environment(source: Path | None, pycache: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    if source is not None:
        env["PYTHONPATH"] = str(source)
    return env


def run_once(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """(wall, cpu, exit code) of one run of ``command``, its output thrown away. Run from the temporary
    folder: `python -m` puts the working folder before PYTHONPATH, so from a checkout it would run that kg."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          check=False, env=env, cwd=tempfile.gettempdir())
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.returncode


def synthetic_store(n: int) -> Path:
    """A store of ``n`` synthetic reports under /tmp, built once and reused."""
    home = Path(tempfile.gettempdir()) / f"kg-startup-{n}"
    store, marker = home / "store", home / "built"
    if marker.exists():
        return store
    from benchmarks.synthetic import generate

    print(f"building a store of {n} synthetic reports in {home} (kept for the next run)", file=sys.stderr)
    generate(n, home / "reports")
    start = time.perf_counter()
    home.mkdir(parents=True, exist_ok=True)
    subprocess.run([*_kg(None), "build", str(home / "reports"), "--store", str(store)],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    marker.write_text(f"{time.perf_counter() - start:.1f} s\n", encoding="utf-8")
    return store


def _one_region(kg: list[str], store: Path, env: dict[str, str]) -> str:
    """The division code of the store's first report, for the lookup."""
    out = subprocess.run([*kg, "query", "reports", "--format", "tsv", "--store", str(store)], env=env,
                         capture_output=True, text=True, check=True, cwd=tempfile.gettempdir()).stdout.splitlines()
    header = out[0].split("\t")
    return out[1].split("\t")[header.index("code")]


def _spread(values: list[float]) -> str:
    return f"{min(values):6.3f} {statistics.median(values):6.3f} {max(values):6.3f}"


def _commands(kg: list[str], store: Path, code: str) -> dict[str, list[str]]:
    """Each command by its name in the table (ASCII, so the columns line up)."""
    at = ["--store", str(store)]
    return {"kg --help": [*kg, "--help"], "kg --version": [*kg, "--version"],
            "kg query reports": [*kg, "query", "reports", *at],
            "kg query region-reports -p code=CODE": [*kg, "query", "region-reports", "-p", f"code={code}", *at],
            "kg search WORD": [*kg, "search", SEARCH_WORD, *at], "kg search PHRASE": [*kg, "search", SEARCH_PHRASE, *at],
            "kg related TEXT": [*kg, "related", RELATED_TEXT, *at]}


def time_commands(runs: dict[str, tuple[list[str], dict[str, str]]], rounds: int
                  ) -> tuple[dict[str, list[float]], dict[str, list[float]], dict[str, int]]:
    """Wall and CPU seconds of each command (by name) over ``rounds`` runs, the commands in turn so that
    a drift of the machine's speed touches every command alike, after one warm-up run each (the file
    system cache, bytecode, the tokenizer's dictionary); and the last non-zero exit code of those that
    failed."""
    for command, env in runs.values():
        run_once(command, env)
    walls: dict[str, list[float]] = {name: [] for name in runs}
    cpus: dict[str, list[float]] = {name: [] for name in runs}
    failed: dict[str, int] = {}
    for _ in range(rounds):
        for name, (command, env) in runs.items():
            wall, cpu, status = run_once(command, env)
            walls[name].append(wall)
            cpus[name].append(cpu)
            if status:
                failed[name] = status
    return walls, cpus, failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--reports", type=int, default=1000, help="synthetic reports in the store built when no --store")
    parser.add_argument("--store", type=Path, help="an existing store to answer from")
    parser.add_argument("--source", type=Path, action="append",
                        help="a folder holding a copy of kg/ to run instead of the installed one; twice to compare two")
    parser.add_argument("--only", action="append", help="run only the commands whose name contains this")
    args = parser.parse_args()
    store = args.store or synthetic_store(args.reports)
    sources: list[Path | None] = args.source or [None]
    with tempfile.TemporaryDirectory(prefix="kg-startup-pycache-") as pycache:
        runs: dict[str, tuple[list[str], dict[str, str]]] = {PEER: ([sys.executable, "-c", "pass"], dict(os.environ))}
        code = ""
        for source in sources:
            env = _environment(source, Path(pycache) / str(len(runs)))
            kg = _kg(source)
            code = code or _one_region(kg, store, env)
            label = f"{source.name}: " if len(sources) > 1 and source else ""
            for name, command in _commands(kg, store, code).items():
                if not args.only or any(part in name for part in args.only):
                    runs[label + name] = (command, env)
        load = os.getloadavg()
        walls, cpus, failed = time_commands(runs, args.runs)
    where = ", ".join(str(source) if source else " ".join(_kg(None)) for source in sources)
    print(f"store {store}; kg from {where}; {args.runs} runs each; load average {load[0]:.1f} before,"
          f" {os.getloadavg()[0]:.1f} after ({os.cpu_count()} CPUs); CODE={code} WORD={SEARCH_WORD} PHRASE={SEARCH_PHRASE}"
          f" TEXT={RELATED_TEXT}")
    print(f"{'command':48} {'wall s: min median  max':>23} {'cpu s: min median  max':>23}   median wall / {PEER}")
    peer = statistics.median(walls[PEER])
    for name in runs:
        note = f"  (exit {failed[name]})" if name in failed else ""
        ratio = statistics.median(walls[name]) / peer
        print(f"{name:48} {_spread(walls[name]):>23} {_spread(cpus[name]):>23}   {ratio:6.1f}x{note}")


if __name__ == "__main__":
    main()
