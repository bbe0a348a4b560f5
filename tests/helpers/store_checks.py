"""Helpers for the store tests: read a graph back from a store, and compare query answers with embedded ones.

Answers are compared term for term: ``migration-kg query --endpoint`` brings a store's own ways of writing
(Virtuoso's ``1`` for ``true``, its ASK tables) back to the standard form, so a store must give exactly the
embedded answer.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"


def as_triples(quads: object) -> set[ox.Triple]:
    """The triples of parsed quads (pyoxigraph parses N-Triples into quads of the default graph)."""
    return {ox.Triple(quad.subject, quad.predicate, quad.object) for quad in quads}


def local_triples(path: Path) -> set[ox.Triple]:
    """The triples of an N-Triples file."""
    return as_triples(ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES))


def post_form(url: str, fields: dict[str, str], accept: str) -> bytes:
    """POST a form to ``url`` and return the body."""
    request = urllib.request.Request(url, data=urllib.parse.urlencode(fields).encode(), method="POST",
                                     headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read()


def remote_triples(query_url: str, graph: str) -> set[ox.Triple]:
    """Every triple of ``graph`` in the store, read back by CONSTRUCT as N-Triples."""
    body = post_form(query_url, {"query": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"},
                     "application/n-triples")
    return as_triples(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))


def remote_graphs(query_url: str) -> dict[str, int]:
    """The named graphs of the store that hold triples, with their sizes."""
    body = post_form(query_url, {"query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"},
                     "application/sparql-results+json")
    rows = json.loads(body)["results"]["bindings"]
    return {row["g"]["value"]: int(row["n"]["value"]) for row in rows}


def update(update_url: str, text: str) -> None:
    """Run a SPARQL update."""
    post_form(update_url, {"update": text}, "*/*")


def exact_answer(result: object, ordered: bool) -> object:
    """A comparable form of a QueryResult, term for term (N-Triples forms: same datatypes, same lexical forms):
    rows in their order when the query sorts them, else sorted; triples sorted; or the boolean."""
    if result.form == "ASK":
        return result.boolean
    if result.is_graph:
        return sorted(str(triple) for triple in result.triples)
    rows = [tuple("" if term is None else str(term) for term in row) for row in result.rows]
    return (result.variables, rows if ordered else sorted(rows))


def is_ordered(text: str) -> bool:
    """True when the query sorts its answer (so the order is part of the answer)."""
    return "ORDER BY" in text.upper()


def every_question_answers_as_embedded(url: str, dist_dir: Path, project_root: Path) -> int:
    """Run every offline question of ``queries/`` on the endpoint at ``url`` through ``run_endpoint`` (what
    ``migration-kg query --endpoint`` does) and assert that each answer is exactly the embedded one; the count."""
    from migration_kg.query.questions import bindings_for, list_queries, load_store, run_embedded, run_endpoint

    queries = [query for query in list_queries(project_root / "queries") if not query.needs_network]
    assert len(queries) >= 25
    embedded = load_store(dist_dir)
    for query in queries:
        expected = run_embedded(embedded, query, bindings_for(query))
        answer = run_endpoint(url, query, bindings_for(query))
        ordered = is_ordered(query.text)
        assert exact_answer(answer, ordered) == exact_answer(expected, ordered), query.name
    return len(queries)


PARAMETERISED = ("article-lists-city", "city-subgraph", "montreal-leads-council", "quote-for-fact")


def published_answers_equal_embedded(url: str, site_dir: Path, dist_dir: Path, project_root: Path) -> dict:
    """Send each published parameterised query to ``url`` as it is (no parameter bound by us); compare with the
    embedded answer to the same question with its default; return the ASK answers by name."""
    import dataclasses

    from migration_kg.query.questions import bindings_for, find_query, load_store, run_embedded, run_endpoint

    embedded = load_store(dist_dir)
    asks = {}
    for name in PARAMETERISED:
        question = find_query(name, project_root / "queries")
        assert question.defaults, name
        published = dataclasses.replace(question, text=(site_dir / "queries" / f"{name}.rq").read_text("utf-8"))
        answer = run_endpoint(url, published, {})
        expected = run_embedded(embedded, question, bindings_for(question))
        ordered = is_ordered(question.text)
        assert exact_answer(answer, ordered) == exact_answer(expected, ordered), name
        if answer.form == "ASK":
            asks[name] = answer.boolean
        else:
            assert answer.rows or answer.triples, name
    return asks
