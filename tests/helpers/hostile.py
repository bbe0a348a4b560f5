"""Hostile HTTP servers on 127.0.0.1 for the hardening tests: they redirect elsewhere, trickle, echo credentials.

Each is a real threaded server that records what it received (method, path, headers) so that a test can show
that a secret never reached it.
"""

from __future__ import annotations

import contextlib
import http.server
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from servers import http_server, send

ROWS = b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": "from elsewhere"}}]}}'


@dataclass
class Seen:
    """What one server received, request by request."""

    port: int = 0
    host: str = "127.0.0.1"
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def header_values(self, name: str) -> list[str]:
        return [headers[name] for _method, _path, headers in self.requests if name in headers]


Respond = Callable[[http.server.BaseHTTPRequestHandler, Seen], None]


@contextlib.contextmanager
def scripted(respond: Respond, host: str = "127.0.0.1") -> Iterator[Seen]:
    """A server that records each request and lets ``respond`` answer it; ``host`` is how URLs name it."""
    seen = Seen(host=host)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_args: object) -> None:
            return

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            seen.requests.append((self.command, self.path, dict(self.headers.items())))
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                respond(self, seen)

        do_GET = do_POST = do_PUT = do_DELETE = _any

    with http_server(Handler) as port:
        seen.port = port
        yield seen


def answer_rows(handler: http.server.BaseHTTPRequestHandler, _seen: Seen) -> None:
    """A SPARQL JSON answer with one row (and a count ?n, for the store loader)."""
    send(handler, 200, ROWS.replace(b'"x"]', b'"x", "n"]').replace(
        b'"from elsewhere"}', b'"from elsewhere"}, "n": {"type": "literal", "value": "7"}'))


def redirect_to(location: str, status: int = 302) -> Respond:
    def respond(handler: http.server.BaseHTTPRequestHandler, _seen: Seen) -> None:
        send(handler, status, b"moved", "text/plain", {"Location": location + handler.path})
    return respond


def trickle(what: str, pause: float = 0.2, count: int = 600) -> Respond:
    """Answer so slowly that each byte beats a per-read timeout: the ``body`` or the ``headers`` trickle."""
    def respond(handler: http.server.BaseHTTPRequestHandler, _seen: Seen) -> None:
        if what == "headers":
            handler.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            for _ in range(count):
                handler.wfile.write(b"a")
                handler.wfile.flush()
                time.sleep(pause)
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "application/sparql-results+json")
        handler.send_header("Content-Length", str(count))
        handler.end_headers()
        for _ in range(count):
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(pause)
    return respond


def echo_credentials(status: int = 400) -> Respond:
    """An error whose body repeats the Authorization header it received, as some stores' debug pages do."""
    def respond(handler: http.server.BaseHTTPRequestHandler, _seen: Seen) -> None:
        received = handler.headers.get("Authorization", "none")
        send(handler, status, f"Authorization: {received} was not accepted\n".encode(), "text/plain")
    return respond


def answer(body: bytes, content_type: str = "application/sparql-results+json", status: int = 200) -> Respond:
    def respond(handler: http.server.BaseHTTPRequestHandler, _seen: Seen) -> None:
        send(handler, status, body, content_type)
    return respond


MONTREAL = "https://w3id.org/migration-kg/id/city/montreal"
#: A label that ends a <script> element, opens an HTML comment in it, and carries an event handler.
HOSTILE_LABEL = 'Montreal <!--<script> </script><img src=x onerror="alert(1)"> \u2028 & done'


def render_hostile_site(dist_dir, project_root) -> dict:
    """The site rendered from the built graph plus a hostile label and javascript: links (validation bypassed,
    as if the graph had been edited after the build)."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import RDFS, XSD

    from migration_kg.graph.jsonld import load_context
    from migration_kg.graph.load import load_graph
    from migration_kg.project import Project
    from migration_kg.site.publish import render_site

    data = load_graph([dist_dir / "migration-kg.nt"])
    city = URIRef(MONTREAL)
    data.remove((city, RDFS.label, Literal("Montreal", lang="en")))
    data.add((city, RDFS.label, Literal(HOSTILE_LABEL, lang="en")))
    data.add((city, RDFS.seeAlso, URIRef("javascript:alert(document.domain)")))
    data.add((city, RDFS.seeAlso, Literal("java\tscript:alert(2)", datatype=XSD.anyURI)))
    files, _stats = render_site(data, load_graph([dist_dir / "ontology.ttl"]), load_context(
        dist_dir / "context.jsonld"), dist_dir, Project.at(project_root), "0.1.0", "2026-11-29")
    return files
