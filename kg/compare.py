"""Compare: regions or committees side by side, computed from the store with saved queries.

One job: for each thing named (a region by division code or name, a committee, or one report),
gather the figures a researcher or journalist puts in one table — reports, problems by type,
measures, the share of concrete measures, accountability figures, money recovered, refunded or
saved, rules made, and the days from the inspection's feedback to the report — and return them
as data (kg.cli prints them, kg.brief draws them). Every figure comes from a saved query
(kg/queries: reports, region-reports, problems, concrete-measures, concrete-by-type,
accountability-by-region, money-by-region, quantities-by-region) run with its parameters bound as
typed terms, so each number can be traced to the rows, and the rows to their sentences.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import Literal, Store, Variable

from kg.exceptions import UnknownRegionError
from kg.model import CONCRETE_REASONS
from kg.namespaces import ID, sparql_prefixes
from kg.parse.region import division_code
from kg.query import resolve_query, run_query
from kg.sparql import select, term_text

ACCOUNTABILITY = {"cases_opened": "立案", "people_disciplined": "处分", "people_accountable": "问责",
                  "admonition_talks": "诫勉谈话", "organisational_handling": "组织处理",
                  "transferred_to_judiciary": "移送司法"}
MONEY = {"recovered": "追回", "refunded": "清退", "saved": "节约"}  # money-by-region's uses; "other" is left out
TOP_TYPES = 5  # problem types shown in the table, most problems first
TOP_MEASURES = 10  # most concrete measures a side keeps for the brief
_CODE_RE = re.compile(r"^(\d{2}|\d{4}|\d{6})$")  # a province's or city's 2 or 4 digits: division_code pads them

# The one table's rows: stable English key (programs) and Chinese header (people), in order.
FIELDS: tuple[tuple[str, str], ...] = (
    ("label", "名称"), ("code", "区划代码"), ("reports", "报告数"), ("problems", "问题数"),
    ("top_types", "主要问题类型"), ("measures", "整改措施数"), ("concrete_measures", "具体措施数"),
    ("concrete_share", "具体措施占比(%)"),
    *((f"{kind}", f"{label}({'件' if kind == 'cases_opened' else '人'})") for kind, label in ACCOUNTABILITY.items()),
    *((f"money_{use}", f"{label}资金(元)") for use, label in MONEY.items()),
    ("rules_made", "制定制度(项)"), ("days_feedback_to_report", "反馈至报告天数"),
)


@dataclass(frozen=True)
class Scope:
    """What a name given on the command line stands for: a region (and those within it), a
    committee, or one report; the reports it covers."""

    query: str
    kind: str  # region, committee or report
    label: str
    code: str | None
    reports: tuple[str, ...]


@dataclass
class ReportFacts:
    report: str
    committee: str
    code: str | None
    place: str | None
    group: str | None
    inspection_kind: str | None
    start: str | None
    end: str | None
    feedback: str | None
    signed: str | None
    published: str | None

    @property
    def days_to_report(self) -> int | None:
        """Days from the inspection's feedback to the signed report (as kg query timeline counts them)."""
        if not self.feedback or not self.signed:
            return None
        return (dt.date.fromisoformat(self.signed) - dt.date.fromisoformat(self.feedback)).days

    def to_dict(self) -> dict[str, Any]:
        return {"report": self.report, "committee": self.committee, "code": self.code, "place": self.place,
                "group": self.group, "inspection_kind": self.inspection_kind, "start": self.start, "end": self.end,
                "feedback": self.feedback, "signed": self.signed, "published": self.published,
                "days_feedback_to_report": self.days_to_report}


@dataclass
class TypeCount:
    notation: str
    label: str
    problems: int = 0
    measures: int = 0
    concrete: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"notation": self.notation, "label": self.label, "problems": self.problems,
                "measures": self.measures, "concrete_measures": self.concrete}


@dataclass
class ConcreteMeasure:
    measure: str
    report: str
    score: int
    reasons: list[str]
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"measure": self.measure, "report": self.report, "score": self.score, "reasons": self.reasons,
                "text": self.text}


@dataclass
class Side:
    """One compared region, committee or report, with its figures."""

    scope: Scope
    reports: list[ReportFacts]
    problems: int
    measures: int
    concrete: int
    types: list[TypeCount]
    accountability: dict[str, int]
    money: dict[str, int]
    rules: int
    top_measures: list[ConcreteMeasure] = field(default_factory=list)
    # reports whose committee has no division code (a university's, an enterprise's): their problems, measures
    # and concrete measures are counted, their types, accountability figures, money and rules are not
    unplaced: list[str] = field(default_factory=list)

    @property
    def concrete_share(self) -> float | None:
        """Concrete measures as a percentage of all measures, one decimal."""
        return round(100 * self.concrete / self.measures, 1) if self.measures else None

    @property
    def days_to_report(self) -> list[int]:
        return [d for d in (r.days_to_report for r in self.reports) if d is not None]

    @property
    def mean_days_to_report(self) -> float | None:
        days = self.days_to_report
        return round(sum(days) / len(days), 1) if days else None

    def top_types(self, n: int = TOP_TYPES) -> list[TypeCount]:
        """The types with most problems (then most measures), at most n, none without problems."""
        return [t for t in self.types if t.problems][:n]

    def flat(self) -> dict[str, Any]:
        """One value per FIELDS key: what a CSV row and the table's column hold."""
        values: dict[str, Any] = {
            "label": self.scope.label, "code": self.scope.code, "reports": len(self.reports),
            "problems": self.problems,
            "top_types": "; ".join(f"{t.notation} {t.label} {t.problems}" for t in self.top_types()),
            "measures": self.measures, "concrete_measures": self.concrete, "concrete_share": self.concrete_share,
            "rules_made": self.rules, "days_feedback_to_report": self.mean_days_to_report}  # mean over reports
        values.update(self.accountability)
        values.update({f"money_{use}": yuan for use, yuan in self.money.items()})
        return {key: values.get(key) for key, _ in FIELDS}

    def to_dict(self) -> dict[str, Any]:
        """Everything, nested, with stable English keys (kg compare --format json, the brief's data)."""
        return {"query": self.scope.query, "kind": self.scope.kind, **self.flat(),
                "days_feedback_to_report_by_report": self.days_to_report,
                "types": [t.to_dict() for t in self.types], "accountability": self.accountability,
                "money": self.money, "reports_detail": [r.to_dict() for r in self.reports],
                "reports_without_region": self.unplaced,
                "top_concrete_measures": [m.to_dict() for m in self.top_measures]}


def compare(store: Store, names: Sequence[str], top_measures: int = TOP_MEASURES) -> list[Side]:
    """The figures of each region, committee or report named, in the order given."""
    listing = _reports(store)
    return [side(store, resolve(store, name, listing), top_measures, listing) for name in names]


def side(store: Store, scope: Scope, top_measures: int = TOP_MEASURES,
         listing: list[ReportFacts] | None = None) -> Side:
    """A scope's figures, each read with a saved query bound to its region or its reports."""
    facts = {r.report: r for r in (_reports(store) if listing is None else listing)}
    reports = [facts[r] for r in scope.reports if r in facts]
    # the by-region queries are lookups led by a division code: the region's, or each report's own
    by_region = [{"region": scope.code}] if scope.kind == "region" and scope.code else \
        [{"region": r.code, "report": r.report} for r in reports if r.code]
    problems, measures = _problem_counts(store, scope.reports)
    concrete = _concrete(store, scope.reports)
    accountability = dict.fromkeys(ACCOUNTABILITY, 0)
    for row in _rows(store, "accountability-by-region", by_region):
        accountability[row["kind"]] += int(row["total"] or 0)
    money = dict.fromkeys(MONEY, 0)
    for row in _rows(store, "money-by-region", by_region):
        if row["purpose"] in money:
            money[row["purpose"]] += int(row["yuan"] or 0)
    rules = sum(int(row["total"] or 0) for row in _rows(store, "quantities-by-region",
                                                        [{**p, "kind": "rules"} for p in by_region]))
    ranked = sorted(concrete.values(), key=lambda m: (-m.score, m.report, _natural(m.measure)))
    return Side(scope=scope, reports=reports, problems=problems, measures=measures, concrete=len(concrete),
                types=_types(store, by_region), accountability=accountability, money=money, rules=rules,
                top_measures=ranked[:top_measures], unplaced=[r.report for r in reports if not r.code])


def resolve(store: Store, name: str, listing: list[ReportFacts] | None = None) -> Scope:
    """A region (division code, or a name: 天桥区, 济南市, 山东省), a committee (中共济南市天桥区委, or a
    part of its name naming one), or a report (its IRI or the part after /id/), with its reports."""
    text = name.strip()
    listing = _reports(store) if listing is None else listing
    if text.startswith(("http://", "https://", "report/")):
        iri = text if text.startswith("http") else ID + text
        found = [r for r in listing if r.report == iri]
        if not found:
            raise UnknownRegionError(f"没有这份报告 (no such report in the store: {name!r}; kg query reports lists them)")
        return Scope(name, "report", f"{found[0].committee} {found[0].signed or ''}".strip(), found[0].code, (iri,))
    if _CODE_RE.match(text):
        return _region_scope(store, name, division_code(text), listing)
    places = {r.place: r.code for r in listing if r.place and r.code}
    if text in places:
        return _region_scope(store, name, places[text], listing)
    committees = sorted({r.committee for r in listing if r.committee == text}) or \
        sorted({r.committee for r in listing if text in r.committee})
    if len(committees) == 1:
        reports = tuple(r.report for r in listing if r.committee == committees[0])
        return Scope(name, "committee", committees[0], listing_code(listing, reports), reports)
    if len(committees) > 1:
        raise UnknownRegionError(f"名称有歧义 (ambiguous name {name!r}: {'、'.join(committees)})")
    codes = _region_codes(store, text)
    if len(codes) == 1:
        return _region_scope(store, name, codes[0], listing)
    if len(codes) > 1:
        raise UnknownRegionError(f"名称有歧义 (ambiguous name {name!r}: division codes {'、'.join(codes)})")
    raise UnknownRegionError(f"没有这个地区或党组织 (no region or committee named {name!r} in the store; "
                             f"known: {'、'.join(sorted(places)) or '无 (none)'})")


def listing_code(listing: Iterable[ReportFacts], reports: Sequence[str]) -> str | None:
    """The division code the reports share, if they share one."""
    codes = {r.code for r in listing if r.report in reports}
    return codes.pop() if len(codes) == 1 else None


def _region_scope(store: Store, name: str, code: str, listing: list[ReportFacts]) -> Scope:
    rows = run_query(store, resolve_query("region-reports"), {"code": code}).as_dicts()
    reports = tuple(dict.fromkeys(str(row["report"]) for row in rows))
    if not reports:
        raise UnknownRegionError(f"该地区没有报告 (no report in the store for region {name!r}, code {code})")
    return Scope(name, "region", _region_name(store, code) or name, code, reports)


def _region_codes(store: Store, text: str) -> list[str]:
    """Codes of the regions the graph names so (济南市), else whose name starts so (山东 → 山东省): a city
    or province is described in its counties' reports. Kept out of kg.parse.region, whose package
    takes a second and a half to import."""
    query = sparql_prefixes("kg", "skos") + """SELECT DISTINCT ?code ?name WHERE {
      ?r a kg:Region ; kg:divisionCode ?code ; skos:prefLabel ?name . FILTER (STRSTARTS(?name, ?text)) }"""
    rows = select(store, query, {Variable("text"): Literal(text)})
    found = {(term_text(row["code"]), term_text(row["name"])) for row in rows
             if row["code"] is not None and row["name"] is not None}
    exact = sorted({code for code, label in found if label == text})
    return exact or sorted({code for code, _ in found})


def _region_name(store: Store, code: str) -> str | None:
    """The region's name as the graph gives it (a city or province is described in its counties' reports)."""
    query = sparql_prefixes("kg", "skos") + "SELECT ?name WHERE { ?r kg:divisionCode ?code ; skos:prefLabel ?name } LIMIT 1"
    for row in select(store, query, {Variable("code"): Literal(code)}):
        name = row["name"]
        return term_text(name) if name is not None else None
    return None


def _reports(store: Store) -> list[ReportFacts]:
    rows = run_query(store, resolve_query("reports")).as_dicts()
    seen: dict[str, ReportFacts] = {}
    for row in rows:
        seen.setdefault(str(row["report"]), ReportFacts(
            report=str(row["report"]), committee=str(row["committee"]), code=row["code"], place=row["region"],
            group=row["group"], inspection_kind=row["kind"], start=row["start"], end=row["end"],
            feedback=row["feedback"], signed=row["signed"], published=row["published"]))
    return sorted(seen.values(), key=lambda r: (r.signed or "", r.report))


def _rows(store: Store, name: str, bindings: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    query = resolve_query(name)
    return [row for values in bindings
            for row in run_query(store, query, {k: str(v) for k, v in values.items() if v is not None}).as_dicts()]


def _problem_counts(store: Store, reports: Sequence[str]) -> tuple[int, int]:
    """Problems (sub-problems included) and measures (each addresses one problem: its kg:measureCount)."""
    rows = _rows(store, "problems", ({"report": r} for r in reports))
    return len({row["problem"] for row in rows}), sum(int(row["measures"] or 0) for row in rows)


def _concrete(store: Store, reports: Sequence[str]) -> dict[str, ConcreteMeasure]:
    found: dict[str, ConcreteMeasure] = {}
    for row in _rows(store, "concrete-measures", ({"report": r} for r in reports)):
        measure = found.setdefault(row["measure"], ConcreteMeasure(row["measure"], row["report"], int(row["score"]),
                                                                   [], str(row["text"])))
        measure.reasons.append(str(row["reason"]))
    for measure in found.values():
        measure.reasons.sort(key=lambda r: list(CONCRETE_REASONS).index(r) if r in CONCRETE_REASONS else len(CONCRETE_REASONS))
    return found


def _types(store: Store, bindings: list[dict[str, Any]]) -> list[TypeCount]:
    """Problems, measures and concrete measures per leaf type, most problems first."""
    types: dict[str, TypeCount] = {}
    for row in _rows(store, "concrete-by-type", bindings):
        count = types.setdefault(row["notation"], TypeCount(str(row["notation"]), str(row["label"])))
        count.problems += int(row["problems"])
        count.measures += int(row["measures"])
        count.concrete += int(row["concrete_measures"])
    return sorted(types.values(), key=lambda t: (-t.problems, -t.measures, _natural(t.notation)))


def _natural(text: str) -> list[Any]:
    """E2 before E10; c1/p2 before c1/p10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]
