"""The typed document model of one rectification report.

Every extracted item carries a ``span``: ``(start, end)`` offsets into ``Report.text``,
the report's canonical text, such that ``text[start:end]`` is exactly the item's text.
That invariant is what lets every answer in the graph be traced back to its sentence.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

Span = tuple[int, int]


@dataclass
class SourceInfo:
    """Where the text came from and how it was read."""

    path: str
    sha256: str
    encoding: str
    chars: int
    bytes: int = 0
    dropped_lines: int = 0
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass
class Region:
    province: str | None = None
    city: str | None = None
    county: str | None = None
    code: str | None = None


@dataclass
class Committee:
    name: str | None = None
    short_name: str | None = None
    kind: str | None = None
    region: Region = field(default_factory=Region)
    span: Span | None = None


@dataclass
class Inspection:
    kind: str | None = None
    by: str | None = None
    group: str | None = None
    ordinal: int | None = None
    round: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    feedback: dt.date | None = None
    span: Span | None = None
    term: int | None = None  # 届 of the dispatching committee (十二届市委第二轮 -> 12), kg.parse.recurrence
    round_number: int | None = None  # 轮 within the term (-> 2)


@dataclass
class Progress:
    """A statement of how far rectification has come (kg.parse.progress): "已完成22个", "除3个问题正在推进外",
    "3项整改需要长期坚持"; text[span] == quote. ``total`` is the count the statement splits (31个具体问题)."""

    state: str  # done, basically_done, staged, in_progress, long_term, not_done
    quote: str
    span: Span
    count: int | None = None
    counted: str | None = None  # the noun counted (问题, 任务, 事项…), when written
    total: int | None = None
    where: str = "summary"  # summary (before the problem list), item (inside it), plan (after it)


@dataclass
class Reference:
    """A reference to an earlier inspection, audit, supervision or campaign (kg.parse.recurrence):
    "2015年省委巡视反馈13个问题中8个未整改到位", "巡视反馈一些问题整改不到位"; text[span] == quote."""

    kind: str  # inspection, audit, supervision, campaign
    quote: str
    span: Span
    sentence: Span
    year: int | None = None
    by: str | None = None  # the dispatching or issuing body as written (省委, 中央…)
    term: int | None = None
    round_number: int | None = None
    followup: bool = False  # a 回头看 of it
    previous: bool = False  # 上轮/上一次/前次: the inspection of the same body just before this one
    not_fixed: bool = False  # the sentence says its problems were not (fully) rectified
    total: int | None = None  # 13个问题中8个未整改到位: total 13, open 8
    open: int | None = None


@dataclass
class Declared:
    """A count the report declares about itself, e.g. "细化为49项具体问题"."""

    text: str
    count: int
    what: str
    span: Span
    compared_with: str | None = None
    found: int | None = None
    not_compared: str | None = None  # why no level of the report fits the counted noun (kg.parse.counts)
    sentence: Span | None = None  # the sentence holding it: counts of one sentence are one statement


@dataclass
class Mention:
    span: Span
    relation: str


@dataclass
class Document:
    """A policy document named in 《》, with its 文号 when one is written beside it."""

    title: str
    number: str | None = None
    kind: str | None = None
    mentions: list[Mention] = field(default_factory=list)


@dataclass
class Quantity:
    """A number with its unit and what it counts (kg.parse.quantities); text[span] == quote."""

    kind: str
    value: float
    unit: str
    quote: str
    span: Span
    approx: bool = False
    number_span: Span | None = None


@dataclass
class Body:
    """A body a measure names (kg.parse.entities): its name as written (normalised), where, and its role there.

    ``role`` is lead (牵头), responsible (由…负责, 责任单位), participant (acts or is acted on) or mentioned
    (named for context: a requirement cited, an honour); ``level`` is the tier its name or its enumeration
    gives (中央, 省, 市, 区, 县…), which places the body in the report's region or one above it; None when the
    name has none. ``region`` is the division a name opening with a place names (济南市基础教育…领导小组)."""

    name: str
    span: Span
    role: str = "participant"
    level: str | None = None
    region: Region | None = None  # the province or city its name opens with (济南市…), when it names one


# The kinds of checkable fact that make a measure concrete (kg.parse.quantities.concreteness), in the
# order they are listed, with how people read them.
CONCRETE_REASONS = {"quantity": "数量", "document": "文件", "organisation": "机构", "date": "日期", "deadline": "时限"}


@dataclass
class Measure:
    text: str
    span: Span
    marker: str | None = None
    documents: list[str] = field(default_factory=list)
    organizations: list[str] = field(default_factory=list)
    bodies: list[Body] = field(default_factory=list)  # the organisations with their spans and roles
    quantities: list[Quantity] = field(default_factory=list)
    concreteness: int = 0  # how many kinds of concrete fact it carries (kg.parse.quantities.concreteness)
    concrete_reasons: list[str] = field(default_factory=list)
    status: str | None = None  # a status tag closing the measure ((已完成); 完成情况:持续推进), kg.parse.progress


@dataclass
class Problem:
    title: str | None
    span: Span | None
    status: str | None = None
    problems: list[Problem] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    marker: str | None = None
    lead: str | None = None
    lead_span: Span | None = None
    quantities: list[Quantity] = field(default_factory=list)  # in its title and lead


@dataclass
class Category:
    title: str | None
    span: Span | None
    problems: list[Problem] = field(default_factory=list)
    marker: str | None = None


@dataclass
class Contact:
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    postcode: str | None = None


@dataclass
class QualityReason:
    """One reason for a quality verdict: ``code`` is a stable English key (no-problem-list,
    declared-mismatch…) for programs, ``message`` the Chinese-first text for people."""

    code: str
    message: str


@dataclass
class Quality:
    """How far a parsed report can be trusted, said out loud instead of passing an empty or cut
    parse as a success: ``ok``, ``review`` (something to check by eye) or ``incomplete`` (the
    problem list or the end of the report is missing), with the reasons."""

    verdict: str = "ok"
    reasons: list[QualityReason] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """{"verdict": …, "reasons": [{"code": …, "message": …}]}, as in the report's JSON."""
        data: dict[str, Any] = _jsonable(self)
        return data


@dataclass
class Report:
    schema: str
    source: SourceInfo
    text: str
    title: str | None = None
    title_span: Span | None = None
    committee: Committee = field(default_factory=Committee)
    inspection: Inspection = field(default_factory=Inspection)
    published: dt.date | None = None
    signed: dt.date | None = None
    declared: list[Declared] = field(default_factory=list)
    categories: list[Category] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    contact: Contact = field(default_factory=Contact)
    warnings: list[str] = field(default_factory=list)
    quality: Quality = field(default_factory=Quality)  # set by kg.parse.quality.judge at the end of parsing
    progress: list[Progress] = field(default_factory=list)  # kg.parse.progress
    references: list[Reference] = field(default_factory=list)  # kg.parse.recurrence

    def iter_problems(self) -> list[Problem]:
        """All problems, depth first, sub-problems after their parent."""
        out: list[Problem] = []

        def walk(problems: list[Problem]) -> None:
            for problem in problems:
                out.append(problem)
                walk(problem.problems)

        for category in self.categories:
            walk(category.problems)
        return out

    def iter_measures(self) -> list[Measure]:
        return [m for p in self.iter_problems() for m in p.measures]

    def to_dict(self, include_text: bool = True) -> dict[str, Any]:
        """A JSON-ready dict in the documented ``xunshi-kg/report/1`` shape."""
        data: dict[str, Any] = _jsonable(self)
        if not include_text:
            data.pop("text", None)
        return data


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value
