"""Helpers for the store tests: read a graph back from a store, and compare query answers with embedded ones.

Stores may write a literal differently from how it was loaded while meaning the same value (Virtuoso writes
``"1"`` for ``"true"^^xsd:boolean`` in JSON results, and lower-cases language tags); ``value_key`` turns a term
into what it means, so such answers compare equal while any real difference still fails.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMERIC = {XSD + name for name in ("integer", "int", "long", "short", "decimal", "nonNegativeInteger")}


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


def value_key(term: object, booleans_as_numbers: bool = False) -> tuple:
    """What a term means: IRIs as themselves, numbers and booleans by value, language tags in lower case.

    With ``booleans_as_numbers``, true and false compare equal to 1 and 0: Virtuoso returns the value of a
    boolean expression (``BIND(?a = ?b AS ?same)``) as an xsd:integer.
    """
    if term is None:
        return ("unbound",)
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("bnode",)
    if term.language:
        return ("lang", term.value, term.language.lower())
    datatype = term.datatype.value
    if datatype in _NUMERIC:
        try:
            return ("number", Decimal(term.value))
        except InvalidOperation:
            return ("literal", term.value, datatype)
    if datatype == XSD + "boolean":
        truth = term.value in ("true", "1")
        return ("number", Decimal(int(truth))) if booleans_as_numbers else ("boolean", truth)
    return ("literal", term.value, datatype)


def answer_key(result: object, ordered: bool, booleans_as_numbers: bool = False) -> object:
    """A comparable form of a QueryResult: rows by value (sorted unless ``ordered``), triples, or the boolean."""
    if result.form == "ASK":
        return result.boolean
    if result.is_graph:
        rows = [tuple(value_key(t) for t in (triple.subject, triple.predicate, triple.object))
                for triple in result.triples]
        return sorted(rows, key=repr)
    rows = [tuple(value_key(term, booleans_as_numbers) for term in row) for row in result.rows]
    return (result.variables, rows if ordered else sorted(rows, key=repr))


def is_ordered(text: str) -> bool:
    """True when the query sorts its answer (so the order is part of the answer)."""
    return "ORDER BY" in text.upper()


def inline_values(text: str, values: str) -> str:
    """``text`` with a VALUES block moved inside the closing brace of its WHERE clause (same answer when nothing
    follows that brace): Virtuoso 7.2 accepts a trailing VALUES clause after SELECT queries only."""
    if not values:
        return text
    end = text.rindex("}")
    assert not text[end + 1:].strip(), "a solution modifier follows the WHERE clause"
    return text[:end] + values + text[end:]


def run_on_virtuoso(url: str, query: object, bindings: dict) -> object:
    """Run a query file on Virtuoso through SPARQLWrapper, working around two of its quirks: no trailing VALUES
    after ASK or CONSTRUCT, and ASK answered as a one-column table (``__ASK_RETVAL``, one row when true)."""
    from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper

    from migration_kg.query.questions import QueryResult, parse_answer, values_clause

    values = values_clause(bindings)
    text = query.text + values if query.form == "SELECT" else inline_values(query.text, values)
    client = SPARQLWrapper(url)
    client.setMethod(POST)
    client.setQuery(text)
    graph_form = query.form in ("CONSTRUCT", "DESCRIBE")
    # The format parameter SPARQLWrapper adds must agree with Accept, or Virtuoso answers 406.
    client.setReturnFormat(TURTLE if graph_form else JSON)
    client.addCustomHttpHeader("Accept", "text/turtle" if graph_form else "application/sparql-results+json")
    response = client.query().response
    body, media_type = response.read(), response.headers.get("Content-Type", "")
    if query.form == "ASK":
        rows = json.loads(body)["results"]["bindings"]
        return QueryResult(form="ASK", boolean=any(row.get("__ASK_RETVAL", {}).get("value") == "1" for row in rows))
    return parse_answer(url, query.form, body, media_type)
