"""Declared-vs-found at the right level (issue 22): the share of declared counts in data/ compared at the
level their noun names, or left "not compared" where the report lists no such level, judged against
tests/labels/declared.json (each count's level read by hand)."""

from __future__ import annotations

import json
import re

from benchmarks.answers import Bench

GOALS = {"right_level": 1.0}


def _level(level: str | None) -> str:
    """The parser's level in the labels' words: "status 已完成" is status, None is none."""
    if level is None:
        return "none"
    return "status" if level.startswith("status") else level


def measure(bench: Bench) -> dict[str, float]:
    from kg.parse import parse_file
    from kg.parse.counts import check_declared

    labels = json.loads((bench.labels / "declared.json").read_text(encoding="utf-8"))["counts"]
    right = 0
    reports = {}
    for label in labels:
        path = bench.reports.parent.parent / label["file"]
        report = reports.setdefault(label["file"], parse_file(path))
        starts = [m.start() for m in re.finditer(re.escape(label["text"]), report.text)]
        start = starts[label["occurrence"]]
        checks = {d.span[0]: c for d, c in zip(report.declared, check_declared(report.declared, report.categories),
                                               strict=True)}
        check = checks.get(start)
        right += check is not None and _level(check.level) == label["level"]
    return {"right_level": right / len(labels)}
