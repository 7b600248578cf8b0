"""Serve: ``kg serve``, the store over HTTP.

``start_server`` runs the real Oxigraph server (the ``oxigraph`` binary of the PyPI package)
read-only on the project's store, with the union of named graphs as its default graph so saved
queries answer as they do locally, behind a small front (``_Gate``) that refuses federated
queries (SERVICE, LOAD) unless ``kg serve --allow-federated``. The remote client is kg.remote.
"""

from __future__ import annotations

import ctypes
import http.client
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
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import httpx

from kg.exceptions import EndpointError
from kg.remote import SPARQL_JSON
from kg.sparql import code_only
from kg.store import lock_store, open_store

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
START_TIMEOUT = 20.0


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
