"""kg search against the text itself: every item whose own text contains a phrase must come back,
and before every item that does not.

The phrases are tests/labels/search.json (chosen by reading data/reports: stop-word-like words,
short words, domain terms, parts of compound words, numbers, 文号, document names, people's roles
and two phrases that occur nowhere). The truth for each phrase is found without kg's index or
search: a plain substring test over the parsed items (a problem's title, a measure's text, a
document's title), compared as multisets of texts (documents as sets of titles, one node each).

Figures, over the phrases and the three scopes (measures, problems, documents):

- ``complete_phrases``: share of phrases for which every scope returns every item containing it;
- ``exact_first``: share of phrases for which, in every scope, all hits containing it rank above
  every hit that does not;
- ``item_recall``: items found / items containing a phrase, over all phrases (micro);
- ``exact_flagged``: share of hits whose ``exact`` flag says truly whether the text contains the phrase;
- ``warned_empty``: share of phrases with no hit in a scope for which search gave a reason;
- ``parts_first``: over the phrases labelled with their parts (形式主义: 形式, 主义), share for which,
  in every scope, the hits not containing the phrase but containing every part rank above those
  missing a part (noise on one part alone comes last).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.answers import Bench

GOALS = {"complete_phrases": 1.0, "exact_first": 1.0, "item_recall": 1.0, "exact_flagged": 1.0, "warned_empty": 1.0,
         "parts_first": 1.0}
SCOPES = ("measures", "problems", "documents")


def phrases(labels: Path) -> list[dict[str, Any]]:
    """The labelled phrases, with their class, reason and (for some) parts."""
    data: list[dict[str, Any]] = json.loads((labels / "search.json").read_text(encoding="utf-8"))
    return data


def truth(reports: Path, phrase: str, cache: dict[str, object]) -> dict[str, Counter[str]]:
    """{scope: multiset of the texts containing the phrase}, by substring over the parsed items."""
    from kg.parse import parse_file

    parsed = cache.setdefault("search-parsed", [parse_file(str(p)) for p in sorted(reports.glob("*.txt"))])
    assert isinstance(parsed, list)
    return {
        "problems": Counter(p.title for r in parsed for p in r.iter_problems() if p.title and phrase in p.title),
        "measures": Counter(m.text for r in parsed for m in r.iter_measures() if phrase in m.text),
        "documents": Counter({d.title for r in parsed for d in r.documents if phrase in d.title}),
    }


def answers(bench: Bench, phrase: str) -> dict[str, Any]:
    """{scope: the search's answer} for every scope, all hits (no cut)."""
    from kg.search import search
    from kg.store import open_index, open_store

    if "search-store" not in bench.cache:
        bench.cache["search-store"] = (open_store(bench.store_path, read_only=True),
                                       open_index(bench.store_path, read_only=True))
    store, index = bench.cache["search-store"]  # type: ignore[misc]
    return {scope: search(store, index, phrase, scope, top=None) for scope in SCOPES}


def measure(bench: Bench) -> dict[str, float]:
    labels = phrases(bench.labels)
    complete = first = flagged = hits_seen = wanted = found = empty = warned = with_parts = parts_first = 0
    for label in labels:
        phrase = label["phrase"]
        expected = truth(bench.reports, phrase, bench.cache)
        results = answers(bench, phrase)
        phrase_complete = phrase_first = phrase_parts = True
        for scope in SCOPES:
            result = results[scope]
            hits = getattr(result, "hits", result)
            texts = [hit.text for hit in hits]
            got = Counter(texts) if scope != "documents" else Counter(set(texts))
            missing = expected[scope] - got
            wanted += sum(expected[scope].values())
            found += sum(expected[scope].values()) - sum(missing.values())
            phrase_complete &= not missing
            inside = [phrase in text for text in texts]
            phrase_first &= inside == sorted(inside, reverse=True)
            every = [all(part in text for part in label.get("parts", ())) for text, held in zip(texts, inside) if not held]
            phrase_parts &= every == sorted(every, reverse=True)
            flagged += sum(hit.exact == (phrase in hit.text) for hit in hits)
            hits_seen += len(hits)
            if not hits:
                empty += 1
                warned += bool(getattr(result, "warning", None))
        complete += phrase_complete
        first += phrase_first
        if label.get("parts"):
            with_parts += 1
            parts_first += phrase_parts
    return {
        "complete_phrases": complete / len(labels),
        "exact_first": first / len(labels),
        "item_recall": found / wanted if wanted else 1.0,
        "exact_flagged": flagged / hits_seen if hits_seen else 1.0,
        "warned_empty": warned / empty if empty else 1.0,
        "parts_first": parts_first / with_parts if with_parts else 1.0,
    }
