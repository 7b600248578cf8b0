"""The endpoint: a real Oxigraph server on loopback, pushes over the Graph Store Protocol, remote saved queries.

No mocks: the module copies the session's store of data/reports (a push records itself in the store it
pushes), starts `oxigraph serve` on an empty store on a free loopback port, pushes, and checks every
saved query answers the same remotely as locally.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from pyoxigraph import Literal, Quad, RdfFormat, Store, Variable, parse

from kg.remote import PushSummary, auth_headers, push, pushable_graphs, pushed_hashes, run_remote_query
from kg.serve import Server, check_port_free, start_server
from kg.exceptions import EndpointError, QueryError
from kg.index import TextIndex
from kg.query import load_query, resolve_query, values_clause, with_values
from kg.build import build
from kg.store import open_index, open_store, report_graphs, sources_in_store

from .conftest import DATA, GOLDEN, REAL_REPORTS, assert_golden_case_same_remotely, assert_same_rows

KG = "https://w3id.org/xunshi-kg/ontology#"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def copy_reports(target: Path) -> Path:
    shutil.copytree(DATA, target, copy_function=shutil.copyfile)
    return target


def built_store(folder: Path) -> Store:
    store = open_store(folder / "store")
    summary = build(store, [copy_reports(folder / "reports")], index=open_index(folder / "store"))
    assert len(summary.added) == len(REAL_REPORTS) and not summary.failed
    return store


def graph_store_url(server: Server) -> str:
    return server.ui_url + "store"


def remote_select(server: Server, sparql: str) -> list[dict]:
    answer = httpx.post(server.query_url, content=sparql.encode(), timeout=30,
                        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]["bindings"]


def remote_graphs(server: Server) -> set[str]:
    rows = remote_select(server, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    return {row["g"]["value"] for row in rows}


@pytest.fixture(scope="module")
def local_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("local")


@pytest.fixture(scope="module")
def local(local_dir: Path, store_copy: Callable[[Path], Path]) -> Store:
    return open_store(store_copy(local_dir / "store"))


@pytest.fixture(scope="module")
def local_index(local: Store, local_dir: Path) -> TextIndex:
    return open_index(local_dir / "store", read_only=True)


@pytest.fixture(scope="module")
def remote(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A writable Oxigraph server on an empty store, default graph = union of named graphs."""
    server = start_server(tmp_path_factory.mktemp("remote") / "store", "127.0.0.1", free_port(), read_only=False)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def pushed(local: Store, remote: Server) -> PushSummary:
    return push(local, graph_store_url(remote))


@pytest.fixture(scope="module")
def served_copy(local: Store, pushed: PushSummary, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A consistent copy of the built and pushed store that no process holds open, for `kg serve`."""
    target = tmp_path_factory.mktemp("served") / "store"
    local.backup(str(target))
    return target


def test_first_push_uploads_every_graph(local: Store, remote: Server, pushed: PushSummary) -> None:
    expected = {g.value for g in pushable_graphs(local)}
    assert len(expected) == len(REAL_REPORTS) + 4  # reports, ontology, shapes, problem types, corpus totals
    assert set(pushed.pushed) == expected and not pushed.unchanged and not pushed.deleted
    assert remote_graphs(remote) == expected
    assert pushed.bytes > 1_000_000
    assert set(pushed_hashes(local, graph_store_url(remote))) == expected


@pytest.mark.parametrize("golden", GOLDEN, ids=lambda p: p.stem)
def test_saved_query_answers_the_same_remotely(local: Store, local_index: TextIndex, remote: Server,
                                               pushed: PushSummary, golden: Path) -> None:
    assert_golden_case_same_remotely(local, local_index, remote.query_url, golden)


@pytest.mark.parametrize("method", ["post", "get", "direct"])
@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml",
                                    "text/tab-separated-values", "text/csv"])
def test_every_method_and_result_format_answers(local: Store, local_index: TextIndex, remote: Server,
                                                pushed: PushSummary, method: str, accept: str) -> None:
    query, params = resolve_query("region-reports"), {"code": "370000"}  # a Chinese label, a date
    here = assert_same_rows(local, local_index, remote.query_url, query, params, query.name, method=method, accept=accept)
    assert here.rows
    if accept == "text/csv":  # no types in CSV: values are text
        typed = run_remote_query(remote.query_url, resolve_query("timeline"), accept=accept, method=method)
        assert all(isinstance(r["days_to_feedback"], str) for r in typed.as_dicts())


def test_a_long_get_query_goes_as_a_form_post(recorder: str) -> None:
    """GET only while the URL stays short; a long query (many VALUES rows) is posted as a form."""
    result = run_remote_query(recorder + "/query", resolve_query("timeline"), method="get")  # 3,401 characters
    assert result.rows == [[7]] and _Recorder.seen[-1][0] == "POST"  # the recorder answers POST only
    with pytest.raises(EndpointError, match="501"):  # 1,446 characters: sent as GET, which it does not answer
        run_remote_query(recorder + "/query", resolve_query("reports"), method="get")
    with pytest.raises(EndpointError, match="查询方式"):
        run_remote_query(recorder + "/query", resolve_query("reports"), method="put")


def test_remote_values_are_typed_like_local_ones(local: Store, remote: Server, pushed: PushSummary) -> None:
    rows = run_remote_query(remote.query_url, resolve_query("timeline")).as_dicts()
    assert rows and all(isinstance(r["days_to_feedback"], int) for r in rows)
    assert {r["committee"] for r in rows} >= {"中共济南市天桥区委", "中共西安市莲湖区委"}


def test_parameters_join_before_filters_like_substitutions(local: Store) -> None:
    text = ('# a comment with a brace { and an IRI <x:y#z>\n'
            'PREFIX kg: <https://w3id.org/xunshi-kg/ontology#>\n'
            'SELECT ?keyword (COUNT(?m) AS ?n) WHERE {\n'
            '  ?m a kg:Measure ; kg:text ?t . FILTER (CONTAINS(?t, ?keyword) && ?t != "{ # }")\n'
            '} GROUP BY ?keyword\n')
    bound = {Variable("keyword"): Literal("公务用车")}
    rewritten = with_values(text, [values_clause(list(bound), [list(bound.values())])])
    assert rewritten.index('VALUES (?keyword) { ("公务用车") }') > rewritten.index("WHERE {")
    substituted = list(local.query(text, use_default_graph_as_union=True, substitutions=bound))
    joined = list(local.query(rewritten, use_default_graph_as_union=True))
    assert int(joined[0]["n"].value) == int(substituted[0]["n"].value) >= 4
    tricky = with_values(text, [values_clause([Variable("keyword")], [[Literal('x" } ?s ?p ?o {')]])])
    assert r'("x\" } ?s ?p ?o {")' in tricky
    with pytest.raises(QueryError, match="SELECT"):
        with_values("CONSTRUCT { ?s ?p ?keyword } WHERE { ?s ?p ?keyword }", ["VALUES ?keyword { 1 }"])


def test_values_go_into_a_leading_subquery_only_when_it_projects_them(local: Store) -> None:
    text = ("SELECT ?code ?n WHERE { { SELECT ?code (COUNT(?r) AS ?n) WHERE { GRAPH ?r {\n"
            "  ?r <https://w3id.org/xunshi-kg/ontology#committee>/<https://w3id.org/xunshi-kg/ontology#region>/"
            "<https://w3id.org/xunshi-kg/ontology#divisionCode> ?code } } GROUP BY ?code } }")
    inside = with_values(text, [values_clause([Variable("code")], [[Literal("370105")]])])
    assert inside.index("VALUES") > inside.index("GRAPH ?r {")
    assert [(r["code"].value, int(r["n"].value)) for r in local.query(inside, use_default_graph_as_union=True)] == \
        [("370105", 1)]
    outside = with_values(text, [values_clause([Variable("other")], [[Literal("x")]])])
    assert outside.index("VALUES") < outside.index("SELECT ?code (COUNT")


def test_push_only_what_changed_and_prune(tmp_path: Path) -> None:
    store = built_store(tmp_path)
    server = start_server(tmp_path / "remote", "127.0.0.1", free_port(), read_only=False)
    url = graph_store_url(server)
    everything = {g.value for g in pushable_graphs(store)}
    try:
        ticks: list[tuple[int, int, str]] = []
        dry = push(store, url, dry_run=True, progress=lambda *a: ticks.append(a))
        assert dry.dry_run and set(dry.pushed) == everything and not remote_graphs(server)
        assert not pushed_hashes(store, url) and ticks[-1][:2] == (len(everything), len(everything))
        assert set(push(store, url).pushed) == everything
        again = push(store, url)
        assert again.pushed == [] and set(again.unchanged) == everything and again.bytes == 0

        changed = tmp_path / "reports" / "shaanxi-xian-lianhu-2022.txt"
        changed.write_text(changed.read_text(encoding="utf-8").replace("029-87326236", "029-87326237"), encoding="utf-8")
        assert build(store, [tmp_path / "reports"]).replaced == [str(changed)]
        graph = sources_in_store(store)[str(changed)][1].value
        third = push(store, url)
        assert third.pushed == [graph]
        new_sha = hashlib.sha256(changed.read_bytes()).hexdigest()
        shas = {row["sha"]["value"] for row in remote_select(server, f"SELECT ?sha WHERE {{ ?s <{KG}sha256> ?sha }}")}
        assert new_sha in shas and len(shas) == len(REAL_REPORTS)

        removed = tmp_path / "reports" / "shandong-jinan-tianqiao-2021.txt"
        gone = sources_in_store(store)[str(removed)][1].value
        removed.unlink()
        assert build(store, [tmp_path / "reports"], prune=True).pruned == [str(removed)]
        fourth = push(store, url)
        assert fourth.stale == [gone] and not fourth.deleted and not fourth.pushed
        assert gone in remote_graphs(server)
        fifth = push(store, url, prune=True)
        assert fifth.deleted == [gone] and not fifth.pushed and not fifth.stale
        assert remote_graphs(server) == everything - {gone}
        assert gone not in pushed_hashes(store, url)
        forced = push(store, url, force=True)
        assert set(forced.pushed) == everything - {gone} and not forced.unchanged
    finally:
        server.stop()


class _Recorder(BaseHTTPRequestHandler):
    """Answers PUT with 201 and POST with an empty SELECT result, remembering every request."""

    seen: list[tuple[str, str, dict[str, str], bytes]] = []

    def _record(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.seen.append((self.command, self.path, dict(self.headers), body))

    def do_PUT(self) -> None:  # noqa: N802 (http.server's naming)
        self._record()
        self.send_response(201)
        self.end_headers()

    def do_POST(self) -> None:  # noqa: N802
        self._record()
        payload = b'{"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal", "value": "7", ' \
                  b'"datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def recorder() -> Iterator[str]:
    _Recorder.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_auth_headers_are_sent(recorder: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store()
    build(store, [REAL_REPORTS[2]])
    monkeypatch.setenv("KG_ENDPOINT_TOKEN", "s3cret")
    summary = push(store, recorder + "/ds/data")
    puts = [r for r in _Recorder.seen if r[0] == "PUT"]
    assert len(puts) == len(summary.pushed) == len(pushable_graphs(store))
    assert all(headers["Authorization"] == "Bearer s3cret" for _, _, headers, _ in puts)
    method, path, headers, body = next(r for r in puts if "report" in r[1])
    graph = parse_qs(urlparse(path).query)["graph"][0]
    assert graph == report_graphs(store)[0].value and headers["Content-Type"] == "application/n-triples"
    assert len(list(parse(body, format=RdfFormat.N_TRIPLES))) == len(list(store.quads_for_pattern(None, None, None, report_graphs(store)[0])))

    monkeypatch.delenv("KG_ENDPOINT_TOKEN")
    monkeypatch.setenv("KG_ENDPOINT_USER", "reader")
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", "pa:ss")
    result = run_remote_query(recorder + "/query", resolve_query("reports"))
    assert result.rows == [[7]]
    _, _, headers, body = _Recorder.seen[-1]
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"reader:pa:ss").decode()
    assert headers["Accept"].startswith("application/sparql-results+json")  # JSON first, XML, TSV, CSV after
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"  # form-encoded POST by default
    assert "SELECT ?report" in parse_qs(body.decode("ascii"))["query"][0]


def test_auth_header_builder() -> None:
    assert auth_headers({}) == {}
    assert auth_headers({"KG_ENDPOINT_TOKEN": "t", "KG_ENDPOINT_USER": "u"}) == {"Authorization": "Bearer t"}
    with pytest.raises(EndpointError, match="KG_ENDPOINT_PASSWORD"):
        auth_headers({"KG_ENDPOINT_USER": "u"})


def test_a_server_that_is_down_gives_one_clear_line(local: Store) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(EndpointError, match="无法连接") as caught:
        run_remote_query(url + "/query", resolve_query("reports"))
    assert str(caught.value).startswith(url + "/query: ") and "\n" not in str(caught.value)
    before = pushed_hashes(local, url + "/store")
    with pytest.raises(EndpointError, match="无法连接"):
        push(local, url + "/store")
    assert pushed_hashes(local, url + "/store") == before == {}


def test_a_server_that_never_answers_times_out() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/query"
        with pytest.raises(EndpointError, match="超时") as caught:
            run_remote_query(url, resolve_query("reports"), timeout=0.5)
    assert url in str(caught.value)


def test_error_statuses_name_the_url_and_the_reason(remote: Server, local: Store, tmp_path: Path) -> None:
    broken = tmp_path / "broken.rq"
    broken.write_text("# title: broken\nSELECT ?x WHERE { ?x ?p }\n", encoding="utf-8")
    with pytest.raises(EndpointError, match=r"400 Bad Request: error at \d+:\d+") as caught:
        run_remote_query(remote.query_url, load_query(broken))
    assert str(caught.value).startswith(remote.query_url)
    with pytest.raises(EndpointError, match="404 Not Found"):
        run_remote_query(remote.ui_url + "nothing", resolve_query("reports"))
    with pytest.raises(EndpointError, match="Graph Store"):
        push(local, remote.query_url, force=True)


def kg(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True, timeout=timeout)


def test_cli_query_endpoint_and_push(served_copy: Path, remote: Server, pushed: PushSummary) -> None:
    here = kg("query", "region-reports", "-p", "code=370000", "-f", "csv", "--store", str(served_copy))
    there = kg("query", "region-reports", "-p", "code=370000", "-f", "csv", "--endpoint", remote.query_url)
    assert there.returncode == 0, there.stderr
    assert there.stdout == here.stdout and "中共济南市天桥区委" in there.stdout
    dry = kg("push", "--endpoint", graph_store_url(remote), "--store", str(served_copy), "--dry-run", "--force")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.count("将上传 ") == len(REAL_REPORTS) + 4 + 1  # one line per graph, then the summary
    again = kg("push", "--endpoint", graph_store_url(remote), "--store", str(served_copy))  # the record came along
    assert again.returncode == 0 and again.stdout.startswith(f"上传 0 · 未变 {len(REAL_REPORTS) + 4} ")
    down = kg("query", "reports", "--endpoint", f"http://127.0.0.1:{free_port()}/query")
    assert down.returncode == 2 and len(down.stderr.strip().splitlines()) == 1 and "无法连接" in down.stderr


def test_kg_serve_answers_and_stops_on_sigint(served_copy: Path, local: Store) -> None:
    port = free_port()
    serve = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--store", str(served_copy), "--port", str(port)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        query_url = f"http://127.0.0.1:{port}/query"
        banner = [serve.stdout.readline() for _ in range(2)]
        assert query_url in banner[0] and f"http://127.0.0.1:{port}/" in banner[1], (banner, serve.stderr)
        count = f"SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {{ ?m a <{KG}Measure> }}"
        answer = httpx.post(query_url, content=count, timeout=10, headers={
            "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
        remote_count = int(answer.json()["results"]["bindings"][0]["n"]["value"])
        local_count = int(next(iter(local.query(count, use_default_graph_as_union=True)))["n"].value)
        assert remote_count == local_count > 300
        assert httpx.get(f"http://127.0.0.1:{port}/", timeout=10).status_code == 200
        serve.send_signal(signal.SIGINT)
        assert serve.wait(timeout=15) == 0
        check_port_free("127.0.0.1", port)  # the oxigraph child is gone too
    finally:
        if serve.poll() is None:  # SIGTERM is forwarded to the oxigraph child; SIGKILL would orphan it
            serve.terminate()
            serve.wait(timeout=15)


def test_kg_serve_on_a_missing_store(tmp_path: Path) -> None:
    result = kg("serve", "--store", str(tmp_path / "missing"), "--port", str(free_port()))
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "kg build" in result.stderr


def test_kg_serve_on_a_store_held_by_a_writer(served_copy: Path, tmp_path: Path) -> None:
    held = tmp_path / "held"
    shutil.copytree(served_copy, held)
    holder = subprocess.Popen([sys.executable, "-c", "import pyoxigraph, sys, time; s = pyoxigraph.Store(sys.argv[1]); "
                               "print('ready', flush=True); time.sleep(120)", str(held)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        result = kg("serve", "--store", str(held), "--port", str(free_port()))
        assert result.returncode == 2 and result.stdout == ""
        assert len(result.stderr.strip().splitlines()) == 1 and "占用" in result.stderr
    finally:
        holder.kill()
        holder.wait()


def test_kg_serve_on_a_taken_port(served_copy: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = kg("serve", "--store", str(served_copy), "--port", str(port))
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "端口" in result.stderr and str(port) in result.stderr


SECRET = "Zq8-not-to-be-seen"


@pytest.mark.parametrize("token", [f"abc\n{SECRET}", f"abc\r\nX-Evil: 1{SECRET}", f"密钥{SECRET}", f"abc\x7f{SECRET}"],
                         ids=["newline", "header-injection", "non-ascii", "delete"])
def test_a_bad_token_is_one_line_that_does_not_echo_it(recorder: str, token: str, tmp_path: Path) -> None:
    with pytest.raises(EndpointError, match="KG_ENDPOINT_TOKEN") as caught:
        auth_headers({"KG_ENDPOINT_TOKEN": token})
    assert SECRET not in str(caught.value) and "\n" not in str(caught.value)
    env = {**os.environ, "KG_ENDPOINT_TOKEN": token}
    for args in (["query", "reports", "-e", recorder + "/query"],
                 ["push", "-e", recorder + "/store", "--store", str(tmp_path / "missing")]):
        result = subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True, env=env,
                                timeout=120)
        assert result.returncode == 2 and result.stdout == ""
        assert len(result.stderr.strip().splitlines()) == 1 and SECRET not in result.stderr
    assert not _Recorder.seen


def test_credentials_in_an_endpoint_url_are_used_but_never_printed_or_stored(recorder: str, tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    build(open_store(store_dir), [REAL_REPORTS[2]], index=open_index(store_dir))
    port = recorder.rsplit(":", 1)[1]
    with_password = f"http://reader:{SECRET}@127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_ENDPOINT_")}
    pushed = subprocess.run([sys.executable, "-m", "kg.cli", "push", "-e", with_password + "/store", "--store",
                             str(store_dir)], capture_output=True, text=True, env=env, timeout=120)
    assert pushed.returncode == 0, pushed.stderr
    assert SECRET not in pushed.stdout + pushed.stderr and f"{recorder}/store" in pushed.stdout
    expected = "Basic " + base64.b64encode(f"reader:{SECRET}".encode()).decode()
    assert _Recorder.seen and all(headers["Authorization"] == expected for _, _, headers, _ in _Recorder.seen)
    dumped = open_store(store_dir, read_only=True).dump(format=RdfFormat.N_QUADS).decode()
    assert SECRET not in dumped and f"{recorder}/store" in dumped  # the push record keeps the bare URL
    queried = subprocess.run([sys.executable, "-m", "kg.cli", "query", "reports", "-e", with_password + "/query"],
                             capture_output=True, text=True, env=env, timeout=120)
    assert queried.returncode == 0 and SECRET not in queried.stdout + queried.stderr
    down = f"http://reader:{SECRET}@127.0.0.1:{free_port()}/query"
    failed = subprocess.run([sys.executable, "-m", "kg.cli", "query", "reports", "-e", down],
                            capture_output=True, text=True, env=env, timeout=120)
    assert failed.returncode == 2 and len(failed.stderr.strip().splitlines()) == 1
    assert SECRET not in failed.stderr and "reader" not in failed.stderr and "无法连接" in failed.stderr


def test_a_push_record_written_with_credentials_loses_them(recorder: str) -> None:
    from kg.remote import PUSH_ENDPOINT, push_record_graph

    store = Store()
    build(store, [REAL_REPORTS[2]])
    old = f"http://reader:{SECRET}@127.0.0.1:1/store"
    record = push_record_graph(old)
    store.add(Quad(record, PUSH_ENDPOINT, Literal(old), record))  # as an earlier version stored it
    push(store, recorder + "/store")
    assert SECRET not in store.dump(format=RdfFormat.N_QUADS).decode()


class _Listener:
    """A loopback socket that counts the connections made to it (a federated query's target)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/sparql"
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()


def _store_copy(served_copy: Path, target: Path) -> Path:
    shutil.copytree(served_copy, target)
    return target


def test_kg_serve_refuses_federated_queries_unless_allowed(served_copy: Path, tmp_path: Path) -> None:
    listener = _Listener()
    store_dir = _store_copy(served_copy, tmp_path / "store")
    server = start_server(store_dir, "127.0.0.1", free_port())
    sparql = "application/sparql-query"
    accept = {"Accept": "application/sparql-results+json"}
    try:
        service = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
        asked = [
            httpx.post(server.query_url, content=service, headers={"Content-Type": sparql, **accept}, timeout=10),
            httpx.get(server.query_url, params={"query": service}, headers=accept, timeout=10),
            httpx.post(server.query_url, data={"query": service.replace("SERVICE", "service SILENT")}, headers=accept,
                       timeout=10),
            httpx.post(server.query_url, content=service.replace("SERVICE", "\\u0053ERVICE"),
                       headers={"Content-Type": sparql, **accept}, timeout=10),
        ]
        for answer in asked:
            assert answer.status_code == 403 and "--allow-federated" in answer.text
            assert len(answer.text.strip().splitlines()) == 1
        harmless = ('SELECT ?x WHERE { BIND("SERVICE <http://127.0.0.1:1/>" AS ?x) } # SERVICE in a comment\n')
        answer = httpx.post(server.query_url, content=harmless, headers={"Content-Type": sparql, **accept}, timeout=10)
        assert answer.status_code == 200 and answer.json()["results"]["bindings"][0]["x"]["value"].startswith("SERVICE")
        assert httpx.get(server.ui_url, timeout=10).status_code == 200  # the web page still comes through
        assert listener.connections == 0, "the server fetched a URL a client named"
    finally:
        server.stop()
    allowed = start_server(store_dir, "127.0.0.1", free_port(), federated=True)
    try:
        httpx.post(allowed.query_url, content=service, headers={"Content-Type": sparql, **accept}, timeout=30)
    finally:
        allowed.stop()
    assert listener.connections > 0, "--allow-federated lets the server fetch the SERVICE URL"


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _start_kg_serve(store_dir: Path, port: int) -> subprocess.Popen[str]:
    serve = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--store", str(store_dir), "--port", str(port)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    banner = serve.stdout.readline()
    assert f"127.0.0.1:{port}/query" in banner, (banner, serve.poll())
    return serve


def test_kg_serve_holds_the_store_against_builds(served_copy: Path, tmp_path: Path) -> None:
    store_dir = _store_copy(served_copy, tmp_path / "store")
    reports = copy_reports(tmp_path / "reports")
    serve = _start_kg_serve(store_dir, free_port())
    try:
        built = kg("build", str(reports), "--store", str(store_dir), "--optimize")
        assert built.returncode == 2 and built.stdout == ""
        assert len(built.stderr.strip().splitlines()) == 1 and "占用" in built.stderr
        read = kg("query", "reports", "-f", "csv", "--store", str(store_dir))  # readers are welcome
        assert read.returncode == 0 and "中共济南市天桥区委" in read.stdout
    finally:
        serve.send_signal(signal.SIGINT)
        serve.wait(timeout=15)
    built = kg("build", str(reports), "--store", str(store_dir))
    assert built.returncode == 0, built.stderr


def test_a_killed_kg_serve_leaves_no_server_behind(served_copy: Path, tmp_path: Path) -> None:
    store_dir = _store_copy(served_copy, tmp_path / "store")
    port = free_port()
    serve = _start_kg_serve(store_dir, port)
    children = _children(serve.pid)
    try:
        assert children and all(_alive(pid) for pid in children)
        serve.kill()
        serve.wait(timeout=15)
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in children), "the oxigraph server outlived kg serve"
        check_port_free("127.0.0.1", port)
        built = kg("build", str(copy_reports(tmp_path / "reports")), "--store", str(store_dir))
        assert built.returncode == 0, built.stderr  # and the store is free again
    finally:
        for pid in children:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_yasgui_finds_no_syntax_error_in_the_saved_queries(remote: Server) -> None:
    """The server's own page (YASGUI, what kg serve shows) marks no syntax error in any saved query a user
    copies from queries/, while it marks a broken query and an Oxigraph-only local plan (LATERAL inside a group;
    after a BIND at the top of recurrences' local plan its parser lets LATERAL pass)."""
    from kg.query import saved_queries
    from kg.viz import CHROMIUM_ARGS, find_chromium
    from kg.exceptions import VizError

    try:
        chromium = find_chromium()
        from playwright.sync_api import sync_playwright
    except (VizError, ImportError) as exc:
        pytest.skip(f"no Chromium or playwright to open YASGUI ({exc}); .ci/run installs Debian's chromium")
    mark_errors = """async (text) => {
        const editor = document.querySelector(".CodeMirror").CodeMirror;
        editor.setValue(text); editor.checkSyntax();
        await new Promise(resolve => setTimeout(resolve, 200));
        return document.querySelectorAll(".parseErrorIcon").length; }"""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=list(CHROMIUM_ARGS))
        try:
            page = browser.new_page()
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(remote.ui_url)
                       else route.abort())  # the page and its bundled YASGUI only: no network
            page.goto(remote.ui_url)
            page.wait_for_function("() => document.querySelector('.CodeMirror')?.CodeMirror?.checkSyntax")
            assert page.evaluate(mark_errors, "SELECT ?x WHERE { ?x ?p }") > 0
            queries = saved_queries()
            for query in queries:
                assert page.evaluate(mark_errors, query.text) == 0, f"{query.name}: YASGUI marks a syntax error"
            # a local plan's LATERAL is no SPARQL 1.1: YASGUI marks it inside a group (not after a top-level BIND)
            plans = [q for q in queries if q.local_text is not None]
            marked = [q.name for q in plans if page.evaluate(mark_errors, q.local_text) > 0]
            assert plans and "region-type-measures" in marked
        finally:
            browser.close()
