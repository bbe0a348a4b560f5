"""A read-only SPARQL 1.1 Protocol endpoint over the published graph, with hard limits on every query.

Each query runs in a forked child process holding a copy-on-write view of the in-memory Oxigraph store; a
query still running when the time limit is reached is killed and answered 503. The child's address space is
capped (its memory budget), and its serialized answer too (413 beyond it), so one query cannot take the
server's memory. At most ``max_queries`` run at once; a query that finds no free slot within a second is
answered 503 with ``Retry-After``. Updates are refused (403), bad queries answered 400 with the parser's
message, and result formats chosen from the Accept header. SERVICE (federated query) is refused unless the
endpoint was started with it allowed, so that the server never fetches from other hosts on a client's behalf.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import resource
import threading
from dataclasses import dataclass, field
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
DEFAULT_MAX_QUERIES = 4
DEFAULT_MAX_RESULT = 50 << 20
DEFAULT_QUERY_MEMORY = 1 << 30
#: How long a query waits for a free slot before it is answered 503, and the pause that answer asks for.
SLOT_WAIT = 1.0
RETRY_AFTER = 2


@dataclass(frozen=True)
class SparqlAnswer:
    """An HTTP answer: status, media type and body."""

    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def _text(status: int, message: str, headers: dict[str, str] | None = None) -> SparqlAnswer:
    return SparqlAnswer(status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode("utf-8"),
                        headers or {})


class ResultTooLarge(Exception):
    """The serialized answer passed the size limit."""


class _BoundedBuffer:
    """A byte sink that refuses to grow past ``limit``."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise ResultTooLarge
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        return None


def evaluate(store: ox.Store, query: str, accept: str | None, max_bytes: int = DEFAULT_MAX_RESULT) -> SparqlAnswer:
    """Run one query on ``store`` and serialize its results in the format ``accept`` prefers, up to
    ``max_bytes`` (413 beyond)."""
    try:
        results = store.query(query)
    except SyntaxError as error:
        return _text(400, f"bad query: {error}")
    if isinstance(results, ox.QueryTriples):
        offers = GRAPH_TYPES
        media_type = negotiate(accept, list(offers)) or _fallback(accept, offers)
        if media_type is None:
            return _text(406, "no acceptable format; graph results come as " + ", ".join(offers))
        output_format = offers[media_type]
    else:
        offers = SOLUTION_TYPES
        media_type = negotiate(accept, list(offers)) or _fallback(accept, offers)
        if media_type is None:
            return _text(406, "no acceptable format; results come as " + ", ".join(offers))
        output_format = offers[media_type]
    sink = _BoundedBuffer(max_bytes)
    try:
        results.serialize(sink, format=output_format)  # type: ignore[arg-type]
    except ResultTooLarge:
        return _text(413, f"the result is larger than this endpoint's limit of {max_bytes:,} bytes; ask for less "
                          "(LIMIT, fewer variables)")
    charset = "" if media_type.endswith("+json") else "; charset=utf-8"
    return SparqlAnswer(200, media_type + charset, b"".join(sink.parts))


def _fallback(accept: str | None, offers: dict) -> str | None:
    """Browsers ask for text/html first: give them the default format rather than a 406."""
    if accept and "text/html" in accept:
        return next(iter(offers))
    return None


def _cap_memory(budget: int) -> None:
    """Let this (forked) process grow by at most ``budget`` bytes of address space beyond what it has now."""
    try:
        with open("/proc/self/statm") as statm:
            current = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return
    resource.setrlimit(resource.RLIMIT_AS, (current + budget, current + budget))


def _child(connection: object, store: ox.Store, query: str, accept: str | None, max_bytes: int,
           memory: int) -> None:
    _cap_memory(memory)
    with open(os.devnull, "wb") as devnull:  # an allocation failure aborts with a backtrace: not for the log
        os.dup2(devnull.fileno(), 2)
    try:
        answer = evaluate(store, query, accept, max_bytes)
    except MemoryError:
        answer = _text(503, f"query stopped: it needed more than this endpoint's {memory >> 20} MiB of memory per "
                            "query; ask for less")
    except Exception as error:
        answer = _text(500, f"query failed: {error}")
    connection.send(answer)  # type: ignore[attr-defined]
    connection.close()  # type: ignore[attr-defined]


class SparqlService:
    """The graph of one N-Triples file, queried read-only with limits on time, answer size, memory and load."""

    def __init__(self, ntriples: Path, timeout: float = 10.0, allow_service: bool = False,
                 max_queries: int = DEFAULT_MAX_QUERIES, max_result: int = DEFAULT_MAX_RESULT,
                 query_memory: int = DEFAULT_QUERY_MEMORY) -> None:
        self.store = ox.Store()
        self.store.bulk_load(path=str(ntriples), format=ox.RdfFormat.N_TRIPLES)
        self.timeout = timeout
        self.allow_service = allow_service
        self.max_queries = max_queries
        self.max_result = max_result
        self.query_memory = query_memory
        self._slots = threading.BoundedSemaphore(max_queries)
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
        if not self._slots.acquire(timeout=SLOT_WAIT):
            return _text(503, f"busy: {self.max_queries} queries are running; try again in {RETRY_AFTER} s",
                         {"Retry-After": str(RETRY_AFTER)})
        try:
            return self._run(query, accept)
        finally:
            self._slots.release()

    def _run(self, query: str, accept: str | None) -> SparqlAnswer:
        receiver, sender = self._context.Pipe(duplex=False)
        process = self._context.Process(target=_child, daemon=True, args=(
            sender, self.store, query, accept, self.max_result, self.query_memory))
        process.start()
        sender.close()
        try:
            if receiver.poll(self.timeout):
                try:
                    return receiver.recv()
                except EOFError:
                    return _text(503, "query stopped: it ran out of this endpoint's memory per query "
                                      f"({self.query_memory >> 20} MiB) or crashed; ask for less")
            return _text(503, f"query cancelled: it ran longer than the {self.timeout:g} s limit")
        finally:
            receiver.close()
            if process.is_alive():
                process.kill()
            process.join()
