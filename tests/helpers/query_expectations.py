"""Where the expected answer of every question in ``queries/`` is kept, and how it is written and read back.

SELECT and ASK answers are SPARQL 1.1 Query Results JSON (``<name>.json``); CONSTRUCT and DESCRIBE answers are
Turtle (``<name>.ttl``). ``scripts/regenerate-query-expectations`` rewrites them; read every change before
committing it: an expected answer must be true of the article and its sources, not merely what the code returns.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from migration_kg.graph.serialize import to_turtle
from migration_kg.query.questions import (
    QueryFile,
    QueryResult,
    bindings_for,
    list_queries,
    load_store,
    run_embedded,
    to_rdflib_graph,
    to_results_json,
)

ROOT = Path(__file__).resolve().parents[2]
EXPECTED_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "queries" / "expected"


def offline_queries(queries_dir: Path = ROOT / "queries") -> list[QueryFile]:
    """The questions that run without the network: each has an expected answer."""
    return [query for query in list_queries(queries_dir) if not query.needs_network]


def expected_path(query: QueryFile) -> Path:
    return EXPECTED_DIR / (query.name + (".ttl" if query.form in ("CONSTRUCT", "DESCRIBE") else ".json"))


def render_expected(result: QueryResult) -> str:
    """The expected-answer file's text for ``result``."""
    return to_turtle(to_rdflib_graph(result)) if result.is_graph else to_results_json(result)  # type: ignore[arg-type]


def load_expected(query: QueryFile) -> QueryResult:
    """The expected answer of ``query``, read back into a QueryResult."""
    path = expected_path(query)
    if path.suffix == ".ttl":
        triples = sorted(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE), key=str)
        return QueryResult(form=query.form, triples=[ox.Triple(t.subject, t.predicate, t.object) for t in triples])
    answer = ox.parse_query_results(path=str(path), format=ox.QueryResultsFormat.JSON)
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult(form="ASK", boolean=bool(answer))
    variables = tuple(variable.value for variable in answer.variables)
    return QueryResult(form="SELECT", variables=variables,
                       rows=[tuple(solution[name] for name in variables) for solution in answer])


def regenerate(dist_dir: Path, queries_dir: Path = ROOT / "queries") -> list[tuple[str, str]]:
    """Rewrite every expected answer from the graph built in ``dist_dir``; remove answers of deleted queries."""
    store = load_store(dist_dir)
    EXPECTED_DIR.mkdir(parents=True, exist_ok=True)
    written: list[tuple[str, str]] = []
    keep = set()
    for query in offline_queries(queries_dir):
        result = run_embedded(store, query, bindings_for(query))
        path = expected_path(query)
        path.write_text(render_expected(result), encoding="utf-8", newline="\n")
        keep.add(path.name)
        size = (f"{len(result.triples)} triples" if result.is_graph else
                str(result.boolean).lower() if result.form == "ASK" else f"{len(result.rows)} rows")
        written.append((query.name, size))
    for stale in EXPECTED_DIR.iterdir():
        if stale.name not in keep:
            stale.unlink()
    return written
