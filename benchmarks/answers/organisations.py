"""Bodies named in measures, and their roles, against tests/labels/organisations.json (issues 22, 23).

What is compared: for each labelled measure, the set of bodies the graph links to it (by any role
edge, what ``kg:namesOrganisation`` means; by the organisation's ``skos:prefLabel``) against the set labelled by reading; and, for each body found and
labelled, its role (``kg:leadBody``, ``kg:responsibleBody``, ``kg:participantBody``, ``kg:mentionedBody``)
against the labelled role. Measures outside the labels are not counted.

Matching rule: two names match when their normal forms are equal. The normal form (:func:`normal`) is the name
after Unicode NFKC (full-width brackets become ASCII), with spaces removed, without a leading 中共/中国共产党 and
without a trailing 会议 (区委常委会会议 is 区委常委会 acting, as the labels read it). Nothing else is forgiven: 人社局
does not match 市人社局, and 纪委 does not match 区纪委监委. Each labelled body matches at most one found body.

Figures: ``precision`` (found bodies that are labelled), ``recall`` (labelled bodies that are found), both
micro-averaged over body mentions; ``role_accuracy`` (matched bodies whose role is the labelled one). The same
figures on two halves of the labels, split by problem (the labelled problems in file order, alternately: one
problem's measures stay together, and the halves hold 88 measures each): ``dev_*`` is the half the rules were
developed on, ``heldout_*`` the half whose misses were not looked at while writing them.

``python -m benchmarks.answers.organisations`` prints every figure and the misses of each half.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path

from benchmarks.answers import Bench, bench

GOALS = {"precision": 0.9, "recall": 0.8, "role_accuracy": 0.9}

LABELS_FILE = "organisations.json"
ROLES = ("lead", "responsible", "participant", "mentioned")
_PREFIXES = ("中国共产党", "中共")

#: item -> {normal name: role}
Bodies = dict[str, dict[str, str]]

_QUERY = """
PREFIX kg: <https://w3id.org/xunshi-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?measure ?name ?role WHERE {
  VALUES (?property ?role) { (kg:leadBody "lead") (kg:responsibleBody "responsible")
                             (kg:participantBody "participant") (kg:mentionedBody "mentioned") }
  ?measure ?property ?org .
  ?org skos:prefLabel ?name .
}
"""


def normal(name: str) -> str:
    """The form two names are compared in (the matching rule of the module's docstring)."""
    text = "".join(unicodedata.normalize("NFKC", name).split())
    for prefix in _PREFIXES:
        text = text.removeprefix(prefix)
    return text.removesuffix("会议") or text


def labels(path: Path) -> tuple[Bodies, dict[str, str]]:
    """The labelled bodies with their roles per measure (by item path), and each item's split."""
    items = json.loads((path / LABELS_FILE).read_text(encoding="utf-8"))["items"]
    found: Bodies = {}
    split: dict[str, str] = {}
    problems: dict[str, int] = {}
    for item in items:
        found[item["item"]] = {normal(body): item["roles"].get(body, "participant") for body in item["bodies"]}
        problem = problems.setdefault(item["item"].rsplit("/m", 1)[0], len(problems))
        split[item["item"]] = ("dev", "heldout")[problem % 2]
    return found, split


def found_in(store: object, wanted: Iterable[str]) -> Bodies:
    """The bodies the graph links to each wanted measure (item path as in the labels), with their roles; a
    body with no role edge reads as a participant (what kg:namesOrganisation meant before roles)."""
    from kg.namespaces import ID
    from kg.sparql import select, term_text

    keep = {ID + item: item for item in wanted}
    found: Bodies = {item: {} for item in keep.values()}
    for row in select(store, _QUERY):  # type: ignore[arg-type]
        item = keep.get(term_text(row["measure"]))
        if item is None:
            continue
        role = row["role"]
        found[item][normal(term_text(row["name"]))] = term_text(role) if role is not None else "participant"
    return found


def scores(found: Bodies, labelled: Bodies, items: Iterable[str]) -> dict[str, float]:
    """Precision, recall and role accuracy over the given items."""
    tp = fp = fn = right = 0
    for item in items:
        got, want = found.get(item, {}), labelled[item]
        for name, role in got.items():
            if name in want:
                tp += 1
                right += role == want[name]
            else:
                fp += 1
        fn += sum(name not in got for name in want)
    return {"precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / (tp + fn) if tp + fn else 1.0,
            "role_accuracy": right / tp if tp else 0.0}


def figures(found: Bodies, labelled: Bodies, split: Mapping[str, str]) -> dict[str, float]:
    """The goals' figures on every labelled measure, then the same on each half (dev_*, heldout_*)."""
    result = scores(found, labelled, labelled)
    for name in ("dev", "heldout"):
        part = scores(found, labelled, [item for item in labelled if split[item] == name])
        result.update({f"{name}_{figure}": value for figure, value in part.items()})
    return result


def measure(bench: Bench) -> dict[str, float]:
    from kg.store import open_store

    labelled, split = labels(bench.labels)
    store = open_store(bench.store_path, read_only=True)
    return figures(found_in(store, labelled), labelled, split)


def misses(found: Bodies, labelled: Bodies, split: Mapping[str, str], name: str) -> list[str]:
    """One line per measure of a half where the graph and the labels differ (missed -, extra +, role ~)."""
    lines = []
    for item, want in labelled.items():
        if split[item] != name:
            continue
        got = found.get(item, {})
        diff = [f"-{b}" for b in want if b not in got] + [f"+{b}" for b in got if b not in want]
        diff += [f"~{b}:{got[b]}≠{want[b]}" for b in want if b in got and got[b] != want[b]]
        if diff:
            lines.append(f"{item.split('/', 2)[1]} {item.rsplit('/', 4)[-3:]} {' '.join(diff)}")
    return lines


def main(args: list[str]) -> int:
    """Every figure; with 'dev' or 'heldout' as argument, that half's misses too."""
    from kg.store import open_store

    where = bench()
    labelled, split = labels(where.labels)
    found = found_in(open_store(where.store_path, read_only=True), labelled)
    for figure, value in figures(found, labelled, split).items():
        print(f"{figure:<26}{value:.3f}")
    for name in args:
        print(f"\n{name} misses:")
        print("\n".join(misses(found, labelled, split, name)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
