"""Structure roles on real reports rewritten by code into other layouts.

Every input is built here from a real report in data/reports: headings rewritten into
action form, the problem list moved under a positive part title between an organising
part and a next-steps part of the same shape, headings sharing a line, numbering run
straight through, three-digit numbering, declared counts at several levels. Nothing is
hand-pasted and no answer is hard-coded: the expectation is the original report's parse
(its categories, leaf problems and measure counts) or the rewrite map (the titles written).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cn2an
import pytest

from kg.model import Category, Problem, Report
from kg.parse import parse_text
from kg.parse.counts import check_declared
from kg.parse.entities import find_closing
from kg.parse.outline import build_outline
from kg.parse.structure import Roles, categories_from_roots

from .conftest import REAL_REPORTS, assert_spans_faithful, parsed

TOPICS = ("理论武装", "基层党建", "干部队伍", "作风建设", "制度执行", "意识形态", "营商环境", "民生保障",
          "国资监管", "选人用人", "廉政教育", "安全生产", "乡村振兴", "政务服务")
ACTION_FORMS = ("在{}上下功夫", "加强{}建设", "持续提升{}水平", "健全{}机制、提升{}效能", "着力抓好{}")
CN = "一二三四五六七八九十"
_XSHI = re.compile(r"[一二三四五六七八九十]是|[\u2460-\u2473]")


@dataclass
class Built:
    """A rewritten report: its text, and what its parse must give."""

    text: str
    shape: list[list[int]]  # per category, the measure count of each leaf problem
    titles: dict[int, str] = field(default_factory=dict)  # leaf ordinal -> title written
    categories: int | None = None


def _leaves(problem: Problem) -> list[Problem]:
    return [leaf for sub in problem.problems for leaf in _leaves(sub)] if problem.problems else [problem]


def _cat_leaves(category: Category) -> list[Problem]:
    return [leaf for p in category.problems for leaf in _leaves(p)]


def shape_of(report: Report) -> list[list[int]]:
    return [[len(leaf.measures) for leaf in _cat_leaves(c)] for c in report.categories]


def _norm(title: str | None) -> str:
    return re.sub(r"[\s。.,;:]+$", "", title or "")


def _original(path: str) -> Report:
    return parsed(path)


def _action(i: int) -> str:
    topic = TOPICS[i % len(TOPICS)]
    return ACTION_FORMS[i % len(ACTION_FORMS)].format(topic, topic)


def _replace(text: str, edits: list[tuple[int, int, str]]) -> str:
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _measure_texts(problem: Problem) -> list[str]:
    return [m.text.rstrip("。;,. ") for m in problem.measures]


def _parts(report: Report) -> tuple[str, str, str]:
    """The report's text before its problem list, its next-steps text, and its closing."""
    text = report.text
    closing = find_closing(text)
    spans = [p.span for c in report.categories for p in c.problems if p.span]
    first = min(s[0] for s in spans)
    line_start = text.rfind("\n", 0, first) + 1
    cats = [c.span for c in report.categories if c.span]
    if cats:
        line_start = min(line_start, text.rfind("\n", 0, cats[0][0]) + 1)
    roles = Roles(build_outline(text, limit=closing))
    last = roles.reading().parts[-1]
    return text[:line_start], text[last.end:closing], text[closing:]


def _intro_lines(front: str) -> list[str]:
    """The lines before the report's first numbered heading (title, intro)."""
    out = []
    for line in front.rstrip("\n").split("\n"):
        if re.match(r"\s*(?:[一二三四五六七八九十]+、|\(?[一二三四五六七八九十\d]+[)、.])", line):
            break
        out.append(line)
    return out


def _sentences(text: str, n: int) -> list[str]:
    out = [s.strip() for s in re.split(r"(?<=。)", text) if len(s.strip()) > 8 and "\n" not in s.strip()]
    out = [re.sub(r"^[(（]?[一二三四五六七八九十\d]+[)）、.]\s*", "", s).rstrip("。") for s in out]
    return (out * n)[:n] if out else ["认真做好各项整改工作"] * n


# --- layout classes, each a function from a real report to a Built ---------------------------

def action_headings(report: Report) -> Built:
    """1. Every category, problem and sub-problem heading rewritten as an action or goal."""
    edits: list[tuple[int, int, str]] = []
    titles: dict[int, str] = {}
    n = 0
    for c in report.categories:
        if c.span:
            edits.append((c.span[0], c.span[1], _action(n + 3)))
        for p in c.problems:
            for node in _walk(p):
                n += 1
                new = _action(n)
                if node.span:  # an untitled level ("1." in "1.(1)…") keeps its place
                    edits.append((node.span[0], node.span[1], new))
                if not node.problems:
                    titles[len(titles)] = new if node.span else _norm(node.title)
    return Built(_replace(report.text, edits), shape_of(report), titles, len(report.categories))


def _walk(problem: Problem) -> list[Problem]:
    return [problem] + [n for sub in problem.problems for n in _walk(sub)]


def university(report: Report, *, shared: bool = False, declared: bool = False,
               bare_category: bool = False, flat: bool = False, split: bool = False) -> Built:
    """2. Organising part with run-on 1./2. items, the problem list under a positive title
    ((一) categories, 1.加强… tasks with 一是… measures), next steps with 1.持续… and 一是…."""
    front, after, closing = _parts(report)
    intro = _intro_lines(front)
    org = _sentences(front, 4)
    lines = [*intro, "一、提高政治站位,加强组织领导"]
    lines += [f"{i + 1}.{org[i]}。{org[i + 2]}。" for i in range(2)]
    lines.append("二、压实责任,推动整改任务落地见效")
    shape: list[list[int]] = []
    titles: dict[int, str] = {}
    n = 0
    categories = [c for c in report.categories if _cat_leaves(c)]
    if flat:  # no category level: the tasks are numbered straight through the part, like next steps
        categories = [Category(title=None, span=None, problems=[x for c in categories for x in _cat_leaves(c)])]
    for ci, c in enumerate(categories):
        if not flat:
            lines.append(f"({CN[ci]}){c.title or _action(ci)}")
        leaves = _cat_leaves(c)
        if bare_category and ci == len(categories) - 1 and ci > 0:
            lines.append("。".join(_measure_texts(leaves[0])[:2]) + "。")
            shape.append([1])
            titles[n] = c.title or _action(ci)
            n += 1
            continue
        row = []
        for li, leaf in enumerate(leaves):
            title = _action(n)
            items = [f"{CN[k]}是{m}。" for k, m in enumerate(_measure_texts(leaf)[:9])]
            if split:  # each 一是… its own paragraph
                lines += [f"{li + 1}.{title}", *items]
            else:
                lines += [f"{li + 1}.{title}。{''.join(items)}"] if shared else [f"{li + 1}.{title}", "".join(items)]
            titles[n] = title
            row.append(min(len(leaf.measures), 9))
            n += 1
        shape.append(row)
    steps = _sentences(after, 4)
    lines.append("三、巩固整改成果,推动长效常治")
    lines += [f"1.持续深化{TOPICS[0]}", f"一是{steps[0]}。二是{steps[1]}。",
              f"2.持续巩固{TOPICS[1]}", f"一是{steps[2]}。二是{steps[3]}。"]
    if declared:
        leaves_n = sum(len(r) for r in shape)
        lines.insert(len(intro), f"对照反馈意见,梳理出{len(shape)}个方面{leaves_n}项整改任务,"
                                 f"制定{sum(sum(r) for r in shape)}条整改措施。")
    return Built("\n".join(lines) + "\n" + closing, shape, titles, len(shape))


def university_flat(report: Report) -> Built:
    """2. The university layout without categories: the problem part's 1.加强… tasks and the
    next-steps part's 1.持续… headings have the same shape; only the middle part is problems."""
    return university(report, flat=True)


def central_template(report: Report) -> Built:
    """2. The 2024 template: part 一 on the committee and its head organising the work, with
    (一)(二) headings owning 一是… paragraphs of their own (the same shape as a problem list);
    part 二 the problem list as in the original report; the original next steps after it."""
    front, _after, _closing = _parts(report)
    sentences = _sentences(front, 5)
    lines = [*_intro_lines(front), "一、区委及主要负责人组织落实整改情况", "(一)区委主要负责人组织落实整改工作情况",
             *(f"{CN[k]}是{sentences[k]}。" for k in range(3)), "(二)区委领导班子组织落实整改工作情况",
             *(f"{CN[k]}是{sentences[k + 3]}。" for k in range(2)), "二、巡视反馈问题整改落实情况"]
    rest = report.text[len(front):]
    return Built("\n".join(lines) + "\n" + rest, shape_of(report), {}, len(report.categories))


def toplevel_action_categories(report: Report, mixed: bool = False) -> Built | None:
    """1./2. No wrapper part: the top-level parts after an organising part are the categories,
    titled as actions, and the last part (next steps) has the same shape ((一)持续… with 一是…)."""
    categories = [c for c in report.categories if _cat_leaves(c)]
    if len(categories) < 3:
        return None  # two alike parts or fewer are not told from organising/next-steps parts by shape
    front, after, closing = _parts(report)
    lines = [*_intro_lines(front), "一、提高政治站位,加强组织领导", _sentences(front, 1)[0] + "。"]
    shape, titles, n = [], {}, 0
    for ci, c in enumerate(categories):
        lines.append(f"{CN[ci + 1]}、{c.title if mixed and c.title else _action(ci + 7)}")
        row = []
        for li, leaf in enumerate(_cat_leaves(c)):
            measures = _measure_texts(leaf)[:9]
            marker = f"{li + 1}." if mixed and ci % 2 else f"({cn2an.an2cn(li + 1)})"
            lines += [f"{marker}{_action(n)}",
                      "".join(f"{CN[k]}是{m}。" for k, m in enumerate(measures))]
            titles[n] = _action(n)
            row.append(len(measures))
            n += 1
        shape.append(row)
    steps = _sentences(after, 3)
    lines += [f"{CN[len(categories) + 1]}、巩固整改成果,推动长效常治", f"(一)持续深化{TOPICS[0]}",
              f"一是{steps[0]}。二是{steps[1]}。", f"(二)持续巩固{TOPICS[1]}", f"一是{steps[2]}。"]
    return Built("\n".join(lines) + "\n" + closing, shape, titles, len(shape))


def inline_siblings(report: Report) -> Built:
    """3. No categories; each problem a sentence running into its measures, every other one
    with no 一是 at all (its measures one paragraph)."""
    front, _after, closing = _parts(report)
    lines = [*_intro_lines(front), "二、整改落实情况"]
    row: list[int] = []
    titles: dict[int, str] = {}
    leaves = [leaf for c in report.categories for leaf in _cat_leaves(c)]
    for i, leaf in enumerate(leaves):
        title = f"关于“{TOPICS[i % len(TOPICS)]}工作有差距”等问题"
        measures = _measure_texts(leaf)[:9]
        if i % 2 == 0 and len(measures) >= 2:
            body = "".join(f"{CN[k]}是{m};" for k, m in enumerate(measures))
            row.append(len(measures))
        else:  # no marker at all, not even one nested in a measure's text
            body = "。".join(_XSHI.sub("", m) for m in measures) + "。"
            row.append(1)
        lines.append(f"({i + 1}){title}。{body}")
        titles[i] = title
    return Built("\n".join(lines) + "\n" + closing, [row], titles, 1)


def shared_lines(report: Report) -> Built:
    """3. Each category heading shares its line with its first problem heading, and each
    leaf heading with the line after it (its first measure or lead)."""
    text = report.text
    cuts: list[tuple[int, int, str]] = []
    for c in report.categories:
        if c.span and c.problems:
            cuts.append(_join_after(text, c.span[1], " "))
        for leaf in _cat_leaves(c):
            end = leaf.span[1]
            line_end = text.find("\n", end)
            if line_end != -1 and not text[end:line_end].strip(" 。.") and leaf.measures:
                cuts.append(_join_after(text, end, "。"))
    titles = {i: _norm(leaf.title) for i, leaf in enumerate(x for c in report.categories for x in _cat_leaves(c))}
    return Built(_replace(text, cuts), shape_of(report), titles, len(report.categories))


def _join_after(text: str, pos: int, glue: str) -> tuple[int, int, str]:
    line_end = text.find("\n", pos)
    kept = text[pos:line_end]
    return (pos, line_end + 1, kept.rstrip() + (glue if not kept.strip() else ""))


def straight_numbering(report: Report) -> Built:
    """3. Problems numbered straight through the part instead of restarting per category."""
    text = report.text
    edits: list[tuple[int, int, str]] = []
    k = 0
    for c in report.categories:
        for p in c.problems:
            k += 1
            at = p.span or (p.problems[0].span if p.problems else None)  # "1.(1)…": untitled level
            marker = _marker_before(text, at[0]) if at else None
            if marker is None:
                continue
            start, label = marker
            edits.append((start, at[0], re.sub(r"\d+", str(k), label, count=1)))
    return Built(_replace(text, edits), shape_of(report), {}, len(report.categories))


def _marker_before(text: str, pos: int) -> tuple[int, str] | None:
    line_start = text.rfind("\n", 0, pos) + 1
    label = text[line_start:pos]
    return (line_start, label) if re.fullmatch(r"\s*\(?\d+[.、)]\s*(?:\(\d+\)\s*)?", label) else None


def angle_markers(report: Report) -> Built:
    """3. Category markers written 〈一〉 instead of (一)."""
    text = report.text
    edits = []
    for c in report.categories:
        if c.span:
            line_start = text.rfind("\n", 0, c.span[0]) + 1
            label = text[line_start:c.span[0]]
            new = re.sub(r"\(([一二三四五六七八九十]+)\)", r"〈\1〉", label)
            edits.append((line_start, c.span[0], new))
    return Built(_replace(text, edits), shape_of(report), {}, len(report.categories))


def three_digit(report: Report, chinese: bool = False) -> Built:
    """Issue 20: 1. problems numbered past 100, each with its 一是… measures."""
    front, _after, closing = _parts(report)
    leaves = [leaf for c in report.categories for leaf in _cat_leaves(c) if len(leaf.measures) >= 2]
    lines = [*_intro_lines(front), "二、整改落实情况"]
    row, titles = [], {}
    for k in range(120):
        leaf = leaves[k % len(leaves)]
        measures = _measure_texts(leaf)[:5]
        title = f"关于“{TOPICS[k % len(TOPICS)]}不到位”问题"
        marker = f"({cn2an.an2cn(k + 1)})" if chinese else f"{k + 1}."
        lines += [f"{marker}{title}", "".join(f"{CN[j]}是{m}。" for j, m in enumerate(measures))]
        row.append(len(measures))
        titles[k] = title
    return Built("\n".join(lines) + "\n" + closing, [row], titles, 1)


LAYOUTS: dict[str, Callable[[Report], Built | None]] = {
    "action-headings": action_headings,
    "university": university,
    "university-shared-lines": lambda r: university(r, shared=True),
    "university-declared": lambda r: university(r, declared=True),
    "university-bare-category": lambda r: university(r, bare_category=True),
    "university-flat": university_flat,
    "university-split-measures": lambda r: university(r, split=True),
    "university-flat-split": lambda r: university(r, flat=True, split=True),
    "university-flat-declared": lambda r: university(r, flat=True, declared=True),
    "toplevel-action-categories": toplevel_action_categories,
    "central-template": central_template,
    "toplevel-categories-mixed-numbering": lambda r: toplevel_action_categories(r, mixed=True),
    "inline-siblings": inline_siblings,
    "shared-lines": shared_lines,
    "straight-numbering": straight_numbering,
    "angle-markers": angle_markers,
    "three-digit": three_digit,
    "three-digit-chinese": lambda r: three_digit(r, chinese=True),
}
CASES = [(layout, path) for layout in LAYOUTS for path in REAL_REPORTS]


@pytest.mark.parametrize(("layout", "path"), CASES, ids=[f"{a}-{b.stem}" for a, b in CASES])
def test_layout_keeps_the_problem_tree(layout: str, path: Path) -> None:
    built = LAYOUTS[layout](_original(str(path)))
    if built is None:
        pytest.skip(f"{path.stem} has no shape this layout can be built from")
    report = parse_text(built.text)
    assert_spans_faithful(report)
    assert shape_of(report) == built.shape, f"{layout}: {shape_of(report)} != {built.shape}"
    if built.categories is not None:
        assert len(report.categories) == built.categories
    leaves = [leaf for c in report.categories for leaf in _cat_leaves(c)]
    for i, title in built.titles.items():
        assert _norm(leaves[i].title) == _norm(title), f"leaf {i}"


@pytest.mark.parametrize("path", REAL_REPORTS, ids=[p.stem for p in REAL_REPORTS])
def test_declared_counts_agree_at_their_level(path: Path) -> None:
    """The university layout declaring 方面/整改任务/整改措施: each compared at its level, all agree."""
    report = parse_text(university(_original(str(path)), declared=True).text)
    checks = check_declared(report.declared, report.categories)
    levels = {c.level for c in checks}
    assert {"categories", "tasks", "measures"} <= levels, checks
    assert all(c.agrees for c in checks if c.level), checks
    assert not [w for w in report.warnings if "声明与解析不符" in w]


@pytest.mark.parametrize("path", REAL_REPORTS, ids=[p.stem for p in REAL_REPORTS])
def test_two_problem_levels_and_tasks(path: Path) -> None:
    """"{B}大项问题{L}子项问题{M}项任务": B counts the level above the leaves (problems over
    sub-problems, else categories), L the leaves, M the tasks (measures, as 子项 names the leaves);
    a count written inside a measure (制定13条措施) is a detail, not a total of the report."""
    original = _original(str(path))
    problems = [p for c in original.categories for p in c.problems]
    leaves = [leaf for p in problems for leaf in _leaves(p)]
    measures = sum(len(leaf.measures) for leaf in leaves)
    two_levels = any(p.problems for p in problems)
    titled = sum(1 for c in original.categories if c.title)
    big = len(problems) if two_levels else titled or len(problems)
    text = original.text
    intro_end = text.find("\n", (original.inspection.span or (0, 0))[1] or 1)
    sentence = f"反馈的{big}大项问题{len(leaves)}子项问题{measures}项任务均已推进。"
    measure = leaves[0].measures[0]
    text = _replace(text, [(intro_end, intro_end, "\n" + sentence),
                           (measure.span[0], measure.span[0], "制定13条措施,")])
    report = parse_text(text)
    checks = {c.what: c for c in check_declared(report.declared, report.categories) if c.text in sentence}
    assert checks["子项问题"].level == "sub-problems" and checks["子项问题"].agrees
    assert checks["任务"].level == "tasks" and checks["任务"].count == measures and checks["任务"].agrees
    big_check = checks["大项问题"]
    if two_levels or titled:
        assert big_check.level == ("problems" if two_levels else "categories") and big_check.agrees
    else:  # one problem level and no titled categories: nothing at the level 大项 names
        assert big_check.level is None and big_check.found is None
    assert not any(d.count == 13 for d in report.declared)


@pytest.mark.parametrize("path", REAL_REPORTS, ids=[p.stem for p in REAL_REPORTS])
def test_reading_is_plain_data(path: Path) -> None:
    """Whether a problem list was found, and how, is exposed for the quality verdict."""
    report = _original(str(path))
    roles = Roles(build_outline(report.text, limit=find_closing(report.text)))
    reading = roles.reading()
    assert reading.found() and reading.layout in ("wrapper", "parts")
    assert reading.disagree == 0


def test_reading_summary_without_a_list() -> None:
    """A report with no problem list says so in plain data."""
    report = _original(str(REAL_REPORTS[0]))
    text = "\n".join(_intro_lines(report.text)) + "\n" + report.text[find_closing(report.text):]
    roles = Roles(build_outline(text, limit=find_closing(text)))
    summary = roles.reading().summary(roles)
    assert summary["found"] is False and summary["parts"] == [] and summary["layout"] == "none"


@pytest.mark.parametrize("path", REAL_REPORTS[:2], ids=[p.stem for p in REAL_REPORTS[:2]])
def test_numbering_jump_is_flagged_not_merged_silently(path: Path) -> None:
    """Problems 50-59 cut out of a 120-problem list: 60. continues nothing; it is read as text
    (the outline cannot place it) but the report says so."""
    built = three_digit(_original(str(path)))
    lines = built.text.split("\n")
    kept = [line for line in lines if not re.match(r"5\d\.", line)]  # their measure lines stay, under 49.
    report = parse_text("\n".join(kept))
    assert any("编号不连续" in w for w in report.warnings), report.warnings


@pytest.mark.parametrize("path", REAL_REPORTS, ids=[p.stem for p in REAL_REPORTS])
def test_guillemet_category_markers_in_the_outline(path: Path) -> None:
    """‹一> category markers (a mangled 〈一〉) are headings to the outline. Checked on the outline
    itself: page cutting in kg.ingest decides separately whether such a line survives."""
    original = _original(str(path))
    text = angle_markers(original).text.replace("〈", "‹").replace("〉", ">")
    roles = Roles(build_outline(text, limit=find_closing(text)))
    categories = categories_from_roots(roles, roles.problem_roots())
    assert [[len(leaf.measures) for leaf in _cat_leaves(c)] for c in categories] == shape_of(original)


@pytest.mark.parametrize("path", REAL_REPORTS, ids=[p.stem for p in REAL_REPORTS])
def test_status_counts_of_measures_are_not_problem_statuses(path: Path) -> None:
    """"已完成整改措施N条" counts measures done: not compared with the problems' status tags;
    a bare "{L}个问题" repeating the declared "{L}个具体问题" names the leaf level."""
    original = _original(str(path))
    leaves = [leaf for c in original.categories for leaf in _cat_leaves(c)]
    done = sum(1 for leaf in leaves if leaf.status) + 1
    text = original.text
    intro_end = text.find("\n", (original.inspection.span or (0, 0))[1] or 1)
    sentence = (f"反馈的{len(leaves)}个问题细化为{len(leaves)}个具体问题,已完成整改措施{done}条。")
    report = parse_text(_replace(text, [(intro_end, intro_end, "\n" + sentence)]))
    checks = [c for c in check_declared(report.declared, report.categories) if c.text in sentence]
    by_what = {c.what: c for c in checks}
    assert by_what["问题"].level == "sub-problems" and by_what["问题"].agrees
    measures_done = next(c for c in checks if c.what.endswith("措施"))
    assert measures_done.level is None and measures_done.found is None
