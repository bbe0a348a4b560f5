"""An embedded query with limits: a time limit, and a result size beyond which it says "ask for less".

pyoxigraph cannot stop a running query, so the query runs in a forked child process (with a copy-on-write view of
the store) that writes its serialized answer to a temporary file: SPARQL JSON results, or N-Triples for
CONSTRUCT and DESCRIBE. A child still running at the time limit is killed. An answer larger than ``max_bytes``,
or too large to read back into memory, becomes one clear error instead of a ``MemoryError`` traceback.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import pyoxigraph as ox

from migration_kg.errors import EndpointTimeoutError, EndpointUnreachableError, ResultTooLargeError
from migration_kg.query.questions import GRAPH_FORMS, QueryFile, QueryResult, Term, collect, syntax_error

DEFAULT_TIMEOUT = 300.0
DEFAULT_MAX_BYTES = 512 << 20
_ASK_LESS = "ask for less (LIMIT, fewer variables)"


class _Bounded:
    """A file that refuses to grow past ``limit`` bytes."""

    def __init__(self, path: Path, limit: int) -> None:
        self.stream = path.open("wb")
        self.limit = limit
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise OverflowError
        return self.stream.write(data)

    def flush(self) -> None:
        self.stream.flush()


def _child(connection: object, store: ox.Store, text: str, substitutions: dict, graph: bool, out: Path,
           limit: int) -> None:
    """Run the query and write its answer to ``out``; send back ("ok" | "syntax" | "service" | "large", detail)."""
    with open(os.devnull, "wb") as devnull:  # an allocation failure aborts with a backtrace: keep it quiet
        os.dup2(devnull.fileno(), 2)
    sink = _Bounded(out, limit)
    try:
        answer = store.query(text, substitutions=substitutions)
        answer.serialize(sink, format=ox.RdfFormat.N_TRIPLES if graph else ox.QueryResultsFormat.JSON)
        outcome: tuple[str, str] = ("ok", "")
    except SyntaxError as error:
        outcome = ("syntax", str(error))
    except OSError as error:
        outcome = ("service", str(error))
    except (OverflowError, MemoryError):
        outcome = ("large", str(sink.size))
    finally:
        sink.stream.close()
    connection.send(outcome)  # type: ignore[attr-defined]
    connection.close()  # type: ignore[attr-defined]


def run_limited(store: ox.Store, query: QueryFile, bindings: Mapping[str, Term] | None = None,
                timeout: float = DEFAULT_TIMEOUT, max_bytes: int | None = None) -> QueryResult:
    """Run ``query`` on ``store`` within ``timeout`` seconds and an answer of at most ``max_bytes``
    (default :data:`DEFAULT_MAX_BYTES`)."""
    max_bytes = max_bytes or DEFAULT_MAX_BYTES
    form = query.form
    graph = form in GRAPH_FORMS
    substitutions = {ox.Variable(name): term for name, term in (bindings or {}).items()}
    context = multiprocessing.get_context("fork")
    with tempfile.TemporaryDirectory(prefix="migration-kg-query-") as folder:
        out = Path(folder) / "answer"
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_child, daemon=True,
                                  args=(sender, store, query.text, substitutions, graph, out, max_bytes))
        process.start()
        sender.close()
        try:
            if not receiver.poll(timeout):
                raise EndpointTimeoutError(f"{query.name} ran longer than the {timeout:g} s limit (--timeout); "
                                           f"stopped. {_ASK_LESS[0].upper()}{_ASK_LESS[1:]}, or raise --timeout")
            try:
                status, detail = receiver.recv()
            except EOFError:
                status, detail = "large", "?"
        finally:
            receiver.close()
            if process.is_alive():
                process.kill()
            process.join()
        if status == "syntax":
            raise syntax_error(SyntaxError(detail), query.path)
        if status == "service":
            raise EndpointUnreachableError(f"a SERVICE endpoint of {query.name} cannot be reached: {detail}")
        if status == "large":
            raise ResultTooLargeError(f"the result of {query.name} is too large to hold (over {max_bytes >> 20} MiB "
                                      f"as {'N-Triples' if graph else 'SPARQL JSON'}, or out of memory); {_ASK_LESS}")
        return _read_back(out, form, graph, query.name, max_bytes)


def _read_back(out: Path, form: str, graph: bool, name: str, max_bytes: int) -> QueryResult:
    try:
        if graph:
            triples = sorted((ox.Triple(t.subject, t.predicate, t.object)
                              for t in ox.parse(path=str(out), format=ox.RdfFormat.N_TRIPLES)), key=str)
            return QueryResult(form=form, triples=triples)
        return collect(ox.parse_query_results(path=str(out), format=ox.QueryResultsFormat.JSON), form)
    except MemoryError:
        raise ResultTooLargeError(f"the result of {name} ({out.stat().st_size:,} bytes) is too large to hold in "
                                  f"memory; {_ASK_LESS}") from None
