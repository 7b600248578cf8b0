"""Documents cited by the most regions: which policies travel between places.

Over the full view: a document is cited by a report when the report mentions it (a
DocumentMention anywhere in the report, as the saved query shared-documents counts); its regions
and committees are those of the citing reports, its measures those that formulate, apply or
mention it.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
from pyoxigraph import Store

from kg.graph import CITES, project
from kg.index import TextIndex

TITLE = "被最多地区引用的文件 (documents cited by the most regions)"


def documents_by_regions(full: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """One row per document: regions, committees, reports and measures citing it, most regions first."""
    committee_of = {u: v for u, v, relation in full.edges(data="relation") if relation == "committee"}
    rows = []
    for node, attributes in full.nodes(data=True):
        if attributes.get("kind") != "NamedDocument":
            continue
        reports, measures = set(), set()
        for source, _, relation in full.in_edges(node, data="relation"):
            if relation == "document" and "report" in full.nodes[source]:
                reports.add(full.nodes[source]["report"])
            elif relation in CITES:
                measures.add(source)
        committees = {committee_of[r] for r in reports if r in committee_of}
        regions = sorted({(full.nodes[c]["region"], full.nodes[c].get("region_label", "")) for c in committees
                          if "region" in full.nodes[c]})
        rows.append({
            "document": node, "title": attributes.get("title", ""), "number": attributes.get("identifier", ""),
            "regions": len(regions), "committees": len(committees), "reports": len(reports), "measures": len(measures),
            "region_names": "、".join(f"{label}({code})" for code, label in regions),
        })
    rows.sort(key=lambda r: (-r["regions"], -r["committees"], -r["measures"], r["title"]))
    return rows


def run(store: Store, *, report: str | None = None, top: int | None = None,
        index: TextIndex | None = None) -> list[dict[str, Any]]:
    return documents_by_regions(project(store, "full", report=report))[:top]
