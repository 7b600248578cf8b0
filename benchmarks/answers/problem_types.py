"""Problem types (kg.classify) against the hand labels of tests/labels/ (types*.json, sample*.json; 428 items).

Figures are micro-averaged over (item, leaf type) pairs: an item labelled [B3, E8] and typed [B3, B1]
gives one true positive, one false positive and one false negative; an item labelled [] adds its
predicted types as false positives.

The classifier's model (kg/data/problem-types-model.txt) is trained on these labels, so the types the
graph holds for them are a training fit (``*_fit``), not a measure. The figures that are:

- ``precision``, ``recall``, ``f1``: 10-fold cross-validation over the 428 items: each fold is typed by a
  model trained on the other nine, from the item's text and headings as the graph holds them;
- ``*_heldout``: a model trained on the development half only, typing the held-out half. The labels are
  split by problem (a problem and everything under it fall on one side): the development half is
  types.json and half of types-more.json; the held-out half is the other half, which was not read
  while the keywords, features and thresholds were chosen;
- ``*_dev``: 5-fold cross-validation inside the development half (what those choices were made on).

``python -m benchmarks.answers.problem_types --train`` writes the shipped model, trained on all 428;
``--errors`` prints where the cross-validated errors are (missed types that were no candidate, or a
candidate rejected; wrong types by where their evidence was; errors by leaf).

Baseline, the keyword scorer before issue 22 (untrained, so its graph figures were a measure): precision
0.671, recall 0.772 on all 428; 0.682/0.765 on the development half, 0.658/0.782 on the held-out half.
"""

from __future__ import annotations

import json
import re
import sys
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from benchmarks.answers import Bench

GOALS = {"precision": 0.92, "recall": 0.88}
# Not yet at the goals (10-fold cross-validated, 2026-12-03: P 0.851, R 0.802; held-out half 0.832/0.808; before
# the stacked first model, the long/short evidence and nested keywords counted once: P 0.822, R 0.766, held-out
# 0.799/0.736): these floors catch a regression.
FLOORS = {"precision": 0.84, "recall": 0.79}
FOLDS = 10
DEV_FOLDS = 5

_TOP_PROBLEM = re.compile(r"^(.*?/c\d+/p\d+)")


@dataclass(frozen=True)
class Labelled:
    item: str  # the IRI path below kg's ID namespace
    gold: frozenset[str]  # leaf notations
    heldout: bool
    text: str = ""
    headings: tuple[str, ...] = ()  # as kg.rdf passes them: the problems above, nearest first, then the category


def labelled(bench: Bench) -> list[Labelled]:
    """The 428 labelled items, joined by IRI, each on its side of the split, with its text and headings."""
    context = _contexts(bench)
    items: list[Labelled] = []
    for labels, sample, split in (("types.json", "sample.json", False), ("types-more.json", "sample-more.json", True)):
        gold = json.loads((bench.labels / labels).read_text(encoding="utf-8"))
        texts = json.loads((bench.labels / sample).read_text(encoding="utf-8"))
        for label, entry in zip(gold, texts, strict=True):
            if label["item"] != entry["item"]:
                raise ValueError(f"{labels}: {label['item']} != {sample}: {entry['item']}")
            text, headings = context[label["item"]]
            items.append(Labelled(label["item"], frozenset(label["types"]), split and is_heldout(label["item"]),
                                  text, headings))
    return items


def is_heldout(item: str) -> bool:
    """Half of the problems (with all their sub-problems and measures), chosen by a hash of the IRI."""
    return _group(item) % 2 == 1


def _group(item: str) -> int:
    match = _TOP_PROBLEM.match(item)
    return zlib.crc32((match.group(1) if match else item).encode("utf-8"))


def _contexts(bench: Bench) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Every problem's and measure's text and headings, read from the graph, by IRI path."""
    from kg.namespaces import ID
    from kg.sparql import select
    from kg.store import open_store

    query = """PREFIX kg: <https://w3id.org/xunshi-kg/ontology#>
        SELECT ?node ?text ?problem ?parent ?category WHERE {
            { ?node a kg:Problem } UNION { ?node a kg:Measure } UNION { ?node a kg:ProblemCategory }
            OPTIONAL { ?node kg:text ?text } OPTIONAL { ?node kg:addresses ?problem }
            OPTIONAL { ?node kg:subProblemOf ?parent } OPTIONAL { ?node kg:category ?category } }"""
    nodes: dict[str, dict[str, str | None]] = {}
    for row in select(open_store(bench.store_path, read_only=True), query):
        nodes[row["node"].value] = {key: row[key].value if row[key] is not None else None
                                    for key in ("text", "problem", "parent", "category")}

    def headings(node: dict[str, str | None]) -> tuple[str, ...]:
        above = node["problem"] or node["parent"]
        category = nodes[node["problem"]]["category"] if node["problem"] else node["category"]
        out = []
        while above:
            out.append(nodes[above]["text"] or "")
            above = nodes[above]["parent"]
        return (*out, (nodes[category]["text"] or "") if category else "")

    return {iri.removeprefix(ID): (node["text"] or "", headings(node)) for iri, node in nodes.items()
            if node["category"] or node["problem"]}


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


def scores(pairs: Sequence[tuple[frozenset[str], frozenset[str]]]) -> tuple[float, float, float]:
    """Micro precision, recall and F1 over (gold, predicted) pairs of type sets."""
    tp = sum(len(gold & pred) for gold, pred in pairs)
    fp = sum(len(pred - gold) for gold, pred in pairs)
    fn = sum(len(gold - pred) for gold, pred in pairs)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


Typer = Callable[[Labelled], frozenset[str]]


def trained(items: Sequence[Labelled]) -> Typer:
    """A classifier whose model is trained on the items' labels only."""
    from kg.classify import classify, train

    model = train([(i.text, i.headings, i.gold) for i in items])
    return lambda i: frozenset(hit.concept.notation for hit in classify(i.text, list(i.headings), using=model))


def cross_validated(items: Sequence[Labelled], folds: int) -> list[tuple[frozenset[str], frozenset[str]]]:
    """(gold, predicted) for every item, each typed by a model trained on the folds it is not in
    (folds are by problem, like the split, so no measure is typed by a model that saw its siblings)."""
    pairs: list[tuple[frozenset[str], frozenset[str]]] = []
    for fold in range(folds):
        typer = trained([i for i in items if _group(i.item) % folds != fold])
        pairs.extend((i.gold, typer(i)) for i in items if _group(i.item) % folds == fold)
    return pairs


def diagnosis(items: Sequence[Labelled], folds: int = FOLDS) -> list[str]:
    """Where the cross-validated errors are, as lines of a table: each missed type (false negative) by
    whether it was a candidate at all (a keyword in the item's text or headings) and, if so, where its
    evidence was; each wrong type (false positive) by where its evidence was; errors by leaf."""
    from collections import Counter

    from kg.classify import decide, train

    missed: Counter[tuple[str, str]] = Counter()
    wrong: Counter[tuple[str, str]] = Counter()
    by_leaf: dict[str, Counter[str]] = {}
    ranked: list[tuple[frozenset[str], frozenset[str]]] = []  # the |gold| most probable: the ranking's ceiling
    for fold in range(folds):
        model = train([(i.text, i.headings, i.gold) for i in items if _group(i.item) % folds != fold])
        for i in (i for i in items if _group(i.item) % folds == fold):
            scored = model.scored(i.text, list(i.headings))
            evidence = {c.concept.notation: "own" if c.own else "near only" if c.near else "far only"
                        for c, _ in scored}
            kept = {c.concept.notation for c, _ in decide(scored)}
            best = sorted(scored, key=lambda cp: (-cp[1], cp[0].concept.notation))[:len(i.gold)]
            ranked.append((i.gold, frozenset(c.concept.notation for c, _ in best)))
            kind = "measure" if i.item.rsplit("/", 1)[-1].startswith("m") else "problem"
            for leaf in i.gold - kept:
                missed[(f"rejected, {evidence[leaf]}" if leaf in evidence else "no candidate", kind)] += 1
            for leaf in kept - i.gold:
                wrong[(evidence[leaf], kind)] += 1
            for leaf, outcome in ([(x, "tp") for x in kept & i.gold] + [(x, "fp") for x in kept - i.gold]
                                  + [(x, "fn") for x in i.gold - kept]):
                by_leaf.setdefault(leaf, Counter())[outcome] += 1
    lines = ["if each item's number of types were known (its most probable concepts): P %.3f, R %.3f"
             % scores(ranked)[:2]]
    for name, counts in (("false negatives", missed), ("false positives", wrong)):
        total = sum(counts.values())
        lines.append(f"{name}: {total}")
        lines += [f"  {why:<24}{kind:<9}{n:4d}  {n / total:.2f}" for (why, kind), n in sorted(counts.items())]
    lines.append("leaf   tp  fp  fn")
    lines += [f"{leaf:<5}{c['tp']:4d}{c['fp']:4d}{c['fn']:4d}"
              for leaf, c in sorted(by_leaf.items(), key=lambda lc: (-lc[1]["fp"] - lc[1]["fn"], lc[0]))
              if c["fp"] or c["fn"]]
    return lines


def measure(bench: Bench) -> dict[str, float]:
    items = labelled(bench)
    dev = [i for i in items if not i.heldout]
    heldout = [i for i in items if i.heldout]
    graph = predicted(bench)
    typer = trained(dev)
    figures: dict[str, float] = {}
    for suffix, pairs in (("", cross_validated(items, FOLDS)),
                          ("_dev", cross_validated(dev, DEV_FOLDS)),
                          ("_heldout", [(i.gold, typer(i)) for i in heldout]),
                          ("_fit", [(i.gold, graph.get(i.item, frozenset())) for i in items])):
        precision, recall, f1 = scores(pairs)
        figures.update({f"precision{suffix}": precision, f"recall{suffix}": recall, f"f1{suffix}": f1})
    figures.update({"items": float(len(items)), "items_dev": float(len(dev)), "items_heldout": float(len(heldout))})
    return figures


def write_model(bench: Bench) -> str:
    """Train the shipped model on all the labels and write it to kg/data/; returns the path."""
    from kg.classify import MODEL_FILE, train

    items = labelled(bench)
    model = train([(i.text, i.headings, i.gold) for i in items])
    path = bench.reports.parent.parent / "kg" / "data" / MODEL_FILE
    header = ["# Weights of kg.classify's model (feature, tab, weight): two logistic regressions over the keyword",
              "# evidence of a candidate concept: the first (first|...), which types the item and its heading, and the",
              f"# second, which also weighs those probabilities; trained on {len(items)} hand-labelled items of tests/labels/ by",
              "# python -m benchmarks.answers.problem_types --train (do not edit by hand)."]
    path.write_text("\n".join(header + model.lines()) + "\n", encoding="utf-8")
    return str(path)


if __name__ == "__main__":
    from benchmarks.answers import bench as _bench

    if "--train" in sys.argv[1:]:
        print(write_model(_bench()))
    elif "--errors" in sys.argv[1:]:
        print("\n".join(diagnosis(labelled(_bench()))))
    else:
        for name, value in measure(_bench()).items():
            print(f"{name:<20}{value:8.3f}")
