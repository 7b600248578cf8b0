"""Central documents and organisations: which ones hold the rectification work together.

- in the committee-document view: degree (committees citing a document) and betweenness
  (documents that bridge committees which otherwise cite nothing in common);
- in the full view: in-degree (measures and mentions pointing at the node), betweenness over the
  undirected structure, and PageRank over the directed graph.

Betweenness costs a breadth-first search per node; it is exact while nodes x edges stays under
EXACT_WORK and estimated from a seeded sample of source nodes above that (NetworkX's ``k``, at
least MIN_SAMPLE), so results repeat.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
from pyoxigraph import Store

from kg.graph import project
from kg.index import TextIndex

TITLE = "核心文件与机构 (central documents and organisations)"
KINDS = ("NamedDocument", "Organisation")
EXACT_WORK = 500_000
MIN_SAMPLE = 10


def betweenness(graph: nx.Graph) -> dict[str, float]:
    """Normalised betweenness, sampled (seeded) on large graphs."""
    n, m = graph.number_of_nodes(), max(graph.number_of_edges(), 1)
    k = None if n * m <= EXACT_WORK else min(n, max(MIN_SAMPLE, EXACT_WORK // m))
    scores: dict[str, float] = nx.betweenness_centrality(graph, k=k, seed=0 if k else None)
    return scores


def pagerank(graph: nx.DiGraph) -> dict[str, float]:
    """PageRank; NetworkX's default needs SciPy, so its pure-Python version is used without it."""
    try:
        scores: dict[str, float] = nx.pagerank(graph)
    except ModuleNotFoundError:
        from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

        scores = _pagerank_python(graph)
    return scores


def centrality(full: nx.MultiDiGraph, committee_document: nx.Graph) -> list[dict[str, Any]]:
    """Documents and organisations with their centralities, highest PageRank first."""
    simple = nx.DiGraph(full)  # parallel edges of different relations count once
    ranks = pagerank(simple)
    between_full = betweenness(nx.Graph(simple))
    between_cd = betweenness(committee_document)
    rows = []
    for node, attributes in full.nodes(data=True):
        if attributes.get("kind") not in KINDS:
            continue
        in_cd = node in committee_document
        rows.append({
            "kind": attributes["kind"], "label": attributes.get("label", ""), "region": attributes.get("region", ""),
            "committees": committee_document.degree(node) if in_cd else 0,
            "cd_betweenness": round(between_cd.get(node, 0.0), 6),
            "in_degree": simple.in_degree(node), "betweenness": round(between_full.get(node, 0.0), 6),
            "pagerank": round(ranks.get(node, 0.0), 6), "item": node,
        })
    rows.sort(key=lambda r: (-r["pagerank"], -r["in_degree"], r["item"]))
    return rows


def run(store: Store, *, report: str | None = None, top: int | None = None,
        index: TextIndex | None = None) -> list[dict[str, Any]]:
    full = project(store, "full", report=report)
    return centrality(full, project(store, "committee-document", report=report))[:top]
