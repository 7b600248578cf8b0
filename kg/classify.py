"""Problem types: the SKOS taxonomy (kg/ontology/problem-types.ttl) and the classifier that assigns them.

Names of places, zones and committees (秦皇岛, 鼓楼区, 开发区, 高新区, 党工委, 区委…) are removed from an
item's text and its headings first, so that a name is never evidence. The candidates are the leaf
concepts with a keyword in what is left of the item's own text, of the nearest heading (the problem a
measure or sub-problem sits under) or of the headings further up (the category included); a keyword
inside one of its concept's kg:keywordNotWithin phrases (教育 in 警示教育) does not count, nor one inside a
longer keyword of the same concept found there (从严治党 in 全面从严治党: one piece of evidence). A logistic
regression weighs each candidate's evidence (own, near or far, apart for long and short texts; how
strong, beside the other candidates'; which keywords matched, so that misleading ones weigh less) and
the probabilities that a first such regression gives the concept for the item and for its nearest
heading (a measure mostly has its problem's types) and the item's best rival, and gives it a
probability; the weights of both are kg/data/problem-types-model.txt, trained on the hand labels of
tests/labels/ by ``train``. A concept is kept when its probability reaches KEEP (absolute evidence, not
a share of the best; several can), or when it is the best and reaches MIN_SCORE. Each is explained by
the keywords that matched, those of a heading in brackets.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
import zlib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from itertools import repeat
from operator import mul
from pathlib import Path
from typing import TYPE_CHECKING

from pyoxigraph import Literal, NamedNode, RdfFormat, Variable, parse

from kg.namespaces import KG, SKOS, TYPES, sparql_prefixes
from kg.resources import DIVISIONS_FILE, ONTOLOGY_DIR
from kg.sparql import Term, select, values_clause, with_values
from kg.text import add_words, cache_dir, installed_stamp, read_cached, tokens, write_cached

KEYWORD_SEPARATOR = "、"  # joins an assignment's matched keywords in the graph (no keyword holds one)

if TYPE_CHECKING:
    from pyoxigraph import Store

TYPES_FILE = ONTOLOGY_DIR / "problem-types.ttl"
MODEL_FILE = "problem-types-model.txt"  # in kg/data/
KEYWORD = KG + "keyword"
NOT_WITHIN = KG + "keywordNotWithin"
KEEP = 0.5  # a concept this probable is kept whatever the others score
MIN_SCORE = 0.2  # the best concept is kept from this probability on
MAX_TYPES = 3
SUBSTRING_FROM = 3  # keywords this long are also found inside a word (jieba cuts 不作为 of 部门不作为 apart)
NAMES_KEPT = 2  # name-table cache files kept (kg.text.write_cached)
MEMO_LIMIT = 20_000  # texts whose keywords a process keeps (a report has about 150)


@dataclass
class Concept:
    iri: str
    notation: str
    label_zh: str
    label_en: str
    definition: str = ""
    broader: str | None = None
    keywords: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)  # phrases inside which the keywords do not count

    @property
    def slug(self) -> str:
        return self.iri.removeprefix(TYPES)


@dataclass
class TypeHit:
    concept: Concept
    score: float
    matched: list[str]


@dataclass
class Taxonomy:
    concepts: dict[str, Concept]

    @property
    def leaves(self) -> list[Concept]:
        return [c for c in self.concepts.values() if c.broader is not None]

    @property
    def top(self) -> list[Concept]:
        return sorted((c for c in self.concepts.values() if c.broader is None), key=lambda c: c.notation)

    def children(self, concept: Concept) -> list[Concept]:
        return sorted((c for c in self.leaves if c.broader == concept.iri), key=lambda c: _order(c.notation))

    def family(self, concept: Concept) -> list[Concept]:
        """The concept and its kinds: what an item of that type may have been assigned (kinds only)."""
        return [concept, *self.children(concept)]

    def find(self, key: str) -> Concept | None:
        """A concept by notation (B3), Chinese or English label, slug or IRI."""
        key = key.strip()
        for concept in self.concepts.values():
            if key.lower() in (concept.notation.lower(), concept.label_zh, concept.label_en.lower(), concept.slug,
                               concept.iri):
                return concept
        return None

    def top_of(self, concept: Concept) -> Concept:
        return self.concepts[concept.broader] if concept.broader else concept

    @cached_property
    def matcher(self) -> _Matcher:
        return _Matcher.of(self)


def _order(notation: str) -> tuple[str, int]:
    return notation[0], int(notation[1:] or 0)


@lru_cache(maxsize=1)
def taxonomy(path: Path = TYPES_FILE) -> Taxonomy:
    """The problem-type scheme, read with pyoxigraph (its keywords are jieba words: _keywords)."""
    concepts: dict[str, Concept] = {}
    values: dict[tuple[str, str], list[Literal | NamedNode]] = {}
    for triple in parse(path=str(path), format=RdfFormat.TURTLE):
        values.setdefault((triple.subject.value, triple.predicate.value), []).append(triple.object)
    subjects = {s for (s, p), objs in values.items() if p.endswith("#type") and any(o.value == SKOS + "Concept" for o in objs)}
    for iri in subjects:
        labels = values.get((iri, SKOS + "prefLabel"), [])
        concepts[iri] = Concept(
            iri=iri,
            notation=values[(iri, SKOS + "notation")][0].value,
            label_zh=next((label.value for label in labels if isinstance(label, Literal) and label.language == "zh"), ""),
            label_en=next((label.value for label in labels if isinstance(label, Literal) and label.language == "en"), ""),
            definition=next((d.value for d in values.get((iri, SKOS + "definition"), [])), ""),
            broader=next((b.value for b in values.get((iri, SKOS + "broader"), [])), None),
            keywords=sorted({k.value for k in values.get((iri, KEYWORD), [])}, key=lambda k: (-len(k), k)),
            exceptions=sorted({k.value for k in values.get((iri, NOT_WITHIN), [])}, key=lambda k: (-len(k), k)),
        )
    return Taxonomy(concepts)


def _keywords() -> list[str]:
    """Every keyword of the taxonomy, for kg.text's tokenizer (so each stays one token)."""
    return [keyword for concept in taxonomy().concepts.values() for keyword in concept.keywords]


add_words(_keywords)


_Context = tuple[dict[str, list[str]], dict[str, list[str]], dict[str, float]]  # _Matcher.context


@dataclass
class _Matcher:
    """Keywords indexed for speed: looked up by token, and (SUBSTRING_FROM characters on) by substring,
    since jieba's search mode yields the 2- and 3-character words inside a longer word only and cuts
    a keyword apart where its neighbours make another word; substrings are looked up by their first
    two characters, where a regex finds a pair that may start one (a text is scanned once, in C, not
    once per keyword)."""

    concepts: dict[str, Concept]
    by_keyword: dict[str, list[Concept]]
    long_keywords: dict[str, list[str]]  # first two characters -> keywords found by substring
    long_starts: re.Pattern[str]  # where a keyword found by substring may start (_start_finder)
    keywords: frozenset[str] = frozenset()  # by_keyword's keys, to intersect a text's few tokens with
    present: dict[str, frozenset[str]] = field(default_factory=dict)  # the same headings stand above many items
    found: dict[tuple[str, ...], dict[str, list[str]]] = field(default_factory=dict)
    contexts: dict[tuple[str, ...], _Context] = field(default_factory=dict)

    @classmethod
    def of(cls, tax: Taxonomy) -> _Matcher:
        by_keyword: dict[str, list[Concept]] = {}
        for concept in tax.leaves:
            for keyword in concept.keywords:
                by_keyword.setdefault(keyword, []).append(concept)
        long_keywords: dict[str, list[str]] = {}
        for keyword in by_keyword:
            if len(keyword) >= SUBSTRING_FROM:
                long_keywords.setdefault(keyword[:2], []).append(keyword)
        starts = re.compile(_start_finder((k for ks in long_keywords.values() for k in ks), SUBSTRING_FROM))
        return cls(tax.concepts, by_keyword, long_keywords, starts, frozenset(by_keyword))

    def find(self, *texts: str) -> dict[str, list[str]]:
        """{concept IRI: keywords present in any of the texts} (the caller must not change it).
        Each text is tokenised once: headings are matched one by one and merged, never re-cut as a
        joined string (jieba cuts at spaces, so the keywords found are the same); the same headings
        stand above every measure of a problem, so their merged result is kept too. Both memos are
        emptied now and then: a worker parses thousands of reports whose texts mostly never recur."""
        if texts in self.found:
            return self.found[texts]
        if len(self.found) > MEMO_LIMIT:
            self.found.clear()
            self.present.clear()
            self.contexts.clear()
        present = frozenset().union(*(self._present(t) for t in texts if t))
        found: dict[str, list[str]] = {}
        for keyword in sorted(present, key=lambda k: (-len(k), k)):
            for concept in self.by_keyword[keyword]:
                found.setdefault(concept.iri, []).append(keyword)
        for iri, keywords in list(found.items()):
            if self.concepts[iri].exceptions:  # 教育 counts for schools, not inside 警示教育
                kept = [k for k in keywords if any(_outside(t, k, self.concepts[iri].exceptions) for t in texts if t)]
                if kept:
                    found[iri] = kept
                else:
                    del found[iri]
        for iri, keywords in found.items():  # 从严治党 is no more evidence where it is part of 全面从严治党
            if len(keywords) > 1:
                found[iri] = [k for i, k in enumerate(keywords) if _alone(k, keywords[:i], texts)]
        self.found[texts] = found
        return found

    def context(self, headings: tuple[str, ...]) -> _Context:
        """The evidence of the headings above an item (names removed), the nearest first: (near: the
        nearest of several, far: the others or the only one, each near concept's share of the best near
        evidence). Kept (the caller must not change it): every item under the same headings shares it."""
        known = self.contexts.get(headings)
        if known is None:
            near = self.find(headings[0]) if len(headings) > 1 else {}
            far = self.find(*headings[1:]) if len(headings) > 1 else self.find(*headings)
            best_near = max((_score(keywords) for keywords in near.values()), default=0.0)
            shares = {iri: _score(keywords) / best_near for iri, keywords in near.items()} if best_near else {}
            known = self.contexts[headings] = (near, far, shares)
        return known

    def _present(self, text: str) -> frozenset[str]:
        if text not in self.present:
            found = set(filter(self.keywords.__contains__, tokens(text)))
            index = self.long_keywords
            for match in self.long_starts.finditer(text):
                i = match.start()
                for keyword in index.get(text[i:i + 2], ()):
                    if text.startswith(keyword, i):
                        found.add(keyword)
            self.present[text] = frozenset(found)
        return self.present[text]


# --- names are not evidence -----------------------------------------------------------------

#: Zones and committees named as bodies: 秦皇岛开发区, 鼓楼高新区, 党工委, 管委会, 区委 (a zone is a place here;
#: an item about a zone as an industrial park says 园区, 产业… besides).
_BODY_NAMES = re.compile(r"(?:经济技术|高新技术产业|经济)?开发区|经开区|高新区|党工委|工委|管委会?|[省市区县]委(?!员)")
#: What follows a two-character place name used as a name (鼓楼区, 天桥高新区, 徐州市).
_NAME_SUFFIX = re.compile(r"[省市区县\ue002]|新区")
_REMOVED = "\ue002"  # a zone or committee name taken out, until place names are
_SUFFIX_FIRST = "省市区县新" + _REMOVED  # the first character of every _NAME_SUFFIX match


@lru_cache(maxsize=1)
def _place_names() -> tuple[frozenset[str], frozenset[str], dict[str, tuple[int, ...]], re.Pattern[str]]:
    """(names removed wherever they occur, two-character names removed before a suffix, the lengths of
    the names that start with each pair of characters, longest first, and a finder of the places where
    a name may start, by its first three characters, a two-character name's suffix included: most
    places in a text start none). Read from a cache file made from the same inputs when there is one
    (6 ms instead of 70: `kg related` classifies its seed)."""
    path = _names_cache()
    cached = read_cached(path)
    try:
        always, short, finder = json.loads(cached) if cached is not None else (None, None, None)
    except ValueError:  # damaged: made again
        always = short = finder = None
    if not (isinstance(always, list) and isinstance(short, list) and isinstance(finder, str)):
        always, short = _division_names()
        finder = _start_finder(always + [name + char for name in short for char in _SUFFIX_FIRST], 3)
        write_cached(path, json.dumps([always, short, finder], ensure_ascii=False), NAMES_KEPT)
    lengths: dict[str, set[int]] = {}
    for name in always + short:
        lengths.setdefault(name[:2], set()).add(len(name))
    starts = {pair: tuple(sorted(ns, reverse=True)) for pair, ns in lengths.items()}
    return frozenset(always), frozenset(short), starts, re.compile(finder)


def _names_cache() -> Path:
    """The cache file of the name tables for the present inputs: kg's code (classify and the parser's
    division names), the division list and the taxonomy's keywords; its name is their hash."""
    digest = hashlib.sha256()
    for part in (installed_stamp("kg"), installed_stamp("kg.parse"), "\n".join(sorted(_keywords()))):
        digest.update(part.encode("utf-8") + b"\0")
    digest.update(DIVISIONS_FILE.read_bytes())
    return cache_dir() / f"names-{digest.hexdigest()[:24]}.json"


def _division_names() -> tuple[list[str], list[str]]:
    """(names removed wherever they occur, two-character names removed only before a suffix), sorted.

    Full names of three characters or more (秦皇岛市, 鼓楼区) and aliases (秦皇岛) from the division list;
    aliases that are generic words for a zone (产业园, 示范区, 高新区) are left to _BODY_NAMES, and two-
    character aliases (天桥, 新城, 合作, 振兴) count as names only before a suffix. A name inside a
    taxonomy keyword (平安 in 平安建设) is never removed."""
    from kg.parse.region import division_names  # loads the parser: a search that only cuts a query never needs it

    joined = "\n".join(_keywords())  # one search a name instead of one a keyword (6,816 x 405: 0.2-0.45 s)
    always: set[str] = set()
    short: set[str] = set()
    for names in division_names():
        for name in names:
            if name in joined:  # inside a keyword (names hold no line break)
                continue
            if len(name) >= 3 and not (name != names[0] and name[-1] in "区园城"):
                always.add(name)
            elif len(name) == 2:
                short.add(name)
    return sorted(always), sorted(short)


def _start_finder(words: Iterable[str], width: int) -> str:
    """A regex matching (empty) where the next ``width`` characters could begin one of the words, each
    in the set of characters at its place in some word: scanned in C, it leaves few places for Python to
    look up (a place per character did). The words must be ``width`` characters long or longer."""
    words = set(words)
    chars = [sorted({word[i] for word in words}) for i in range(width)]
    return "(?=" + "".join(f"[{re.escape(''.join(c))}]" for c in chars) + ")"


def strip_names(text: str) -> str:
    """The text with names of places, zones and committees replaced by spaces (jieba cuts there).
    Scanned left to right, the longest name at a place taken and the scan going on after it."""
    if not text:
        return text
    always, short, starts, finder = _place_names()
    text = _BODY_NAMES.sub(_REMOVED, text)  # 高新区 first: 新区 inside it is no name
    out: list[str] = []
    done = 0  # text[:done] is in out
    for match in finder.finditer(text):
        i = match.start()
        if i < done:
            continue  # inside a name removed
        for n in starts.get(text[i:i + 2], ()):
            part = text[i:i + n]
            if len(part) == n and (part in always or (n == 2 and part in short and _NAME_SUFFIX.match(text, i + 2))):
                out += (text[done:i], " ")
                done = i + n
                break
    out.append(text[done:])
    return "".join(out).replace(_REMOVED, " ")


# --- evidence and the model ------------------------------------------------------------------

@lru_cache(maxsize=MEMO_LIMIT)
def _stripped(text: str) -> str:
    return strip_names(text)


_LEAD = re.compile(r"[。;；:：]")  # a measure's first clause often names its topic: 健全规章制度。…


def _score(keywords: Sequence[str]) -> float:
    """Keyword evidence: longer keywords say more (a 2-character keyword 1, a 6-character one 2)."""
    return sum(1.0 + 0.25 * min(len(k) - 2, 4) for k in keywords)


#: Evidence weighed apart for long texts (measures, mostly) and short ones (problems, headings).
_BY_LENGTH = ("own", "near", "far", "near_only", "far_only", "best", "share", "near_share", "lead")
_LONG, _SHORT = (tuple((name, name + side) for name in _BY_LENGTH) for side in ("*long", "*short"))


@dataclass
class Candidate:
    """A concept some keyword of which occurs in the item's own words or in a heading above it."""

    concept: Concept
    own: list[str]  # keywords in the item's own text
    near: list[str]  # in the nearest heading (the problem a measure or sub-problem sits under)
    far: list[str]  # in headings further up, the category included
    features: dict[str, float]


def candidates(text: str, context: Sequence[str | None] = (), tax: Taxonomy | None = None) -> list[Candidate]:
    """Every concept with keyword evidence for the item, with the features the model weighs: how much
    evidence the item's own words and each heading give, how it compares with the other concepts',
    and each keyword matched (so that the model learns which keywords mislead).
    Names of places, zones and committees are removed before matching."""
    matcher = (tax or taxonomy()).matcher
    stripped = _stripped(text)
    own = matcher.find(stripped)
    near, far, near_shares = matcher.context(tuple(_stripped(h) for h in context if h))
    iris = sorted(own.keys() | near.keys() | far.keys())
    own_scores = {iri: _score(keywords) for iri, keywords in own.items()}
    best_own = max(own_scores.values(), default=0.0)
    lead = _LEAD.split(stripped, maxsplit=1)[0]
    silent, rivals = float(not own), len(own)
    long = float(len(stripped) - stripped.count(" ") > 80)  # counted without the names removed
    heads = float(sum(1 for h in context if h))  # a problem under its category has one, a measure more
    sides = _LONG if long else _SHORT
    found = []
    for iri in iris:
        concept = matcher.concepts[iri]
        mine, closer, further = own.get(iri, []), near.get(iri, []), far.get(iri, [])
        score = own_scores.get(iri, 0)  # _score([]) is the int 0
        values = {
            "bias": 1.0,
            "own": float(bool(mine)), "own_score": score, "near": float(bool(closer)), "far": float(bool(further)),
            "near_only": float(bool(closer) and not mine), "far_only": float(bool(further) and not mine and not closer),
            "best": float(bool(mine) and score == best_own), "share": score / best_own if best_own else 0.0,
            "silent": silent, "rivals": float(rivals - bool(mine)), "long": long,
            "lead": float(any(k in lead for k in mine)),
            "mentions": math.log1p(sum(stripped.count(k) for k in mine)),
            "near_share": near_shares.get(iri, 0.0),
            "keywords": math.log1p(len(mine)), "heads": heads,
        }
        values.update((renamed, values[name]) for name, renamed in sides if values[name])
        values.update((f"k:{k}", 1.0) for k in mine)
        values.update((f"hk:{k}", 1.0) for k in closer + further if k not in mine)
        found.append(Candidate(concept, mine, closer, further, values))
    return found


FIRST = "first|"  # the model file's prefix for the first model's weights (Model.first)


def _logistic(weights: dict[str, float], values: dict[str, float], *more: dict[str, float]) -> float:
    """The model's probability for the features (several dicts of them: added, not merged)."""
    z = sum(map(mul, map(weights.get, values, repeat(0.0)), values.values()))  # in C, in the same order
    for part in more:
        z += sum(map(mul, map(weights.get, part, repeat(0.0)), part.values()))
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


def _stacked(candidate: Candidate, above: dict[str, float], first: dict[str, float],
             top: tuple[float, float]) -> dict[str, float]:
    """The second model's features beside the candidate's own: the first model's probabilities of the
    same concept for the nearest heading (pp), of this concept for the item, of its best rival, and how
    far it is behind it (a second type must stand on its own, beside the item's best). ``top``: the
    two highest of ``first`` (0.0 for a missing second)."""
    iri = candidate.concept.iri
    heading, own = above.get(iri, 0.0), first[iri]
    rival = top[1] if own == top[0] else top[0]
    return {"pp": heading, "pp*long": heading * candidate.features["long"], "first": own, "rival": rival,
            "behind": max(0.0, rival - own)}


def _top_two(probabilities: dict[str, float]) -> tuple[float, float]:
    ranked = sorted(probabilities.values(), reverse=True)
    return (ranked[0] if ranked else 0.0), (ranked[1] if len(ranked) > 1 else 0.0)


@dataclass
class Model:
    """Two logistic regressions over a candidate's features (stacked). The first (``first``) types an
    item from its words and headings alone; it is applied to the item and to its nearest heading, typed
    as an item of its own. The second (``weights``) gives the probability that the concept is the
    item's, from the item's features and the first's probabilities (_stacked): a measure mostly has its
    problem's types, and what the problem's own words and headings say of them is more than its
    keywords are; a second type must be probable beside the item's best."""

    weights: dict[str, float]
    first: dict[str, float] = field(default_factory=dict)
    headings: dict[tuple[str | None, ...], dict[str, float]] = field(default_factory=dict, repr=False, compare=False)

    def probability(self, values: dict[str, float], *more: dict[str, float]) -> float:
        return _logistic(self.weights, values, *more)

    def heading(self, context: Sequence[str | None], tax: Taxonomy | None = None) -> dict[str, float]:
        """{concept IRI: the first model's probability} for the nearest heading (none: {}). Kept per
        headings (every measure of a problem shares them; not per taxonomy: one is used in a process),
        emptied now and then like the matcher's memos."""
        key = tuple(context)
        known = self.headings.get(key)
        if known is None:
            known = {c.concept.iri: _logistic(self.first, c.features)
                     for c in candidates(context[0], context[1:], tax)} if context and context[0] else {}
            self._remember(key, known)
        return known

    def _remember(self, key: tuple[str | None, ...], probabilities: dict[str, float]) -> None:
        if len(self.headings) > MEMO_LIMIT:
            self.headings.clear()
        self.headings[key] = probabilities

    def scored(self, text: str, context: Sequence[str | None], tax: Taxonomy | None = None
               ) -> list[tuple[Candidate, float]]:
        """The item's candidates, each with its probability."""
        found = candidates(text, context, tax)
        above = self.heading(context, tax)
        own = {c.concept.iri: _logistic(self.first, c.features) for c in found}
        self._remember((text, *context), own)  # kg.rdf types a problem before the measures it heads
        top = _top_two(own)
        return [(c, self.probability(c.features, _stacked(c, above, own, top))) for c in found]

    def lines(self) -> list[str]:
        """The model as lines of text: feature, tab, weight (the first model's prefixed FIRST)."""
        return ([f"{FIRST}{f}\t{w:.4f}" for f, w in sorted(self.first.items())]
                + [f"{f}\t{w:.4f}" for f, w in sorted(self.weights.items())])

    @classmethod
    def of_lines(cls, lines: Iterable[str]) -> Model:
        weights: dict[str, float] = {}
        first: dict[str, float] = {}
        for line in lines:
            if line.strip() and not line.startswith("#"):
                feature, weight = line.rstrip("\n").split("\t")
                if feature.startswith(FIRST):
                    first[feature.removeprefix(FIRST)] = float(weight)
                else:
                    weights[feature] = float(weight)
        return cls(weights, first)


@lru_cache(maxsize=1)
def model() -> Model:
    """The shipped model (kg/data/problem-types-model.txt), read once per process."""
    text = resources.files("kg.data").joinpath(MODEL_FILE).read_text(encoding="utf-8")
    return Model.of_lines(text.splitlines())


EPOCHS = 60
RATE = 0.1
L2 = 1e-3
PRUNE = 1e-3  # weights smaller than this are not shipped
CROSS_FIT = 4  # parts of the labels the first model's probabilities for training the second come from

#: A labelled item: its text, its headings (nearest first, the category last) and its types' notations.
Labelled = tuple[str, Sequence[str | None], Collection[str]]


def train(items: Sequence[Labelled], seed: int = 22) -> Model:
    """Fit both models to labelled items: the first to every candidate's features, then the second to
    them with the first's probabilities (_stacked). For the heading those come from the first model as
    fitted (the headings of the labelled measures are mostly labelled problems); for the item itself
    from a first model fitted without it (CROSS_FIT parts, the items under one heading in one part),
    else the second would learn to trust a probability the first fitted to the very label."""
    found = [(candidates(text, headings), headings, gold) for text, headings, gold in items]
    parts = [zlib.crc32((headings[0] or "").encode("utf-8") if headings else b"") % CROSS_FIT
             for _, headings, _ in found]
    fitted = Model({}, fit(_first_examples(found), seed))
    apart = [fit(_first_examples([f for f, part in zip(found, parts) if part != k]), seed) for k in range(CROSS_FIT)]
    examples = []
    for (cs, headings, gold), part in zip(found, parts):
        own = {c.concept.iri: _logistic(apart[part], c.features) for c in cs}
        top = _top_two(own)
        examples += [({**c.features, **_stacked(c, fitted.heading(headings), own, top)}, c.concept.notation in gold)
                     for c in cs]
    return Model(fit(examples, seed), fitted.first)


def _first_examples(found: Iterable[tuple[list[Candidate], Sequence[str | None], Collection[str]]]
                    ) -> list[tuple[dict[str, float], bool]]:
    return [(c.features, c.concept.notation in gold) for cs, _, gold in found for c in cs]


def fit(examples: Sequence[tuple[dict[str, float], bool]], seed: int = 22) -> dict[str, float]:
    """Logistic regression weights for (features, is the concept right) examples, by stochastic
    gradient descent on the log loss with L2 shrinkage (plain Python: two thousand candidates take a
    second); weights under PRUNE are dropped."""
    weights: dict[str, float] = {}
    order = list(range(len(examples)))
    rng = random.Random(seed)
    for epoch in range(EPOCHS):
        rng.shuffle(order)
        rate = RATE / (1 + epoch / 10)
        for i in order:
            values, right = examples[i]
            z = sum(weights.get(f, 0.0) * v for f, v in values.items())
            g = 1 / (1 + math.exp(-max(-30.0, min(30.0, z)))) - right
            for f, v in values.items():
                w = weights.get(f, 0.0)
                weights[f] = w - rate * (g * v + L2 * w)
    return {f: w for f, w in weights.items() if abs(w) >= PRUNE}


def decide(scored: Sequence[tuple[Candidate, float]]) -> list[tuple[Candidate, float]]:
    """The concepts kept: each as probable as KEEP, or the most probable one from MIN_SCORE on."""
    ranked = sorted(scored, key=lambda cp: (-cp[1], cp[0].concept.notation))
    return [(c, p) for i, (c, p) in enumerate(ranked) if p >= KEEP or (i == 0 and p >= MIN_SCORE)][:MAX_TYPES]


def _alone(keyword: str, longer: Sequence[str], texts: Sequence[str]) -> bool:
    """Whether the keyword occurs in one of the texts outside the longer keywords that hold it."""
    holding = [k for k in longer if keyword in k]
    return not holding or any(_outside(t, keyword, holding) for t in texts if t)


def _outside(text: str, keyword: str, phrases: Sequence[str]) -> bool:
    """Whether the keyword occurs in the text somewhere not inside one of the phrases."""
    covered = [(m.start(), m.end()) for p in phrases if keyword in p and p in text
               for m in re.finditer(re.escape(p), text)]
    start = text.find(keyword)
    while start >= 0:
        if not any(a <= start and start + len(keyword) <= b for a, b in covered):
            return True
        start = text.find(keyword, start + 1)
    return False


def classify(text: str, context: Sequence[str | None] | None = None, tax: Taxonomy | None = None,
             using: Model | None = None) -> list[TypeHit]:
    """Leaf concepts for an item, most probable first, each with its probability and the keywords that
    matched (those of a heading in brackets)."""
    scored = (using or model()).scored(text, context or (), tax)
    return [TypeHit(c.concept, round(p, 2), c.own + [f"({k})" for k in dict.fromkeys(c.near + c.far) if k not in c.own])
            for c, p in decide(scored)]


# --- types in the graph ------------------------------------------------------------------

_TYPE_PREFIXES = sparql_prefixes("kg", "skos")


@dataclass
class TypedMeasure:
    item: str
    region_code: str | None
    committee: str
    year: str | None
    problem: str | None
    text: str
    score: float
    matched: list[str]


def measures_of_type(store: Store, concept: Concept, region: str | None = None,
                     since: int | None = None) -> list[TypedMeasure]:
    """Measures assigned the concept (or any child of it), grouped by region, best scored first.

    Assignments are found by their concept inside each report graph and everything else looked
    up per row (LATERAL); a region is a scope of the query, not a filter afterwards: at 10,000
    reports the whole-corpus join this replaced ran for over 10 minutes for one county."""
    from kg.parse.region import division_code

    region = division_code(region) if region else None
    types = [NamedNode(c.iri) for c in taxonomy().family(concept)]
    scope = (""" ?r kg:divisionCode ?region . ?own kg:withinRegion* ?r . ?c kg:region ?own .
            ?report a kg:Report ; kg:committee ?c .""" if region else "")
    query = _TYPE_PREFIXES + """SELECT ?m ?code ?committee ?signed ?problem ?text ?score ?keywords WHERE {
        GRAPH ?report {""" + scope + """
            ?m kg:problemType ?type .
            LATERAL {
                ?m a kg:Measure ; kg:text ?text .
                BIND(IRI(CONCAT(STR(?m), "/type/", STRAFTER(STR(?type), """ + f'"{TYPES}"' + """))) AS ?a)
                ?a kg:score ?score .
                OPTIONAL { ?a kg:matchedKeywords ?keywords } OPTIONAL { ?m kg:addresses/kg:text ?problem }
            }
            LATERAL {
                ?report kg:committee ?c2 . ?c2 skos:prefLabel ?committee .
                OPTIONAL { ?c2 kg:region/kg:divisionCode ?code } OPTIONAL { ?report kg:signedDate ?signed }
            }
        }
    }"""
    variables = [Variable("type"), *([Variable("region")] if region else [])]
    rows_in: list[list[Term]] = [[t, *([Literal(region)] if region else [])] for t in types]
    rows = select(store, with_values(query, [values_clause(variables, rows_in)]))
    found: dict[str, TypedMeasure] = {}
    for row in rows:
        item = row["m"].value
        if item not in found:
            signed = row["signed"].value if row["signed"] is not None else None
            found[item] = TypedMeasure(item, row["code"].value if row["code"] is not None else None,
                                       row["committee"].value, signed[:4] if signed else None,
                                       row["problem"].value if row["problem"] is not None else None,
                                       row["text"].value, float(row["score"].value), [])
        if row["keywords"] is not None:
            known = found[item].matched
            known.extend(k for k in row["keywords"].value.split(KEYWORD_SEPARATOR) if k not in known)
    measures = list(found.values())
    if since:
        measures = [m for m in measures if m.year and int(m.year) >= since]
    return sorted(measures, key=lambda m: (m.region_code or "", -m.score, m.item))
