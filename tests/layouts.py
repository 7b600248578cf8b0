"""Layout lab: real reports rewritten by code into other layouts that must parse the same.

A report's raw text is read into a ``Doc``: its lines, each with the role the parse of the
original gives it (title, intro, part heading, category, problem heading, measure, signature…)
and the zone it sits in (front matter, organising part, problem list, next steps, end). Layout
classes rewrite the Doc; a renderer turns it into the bytes of a file (plain text, Markdown,
an HTML page, GB18030 with CRLF). ``VARIANTS`` maps each class name to a generator
``text -> Variant``; ``compose`` applies several classes to one report.

The expectation is never written here: it is the parse of the original report, with the
leaf-problem titles a class rewrote replaced by the titles it wrote (``Variant.titles``).
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache, partial

from kg.ingest import normalize_chars
from kg.parse.outline import leading_markers
from kg.model import Problem, Report
from kg.parse import parse_text

# --- the variant and the normalised title ------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """One rewritten report: its text (or bytes), the file suffix, the leaf titles it rewrote."""

    text: str | None = None
    data: bytes | None = None
    suffix: str = ".txt"
    titles: dict[int, str] = field(default_factory=dict)  # leaf ordinal -> new normalised title
    signed: bool = True  # False when the signature and its date were removed
    classes: tuple[str, ...] = ()

    def payload(self) -> bytes:
        """The bytes to write to the variant's file."""
        return self.data if self.data is not None else (self.text or "").encode("utf-8")


_CN_DIGITS = "一二三四五六七八九十"
_MARKER_RE = re.compile(
    r"^(\*\*|\s)*(?:[(\uff08〈‹<]\s*[一二三四五六七八九十\d]+\s*[)\uff09〉›>]|[一二三四五六七八九十]+\s*[、.]|\d+\s*[、.\uff0e]"
    r"|[①-⑳]|第[一二三四五六七八九十]+[,、]?)")
_STATUS_RE = re.compile(r"[(\uff08\[【]\s*(?:已|基本|持续|正在|未|长期|阶段性)[^)\uff09\]】]{0,6}[)\uff09\]】]")


def norm_title(title: str | None) -> str | None:
    """A heading's title without numbering markers, Markdown emphasis, status tags, end punctuation."""
    if title is None:
        return None
    text = normalize_chars(title).replace("**", "").strip()
    while (match := _MARKER_RE.match(text)) and match.end() > 0:
        text = text[match.end():].strip()
    text = _STATUS_RE.sub("", text)
    return text.strip(" \u3000。.;,:") or None


def leaf_problems(report: Report) -> list[Problem]:
    """The problems that have no sub-problems, depth first."""
    return [p for p in report.iter_problems() if not p.problems]


# --- reading a report into lines with roles ------------------------------------------------------


@dataclass
class Line:
    """One paragraph of the report: its raw text (indentation kept), role, zone, problems it heads."""

    text: str
    role: str = "text"  # head, meta, title, intro, part, category, problem, lead, measure, closing, signature, date, tail
    zone: str = "front"  # front, org, list, next, end
    pids: tuple[int, ...] = ()  # indices into report.iter_problems() of the problems headed here
    cid: int | None = None  # index of the category headed here (the first, when headings share the line)
    cells: tuple[tuple[str, int], ...] = ()  # a table row's cells: (text, rows it spans)


@dataclass
class Doc:
    """A report being rewritten: lines plus what the renderers and the expectation need."""

    lines: list[Line]
    report: Report
    blank_lines: bool  # the original separates paragraphs by blank lines
    current: dict[int, str]  # problem index -> its title as currently written
    titles: dict[int, str] = field(default_factory=dict)  # leaf ordinal -> new normalised title
    fmt: str = "text"  # text, markdown, html
    encoding: str = "utf-8"
    crlf: bool = False
    signed: bool = True
    classes: list[str] = field(default_factory=list)
    bold_runs: bool = False  # html: a problem's bold heading runs on, in its <p>, into its first line

    @property
    def problems(self) -> list[Problem]:
        """The original's problems, depth first (``pids`` index this list)."""
        return self.report.iter_problems()

    def leaf_ordinal(self, pid: int) -> int | None:
        """The position of problem ``pid`` among the leaf problems, None when it has sub-problems."""
        problem = self.problems[pid]
        if problem.problems:
            return None
        return [id(p) for p in leaf_problems(self.report)].index(id(problem))

    def title_text(self) -> str:
        """The report's title: its title line, else one made from the committee and the inspection."""
        if self.report.title:
            return self.report.title
        kind = self.report.inspection.kind or "巡视"
        return f"{self.report.committee.name}关于{kind}整改进展情况的通报"

    def date_text(self) -> str:
        """The publication date (else the signed date) in ISO form."""
        date = self.report.published or self.report.signed
        return date.isoformat() if date else "2021-01-01"


def _clean(line: str) -> str:
    """A raw line as the canonical text has it (NFKC forms, no indentation)."""
    return normalize_chars(line).strip(" \t\u3000")


def _line_map(raw: list[str], canon: list[str]) -> list[int]:
    """For each canonical line, the index of the raw line it comes from (in order)."""
    out, j = [], 0
    for line in canon:
        while j < len(raw) and _clean(raw[j]) != line:
            j += 1
        if j == len(raw):
            raise ValueError(f"canonical line not found in the raw text: {line[:40]!r}")
        out.append(j)
        j += 1
    return out


_PART_RE = re.compile(r"^\s*[一二三四五六七八九十]+、")
_DATE_LINE_RE = re.compile(r"^\s*\d{4}年\d{1,2}月\d{1,2}日\s*$")


@lru_cache(maxsize=16)
def _parsed(text: str) -> Report:
    """The parse of an original report (cached: every class reads the same four)."""
    return parse_text(text)


def read_doc(text: str) -> Doc:
    """The report's lines with the roles the parse of the original gives them."""
    report = _parsed(text)
    raw = text.splitlines()
    canon = report.text.split("\n")
    starts, pos = [], 0
    for line in canon:
        starts.append(pos)
        pos += len(line) + 1
    cmap = _line_map(raw, canon)
    lines = [Line(r, role="head" if i < cmap[0] else "tail" if i > cmap[-1] else "meta") for i, r in enumerate(raw)]
    for c, i in enumerate(cmap):
        lines[i].role = "part" if _PART_RE.match(canon[c]) else "text"

    def at(offset: int) -> Line:
        return lines[cmap[bisect_right(starts, offset) - 1]]

    _assign_roles(report, at)
    _assign_zones([ln for ln in lines if ln.text.strip()])
    kept = [ln for ln in lines if ln.text.strip()]
    blank = sum(1 for r in raw if not r.strip()) > len(kept) // 2
    current = {i: p.title for i, p in enumerate(report.iter_problems()) if p.title}
    return Doc(kept, report, blank, current)


def _assign_roles(report: Report, at: Callable[[int], Line]) -> None:
    """Mark the lines holding the title, intro, measures, headings and the signature."""
    if report.title_span:
        at(report.title_span[0]).role = "title"
    if report.inspection.span:
        at(report.inspection.span[0]).role = "intro"
    problems = report.iter_problems()
    for problem in problems:
        for measure in problem.measures:
            at(measure.span[0]).role = "measure"
        if problem.lead_span:
            at(problem.lead_span[0]).role = "lead"
    for cid, category in enumerate(report.categories):
        if category.span:
            line = at(category.span[0])
            line.role, line.cid = "category", cid
    for pid, problem in enumerate(problems):
        if problem.span:
            line = at(problem.span[0])
            line.role, line.pids = "problem", line.pids + (pid,)
    if report.committee.span:
        at(report.committee.span[0]).role = "signature"


def _assign_zones(lines: list[Line]) -> None:
    """Zones: front (to the first part), org (parts before the problem list), list, next, end."""
    first = next(i for i, ln in enumerate(lines) if ln.role in ("category", "problem"))
    last = max(i for i, ln in enumerate(lines) if ln.role in ("category", "problem", "measure", "lead"))
    parts = [i for i, ln in enumerate(lines) if ln.role == "part"]
    list_part = max((i for i in parts if i < first), default=first)
    org_part = min((i for i in parts if i < list_part), default=list_part)
    next_part = min((i for i in parts if i > last), default=len(lines))
    sig = next((i for i, ln in enumerate(lines) if ln.role == "signature"), len(lines))
    closing = next((i for i in range(next_part, sig) if lines[i].text.strip().startswith("欢迎")), sig)
    for i, line in enumerate(lines):
        line.zone = ("front" if i < org_part else "org" if i < list_part else "list" if i < next_part
                     else "next" if i < closing else "end")
        if line.zone == "end" and i >= closing and line.role in ("text", "part"):
            line.role = "closing"
    if sig < len(lines) and sig + 1 < len(lines) and _DATE_LINE_RE.match(lines[sig + 1].text):
        lines[sig + 1].role = "date"


# --- small helpers for the rewrites -----------------------------------------------------------------


def indent_of(line: Line) -> str:
    """The line's leading whitespace."""
    return line.text[: len(line.text) - len(line.text.lstrip(" \t\u3000"))]


def retitle(doc: Doc, line: Line, pid: int, new: str) -> None:
    """Write problem ``pid``'s heading with a new title, and record it when the problem is a leaf."""
    old = doc.current.get(pid)
    if not old or old not in line.text:
        return
    line.text = line.text.replace(old, new, 1)
    doc.current[pid] = new
    ordinal = doc.leaf_ordinal(pid)
    if ordinal is not None:
        doc.titles[ordinal] = norm_title(new) or ""


_NEGATIVE_RE = re.compile(
    r"不够|不到位|不足|不力|不强|不高|不严|不实|不细|不彻底|不突出|不明显|不扎实|不规范|不佳|不优|不快|不大|不多|"
    r"有差距|差距|有欠缺|欠缺|欠佳|欠账|有弱项|弱项|有短板|短板|缺失|缓慢|滞后|薄弱|淡薄|淡化|弱化|较多|偏小|多发|"
    r"禁而未绝|宽松软|迟缓|粗放|未能|没有|存在|长期|问题|方面|情况|不")
_QUOTED_RE = re.compile(r"(?:关于|针对|指出的)“([^”]+)”")


def topic(title: str | None, fallback: str = "整改落实") -> str:
    """The subject a problem heading is about, without its negative wording (for positive rewrites)."""
    if not title:
        return fallback
    text = norm_title(title) or ""
    quoted = _QUOTED_RE.search(text)
    text = quoted.group(1) if quoted else re.sub(r"^(关于|针对)", "", text)
    text = re.sub(r"[“”‘’]", "", re.split(r"[。;]", text)[0])
    cut = _NEGATIVE_RE.search(text, 2)
    core = text[: cut.start()] if cut else text
    core = re.split(r",", core)[0] if len(core) > 16 else core
    core = re.sub(r"^(尚未|未|没有)", "", core)
    core = re.sub(r"(的|和|及|与|,|、|上|中|有|在|对|还|仍|较为|较|等|工作进展|进展|工作力度|力度)+$", "", core)
    return core if len(core) >= 4 else (text[:10] or fallback)


def cn_numeral(n: int) -> str:
    """一 … 九十九."""
    tens, ones = divmod(n, 10)
    head = ("" if tens == 1 else _CN_DIGITS[tens - 1]) + "十" if tens else ""
    return head + (_CN_DIGITS[ones - 1] if ones else "")


def sentences(lines: Iterable[Line]) -> list[str]:
    """The sentences of some paragraphs, with their leading markers and 一是/二是 removed."""
    out: list[str] = []
    for line in lines:
        text = _MARKER_RE.sub("", line.text.strip())
        for sentence in re.findall(r"[^。]+。?", text):
            sentence = re.sub(r"^[一二三四五六七八九十]+是", "", sentence.strip())
            if len(sentence) > 6:
                out.append(sentence if sentence.endswith("。") else sentence + "。")
    return out or ["切实把整改责任扛在肩上、抓在手上。"]


def portal_name(report: Report) -> str:
    """A discipline-inspection portal named after the report's city (秦皇岛市纪检监察网)."""
    region = report.committee.region
    return f"{region.city or region.province or '市'}纪检监察网"


# --- layout classes: each rewrites the Doc in place ----------------------------------------------------

_ACTION_FORMS = ("在{}上下功夫", "着力加强{}", "持续提升{}质效", "着力抓好{}", "扎实推进{}")


def action_headings(doc: Doc) -> None:
    """1. Problem headings written as actions or goals (1.在…上下功夫, 1.加强…建设), numbering kept."""
    k = 0
    for line in doc.lines:
        if line.role == "problem" and line.zone == "list":
            for pid in line.pids:
                if pid in doc.current:
                    retitle(doc, line, pid, _ACTION_FORMS[k % len(_ACTION_FORMS)].format(topic(doc.current[pid])))
                    k += 1


_ORG_PHRASES = ("提高站位,迅速部署", "压实责任,强化领导", "聚焦问题,精准施策", "建章立制,注重长效")
_CATEGORY_FORMS = ("聚焦{},推动整改落地见效", "围绕{},压实整改责任", "着眼{},狠抓问题整改", "对标{},推进整改落实",
                   "紧盯{},巩固整改成效")
_NEXT_PHRASES = ("持续压实整改责任", "持续深化标本兼治", "持续强化成果运用")


def positive_parts(doc: Doc) -> None:
    """2. Positive part and category titles; a numbered organising part before the list and a
    next-steps part after it, made of the report's own sentences. Neither adds problems."""
    org = [ln for ln in doc.lines if ln.zone == "org"]
    nxt = [ln for ln in doc.lines if ln.zone == "next"]
    pad = indent_of(org[0] if org else doc.lines[0])
    for line in doc.lines:
        if line.zone == "list" and line.role == "part":
            line.text = re.sub(r"、.*$", "、压实整改责任,推动整改任务落地见效", line.text)
        elif line.role == "category" and line.cid is not None:
            _positive_category(doc, line)
    new_org = _organising_part(org, pad)
    new_next = _next_steps_part(nxt, pad, doc)
    start = doc.lines.index(org[0]) if org else next(i for i, ln in enumerate(doc.lines) if ln.zone == "list")
    body = [ln for ln in doc.lines if ln.zone not in ("org", "next")]
    list_end = max(i for i, ln in enumerate(body) if ln.zone == "list") + 1
    doc.lines = body[:start] + new_org + body[start:list_end] + new_next + body[list_end:]


def _positive_category(doc: Doc, line: Line) -> None:
    category = doc.report.categories[line.cid or 0]
    if category.title and category.title in line.text:
        form = _CATEGORY_FORMS[(line.cid or 0) % len(_CATEGORY_FORMS)]
        line.text = line.text.replace(category.title, form.format(topic(category.title)), 1)


def _organising_part(org: list[Line], pad: str) -> list[Line]:
    """一、提高政治站位… with 1.提高站位,…。 items whose paragraphs run on in the same line."""
    heading = org[0].text.strip() if org and org[0].role == "part" else "一、"
    numeral = heading.split("、", 1)[0] or "一"
    said = sentences([ln for ln in org if ln.role != "part"])
    n = min(len(_ORG_PHRASES), max(2, len(said) // 2))
    chunks = [said[i::n] for i in range(n)]
    items = [Line(f"{pad}{k + 1}.{_ORG_PHRASES[k]}。{''.join(chunk or said[:1])}", zone="org") for k, chunk in
             enumerate(chunks)]
    return [Line(f"{pad}{numeral}、提高政治站位,以高度政治自觉抓好整改工作", role="part", zone="org"), *items]


def _next_steps_part(nxt: list[Line], pad: str, doc: Doc) -> list[Line]:
    """三、巩固整改成果… with 1.持续… headings, each with 一是/二是 of its own."""
    heading = nxt[0].text.strip() if nxt and nxt[0].role == "part" else "三、"
    numeral = heading.split("、", 1)[0] or "三"
    said = sentences([ln for ln in nxt if ln.role != "part"]) or sentences(doc.lines[-3:])
    out = [Line(f"{pad}{numeral}、巩固整改成果,推动全面从严治党向纵深发展", role="part", zone="next")]
    if said:
        out.append(Line(f"{pad}{said[0]}", zone="next"))
    for k, phrase in enumerate(_NEXT_PHRASES):
        first, second = said[(2 * k) % len(said)], said[(2 * k + 1) % len(said)]
        out.append(Line(f"{pad}{k + 1}.{phrase}", zone="next"))
        if k == 0:
            out += [Line(f"{pad}一是{first}", zone="next"), Line(f"{pad}二是{second}", zone="next")]
        else:
            out.append(Line(f"{pad}一是{first}二是{second}", zone="next"))
    return out


def shared_lines(doc: Doc) -> None:
    """3. A category heading and its first problem heading on one line; every other problem heading
    and the line after it (its first measure, its lead or its first sub-problem) on one line."""
    out: list[Line] = []
    joined: set[int] = set()
    k = 0
    for line in doc.lines:
        prev = out[-1] if out else None
        if prev and id(prev) not in joined and prev.zone == "list" == line.zone and _joins(prev, line, k):
            glue = "" if prev.text.rstrip().endswith(("。", ")", "\uff09", ":", "\uff1a")) else " "
            prev.text = prev.text.rstrip() + glue + line.text.strip()
            prev.pids = prev.pids + line.pids
            joined.add(id(prev))
            continue
        if line.role == "problem":
            k += 1
        out.append(line)
    doc.lines = out


def _joins(prev: Line, line: Line, k: int) -> bool:
    """Whether ``line`` goes on ``prev``'s line: a category's first problem; the next line of odd problems."""
    if line.role == "problem" and not _HEAD_MARKER_RE.match(line.text):
        return False  # a heading without a number (a sentence, a ◆ glyph) opens its own paragraph
    if prev.role == "category" and line.role == "problem":
        return True
    return prev.role == "problem" and k % 2 == 1 and line.role in ("measure", "lead", "problem")


def markdown(doc: Doc) -> None:
    """4. A Hugo/Markdown page: front matter with title and date, ## parts, **bold** headings."""
    doc.fmt = "markdown"
    kept = [ln for ln in doc.lines if ln.role not in ("head", "meta", "title", "tail")]
    for line in kept:
        body = line.text.strip()
        if line.role == "part":
            line.text = f"## {body}"
        elif line.role in ("category", "problem") and "\n" not in body:
            line.text = _bold_heading(doc, line, body)
        else:
            line.text = body
    doc.lines = kept


def _bold_heading(doc: Doc, line: Line, body: str) -> str:
    """**marker+title** followed by whatever else shares the line (status tag, measures)."""
    title = doc.current.get(line.pids[-1]) if line.pids else None
    if line.cid is not None:
        title = doc.report.categories[line.cid].title
    if title and title in body:
        end = body.index(title) + len(title)
        return f"**{body[:end]}**{body[end:]}"
    return f"**{body}**"


def html_page(doc: Doc) -> None:
    """5. A CMS page: nav, breadcrumb, a <table> layout with <p> and <br> paragraphs, a footer."""
    doc.fmt = "html"


def html_bold_runs(doc: Doc) -> None:
    """17. A CMS page exported from Word: a problem's bold heading and its first line in one <p>, no <br> between
    (<p><strong>1.关于…问题</strong>一是…)."""
    doc.fmt, doc.bold_runs = "html", True


def repeated_titles(doc: Doc) -> None:
    """6. Portal name, breadcrumb, the title, then the title again split over two lines."""
    title = doc.title_text()
    head, sep, rest = title.partition("关于")
    split = [Line(head, role="title"), Line(sep + rest, role="title")] if sep else [Line(title, role="title")]
    _page_top(doc, [Line(portal_name(doc.report), role="head"), Line("首页 > 巡视巡察 > 正文", role="head"),
                    Line(title, role="title"), *split], [])


def toolbar(doc: Doc) -> None:
    """7. Page furniture: an accessibility toolbar, 【打印】【关闭】, a column label glued to the title."""
    label = "上级巡视" if doc.report.inspection.kind == "巡视" else "上级巡察"
    _page_top(doc, [Line("页面: 字体: 大 中 小 对比度: 字号:", role="head"),
                    Line(f"{label}:{doc.title_text()}", role="title")],
              [Line(f"【信息时间:{doc.date_text()} 阅读次数: 】【字号 】【我要打印】【关闭", role="head"),
               Line("【打印】【关闭】", role="head")])
    sig = next((i for i, ln in enumerate(doc.lines) if ln.role == "date"), len(doc.lines) - 1)
    doc.lines.insert(sig + 1, Line("【打印本页】 【关闭窗口】", role="tail", zone="end"))


def wechat(doc: Doc) -> None:
    """12. A WeChat article copy: 原创 byline, 点击上方蓝字关注我们, a ▲ photo caption, a full-width space
    after heading markers, 长按识别二维码关注 and 阅读原文 after the date."""
    region = doc.report.committee.region
    place = (region.county or region.city or "").removesuffix("区").removesuffix("县") or "清风"
    doc.lines = [ln for ln in doc.lines if ln.role != "tail"]  # the site's own furniture is not copied
    _page_top(doc, [Line(f"**{doc.title_text()}**", role="title"),
                    Line(f"原创 {place}纪检 {doc.date_text()} 10:00 发表于{(region.province or '北京')[:2]}", role="head"),
                    Line("点击上方蓝字关注我们", role="head")], [])
    for line in doc.lines:
        if line.zone == "list" and line.role in ("category", "problem"):
            line.text = _HEAD_MARKER_RE.sub(lambda m: f"{m[1]}{m[2]}\u3000", line.text, count=1)
    org = next((i for i, ln in enumerate(doc.lines) if ln.zone == "org" and ln.role != "part"), 1)
    doc.lines.insert(org + 1, Line("▲ 巡视整改工作推进会现场", role="head", zone="org"))
    date = next((i for i, ln in enumerate(doc.lines) if ln.role == "date"), len(doc.lines) - 1)
    doc.lines[date + 1:date + 1] = [Line("长按识别二维码关注", role="tail", zone="end"),
                                    Line("阅读原文", role="tail", zone="end")]


_HEAD_MARKER_RE = re.compile(r"^(\s*(?:\*\*)?)([(\uff08〈‹][一二三四五六七八九十\d]+[)\uff09〉>]|\d+[.\uff0e、])(?!\s)")


def _page_top(doc: Doc, before: list[Line], after: list[Line]) -> None:
    """A new page top: ``before`` the page's metadata lines, ``after`` them. The title line and any
    breadcrumb of the original page give way to the new ones."""
    front = [ln for ln in doc.lines if ln.zone == "front" and ln.role in ("head", "meta", "title")]
    meta = [ln for ln in front if ln.role != "title" and not _BREADCRUMB_RE.search(ln.text)]
    ids = {id(ln) for ln in front}
    doc.lines = before + meta + after + [ln for ln in doc.lines if id(ln) not in ids]


_BREADCRUMB_RE = re.compile(r"[>\uff1e»]")


def no_signature(doc: Doc) -> None:
    """8. The closing signature and its date removed."""
    doc.lines = [ln for ln in doc.lines if ln.role not in ("signature", "date")]
    doc.signed = False


def gb18030_crlf(doc: Doc) -> None:
    """9. Saved in GB18030 with Windows line endings."""
    doc.encoding, doc.crlf = "gb18030", True


PDF_WIDTH = 31  # characters a printed line holds
PDF_PAGE_LINES = 38  # lines a printed page holds


def pdf_copy(doc: Doc) -> None:
    """16. Copied out of a PDF: every paragraph wrapped at a fixed width (headings too), its first line indented
    unless it is a heading, no blank lines, and after every page a page number (- 3 -) and the running header
    of the next page."""
    header = f"{doc.report.committee.name or '中共某某委员会'}巡视整改进展情况"[:30]
    out: list[Line] = []
    for line in doc.lines:
        if line.role == "blank":
            continue
        text = line.text.strip(" \t\u3000")
        indent = "\u3000\u3000" if line.role in ("intro", "measure", "lead", "text") else ""  # a paragraph's first line
        pieces = [text[i:i + PDF_WIDTH] for i in range(0, len(text), PDF_WIDTH)] or [""]
        pieces[0] = indent + pieces[0]
        for piece in pieces:
            out.append(Line(piece, role=line.role, zone=line.zone, pids=line.pids, cid=line.cid))
            if len(out) % (PDF_PAGE_LINES + 2) == PDF_PAGE_LINES:
                page = len(out) // (PDF_PAGE_LINES + 2) + 1
                out += [Line(f"- {page} -", role="tail", zone=line.zone), Line(header, role="tail", zone=line.zone)]
    doc.lines = out
    doc.blank_lines = False


_HALF_FULL = {"(": "\uff08", ")": "\uff09", ",": "\uff0c", ":": "\uff1a", ";": "\uff1b"}
_SWAP = str.maketrans({**_HALF_FULL, **{full: half for half, full in _HALF_FULL.items()}})
_DOT_MARKER_RE = re.compile(r"^(\s*)(\*\*)?(\d+)([.．])")


def punct_swaps(doc: Doc) -> None:
    """10. Full-width/half-width punctuation and numbering swapped on every other line (（一）↔(一),
    1．↔1.), Word-style indentation with full-width spaces, extra blank lines."""
    out: list[Line] = []
    for i, line in enumerate(doc.lines):
        text = line.text
        if i % 2 == 0 and line.role not in ("head", "meta", "tail"):
            text = _DOT_MARKER_RE.sub(lambda m: f"{m[1]}{m[2] or ''}{m[3]}{'.' if m[4] == '．' else '．'}", text)
            text = text.translate(_SWAP)
        pad = "\u3000\u3000" if i % 3 else "    "
        line.text = pad + text.lstrip(" \t\u3000") if line.zone != "end" or line.role == "closing" else text
        out.append(line)
        if i % 4 == 1:
            out.append(Line("", role="blank", zone=line.zone))
    doc.lines = out
    doc.blank_lines = True


_CN_TOP_RE = re.compile(r"^(\s*)([一二三四五六七八九十]{1,3})、")
_ASCII_MARKER_RE = re.compile(r"^(\s*)(\d+)([.)])")


def page_source(doc: Doc) -> None:
    """23. A text copied from a page's source or through html2text: indents as &nbsp;/&emsp; entities, blank
    lines as &nbsp;, a 1. escaped 1\\. (Markdown), top headings numbered 一． instead of 一、."""
    out: list[Line] = []
    for i, line in enumerate(doc.lines):
        text = _CN_TOP_RE.sub(lambda m: f"{m[1]}{m[2]}．", line.text)
        text = _ASCII_MARKER_RE.sub(lambda m: f"{m[1]}{m[2]}\\{m[3]}", text)
        pad = "&nbsp;" * 4 if i % 2 else "&emsp;&emsp;"
        line.text = pad + text.lstrip(" \t\u3000") if line.role not in ("head", "meta", "tail") else text
        out.append(line)
        if i % 3 == 0:
            out.append(Line("&nbsp;", role="text", zone=line.zone))
    doc.lines = out


_INNER_RE = re.compile(r"〈([^〈〉》]+)〉")
_CN_BRACKET_RE = re.compile(r"^(\s*)[(\uff08]([一二三四五六七八九十]+)[)\uff09]")
_NESTED_RE = re.compile(r"《[^《》]*〈[^《》]*》")


def straight_numbering(doc: Doc) -> None:
    """11. Problems numbered straight through the part (1..N, not restarting in each category);
    headings numbered (一) written 〈一〉 (or ‹一>, by page); quotes in every other leaf heading as 〈…〉, inner
    titles of nested 《》 as ‹…>."""
    index = {id(p): pid for pid, p in enumerate(doc.problems)}
    heads = [_head_line(doc, index, p) for c in doc.report.categories for p in c.problems]
    for n, line in enumerate((ln for ln in heads if ln is not None), start=1):
        line.text = _renumber(line.text, n)
    opening, closing = ("〈", "〉") if len(doc.lines) % 2 else ("‹", ">")  # one style in a page
    for line in doc.lines:
        if line.zone == "list" and line.role in ("category", "problem"):
            line.text = _CN_BRACKET_RE.sub(lambda m: f"{m[1]}{opening}{m[2]}{closing}", line.text)
    k = 0
    for line in doc.lines:
        for pid in line.pids:
            title = doc.current.get(pid)
            if title and doc.leaf_ordinal(pid) is not None:
                k += 1
                if k % 2 and "“" in title:
                    retitle(doc, line, pid, title.replace("“", "〈").replace("”", "〉"))
        line.text = _NESTED_RE.sub(lambda m: _INNER_RE.sub(lambda i: f"‹{i[1]}>", m[0]), line.text)


def _head_line(doc: Doc, index: dict[int, int], problem: Problem) -> Line | None:
    """The line holding a problem's marker: its heading's, else its first sub-problem's."""
    pid = index[id(problem)]
    first = index[id(problem.problems[0])] if problem.problems else None
    return next((ln for ln in doc.lines if pid in ln.pids), None) or \
        next((ln for ln in doc.lines if first is not None and first in ln.pids), None)


def _renumber(text: str, n: int) -> str:
    """The first marker of a heading line given the value n, in its own style."""
    digit = re.match(r"^(\s*(?:\*\*)?[(\uff08]?)(\d+)", text)
    if digit:
        return f"{digit[1]}{n}{text[digit.end():]}"
    chinese = re.match(r"^(\s*(?:\*\*)?[(\uff08]?)([一二三四五六七八九十]+)", text)
    if chinese:
        return f"{chinese[1]}{cn_numeral(n)}{text[chinese.end():]}"
    return text


_LEAD_MARKER_RE = re.compile(r"(\s*(?:\*\*)?)([(\uff08〈‹][一二三四五六七八九十\d]+[)\uff09〉>]|[一二三四五六七八九十]+、|\d+[.\uff0e、])\s*")


def labelled_problems(doc: Doc) -> None:
    """13. Leaf problems headed by a labelled ordinal, numbered straight through the list: 问题1:… (问题一:…
    on every other page), as 厅局 and 巡察 reports write them; the headings above keep their markers."""
    chinese = len(doc.lines) % 2 == 0
    lists = [c.problems for c in doc.report.categories] + [p.problems for p in doc.problems]
    index = {id(p): pid for pid, p in enumerate(doc.problems)}
    in_leaf_lists = {index[id(p)] for problems in lists if all(not p.problems for p in problems) for p in problems}
    n = 0  # a list of leaves is relabelled whole: 1.… beside a 2. holding (1)(2) keeps its marker
    for line in doc.lines:
        heads = [pid for pid in line.pids if pid in in_leaf_lists]
        if line.zone != "list" or line.role != "problem" or line.cid is not None or not heads \
                or len(line.pids) != len(heads):
            continue
        markers = []  # "1.(1)…": an untitled parent's marker, then the leaf's, which is the one relabelled
        while marker := _LEAD_MARKER_RE.match(line.text, markers[-1].end() if markers else 0):
            markers.append(marker)
        if markers:
            n += 1
            last = markers[-1]
            label = f"问题{cn_numeral(n) if chinese else n}\uff1a"
            line.text = f"{line.text[:last.start(2)]}{label}{line.text[last.end():]}"


_LABEL_START_RE = re.compile(r"[^,。:\n]{2,12}:")


def run_on_titles(doc: Doc) -> None:
    """15. Every third leaf problem's heading goes on, on its line, with its first measure paragraph, as central
    enterprises' reports write them (2.关于…不力的问题。修订《…》,…), where that measure reads as a step taken
    (none of the problem words of _NEGATIVE_RE) or starts with its own cue (整改落实情况:…, 一是…, 1.…); the
    heading ends its sentence there (。, or its status tag)."""
    k = 0
    for i, line in enumerate(doc.lines):
        if line.zone != "list" or line.role != "problem" or len(line.pids) != 1 or line.cid is not None \
                or doc.leaf_ordinal(line.pids[0]) is None:
            continue
        k += 1
        after = next((j for j in range(i + 1, len(doc.lines)) if doc.lines[j].role != "blank"), None)
        if k % 3 or after is None:
            continue
        first = doc.lines[after]
        body = first.text.strip(" \t\u3000")
        cued = body.startswith("一是") or _LABEL_START_RE.match(body) is not None or _LEAD_MARKER_RE.match(body) is not None
        if first.role not in ("measure", "lead") or not (cued or (first.role == "measure" and not _NEGATIVE_RE.search(body))):
            continue
        head = line.text.rstrip()
        line.text = head + ("" if head.endswith(("。", ")", "\uff09", "】")) else "。") + body
        del doc.lines[i + 1:after + 1]


_TAG_RE = re.compile(r"[(\uff08\[【]\s*((?:已|基本|持续|正在|未|长期|阶段性)[^)\uff09\]】]{0,6})[)\uff09\]】]\s*$")


def status_elsewhere(doc: Doc) -> None:
    """14. A leaf problem's status tag taken out of its brackets: on every other problem written after a gap
    at the end of the heading (…问题。  已完成), on the others as the last paragraph under its measures
    (整改进展:已完成。)."""
    k = 0
    i = 0
    while i < len(doc.lines):
        line = doc.lines[i]
        tag = _TAG_RE.search(line.text) if line.zone == "list" and line.role == "problem" and line.pids else None
        if tag is None or any(doc.leaf_ordinal(pid) is None for pid in line.pids):
            i += 1
            continue
        k += 1
        if k % 2:
            line.text = f"{line.text[:tag.start()].rstrip()}  {tag[1]}"
        else:
            line.text = line.text[:tag.start()].rstrip()
            end = next((j for j in range(i + 1, len(doc.lines)) if doc.lines[j].zone != "list"
                        or doc.lines[j].role in ("problem", "category", "part")), len(doc.lines))
            while end - 1 > i and doc.lines[end - 1].role == "blank":
                end -= 1
            doc.lines.insert(end, Line(f"{indent_of(line)}整改进展:{tag[1]}。", role="text", zone="list"))
        i += 1


def bullet_headings(doc: Doc) -> None:
    """22. Headings marked by glyphs, not numbers: a category's ■, a problem's ◆, a sub-problem's ●, each taking the
    place of the heading's number. Only a report whose every heading has a line and a number of its own (one
    writing 1.(1)… would keep a number beside the glyphs)."""
    depth = {id(p): 1 for c in doc.report.categories for p in c.problems}
    for problem in doc.problems:
        depth.update({id(sub): depth.get(id(problem), 1) + 1 for sub in problem.problems})
    heads = [ln for ln in doc.lines if ln.zone == "list" and ln.role in ("category", "problem")]
    markers = [_MARKER_RE.match(ln.text) for ln in heads]
    if any(len(ln.pids) > 1 or m is None or _MARKER_RE.match(ln.text[m.end():]) for ln, m in zip(heads, markers)):
        return
    for line, marker in zip(heads, markers):
        level = 0 if line.role == "category" else depth.get(id(doc.problems[line.pids[0]]), 1)
        if marker and level < 3:
            line.text = f"{indent_of(line)}{'■◆●'[level]}{line.text[marker.end():].lstrip()}"


MAX_SENTENCE_TITLE = 50  # characters of a problem a sentence heading quotes (kg reads up to 60 with its wrapper)


def sentence_problems(doc: Doc) -> None:
    """20. The leaf problems written without a number, each as the sentence that opens its measures:
    针对“…”的问题,区委采取以下措施推动整改。 Only a report whose every list of leaves can be so written (two or
    more leaves a list, none longer than a sentence heading quotes, no numbered measures below them): one that
    kept some numbers would number its lists from nothing."""
    for group in _leaf_groups(doc):
        who = doc.report.committee.short_name or "我们"
        for i in group:
            line = doc.lines[i]
            pid = line.pids[0]
            core = _problem_core(doc.current[pid])
            line.text = f"{indent_of(line)}针对“{core}”的问题,{who}采取以下措施推动整改。"
            doc.current[pid] = f"针对“{core}”的问题"
            doc.titles[doc.leaf_ordinal(pid) or 0] = norm_title(doc.current[pid]) or ""


def _problem_core(title: str) -> str:
    """What a heading says the problem is, without its 关于…问题 wrapper, its quotes turned single."""
    core = norm_title(title) or title
    quoted = re.search(r"“([^”]+)”", core)
    if quoted:
        return quoted.group(1).replace("“", "‘").replace("”", "’")
    core = re.sub(r"^(?:关于|针对)", "", core)
    return re.sub(r"(?:等问题|的?问题(?:的整改(?:落实)?(?:情况)?)?)$", "", core)


def _leaf_groups(doc: Doc) -> list[list[int]]:
    """Runs of leaf-problem heading lines under one parent that a sentence heading can stand for."""
    runs: dict[int, list[int]] = {}
    spoiled: set[int] = set()
    parent_of = {id(child): id(parent) for parent in [*doc.report.categories, *doc.problems]
                 for child in parent.problems}
    for i, line in enumerate(doc.lines):
        if line.zone != "list" or line.role != "problem" or len(line.pids) != 1:
            continue
        pid = line.pids[0]
        problem = doc.problems[pid]
        parent = parent_of.get(id(problem), 0)
        body = _lines_under(doc, i)
        title = doc.current.get(pid, "")
        if problem.problems or len(_problem_core(title)) > MAX_SENTENCE_TITLE or not body \
                or not normalize_chars(line.text).strip().startswith(problem.marker or "\0") \
                or norm_title(line.text) != norm_title(title) \
                or any(leading_markers(t := normalize_chars(ln.text).strip(), 0, len(t)) for ln in body):
            spoiled.add(parent)
        runs.setdefault(parent, []).append(i)
    groups = [run for run in runs.values() if len(run) >= 2]
    return groups if not spoiled and len(groups) == len(runs) else []  # a report is written in one style


def _lines_under(doc: Doc, i: int) -> list[Line]:
    """The lines after a heading up to the next heading or the list's end."""
    out = []
    for line in doc.lines[i + 1:]:
        if line.zone != "list" or line.role in ("problem", "category", "part"):
            break
        out.append(line)
    return out


TABLE_HEADER = ("序号", "反馈问题", "整改措施", "完成情况")


def problem_table(doc: Doc) -> None:
    """18. The problem list as a table copied with tabs between its cells (序号⇥反馈问题⇥整改措施⇥完成情况): a
    category's heading a row of its own, a leaf problem a row with its measures numbered 1.…2.… in one cell and
    its status in the last; a problem with sub-problems has no row, its leaves do."""
    _table_rows(doc, one_measure_a_row=False)


def word_table(doc: Doc) -> None:
    """21. The problem list as a Word table copied to text: tabs between cells (序号⇥反馈问题⇥整改措施⇥责任单位),
    each measure a line of its own inside its cell, so that a row runs over several lines and its last cell
    follows the last measure; a category's heading a line of its own."""
    _table_rows(doc, one_measure_a_row=False, broken_cells=True)


def html_table(doc: Doc) -> None:
    """19. A CMS page whose problem list is a <table>: the problem's cell and its status's span its rows, one
    measure a row, a category's heading a row across the table."""
    _table_rows(doc, one_measure_a_row=True)
    doc.fmt = "html"


def _table_rows(doc: Doc, one_measure_a_row: bool, broken_cells: bool = False) -> None:
    """The list zone from its first heading on replaced by the table's rows (role "row", cells kept)."""
    first = next(i for i, ln in enumerate(doc.lines) if ln.zone == "list" and ln.role in ("category", "problem"))
    after = next((i for i in range(first, len(doc.lines)) if doc.lines[i].zone != "list"), len(doc.lines))
    pid_of = {id(p): i for i, p in enumerate(doc.problems)}
    header = TABLE_HEADER[:3] + ("责任单位",) if broken_cells else TABLE_HEADER
    rows = [Line("", role="row", zone="list", cells=tuple((c, 1) for c in header))]
    number = 0
    for cid, category in enumerate(doc.report.categories):
        if category.title:
            rows.append(Line("", role="row", zone="list", cid=cid,
                             cells=((f"{category.marker or ''}{category.title}", 1),)))
        for leaf in _leaves(category.problems):
            number += 1
            title = doc.current.get(pid_of[id(leaf)], leaf.title or "")
            measures = [m.text.replace("\n", "") for m in leaf.measures]
            if one_measure_a_row and measures:
                down = len(measures)
                rows.append(Line("", role="row", zone="list", cells=(
                    (str(number), down), (title, down), (measures[0], 1), (leaf.status or "", down))))
                rows += [Line("", role="row", zone="list", cells=((m, 1),)) for m in measures[1:]]
            elif broken_cells:
                who = f"{doc.report.committee.short_name or '县委'}办公室"
                rows.append(Line("", role="row", zone="list", cells=(
                    (str(number), 1), (title, 1), ("\n".join(f"{m.marker or ''}{m.text}" for m in leaf.measures)
                                                   or "持续推进。", 1), (who, 1))))
            else:
                cell = "".join(f"{k}.{m}" + ("" if m.endswith(("。", ";")) else ";") for k, m in enumerate(measures, 1))
                rows.append(Line("", role="row", zone="list",
                                 cells=((str(number), 1), (title, 1), (cell, 1), (leaf.status or "", 1))))
    doc.lines[first:after] = rows


def _leaves(problems: list[Problem]) -> list[Problem]:
    return [leaf for p in problems for leaf in (_leaves(p.problems) if p.problems else [p])]


# --- rendering ---------------------------------------------------------------------------------------


def render(doc: Doc) -> Variant:
    """The Doc as the bytes of a file in its format and encoding."""
    if doc.fmt == "html":
        text, suffix = _html(doc), ".html"
    elif doc.fmt == "markdown":
        text, suffix = _front_matter(doc) + _plain(doc), ".md"
    else:
        text, suffix = _plain(doc), ".txt"
    if doc.crlf:
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    data = text.encode(doc.encoding)
    return Variant(text=text if doc.encoding == "utf-8" else None, data=None if doc.encoding == "utf-8" else data,
                   suffix=suffix, titles=dict(doc.titles), signed=doc.signed, classes=tuple(doc.classes))


def _plain(doc: Doc) -> str:
    out: list[str] = []
    for line in doc.lines:
        out.append("" if line.role == "blank" else "\t".join(c for c, _ in line.cells) if line.cells else line.text)
        if line.role != "blank" and (doc.blank_lines or doc.fmt == "markdown"):
            out.append("")
    return "\n".join(out) + "\n"


def _front_matter(doc: Doc) -> str:
    title = doc.title_text().replace('"', "'")
    return f'---\ntitle: "{title}"\ndate: {doc.date_text()}T09:00:00+08:00\ncategories: ["巡视巡察"]\ndraft: false\n---\n\n'


def _html(doc: Doc) -> str:
    """An old CMS article page: <table> layout, the report in <p> paragraphs and <br> lines."""
    title = html.escape(doc.title_text())
    portal = html.escape(portal_name(doc.report))
    city = html.escape(portal_name(doc.report).removesuffix("纪检监察网"))
    meta = " ".join(html.escape(ln.text.strip()) for ln in doc.lines if ln.role in ("meta",)) or \
        f"发布时间:{doc.date_text()} 来源:{html.escape(portal)}"
    body = [ln for ln in doc.lines if ln.role not in ("head", "meta", "title", "tail", "blank")]
    charset = "gb2312" if doc.encoding == "gb18030" else "utf-8"
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="zh-CN">', "<head>",
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">',
        f"<title>{title}_{portal}</title>", "</head>", "<body>",
        '<div class="nav"><a href="/">首页</a> | <a href="/xsxc/">巡视巡察</a> | <a href="/gzdt/">工作动态</a>'
        ' | <a href="/jdjb/">监督举报</a></div>',
        '<table width="1000" align="center" border="0" cellpadding="0" cellspacing="0">',
        '<tr><td class="position">当前位置:<a href="/">首页</a> &gt; <a href="/xsxc/">巡视巡察</a> &gt; 正文</td></tr>',
        f'<tr><td class="title" align="center"><b>{title}</b></td></tr>',
        f'<tr><td class="info" align="center">{meta} 【字体:<a>大</a> <a>中</a> <a>小</a>】</td></tr>',
        '<tr><td class="content">', *_html_paragraphs(body, doc.bold_runs), "</td></tr>",
        '<tr><td align="right">【<a href="javascript:window.print()">打印本页</a>】'
        '【<a href="javascript:window.close()">关闭窗口</a>】</td></tr>', "</table>",
        f'<div class="footer">主办单位:中共{city}纪律检查委员会 {city}监察委员会<br>版权所有 &copy; 2021 {portal}'
        ' 备案号:ICP备05000000号</div>',
        "</body>", "</html>", ""])


def _html_paragraphs(lines: list[Line], bold_runs: bool = False) -> list[str]:
    """<p> per paragraph outside the problem list; inside it, a problem heading and its lines in
    one <p>, separated by <br> (with ``bold_runs``, none after the bold heading)."""
    out: list[str] = []
    group: list[str] = []
    width = 0
    for line in lines:
        if line.cells:  # a table's row: the header opens the table, the line after the last row closes it
            if not width:
                width = len(line.cells)
                out.append('<table border="1" cellspacing="0">')
            spans = [f' rowspan="{down}"' if down > 1 else "" for _, down in line.cells]
            across = f' colspan="{width}"' if line.cid is not None else ""  # a category's row spans the table
            out.append("<tr>" + "".join(f"<td{span}{across}>{html.escape(text)}</td>"
                                        for (text, _), span in zip(line.cells, spans)) + "</tr>")
            continue
        if width:
            out.append("</table>")
            width = 0
        text = html.escape(line.text.strip())
        if line.zone == "list" and line.role not in ("part", "category"):
            if line.role == "problem" and group:
                out.append("<p>" + "<br>\n".join(group) + "</p>")
                group = []
            if bold_runs and group and group[-1].endswith("</strong>") and len(group) == 1:
                group[-1] += text
                continue
            group.append(f"<strong>{text}</strong>" if line.role == "problem" and len(line.pids) == 1 else text)
            continue
        if group:
            out.append("<p>" + "<br>\n".join(group) + "</p>")
            group = []
        style = ' style="text-align:right"' if line.role in ("signature", "date") else ' style="text-indent:2em"'
        out.append(f"<p{style}>{text}</p>")
    if group:
        out.append("<p>" + "<br>\n".join(group) + "</p>")
    if width:
        out.append("</table>")
    return out


# --- the registry --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """A layout class: its rewrite, and its place when several are applied to one report."""

    name: str
    rank: int
    rewrite: Callable[[Doc], None]
    group: str = ""  # classes of one group exclude each other in a composition


LAYOUTS: dict[str, Layout] = {layout.name: layout for layout in [
    Layout("action_headings", 10, action_headings),
    Layout("straight_numbering", 15, straight_numbering, group="numbering"),
    Layout("labelled_problems", 16, labelled_problems, group="numbering"),
    Layout("status_elsewhere", 17, status_elsewhere),
    Layout("run_on_titles", 18, run_on_titles, group="line"),  # what else shares a heading's line: one or the other
    Layout("positive_parts", 20, positive_parts),
    Layout("repeated_titles", 30, repeated_titles, group="title"),
    Layout("toolbar", 31, toolbar, group="title"),
    Layout("wechat", 32, wechat, group="title"),
    Layout("no_signature", 40, no_signature),
    Layout("punct_swaps", 50, punct_swaps),
    Layout("shared_lines", 60, shared_lines, group="line"),
    Layout("markdown", 70, markdown, group="format"),
    Layout("html_page", 71, html_page, group="format"),
    Layout("html_bold_runs", 72, html_bold_runs, group="format"),
    Layout("gb18030_crlf", 80, gb18030_crlf),
    Layout("pdf_copy", 90, pdf_copy, group="format"),
    Layout("sentence_problems", 19, sentence_problems, group="numbering"),
    Layout("bullet_headings", 14, bullet_headings, group="numbering"),
    Layout("problem_table", 91, problem_table, group="format"),
    Layout("html_table", 92, html_table, group="format"),
    Layout("word_table", 93, word_table, group="format"),
    Layout("page_source", 94, page_source, group="format"),
]}


def compatible(names: Iterable[str]) -> bool:
    """No two classes of the same group (one title block, one file format)."""
    groups = [LAYOUTS[n].group for n in names if LAYOUTS[n].group]
    return len(groups) == len(set(groups))


def compose(text: str, names: Iterable[str]) -> Variant:
    """The report rewritten by several layout classes, applied in their fixed order."""
    doc = read_doc(text)
    for layout in sorted((LAYOUTS[n] for n in set(names)), key=lambda layout: layout.rank):
        layout.rewrite(doc)
        doc.classes.append(layout.name)
    return render(doc)


VARIANTS: dict[str, Callable[[str], Variant]] = {name: partial(compose, names=(name,)) for name in LAYOUTS}
