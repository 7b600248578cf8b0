"""Problem tables: a report that lists its problems as the rows of a table, each row a problem with its measures.

A table reaches the text as one line a row, its cells split by tabs (copied from Word or a spreadsheet) or
between pipes (``| 1 | 问题 | 措施 |``, as kg.ingest writes a saved page's table and Markdown writes any). The
header row names the columns: the problem (反馈问题, 存在问题…), the measures (整改措施, 整改落实情况…) and,
where given, the status (完成情况, 整改进展…) and the category (问题类别, 方面…). A row that fills one cell only,
or a heading line between rows, opens a category; a row with no problem of its own continues the problem
above (a problem spanning several rows, one measure a row). A measures cell numbered inside (1.…;2.…, (1)…,
①…, 一是…) gives one measure an item, else one measure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.model import Category, Measure, Problem, Span
from kg.parse.outline import leading_markers
from kg.parse.structure import STATUS_RE, STATUS_WORDS, marked_measures, measure_in

PROBLEM, MEASURES, STATUS, CATEGORY = "problem", "measures", "status", "category"
# Column names by what the column holds, tried in this order: a status column's name (完成情况) would also
# read as a measures column's (…情况), and a problem column's (问题类别) as a category's.
_COLUMN_RES: list[tuple[str, re.Pattern[str]]] = [
    (CATEGORY, re.compile(r"^(?:问题)?(?:类别|类型|分类|方面|领域|板块)$")),
    (STATUS, re.compile(r"完成情况|完成状态|整改(?:进展|进度|状态|结果)$|进展情况|是否完成|办结情况|目前状态|整改成效$")),
    (PROBLEM, re.compile(r"问题")),
    (MEASURES, re.compile(r"措施|举措|整改情况|落实情况|整改内容|整改任务|具体做法|整改进展")),
]
MAX_HEADER_CELL = 16  # characters: a header names a column, it says nothing more
MIN_PROBLEM_ROWS = 2
_APPENDIX_RE = re.compile(r"(?:附件|附表)\s*\d*\s*[::]?")
APPENDIX_LINES = 3  # an appendix's table follows its 附件 line and, at most, a title and a caption
_STATUS_CELL_RE = re.compile(rf"(?:{STATUS_WORDS})")
MAX_CATEGORY_LINE = 80  # characters: a heading between rows is short


@dataclass
class _Row:
    start: int
    end: int
    cells: list[Span]  # each cell's text, trimmed; an empty cell is (pos, pos)


@dataclass
class ProblemTable:
    """A problem table found in a report's text: its categories (one untitled category when it has none)
    and the text it covers."""

    span: Span
    categories: list[Category] = field(default_factory=list)
    appendix: bool = False  # it follows a 附件/附表 line: an appendix to a report that may list its problems

    @property
    def problem_count(self) -> int:
        return sum(len(c.problems) for c in self.categories)


def find_problem_tables(text: str, limit: int | None = None) -> list[ProblemTable]:
    """The problem tables of text[:limit], in order."""
    limit = len(text) if limit is None else limit
    lines = _lines(text, limit)
    tables: list[ProblemTable] = []
    i = 0
    while i < len(lines):
        cells = _cells(text, *lines[i])
        columns = _columns(text, cells) if cells else None
        if cells is None or columns is None:
            i += 1
            continue
        header = i
        table, i = _read_table(text, lines, header, columns, len(cells))
        if table.problem_count >= MIN_PROBLEM_ROWS:
            table.appendix = any(_APPENDIX_RE.match(text, *line) for line in lines[max(0, header - APPENDIX_LINES):header])
            tables.append(table)
    records = _record_tables(text, lines)
    if sum(r.problem_count for r in records) >= MIN_PROBLEM_ROWS:
        tables = sorted(tables + records, key=lambda t: t.span[0])
    return tables


# --- one small table a problem, its rows labelled (存在问题⇥… / 整改措施⇥… / 完成情况⇥…) ----------------------

SEQUENCE = "sequence"
_SEQUENCE_RE = re.compile(r"^(?:序号|编号|问题序号)$")


def _record_key(text: str, line: Span) -> tuple[str, Span] | None:
    """A labelled row of a problem's own table: what its label names, and its value."""
    cells = _cells(text, *line)
    if cells is None or len(cells) != 2 or not cells[0][0] < cells[0][1]:
        return None
    label = "".join(text[slice(*cells[0])].split())
    if len(label) > MAX_HEADER_CELL:
        return None
    if _SEQUENCE_RE.match(label):
        return SEQUENCE, cells[1]
    kind = next((kind for kind, pattern in _COLUMN_RES if pattern.search(label)), None)
    return (kind, cells[1]) if kind in (PROBLEM, MEASURES, STATUS) else None


def _record_tables(text: str, lines: list[Span]) -> list[ProblemTable]:
    """Runs of problems each given as a small table whose rows are labelled: one table a run, its problems in one
    untitled category (the heading above the run, when it names a category, titles it: see kg.parse.report)."""
    tables: list[ProblemTable] = []
    records: list[dict[str, Span]] = []
    first = last = 0
    field_kind: str | None = None
    for i, line in enumerate(lines + [(len(text), len(text))]):
        keyed = _record_key(text, line) if i < len(lines) else None
        if keyed is not None:
            kind, value = keyed
            if kind == PROBLEM or (kind == SEQUENCE and (not records or PROBLEM in records[-1])):
                records.append({})
                first = first if len(records) > 1 else line[0]
            if kind != SEQUENCE and records:
                records[-1][kind] = value
            field_kind, last = kind, line[1]
            continue
        if field_kind is not None and field_kind in (PROBLEM, MEASURES) and records and i < len(lines) \
                and field_kind in records[-1] and not _opens_category(text, line):  # a cell's further lines
            records[-1][field_kind] = (records[-1][field_kind][0], line[1])
            last = line[1]
            continue
        if any(PROBLEM in r and MEASURES in r for r in records):
            tables.append(ProblemTable(span=(first, last), categories=[_records_category(text, records)]))
        records, field_kind = [], None
    return tables


def _opens_category(text: str, line: Span) -> bool:
    markers = leading_markers(text, *line)
    return bool(markers) and markers[0].style in _CATEGORY_STYLES


def _records_category(text: str, records: list[dict[str, Span]]) -> Category:
    reader = _TableReader(text, {PROBLEM: 0, MEASURES: 1, STATUS: 2}, 3)
    for record in records:
        if PROBLEM in record:
            empty = (record[PROBLEM][1], record[PROBLEM][1])
            reader.row([record[PROBLEM], record.get(MEASURES, empty), record.get(STATUS, empty)])
    return reader.categories()[0] if reader.categories() else Category(title=None, span=None)


def _lines(text: str, limit: int) -> list[Span]:
    spans, pos = [], 0
    for line in text.split("\n"):
        if pos >= limit:
            break
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _cells(text: str, start: int, end: int) -> list[Span] | None:
    """A row's cells, or None for a line that is no row: cells between tabs, or between a line's pipes."""
    line = text[start:end]
    if len(line) > 2 and line[0] == "|" and line[-1] == "|":
        bounds = [start + i for i, c in enumerate(line) if c == "|"]
        return [_stripped(text, a + 1, b) for a, b in zip(bounds, bounds[1:])]
    return _tab_cells(text, start, end) if "\t" in line else None


_GAP_RE = re.compile(r" {2,}")


def _gap_cells(text: str, start: int, end: int, width: int) -> list[Span] | None:
    """Inside a table, a row whose tabs became runs of spaces: as many cells as the header has, or one fewer."""
    cells, pos = [], start
    for gap in _GAP_RE.finditer(text, start, end):
        cells.append((pos, gap.start()))
        pos = gap.end()
    cells.append((pos, end))
    return cells if max(3, width - 1) <= len(cells) <= width else None


def _stripped(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _columns(text: str, cells: list[Span]) -> dict[str, int] | None:
    return header_columns([text[start:end] for start, end in cells])


def header_columns(names: list[str]) -> dict[str, int] | None:
    """A header row's columns by what they hold, or None when the row is no problem table's header (it must
    name a problem column and a measures column)."""
    columns: dict[str, int] = {}
    for index, name in enumerate(names):
        name = "".join(name.split())
        if not name or len(name) > MAX_HEADER_CELL:
            continue
        for kind, pattern in _COLUMN_RES:
            if kind not in columns and pattern.search(name):
                columns[kind] = index
                break
    return columns if PROBLEM in columns and MEASURES in columns else None


def _read_table(text: str, lines: list[Span], header: int, columns: dict[str, int],
                width: int) -> tuple[ProblemTable, int]:
    """Rows from the line after the header on, while lines are rows or headings between rows."""
    reader = _TableReader(text, columns, width)
    i = header + 1
    end = lines[header][1]
    while i < len(lines):
        start, line_end = lines[i]
        cells = _row_cells(text, lines[i], width)
        if cells is not None and 1 < len(cells) < width:  # a row whose cells hold line breaks (copied from Word)
            last, whole = _continued_row(text, lines, i, width)
            if whole is not None:
                cells, i, line_end = whole, last, lines[last][1]
        if cells is not None and len(cells) > 1:
            reader.row(cells)
        elif cells is not None or _heading_between_rows(text, lines, i, width):
            reader.category((start, line_end) if cells is None else cells[0])
        else:
            break
        end = line_end
        i += 1
    return ProblemTable(span=(lines[header][0], end), categories=reader.categories()), i


_CATEGORY_STYLES = ("一、", "(一)", "第一,", "【一】")  # the numbering of categories, not of measures in a cell
MAX_ROW_LINES = 12  # lines one row copied from Word may take, its cells broken inside


def _continued_row(text: str, lines: list[Span], first: int, width: int) -> tuple[int, list[Span] | None]:
    """A tab row that goes on over the next lines, its cells holding line breaks: the line it ends on and its
    cells, when the lines up to one holding tabs give exactly the header's number of cells."""
    start = lines[first][0]
    for last in range(first + 1, min(len(lines), first + MAX_ROW_LINES)):
        if "\t" not in text[slice(*lines[last])]:
            markers = leading_markers(text, *lines[last])
            if markers and markers[0].style in _CATEGORY_STYLES:  # 二、…方面: a category's row, no cell's line
                return first, None
            continue
        cells = _tab_cells(text, start, lines[last][1])
        if len(cells) > width:  # the next row: this one ended on the line before (its empty cells lost)
            return (last - 1, _tab_cells(text, start, lines[last - 1][1])) if last - 1 > first else (first, None)
        if len(cells) == width:
            return last, cells
    return first, None


def _tab_cells(text: str, start: int, end: int) -> list[Span]:
    """The cells between the tabs of text[start:end] (over one line, or over the lines of a row broken inside)."""
    bounds = [start - 1] + [i for i in range(start, end) if text[i] == "\t"] + [end]
    return [_stripped(text, a + 1, b) for a, b in zip(bounds, bounds[1:])]


def _row_cells(text: str, line: Span, width: int) -> list[Span] | None:
    """A line's cells inside a table of ``width`` columns, or None for a line that is no row."""
    return _cells(text, *line) or _gap_cells(text, *line, width)


def _heading_between_rows(text: str, lines: list[Span], i: int, width: int) -> bool:
    """A short line followed by a row: a category's heading whose row lost its empty cells."""
    start, end = lines[i]
    return end - start <= MAX_CATEGORY_LINE and i + 1 < len(lines) \
        and (cells := _row_cells(text, lines[i + 1], width)) is not None and len(cells) > 1


class _TableReader:
    def __init__(self, text: str, columns: dict[str, int], width: int) -> None:
        self.text, self.columns, self.width = text, columns, width
        self._categories: list[Category] = []
        self._problem: Problem | None = None
        self._cells: dict[int, list[Span]] = {}  # a problem's measures cells, by id

    def categories(self) -> list[Category]:
        """The categories read, each problem with its measures: one a row when it spans several rows, else
        those its one cell numbers."""
        for category in self._categories:
            for problem in category.problems:
                cells = self._cells[id(problem)]
                if len(cells) == 1:
                    problem.measures = _measures(self.text, *cells[0])
                else:
                    problem.measures = [m for cell in cells if (m := measure_in(self.text, *cell))]
        return [c for c in self._categories if c.problems]

    def category(self, span: Span) -> None:
        start, end = span
        markers = leading_markers(self.text, start, end)
        title_start = markers[-1].end if markers else start
        title = _stripped(self.text, title_start, end)
        if title[0] < title[1]:
            self._categories.append(Category(title=self.text[title[0]:title[1]], span=title,
                                             marker=markers[0].label if markers else None))
            self._problem = None

    def row(self, cells: list[Span]) -> None:
        filled = [i for i, (start, end) in enumerate(cells) if start < end]
        if len(filled) == 1 and filled[0] != self.columns[MEASURES]:  # one cell filled: a category's heading
            self.category(cells[filled[0]])
            return
        cells = self._aligned(cells)
        category = self._cell(cells, CATEGORY)
        if category and (not self._categories or self._categories[-1].title != self.text[slice(*category)]):
            self.category(category)
        problem_cell = self._cell(cells, PROBLEM)
        if problem_cell:
            self._problem = self._new_problem(problem_cell)
        if self._problem is None:
            return
        status = self._cell(cells, STATUS)
        if status and self._problem.status is None:
            self._problem.status = _status(self.text[slice(*status)])
        measures = self._cell(cells, MEASURES)
        if measures:
            self._cells[id(self._problem)].append(measures)

    def _aligned(self, cells: list[Span]) -> list[Span]:
        """A tab row that lost its empty cells at an end: a row with no number of its own lost them at its
        start (it continues the problem above), any other at its end."""
        missing = self.width - len(cells)
        if missing <= 0:
            return cells
        first = self.text[slice(*cells[0])]
        if first.isdigit() or self.columns[PROBLEM] >= len(cells):
            return cells + [(cells[-1][1], cells[-1][1])] * missing
        return [(cells[0][0], cells[0][0])] * missing + cells

    def _cell(self, cells: list[Span], kind: str) -> Span | None:
        index = self.columns.get(kind)
        if index is None or index >= len(cells) or cells[index][0] >= cells[index][1]:
            return None
        return cells[index]

    def _new_problem(self, cell: Span) -> Problem:
        start, end = cell
        markers = leading_markers(self.text, start, end)
        start = markers[-1].end if markers else start
        status = None
        tag = STATUS_RE.search(self.text, start, end)
        if tag and not self.text[tag.end():end].strip(" 。"):
            status, end = tag.group(1).strip(), tag.start()
        title = _stripped(self.text, start, end)
        while title[1] > title[0] and self.text[title[1] - 1] in "。;,:":
            title = (title[0], title[1] - 1)
        problem = Problem(title=self.text[slice(*title)], span=title, status=status,
                          marker=markers[0].label if markers else None)
        if not self._categories:
            self._categories.append(Category(title=None, span=None))
        self._categories[-1].problems.append(problem)
        self._cells[id(problem)] = []
        return problem


def _status(cell: str) -> str | None:
    """A status cell's tag as written (已完成, 基本完成…), or None when it states none."""
    tag = _STATUS_CELL_RE.search(cell)
    if not tag:
        return None
    short = cell.strip(" 。;")
    return short if len(short) <= 8 else tag.group(0)


def _measures(text: str, start: int, end: int) -> list[Measure]:
    """A measures cell's measures: its numbered items (1.…;2.…, (1)…, ①…, 一是…), else the whole cell."""
    marked = marked_measures(text, start, end)
    if marked is not None:
        return marked[0]
    paragraphs, pos = [], start  # a cell broken over lines: one measure a paragraph, as anywhere
    for piece in text[start:end].split("\n"):
        if measure := measure_in(text, pos, pos + len(piece)):
            paragraphs.append(measure)
        pos += len(piece) + 1
    return paragraphs
