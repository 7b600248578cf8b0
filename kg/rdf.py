"""RDF: a parsed Report becomes the quads of its own named graph.

IRIs are deterministic and say what a thing is (kg/ontology/README.md): regions by division
code, committees by region and kind, inspection groups by dispatching committee, round
(or period) and number, reports by committee, inspection and signing date, items by
their place in the report. Shared nodes (regions, committees, documents) are described
again in every report graph that uses them, so each graph stands alone and can be
dropped or replaced without touching the others.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad

from kg import __version__
from kg.classify import KEYWORD_SEPARATOR, classify
from kg.index import Entry
from kg.ingest import PAGE_SITE, PAGE_TITLE, PAGE_URL
from kg.model import Category, Committee, Document, Measure, Problem, Quantity, Region, Report
from kg.namespaces import (
    DCT,
    ID,
    KG,
    PROV,
    RDF_TYPE,
    ROLE_PROPERTIES,
    SKOS,
    SKOS_PREF,
    TIME,
    XSD,
    XSD_DATE,
    XSD_DECIMAL,
    XSD_INTEGER,
)
from kg.parse.documents import issuer_of, scope_of
from kg.parse.progress import state_of
from kg.parse.region import TERRITORIAL_KINDS
from kg.sparql import term_text
from kg.text import tokens

_PROVINCIAL_BY = {"省委", "自治区党委"}
_CITY_BY = {"市委", "州委", "盟委"}
_COUNTY_BY = {"区委", "县委", "旗委"}


@lru_cache(maxsize=None)
def kg(name: str) -> NamedNode:
    """A term of our ontology, made once: a report's graph names the same few dozen ~2,300 times."""
    return NamedNode(KG + name)


#: What makes a report graph out of a file: a change to any of these (the parser, the mapping, the classifier
#: and its model, the dictionaries, the division list) can change the graph of an unchanged file.
_FORMAT_SOURCES = ("parse", "data", "rdf.py", "classify.py", "text.py", "ingest.py", "model.py", "namespaces.py",
                   "ontology/problem-types.ttl")
#: Packages whose upgrade cuts texts differently: the classifier's evidence and the text index's tokens (which
#: `kg related` reads back) come from their dictionaries.
_FORMAT_PACKAGES = ("jieba", "rjieba")


@lru_cache(maxsize=1)
def graph_format() -> str:
    """A fingerprint of the code and data that made a report graph (kg:builtWith on its source file): `kg build`
    rebuilds a file it finds built by another one, as after an upgrade, instead of keeping its old graph."""
    from importlib.metadata import PackageNotFoundError, version

    root = Path(__file__).resolve().parent
    digest = hashlib.sha256(__version__.encode())
    for package in _FORMAT_PACKAGES:
        try:
            digest.update(f"{package}=={version(package)}\0".encode())
        except PackageNotFoundError:
            digest.update(f"{package} absent\0".encode())
    for name in _FORMAT_SOURCES:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts) if path.is_dir() else [path]
        for file in files:
            digest.update(file.relative_to(root).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    return f"{__version__}+{digest.hexdigest()[:16]}"


def slug(text: str) -> str:
    """An IRI-safe segment that keeps Chinese: runs of other characters become '-'."""
    return re.sub(r"[^\w]+", "-", text).strip("-") or "_"


def text_literal(value: str) -> Literal:
    return Literal(value)


def date_literal(value: dt.date) -> Literal:
    return Literal(value.isoformat(), datatype=XSD_DATE)


def int_literal(value: int) -> Literal:
    return Literal(str(value), datatype=XSD_INTEGER)


# --- identities ----------------------------------------------------------------------

def region_iri(code: str) -> NamedNode:
    return NamedNode(f"{ID}region/{code}")


def committee_key(committee: Committee) -> str:
    """Territorial committees by division code and kind (370105-区委); others by short name."""
    code = committee.region.code
    if code and (committee.kind in TERRITORIAL_KINDS or _zone_committee(committee)):
        return f"{code}-{committee.kind}"
    return slug(committee.short_name or committee.name or "unknown")


def _zone_committee(committee: Committee) -> bool:
    """A 党工委 whose zone has a division code of its own (秦皇岛市经济技术开发区 130371)."""
    county, city, name = committee.region.county, committee.region.city, committee.name or ""
    if committee.kind != "党工委" or not county:
        return False
    core = county.removeprefix(city or "").removeprefix((city or "").removesuffix("市"))
    return bool(core) and core in name


def dispatcher_key(by: str | None, region: Region) -> str:
    """The dispatching committee: 山东省委 is 370000-省委, 济南市委 370100-市委, 中央 中央."""
    code = region.code
    if by == "中央" or by is None:
        return by or "unknown"
    if code and by in _PROVINCIAL_BY:
        return f"{code[:2]}0000-{by}"
    if code and by in _CITY_BY:
        return f"{code[:4]}00-{by}"
    if code and by in _COUNTY_BY:
        return f"{code}-{by}"
    return f"{slug(by)}-{code or 'unknown'}"


def report_iri(report: Report) -> NamedNode:
    inspection = report.inspection
    period = inspection.start or inspection.feedback
    when = report.signed or report.published
    parts = [committee_key(report.committee), period.isoformat() if period else "na",
             when.isoformat() if when else report.source.sha256[:12]]
    return NamedNode(ID + "report/" + "/".join(parts))


def group_iri(report: Report) -> NamedNode | None:
    inspection = report.inspection
    if inspection.ordinal is None:
        return None
    period = slug(inspection.round) if inspection.round else (
        inspection.start.isoformat() if inspection.start else "na")
    dispatcher = dispatcher_key(inspection.by, report.committee.region)
    return NamedNode(f"{ID}group/{dispatcher}/{period}/{inspection.kind or '巡视'}{inspection.ordinal}")


def inspection_iri(report: Report) -> NamedNode:
    inspection = report.inspection
    dispatcher = dispatcher_key(inspection.by, report.committee.region)
    when = inspection.start or inspection.feedback
    return NamedNode(f"{ID}inspection/{dispatcher}/{committee_key(report.committee)}/"
                     f"{when.isoformat() if when else 'na'}")


def document_iri(document: Document, region_code: str | None) -> NamedNode:
    scope = scope_of(document)
    if scope == "numbered":
        return NamedNode(f"{ID}document/wh/{slug(document.number or '')}")
    if scope == "shared":
        return NamedNode(f"{ID}document/{slug(document.title)}")
    return NamedNode(f"{ID}document/{region_code or 'unknown'}/{slug(document.title)}")


def document_scope_of(iri: str) -> str:
    """A document's kg:scope as its IRI says it (document_iri), which is why it is not written (issue 25):
    …/document/wh/NUMBER numbered, …/document/REGION/TITLE local, …/document/TITLE shared."""
    rest = iri.removeprefix(f"{ID}document/")
    return "numbered" if rest.startswith("wh/") else "local" if "/" in rest else "shared"


def organisation_iri(name: str, region_code: str | None) -> NamedNode:
    """One node per body per region: the region's code and the name as written (市纪委 in two reports of one
    city is one node); central bodies (中央…) under org/central/."""
    return NamedNode(f"{ID}org/{region_code or 'unknown'}/{slug(name)}")


CENTRAL = "central"


def body_region(level: str | None, code: str | None) -> str | None:
    """The division a body belongs to, from the tier its name opens with and the report's division: 市纪委 in a
    county's report is the city's (code[:4] + 00), 省委 the province's; 区/县 and names with no tier are the
    report's own division."""
    if level == "中央":
        return CENTRAL
    if code and level == "省":
        return code[:2] + "0000"
    if code and level in ("市", "州", "盟") and code[4:] != "00":
        return code[:4] + "00"
    return code


# --- quads ---------------------------------------------------------------------------

class _Emitter:
    """Collects the triples of one report graph."""

    def __init__(self, graph: NamedNode) -> None:
        self.graph = graph
        self.quads: list[Quad] = []
        self.measures: list[tuple[Measure, NamedNode]] = []
        self.entries: list[Entry] = []

    def add(self, s: NamedNode, p: NamedNode, o: NamedNode | Literal | None) -> None:
        if o is not None:
            self.quads.append(Quad(s, p, o, self.graph))

    def text(self, s: NamedNode, p: NamedNode, value: str | None) -> None:
        if value:
            self.add(s, p, text_literal(value))

    def date(self, s: NamedNode, p: NamedNode, value: dt.date | None) -> None:
        if value:
            self.add(s, p, date_literal(value))

    def integer(self, s: NamedNode, p: NamedNode, value: int | None) -> None:
        if value is not None:
            self.add(s, p, int_literal(value))

    def span(self, s: NamedNode, span: tuple[int, int] | None, text: str | None) -> None:
        """An item's place in its report's kg:canonicalText and its words. Its report is not written: it is the
        named graph the item is in (GRAPH ?report), whose name its IRI also starts with (kg.ttl, kg:inReport)."""
        if span is not None:
            self.integer(s, kg("spanStart"), span[0])
            self.integer(s, kg("spanEnd"), span[1])
        self.text(s, kg("text"), text)

    def statement(self, report: NamedNode, link: str, segment: str, number: int,
                  span: tuple[int, int] | None = None, quote: str | None = None) -> NamedNode:
        """The report's ``number``-th statement of one kind (a declared count, a progress statement, a
        reference…): node REPORT/SEGMENT/NUMBER, linked from the report by kg:LINK, with its span and words
        when it has them. Its class (kg:DeclaredCount…) is the range of kg:LINK and is not written (issue 25)."""
        node = NamedNode(f"{report.value}/{segment}/{number}")
        self.add(report, kg(link), node)
        if span is not None:
            self.span(node, span, quote)
        return node


@dataclass
class ReportRdf:
    """A report as RDF: its graph name (the report's IRI), the graph's quads, its text-index entries."""

    graph: NamedNode
    quads: list[Quad]
    entries: list[Entry]


def report_quads(report: Report) -> tuple[NamedNode, list[Quad]]:
    """The report's IRI (also its graph name) and every quad of its graph."""
    rdf = report_rdf(report)
    return rdf.graph, rdf.quads


def report_rdf(report: Report) -> ReportRdf:
    """The report's graph and the tokens of its problems, measures and documents for the text index."""
    iri = report_iri(report)
    out = _Emitter(iri)
    _report_node(out, iri, report)
    code = report.committee.region.code
    committee = _committee(out, report)
    out.add(iri, kg("committee"), committee)
    _inspection(out, iri, report, committee)
    for i, category in enumerate(report.categories, 1):
        _category(out, iri, category, f"{iri.value}/c{i}", code)
    _documents(out, iri, report, code)
    _status_counts(out, iri, report)
    for i, declared in enumerate(report.declared, 1):
        node = out.statement(iri, "declares", "declared", i, declared.span, declared.text)
        out.integer(node, kg("count"), declared.count)
        out.text(node, kg("countedThing"), declared.what)
        out.text(node, kg("comparedWith"), declared.compared_with)
        out.integer(node, kg("foundCount"), declared.found)
        out.text(node, kg("notCompared"), declared.not_compared)
    _progress(out, iri, report)
    _references(out, iri, report)
    _quality(out, iri, report)
    return ReportRdf(iri, list(dict.fromkeys(out.quads)), out.entries)  # shared nodes are described once per graph


def report_regions(graph: NamedNode, quads: Iterable[Quad]) -> tuple[str, ...]:
    """Division codes of the report's committee's region and of the regions holding it, what
    ``?report kg:committee/kg:region/kg:withinRegion*/kg:divisionCode`` gives, read from the graph's
    quads (parser output or stored graph alike): the text index keeps them to narrow a text
    lookup to a region."""
    wanted = {kg(name): name for name in ("committee", "region", "withinRegion", "divisionCode")}
    links: dict[str, dict[str, list[str]]] = {name: {} for name in wanted.values()}
    for quad in quads:
        name = wanted.get(quad.predicate)
        if name is not None:
            links[name].setdefault(term_text(quad.subject), []).append(term_text(quad.object))
    regions = [r for c in links["committee"].get(graph.value, ()) for r in links["region"].get(c, ())]
    seen: dict[str, None] = {}
    while regions:
        region = regions.pop()
        if region not in seen:
            seen[region] = None
            regions += links["withinRegion"].get(region, ())
    return tuple(sorted({code for r in seen for code in links["divisionCode"].get(r, ())}))


def _status_counts(out: _Emitter, iri: NamedNode, report: Report) -> None:
    """How many of the report's problems carry each status tag, stated per report so that the
    status-summary listing streams instead of grouping every problem of the corpus."""
    counts = Counter(problem.status for problem in report.iter_problems() if problem.status)
    for i, (status, count) in enumerate(sorted(counts.items()), 1):
        node = out.statement(iri, "statusCount", "status", i)
        out.text(node, kg("statusTag"), status)
        out.integer(node, kg("problemCount"), count)


def _progress(out: _Emitter, iri: NamedNode, report: Report) -> None:
    """The report's statements of progress (kg.parse.progress), each with its span, state and count."""
    for i, item in enumerate(report.progress, 1):
        node = out.statement(iri, "statesProgress", "progress", i, item.span, item.quote)
        out.text(node, kg("progressState"), item.state)
        out.integer(node, kg("count"), item.count)
        out.text(node, kg("countedThing"), item.counted)
        out.integer(node, kg("progressTotal"), item.total)
        out.text(node, kg("statedIn"), item.where)


def _references(out: _Emitter, iri: NamedNode, report: Report) -> None:
    """References to earlier inspections, audits and campaigns (kg.parse.recurrence), each with its
    span, its sentence and the problem, measure or category heading it stands in."""
    items = _item_spans(report, iri.value)
    for i, ref in enumerate(report.references, 1):
        node = out.statement(iri, "refersTo", "reference", i, ref.span, ref.quote)
        out.text(node, kg("referenceKind"), ref.kind)
        out.text(node, kg("sentence"), report.text[ref.sentence[0]:ref.sentence[1]])
        out.integer(node, kg("referenceYear"), ref.year)
        out.text(node, kg("referenceBy"), ref.by)
        out.integer(node, kg("term"), ref.term)
        out.integer(node, kg("roundNumber"), ref.round_number)
        out.integer(node, kg("referenceTotal"), ref.total)
        out.integer(node, kg("openCount"), ref.open)
        for prop, flag in (("followUp", ref.followup), ("previousRound", ref.previous), ("notFixed", ref.not_fixed)):
            if flag:
                out.add(node, kg(prop), Literal("true", datatype=NamedNode(XSD + "boolean")))
        inside = [(end - start, path) for start, end, path in items if start <= ref.span[0] and ref.span[1] <= end]
        if inside:
            out.add(node, kg("inItem"), NamedNode(min(inside)[1]))


def _item_spans(report: Report, base: str) -> list[tuple[int, int, str]]:
    """(start, end, node IRI) of every category heading, problem (title to lead) and measure, with the
    paths _category, _problem and _measure give them."""
    spans: list[tuple[int, int, str]] = []

    def walk(problems: list[Problem], path: str) -> None:
        for j, problem in enumerate(problems, 1):
            here = f"{path}/p{j}"
            parts = [s for s in (problem.span, problem.lead_span) if s is not None]
            if parts:
                spans.append((min(a for a, _ in parts), max(b for _, b in parts), here))
            spans.extend((m.span[0], m.span[1], f"{here}/m{k}") for k, m in enumerate(problem.measures, 1))
            walk(problem.problems, here)

    for i, category in enumerate(report.categories, 1):
        if category.span is not None:
            spans.append((category.span[0], category.span[1], f"{base}/c{i}"))
        walk(category.problems, f"{base}/c{i}")
    return spans


def _quality(out: _Emitter, iri: NamedNode, report: Report) -> None:
    """The quality verdict on every report (ok too, so a query can tell judged from older graphs)
    and one note per reason, so that reports needing review are found by a query."""
    out.text(iri, kg("quality"), report.quality.verdict)
    for i, reason in enumerate(report.quality.reasons, 1):
        node = out.statement(iri, "qualityNote", "quality", i)
        out.text(node, kg("noteCode"), reason.code)
        out.text(node, kg("noteText"), reason.message)


def _report_node(out: _Emitter, iri: NamedNode, report: Report) -> None:
    out.add(iri, RDF_TYPE, kg("Report"))
    out.text(iri, NamedNode(DCT + "title"), report.title)
    if report.title_span:
        out.integer(iri, kg("spanStart"), report.title_span[0])
        out.integer(iri, kg("spanEnd"), report.title_span[1])
    out.date(iri, NamedNode(DCT + "issued"), report.published)
    out.date(iri, kg("signedDate"), report.signed)
    out.text(iri, kg("canonicalText"), report.text)
    for warning in report.warnings:
        out.text(iri, kg("warning"), warning)
    source = NamedNode(f"{ID}source/{report.source.sha256 or 'text'}")
    out.add(iri, NamedNode(PROV + "wasDerivedFrom"), source)
    out.add(source, RDF_TYPE, kg("SourceFile"))
    out.text(source, kg("sha256"), report.source.sha256)
    out.text(source, kg("sourcePath"), report.source.path)
    out.text(source, kg("builtWith"), graph_format())
    out.text(source, kg("encoding"), report.source.encoding)
    metadata = report.source.metadata
    out.text(source, kg("publishedBy"), metadata.get("来源") or metadata.get("信息来源") or metadata.get(PAGE_SITE))
    out.text(source, kg("pageTitle"), metadata.get(PAGE_TITLE))
    if metadata.get(PAGE_URL, "").startswith(("http://", "https://")):
        out.add(source, kg("pageURL"), Literal(metadata[PAGE_URL], datatype=NamedNode(XSD + "anyURI")))
    out.text(source, kg("siteName"), metadata.get(PAGE_SITE))


def _region(out: _Emitter, region: Region) -> NamedNode | None:
    if not region.code:
        return None
    code = region.code
    levels: list[tuple[str, str | None, str]] = [(code[:2] + "0000", region.province, "province")]
    if region.city:
        levels.append((code[:4] + "00", region.city, "city"))
    if region.county:
        levels.append((code, region.county, "county"))
    previous: NamedNode | None = None
    for level_code, name, level in levels:
        node = region_iri(level_code)
        out.add(node, RDF_TYPE, kg("Region"))
        out.text(node, kg("divisionCode"), level_code)
        out.text(node, kg("divisionLevel"), level)
        out.text(node, SKOS_PREF, name)
        out.add(node, kg("withinRegion"), previous)
        previous = node
    return previous


def _committee(out: _Emitter, report: Report) -> NamedNode:
    committee = report.committee
    node = NamedNode(f"{ID}committee/{committee_key(committee)}")
    out.add(node, RDF_TYPE, kg("PartyCommittee"))
    out.text(node, SKOS_PREF, committee.name)
    out.text(node, NamedNode(SKOS + "altLabel"), committee.short_name)
    out.text(node, kg("committeeKind"), committee.kind)
    out.add(node, kg("region"), _region(out, committee.region))
    if committee.span:
        out.span(node, committee.span, committee.name)
    return node


def _inspection(out: _Emitter, iri: NamedNode, report: Report, committee: NamedNode) -> None:
    inspection = report.inspection
    node = inspection_iri(report)
    out.add(iri, kg("inspection"), node)
    out.add(node, RDF_TYPE, kg("Inspection"))
    out.text(node, kg("inspectionKind"), inspection.kind)
    out.add(node, kg("inspectedCommittee"), committee)
    out.date(node, kg("startDate"), inspection.start)
    out.date(node, kg("endDate"), inspection.end)
    out.date(node, kg("feedbackDate"), inspection.feedback)
    out.text(node, kg("round"), inspection.round)
    out.integer(node, kg("term"), inspection.term)
    out.integer(node, kg("roundNumber"), inspection.round_number)
    if inspection.span:
        out.span(node, inspection.span, report.text[inspection.span[0]:inspection.span[1]])
    if inspection.start or inspection.end:
        period = NamedNode(node.value + "/period")
        out.add(node, kg("period"), period)  # a time:Interval, time:Instant ends: their classes are the ranges
        for prop, value, suffix in (("hasBeginning", inspection.start, "start"), ("hasEnd", inspection.end, "end")):
            if value:
                instant = NamedNode(f"{period.value}/{suffix}")
                out.add(period, NamedNode(TIME + prop), instant)
                out.date(instant, NamedNode(TIME + "inXSDDate"), value)
    group = group_iri(report)
    if group is not None:
        out.add(node, kg("group"), group)
        out.add(group, RDF_TYPE, kg("InspectionGroup"))
        out.text(group, SKOS_PREF, inspection.group)
        out.integer(group, kg("ordinal"), inspection.ordinal)
        out.text(group, kg("inspectionKind"), inspection.kind)
        out.text(group, kg("round"), inspection.round)
        dispatcher = NamedNode(f"{ID}committee/{dispatcher_key(inspection.by, report.committee.region)}")
        out.add(group, kg("dispatchedBy"), dispatcher)
        out.add(dispatcher, RDF_TYPE, kg("PartyCommittee"))
        out.text(dispatcher, kg("committeeKind"), inspection.by)
        out.text(dispatcher, SKOS_PREF, _dispatcher_label(inspection.by, report.committee.region))


def _dispatcher_label(by: str | None, region: Region) -> str | None:
    if by in _PROVINCIAL_BY and region.province:
        return f"中共{region.province.removesuffix('省')}{by}" if by == "省委" else f"中共{region.province}{by}"
    if by in _CITY_BY and region.city:
        return f"中共{region.city.removesuffix('市')}{by}" if by == "市委" else f"中共{region.city}{by}"
    if by in _COUNTY_BY and region.county:
        return f"中共{region.county[:-1]}{by}"
    return by


def _category(out: _Emitter, report: NamedNode, category: Category, path: str, code: str | None) -> None:
    node = NamedNode(path)
    out.add(node, RDF_TYPE, kg("ProblemCategory"))
    out.span(node, category.span, category.title)
    out.text(node, kg("marker"), category.marker)
    for j, problem in enumerate(category.problems, 1):  # an item's position is the number ending its IRI
        _problem(out, report, problem, f"{path}/p{j}", node, None, code, [category.title or ""])


def _problem(out: _Emitter, report: NamedNode, problem: Problem, path: str, category: NamedNode,
             parent: NamedNode | None, code: str | None, headings: list[str]) -> None:
    node = NamedNode(path)
    out.add(node, RDF_TYPE, kg("Problem"))
    out.span(node, problem.span, problem.title)
    text = problem.title or problem.lead or ""
    _types(out, node, text, headings)
    _index(out, "Problem", node, problem.title or "")
    out.add(node, kg("category"), category)
    out.add(node, kg("subProblemOf"), parent)
    out.text(node, kg("status"), problem.status)
    out.text(node, kg("progressState"), state_of(problem.status))
    out.text(node, kg("marker"), problem.marker)
    out.text(node, kg("lead"), problem.lead)
    out.integer(node, kg("measureCount"), len(problem.measures) or None)  # a listing streams (no GROUP BY); 0 unwritten
    _quantities(out, report, node, path, problem.quantities)
    inner = [problem.title or "", *headings]
    for k, measure in enumerate(problem.measures, 1):
        _measure(out, report, measure, f"{path}/m{k}", node, code, inner)
    for k, sub in enumerate(problem.problems, 1):
        _problem(out, report, sub, f"{path}/p{k}", category, node, code, inner)


def _quantities(out: _Emitter, report: NamedNode, item: NamedNode, path: str, quantities: list[Quantity]) -> None:
    """Each quantity as a node of its item (path/qN) with its span. Its class (kg:Quantity, the range of
    kg:hasQuantity), its report (its item's) and its words (the report's kg:canonicalText between the span's
    ends) follow from other triples and are not written: 3 of a quantity's 9 quads."""
    for k, quantity in enumerate(quantities, 1):
        node = NamedNode(f"{path}/q{k}")
        out.add(item, kg("hasQuantity"), node)
        out.integer(node, kg("spanStart"), quantity.span[0])
        out.integer(node, kg("spanEnd"), quantity.span[1])
        out.text(node, kg("quantityKind"), None if quantity.kind == "other_count" else quantity.kind)  # 4 in 5: implied
        out.add(node, kg("value"), Literal(_decimal_text(quantity.value), datatype=XSD_DECIMAL))
        out.text(node, kg("unit"), quantity.unit)
        if quantity.approx:
            out.add(node, kg("approximate"), Literal("true", datatype=NamedNode(XSD + "boolean")))


def _decimal_text(value: float) -> str:
    """xsd:decimal lexical form: no exponent (1.166E9 is not a decimal), no trailing .0."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _measure(out: _Emitter, report: NamedNode, measure: Measure, path: str, problem: NamedNode,
             code: str | None, headings: list[str]) -> None:
    node = NamedNode(path)
    out.measures.append((measure, node))
    out.add(node, RDF_TYPE, kg("Measure"))
    out.span(node, measure.span, measure.text)
    _types(out, node, measure.text, headings)
    _index(out, "Measure", node, measure.text)
    out.add(node, kg("addresses"), problem)
    out.text(node, kg("marker"), measure.marker)
    _quantities(out, report, node, path, measure.quantities)
    # kg:concreteness is not written (issue 25): it is how many kg:concreteReason values the measure has
    out.text(node, kg("status"), measure.status)
    out.text(node, kg("progressState"), state_of(measure.status))
    for reason in measure.concrete_reasons:
        out.text(node, kg("concreteReason"), reason)
    for body in measure.bodies:
        named = body.region.code if body.region is not None else None
        place = named or body_region(body.level, code)
        org = organisation_iri(body.name, place)
        out.add(node, kg(ROLE_PROPERTIES[body.role]), org)  # one edge says the role: no node per mention
        # its class, kg:Organisation, is the range of the role property and is not written (issue 25)
        out.text(org, SKOS_PREF, body.name)
        if named and body.region is not None:
            out.add(org, kg("region"), _region(out, body.region))  # another city's body: its region described too
        else:
            out.add(org, kg("region"), region_iri(place) if place and place != CENTRAL else None)


def _types(out: _Emitter, node: NamedNode, text: str, headings: list[str]) -> None:
    """Problem types with score and matched keywords (kept so every assignment is explained).

    Three quads an assignment: the item's kg:problemType, and the assignment's score and keywords (one
    literal) on the node ITEM/type/SLUG, which a query reaches from the item and the concept's slug
    (kg:typeAssignment and kg:concept, which said the same, are no longer written; at first an assignment
    took 7 quads, then 5: type assignments were 39%, then 23%, of a report's quads)."""
    for hit in classify(text, headings):
        out.add(node, kg("problemType"), NamedNode(hit.concept.iri))
        assignment = NamedNode(f"{node.value}/type/{hit.concept.slug}")
        canonical = f"{hit.score:.2f}".rstrip("0").rstrip(".")  # the form Oxigraph stores
        out.add(assignment, kg("score"), Literal(canonical, datatype=XSD_DECIMAL))
        out.text(assignment, kg("matchedKeywords"), KEYWORD_SEPARATOR.join(hit.matched))


def _index(out: _Emitter, kind: str, node: NamedNode, text: str) -> None:
    """The item's jieba tokens, for the text index kept beside the graph (kg.index)."""
    out.entries.append(Entry(kind, node.value, tokens(text), text))


def _documents(out: _Emitter, report: NamedNode, parsed: Report, code: str | None) -> None:
    n = 0
    for document in parsed.documents:
        doc = document_iri(document, code)
        out.add(doc, RDF_TYPE, kg("NamedDocument"))
        out.text(doc, NamedNode(DCT + "title"), document.title)
        out.text(doc, NamedNode(DCT + "identifier"), document.number)
        out.text(doc, kg("documentKind"), document.kind)
        out.text(doc, kg("issuer"), issuer_of(document.number))
        _index(out, "NamedDocument", doc, document.title)
        for mention in document.mentions:
            n += 1
            node = NamedNode(f"{report.value}/mention/{n}")
            out.span(node, mention.span, None)  # its words are its document's dct:title; its class and measure
            # (kg:DocumentMention, the domain of kg:document; the measure whose span holds it) are not written
            out.add(node, kg("document"), doc)
            out.text(node, kg("relation"), mention.relation)
            for measure, measure_node in out.measures:
                if measure.span[0] <= mention.span[0] and mention.span[1] <= measure.span[1]:
                    out.add(measure_node, kg(mention.relation), doc)
                    break
