"""Results: a query's answer written in a standard format for programs and spreadsheets.

- SPARQL 1.1 Query Results JSON (``srj``), XML (``srx``), CSV and TSV are written by pyoxigraph's own
  serialisers from the answer's RDF terms (IRIs, literals with their language tag or datatype, blank
  nodes), in the order kg gives the rows (the query's sort columns, one page). pyoxigraph builds its
  solutions only from a query or a parser, so the rows reach it as SPARQL TSV, the format whose
  fields are the terms' own N-Triples forms (``str(term)``): nothing is lost on the way.
- An Excel workbook (``xlsx``, openpyxl) with typed cells, for spreadsheets, which read a CSV field
  such as the division code 130371 or a year as a number: numbers (xsd:integer, decimal, double…)
  become number cells, booleans boolean cells, xsd:date date cells, and everything else (codes,
  years, names, IRIs) text cells formatted as text (``@``), never formulas.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from pyoxigraph import BlankNode, Literal, QueryResultsFormat, QuerySolutions, Triple, parse_query_results

from kg.exceptions import QueryError
from kg.namespaces import XSD

if TYPE_CHECKING:
    from kg.query import QueryResult
    from kg.sparql import Term

SPARQL_FORMATS = {"srj": QueryResultsFormat.JSON, "srx": QueryResultsFormat.XML,
                  "csv": QueryResultsFormat.CSV, "sparql-tsv": QueryResultsFormat.TSV}
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_INTEGERS = {XSD + name for name in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                      "positiveInteger", "nonPositiveInteger", "negativeInteger", "unsignedLong",
                                      "unsignedInt", "unsignedShort", "unsignedByte")}
_REALS = {XSD + "decimal", XSD + "double", XSD + "float"}
EXACT_DIGITS = 15  # a spreadsheet number keeps 15 significant digits: a longer integer stays text
TEXT_MAX = 32_767  # characters a spreadsheet cell holds
_ILLEGAL_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # what an xlsx (XML 1.0) cannot hold


def solutions(result: QueryResult) -> QuerySolutions:
    """The answer as pyoxigraph solutions, row for row, each term as the query gave it."""
    header = "\t".join(f"?{v}" for v in result.variables)
    lines = ["\t".join("" if term is None else _tsv_term(term) for term in row) for row in result.solution_terms()]
    try:
        parsed = parse_query_results("\n".join([header, *lines, ""]).encode("utf-8"), format=QueryResultsFormat.TSV)
    except (SyntaxError, ValueError) as exc:
        raise QueryError(f"结果无法写成 SPARQL 结果格式 (the answer cannot be written as SPARQL results: {exc})") from None
    assert isinstance(parsed, QuerySolutions)  # a TSV header of variables: solutions, never a boolean
    return parsed


def _tsv_term(term: Term) -> str:
    return f"<<( {term} )>>" if isinstance(term, Triple) else str(term)


def serialize_result(result: QueryResult, fmt: str) -> bytes:
    """The answer in a SPARQL 1.1 results format: srj, srx, csv or sparql-tsv (SPARQL_FORMATS)."""
    if fmt not in SPARQL_FORMATS:
        raise QueryError(f"不支持的结果格式 (no SPARQL results format {fmt!r}: {', '.join(SPARQL_FORMATS)})")
    data = solutions(result).serialize(format=SPARQL_FORMATS[fmt])
    assert data is not None  # no output given: the bytes are returned
    return data


def write_xlsx(result: QueryResult, output: IO[bytes] | Path, title: str = "", sheet: str = "results") -> None:
    """The answer as an Excel workbook: a header row of the variables (frozen), then one row per
    solution with one typed cell per term (see the module docstring); the query's title as the
    workbook's title."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    page = book.active
    assert page is not None  # a new workbook has one sheet
    page.title = re.sub(r"[\[\]:*?/\\]", "-", sheet)[:31] or "results"
    book.properties.title = title or None
    page.append(result.variables)
    for cell in page[1]:
        cell.font = Font(bold=True)
    page.freeze_panes = "A2"
    for row in result.solution_terms():
        page.append([None] * len(row))
        for at, term in enumerate(row, 1):
            if term is not None:
                _fill(page.cell(row=page.max_row, column=at), term)
    book.save(output)


def cell_value(term: Term) -> tuple[Any, str | None]:
    """(the value a spreadsheet cell holds, its number format or None): numbers, booleans and dates
    typed, anything else text."""
    if isinstance(term, Literal):
        datatype = term.datatype.value
        try:
            if datatype in _INTEGERS and len(term.value.strip().lstrip("+-")) <= EXACT_DIGITS:
                return int(term.value), None
            if datatype in _REALS:
                number = Decimal(term.value.strip())
                if number.is_finite():
                    return float(number), None
            if datatype == XSD + "boolean":
                return term.value.strip() in ("true", "1"), None
            if datatype == XSD + "date" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", term.value.strip()):
                return dt.date.fromisoformat(term.value.strip()), "yyyy-mm-dd"
        except (ValueError, InvalidOperation):
            pass  # an ill-typed literal stays the text it is
        return term.value, "@"
    if isinstance(term, BlankNode):
        return f"_:{term.value}", "@"
    return (str(term) if isinstance(term, Triple) else term.value), "@"


def _fill(cell: Any, term: Term) -> None:
    """One cell: typed by cell_value; text set as a string cell (openpyxl would take "=…" for a formula)."""
    value, number_format = cell_value(term)
    if isinstance(value, str):
        value = _ILLEGAL_XML_RE.sub("\ufffd", value)
        if len(value) > TEXT_MAX:
            raise QueryError(f"单元格文本过长 (a value of {len(value):,} characters: a spreadsheet cell holds "
                             f"{TEXT_MAX:,}; use -f srj or csv)")
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    if number_format:
        cell.number_format = number_format
