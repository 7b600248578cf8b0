"""The parser against facts read by hand from each report (tests/expected, tests/variants).

One parametrised runner over tests/expected/*.json (the real reports in data/) and
tests/variants/*.expected.json (synthetic reports in other layouts). Each difference is
listed, so a failure says exactly which field of which report went wrong.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.model import Problem, Report

from .conftest import EXPECTED, ROOT, load_expected, parsed

RELATION_AGREEMENT = 0.9  # share of hand-labelled document relations the parser must match


def _id(path: Path) -> str:
    return path.name.removesuffix(".json").removesuffix(".expected")


@pytest.fixture(params=EXPECTED, ids=_id)
def case(request: pytest.FixtureRequest) -> tuple[dict, Report]:
    expected = load_expected(request.param)
    return expected, parsed(str(ROOT / expected["report"]))


def _same(diffs: list[str], where: str, want: object, got: object) -> None:
    if want != got:
        diffs.append(f"{where}: want {want!r}, got {got!r}")


def _prefix_ok(want: str | None, got: str | None) -> bool:
    if want is None:
        return got is None
    want = want.rstrip("。.,;: ")
    return got is not None and got.startswith(want)


def _compare_problems(diffs: list[str], where: str, want: list[dict], got: list[Problem]) -> None:
    if len(want) != len(got):
        diffs.append(f"{where}: want {len(want)} problems, got {len(got)}: {[p.title and p.title[:12] for p in got]}")
        return
    for i, (w, g) in enumerate(zip(want, got, strict=True)):
        here = f"{where}/{i + 1}"
        if not _prefix_ok(w["title_prefix"], g.title):
            diffs.append(f"{here}: title want {w['title_prefix']!r}…, got {g.title!r}")
        _same(diffs, f"{here} status", w["status"], g.status)
        if w.get("measures") is not None:
            _same(diffs, f"{here} measures", w["measures"], len(g.measures))
        _compare_problems(diffs, here, w.get("subproblems", []), g.problems)


def test_report_facts(case: tuple[dict, Report]) -> None:
    expected, report = case
    diffs: list[str] = []
    _same(diffs, "title", expected["title"], report.title)
    c = expected["committee"]
    _same(diffs, "committee.name", c["name"], report.committee.name)
    _same(diffs, "committee.kind", c["kind"], report.committee.kind)
    if c.get("region_code") is not None:
        _same(diffs, "committee.region.code", c["region_code"], report.committee.region.code)
    inspection = report.to_dict()["inspection"]
    for key, value in expected["inspection"].items():
        _same(diffs, f"inspection.{key}", value, inspection[key])
    _same(diffs, "published", expected["published"], report.published and report.published.isoformat())
    _same(diffs, "signed", expected["signed"], report.signed and report.signed.isoformat())
    for key in ("phone", "email", "postcode"):
        _same(diffs, f"contact.{key}", expected["contact"][key], getattr(report.contact, key))
    assert not diffs, "\n".join(diffs)


def test_problem_tree(case: tuple[dict, Report]) -> None:
    expected, report = case
    diffs: list[str] = []
    want = expected["categories"]
    if len(want) != len(report.categories):
        diffs.append(f"categories: want {len(want)}, got {len(report.categories)}")
    for i, (w, g) in enumerate(zip(want, report.categories)):
        if not _prefix_ok(w["title_prefix"], g.title):
            diffs.append(f"category {i + 1}: title want {w['title_prefix']!r}…, got {g.title!r}")
        _compare_problems(diffs, f"category {i + 1}", w["problems"], g.problems)
    assert not diffs, "\n".join(diffs)


def test_status_counts(case: tuple[dict, Report]) -> None:
    expected, report = case
    counts: dict[str, int] = {}
    for problem in report.iter_problems():
        if problem.status:
            counts[problem.status] = counts.get(problem.status, 0) + 1
    assert counts == expected["status_counts"]


def test_documents(case: tuple[dict, Report]) -> None:
    expected, report = case
    by_title: dict[str, list] = {}
    for doc in report.documents:
        by_title.setdefault(doc.title, []).append(doc)
    missing, numbers, agree, total = [], [], 0, 0
    for want in expected["documents"]:
        docs = by_title.get(want["title"])
        if not docs:
            missing.append(want["title"])
            continue
        if want["number"] not in {d.number for d in docs}:
            numbers.append(f"{want['title']}: want 文号 {want['number']!r}, got {[d.number for d in docs]}")
        total += 1
        agree += want["relation"] in {m.relation for d in docs for m in d.mentions}
    assert not missing, f"titles not found: {missing}"
    assert not numbers, "\n".join(numbers)
    assert total == 0 or agree / total >= RELATION_AGREEMENT, f"relations agree on {agree}/{total}"


def test_declared_counts(case: tuple[dict, Report]) -> None:
    expected, report = case
    found = [(d.text, d.count) for d in report.declared]
    missing = [w for w in expected["declared"]
               if not any((w["text"] in text or text in w["text"]) and w["count"] == count for text, count in found)]
    assert not missing, f"declared counts not found: {missing}; parser found {found}"


def test_truncation_flag(case: tuple[dict, Report]) -> None:
    expected, report = case
    truncated = any("truncated" in w for w in report.warnings)
    assert truncated == expected.get("truncated", False), report.warnings
