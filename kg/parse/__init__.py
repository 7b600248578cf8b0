"""Parse: canonical report text -> typed document model (kg.model.Report).

``parse_file`` reads and parses one file; ``parse_text`` parses text already in hand;
``parse_canonical`` parses text already cleaned (kg.ingest). They live in kg.parse.report, which
runs the stages in order, each in its own module: outline (numbered lines -> tree), structure
(roles: categories, problems, measures), documents (《》 titles), entities (committee, inspection,
contact, organisations), counts (declared counts), progress (statuses and open work), recurrence
(rounds and earlier inspections), dates, region.

The package imports none of them until one is asked for (``kg.parse.parse_file``): a command that
only needs one stage (kg.parse.region's division codes, kg.parse.documents' titles) loads that
stage, not the whole parser with kg.ingest's encoding detection (about 0.25 s).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kg.parse.report import parse_canonical, parse_file, parse_text

__all__ = ["parse_canonical", "parse_file", "parse_text"]


def __getattr__(name: str) -> Any:
    """The parsing functions, from kg.parse.report when first asked for."""
    if name in __all__:
        from kg.parse import report

        return getattr(report, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
