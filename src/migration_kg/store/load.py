"""Load ``dist/`` into a SPARQL 1.1 triple store: chunked, atomic by default, and checked by counting.

A load streams ``migration-kg.nt`` in chunks, by the Graph Store HTTP Protocol (POST) or by SPARQL 1.1 Update
(``INSERT DATA``), into a staging graph; it counts the staging graph, then swaps it over the target graph with one
``MOVE`` (replace) or ``ADD`` (append) and counts the target again. A failure before the swap drops the staging
graph and leaves the target as it was; ``direct=True`` skips staging (faster, not atomic) and reports the exact
state of the graph when it fails part-way.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from migration_kg.errors import CountMismatchError, InputError, PartialLoadError, StoreError, UsageError
from migration_kg.namespaces import DATASET_IRI
from migration_kg.store.http import Credentials, StoreClient, public_url, sparql_iri, sparql_string

PROTOCOLS = ("graph-store", "update")
MODES = ("replace", "append")
STAGING_PREFIX = "urn:migration-kg:staging:"
XSD = "http://www.w3.org/2001/XMLSchema#"
#: From this many triples on, Graph Store POSTs use the store's bulk loader (it costs ~0.3 s more on small loads).
BULK_THRESHOLD = 50_000
DURATIONS = frozenset(XSD + name for name in ("duration", "dayTimeDuration", "yearMonthDuration"))

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class StorePreset:
    """Where a kind of store keeps its endpoints, relative to its base URL, and how it likes to be fed."""

    name: str
    default_base: str | None
    query_path: str
    update_path: str
    graph_store_path: str | None
    graph_param: str = "graph"
    update_batch: int = 10_000
    graph_store_chunk: int = 100_000
    #: Extra query parameters for Graph Store POSTs into the staging graph (Oxigraph's bulk loader).
    bulk_params: tuple[tuple[str, str], ...] = ()
    #: Paths used instead when credentials are given (Virtuoso's digest-protected endpoints).
    auth_paths: tuple[str, str, str] | None = None
    #: Literal datatypes that the store would rewrite; such triples go through ``verbatim_insert``.
    verbatim_datatypes: frozenset[str] = field(default_factory=frozenset)


PRESETS: dict[str, StorePreset] = {
    "oxigraph": StorePreset("oxigraph", "http://localhost:7878", "/query", "/update", "/store",
                            bulk_params=(("no_transaction", ""),)),
    "virtuoso": StorePreset("virtuoso", "http://localhost:8890", "/sparql", "/sparql", "/sparql-graph-crud",
                            graph_param="graph-uri", update_batch=1_000, graph_store_chunk=50_000,
                            auth_paths=("/sparql-auth", "/sparql-auth", "/sparql-graph-crud-auth"),
                            verbatim_datatypes=DURATIONS),
    "fuseki": StorePreset("fuseki", "http://localhost:3030/ds", "/query", "/update", "/data"),
    "generic": StorePreset("generic", None, "", "", None),
}


@dataclass(frozen=True)
class Endpoints:
    """The resolved URLs of one store, and the preset that says how to talk to it."""

    query: str
    update: str
    graph_store: str | None
    preset: StorePreset
    #: The store's base URL (or its update URL), as shown in messages.
    base: str = ""


def resolve_endpoints(store: str = "generic", endpoint: str | None = None, query_url: str | None = None,
                      update_url: str | None = None, graph_store_url: str | None = None,
                      credentials: Credentials | None = None) -> Endpoints:
    """The store's query, update and graph-store URLs: explicit URLs win, else the preset's paths on ``endpoint``."""
    if store not in PRESETS:
        raise UsageError(f"unknown store {store!r}: choose one of {', '.join(PRESETS)}")
    preset = PRESETS[store]
    base = (endpoint or preset.default_base or "").rstrip("/")
    if not base and not (query_url and update_url):
        raise UsageError(f"--store {store} needs --endpoint URL (or --query-url and --update-url)")
    paths = (preset.query_path, preset.update_path, preset.graph_store_path)
    if credentials is not None and preset.auth_paths is not None:
        paths = preset.auth_paths
    query_path, update_path, graph_store_path = paths
    return Endpoints(
        query=query_url or base + query_path,
        update=update_url or base + update_path,
        graph_store=graph_store_url or (base + graph_store_path if graph_store_path is not None and base else None),
        preset=preset, base=public_url(base or update_url or ""))


@dataclass
class LoadResult:
    """What a load did: how many triples went where, by which path, how fast, and the graph's counts."""

    graph: str
    endpoint: str
    protocol: str
    mode: str
    triples: int
    before: int
    after: int
    seconds: float
    requests: int
    direct: bool = False

    @property
    def rate(self) -> float:
        return self.triples / self.seconds if self.seconds > 0 else float("inf")

    def summary(self) -> str:
        """One line: triples, seconds, triples/s, and the graph's count before and after."""
        how = f"{self.protocol} protocol, {self.mode}{' (direct)' if self.direct else ''}"
        return (f"loaded {self.triples:,} triples into <{self.graph}> at {self.endpoint} in {self.seconds:.2f} s "
                f"({self.rate:,.0f} triples/s; {how}); the graph holds {self.after:,} triples "
                f"(before: {self.before:,})")


def staging_graph(graph: str) -> str:
    """The staging graph of ``graph``: fixed per target, so a later load drops what a crashed one left."""
    return STAGING_PREFIX + hashlib.sha256(graph.encode("utf-8")).hexdigest()[:16]


def source_file(source: Path | str) -> Path:
    """The N-Triples file to load: ``source`` itself, or ``migration-kg.nt`` inside a dist/ directory."""
    path = Path(source)
    if path.is_dir():
        path = path / "migration-kg.nt"
    if not path.is_file():
        raise InputError("no N-Triples file to load; run `migration-kg build` first", path)
    if path.suffix != ".nt":
        raise InputError("the loader reads N-Triples (.nt) only", path)
    return path


def scan(path: Path, blank_nodes: bool = False) -> int:
    """Count the triples of an N-Triples file; refuse blank nodes (unless allowed): chunked loads would split them."""
    count = 0
    with path.open("rb") as stream:
        for number, line in enumerate(stream, 1):
            stripped = line.strip()
            if not stripped or stripped.startswith(b"#"):
                continue
            if not stripped.endswith(b"."):
                raise InputError("not an N-Triples line (no final '.')", path, number)
            if not blank_nodes and b"_:" in stripped and _has_blank_node(stripped):
                raise InputError("blank node: the loader needs IRIs (skolemize blank nodes first)", path, number)
            count += 1
    return count


def _parse_line(line: bytes) -> object:
    import pyoxigraph as ox

    return next(iter(ox.parse(line, format=ox.RdfFormat.N_TRIPLES)))


def _has_blank_node(line: bytes) -> bool:
    import pyoxigraph as ox

    triple = _parse_line(line)
    return any(isinstance(term, ox.BlankNode) for term in (triple.subject, triple.object))  # type: ignore[attr-defined]


def _datatype(line: bytes) -> str | None:
    """The datatype IRI of the object of an N-Triples line, when it ends with ``^^<...> .``."""
    body = line.rstrip()[:-1].rstrip()
    if body.endswith(b">") and b'"^^<' in body:
        return body[body.rindex(b'"^^<') + 4:-1].decode("utf-8")
    return None


def chunks(path: Path, size: int, set_aside: frozenset[str] = frozenset()) -> Iterator[tuple[list[bytes], list[bytes]]]:
    """Stream ``path`` as lists of at most ``size`` lines, with the lines typed by ``set_aside`` kept apart."""
    batch: list[bytes] = []
    aside: list[bytes] = []
    with path.open("rb") as stream:
        for line in stream:
            stripped = line.strip()
            if not stripped or stripped.startswith(b"#"):
                continue
            if set_aside and _datatype(stripped) in set_aside:
                aside.append(stripped)
            else:
                batch.append(stripped)
            if len(batch) + len(aside) >= size:
                yield batch, aside
                batch, aside = [], []
    if batch or aside:
        yield batch, aside


def _sparql_line(line: bytes) -> bytes:
    """An N-Triples line as a SPARQL triple; ``\\u`` escapes are decoded, since SPARQL would expand them early."""
    if b"\\u" not in line and b"\\U" not in line:
        return line
    import pyoxigraph as ox

    triple = _parse_line(line)
    terms = (triple.subject, triple.predicate, triple.object)  # type: ignore[attr-defined]
    return " ".join(_sparql_term(term, ox) for term in terms).encode("utf-8") + b" ."


def _sparql_term(term: object, ox: object) -> str:
    if isinstance(term, ox.NamedNode):  # type: ignore[attr-defined]
        return f"<{term.value}>"
    literal = term
    text = sparql_string(literal.value)  # type: ignore[attr-defined]
    if literal.language:  # type: ignore[attr-defined]
        return f"{text}@{literal.language}"  # type: ignore[attr-defined]
    return f"{text}^^<{literal.datatype.value}>"  # type: ignore[attr-defined]


def insert_data(graph: str, lines: list[bytes]) -> str:
    """A SPARQL 1.1 ``INSERT DATA`` request adding ``lines`` to ``graph``."""
    body = b"\n".join(_sparql_line(line) for line in lines).decode("utf-8")
    return f"INSERT DATA {{ GRAPH {sparql_iri(graph)} {{\n{body}\n}} }}"


def verbatim_insert(graph: str, lines: list[bytes]) -> str:
    """A Virtuoso query storing typed literals as written: its SPARQL and Graph Store paths turn ``"P5D"`` into
    ``"432000.0"``, while its ``RDF_QUAD_URI_L_TYPED`` procedure keeps the lexical form."""
    calls = []
    for number, line in enumerate(lines):
        triple = _parse_line(line)
        subject, predicate, literal = triple.subject, triple.predicate, triple.object  # type: ignore[attr-defined]
        args = ", ".join(sparql_string(value) for value in (
            graph, subject.value, predicate.value, literal.value, literal.datatype.value))
        calls.append(f"(<sql:RDF_QUAD_URI_L_TYPED>({args}, ?no_language) AS ?r{number})")
    return f"SELECT {' '.join(calls)} WHERE {{}}"


class _Sender:
    """Sends chunks into one graph by the chosen protocol, counting requests and reporting progress."""

    def __init__(self, client: StoreClient, endpoints: Endpoints, protocol: str, into: str,
                 total: int, progress: Progress | None, bulk: bool) -> None:
        self.client, self.endpoints, self.protocol, self.into = client, endpoints, protocol, into
        self.total, self.progress, self.bulk = total, progress, bulk
        self.sent = 0
        self.requests = 0
        self.chunk_number = 0

    def send(self, batch: list[bytes], aside: list[bytes]) -> None:
        self.chunk_number += 1
        what = f"chunk {self.chunk_number} ({len(batch) + len(aside)} triples)"
        preset = self.endpoints.preset
        if batch and self.protocol == "graph-store":
            extra = dict(preset.bulk_params) if self.bulk else {}
            self.client.post_graph(self.into, b"\n".join(batch) + b"\n", preset.graph_param, extra, what)
            self.requests += 1
        elif batch:
            self.client.update(insert_data(self.into, batch), what)
            self.requests += 1
        for start in range(0, len(aside), 100):
            self.client.select(verbatim_insert(self.into, aside[start:start + 100]), what)
            self.requests += 1
        self.sent += len(batch) + len(aside)
        if self.progress is not None:
            self.progress(self.sent, self.total)


def load(source: Path | str, endpoints: Endpoints, graph: str = DATASET_IRI, protocol: str | None = None,
         mode: str = "replace", chunk_size: int | None = None, direct: bool = False,
         credentials: Credentials | None = None, timeout: float = 600.0,
         progress: Progress | None = None) -> LoadResult:
    """Load an N-Triples file (or ``dist/``) into ``graph``; raise a StoreError that states the graph's state."""
    protocol = protocol or ("graph-store" if endpoints.graph_store else "update")
    if protocol not in PROTOCOLS:
        raise UsageError(f"unknown protocol {protocol!r}: choose one of {', '.join(PROTOCOLS)}")
    if mode not in MODES:
        raise UsageError(f"unknown mode {mode!r}: choose one of {', '.join(MODES)}")
    if protocol == "graph-store" and not endpoints.graph_store:
        raise UsageError(f"--store {endpoints.preset.name} has no Graph Store Protocol URL: "
                         "give --graph-store-url or use --protocol update")
    sparql_iri(graph)
    started = time.monotonic()
    path = source_file(source)
    total = scan(path)
    if total == 0:
        raise InputError("no triples to load", path)
    preset = endpoints.preset
    size = chunk_size or (preset.graph_store_chunk if protocol == "graph-store" else preset.update_batch)
    if size < 1:
        raise UsageError("--chunk-size must be at least 1")
    client = StoreClient(endpoints.query, endpoints.update, endpoints.graph_store, credentials, timeout)
    before = client.count(graph, f"counting <{graph}> before loading")
    into = graph if direct else staging_graph(graph)
    sender = _Sender(client, endpoints, protocol, into, total, progress, bulk=total >= BULK_THRESHOLD)
    if direct:
        after, low, high = _load_direct(client, path, graph, mode, size, sender, before)
    else:
        after = low = high = _load_staged(client, path, graph, mode, size, sender, before, total)
        after = client.count(graph, f"counting <{graph}> after loading")
    if not low <= after <= high:
        want = f"{low:,}" if low == high else f"between {low:,} and {high:,}"
        raise CountMismatchError(f"<{graph}> holds {after:,} triples after the load, expected {want} "
                                 f"({total:,} in {path.name}, {before:,} before)")
    return LoadResult(graph, endpoints.base, protocol, mode, total, before, after, time.monotonic() - started,
                      sender.requests, direct)


def _load_staged(client: StoreClient, path: Path, graph: str, mode: str, size: int, sender: _Sender,
                 before: int, total: int) -> int:
    """Fill the staging graph, check its count, swap it over ``graph`` in one update; return the expected count."""
    staging = sender.into
    try:
        client.update(f"DROP SILENT GRAPH {sparql_iri(staging)}", "clearing the staging graph before loading")
    except StoreError as error:
        raise type(error)(f"{error}; nothing was written: <{graph}> still holds {before:,} triples") from None
    try:
        for batch, aside in chunks(path, size, sender.endpoints.preset.verbatim_datatypes):
            sender.send(batch, aside)
        staged = client.count(staging, "counting the staging graph")
        if staged != total:
            raise CountMismatchError(f"the staging graph holds {staged:,} triples, expected {total:,} "
                                     f"from {path.name}")
        expected = total if mode == "replace" else before + _count_missing(client, staging, graph)
    except StoreError as error:
        raise _rolled_back(error, client, staging, graph, before) from None
    operation = (f"MOVE {sparql_iri(staging)} TO {sparql_iri(graph)}" if mode == "replace" else
                 f"ADD {sparql_iri(staging)} TO {sparql_iri(graph)} ; DROP SILENT GRAPH {sparql_iri(staging)}")
    try:
        client.update(operation, f"{'moving' if mode == 'replace' else 'adding'} the staging graph to <{graph}>")
    except StoreError as error:
        _after_swap_failure(error, client, staging, graph, before, total, expected)
    return expected


def _count_missing(client: StoreClient, staging: str, graph: str) -> int:
    rows = client.select(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {sparql_iri(staging)} {{ ?s ?p ?o }} "
        f"FILTER NOT EXISTS {{ GRAPH {sparql_iri(graph)} {{ ?s ?p ?o }} }} }}",
        "counting the staged triples that the target graph lacks")
    return client.number(rows, "no count of the staged triples that the target graph lacks")


def _load_direct(client: StoreClient, path: Path, graph: str, mode: str, size: int, sender: _Sender,
                 before: int) -> tuple[int, int, int]:
    """Write straight into ``graph``; return its count and the bounds that count must lie within."""
    try:
        if mode == "replace":
            client.update(f"DROP SILENT GRAPH {sparql_iri(graph)}", f"dropping <{graph}>")
        for batch, aside in chunks(path, size, sender.endpoints.preset.verbatim_datatypes):
            sender.send(batch, aside)
    except StoreError as error:
        state = _graph_state(client, graph)
        raise PartialLoadError(f"{error}; direct load stopped after {sender.sent:,} of {sender.total:,} triples "
                               f"(chunk {sender.chunk_number}): <{graph}> is partial: {state} "
                               f"(before: {before:,})") from None
    after = client.count(graph, f"counting <{graph}> after loading")
    if mode == "replace":
        return after, sender.total, sender.total
    return after, max(before, sender.total), before + sender.total


def _graph_state(client: StoreClient, graph: str) -> str:
    try:
        return f"it holds {client.count(graph):,} triples"
    except StoreError:
        return "its triple count cannot be read now"


def _rolled_back(error: StoreError, client: StoreClient, staging: str, graph: str, before: int) -> StoreError:
    """``error`` with the outcome of the rollback: staging dropped (or left for the next load), target counted."""
    try:
        client.update(f"DROP SILENT GRAPH {sparql_iri(staging)}", "dropping the staging graph")
        cleanup = "staging graph dropped"
    except StoreError:
        cleanup = f"the staging graph <{staging}> could not be dropped now (the next load drops it)"
    try:
        now = client.count(graph)
        state = (f"nothing changed: <{graph}> still holds {now:,} triples" if now == before else
                 f"<{graph}> now holds {now:,} triples (before: {before:,}; changed by someone else?)")
    except StoreError:
        state = f"<{graph}> was not written to (it held {before:,} triples; the store cannot be asked now)"
    return type(error)(f"{error}; load rolled back, {state}; {cleanup}")


def _after_swap_failure(error: StoreError, client: StoreClient, staging: str, graph: str, before: int,
                        total: int, expected: int) -> None:
    """The swap request failed: return if it went through anyway, else raise with the graph's exact state.

    The swap removes the staging graph in the same update, so a full staging graph means it did not happen.
    """
    try:
        staged, now = client.count(staging), client.count(graph)
    except StoreError:
        raise PartialLoadError(f"{error}; the swap into <{graph}> may or may not have happened: the store cannot "
                               f"be asked now (it held {before:,} triples, the load gives {expected:,})") from None
    if staged == 0 and now == expected:
        return
    if staged == total and now == before:
        raise _rolled_back(error, client, staging, graph, before)
    raise PartialLoadError(f"{error}; <{graph}> holds {now:,} triples (before: {before:,}, expected: {expected:,}) "
                           f"and the staging graph <{staging}> {staged:,}")
