"""Remote: other SPARQL 1.1 servers as remote stores (``kg push``, ``kg query --endpoint``).

- ``push`` uploads each changed graph (reports and vocabularies) to any server
  through the SPARQL 1.1 Graph Store HTTP Protocol, remembering what it pushed in a named
  graph of the local store itself, so a second push sends nothing; ``--prune`` deletes there
  the graphs gone here.
- ``run_remote_query`` runs a saved query over the SPARQL 1.1 Protocol and returns the same
  ``QueryResult`` as ``kg.query.run_query``, from the same query text (parameters as typed
  terms in a ``VALUES`` block at the start of the WHERE group, kg.sparql), never pasted text.

Authentication comes from the environment only: ``KG_ENDPOINT_TOKEN`` (bearer) or
``KG_ENDPOINT_USER`` + ``KG_ENDPOINT_PASSWORD`` (basic, or digest with ``KG_ENDPOINT_AUTH``).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

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
from kg.namespaces import ID, KG, TOTALS_GRAPH
from kg.query import QueryResult, SavedQuery, paged, prepare, query_result, sort_rows
from kg.sparql import term_text
from kg.store import VOCABULARY_GRAPHS, Progress, report_graphs

REQUEST_TIMEOUT = 60.0
TOKEN_ENV, USER_ENV, PASSWORD_ENV = "KG_ENDPOINT_TOKEN", "KG_ENDPOINT_USER", "KG_ENDPOINT_PASSWORD"
AUTH_ENV = "KG_ENDPOINT_AUTH"  # basic (default) or digest
SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML = "application/sparql-results+xml"
ACCEPT = f"{SPARQL_JSON}, {SPARQL_XML};q=0.9, text/tab-separated-values;q=0.8, text/csv;q=0.5"
TYPED_ACCEPT = f"{SPARQL_JSON}, {SPARQL_XML};q=0.9, text/tab-separated-values;q=0.8"  # the formats that keep
# every term's kind, language and datatype (CSV keeps only text): for kg query -f srj, srx, sparql-tsv, xlsx
METHOD_ENV = "KG_ENDPOINT_METHOD"  # post (form-encoded, default), get or direct
QUERY_METHODS = ("post", "get", "direct")
GET_MAX = 2_000  # characters of URL a GET query may take (servers and proxies cut longer ones)
N_TRIPLES = "application/n-triples"
PUSH_BASE = ID + "push/"
PUSHED_GRAPH = NamedNode(KG + "pushedGraph")
PUSHED_HASH = NamedNode(KG + "pushedHash")
PUSH_ENDPOINT = NamedNode(KG + "pushEndpoint")


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

    The query's portable SPARQL 1.1 text is sent, except to an Oxigraph server (``runs_local_plans``),
    which gets the query's local plan when it has one (the portable text again if it answers 400), in UTF-8, by
    ``method`` (else KG_ENDPOINT_METHOD, else ``post``): ``post``, an HTML-form-encoded POST, which
    every SPARQL 1.1 server answers; ``get``, the query in the URL when that stays short
    (GET_MAX), else a form POST; ``direct``, the query as the POST body
    (``application/sparql-query``: Virtuoso 7 never answers it). A server refusing the method (405)
    is asked once more with GET or a form POST. The answer may be SPARQL JSON, XML, TSV or CSV
    (``Accept`` lists them, JSON first); CSV carries no types, so its values stay text (and plain
    literals in ``terms``: ask with ``TYPED_ACCEPT`` where the terms matter). The terms of a JSON,
    XML or TSV answer are kept as the server wrote them (Virtuoso's blank node names made N-Triples-safe).
    The endpoint's default graph must be the union of its named graphs (Oxigraph:
    ``--union-default-graph``; Fuseki: ``tdb2:unionDefaultGraph true``; Virtuoso's is). A ``search``
    parameter is answered by the local text index, its hits sent as IRIs in a VALUES block.
    """
    method = (method or os.environ.get(METHOD_ENV) or "post").strip().lower()
    if method not in QUERY_METHODS:
        raise EndpointError(f"查询方式须为 {'、'.join(QUERY_METHODS)} (query method must be one of "
                            f"{', '.join(QUERY_METHODS)}, not {method[:20]!r})")
    text = paged(prepare(query, values or {}, index, portable=True), limit, offset)
    endpoint, credentials = split_credentials(endpoint)
    with _client(timeout, credentials) as client:
        local = query.local_text is not None and runs_local_plans(client, endpoint)
        if local:  # an Oxigraph server: the local plan, as on the embedded store
            answer = _send_query(client, endpoint, paged(prepare(query, values or {}, index), limit, offset),
                                 method, accept)
        if not local or answer.status_code == 400:  # any other engine, or an Oxigraph without LATERAL
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


def runs_local_plans(client: httpx.Client, endpoint: str) -> bool:
    """Whether the endpoint is an Oxigraph server, which runs a saved query's local plan (Oxigraph's
    ``LATERAL``) as the embedded store does: its ``Server`` header names Oxigraph on an ``ASK {}``
    (one small form POST; a GET without a query would dump the whole store). Any other answer, a
    proxy's header included, means the portable text."""
    answer = _request(client, "POST", endpoint, data={"query": "ASK {}"}, headers={"Accept": SPARQL_JSON})
    return answer.status_code == 200 and "oxigraph/" in answer.headers.get("server", "").lower()


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
    assert data is not None  # no output given: the bytes are returned
    if b"_:" in data:
        dataset = Dataset(store.quads_for_pattern(None, None, None, graph))
        dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
        data = serialize((quad.triple for quad in dataset), format=RdfFormat.N_TRIPLES)
        assert data is not None  # no output given: the bytes are returned
    lines = sorted(line for line in data.splitlines() if line.strip())
    return b"\n".join(lines) + b"\n" if lines else b""


def push_record_graph(endpoint: str) -> NamedNode:
    """The local named graph recording what was pushed to this endpoint."""
    return NamedNode(PUSH_BASE + hashlib.sha256(endpoint.encode("utf-8")).hexdigest())


def pushed_hashes(store: Store, endpoint: str) -> dict[str, str]:
    """{graph IRI: content hash} as last pushed to the endpoint."""
    record = push_record_graph(endpoint)
    graphs = {q.subject: term_text(q.object) for q in store.quads_for_pattern(None, PUSHED_GRAPH, None, record)}
    hashes = {q.subject: term_text(q.object) for q in store.quads_for_pattern(None, PUSHED_HASH, None, record)}
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
        clean = redact(term_text(quad.object))
        if clean != term_text(quad.object):
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

