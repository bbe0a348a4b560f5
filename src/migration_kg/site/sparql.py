"""A read-only SPARQL 1.1 Protocol endpoint over the published graph, with a hard time limit per query.

Each query runs in a forked child process holding a copy-on-write view of the in-memory Oxigraph store; a
query still running when the limit is reached is killed and answered 503. Updates are refused (403), bad
queries answered 400 with the parser's message, and result formats chosen from the Accept header.
SERVICE (federated query) is refused unless the endpoint was started with it allowed, so that the server
never fetches from other hosts on a client's behalf.
"""

from __future__ import annotations

import multiprocessing
import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from migration_kg.site.conneg import negotiate

SOLUTION_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
_SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)
_ANY = "*/*"


@dataclass(frozen=True)
class SparqlAnswer:
    """An HTTP answer: status, media type and body."""

    status: int
    content_type: str
    body: bytes


def _text(status: int, message: str) -> SparqlAnswer:
    return SparqlAnswer(status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode("utf-8"))


def evaluate(store: ox.Store, query: str, accept: str | None) -> SparqlAnswer:
    """Run one query on ``store`` and serialize its results in the format ``accept`` prefers."""
    try:
        results = store.query(query)
    except SyntaxError as error:
        return _text(400, f"bad query: {error}")
    if isinstance(results, ox.QueryTriples):
        offers = GRAPH_TYPES
        media_type = negotiate(accept, list(offers)) or _fallback(accept, offers)
        if media_type is None:
            return _text(406, "no acceptable format; graph results come as " + ", ".join(offers))
        body = results.serialize(format=offers[media_type])
    else:
        offers = SOLUTION_TYPES
        media_type = negotiate(accept, list(offers)) or _fallback(accept, offers)
        if media_type is None:
            return _text(406, "no acceptable format; results come as " + ", ".join(offers))
        body = results.serialize(format=offers[media_type])
    charset = "" if media_type.endswith("+json") else "; charset=utf-8"
    return SparqlAnswer(200, media_type + charset, body or b"")


def _fallback(accept: str | None, offers: dict) -> str | None:
    """Browsers ask for text/html first: give them the default format rather than a 406."""
    if accept and "text/html" in accept:
        return next(iter(offers))
    return None


def _child(connection: object, store: ox.Store, query: str, accept: str | None) -> None:
    try:
        answer = evaluate(store, query, accept)
    except Exception as error:
        answer = _text(500, f"query failed: {error}")
    connection.send(answer)  # type: ignore[attr-defined]
    connection.close()  # type: ignore[attr-defined]


class SparqlService:
    """The graph of one N-Triples file, queried read-only with a time limit."""

    def __init__(self, ntriples: Path, timeout: float = 10.0, allow_service: bool = False) -> None:
        self.store = ox.Store()
        self.store.bulk_load(path=str(ntriples), format=ox.RdfFormat.N_TRIPLES)
        self.timeout = timeout
        self.allow_service = allow_service
        self._context = multiprocessing.get_context("fork")

    def __len__(self) -> int:
        return len(self.store)

    def query(self, query: str, accept: str | None) -> SparqlAnswer:
        """Answer one query; runs it in a child process that is killed at the time limit."""
        if not query.strip():
            return _text(400, "empty query")
        if not self.allow_service and _SERVICE.search(query):
            return _text(400, "SERVICE (federated query) is not allowed on this endpoint "
                              "(start it with --allow-service)")
        receiver, sender = self._context.Pipe(duplex=False)
        process = self._context.Process(target=_child, args=(sender, self.store, query, accept), daemon=True)
        process.start()
        sender.close()
        try:
            if receiver.poll(self.timeout):
                try:
                    return receiver.recv()
                except EOFError:
                    return _text(500, "the query process ended without an answer")
            return _text(503, f"query cancelled: it ran longer than the {self.timeout:g} s limit")
        finally:
            receiver.close()
            if process.is_alive():
                process.kill()
            process.join()
