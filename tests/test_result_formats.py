"""Standard result formats of kg query: W3C SPARQL JSON (srj), XML (srx), CSV and TSV, and xlsx with typed cells.

Every golden query case is run on the store built from data/, written in each SPARQL results format, and read
back by other parsers (rdflib's SPARQL results parsers, the standard library's XML and CSV readers): the same
rows, every term with its kind, language tag and datatype. The same formats come from a real Oxigraph server
and a real Virtuoso (tests/test_virtuoso.py's fixtures; skipped without ``virtuoso-t``) through
``kg query --endpoint``, answered with the same terms; the Oxigraph server is sent the queries' local plans. A workbook written from real results is opened with
openpyxl: division codes are text cells, counts number cells, dates date cells.
"""

from __future__ import annotations

import csv
import io
import json
import re
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pyoxigraph import BlankNode, Literal, NamedNode, Store
from rdflib import BNode, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.query import Result

from kg.index import TextIndex
from kg.query import QueryResult, SavedQuery, load_query, resolve_query, run_query, saved_queries
from kg.remote import SPARQL_XML, TYPED_ACCEPT, PushSummary, run_remote_query
from kg.results import serialize_result, write_xlsx
from kg.resources import QUERY_DIR
from kg.serve import Server, start_server
from kg.sparql import Term
from kg.store import open_index

from .conftest import ROOT
from .test_virtuoso import ISQL, VIRTUOSO, Virtuoso
from .test_virtuoso import local, pushed, virtuoso  # noqa: F401 - Virtuoso's fixtures, started here too

GOLDEN = sorted((ROOT / "tests" / "queries").glob("*.json"))
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
SRX = "{http://www.w3.org/2005/sparql-results#}"

Cell = tuple[str, str, str | None, str | None] | None  # (uri|literal|bnode, value, language, datatype); None unbound


def kg(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def index(store_dir: Path) -> TextIndex:
    return open_index(store_dir, read_only=True)


def answer(store: Store, index: TextIndex, golden: Path) -> QueryResult:
    case = json.loads(golden.read_text(encoding="utf-8"))
    return run_query(store, resolve_query(case["query"]), case.get("params", {}), index)


def our_cells(result: QueryResult) -> list[list[Cell]]:
    """The answer's own terms as (kind, value, language, datatype)."""
    assert result.terms is not None
    return [[_cell(term) for term in row] for row in result.terms]


def _cell(term: Term | None) -> Cell:
    if term is None:
        return None
    if isinstance(term, NamedNode):
        return ("uri", term.value, None, None)
    if isinstance(term, BlankNode):
        return ("bnode", term.value, None, None)
    assert isinstance(term, Literal)
    datatype = None if term.language or term.datatype.value == XSD_STRING else term.datatype.value
    return ("literal", term.value, term.language, datatype)


def rdflib_cells(data: bytes, fmt: str) -> tuple[list[str], list[list[Cell]]]:
    """Variables and rows as rdflib's SPARQL results parser reads them (an independent reader)."""
    parsed = Result.parse(io.BytesIO(data), format=fmt)
    variables = [str(v) for v in parsed.vars or []]
    rows: list[list[Cell]] = []
    for row in parsed:
        cells: list[Cell] = []
        for term in row:  # type: ignore[union-attr]
            if term is None:
                cells.append(None)
            elif isinstance(term, URIRef):
                cells.append(("uri", str(term), None, None))
            elif isinstance(term, BNode):
                cells.append(("bnode", str(term), None, None))
            else:
                assert isinstance(term, RdfLiteral)
                datatype = None if term.language or term.datatype in (None, URIRef(XSD_STRING)) else str(term.datatype)
                cells.append(("literal", str(term), term.language, datatype))
        rows.append(cells)
    return variables, rows


def srx_cells(data: bytes) -> tuple[list[str], list[list[Cell]]]:
    """Variables and rows read from SPARQL XML results with the standard library's XML parser."""
    root = ET.fromstring(data)
    assert root.tag == f"{SRX}sparql"
    variables = [v.attrib["name"] for v in root.iter(f"{SRX}variable")]
    rows: list[list[Cell]] = []
    for result in root.iter(f"{SRX}result"):
        found: dict[str, Cell] = {}
        for binding in result.findall(f"{SRX}binding"):
            (term,) = list(binding)
            kind = term.tag.removeprefix(SRX)
            found[binding.attrib["name"]] = (kind, term.text or "",
                                             term.attrib.get("{http://www.w3.org/XML/1998/namespace}lang"),
                                             term.attrib.get("datatype"))
        rows.append([found.get(v) for v in variables])
    return variables, rows


def python_value(cell: Cell) -> Any:
    """What kg's own rows hold for a term: an integer for xsd:integer, else its text (booleans as true/false)."""
    if cell is None:
        return None
    if cell[3] == XSD + "integer":
        return int(cell[1])
    if cell[3] == XSD + "boolean":
        return "true" if cell[1] in ("true", "1") else "false"
    return cell[1]


@pytest.mark.parametrize("golden", GOLDEN, ids=lambda p: p.stem)
def test_every_sparql_format_carries_the_rows_and_their_terms(store: Store, index: TextIndex, golden: Path) -> None:
    result = answer(store, index, golden)
    cells = our_cells(result)
    assert [[python_value(c) for c in row] for row in cells] == result.rows  # the terms are the rows' own
    for fmt, read in (("srj", lambda d: rdflib_cells(d, "json")), ("srx", lambda d: rdflib_cells(d, "xml")),
                      ("srx", srx_cells), ("sparql-tsv", lambda d: rdflib_cells(d, "tsv"))):
        variables, rows = read(serialize_result(result, fmt))
        assert variables == result.variables, (fmt, golden.name)
        assert rows == cells, (fmt, golden.name)  # same rows, same order (the query's sort columns), same terms


@pytest.mark.parametrize("golden", GOLDEN, ids=lambda p: p.stem)
def test_csv_is_the_w3c_form(store: Store, index: TextIndex, golden: Path) -> None:
    result = answer(store, index, golden)
    data = serialize_result(result, "csv").decode("utf-8")
    lines = data.split("\r\n")
    assert lines[-1] == "" and lines[0] == ",".join(result.variables)  # CRLF line ends, a header of names
    rows = list(csv.reader(io.StringIO(data, newline="")))[1:]
    assert rows == [["" if v is None else str(v) for v in row] for row in result.rows]


def test_terms_on_real_reports(store: Store, index: TextIndex) -> None:
    """Known kinds of term in the reports listing and the status summary, read from srj with plain json."""
    reports = json.loads(serialize_result(run_query(store, resolve_query("reports")), "srj"))
    first = {b["code"]["value"]: b for b in reports["results"]["bindings"]}["130371"]
    assert first["code"] == {"type": "literal", "value": "130371"}  # a division code is text, not a number
    assert first["report"]["type"] == "uri" and "/report/130371-" in first["report"]["value"]
    assert first["start"] == {"type": "literal", "value": "2020-10-22", "datatype": XSD + "date"}
    status = json.loads(serialize_result(run_query(store, resolve_query("status-summary")), "srj"))
    counts = [b["problems"] for b in status["results"]["bindings"]]
    assert counts and all(c["datatype"] == XSD + "integer" and int(c["value"]) > 0 for c in counts)


def test_language_tags_and_blank_nodes_survive(tmp_path: Path) -> None:
    """Terms no saved query happens to return: a language-tagged label, a blank node, an unbound value,
    a literal holding a tab, a quote and a line break."""
    result = QueryResult(["a", "b", "c"], [[], []], [
        [Literal("整改\t\"完成\"\n", language="zh"), BlankNode("b0"), None],
        [Literal("B3", language="en"), NamedNode("https://example.org/x"), Literal("2.50", datatype=NamedNode(XSD + "decimal"))]])
    expected = our_cells(result)
    assert rdflib_cells(serialize_result(result, "srj"), "json")[1] == expected
    assert srx_cells(serialize_result(result, "srx"))[1] == expected
    assert rdflib_cells(serialize_result(result, "sparql-tsv"), "tsv")[1] == expected


def test_json_keys_are_the_querys_english_variables(store_dir: Path, store: Store, index: TextIndex) -> None:
    for golden in GOLDEN:
        variables = answer(store, index, golden).variables
        assert all(re.fullmatch(r"[a-z][a-z0-9_]*", v) for v in variables), (golden.name, variables)
    done = kg("query", "reports", "-f", "json", "--store", str(store_dir))
    assert done.returncode == 0, done.stderr.decode()
    rows = json.loads(done.stdout)
    assert len(rows) == 4 and all(list(row) == run_query(store, resolve_query("reports")).variables for row in rows)
    assert {row["code"] for row in rows} == {"130371", "320302", "610104", "370105"}  # strings, as written


def test_queries_listing_has_english_keys() -> None:
    done = kg("queries", "-f", "json")
    assert done.returncode == 0, done.stderr.decode()
    listing = json.loads(done.stdout)
    assert [q["name"] for q in listing] == [q.name for q in saved_queries()]
    keys = {k for q in listing for k in q} | {k for q in listing for p in q["params"] for k in p}
    assert keys >= {"name", "title", "params", "type", "required", "local_plan"} and all(k.isascii() for k in keys)
    assert {q["name"] for q in listing if q["local_plan"]} == {p.stem for p in (QUERY_DIR / "local").glob("*.rq")}
    region = {p["name"]: p for p in {q["name"]: q for q in listing}["region-reports"]["params"]}["code"]
    assert region["type"] == "literal" and region["required"] is True
    assert any("\u4e00" <= ch <= "\u9fff" for q in listing for ch in q["title"])  # the values stay Chinese-first


def test_cli_writes_each_format(store_dir: Path, store: Store, tmp_path: Path) -> None:
    here = run_query(store, resolve_query("status-summary"))
    for fmt in ("srj", "srx", "csv", "sparql-tsv"):
        done = kg("query", "status-summary", "-f", fmt, "--store", str(store_dir))
        assert done.returncode == 0, done.stderr.decode()
        assert done.stdout == serialize_result(here, fmt), fmt
        to_file = kg("query", "status-summary", "-f", fmt, "-o", str(tmp_path / f"out.{fmt}"), "--store", str(store_dir))
        assert to_file.returncode == 0 and (tmp_path / f"out.{fmt}").read_bytes() == done.stdout
    assert rdflib_cells(kg("query", "status-summary", "-f", "srj", "--store", str(store_dir)).stdout, "json")[1] \
        == our_cells(here)


def test_xlsx_cells_are_typed(store_dir: Path, tmp_path: Path) -> None:
    """A division code is a text cell (a spreadsheet would make 130371 a number), a count a number cell,
    a date a date cell; the header row holds the variables."""
    for name in ("reports", "status-summary"):
        done = kg("query", name, "-f", "xlsx", "-o", str(tmp_path / f"{name}.xlsx"), "--store", str(store_dir))
        assert done.returncode == 0, done.stderr.decode()
    sheet = load_workbook(tmp_path / "reports.xlsx").active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["report", "committee", "code"]
    codes = [row[header.index("code")] for row in sheet.iter_rows(min_row=2)]
    assert {c.value for c in codes} == {"130371", "320302", "610104", "370105"}
    assert all(c.data_type == "s" and c.number_format == "@" for c in codes)
    starts = [row[header.index("start")].value for row in sheet.iter_rows(min_row=2)]
    assert all(s is not None and s.year >= 2019 for s in starts)  # dates, not text
    sheet = load_workbook(tmp_path / "status-summary.xlsx").active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    counts = [row[header.index("problems")] for row in sheet.iter_rows(min_row=2)]
    assert counts and all(c.data_type == "n" and isinstance(c.value, int) and c.value > 0 for c in counts)
    piped = kg("query", "status-summary", "-f", "xlsx", "--store", str(store_dir))  # standard output, not a terminal
    assert piped.returncode == 0 and piped.stdout.startswith(b"PK")


def test_xlsx_text_is_never_a_formula(tmp_path: Path) -> None:
    result = QueryResult(["text", "big", "flag"], [["=HYPERLINK(\"http://x\")", 12345678901234567890, "true"]],
                         [[Literal("=HYPERLINK(\"http://x\")"), Literal("12345678901234567890", datatype=NamedNode(XSD + "integer")),
                           Literal("1", datatype=NamedNode(XSD + "boolean"))]])
    write_xlsx(result, tmp_path / "x.xlsx")
    sheet = load_workbook(tmp_path / "x.xlsx").active
    assert sheet is not None
    text, big, flag = sheet[2]
    assert text.data_type == "s" and text.value == "=HYPERLINK(\"http://x\")"
    assert big.data_type == "s" and big.value == "12345678901234567890"  # more digits than a spreadsheet number keeps
    assert flag.value is True


# --- a real Oxigraph server ------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    copy = tmp_path_factory.mktemp("served") / "store"
    store.backup(str(copy))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    served = start_server(copy, "127.0.0.1", port)
    yield served
    served.stop()


def _bindings(data: bytes) -> Counter[str]:
    return Counter(json.dumps(b, sort_keys=True, ensure_ascii=False) for b in json.loads(data)["results"]["bindings"])


@pytest.mark.parametrize("golden", GOLDEN, ids=lambda p: p.stem)
def test_remote_answers_keep_their_terms(store: Store, index: TextIndex, server: Server, golden: Path) -> None:
    case = json.loads(golden.read_text(encoding="utf-8"))
    query = resolve_query(case["query"])
    here = run_query(store, query, case.get("params", {}), index)
    there = run_remote_query(server.query_url, query, case.get("params", {}), index=index, accept=TYPED_ACCEPT)
    assert there.variables == here.variables
    assert _bindings(serialize_result(there, "srj")) == _bindings(serialize_result(here, "srj")), golden.name


def test_cli_endpoint_srj(store_dir: Path, store: Store, server: Server) -> None:
    there = kg("query", "reports", "-e", server.query_url, "-f", "srj", "--store", str(store_dir))
    assert there.returncode == 0, there.stderr.decode()
    assert _bindings(there.stdout) == _bindings(serialize_result(run_query(store, resolve_query("reports")), "srj"))
    assert json.loads(there.stdout)["head"]["vars"][:3] == ["report", "committee", "code"]


def which_plan(folder: Path, local_text: str) -> SavedQuery:
    """A saved query whose portable text and local plan answer which of them ran."""
    (folder / "local").mkdir(parents=True)
    (folder / "which-plan.rq").write_text('SELECT ?plan WHERE { BIND ("portable" AS ?plan) }\n', encoding="utf-8")
    (folder / "local" / "which-plan.rq").write_text(local_text, encoding="utf-8")
    return load_query(folder / "which-plan.rq")


LATERAL_PLAN = 'SELECT ?plan WHERE { BIND ("local" AS ?plan) LATERAL { SELECT ?one WHERE { BIND (1 AS ?one) } } }\n'


def test_an_oxigraph_server_runs_the_local_plan(server: Server, tmp_path: Path) -> None:
    """Oxigraph (here behind kg serve) names itself in its Server header: it gets the local plan; a plan it
    cannot parse (400) is followed by the portable text."""
    assert run_remote_query(server.query_url, which_plan(tmp_path / "a", LATERAL_PLAN)).rows == [["local"]]
    broken = which_plan(tmp_path / "b", 'SELECT ?plan WHERE { BIND ("local" AS ?plan) LATERAL }\n')
    assert run_remote_query(server.query_url, broken).rows == [["portable"]]


@pytest.mark.skipif(VIRTUOSO is None or ISQL is None, reason="virtuoso-t not installed (apt-get install -y virtuoso-opensource)")
def test_virtuoso_gets_the_portable_text(virtuoso: Virtuoso, tmp_path: Path) -> None:  # noqa: F811
    assert run_remote_query(virtuoso.query_url, which_plan(tmp_path, LATERAL_PLAN)).rows == [["portable"]]


@pytest.mark.skipif(VIRTUOSO is None or ISQL is None, reason="virtuoso-t not installed (apt-get install -y virtuoso-opensource)")
@pytest.mark.parametrize("golden", GOLDEN, ids=lambda p: p.stem)
def test_virtuoso_answers_keep_their_terms(store: Store, index: TextIndex, virtuoso: Virtuoso,  # noqa: F811
                                           pushed: PushSummary, golden: Path) -> None:  # noqa: F811
    """Virtuoso's JSON and XML answers give the embedded store's terms, datatypes included (its JSON writes a
    boolean as 1: the same value, written true by kg)."""
    case = json.loads(golden.read_text(encoding="utf-8"))
    query = resolve_query(case["query"])
    here = _bindings(serialize_result(run_query(store, query, case.get("params", {}), index), "srj"))
    for accept in (TYPED_ACCEPT, SPARQL_XML):
        there = run_remote_query(virtuoso.query_url, query, case.get("params", {}), index=index, accept=accept)
        assert _bindings(serialize_result(there, "srj")) == here, (golden.name, accept)
