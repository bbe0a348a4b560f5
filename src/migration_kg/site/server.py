"""``migration-kg serve``: a local web server for ``site/`` that negotiates content and answers SPARQL.

- ``/id/<kind>/<slug>``, ``/ontology`` (and its versions) and ``/dataset`` name things: 303 See Other to the
  .html, .ttl, .jsonld, .nt (or .rdf) document that the Accept header prefers (q-values honoured), 406 when none
  fits, 404 when unknown; the ontology IRI asked for a JSON-LD context answers with ``/ns/context.jsonld``.
- Every answer carries ``Access-Control-Allow-Origin: *``.
- Every other path is a file of ``site/``; paths that climb out of it (``..``, ``%2e%2e``, backslashes,
  NUL bytes) are refused with 400, and nothing outside the site directory is ever read.
- ``/sparql`` is a read-only SPARQL 1.1 Protocol endpoint (GET and POST); see :mod:`migration_kg.site.sparql`.
- ``/`` follows Accept-Language: 302 to ``/fr/`` for a reader who prefers French, else the English home page;
  an entity negotiated to HTML goes to the page in the reader's language (:mod:`migration_kg.site.langneg`).

Connections wait in a deep listen backlog and are served by a fixed pool of worker threads, so a burst of
clients queues instead of being reset; a connection idle or trickling for longer than ``IDLE_TIMEOUT`` is closed,
and while others wait, answers close their connection instead of keeping it alive.
"""

from __future__ import annotations

import posixpath
import queue
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from migration_kg import __version__
from migration_kg.errors import InputError
from migration_kg.site.conneg import CONTEXT_PATH, CORS, DOCUMENT_TYPES, THING_PATH, negotiate, wants_context
from migration_kg.site.i18n import DEFAULT_LANGUAGE, in_language
from migration_kg.site.langneg import negotiate_language
from migration_kg.site.sparql import DEFAULT_MAX_QUERIES, DEFAULT_MAX_RESULT, DEFAULT_QUERY_MEMORY, SparqlService

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8", ".ttl": "text/turtle; charset=utf-8",
    ".jsonld": "application/ld+json", ".nt": "application/n-triples; charset=utf-8",
    ".rdf": "application/rdf+xml; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8", ".rq": "application/sparql-query; charset=utf-8",
    ".conf": "text/plain; charset=utf-8", "": "text/plain; charset=utf-8", ".ico": "image/x-icon",
}
MAX_BODY = 1 << 20
#: Connections the kernel queues before the server accepts them (the listen backlog).
BACKLOG = 1024
#: Worker threads answering requests.
WORKERS = 32
#: Seconds a connection may stay idle, or take to send its request, before it is closed.
IDLE_TIMEOUT = 10.0


class TraversalError(ValueError):
    """A request path that would leave the site directory."""


def site_file(root: Path, url_path: str) -> Path:
    """The file of ``root`` that ``url_path`` names; raises TraversalError for any path that climbs out."""
    decoded = unquote(url_path, errors="strict")
    if "\\" in decoded or "\0" in decoded or decoded.startswith("//"):
        raise TraversalError(url_path)
    segments = [s for s in decoded.split("/") if s]
    if any(s in ("..", ".") or s.startswith(".") for s in segments):
        raise TraversalError(url_path)
    candidate = root.joinpath(*segments) if segments else root
    resolved = candidate.resolve()
    if resolved != root and root not in resolved.parents:
        raise TraversalError(url_path)
    return resolved


class SiteServer(HTTPServer):
    """An HTTP server for one site directory and SPARQL service: a deep backlog and a bounded pool of workers."""

    allow_reuse_address = True
    request_queue_size = BACKLOG

    def __init__(self, address: tuple[str, int], site_dir: Path, sparql: SparqlService | None,
                 workers: int = WORKERS) -> None:
        self.site_dir = site_dir.resolve()
        self.sparql = sparql
        self._waiting: queue.Queue = queue.Queue()
        super().__init__(address, SiteHandler)
        self._workers = [threading.Thread(target=self._work, name=f"serve-worker-{n}", daemon=True)
                         for n in range(workers)]
        for worker in self._workers:
            worker.start()

    @property
    def busy(self) -> bool:
        """True when accepted connections are waiting for a worker."""
        return not self._waiting.empty()

    def process_request(self, request: object, client_address: object) -> None:
        self._waiting.put((request, client_address))

    def _work(self) -> None:
        while (item := self._waiting.get()) is not None:
            request, client_address = item
            try:
                self.finish_request(request, client_address)  # type: ignore[arg-type]
            except Exception:
                self.handle_error(request, client_address)  # type: ignore[arg-type]
            finally:
                self.shutdown_request(request)  # type: ignore[arg-type]

    def server_close(self) -> None:
        super().server_close()
        for _worker in self._workers:
            self._waiting.put(None)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


class SiteHandler(BaseHTTPRequestHandler):
    """Answers one request: a thing (303), a file, or a SPARQL query."""

    server: SiteServer
    server_version = f"migration-kg/{__version__}"
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT

    def log_message(self, format: str, *args: object) -> None:
        if getattr(self.server, "verbose", False):
            super().log_message(format, *args)

    # ---------------------------------------------------------------- plumbing

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header(*CORS)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self.server.busy:  # others are waiting for a worker: do not hold this one for an idle connection
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _text(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self._send(status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8", headers)

    def _path(self) -> str:
        """The request's path, also from an absolute-form target (``GET http://host/path``)."""
        if self.path.startswith("/"):
            return self.path.split("?", 1)[0].split("#", 1)[0]
        return urlsplit(self.path).path or "/"

    # ---------------------------------------------------------------- methods

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        path = self._path()
        if path == "/sparql":
            query = parse_qs(urlsplit(self.path).query)
            self._sparql_params(query)
            return
        thing = THING_PATH.match(path)
        if thing:
            self._negotiate(thing.group(1))
            return
        if path == "/":
            self._home()
            return
        self._static(path)

    def do_POST(self) -> None:
        if self._path() != "/sparql":
            self._text(405, "only /sparql accepts POST", {"Allow": "GET, HEAD"})
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._text(413, f"request body larger than {MAX_BODY} bytes")
            return
        body = self.rfile.read(length).decode("utf-8", "replace")
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type == "application/sparql-update":
            self._text(403, "this endpoint is read-only: SPARQL Update is not allowed")
        elif content_type == "application/sparql-query":
            self._answer_query(body)
        elif content_type == "application/x-www-form-urlencoded":
            self._sparql_params(parse_qs(body))
        else:
            self._text(415, "send the query as application/sparql-query or application/x-www-form-urlencoded")

    # ---------------------------------------------------------------- handlers

    def _negotiate(self, thing: str) -> None:
        site = self.server.site_dir
        if thing == "ontology" and wants_context(self.headers.get("Accept")) and (site / CONTEXT_PATH[1:]).is_file():
            self._text(303, f"See {CONTEXT_PATH}", {"Location": CONTEXT_PATH, "Vary": "Accept"})
            return
        available = [t for t, suffix in DOCUMENT_TYPES.items() if (site / (thing + suffix)).is_file()]
        if not available:
            self._text(404, f"no such entity: /{thing}")
            return
        chosen = negotiate(self.headers.get("Accept"), available)
        if chosen is None:
            self._text(406, "none of the available formats fits the Accept header: " + ", ".join(available),
                       {"Vary": "Accept"})
            return
        location = "/" + thing + DOCUMENT_TYPES[chosen]
        vary = "Accept"
        if chosen == "text/html":
            vary = "Accept, Accept-Language"
            language = negotiate_language(self.headers.get("Accept-Language"))
            if (site / in_language(thing + ".html", language)).is_file():
                location = "/" + in_language(thing + ".html", language)
        self._text(303, f"See {location}", {"Location": location, "Vary": vary})

    def _home(self) -> None:
        """``/``: the home page in the reader's language (302 to ``/fr/`` when French is preferred)."""
        language = negotiate_language(self.headers.get("Accept-Language"))
        if language != DEFAULT_LANGUAGE:
            location = f"/{language}/"
            self._text(302, f"See {location}", {"Location": location, "Vary": "Accept-Language"})
            return
        target = self.server.site_dir / "index.html"
        self._send(200, target.read_bytes(), CONTENT_TYPES[".html"], {"Vary": "Accept-Language"})

    def _static(self, path: str) -> None:
        try:
            target = site_file(self.server.site_dir, path)
        except (TraversalError, UnicodeDecodeError):
            self._text(400, "refused: the path leaves the site directory")
            return
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            self._text(404, f"not found: {posixpath.normpath(path)}")
            return
        content_type = CONTENT_TYPES.get(target.suffix, "application/octet-stream")
        self._send(200, target.read_bytes(), content_type)

    def _sparql_params(self, params: dict[str, list[str]]) -> None:
        if "update" in params:
            self._text(403, "this endpoint is read-only: SPARQL Update is not allowed")
            return
        queries = params.get("query", [])
        if len(queries) != 1:
            self._text(400, "pass exactly one 'query' parameter (SPARQL 1.1 Protocol)")
            return
        self._answer_query(queries[0])

    def _answer_query(self, query: str) -> None:
        if self.server.sparql is None:
            self._text(404, "no SPARQL endpoint: site/download/migration-kg.nt is missing")
            return
        answer = self.server.sparql.query(query, self.headers.get("Accept"))
        self._send(answer.status, answer.body, answer.content_type, {"Vary": "Accept", **answer.headers})


def make_server(site_dir: Path | str, host: str = "127.0.0.1", port: int = 8000, timeout: float = 10.0,
                allow_service: bool = False, *, max_queries: int = DEFAULT_MAX_QUERIES,
                max_result: int = DEFAULT_MAX_RESULT, query_memory: int = DEFAULT_QUERY_MEMORY,
                workers: int = WORKERS) -> SiteServer:
    """A server for ``site_dir`` bound to ``host:port`` (port 0 picks a free one); call serve_forever().

    ``timeout`` is the time limit of one SPARQL query; at most ``max_queries`` run at once, each answering at
    most ``max_result`` bytes and growing by at most ``query_memory`` bytes of memory.
    """
    site = Path(site_dir)
    if not (site / "index.html").is_file():
        raise InputError("not a published site (run `migration-kg publish` first)", site / "index.html")
    dump = site / "download" / "migration-kg.nt"
    sparql = SparqlService(dump, timeout, allow_service, max_queries, max_result, query_memory) \
        if dump.is_file() else None
    try:
        return SiteServer((host, port), site, sparql, workers)
    except OSError as error:
        raise InputError(f"cannot listen on {host}:{port}: {error.strerror}") from None


__all__ = ["SiteServer", "make_server", "site_file"]
