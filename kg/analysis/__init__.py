"""Analyses of the graph views, NetworkX style: a graph in, plain rows (dicts) out.

Each analysis module has a function over a view (``documents_by_regions(graph)``, …) and ``run(store,
*, report=None, top=None)``, which projects the view it needs and returns the rows, best first.
Beside them: ``similarity`` scores measures against each other (the measure-similarity view, which
communities groups), and ``views`` names every view, kg.graph's projections and that one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pyoxigraph import Store

from kg.analysis import centrality, communities, documents, regions
from kg.exceptions import GraphError
from kg.index import TextIndex


@dataclass(frozen=True)
class Analysis:
    name: str
    title: str
    run: Callable[..., list[dict[str, Any]]]


ANALYSES: dict[str, Analysis] = {a.name: a for a in (
    Analysis("documents-by-regions", documents.TITLE, documents.run),
    Analysis("region-similarity", regions.TITLE, regions.run),
    Analysis("centrality", centrality.TITLE, centrality.run),
    Analysis("communities", communities.TITLE, communities.run),
)}


def analyse(store: Store, name: str, *, report: str | None = None, top: int | None = None,
            index: TextIndex | None = None) -> list[dict[str, Any]]:
    """Run an analysis by name (the text index, when given, supplies the tokens of measures)."""
    if name not in ANALYSES:
        raise GraphError(f"没有这个分析 (no analysis {name!r}; analyses: {', '.join(ANALYSES)})")
    return ANALYSES[name].run(store, report=report, top=top, index=index)
