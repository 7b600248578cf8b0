"""Communities of measures: groups of measures that do the same kind of thing, across regions.

Louvain communities (NetworkX, weighted, seeded) of the measure-similarity view. Each is
described by its size, regions, most frequent problem types, its most telling tokens (frequent in
the community, rare in the corpus: count x idf) and an example, its best-connected measure.
Measures linked to none form communities of one; ``communities`` returns them too, so the
communities partition the view's nodes, while the rows list those of MIN_SIZE or more.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import networkx as nx
from pyoxigraph import Store

from kg.analysis.similarity import MeasureFeatures, measure_features, similarity_graph
from kg.graph import Context
from kg.index import TextIndex

TITLE = "整改措施社群 (communities of similar measures)"
MIN_SIZE = 2
TOP_TYPES = 3
TOP_TOKENS = 6


def communities(graph: nx.Graph) -> list[set[str]]:
    """Louvain communities of a similarity graph, largest first (every node in exactly one)."""
    found = nx.community.louvain_communities(graph, weight="weight", seed=0)
    return sorted(found, key=lambda c: (-len(c), min(c)))


def describe(graph: nx.Graph, members: set[str], features: MeasureFeatures) -> dict[str, Any]:
    """Size, regions, top types and tokens, and the best-connected measure of one community."""
    regions = Counter(graph.nodes[m].get("region", "?") for m in members)
    types = Counter(t for m in members for t in str(graph.nodes[m].get("types", "")).split())
    counts = Counter(t for m in members for t in features.tokens.get(m, ()))
    telling = sorted((t for t, n in counts.items() if n > 1 or len(members) <= 2),
                     key=lambda t: (-counts[t] * features.idf.get(t, 0.0), t))
    inside = graph.subgraph(members)
    example = max(sorted(members), key=lambda m: inside.degree(m, weight="weight"))
    return {
        "size": len(members),
        "regions": "、".join(f"{code}×{n}" for code, n in sorted(regions.items(), key=lambda kv: (-kv[1], kv[0]))),
        "top_types": " ".join(f"{t}×{n}" for t, n in sorted(types.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_TYPES]),
        "top_tokens": "、".join(telling[:TOP_TOKENS]),
        "example": graph.nodes[example].get("text", graph.nodes[example].get("label", "")),
        "example_item": example,
    }


def run(store: Store, *, report: str | None = None, top: int | None = None, index: TextIndex | None = None,
        min_size: int = MIN_SIZE) -> list[dict[str, Any]]:
    context = Context.of(store, report)
    features = measure_features(context, index)
    graph = similarity_graph(context, features)
    rows: list[dict[str, Any]] = []
    for members in communities(graph):
        if len(members) >= min_size:
            rows.append({"community": len(rows) + 1, **describe(graph, members, features)})
    return rows[:top]
