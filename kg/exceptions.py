"""The one place where xunshi-kg's errors are defined.

The library raises these; only ``kg.cli`` turns them into messages and exit codes.
Every error carries the file it concerns, so one line tells the user what and where.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


class KgError(Exception):
    """Base class of every error xunshi-kg raises on purpose."""

    def __init__(self, reason: str, path: str | Path | None = None) -> None:
        self.reason = reason
        self.path = str(path) if path is not None else None
        super().__init__(f"{self.path}: {reason}" if self.path else reason)

    def __reduce__(self) -> tuple[Any, ...]:  # errors cross process boundaries in parallel builds
        return (self.__class__, (self.reason, self.path))

    @property
    def error_class(self) -> str:
        """The class named in `kg build --log` and in the one-line message."""
        return type(self).__name__


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


class UnexpectedError(KgError):
    """A file could not be handled for a reason no rule foresaw (an exotic input, or a bug): it
    fails alone, with the original error's class and message, and the other files go on."""

    def __init__(self, reason: str, path: str | Path | None = None, error_class: str = "Exception") -> None:
        self._error_class = error_class
        super().__init__(reason, path)

    def __reduce__(self) -> tuple[Any, ...]:
        return (self.__class__, (self.reason, self.path, self._error_class))

    @property
    def error_class(self) -> str:
        return self._error_class

    @classmethod
    def wrap(cls, exc: BaseException, path: str | Path | None = None) -> KgError:
        """``exc`` itself when it is a KgError, else an UnexpectedError saying what it was, on one line."""
        if isinstance(exc, KgError):
            return exc
        name = type(exc).__name__
        detail = " ".join(str(exc).split())[:300] or name
        return cls(f"意外错误 (unexpected {name}: {detail})", path, name)


class UnknownRegionError(KgError):
    """kg compare or kg brief was given a region, committee or report the store does not hold."""
