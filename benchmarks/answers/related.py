"""Related measures (``kg related``) against the needs judged by hand in tests/labels/related.json (issue 22).

Each label is a seed and its judged measures: a need written as an officer would put it (``kind: text``), a
measure (``kind: measure``) or a problem (``kind: problem``) of data/, with ``relevant`` true or false for every
measure pooled for it (tests/labels/README.md says how they were pooled and judged). A result that was never
judged counts as not relevant (pooled judging), so ``unjudged@10`` says how many results of the top 10 the
labels do not cover: it must stay near 0 for the figures to mean anything.

Figures per kind of seed: ``P@5``, ``P@10`` (share of relevant results in the first 5 or 10) and ``nDCG@10``
(binary gain; the ideal ranking puts every judged relevant measure first, those of the seed's own report left
out since a measure or problem seed never returns them), averaged over all seeds of the kind (the figures the
goals hold), and ``p@10_max``, the P@10 a perfect ranking would reach (fewer than ten relevant measures judged
cap it); the same over the ``dev`` seeds as ``dev_*``, over the seeds labelled ``held-out`` (judged
before the ranking was tuned) as ``heldout_*``, and over the held-out seeds of the second round (``round:
2``, added and judged before the second round of ranking changes, their misses never looked at) as
``round2_*``, and over those of the third round (``round: 3``, eight needs added and judged before the third
round of changes) as ``round3_*``: the measures no tuning has seen. The nine needs of the fourth round (``round: 4``)
are ``dev``: written on new topics to tune on, since the first round's dev needs sat at their ceiling.

``python -m benchmarks.answers.related`` prints every figure, each seed's, and the dev seeds' misses.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
from typing import Any

from benchmarks.answers import Bench, bench

GOALS = {"text_p@5": 0.9, "text_p@10": 0.85, "measure_p@5": 0.8, "problem_p@5": 0.8}
#: text P@5 and P@10 are below their goals on the 41 text seeds: the eight needs of the third round (held out,
#: on topics with 6 to 15 relevant measures in data/) were added at 0.525 and 0.375, which took the averages from
#: 0.933 and 0.821 (24 seeds) to 0.831 and 0.709; after the third round's change 0.831 and 0.712. The nine dev needs
#: of the fourth round (4 to 13 relevant measures each, P@10 capped at 0.567 on average) were added at 0.644 and
#: 0.444 (all text seeds 0.790, 0.654); the fourth round's change (0.800 and 0.654) was taken back: it cost 4-6 s a
#: need at 1,000 reports for nothing on the held-out needs. The floors are the figures reached, rounded down; the
#: other goals are met
FLOORS = {"text_p@5": 0.79, "text_p@10": 0.65}

LABELS_FILE = "related.json"
KINDS = ("text", "measure", "problem")
TOP = 10


@dataclass
class Seed:
    kind: str
    topic: str
    split: str
    query: str  # the need's text, or the IRI of the measure or problem
    judged: dict[str, bool]
    round: int = 1  # 2, 3: the held-out seeds added and judged before the second, third round of ranking changes; 4: dev

    @property
    def report(self) -> str | None:
        """The seed's own report (its results never come from it)."""
        if self.kind == "text":
            return None
        return self.query.split("/c", 1)[0]


def load(bench_: Bench) -> list[Seed]:
    from kg.namespaces import ID

    entries = json.loads((bench_.labels / LABELS_FILE).read_text(encoding="utf-8"))
    seeds = []
    for entry in entries:
        kind = entry.get("kind", "measure")
        query = entry["text"] if kind == "text" else ID + entry["source"]
        judged = {ID + j["item"]: bool(j["relevant"]) for j in entry["judgements"]}
        seeds.append(Seed(kind, entry["topic"], entry.get("split", "dev"), query, judged, entry.get("round", 1)))
    return seeds


def ranked(bench_: Bench, seed: Seed) -> list[str]:
    """The IRIs of the top results of ``kg related`` for a seed."""
    from kg.related import related
    from kg.store import open_index, open_store

    store = bench_.cache.get("store")
    index = bench_.cache.get("index")
    if store is None or index is None:
        store = bench_.cache["store"] = open_store(bench_.store_path, read_only=True)
        index = bench_.cache["index"] = open_index(bench_.store_path, read_only=True)
    args: dict[str, Any] = {seed.kind: seed.query}
    return [r.item for r in related(store, index, top=TOP, **args)]  # type: ignore[arg-type]


def scores(seed: Seed, items: list[str]) -> dict[str, float]:
    gains = [1.0 if seed.judged.get(item) else 0.0 for item in items[:TOP]]
    relevant = [i for i, ok in seed.judged.items() if ok and (seed.report is None or not i.startswith(seed.report + "/"))]
    dcg = sum(g / math.log2(rank + 2) for rank, g in enumerate(gains))
    ideal = sum(1 / math.log2(rank + 2) for rank in range(min(TOP, len(relevant))))
    return {"p@5": sum(gains[:5]) / 5, "p@10": sum(gains) / TOP, "ndcg@10": dcg / ideal if ideal else 0.0,
            "p@10_max": min(TOP, len(relevant)) / TOP,
            "unjudged@10": sum(1 for item in items[:TOP] if item not in seed.judged)}


def per_seed(bench_: Bench) -> list[tuple[Seed, list[str], dict[str, float]]]:
    key = "related.per_seed"
    if key not in bench_.cache:
        rows = []
        for seed in load(bench_):
            items = ranked(bench_, seed)
            rows.append((seed, items, scores(seed, items)))
        bench_.cache[key] = rows
    return bench_.cache[key]  # type: ignore[return-value]


def measure(bench_: Bench) -> dict[str, float]:
    rows = per_seed(bench_)
    figures: dict[str, float] = {}
    for prefix, keep in (("", lambda s: True), ("dev_", lambda s: s.split != "held-out"),
                         ("heldout_", lambda s: s.split == "held-out"), ("round2_", lambda s: s.round == 2),
                         ("round3_", lambda s: s.round == 3)):
        for kind in KINDS:
            chosen = [sc for seed, _, sc in rows if seed.kind == kind and keep(seed)]
            if not chosen:
                continue
            for name in ("p@5", "p@10", "ndcg@10", "p@10_max"):
                figures[f"{prefix}{kind}_{name}"] = sum(sc[name] for sc in chosen) / len(chosen) if chosen else 0.0
    figures["unjudged@10"] = sum(sc["unjudged@10"] for _, _, sc in rows)
    return figures


def main() -> int:
    from kg.namespaces import ID

    b = bench()
    figures = measure(b)
    for name, value in figures.items():
        goal = GOALS.get(name)
        print(f"{name:<24}{value:8.3f}" + (f"  goal {goal}" if goal is not None else ""))
    print()
    for seed, items, sc in per_seed(b):
        print(f"{seed.kind:<8}{seed.split:<9}{seed.topic:<12}\tP@5 {sc['p@5']:.1f}  P@10 {sc['p@10']:.1f}  "
              f"nDCG {sc['ndcg@10']:.2f}  unjudged {sc['unjudged@10']:.0f}")
        if seed.split == "dev":
            for rank, item in enumerate(items[:TOP], 1):
                verdict = seed.judged.get(item)
                if verdict is not True:
                    print(f"    {rank:>2} {'unjudged' if verdict is None else 'no':<9}{item.removeprefix(ID)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
