"""The one place where xunshi-kg's errors are defined.

The library raises these; only ``kg.cli`` turns them into messages and exit codes.
Every error carries the file it concerns, so one line tells the user what and where.
"""

from __future__ import annotations

from pathlib import Path


class KgError(Exception):
    """Base class of every error xunshi-kg raises on purpose."""

    def __init__(self, reason: str, path: str | Path | None = None) -> None:
        self.reason = reason
        self.path = str(path) if path is not None else None
        super().__init__(f"{self.path}: {reason}" if self.path else reason)

    def __reduce__(self):  # noqa: ANN204 - errors cross process boundaries in parallel builds
        return (self.__class__, (self.reason, self.path))


class IngestError(KgError):
    """The file could not be turned into text (missing, empty, binary, undecodable)."""


class NoReportError(KgError):
    """The text was read but holds no rectification report."""


class StoreError(KgError):
    """The store could not be opened or does not hold what was asked for."""


class QueryError(KgError):
    """A saved query is unknown, malformed, or got a bad parameter."""


class GraphError(KgError):
    """A graph view, analysis or export format is unknown, or an export could not be written."""


class VizError(KgError):
    """A picture of the graph could not be drawn: empty view, no Chromium, or the page did not render."""


class EndpointError(KgError):
    """A SPARQL server could not be started, reached, or answered with an error."""
