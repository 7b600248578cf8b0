"""Start-up: whole-process times of `kg --help`, `kg --version` and `kg queries`, each beside
`python -c pass` (the interpreter's own start, the floor) run in turn in the same call.

Run: python -m benchmarks.startup [--runs N]

Each command is started --runs times (after one run not counted) as a child process of this one;
wall seconds from its start to its exit, and its CPU seconds (user + system, the operating
system's accounting of the finished child). Printed as min / median / max: quote the median.
Target: `kg --help` and `kg --version` well under 0.5 s (the CLI imports what a command needs
when it runs, so these load neither jieba nor pyoxigraph).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import time

PEER = [sys.executable, "-c", "pass"]


def _kg() -> list[str]:
    """The installed `kg` script, else the module beside this interpreter."""
    found = shutil.which("kg")
    return [found] if found else [sys.executable, "-m", "kg.cli"]


def run_once(command: list[str]) -> tuple[float, float]:
    """(wall, cpu) seconds of one run of ``command``, its output thrown away."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _spread(values: list[float]) -> str:
    return f"{min(values):7.3f} {statistics.median(values):7.3f} {max(values):7.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    kg = _kg()
    commands = {"kg --help": [*kg, "--help"], "kg --version": [*kg, "--version"], "kg queries": [*kg, "queries"],
                "python -c pass": PEER}
    for command in commands.values():  # warm-up: the file system cache, .pyc files
        run_once(command)
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):  # in turn, so that a drift of the machine's speed touches every command alike
        for name, command in commands.items():
            wall, cpu = run_once(command)
            walls[name].append(wall)
            cpus[name].append(cpu)
    print(f"{'command':16} {'wall s: min  median     max':>27}   {'cpu s: min  median     max':>27}")
    for name in commands:
        print(f"{name:16} {_spread(walls[name]):>27}   {_spread(cpus[name]):>27}")
    peer = statistics.median(walls["python -c pass"])
    for name in commands:
        if name != "python -c pass":
            print(f"{name}: median wall {statistics.median(walls[name]) / peer:.1f}x python -c pass")


if __name__ == "__main__":
    main()
