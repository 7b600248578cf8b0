"""Endpoint: the store over HTTP, and other SPARQL 1.1 servers as remote stores.

- ``start_server`` runs the real Oxigraph server (the ``oxigraph`` binary of the PyPI package)
  read-only on the project's store, with the union of named graphs as its default graph so
  saved queries answer as they do locally.
- ``push`` uploads each changed graph (reports and vocabularies) to any server
  through the SPARQL 1.1 Graph Store HTTP Protocol, remembering what it pushed in a named
  graph of the local store itself, so a second push sends nothing.
- ``run_remote_query`` runs a saved query over the SPARQL 1.1 Protocol and returns the same
  ``QueryResult`` as ``kg.query.run_query``, from the same query text (parameters as typed
  terms in a ``VALUES`` block at the start of the WHERE group, kg.sparql), never pasted text.

Authentication comes from the environment only: ``KG_ENDPOINT_TOKEN`` (bearer) or
``KG_ENDPOINT_USER`` + ``KG_ENDPOINT_PASSWORD`` (basic).
"""

from __future__ import annotations

import base64
import csv
import ctypes
import hashlib
import http.client
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlencode, urlsplit, urlunsplit

import httpx
from pyoxigraph import (
    CanonicalizationAlgorithm,
    Dataset,
    Literal,
    NamedNode,
    Quad,
    QueryResultsFormat,
    RdfFormat,
    Store,
    parse_query_results,
    serialize,
)

from kg.exceptions import EndpointError
from kg.index import TextIndex
from kg.query import QueryResult, SavedQuery, paged, prepare, query_result, sort_rows
from kg.rdf import ID, KG, TOTALS_GRAPH
from kg.sparql import code_only
from kg.store import VOCABULARY_GRAPHS, Progress, lock_store, open_store, report_graphs

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
START_TIMEOUT = 20.0
REQUEST_TIMEOUT = 60.0
TOKEN_ENV, USER_ENV, PASSWORD_ENV = "KG_ENDPOINT_TOKEN", "KG_ENDPOINT_USER", "KG_ENDPOINT_PASSWORD"
AUTH_ENV = "KG_ENDPOINT_AUTH"  # basic (default) or digest
SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML = "application/sparql-results+xml"
ACCEPT = f"{SPARQL_JSON}, {SPARQL_XML};q=0.9, text/tab-separated-values;q=0.8, text/csv;q=0.5"
METHOD_ENV = "KG_ENDPOINT_METHOD"  # post (form-encoded, default), get or direct
QUERY_METHODS = ("post", "get", "direct")
GET_MAX = 2_000  # characters of URL a GET query may take (servers and proxies cut longer ones)
N_TRIPLES = "application/n-triples"
PUSH_BASE = ID + "push/"
PUSHED_GRAPH = NamedNode(KG + "pushedGraph")
PUSHED_HASH = NamedNode(KG + "pushedHash")
PUSH_ENDPOINT = NamedNode(KG + "pushEndpoint")


# --- the Oxigraph server --------------------------------------------------------------------

def oxigraph_binary() -> Path:
    """The ``oxigraph`` server installed with the Python package: beside this interpreter first."""
    candidates = [Path(sys.executable).parent / "oxigraph", Path(sysconfig.get_path("scripts")) / "oxigraph"]
    found = shutil.which("oxigraph")
    candidates += [Path(found)] if found else []
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise EndpointError("找不到 oxigraph 服务器程序 (oxigraph server binary not found; pip install oxigraph)")


def server_command(store_path: str | Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *,
                   read_only: bool = True, cors: bool = False) -> list[str]:
    """The command line of an Oxigraph server whose default graph is the union of named graphs."""
    mode = "serve-read-only" if read_only else "serve"
    command = [str(oxigraph_binary()), mode, "--location", str(store_path), "--bind", f"{_host(host)}:{port}",
               "--union-default-graph"]
    return command + (["--cors"] if cors else [])


def server_urls(host: str, port: int) -> tuple[str, str]:
    """(SPARQL query URL, web UI URL) of a server bound to host:port."""
    base = f"http://{_host(host)}:{port}/"
    return base + "query", base


def _host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


@dataclass
class Server:
    """A running Oxigraph server; its output goes to a temporary file, read back on failure."""

    process: subprocess.Popen[bytes]
    query_url: str
    ui_url: str
    log: IO[bytes]
    hold: int | None = None  # descriptor of the store's LOCK file, locked while serving (builds wait)
    gate: _Gate | None = None  # the front that refuses federated queries, when Oxigraph is behind it

    def last_error(self) -> str:
        """The server's error line (``Error: …``), else its last output line."""
        self.log.flush()
        self.log.seek(0)
        lines = [line.strip() for line in self.log.read().decode("utf-8", "replace").splitlines() if line.strip()]
        errors = [line for line in lines if line.startswith("Error")]
        return (errors or lines or ["(无输出 no output)"])[-1]

    def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM, then SIGKILL if it does not exit in time; returns the exit status."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
        code = self.process.wait()
        if self.gate is not None:
            self.gate.close()
            self.gate = None
        if self.hold is not None:
            os.close(self.hold)  # releases the lock
            self.hold = None
        self.log.close()
        return code


def check_port_free(host: str, port: int) -> None:
    """Fail early, with a clear message, when something already listens on host:port."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise EndpointError(f"无法解析主机 (cannot resolve host {host!r}: {exc.strerror})") from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise EndpointError(f"端口已被占用或不可用 (cannot listen on {_host(host)}:{port}: "
                                f"{exc.strerror or exc}; pick another with --port)") from None


def hold_store(store_path: Path) -> int:
    """Take the store's write lock (kg.store.lock_store: RocksDB's ``LOCK`` file, which every
    writable open of the store must get) without opening the store, and keep it: while a read-only
    server reads the store, no build, compaction or push can write it. Returns the descriptor."""
    open_store(store_path, read_only=True)  # exists, and is a store
    return lock_store(store_path)


def _die_with_parent() -> None:
    """In the server's process before it starts: the kernel ends it when kg serve ends, even by
    SIGKILL, so no server is left behind (Linux; elsewhere a no-op)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def start_server(store_path: str | Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *,
                 read_only: bool = True, cors: bool = False, timeout: float = START_TIMEOUT,
                 federated: bool = False) -> Server:
    """Start Oxigraph on the store and return once it answers a query (or raise EndpointError).

    Read-only, the store's write lock is held while the server runs. Unless ``federated``, Oxigraph
    listens on a private loopback port behind a front on host:port that refuses queries with
    SERVICE (which would make the server fetch any URL a client names) and passes the rest on."""
    location = Path(store_path)
    hold = hold_store(location) if read_only else None
    gate: _Gate | None = None
    try:
        check_port_free(host, port)
        if not federated:
            gate = _Gate(host, port)
            inner_host, inner_port = "127.0.0.1", gate.inner_port
        else:
            inner_host, inner_port = host, port
        command = server_command(location, inner_host, inner_port, read_only=read_only, cors=cors)
    except BaseException:
        if gate is not None:
            gate.close()
        if hold is not None:
            os.close(hold)
        raise
    query_url, ui_url = server_urls(host, port)
    log = tempfile.TemporaryFile()
    env = {**os.environ, "RUST_BACKTRACE": "0", "RUST_LIB_BACKTRACE": "0"}
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env,
                               preexec_fn=_die_with_parent if sys.platform == "linux" else None)
    server = Server(process, query_url, ui_url, log, hold, gate)
    try:
        if gate is not None:
            gate.start()
        _wait_until_answering(server, timeout)
    except BaseException:
        server.stop()
        raise
    return server


FEDERATION_REFUSED = ("kg serve 不执行联邦查询 (SERVICE); 需要时以 kg serve --allow-federated 启动 "
                      "(federated queries are refused: the server would fetch any URL a client names; "
                      "start kg serve --allow-federated to allow them)\n")
_SERVICE_RE = re.compile(r"(?<![\w:?$])SERVICE(?![\w:-])", re.IGNORECASE)
_LOAD_RE = re.compile(r"(?<![\w:?$])LOAD(?![\w:-])", re.IGNORECASE)
_CODEPOINT_RE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"}


def fetches_urls(sparql: str) -> bool:
    """Whether a query or update names a URL for the server to fetch: SERVICE, or an update's LOAD
    (SPARQL's \\u escapes decoded first, as the server does; strings, IRIs and comments aside)."""
    def decode(match: re.Match[str]) -> str:
        try:
            return chr(int(match.group(1) or match.group(2), 16))
        except (ValueError, OverflowError):
            return match.group(0)

    code = code_only(_CODEPOINT_RE.sub(decode, sparql))
    return bool(_SERVICE_RE.search(code) or _LOAD_RE.search(code))


def _sparql_texts(path: str, content_type: str, body: bytes) -> list[str]:
    """Every query or update text a request carries (URL parameters and form or direct bodies)."""
    texts = [v for key, values in parse_qs(urlsplit(path).query).items() if key in ("query", "update") for v in values]
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        form = parse_qs(body.decode("utf-8", "replace"))
        texts += [v for key in ("query", "update") for v in form.get(key, [])]
    elif body:
        texts.append(body.decode("utf-8", "replace"))  # application/sparql-query, -update, or anything else
    return texts


class _Gate:
    """The front of a served store: an HTTP server on the public address that passes every
    request to Oxigraph on a private loopback port, except those whose SPARQL would make Oxigraph
    fetch a URL (403 with a one-line reason). Answers are streamed back as they come."""

    def __init__(self, host: str, port: int) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.inner_port = probe.getsockname()[1]
        gate = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                gate.forward(self)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_PATCH = _forward  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
        server_class = type("GateServer", (ThreadingHTTPServer,), {"address_family": family,
                                                                   "daemon_threads": True})
        try:
            self.httpd = server_class((host.strip("[]"), port), Handler)
        except OSError as exc:
            raise EndpointError(f"端口已被占用或不可用 (cannot listen on {_host(host)}:{port}: "
                                f"{exc.strerror or exc}; pick another with --port)") from None
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True, name="kg-serve-gate")
        self.thread.start()

    def close(self) -> None:
        if self.thread is not None:
            self.httpd.shutdown()
        self.httpd.server_close()

    def forward(self, request: BaseHTTPRequestHandler) -> None:
        if request.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._answer(request, 411, "请给出 Content-Length (send a Content-Length)\n")
        body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        if any(fetches_urls(text) for text in _sparql_texts(request.path, request.headers.get("Content-Type", ""), body)):
            return self._answer(request, 403, FEDERATION_REFUSED)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP}
        connection = http.client.HTTPConnection("127.0.0.1", self.inner_port)
        try:
            connection.request(request.command, request.path, body=body if body or request.command in
                               ("POST", "PUT", "PATCH") else None, headers=headers)
            answer = connection.getresponse()
        except OSError as exc:
            connection.close()
            return self._answer(request, 502, f"服务器无应答 (the Oxigraph server did not answer: {exc})\n")
        try:
            request.send_response(answer.status, answer.reason)
            for key, value in answer.getheaders():
                if key.lower() not in _HOP_BY_HOP:
                    request.send_header(key, value)
            request.send_header("Connection", "close")
            request.end_headers()
            if request.command != "HEAD":
                while chunk := answer.read1(65536) if hasattr(answer, "read1") else answer.read(65536):
                    request.wfile.write(chunk)
        except OSError:
            pass  # the client went away
        finally:
            connection.close()
            request.close_connection = True

    @staticmethod
    def _answer(request: BaseHTTPRequestHandler, status: int, text: str) -> None:
        payload = text.encode("utf-8")
        request.send_response(status)
        request.send_header("Content-Type", "text/plain; charset=utf-8")
        request.send_header("Content-Length", str(len(payload)))
        request.send_header("Connection", "close")
        request.end_headers()
        request.wfile.write(payload)
        request.close_connection = True


def _wait_until_answering(server: Server, timeout: float) -> None:
    """Poll the query URL with a tiny ASK until it answers, the process exits, or time runs out."""
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=1.0) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise EndpointError(f"服务器启动失败 (server exited with status {server.process.returncode}: "
                                    f"{server.last_error()})", server.query_url)
            try:
                answer = client.post(server.query_url, content="ASK {}",
                                     headers={"Content-Type": "application/sparql-query", "Accept": SPARQL_JSON})
                if answer.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
    raise EndpointError(f"服务器 {timeout:g} 秒内未响应 (server did not answer within {timeout:g} s)",
                        server.query_url)


def serve_until_stopped(server: Server, grace: float = 10.0) -> bool:
    """Wait for the server; SIGINT/SIGTERM to this process are forwarded to it.

    Returns True when it stopped because this process was asked to stop, False when it exited
    by itself (a crash; see ``Server.last_error``).
    """
    stopping: list[float] = []

    def forward(signum: int, _frame: object) -> None:
        stopping.append(time.monotonic())
        if server.process.poll() is None:
            server.process.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while server.process.poll() is None:
            try:
                server.process.wait(0.5)
            except subprocess.TimeoutExpired:
                if stopping and time.monotonic() - stopping[0] > grace:
                    server.process.kill()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return bool(stopping)


# --- HTTP -----------------------------------------------------------------------------------

def auth_headers(env: Mapping[str, str] | None = None, url_credentials: tuple[str, str] | None = None) -> dict[str, str]:
    """Authorization header from KG_ENDPOINT_TOKEN (bearer) or KG_ENDPOINT_USER/PASSWORD (basic), else
    from credentials written in the endpoint URL (basic). A secret is never part of an error. With
    KG_ENDPOINT_AUTH=digest there is no header to send first: ``digest_auth`` answers the challenge."""
    env = os.environ if env is None else env
    token, user, password = env.get(TOKEN_ENV), env.get(USER_ENV), env.get(PASSWORD_ENV)
    if token:
        _check_secret(TOKEN_ENV, token, ascii_only=True)
        return {"Authorization": f"Bearer {token}"}
    if auth_scheme(env) == "digest":
        digest_auth(env, url_credentials)  # the same checks
        return {}
    if not (user or password) and url_credentials:
        user, password = url_credentials
    if user or password:
        if not (user and password):
            raise EndpointError(f"{USER_ENV} 与 {PASSWORD_ENV} 须同时设置 (set both for basic authentication)")
        _check_secret(USER_ENV, user, ascii_only=False)
        _check_secret(PASSWORD_ENV, password, ascii_only=False)
        if ":" in user:
            raise EndpointError(f"{USER_ENV} 不能含冒号 (the user name cannot hold a colon; not shown)")
        credentials = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        return {"Authorization": f"Basic {credentials}"}
    return {}


def auth_scheme(env: Mapping[str, str] | None = None) -> str:
    """How a user name and password are sent: ``basic`` (the default: with every request) or
    ``digest`` (HTTP Digest, answering the server's challenge: Virtuoso's authenticated endpoints),
    from KG_ENDPOINT_AUTH."""
    env = os.environ if env is None else env
    scheme = (env.get(AUTH_ENV) or "basic").strip().lower()
    if scheme not in ("basic", "digest"):
        raise EndpointError(f"{AUTH_ENV} 须为 basic 或 digest (must be basic or digest, not {scheme[:20]!r})")
    return scheme


def digest_auth(env: Mapping[str, str] | None = None,
                url_credentials: tuple[str, str] | None = None) -> httpx.DigestAuth | None:
    """httpx's Digest authentication with KG_ENDPOINT_USER/PASSWORD (or the URL's credentials) when
    KG_ENDPOINT_AUTH=digest and no bearer token is set; else None."""
    env = os.environ if env is None else env
    if env.get(TOKEN_ENV) or auth_scheme(env) != "digest":
        return None
    user, password = env.get(USER_ENV), env.get(PASSWORD_ENV)
    if not (user or password) and url_credentials:
        user, password = url_credentials
    if not (user and password):
        raise EndpointError(f"{AUTH_ENV}=digest 需要 {USER_ENV} 与 {PASSWORD_ENV} (digest needs a user and a password)")
    _check_secret(USER_ENV, user, ascii_only=False)
    _check_secret(PASSWORD_ENV, password, ascii_only=False)
    return httpx.DigestAuth(user, password)


def _check_secret(name: str, value: str, *, ascii_only: bool) -> None:
    """A secret that would break (or be echoed by) an HTTP header is refused without showing it."""
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        raise EndpointError(f"{name} 含控制字符 (holds a control character such as a line break; value not shown)")
    if ascii_only and not value.isascii():
        raise EndpointError(f"{name} 含非 ASCII 字符 (holds a non-ASCII character; value not shown)")


def split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """(the URL without ``user:password@``, the (user, password) written in it or None): the
    credentials are used, never printed or stored."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return _strip_userinfo(url), None
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    clean = urlunsplit(parts._replace(netloc=hostport))
    return clean, (unquote(user), unquote(password)) if userinfo else None


def _strip_userinfo(url: str) -> str:
    return re.sub(r"(//)[^/@?#]*@", r"\1", url)


def redact(url: str) -> str:
    """The URL as it may be printed or stored: without credentials."""
    return split_credentials(url)[0]


def _scrub(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return _strip_userinfo(text)


def _secrets(url_credentials: tuple[str, str] | None = None) -> tuple[str, ...]:
    found = [os.environ.get(name) or "" for name in (TOKEN_ENV, PASSWORD_ENV)] + list(url_credentials or ())
    return tuple(sorted({s for s in found if len(s) >= 3}, key=len, reverse=True))


def _client(timeout: float, url_credentials: tuple[str, str] | None = None) -> httpx.Client:
    client = httpx.Client(headers={"User-Agent": "xunshi-kg", **auth_headers(url_credentials=url_credentials)},
                          auth=digest_auth(url_credentials=url_credentials),
                          timeout=timeout)
    client.secrets = _secrets(url_credentials)  # type: ignore[attr-defined]
    return client


def _request(client: httpx.Client, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """One HTTP request; transport failures become one-line EndpointErrors naming the URL (never a secret)."""
    secrets = getattr(client, "secrets", ())
    shown = _scrub(url, secrets)
    try:
        return client.request(method, url, **kwargs)
    except httpx.TimeoutException:
        raise EndpointError(f"请求超时 (timed out after {client.timeout.read:g} s)", shown) from None
    except httpx.ConnectError as exc:
        raise EndpointError(f"无法连接 (cannot connect: {_scrub(str(exc), secrets)})", shown) from None
    except (httpx.HTTPError, httpx.InvalidURL, httpx.LocalProtocolError, ValueError) as exc:
        raise EndpointError(f"请求失败 (request failed: {_scrub(str(exc), secrets)})", shown) from None


def _status_error(answer: httpx.Response, what: str, url: str, hint: str = "") -> EndpointError:
    """An error status with the first line of the server's explanation."""
    body = next((line.strip() for line in answer.text.splitlines() if line.strip()), "")
    body = body if len(body) <= 200 else body[:199] + "…"
    detail = f"{answer.status_code} {answer.reason_phrase}" + (f": {body}" if body else "")
    if answer.status_code == 401 and not hint:  # Virtuoso answers Basic credentials with a bare 401
        digest = answer.headers.get("www-authenticate", "").strip().lower().startswith("digest")
        hint = (f"; 服务器要求 HTTP Digest 认证: 设 {AUTH_ENV}=digest (the server asks for HTTP Digest: "
                f"set {AUTH_ENV}=digest)" if digest else
                f"; 检查 {USER_ENV}/{PASSWORD_ENV}; 若服务器用 HTTP Digest (如 Virtuoso 的 …-auth 地址) 设 "
                f"{AUTH_ENV}=digest (check the credentials; for HTTP Digest set {AUTH_ENV}=digest)")
    return EndpointError(f"{what}失败, 服务器返回 {detail} (server answered {answer.status_code}){hint}", url)


# --- remote queries -------------------------------------------------------------------------

# Strings, IRIs and comments, whose braces and keywords are not the query's own.
def run_remote_query(endpoint: str, query: SavedQuery, values: dict[str, str] | None = None, *,
                     index: TextIndex | None = None, timeout: float = REQUEST_TIMEOUT,
                     limit: int | None = None, offset: int = 0, method: str | None = None,
                     accept: str = ACCEPT) -> QueryResult:
    """Run a saved query on a SPARQL 1.1 Protocol endpoint; same result as ``run_query``.

    The query's portable SPARQL 1.1 text is sent (never its Oxigraph-only local plan), in UTF-8, by
    ``method`` (else KG_ENDPOINT_METHOD, else ``post``): ``post``, an HTML-form-encoded POST, which
    every SPARQL 1.1 server answers; ``get``, the query in the URL when that stays short
    (GET_MAX), else a form POST; ``direct``, the query as the POST body
    (``application/sparql-query``: Virtuoso 7 never answers it). A server refusing the method (405)
    is asked once more with GET or a form POST. The answer may be SPARQL JSON, XML, TSV or CSV
    (``Accept`` lists them, JSON first); CSV carries no types, so its values stay text.
    The endpoint's default graph must be the union of its named graphs (Oxigraph:
    ``--union-default-graph``; Fuseki: ``tdb2:unionDefaultGraph true``; Virtuoso's is). A ``search``
    parameter is answered by the local text index, its hits sent as IRIs in a VALUES block.
    """
    method = (method or os.environ.get(METHOD_ENV) or "post").strip().lower()
    if method not in QUERY_METHODS:
        raise EndpointError(f"查询方式须为 {'、'.join(QUERY_METHODS)} (query method must be one of "
                            f"{', '.join(QUERY_METHODS)}, not {method[:20]!r})")
    text = paged(prepare(query, values or {}, index, portable=True), limit, offset)  # never a local plan
    endpoint, credentials = split_credentials(endpoint)
    with _client(timeout, credentials) as client:
        answer = _send_query(client, endpoint, text, method, accept)
    if answer.status_code != 200:
        raise _status_error(answer, "查询", endpoint)
    result = parse_results(answer, endpoint)
    cap = answer.headers.get("x-sparql-maxrows", "").strip()  # Virtuoso cuts at ResultSetMaxRows, and says so here
    if cap.isdigit() and len(result.rows) >= int(cap):
        raise EndpointError(f"服务器只返回了前 {cap} 行 (the server cut the answer at {cap} rows, its result limit: "
                            "ask for pages with --limit/--offset, or raise the limit, e.g. Virtuoso's ResultSetMaxRows)",
                            endpoint)
    return sort_rows(result, query.sort)


def _send_query(client: httpx.Client, endpoint: str, text: str, method: str, accept: str) -> httpx.Response:
    """One query over the SPARQL 1.1 Protocol (see run_remote_query), a 405 retried once another way."""
    headers = {"Accept": accept}
    if method == "get" and len(endpoint) + len(urlencode({"query": text})) < GET_MAX:
        answer = _request(client, "GET", endpoint, params={"query": text}, headers=headers)
        again = "post"
    elif method == "direct":
        answer = _request(client, "POST", endpoint, content=text.encode("utf-8"),
                          headers={**headers, "Content-Type": "application/sparql-query; charset=utf-8"})
        again = "post"
    else:
        answer = _request(client, "POST", endpoint, data={"query": text}, headers=headers)  # UTF-8, percent-encoded
        again = "get"
    if answer.status_code == 405 and method != again:
        if again == "get" and len(endpoint) + len(urlencode({"query": text})) >= GET_MAX:
            return answer
        return _send_query(client, endpoint, text, again, accept)
    return answer


def parse_results(answer: httpx.Response, endpoint: str) -> QueryResult:
    """SPARQL 1.1 results in JSON, XML or TSV (read by pyoxigraph) or CSV (values as text), by the
    answer's Content-Type, as the same QueryResult as a local query."""
    kind = answer.headers.get("content-type", "?").split(";")[0].strip().lower()
    if kind == "text/csv":
        return _csv_results(answer.content.decode("utf-8", "replace"))
    formats = {SPARQL_JSON: QueryResultsFormat.JSON, SPARQL_XML: QueryResultsFormat.XML,
               "text/tab-separated-values": QueryResultsFormat.TSV}
    content = answer.content
    if formats.get(kind, QueryResultsFormat.JSON) == QueryResultsFormat.JSON and b'"bnode"' in content:
        content = _blank_node_ids(content)
    try:
        solutions = parse_query_results(content, format=formats.get(kind, QueryResultsFormat.JSON))
    except (SyntaxError, ValueError):
        raise EndpointError(f"回应不是 SPARQL 结果 (answer is not SPARQL JSON, XML, TSV or CSV results: {kind})",
                            endpoint) from None
    return query_result(solutions)


def _blank_node_ids(content: bytes) -> bytes:
    """JSON results with every blank node named as N-Triples allows (Virtuoso writes nodeID://b10006)."""
    try:
        answer = json.loads(content)
        for row in answer["results"]["bindings"]:
            for term in row.values():
                if term.get("type") == "bnode":
                    term["value"] = re.sub(r"[^A-Za-z0-9_]", "_", term["value"]) or "b"
    except (ValueError, KeyError, TypeError, AttributeError):
        return content  # not results as expected: the parser says what is wrong
    return json.dumps(answer).encode("utf-8")


def _csv_results(text: str) -> QueryResult:
    """SPARQL 1.1 CSV results: every value text (the format has no types), an empty field unbound."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return QueryResult([], [])
    return QueryResult(rows[0], [[value if value != "" else None for value in row] for row in rows[1:]])


# --- push -----------------------------------------------------------------------------------

@dataclass
class PushSummary:
    pushed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    seconds: float = 0.0
    bytes: int = 0
    dry_run: bool = False
    endpoint: str = ""  # the endpoint as it may be printed: without credentials


def pushable_graphs(store: Store) -> list[NamedNode]:
    """Report graphs, then the vocabulary graphs and the corpus totals present in the store."""
    extra = [g for g in (*VOCABULARY_GRAPHS, TOTALS_GRAPH) if store.contains_named_graph(g)]
    return report_graphs(store) + extra


def graph_payload(store: Store, graph: NamedNode) -> bytes:
    """The graph as N-Triples, blank nodes canonicalised (RDFC-1.0) and lines sorted: same content, same bytes."""
    data = store.dump(format=RdfFormat.N_TRIPLES, from_graph=graph)
    if b"_:" in data:
        dataset = Dataset(store.quads_for_pattern(None, None, None, graph))
        dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
        data = serialize((quad.triple for quad in dataset), format=RdfFormat.N_TRIPLES)
    lines = sorted(line for line in data.splitlines() if line.strip())
    return b"\n".join(lines) + b"\n" if lines else b""


def push_record_graph(endpoint: str) -> NamedNode:
    """The local named graph recording what was pushed to this endpoint."""
    return NamedNode(PUSH_BASE + hashlib.sha256(endpoint.encode("utf-8")).hexdigest())


def pushed_hashes(store: Store, endpoint: str) -> dict[str, str]:
    """{graph IRI: content hash} as last pushed to the endpoint."""
    record = push_record_graph(endpoint)
    graphs = {q.subject: q.object.value for q in store.quads_for_pattern(None, PUSHED_GRAPH, None, record)}
    hashes = {q.subject: q.object.value for q in store.quads_for_pattern(None, PUSHED_HASH, None, record)}
    return {iri: hashes.get(entry, "") for entry, iri in graphs.items()}


def record_push(store: Store, endpoint: str, graph: str, digest: str | None) -> None:
    """Remember (or, with no digest, forget) one graph pushed to the endpoint."""
    record = push_record_graph(endpoint)
    entry = NamedNode(f"{record.value}/{hashlib.sha256(graph.encode('utf-8')).hexdigest()}")
    for quad in list(store.quads_for_pattern(entry, None, None, record)):
        store.remove(quad)
    if digest is not None:
        store.extend([Quad(entry, PUSHED_GRAPH, Literal(graph), record),
                      Quad(entry, PUSHED_HASH, Literal(digest), record),
                      Quad(record, PUSH_ENDPOINT, Literal(endpoint), record)])


def _forget_recorded_credentials(store: Store) -> None:
    """Push records written before endpoints were stored without their credentials lose them."""
    for quad in list(store.quads_for_pattern(None, PUSH_ENDPOINT, None, None)):
        clean = redact(quad.object.value)
        if clean != quad.object.value:
            store.remove(quad)
            store.add(Quad(quad.subject, quad.predicate, Literal(clean), quad.graph_name))


def push(store: Store, endpoint: str, *, force: bool = False, dry_run: bool = False, prune: bool = False,
         progress: Progress | None = None, timeout: float = REQUEST_TIMEOUT) -> PushSummary:
    """Upload changed graphs to a Graph Store Protocol URL (PUT ?graph=IRI); with prune, DELETE vanished ones.

    ``endpoint`` is the server's Graph Store URL (Oxigraph ``http://HOST:7878/store``, Fuseki
    ``http://HOST:3030/DATASET/data``). A graph is recorded as pushed only after its PUT
    succeeded, so an interrupted push resumes where it stopped.
    """
    started = time.perf_counter()
    endpoint, credentials = split_credentials(endpoint)  # the credentials are used, never recorded
    summary = PushSummary(dry_run=dry_run, endpoint=endpoint)
    if not dry_run:
        _forget_recorded_credentials(store)
    before = pushed_hashes(store, endpoint)
    graphs = pushable_graphs(store)
    local = {g.value for g in graphs}
    gone = sorted(iri for iri in before if iri not in local)
    todo = len(graphs) + (len(gone) if prune else 0)
    with _client(timeout, credentials) as client:
        for i, graph in enumerate(graphs, 1):
            if progress:
                progress(i, todo, graph.value)
            payload = graph_payload(store, graph)
            digest = hashlib.sha256(payload).hexdigest()
            if not force and before.get(graph.value) == digest:
                summary.unchanged.append(graph.value)
                continue
            if not dry_run:
                _put(client, endpoint, graph.value, payload)
                record_push(store, endpoint, graph.value, digest)
            summary.pushed.append(graph.value)
            summary.bytes += len(payload)
        for i, iri in enumerate(gone, len(graphs) + 1):
            if not prune:
                summary.stale.append(iri)
                continue
            if progress:
                progress(i, todo, iri)
            if not dry_run:
                _delete(client, endpoint, iri)
                record_push(store, endpoint, iri, None)
            summary.deleted.append(iri)
    if not dry_run:
        store.flush()
    summary.seconds = time.perf_counter() - started
    return summary


def _put(client: httpx.Client, endpoint: str, graph: str, payload: bytes) -> None:
    answer = _request(client, "PUT", endpoint, params={"graph": graph}, content=payload,
                      headers={"Content-Type": N_TRIPLES})
    if not answer.is_success:
        hint = "; --endpoint 须是 Graph Store 地址 (must be the Graph Store URL, e.g. Oxigraph …/store, Fuseki …/data)"
        raise _status_error(answer, f"上传 <{graph}> ", endpoint, hint if answer.status_code in (404, 405) else "")


def _delete(client: httpx.Client, endpoint: str, graph: str) -> None:
    answer = _request(client, "DELETE", endpoint, params={"graph": graph})
    if not answer.is_success and answer.status_code != 404:
        raise _status_error(answer, f"删除 <{graph}> ", endpoint)

