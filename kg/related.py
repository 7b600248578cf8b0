"""Related measures: what others did about the same kind of problem, seeded by a free text (a need),
a measure or a problem.

The seed becomes weighted words: each jieba token weighs its IDF over the measures, more when it is a
domain keyword of the problem-type scheme or stands in a 《…》 title, much less when it is a generic
step (kg/data/related-generic.txt: 梳理, 汇总, 下发, 回头看 …), and nothing when it names a place, zone or
committee (kg.classify.strip_names; an item seed: its own region and committee). A measure seed adds the words of the problem it answers, and its
own words that the problem shares weigh double (they name what the measure is about); a problem seed is
its title and lead, the title above it at half weight, and the words at least two of its measures share
at a capped weight (a word one measure holds is that measure's detail, not the problem's topic).

Candidates come from the text index (kg.index, FTS5): the measures holding the heaviest words, and the
measures of the problems whose texts hold them, described in one SPARQL query (and their problems'
measures in a second). Each candidate is scored with the same weights by BM25 over its own words (a word
listed among others, A、B、C, counting less) and over its problem's (half its title and lead, half all
its measures' texts: cluster smoothing), plus the problem types and documents it and its problem share
with the seed; a measure whose own words share nothing weighty with the seed (boilerplate under a
matching problem) keeps only part of its problem score, and for a free-text seed one whose own words match
the need weakly keeps less in proportion. The words most of the five best results share
(not their places' or committees' names) then join the seed for a second ranking (pseudo-relevance
feedback). For a problem seed that ranking is
fused with the rankings of each of its measures as a seed (reciprocal rank fusion), and a candidate
whose problem's title is like the seed's in its character pairs gains a little. Measures of other
regions come first, each named by region, committee, year, problem and sentence, with the reasons.

Reads, besides kg:text: kg:addresses, kg:subProblemOf, kg:lead, kg:problemType, kg:formulates,
kg:applies, kg:mentions, dcterms:title, kg:committee, kg:region, kg:divisionCode, skos:prefLabel,
kg:signedDate, and each item's named graph as its report.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from pyoxigraph import Literal, NamedNode, QuerySolution, Store, Variable

from kg.exceptions import QueryError
from kg.index import TextIndex
from kg.namespaces import ID
from kg.search import PREFIXES, snippet
from kg.sparql import select, term_text
from kg.text import remember_tokens, tokens

QUERY_TERMS = 24  # heaviest seed words sent to the text index
LIGHTEST_TERM = 0.03  # of them, those weighing at least this share of the heaviest (管理 0.16 beside 公务用车 7.16: not;
#                      at 0.1, held-out problem seeds lost: problem P@5 0.824 -> 0.800)
CANDIDATES = 60  # best measure matches looked at
PROBLEMS = 12  # best problem matches whose measures are looked at
COMMON_SHARE = 0.25  # a word in more measures than this share tells little and is left out
GENERIC_WEIGHT = 0.1  # a generic step's share of its IDF weight
KEYWORD_BOOST = 1.6  # a domain keyword of the problem-type scheme
TITLE_BOOST = 1.4  # a word inside a 《…》 title of the seed
OWN_PROBLEM_BOOST = 2.0  # a measure seed's word that its problem's text shares
AGREE, AGREE_FROM = 2, 3  # a problem seed of 3 measures or more: its measures' words count when 2 of them hold it
PARENT = 0.5  # weight of the title of the problem above a problem seed (broader than the seed)
CONTEXT_SHARE = 0.6  # words only a measure seed's problem or a problem seed's measures hold: their total weight
WEIGHTS = {"text": 0.5, "problem": 0.4, "types": 0.3, "documents": 0.05}
#: a text seed: a measure keeps all of its problem score only where its own words match the need at least this share
#: of the best measure's (a need is worded like a problem's title, so it matches titles more than the measures
#: under them; a measure that barely matches rides its problem's match less, in proportion)
OWN_TEXT = 0.25
BARE = 0.35  # share of its problem score kept by boilerplate: a measure sharing no weighty word with the seed
TYPED = 0.7  # share kept by a measure sharing no weighty word but a problem type, in words of its own
SPECIFIC = 0.6  # words of its own: at least this share of a measure's words are not generic steps
CLUSTER = 0.5  # share of a candidate's problem score that its problem's measures give (the rest: its title and lead)
PTYPES = 0.1  # weight of the types a candidate's problem shares with the seed
PARTS_WEIGHT = 1.0  # a problem seed's measures' rankings weigh together as much as the problem's own ranking
TITLE_SIM = 0.1  # a problem seed: the character-pair likeness of its title and a candidate's problem title
RRF_K = 10  # reciprocal rank fusion: 1 / (RRF_K + rank)
BM25_K1, BM25_B = 1.2, 0.5
FEEDBACK = 5  # best results of a first ranking whose shared words join the seed (0: no second ranking)
EXPANSION = 10  # at most this many words join
FEEDBACK_SHARE = 0.3  # their total weight, as a share of the seed's
PART_SHARE = 0.5  # weight kept by a seed word inside a longer seed word (选人 in 选人用人, 部队 in 干部队伍)
LISTED_SHARE = 0.3  # a candidate's word counts this much where it is one item of a list (A、B、C等)
#: a list of three or more short items joined by 、: a word in it is one topic among several
_LIST_RE = re.compile(r"(?:[^、，,。；;：:“”‘’《》()（）]{1,16}、){2,}[^、，,。；;：:“”‘’《》()（）]{1,16}")


class RelatedError(QueryError):
    """kg related got no seed, two seeds, an unknown item or an item of the wrong kind."""


@dataclass
class Source:
    """A seed as weighted words, with what it is compared on besides them."""

    kind: str  # text, measure or problem
    weights: dict[str, float]
    types: set[str] = field(default_factory=set)
    documents: set[str] = field(default_factory=set)
    report: str | None = None
    region_code: str | None = None
    item: str | None = None
    parts: list[Source] = field(default_factory=list)  # a problem seed's measures, each a seed of its own
    title: str = ""  # a problem seed's title


@dataclass
class Related:
    """One related measure and why (stable English keys for programs: ``kg related --format json``)."""

    item: str
    score: float
    text_score: float
    problem_score: float
    region: str | None
    region_code: str | None
    committee: str | None
    year: str | None
    report: str | None
    problem: str | None
    sentence: str
    snippet: str
    shared_terms: list[str] = field(default_factory=list)
    shared_types: list[str] = field(default_factory=list)
    shared_documents: list[str] = field(default_factory=list)


@dataclass
class _Candidate:
    item: str
    text: str = ""
    report: str | None = None
    region: str | None = None
    region_code: str | None = None
    committee: str | None = None
    signed: str | None = None
    problem: str | None = None
    problem_texts: list[str] = field(default_factory=list)  # its problem's title and lead
    parent_texts: list[str] = field(default_factory=list)  # the title of the problem above
    problem_iri: str | None = None
    siblings: list[str] = field(default_factory=list)  # the texts of every measure of its problem, its own too
    problem_types: set[str] = field(default_factory=set)  # its problem's types
    types: set[str] = field(default_factory=set)
    documents: dict[str, str] = field(default_factory=dict)  # IRI -> title


def related(store: Store, index: TextIndex, text: str | None = None, measure: str | None = None,
            problem: str | None = None, top: int = 10, exclude_region: str | None = None) -> list[Related]:
    """The measures most related to a free text, a measure or a problem (give one), other regions first."""
    seeds = [name for name, value in (("text", text), ("measure", measure), ("problem", problem)) if value]
    if len(seeds) != 1:
        raise RelatedError("请给出一段文字、--measure 或 --problem 之一 (give one of TEXT, --measure, --problem)")
    if text:
        source = _text_source(store, index, text)
    else:
        source = _item_source(store, index, measure or problem or "", "Measure" if measure else "Problem")
    if not source.weights:
        raise RelatedError("文本中没有可比较的词 (no content words to compare)")
    # where they are: needed to rank (an item seed's own region last) or to leave a region out; else only the
    # results shown are placed, at the end (their report's committee, region and date: 11-30 ms a round)
    placed = bool(source.region_code or exclude_region)
    candidates = _candidates(store, index, source, exclude_region, placed)
    texts = _Texts.of(candidates)  # their words, counted once for every ranking of them
    first = _ranked(index, source, candidates, texts)
    if FEEDBACK and first:
        if not placed:
            _place(store, first[:FEEDBACK])  # their places' and committees' names are not feedback
        expanded = _expand(index, source, first[:FEEDBACK])
        if expanded is not source:
            candidates += _candidates(store, index, expanded, exclude_region, placed, {c.item for c in candidates})
            texts = _Texts.of(candidates)
            first = _ranked(index, expanded, candidates, texts)
    if source.parts and first:
        first = _fused(first, [_ranked(index, part, candidates, texts) for part in source.parts], source.region_code)
    shown = first[:top]
    if not placed:
        _place(store, shown)
    for result in shown:
        result.snippet = snippet(result.sentence, result.shared_terms)
    return shown


def _place(store: Store, results: list[Related]) -> None:
    """The results' region, committee and year, read from their reports."""
    candidates = [_Candidate(r.item, report=r.report) for r in results]
    _add_reports(store, candidates)
    for r, c in zip(results, candidates):
        r.region, r.region_code, r.committee = c.region, c.region_code, c.committee
        r.year = c.signed[:4] if c.signed else None


def _fused(first: list[Related], rankings: list[list[Related]], region: str | None) -> list[Related]:
    """The seed's ranking fused with its parts' (reciprocal rank fusion): a measure related to the problem as a
    whole and to several of its measures comes first; the parts weigh PARTS_WEIGHT together."""
    fused: dict[str, float] = defaultdict(float)
    for rank, result in enumerate(first):
        fused[result.item] += 1 / (RRF_K + rank + 1)
    for ranking in rankings:
        for rank, result in enumerate(ranking):
            fused[result.item] += PARTS_WEIGHT / len(rankings) / (RRF_K + rank + 1)
    for result in first:
        result.score = round(fused[result.item] * (RRF_K + 1), 3)
    return sorted(first, key=lambda r: (r.region_code is not None and r.region_code == region, -fused[r.item], r.item))


def _candidates(store: Store, index: TextIndex, source: Source, exclude_region: str | None, placed: bool = True,
                seen: set[str] | None = None) -> list[_Candidate]:
    """The measures of other reports holding the seed's heaviest words, or answering problems that hold them
    (those ``seen`` left out), each described, and placed (region, committee, date) if ``placed``."""
    terms = sorted(source.weights, key=lambda w: -source.weights[w])[:QUERY_TERMS]
    if terms:  # a word far lighter than the heaviest hardly moves a score, but makes the index rank every text holding it
        terms = [w for w in terms if source.weights[w] >= LIGHTEST_TERM * source.weights[terms[0]]]
    found = {m.item for m in index.rank("Measure", terms, limit=CANDIDATES + 1, exclude_graph=source.report)}
    problems = [p.item for p in index.rank("Problem", terms[:QUERY_TERMS // 2], limit=PROBLEMS,
                                            exclude_graph=source.report)]
    found |= set(_measures_of(store, problems))
    found.discard(source.item or "")
    found -= seen or set()
    candidates = [c for c in _describe(store, sorted(found), source.documents, placed) if c.report != source.report]
    remember_tokens(index.known_tokens({c.report for c in candidates if c.report},  # cut by the build: not cut again
                                       [t for c in candidates for t in (c.text, *c.siblings, *c.problem_texts)]))
    if exclude_region:
        from kg.parse.region import code_within

        candidates = [c for c in candidates if not code_within(c.region_code, exclude_region)]
    return candidates


def _expand(index: TextIndex, source: Source, best: list[Related]) -> Source:
    """The seed with the words most of its best results share (pseudo-relevance feedback, as RM3 does):
    at most EXPANSION words held by two results or more, none a part of the results' region or committee
    names (秦皇岛, 开发区), weighing together at most FEEDBACK_SHARE of the seed."""
    held: dict[str, int] = defaultdict(int)
    names = {name for result in best for name in (result.region, result.committee) if name}
    for result in best:
        # a free-text seed has built the tables of every name (classify): those are left out too
        for word in _counts(_without_names(result.sentence) if source.kind == "text" else result.sentence):
            if not any(word in name for name in names):
                held[word] += 1
    generic = generic_steps()
    total = index.total("Measure")
    scores = {w: index.idf("Measure", w) * n / len(best) for w, n in held.items()
              if n >= 2 and w not in source.weights and w not in generic and index.df("Measure", w) <= COMMON_SHARE * total}
    chosen = sorted(scores, key=lambda w: -scores[w])[:EXPANSION]
    if not chosen:
        return source
    room = FEEDBACK_SHARE * sum(source.weights.values()) / sum(scores[w] for w in chosen)
    weights = {**source.weights, **{w: scores[w] * min(1.0, room) for w in chosen}}
    return Source(source.kind, weights, types=source.types, documents=source.documents, report=source.report,
                  region_code=source.region_code, item=source.item, title=source.title)


# --- the seed ------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def generic_steps() -> frozenset[str]:
    """The generic-step words (kg/data/related-generic.txt)."""
    text = resources.files("kg.data").joinpath("related-generic.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def _domain_keywords() -> frozenset[str]:
    from kg.classify import taxonomy

    return frozenset(k for c in taxonomy().leaves for k in c.keywords)


def _without_names(text: str) -> str:
    """The text with names of places, zones and committees blanked (their tables are built once, by
    classify, which a free-text seed runs anyway)."""
    from kg.classify import strip_names

    return strip_names(text)


def _titles(text: str) -> set[str]:
    """The titles the text names in 《…》 (the parser, with the model it loads, only imported where there is one)."""
    if "《" not in text:
        return set()
    from kg.parse.documents import find_titles

    return {mention.title for mention in find_titles(text)}


def _title_words(text: str) -> set[str]:
    return {w for title in _titles(text) for w in tokens(title)}


def seed_weights(index: TextIndex, parts: list[tuple[str, float]], context: list[tuple[str, float]] | None = None,
                 own: int = 0, boosted: set[str] | None = None, places: set[str] | None = None,
                 agree: int = 1) -> dict[str, float]:
    """{word: weight} of the seed's texts, given with their weights: IDF over the measures, a domain keyword
    or a title word weighing more, a generic step much less, a word of ``places`` nothing, a word of
    ``boosted`` double. A word that at most ``own`` measures hold (the seed's own) or that many measures
    hold is left out. Words only the ``context`` texts hold weigh together at most CONTEXT_SHARE of the
    seed's own words, however many context texts there are, and count only when at least ``agree`` of
    the context texts hold them (what a problem's measures share names its topic; a word one measure
    holds is that measure's detail)."""
    main = _weighted(index, parts, own, boosted, places)
    held: dict[str, int] = defaultdict(int)
    for text, _ in context or []:
        for word in set(tokens(text)):
            held[word] += 1
    extra = {w: v for w, v in _weighted(index, context or [], own, boosted, places).items()
             if w not in main and held[w] >= agree}
    room, extra_total = CONTEXT_SHARE * sum(main.values()), sum(extra.values())
    if extra_total > room:
        extra = {w: v * room / extra_total for w, v in extra.items()}
    weights = {**main, **extra}
    return {w: v * _part_share(w, weights) for w, v in weights.items() if _part_share(w, weights)}


def _part_share(word: str, words: dict[str, float]) -> float:
    """What a seed word keeps inside a longer seed word: PART_SHARE where it starts or ends it (选人 of
    选人用人, 监督 of 监督责任), nothing where it straddles two of its words (督责 of 监督责任, 政审 of 行政审批);
    all of it where the rest is a stop word (审计 of 审计整改: what the longer word is about, as in _text_counts)."""
    inside = [longer for longer in words if word in longer and word != longer and not _bare_head(word, longer)]
    if not inside:
        return 1.0
    if any(longer.startswith(word) or longer.endswith(word) for longer in inside):
        return PART_SHARE
    return 0.0


def _weighted(index: TextIndex, parts: list[tuple[str, float]], own: int, boosted: set[str] | None,
              places: set[str] | None) -> dict[str, float]:
    counts: dict[str, float] = defaultdict(float)
    titles: set[str] = set()
    names = places is None  # a free text: names of places and committees are left out (an item: its own)
    for text, weight in parts:
        for word in tokens(_without_names(text) if names else text):
            counts[word] += weight
        titles |= _title_words(text)
    total = index.total("Measure")
    generic, keywords = generic_steps(), _domain_keywords()
    # a word inside a generic step of the text is generic too (回头 of 回头看)
    generic = generic | {w for w in counts for g in counts if g in generic and w in g and w != g}
    weights = {}
    for word, count in counts.items():
        df = index.df("Measure", word)
        if df <= own or df > max(2, COMMON_SHARE * total) or any(word in place for place in places or ()):
            continue
        weight = index.idf("Measure", word) * (1 + math.log(count) if count >= 1 else count)
        if word in generic:
            weight *= GENERIC_WEIGHT
        else:
            weight *= (KEYWORD_BOOST if word in keywords else 1) * (TITLE_BOOST if word in titles else 1)
            weight *= OWN_PROBLEM_BOOST if boosted and word in boosted else 1
        weights[word] = weight
    return weights


def _text_source(store: Store, index: TextIndex, text: str) -> Source:
    from kg.classify import classify

    types = {hit.concept.iri for hit in classify(text)}
    documents: set[str] = set()
    for title in _titles(text):
        rows = select(store, PREFIXES + "SELECT DISTINCT ?d WHERE { ?d dcterms:title ?t }", {Variable("t"): Literal(title)})
        documents |= {row["d"].value for row in rows}
    return Source("text", seed_weights(index, [(text, 1.0)]), types=types, documents=documents)


def _item_source(store: Store, index: TextIndex, given: str, kind: str) -> Source:
    """A measure or a problem of the store as a seed; an unknown IRI or one of the other kind is an error."""
    iri = given if given.startswith("http") else ID + given.lstrip("/")
    query = PREFIXES + """SELECT ?kind ?text ?report ?code ?region ?committee WHERE {
        GRAPH ?report { ?item a ?kind } FILTER(?kind IN (kg:Measure, kg:Problem))  # its report: its graph
        OPTIONAL { ?item kg:text ?text }
        OPTIONAL { ?report kg:committee ?c . ?c skos:prefLabel ?committee .
                   OPTIONAL { ?c kg:region ?r . ?r kg:divisionCode ?code . OPTIONAL { ?r skos:prefLabel ?region } } }
    } LIMIT 1"""
    rows = list(select(store, query, {Variable("item"): NamedNode(iri)}))
    if not rows:
        raise RelatedError(f"库中没有这条{'措施' if kind == 'Measure' else '问题'} (no {kind.lower()} {iri} in the store)")
    row = rows[0]
    found = row["kind"].value.rsplit("#", 1)[-1]
    if found != kind:
        option = "--problem" if found == "Problem" else "--measure"
        raise RelatedError(f"{iri} 是{'问题' if found == 'Problem' else '措施'}, 不是{'措施' if kind == 'Measure' else '问题'}, "
                           f"请用 {option} (a {found.lower()}, not a {kind.lower()}: use {option})")
    report = row["report"].value
    places = {_value(row, name) or "" for name in ("region", "committee")} - {""}
    own_text = _value(row, "text") or ""
    context = _context(store, iri, kind)
    sub_seeds: list[Source] = []
    if kind == "Measure":
        problem_words = {w for text in context["problems"] for w in tokens(text)}
        weights = seed_weights(index, [(own_text, 1.0)], [(text, 1.0) for text in context["problems"]], own=1,
                               boosted=problem_words, places=places)
    else:
        parts = [(own_text, 1.0), *[(text, 1.0) for text in context["leads"]], *[(t, PARENT) for t in context["parents"]]]
        measures = context["measures"]
        weights = seed_weights(index, [p for p in parts if p[0]], [(text, 1.0) for text in measures],
                               places=places, agree=AGREE if len(measures) >= AGREE_FROM else 1)
        title_words = {w for text, _ in parts for w in tokens(text)}
        for text in measures:
            part = seed_weights(index, [(text, 1.0)], [p for p in parts if p[0]], own=1, boosted=title_words,
                                places=places)
            if part:
                sub_seeds.append(Source("measure", part, types=context["types"], report=report,
                                        region_code=_value(row, "code"), item=iri))
    return Source(kind.lower(), weights, types=context["types"], documents=context["documents"], report=report,
                  region_code=_value(row, "code"), item=iri, parts=sub_seeds,
                  title=own_text if kind == "Problem" else "")


def _context(store: Store, iri: str, kind: str) -> dict[str, Any]:
    """For a measure: the texts of its problem and of the problem above; for a problem: its lead, the text of the
    problem above, and its measures' texts (sub-problems' too); the types and documents of either."""
    if kind == "Measure":
        query = PREFIXES + """SELECT ?ptext ?type ?doc WHERE {
            { ?item kg:addresses ?p . ?p kg:text ?ptext } UNION { ?item kg:addresses/kg:subProblemOf ?q . ?q kg:text ?ptext }
            UNION { ?item kg:addresses/kg:lead ?ptext }
            UNION { ?item kg:problemType ?type }
            UNION { { ?item kg:formulates ?doc } UNION { ?item kg:applies ?doc } UNION { ?item kg:mentions ?doc } } }"""
    else:
        query = PREFIXES + """SELECT ?lead ?ptext ?mtext ?type ?doc WHERE {
            { ?item kg:lead ?lead } UNION { ?item kg:subProblemOf ?q . ?q kg:text ?ptext }
            UNION { { ?m kg:addresses ?item } UNION { ?s kg:subProblemOf ?item . ?m kg:addresses ?s } ?m kg:text ?mtext }
            UNION { ?item kg:problemType ?type }
            UNION { { ?m kg:addresses ?item } UNION { ?s kg:subProblemOf ?item . ?m kg:addresses ?s }
                    { ?m kg:formulates ?doc } UNION { ?m kg:applies ?doc } UNION { ?m kg:mentions ?doc } } }"""
    found: dict[str, Any] = {"problems": [], "leads": [], "parents": [], "measures": [], "types": set(), "documents": set()}
    for row in select(store, query, {Variable("item"): NamedNode(iri)}):
        if (text := _value(row, "ptext")) and text not in found["problems"]:
            found["problems"].append(text)
            found["parents"].append(text)
        if kind == "Problem" and (text := _value(row, "mtext")):
            found["measures"].append(text)
        if kind == "Problem" and (text := _value(row, "lead")):
            found["leads"].append(text)
        if row["type"] is not None:
            found["types"].add(row["type"].value)
        if row["doc"] is not None:
            found["documents"].add(row["doc"].value)
    return found


# --- the candidates ----------------------------------------------------------------------------


def _measures_of(store: Store, problems: list[str]) -> list[str]:
    """The measures answering the problems (or their sub-problems), in one query."""
    if not problems:
        return []
    values = " ".join(f"<{p}>" for p in problems)  # IRIs from the index, not user text
    query = PREFIXES + f"""SELECT DISTINCT ?m WHERE {{ VALUES ?p {{ {values} }}
        {{ ?m kg:addresses ?p }} UNION {{ ?s kg:subProblemOf ?p . ?m kg:addresses ?s }} }}"""
    # the sub-problem is reached from the bound ?p first: the path form walked every measure's problem
    return [row["m"].value for row in select(store, query)]


def _describe(store: Store, items: list[str], documents: set[str], placed: bool = True) -> list[_Candidate]:
    """Text, report, problem texts, types and which of the seed's ``documents`` they name, of the measures, and
    if ``placed`` their region (code and name), committee and signing date, each read in its report's graph (the
    documents only the seed names never count: a third of the query's time, and all of it for most texts). One
    query a part: in one query the parts multiplied (documents x types x labels), and a committee or region named
    differently in other reports' graphs multiplied them again (96 measures at 1,000 reports: 0.7-2 s; 60 ms in parts)."""
    if not items:
        return []
    values = " ".join(f"<{item}>" for item in items)  # IRIs from the index and the store
    found: dict[str, _Candidate] = {}
    for row in select(store, PREFIXES + f"SELECT ?m ?text ?report WHERE {{ VALUES ?m {{ {values} }} "
                                        "GRAPH ?report { ?m kg:text ?text } }"):
        found[row["m"].value] = _Candidate(row["m"].value, text=_value(row, "text") or "", report=row["report"].value)
    if placed:
        _add_reports(store, list(found.values()))
    parts = f"""SELECT ?m ?p ?ptext ?lead ?qtext ?ptype ?type ?doc ?title WHERE {{ VALUES ?m {{ {values} }}
        GRAPH ?report {{ {{ ?m kg:addresses ?p . OPTIONAL {{ ?p kg:text ?ptext }} OPTIONAL {{ ?p kg:lead ?lead }}
                           OPTIONAL {{ ?p kg:subProblemOf ?q . ?q kg:text ?qtext }} }}
            UNION {{ ?m kg:addresses ?p . ?p kg:problemType ?ptype }}
            UNION {{ ?m kg:problemType ?type }} {_named(documents)} }} }}"""
    for row in select(store, PREFIXES + parts):
        c = found.get(row["m"].value)
        if c is None:
            continue
        if row["p"] is not None and c.problem_iri is None:
            c.problem_iri = row["p"].value
        for name in ("ptext", "lead", "qtext"):
            texts = c.parent_texts if name == "qtext" else c.problem_texts
            if (text := _value(row, name)) and text not in texts:
                texts.append(text)
        if row["type"] is not None:
            c.types.add(row["type"].value)
        if row["ptype"] is not None:
            c.problem_types.add(row["ptype"].value)
        if row["doc"] is not None:
            c.documents[row["doc"].value] = _value(row, "title") or row["doc"].value
    for c in found.values():
        c.problem = c.problem_texts[0] if c.problem_texts else None
    _add_siblings(store, list(found.values()))
    return list(found.values())


def _named(documents: set[str]) -> str:
    """The branch of _describe's query that finds which of the seed's documents a measure names, with their titles."""
    if not documents:
        return ""
    values = " ".join(f"<{d}>" for d in sorted(documents))  # IRIs from the store
    return f"""UNION {{ VALUES ?doc {{ {values} }} {{ ?m kg:formulates ?doc }} UNION {{ ?m kg:applies ?doc }}
                          UNION {{ ?m kg:mentions ?doc }} OPTIONAL {{ ?doc dcterms:title ?title }} }}"""


def _add_reports(store: Store, candidates: list[_Candidate]) -> None:
    """Each candidate's committee, region and signing date, as its report's graph names them."""
    reports = sorted({c.report for c in candidates if c.report})
    if not reports:
        return
    values = " ".join(f"<{r}>" for r in reports)  # IRIs from the store
    query = PREFIXES + f"""SELECT ?report ?committee ?code ?region ?signed WHERE {{ VALUES ?report {{ {values} }}
        GRAPH ?report {{ {{ ?report kg:committee ?c . ?c skos:prefLabel ?committee }}
            UNION {{ ?report kg:committee ?c . ?c kg:region ?r . ?r kg:divisionCode ?code }}
            UNION {{ ?report kg:committee ?c . ?c kg:region ?r . ?r skos:prefLabel ?region }}
            UNION {{ ?report kg:signedDate ?signed }} }} }}"""  # no OPTIONAL: one branch a fact (30 -> 4 ms)
    described: dict[str, dict[str, str | None]] = defaultdict(dict)
    for row in select(store, query):
        seen = described[row["report"].value]
        for name in ("committee", "code", "region", "signed"):
            if (value := _value(row, name)) is not None:
                seen.setdefault(name, value)
    for c in candidates:
        seen = described.get(c.report or "", {})
        c.committee, c.region_code, c.region, c.signed = (seen.get(k) for k in ("committee", "code", "region", "signed"))


def _add_siblings(store: Store, candidates: list[_Candidate]) -> None:
    """Each candidate's siblings: the texts of all measures of its problem, in one query."""
    problems = sorted({c.problem_iri for c in candidates if c.problem_iri})
    if not problems:
        return
    values = " ".join(f"<{p}>" for p in problems)  # IRIs from the store
    query = PREFIXES + f"""SELECT ?p ?m ?text WHERE {{ VALUES ?p {{ {values} }} ?m kg:addresses ?p ; kg:text ?text }}"""
    texts: dict[str, dict[str, str]] = defaultdict(dict)
    for row in select(store, query):
        texts[row["p"].value][row["m"].value] = row["text"].value
    for c in candidates:
        if c.problem_iri:
            c.siblings = [texts[c.problem_iri][m] for m in sorted(texts[c.problem_iri])]


# --- the ranking ---------------------------------------------------------------------------------


def _counts(*texts: str) -> dict[str, float]:
    """The texts' words counted, those inside a list (A、B、C) at LISTED_SHARE; a word jieba finds inside a
    longer one (意识 in 意识形态, 部队 in 干部队伍) counts only where it stands alone or ends the longer word."""
    counts: dict[str, float] = defaultdict(float)
    for text in texts:
        for word, n in _text_counts(text):
            counts[word] += n
    return counts


@lru_cache(maxsize=8192)
def _text_counts(text: str) -> tuple[tuple[str, float], ...]:
    counts: dict[str, float] = defaultdict(float)
    for word in tokens(text):
        counts[word] += 1
    for listed in _LIST_RE.finditer(text):
        for word in tokens(listed.group(0)):
            counts[word] -= 1 - LISTED_SHARE
    # a word inside a longer one is its head only at its end (审计 of 经济责任审计, 国有企业 of 区属国有企业),
    # or where the rest is a stop word, the head all these reports share (审计 of 审计整改, 巡视 of 巡视整改)
    longer = [w for w in counts if len(w) > 2]
    inside = {w: sum(counts[x] for x in longer if w in x and w != x and not x.endswith(w) and not _bare_head(w, x))
              for w in counts}
    return tuple((w, n - inside[w]) for w, n in counts.items() if n - inside[w] > 0)


def _bare_head(word: str, longer: str) -> bool:
    """The longer word is ``word`` followed by a stop word (审计 + 整改): ``word`` is what it is about."""
    from kg.text import stopwords

    return longer.startswith(word) and longer[len(word):] in stopwords()


def _merged(counts: dict[str, float], more: dict[str, float], share: float) -> dict[str, float]:
    merged = dict(counts)
    for word, n in more.items():
        merged[word] = merged.get(word, 0.0) + share * n
    return merged


def _bm25(weights: dict[str, float], counts: dict[str, float], average: float) -> tuple[float, list[str]]:
    """BM25 of a text's words against weighted seed words (the weights hold the IDF)."""
    length = sum(counts.values())
    norm = BM25_K1 * (1 - BM25_B + BM25_B * length / (average or 1))
    held = [w for w in counts if w in weights and counts[w] > 0]
    score = sum(weights[w] * counts[w] * (BM25_K1 + 1) / (counts[w] + norm) for w in held)
    return score, sorted(held, key=lambda w: -weights[w])


@dataclass
class _Texts:
    """The candidates' words, counted once for every ranking of them: their own, their problem's (the problem
    above at PARENT) and their problem's measures', with the average length of each."""

    own: list[dict[str, float]]
    theirs: list[dict[str, float]]
    clusters: list[dict[str, float]]

    @classmethod
    def of(cls, candidates: list[_Candidate]) -> _Texts:
        return cls([_counts(c.text) for c in candidates],
                   [_merged(_counts(*c.problem_texts), _counts(*c.parent_texts), PARENT) for c in candidates],
                   [_counts(*c.siblings) for c in candidates])

    @staticmethod
    def average(counts: list[dict[str, float]]) -> float:
        return sum(sum(k.values()) for k in counts) / len(counts) or 1.0 if counts else 1.0


def _ranked(index: TextIndex, source: Source, candidates: list[_Candidate], texts: _Texts | None = None) -> list[Related]:
    if not candidates:
        return []
    texts = texts or _Texts.of(candidates)
    own, theirs, clusters = texts.own, texts.theirs, texts.clusters
    cluster_avg = _Texts.average(clusters)
    cluster_scores = [_bm25(source.weights, k, cluster_avg)[0] for k in clusters]
    best_cluster = max(cluster_scores) or 1.0
    own_avg, their_avg = _Texts.average(own), _Texts.average(theirs)
    scored = [(_bm25(source.weights, o, own_avg), _bm25(source.weights, t, their_avg)) for o, t in zip(own, theirs)]
    best_text = max(s[0][0] for s in scored) or 1.0
    best_problem = max(s[1][0] for s in scored) or 1.0
    heavy = sorted(source.weights.values(), reverse=True)
    floor = heavy[min(len(heavy) - 1, 5)] if heavy else 0.0  # a word among the seed's six heaviest
    results = []
    for c, own_words, ((text_score, text_terms), (problem_score, problem_terms)), cluster_score in zip(
            candidates, own, scored, cluster_scores):
        shared_types = sorted(source.types & c.types)
        if any(source.weights[w] >= floor for w in text_terms if w not in generic_steps()):
            gate = 1.0  # its own words name what the seed is about
        elif shared_types and _specific(own_words) >= SPECIFIC:
            gate = TYPED  # a measure of the same type under a matching problem, in words of its own
        else:
            gate = BARE
        if source.kind == "text":
            gate *= min(1.0, text_score / best_text / OWN_TEXT)
        union = source.types | c.types
        ptypes = (len(source.types & c.problem_types) / len(source.types | c.problem_types)
                  if source.types | c.problem_types else 0.0)
        shared_docs = sorted(c.documents[d] for d in source.documents & set(c.documents))
        score = (WEIGHTS["text"] * text_score / best_text
                 + WEIGHTS["problem"] * ((1 - CLUSTER) * problem_score / best_problem
                                         + CLUSTER * cluster_score / best_cluster) * gate
                 + WEIGHTS["types"] * (len(shared_types) / len(union) if union else 0.0)
                 + PTYPES * ptypes
                 + TITLE_SIM * (_title_similarity(source.title, c.problem or "") if source.title else 0.0)
                 + WEIGHTS["documents"] * min(1, len(shared_docs)))
        terms = list(dict.fromkeys([*text_terms, *problem_terms]))
        terms = [w for w in terms if w not in generic_steps()] or terms  # the reasons name the topic, not the steps
        results.append(Related(
            item=c.item, score=round(score, 3), text_score=round(text_score, 2), problem_score=round(problem_score, 2),
            region=c.region, region_code=c.region_code, committee=c.committee, year=c.signed[:4] if c.signed else None,
            report=c.report, problem=c.problem, sentence=c.text, snippet="",
            shared_terms=terms[:6], shared_types=[_label(t) for t in shared_types],
            shared_documents=shared_docs))
    same = source.region_code
    results.sort(key=lambda r: (same is not None and r.region_code == same, -r.score, r.item))
    return results


def _bigrams(title: str) -> set[str]:
    """A problem title's character pairs within its words, its framing, stop words, generic words and names
    left out (关于…问题的整改, 落实, 不够, 到位)."""
    generic = generic_steps()
    words = [w for w in tokens(title) if w not in generic]
    return {w[i:i + 2] for w in words for i in range(len(w) - 1)}


def _title_similarity(a: str, b: str) -> float:
    """Dice coefficient of two problem titles' character pairs: near titles in other words (纪工委履行监督职责
    and 纪委监委落实监督责任 share 监督)."""
    x, y = _bigrams(a), _bigrams(b)
    return 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0


def _specific(counts: dict[str, float]) -> float:
    """The share of a text's words that are not generic steps."""
    generic, total = generic_steps(), sum(counts.values())
    return sum(n for w, n in counts.items() if w not in generic) / total if total else 0.0


def _value(row: QuerySolution, name: str) -> str | None:
    term = row[name]
    return None if term is None else term_text(term)


def _label(concept: str) -> str:
    from kg.classify import taxonomy

    found = taxonomy().concepts.get(concept)
    return f"{found.notation} {found.label_zh}" if found else concept
