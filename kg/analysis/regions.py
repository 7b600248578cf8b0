"""Regions most alike by the kinds of problems found and rectified there.

Over the region-type view: each region is a vector of problem types weighted by the number of
problems and measures of that type. Jaccard compares the sets of types (NetworkX's
``jaccard_coefficient`` over the bipartite neighbourhoods), cosine the weighted vectors.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import networkx as nx
from pyoxigraph import Store

from kg.graph import project
from kg.index import TextIndex

TITLE = "问题类型最相似的地区 (regions most alike by problem types)"
SHARED_SHOWN = 5


def region_nodes(graph: nx.Graph) -> list[str]:
    return sorted(n for n, kind in graph.nodes(data="kind") if kind == "Region")


def cosine(graph: nx.Graph, a: str, b: str) -> float:
    """Cosine of two regions' weighted type vectors (0 when either has none)."""
    wa = {t: graph.edges[a, t].get("weight", 1) for t in graph.neighbors(a)}
    wb = {t: graph.edges[b, t].get("weight", 1) for t in graph.neighbors(b)}
    dot = sum(w * wb[t] for t, w in wa.items() if t in wb)
    norm = math.sqrt(sum(w * w for w in wa.values())) * math.sqrt(sum(w * w for w in wb.values()))
    return dot / norm if norm else 0.0


def region_similarity(graph: nx.Graph) -> list[dict[str, Any]]:
    """Every pair of regions with Jaccard and cosine, most alike (cosine, then Jaccard) first."""
    regions = region_nodes(graph)
    pairs = list(itertools.combinations(regions, 2))
    jaccard = {(a, b): j for a, b, j in nx.jaccard_coefficient(graph, pairs)}
    rows = []
    for a, b in pairs:
        shared = set(graph.neighbors(a)) & set(graph.neighbors(b))
        strongest = sorted(shared, key=lambda t: (-min(graph.edges[a, t]["weight"], graph.edges[b, t]["weight"]),
                                                  graph.nodes[t].get("notation", t)))
        rows.append({
            "region_a": graph.nodes[a].get("region", a), "name_a": graph.nodes[a].get("label", ""),
            "region_b": graph.nodes[b].get("region", b), "name_b": graph.nodes[b].get("label", ""),
            "jaccard": round(jaccard[(a, b)], 4), "cosine": round(cosine(graph, a, b), 4),
            "shared_types": len(shared),
            "top_shared": "、".join(f"{graph.nodes[t].get('notation', '')} {graph.nodes[t].get('label', '')}"
                                   for t in strongest[:SHARED_SHOWN]),
        })
    rows.sort(key=lambda r: (-r["cosine"], -r["jaccard"], r["region_a"], r["region_b"]))
    return rows


def run(store: Store, *, report: str | None = None, top: int | None = None,
        index: TextIndex | None = None) -> list[dict[str, Any]]:
    return region_similarity(project(store, "region-type", report=report))[:top]
