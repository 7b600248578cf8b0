"""What the benchmarks share: the checkout's root, the golden query cases, a timer and pyoxigraph
terms as rdflib terms. Benchmarks run from the checkout's root as modules (python -m benchmarks.NAME)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def timed(fn: Callable[[], object]) -> float:
    """Seconds one call of ``fn`` takes."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def golden_cases() -> list[tuple[str, dict[str, str]]]:
    """(query, parameters) of every golden test case (tests/queries/), injection cases left out."""
    cases = []
    for case in sorted((ROOT / "tests" / "queries").glob("*.json")):
        spec = json.loads(case.read_text(encoding="utf-8"))
        if "injection" not in case.name:
            cases.append((spec["query"], spec.get("params", {})))
    return cases


def to_rdflib(term: Any) -> Any:
    """A pyoxigraph term as rdflib's (IRI, literal with its datatype, or blank node)."""
    import rdflib
    from pyoxigraph import Literal, NamedNode

    if isinstance(term, NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, Literal):
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value) if term.datatype else None)
    return rdflib.BNode(str(term))
