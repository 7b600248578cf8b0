"""A second real engine: Virtuoso (Debian's virtuoso-opensource), started on loopback by this module.

The module copies the session's store of data/reports, starts ``virtuoso-t`` on a database of its own in a temporary
folder (free loopback ports, a DBA password and a pushing user made up here), pushes every graph with
``kg push`` through Virtuoso's authenticated Graph Store endpoint (HTTP Digest), and checks that every
golden query case gives the same rows there as on the embedded store, through ``kg query --endpoint``'s
client. Skipped, with the reason, when ``virtuoso-t`` is not installed
(``apt-get install -y virtuoso-opensource``).
"""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from pyoxigraph import Store

from kg.remote import PushSummary, push, pushable_graphs, run_remote_query
from kg.exceptions import EndpointError
from kg.index import TextIndex
from kg.query import load_query, resolve_query, run_query
from kg.build import build
from kg.store import open_index, open_store

from .conftest import GOLDEN, REAL_REPORTS, assert_golden_case_same_remotely
VIRTUOSO = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt") or shutil.which("isql")
START_TIMEOUT = 120.0

pytestmark = pytest.mark.skipif(VIRTUOSO is None or ISQL is None,
                                reason="virtuoso-t not installed (apt-get install -y virtuoso-opensource)")

INI = """[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = .
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {db}
MaxClientConnections = 5
ServerThreads = 5
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 20000
MaxQueryExecutionTime = 60
MaxQueryCostEstimationTime = 400
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Virtuoso:
    process: subprocess.Popen[bytes]
    folder: Path
    sql_port: int
    http_port: int
    dba_password: str
    user: str
    password: str

    @property
    def query_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def graph_store_url(self) -> str:  # the Graph Store endpoint that asks for HTTP Digest
        return f"http://127.0.0.1:{self.http_port}/sparql-graph-crud-auth"

    def isql(self, *statements: str) -> str:
        done = subprocess.run([ISQL, f"127.0.0.1:{self.sql_port}", "dba", self.dba_password,
                               "exec=" + " ".join(statements)], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and "Error" not in done.stdout + done.stderr, done.stdout + done.stderr
        return done.stdout

    def log(self) -> str:
        path = self.folder / "virtuoso.log"
        return path.read_text(encoding="utf-8", errors="replace")[-2000:] if path.exists() else ""


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """Virtuoso on a new database in a temporary folder, on free loopback ports; stopped at the end."""
    folder = tmp_path_factory.mktemp("virtuoso")
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(INI.format(db=folder, sql_port=sql_port, http_port=http_port), encoding="utf-8")
    dba_password = secrets.token_hex(8)
    # a new database starts with the DBA password "dba": the first start changes it and exits
    subprocess.run([VIRTUOSO, "+foreground", "+configfile", str(ini), "+pwdold", "dba", "+pwddba", dba_password],
                   cwd=folder, capture_output=True, timeout=START_TIMEOUT, check=True)
    process = subprocess.Popen([VIRTUOSO, "+foreground", "+configfile", str(ini)], cwd=folder,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = Virtuoso(process, folder, sql_port, http_port, dba_password, "kgpush", secrets.token_hex(8))
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert process.poll() is None, f"virtuoso-t exited: {server.log()}"
            try:
                if httpx.get(server.query_url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"virtuoso-t did not answer: {server.log()}"
            time.sleep(0.3)
        server.isql(f"DB.DBA.USER_CREATE('{server.user}', '{server.password}');",
                    f'GRANT SPARQL_UPDATE TO "{server.user}";',
                    f"DB.DBA.RDF_DEFAULT_USER_PERMS_SET('{server.user}', 7);")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory, store_copy: Callable[[Path], Path]) -> tuple[Store, TextIndex]:
    """A writable copy of the session's store (a push records itself in the store it pushes) and its index."""
    folder = store_copy(tmp_path_factory.mktemp("local") / "store")
    return open_store(folder), open_index(folder, read_only=True)


@pytest.fixture
def digest_env(virtuoso: Virtuoso, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KG_ENDPOINT_TOKEN",):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KG_ENDPOINT_AUTH", "digest")
    monkeypatch.setenv("KG_ENDPOINT_USER", virtuoso.user)
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", virtuoso.password)


@pytest.fixture(scope="module")
def pushed(local: tuple[Store, TextIndex], virtuoso: Virtuoso) -> PushSummary:
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("KG_ENDPOINT_TOKEN", raising=False)
        patch.setenv("KG_ENDPOINT_AUTH", "digest")
        patch.setenv("KG_ENDPOINT_USER", virtuoso.user)
        patch.setenv("KG_ENDPOINT_PASSWORD", virtuoso.password)
        return push(local[0], virtuoso.graph_store_url)


def remote_graphs(virtuoso: Virtuoso) -> dict[str, int]:
    answer = httpx.post(virtuoso.query_url, timeout=30, headers={"Accept": "application/sparql-results+json"},
                        data={"query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                                       'FILTER (STRSTARTS(STR(?g), "https://w3id.org/xunshi-kg/")) } GROUP BY ?g'})
    assert answer.status_code == 200, answer.text
    return {b["g"]["value"]: int(b["n"]["value"]) for b in answer.json()["results"]["bindings"]}


def test_push_with_digest_fills_virtuoso(local: tuple[Store, TextIndex], virtuoso: Virtuoso,
                                         pushed: PushSummary) -> None:
    store = local[0]
    expected = {g.value: sum(1 for _ in store.quads_for_pattern(None, None, None, g)) for g in pushable_graphs(store)}
    assert set(pushed.pushed) == set(expected) and len(expected) == len(REAL_REPORTS) + 4
    there = remote_graphs(virtuoso)
    assert there == expected  # every graph, its Chinese IRI intact, with every triple


def test_push_without_the_right_password_is_refused(local: tuple[Store, TextIndex], virtuoso: Virtuoso,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KG_ENDPOINT_TOKEN", raising=False)
    monkeypatch.setenv("KG_ENDPOINT_AUTH", "digest")
    monkeypatch.setenv("KG_ENDPOINT_USER", virtuoso.user)
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", "wrong-" + virtuoso.password[:4])
    with pytest.raises(EndpointError, match="401") as error:
        push(local[0], virtuoso.graph_store_url, force=True)
    assert virtuoso.password not in str(error.value)


@pytest.mark.parametrize("golden", GOLDEN, ids=lambda p: p.stem)
def test_saved_query_gives_the_same_rows_on_virtuoso(local: tuple[Store, TextIndex], virtuoso: Virtuoso,
                                                     pushed: PushSummary, golden: Path) -> None:
    store, index = local
    assert_golden_case_same_remotely(store, index, virtuoso.query_url, golden, may_be_empty=("needs-review.",))


def test_chinese_constants_survive_the_protocol(virtuoso: Virtuoso, pushed: PushSummary) -> None:
    """A Chinese string written in the query text (not bound) matches on the server."""
    text = ('PREFIX kg: <https://w3id.org/xunshi-kg/ontology#>\n'
            'SELECT (COUNT(?m) AS ?n) ("公务用车" AS ?word) WHERE { ?m a kg:Measure ; kg:text ?t . '
            'FILTER (CONTAINS(?t, "公务用车")) }')
    answer = httpx.post(virtuoso.query_url, data={"query": text}, timeout=30,
                        headers={"Accept": "application/sparql-results+json"})
    [row] = answer.json()["results"]["bindings"]
    assert row["word"]["value"] == "公务用车" and int(row["n"]["value"]) >= 4


def test_prune_deletes_with_digest(tmp_path: Path, local: tuple[Store, TextIndex], virtuoso: Virtuoso,
                                   pushed: PushSummary, digest_env: None) -> None:
    """A graph pushed and then deleted locally is deleted on Virtuoso by push --prune (this store is
    another than the module's, so its push record is its own)."""
    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copyfile(REAL_REPORTS[2], folder / REAL_REPORTS[2].name)
    store = open_store(tmp_path / "store")
    build(store, [folder])
    url = virtuoso.graph_store_url
    first = push(store, url)
    [report] = [g for g in first.pushed if "/report/" in g]
    assert report in remote_graphs(virtuoso)
    (folder / REAL_REPORTS[2].name).unlink()
    build(store, [folder], prune=True)
    pruned = push(store, url, prune=True)
    assert pruned.deleted == [report]
    assert report not in remote_graphs(virtuoso)
    # the module's push had put the same report graph there: put it back for any later test
    assert report in push(local[0], url, force=True).pushed and report in remote_graphs(virtuoso)


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml"])
def test_every_method_and_result_format_gives_the_same_rows(local: tuple[Store, TextIndex], virtuoso: Virtuoso,
                                                             pushed: PushSummary, method: str, accept: str) -> None:
    """(Virtuoso 7's TSV is not the W3C form: IRIs written as quoted strings, no types, so kg asks
    for JSON first.)"""
    store, index = local
    for name, params in (("timeline", {}), ("region-reports", {"code": "370000"})):  # typed values, Chinese text
        query = resolve_query(name)
        here = run_query(store, query, params, index)
        there = run_remote_query(virtuoso.query_url, query, params, index=index, method=method, accept=accept)
        assert here.rows and Counter(map(tuple, there.rows)) == Counter(map(tuple, here.rows)), (name, method, accept)


def test_basic_credentials_to_a_digest_endpoint_say_what_to_set(local: tuple[Store, TextIndex], virtuoso: Virtuoso,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KG_ENDPOINT_TOKEN", raising=False)
    monkeypatch.delenv("KG_ENDPOINT_AUTH", raising=False)
    monkeypatch.setenv("KG_ENDPOINT_USER", virtuoso.user)
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", virtuoso.password)
    with pytest.raises(EndpointError, match="KG_ENDPOINT_AUTH=digest") as error:
        push(local[0], virtuoso.graph_store_url, force=True)
    assert "401" in str(error.value) and virtuoso.password not in str(error.value)


def test_an_answer_cut_at_the_servers_row_limit_is_an_error(virtuoso: Virtuoso, pushed: PushSummary,
                                                          tmp_path: Path) -> None:
    """Virtuoso returns at most ResultSetMaxRows rows (20,000 here, 10,000 in Debian's virtuoso.ini) with
    a 200 and an X-SPARQL-MaxRows header: kg says so instead of handing out part of the answer; a page
    under the limit is whole."""
    many = tmp_path / "many.rq"
    many.write_text("# title: t\n# description: d\nSELECT ?s ?x WHERE { ?s ?p ?o . VALUES ?x { 1 2 } }\n",
                    encoding="utf-8")
    with pytest.raises(EndpointError, match="20000"):
        run_remote_query(virtuoso.query_url, load_query(many))
    assert len(run_remote_query(virtuoso.query_url, load_query(many), limit=19_999).rows) == 19_999
