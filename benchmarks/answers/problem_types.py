"""Problem types (kg.classify) against the hand labels of tests/labels/ (types*.json, sample*.json; 428 items).

Figures are micro-averaged over (item, leaf type) pairs: an item labelled [B3, E8] and typed [B3, B1]
gives one true positive, one false positive and one false negative. An item labelled [] adds its
predicted types as false positives.

The types measured are the ones the graph holds (``kg:problemType`` of each labelled item in the data/
store), so the figure is the answer users get. The labels are split in two by problem (a problem and
everything under it fall on one side): the development half (types.json and half of types-more.json)
is what the classifier's keywords were revised against; the held-out half was not read while
revising, and its figures (``*_heldout``) are the ones that say how the classifier does on text it was
not tuned to.
"""

from __future__ import annotations

import json
import re
import zlib
from dataclasses import dataclass

from benchmarks.answers import Bench

GOALS = {"precision": 0.92, "recall": 0.88}

_TOP_PROBLEM = re.compile(r"^(.*?/c\d+/p\d+)")


@dataclass(frozen=True)
class Labelled:
    item: str  # the IRI path below kg's ID namespace
    gold: frozenset[str]  # leaf notations
    heldout: bool


def labelled(bench: Bench) -> list[Labelled]:
    """The 428 labelled items, joined by IRI, each on its side of the split."""
    items: list[Labelled] = []
    for labels, sample, split in (("types.json", "sample.json", False), ("types-more.json", "sample-more.json", True)):
        gold = json.loads((bench.labels / labels).read_text(encoding="utf-8"))
        texts = json.loads((bench.labels / sample).read_text(encoding="utf-8"))
        for label, entry in zip(gold, texts, strict=True):
            if label["item"] != entry["item"]:
                raise ValueError(f"{labels}: {label['item']} != {sample}: {entry['item']}")
            items.append(Labelled(label["item"], frozenset(label["types"]), split and is_heldout(label["item"])))
    return items


def is_heldout(item: str) -> bool:
    """Half of the problems (with all their sub-problems and measures), chosen by a hash of the IRI."""
    match = _TOP_PROBLEM.match(item)
    return zlib.crc32((match.group(1) if match else item).encode("utf-8")) % 2 == 1


def predicted(bench: Bench) -> dict[str, frozenset[str]]:
    """Leaf notations the graph assigns to every problem and measure, by IRI path."""
    from kg.classify import taxonomy
    from kg.namespaces import ID
    from kg.sparql import select
    from kg.store import open_store

    notation = {iri: concept.notation for iri, concept in taxonomy().concepts.items()}
    query = """PREFIX kg: <https://w3id.org/xunshi-kg/ontology#>
        SELECT ?item ?type WHERE { ?item kg:problemType ?type }"""
    found: dict[str, set[str]] = {}
    for row in select(open_store(bench.store_path, read_only=True), query):
        found.setdefault(row["item"].value.removeprefix(ID), set()).add(notation[row["type"].value])
    return {item: frozenset(types) for item, types in found.items()}


def scores(pairs: list[tuple[frozenset[str], frozenset[str]]]) -> tuple[float, float, float]:
    """Micro precision, recall and F1 over (gold, predicted) pairs of type sets."""
    tp = sum(len(gold & pred) for gold, pred in pairs)
    fp = sum(len(pred - gold) for gold, pred in pairs)
    fn = sum(len(gold - pred) for gold, pred in pairs)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def measure(bench: Bench) -> dict[str, float]:
    items = labelled(bench)
    types = predicted(bench)
    figures: dict[str, float] = {}
    for suffix, chosen in (("", items), ("_dev", [i for i in items if not i.heldout]),
                           ("_heldout", [i for i in items if i.heldout])):
        precision, recall, f1 = scores([(i.gold, types.get(i.item, frozenset())) for i in chosen])
        figures.update({f"precision{suffix}": precision, f"recall{suffix}": recall, f"f1{suffix}": f1,
                        f"items{suffix}": float(len(chosen))})
    return figures


if __name__ == "__main__":
    from benchmarks.answers import bench as _bench

    for name, value in measure(_bench()).items():
        print(f"{name:<20}{value:8.3f}")
