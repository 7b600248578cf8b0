"""Views by name: every NetworkX view of the graph, whether read from the store or computed.

``kg graph``, ``kg viz``, ``kg export`` and the analyses ask for a view by its name; the projections
come from kg.graph, the measure-similarity view from kg.analysis.similarity (which builds on them,
so this is the one module above both).
"""

from __future__ import annotations

import networkx as nx
from pyoxigraph import Store

from kg import graph
from kg.analysis import similarity
from kg.exceptions import GraphError
from kg.index import TextIndex

VIEWS: dict[str, str] = {**graph.VIEWS, similarity.VIEW: similarity.TITLE}


def project(store: Store, view: str = "full", *, report: str | None = None, index: TextIndex | None = None) -> nx.Graph:
    """The store (or one report graph) as a NetworkX graph of the named view (the text index, when
    given, supplies the measure-similarity view's tokens)."""
    if view == similarity.VIEW:
        return similarity.measure_similarity(store, report=report, index=index)
    if view not in graph.VIEWS:
        raise GraphError(f"没有这个视图 (no view {view!r}; views: {', '.join(VIEWS)})")
    return graph.project(store, view, report=report)
