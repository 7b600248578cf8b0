"""How far two readers agree on problem types: the blind second labels against the first ones.

    python -m benchmarks.answers.agreement        # figures, per-type disagreements, adjudication

tests/labels/types-second.json holds a second reader's leaf types for 120 of the 428 labelled items
(tools/second_sample.py draws them), made without seeing the first labels (types.json, types-more.json,
joined to sample.json, sample-more.json by index). This prints, over those 120 items:

- ``precision``, ``recall``, ``f1``: micro-averaged over (item, leaf type) pairs, the second reader scored
  with the first as truth, exactly as benchmarks/answers/problem_types.py scores the classifier. What two
  careful readers reach is a ceiling for what a classifier can be shown to reach against one of them;
- ``exact``: share of items given the same set of types;
- ``kappa``: Cohen's kappa over every (item, leaf) yes/no decision pooled; ``kappa_macro``: its mean over
  the leaves either reader used;
- per leaf: items only the first reader gave it, only the second, both;
- ``precision_ci``, ``recall_ci``: 95% percentile intervals of those two over 2000 bootstrap resamples of
  the items (seeded), since 120 items leave room;
- by kind (problem, measure): the same micro figures and exact share;
- when tests/labels/types-adjudication.json exists (each disagreement re-read and ``decided``): both
  readers scored against the decided types, over the 120 items (agreed items count as decided as labelled),
  and the decided types scored against the first labels: what a classifier that always agreed with the
  adjudication would score on the first labels.

It reads only label files and the taxonomy; it builds no store and runs no classifier.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from benchmarks.common import ROOT

LABELS = ROOT / "tests" / "labels"
FIRST = (("types.json", "sample.json"), ("types-more.json", "sample-more.json"))
SECOND = "types-second.json"
ADJUDICATION = "types-adjudication.json"
BOOTSTRAP = 2000
SEED = 20261203

Labels = dict[str, frozenset[str]]


def _read(path: Path) -> list[dict[str, object]]:
    data: list[dict[str, object]] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _types(entry: Mapping[str, object], key: str = "types") -> frozenset[str]:
    value = entry[key]
    assert isinstance(value, list)
    return frozenset(str(t) for t in value)


def first_labels(labels: Path = LABELS) -> Labels:
    """The first reader's types by item, each labels file joined to its sample file by index."""
    joined: Labels = {}
    for types_file, sample_file in FIRST:
        for label, sample in zip(_read(labels / types_file), _read(labels / sample_file), strict=True):
            if label["item"] != sample["item"]:
                raise ValueError(f"{types_file}: {label['item']} is not {sample['item']} of {sample_file}")
            joined[str(sample["item"])] = _types(label)
    return joined


def second_labels(labels: Path = LABELS) -> Labels:
    """The second reader's types by item, in file order."""
    return {str(e["item"]): _types(e) for e in _read(labels / SECOND)}


def decided_labels(labels: Path = LABELS) -> Labels | None:
    """The adjudicated types of the items the readers disagree on, or None before adjudication."""
    path = labels / ADJUDICATION
    if not path.exists():
        return None
    return {str(e["item"]): _types(e, "decided") for e in _read(path)}


def micro(truth: Labels, guess: Labels, items: Iterable[str]) -> dict[str, float]:
    """Micro precision, recall and F1 of guess against truth over (item, type) pairs."""
    tp = fp = fn = 0
    for item in items:
        tp += len(guess[item] & truth[item])
        fp += len(guess[item] - truth[item])
        fn += len(truth[item] - guess[item])
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def kappa(a: list[bool], b: list[bool]) -> float:
    """Cohen's kappa of two readers' yes/no decisions (1.0 when chance agreement is total and so is theirs)."""
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    pa, pb = sum(a) / n, sum(b) / n
    chance = pa * pb + (1 - pa) * (1 - pb)
    return 1.0 if chance == 1 else (observed - chance) / (1 - chance)


def per_leaf(first: Labels, second: Labels, items: list[str], leaves: list[str]) -> dict[str, tuple[int, int, int]]:
    """For each leaf: (items only the first reader gave it, only the second, both)."""
    table = {}
    for leaf in leaves:
        f = {i for i in items if leaf in first[i]}
        s = {i for i in items if leaf in second[i]}
        table[leaf] = (len(f - s), len(s - f), len(f & s))
    return table


def figures(first: Labels, second: Labels, items: list[str], leaves: list[str]) -> dict[str, float]:
    """Agreement figures of the second reader against the first over items."""
    result = micro(first, second, items)
    result["exact"] = sum(first[i] == second[i] for i in items) / len(items)
    pooled_a = [leaf in first[i] for i in items for leaf in leaves]
    pooled_b = [leaf in second[i] for i in items for leaf in leaves]
    result["kappa"] = kappa(pooled_a, pooled_b)
    used = [leaf for leaf in leaves if any(leaf in first[i] or leaf in second[i] for i in items)]
    result["kappa_macro"] = sum(
        kappa([leaf in first[i] for i in items], [leaf in second[i] for i in items]) for leaf in used
    ) / len(used)
    result["items"] = len(items)
    return result


def bootstrap(truth: Labels, guess: Labels, items: list[str]) -> dict[str, tuple[float, float]]:
    """95% percentile intervals of micro precision and recall over resamples of the items."""
    rng = random.Random(SEED)
    draws = [micro(truth, guess, rng.choices(items, k=len(items))) for _ in range(BOOTSTRAP)]
    low, high = int(0.025 * BOOTSTRAP), int(0.975 * BOOTSTRAP) - 1
    result = {}
    for name in ("precision", "recall"):
        values = sorted(d[name] for d in draws)
        result[name] = (values[low], values[high])
    return result


def leaf_notations() -> list[str]:
    """The taxonomy's leaf notations in scheme order (A1 … E12)."""
    from kg.classify import taxonomy

    return sorted((c.notation for c in taxonomy().leaves), key=lambda n: (n[0], int(n[1:])))


def _kinds(labels: Path = LABELS) -> dict[str, str]:
    return {str(e["item"]): str(e["kind"]) for _, sample in FIRST for e in _read(labels / sample)}


def main() -> int:
    first_all, second = first_labels(), second_labels()
    items = list(second)
    missing = [i for i in items if i not in first_all]
    if missing:
        print(f"{SECOND}: {len(missing)} items not in the first labels, e.g. {missing[0]}")
        return 2
    first = {i: first_all[i] for i in items}
    leaves = leaf_notations()
    print(f"second reader vs first (first as truth), {len(items)} items")
    for name, value in figures(first, second, items, leaves).items():
        print(f"  {name:<12}{value:>8.3f}" if name != "items" else f"  {name:<12}{int(value):>8}")
    for name, (low, high) in bootstrap(first, second, items).items():
        print(f"  {name + '_ci':<12}{low:>8.3f}{high:>7.3f}")
    kinds = _kinds()
    for kind in ("problem", "measure"):
        some = [i for i in items if kinds[i] == kind]
        got = micro(first, second, some)
        exact = sum(first[i] == second[i] for i in some) / len(some)
        print(f"  {kind + 's':<9}({len(some)}) precision {got['precision']:.3f}  recall {got['recall']:.3f}  "
              f"exact {exact:.3f}")
    print("per leaf: only first / only second / both (leaves with a disagreement)")
    for leaf, (f, s, both) in per_leaf(first, second, items, leaves).items():
        if f or s:
            print(f"  {leaf:<4}{f:>4}{s:>4}{both:>4}")
    decided = decided_labels()
    if decided is not None:
        truth = {i: decided.get(i, first[i]) for i in items}
        unsettled = [i for i in items if first[i] != second[i] and i not in decided]
        print(f"against the adjudicated types ({len(decided)} disagreements re-read, {len(unsettled)} not yet)")
        for name, labels in (("first", first), ("second", second)):
            got = micro(truth, labels, items)
            exact = sum(truth[i] == labels[i] for i in items) / len(items)
            print(f"  {name:<7} precision {got['precision']:.3f}  recall {got['recall']:.3f}  "
                  f"f1 {got['f1']:.3f}  exact {exact:.3f}")
        ceiling = micro(first, truth, items)
        print(f"  decided scored on the first labels: precision {ceiling['precision']:.3f}  "
              f"recall {ceiling['recall']:.3f}  f1 {ceiling['f1']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
