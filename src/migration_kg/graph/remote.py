"""A SPARQL endpoint as the place where validation's queries run, instead of an in-memory store.

:class:`SparqlDataset` answers the few calls that the fast SHACL engine, the quality-control queries and the quote
check make on a pyoxigraph ``Store`` (``query``, ``quads_for_pattern``, ``contains_named_graph``), by sending each
query over the SPARQL 1.1 Protocol (HTTP POST, through :mod:`migration_kg.net`: http(s) only, one deadline per
request, no credentials carried to another origin by a redirect) and reading the SPARQL results that come back.
The dataset is the store's default graph, or the union of the named graphs given (``default-graph-uri``), so the
data is never copied out of the store. Credentials come from the environment only, as for ``migration-kg query``.
"""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from email.message import Message

import pyoxigraph as ox

from migration_kg import net
from migration_kg.errors import (
    EndpointHTTPError,
    EndpointTimeoutError,
    EndpointUnreachableError,
    NotSparqlAnswerError,
    ResultTooLargeError,
    UsageError,
)
from migration_kg.sparqltext import add_prefixes

TOKEN_VARIABLE = "MIGRATION_KG_SPARQL_TOKEN"
USER_VARIABLE = "MIGRATION_KG_SPARQL_USER"
PASSWORD_VARIABLE = "MIGRATION_KG_SPARQL_PASSWORD"
ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
#: The largest answer read; validation queries return only the focus nodes with a problem.
MAX_ANSWER_BYTES = 1 << 30
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
CANONICAL_BOOLEANS = {"1": "true", "0": "false"}
BLANK_LABEL_UNSAFE = re.compile(r"[^A-Za-z0-9_]")

Term = ox.NamedNode | ox.BlankNode | ox.Literal


class SparqlDataset:
    """The default graph of a SPARQL endpoint (or the union of ``graphs`` in it), queried over HTTP."""

    def __init__(self, url: str, graphs: Sequence[str] = (), timeout: float = 600.0,
                 environ: Mapping[str, str] | None = None) -> None:
        try:
            self.url = net.check_url(url, "--endpoint")
        except net.NetError as error:
            raise UsageError(str(error)) from None
        for graph in graphs:
            if not urllib.parse.urlsplit(graph).scheme:
                raise UsageError(f"--graph {graph!r} is not an absolute IRI")
        self.graphs = tuple(graphs)
        self.timeout = timeout
        self.headers, self.secrets = _credentials(os.environ if environ is None else environ)
        #: How many queries were sent, and how many bytes of answers came back (validation reads little).
        self.requests = 0
        self.received = 0

    def __repr__(self) -> str:
        return f"SparqlDataset({net.public_url(self.url)!r}, graphs={self.graphs!r})"

    # ---------------------------------------------------------------- what the validation asks of a store

    def query(self, query: str, *, prefixes: Mapping[str, str] | None = None) -> ox.QuerySolutions | ox.QueryBoolean:
        """Run a SELECT or ASK query; ``prefixes`` are declared for it where its text does not declare them."""
        if prefixes:
            query, _added = add_prefixes(query, dict(prefixes))
        return self._send(query)

    def quads_for_pattern(self, subject: Term | None = None, predicate: ox.NamedNode | None = None,
                          value: Term | None = None, graph_name: object = None) -> list[ox.Quad]:
        """The statements of the dataset that match a pattern (None matches anything). A blank node cannot be
        named in a query (``_:b`` there is a variable), so a pattern with one matches nothing here."""
        if any(isinstance(term, ox.BlankNode) for term in (subject, predicate, value)):
            return []
        parts = [_term(subject, "?s"), _term(predicate, "?p"), _term(value, "?o")]
        answer = self._send(f"SELECT ?s ?p ?o WHERE {{ {' '.join(parts)} }}")
        found = []
        for row in answer:  # type: ignore[union-attr]
            found.append(ox.Quad(subject or row["s"], predicate or row["p"], value or row["o"],  # type: ignore[arg-type]
                                 ox.DefaultGraph()))
        return found

    def contains_named_graph(self, _graph: object) -> bool:
        """Validation keeps no graph of its own in a remote store (it never writes there)."""
        return False

    # ---------------------------------------------------------------- the protocol

    def _send(self, query: str) -> ox.QuerySolutions | ox.QueryBoolean:
        form = [("query", query), *(("default-graph-uri", graph) for graph in self.graphs)]
        headers = {"Accept": ACCEPT, "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                   **self.headers}
        where = net.public_url(self.url)
        self.requests += 1
        try:
            answer = net.request(self.url, method="POST", data=urllib.parse.urlencode(form).encode("utf-8"),
                                 headers=headers, timeout=self.timeout, max_bytes=MAX_ANSWER_BYTES,
                                 credentialed=bool(self.headers))
        except net.DeadlineExceeded:
            raise EndpointTimeoutError(f"{where} did not answer a validation query within {self.timeout:g} s") \
                from None
        except net.TooLarge:
            raise ResultTooLargeError(f"{where} answered more than {MAX_ANSWER_BYTES:,} bytes to a validation "
                                      "query") from None
        except net.NetError as error:
            raise EndpointUnreachableError(net.scrub(str(error), self.secrets)) from None
        self.received += len(answer.body)
        if not answer.ok:
            detail = net.first_line(answer.body, self.secrets)
            raise EndpointHTTPError(f"{where} refused a validation query (HTTP {answer.status})"
                                    + (f": {detail}" if detail else ""))
        if not answer.complete:
            raise NotSparqlAnswerError(f"{where} broke off its answer to a validation query")
        _refuse_partial(answer.headers, where)
        kind = answer.content_type.split(";")[0].strip().lower()
        result_format = ox.QueryResultsFormat.XML if "xml" in kind else ox.QueryResultsFormat.JSON
        try:
            return ox.parse_query_results(_plain_json(answer.body) if result_format == ox.QueryResultsFormat.JSON
                                          else answer.body, format=result_format)
        except (SyntaxError, ValueError) as error:
            raise NotSparqlAnswerError(f"{where} answered a validation query with something other than SPARQL "
                                       f"results ({kind or 'no content type'}): {str(error)[:200]}") from None


def _refuse_partial(headers: Message, where: str) -> None:
    """Refuse an answer that a store cut short and still sent with 200 OK: Virtuoso's ``ResultSetMaxRows`` cap
    (``X-SPARQL-MaxRows``) and its "anytime" answers, interrupted at ``MaxQueryExecutionTime``
    (``X-SQL-State``). A validation that read part of its answer would miss violations."""
    cap = headers.get("X-SPARQL-MaxRows")
    if cap:
        raise ResultTooLargeError(f"{where} cut its answer to a validation query at {cap} rows (Virtuoso's "
                                  "ResultSetMaxRows): raise that limit in the [SPARQL] section of virtuoso.ini")
    state = headers.get("X-SQL-State")
    if state:
        detail = " ".join((headers.get("X-SQL-Message") or "").split())[:200]
        raise EndpointTimeoutError(f"{where} sent part of its answer to a validation query ({state}"
                                   + (f": {detail}" if detail else "") + "): raise MaxQueryExecutionTime in the "
                                   "[SPARQL] section of virtuoso.ini")


def _term(term: object, variable: str) -> str:
    return variable if term is None else str(term)


def _plain_json(body: bytes) -> bytes:
    """SPARQL JSON results as SPARQL 1.1 writes them, where Virtuoso writes them otherwise: its SPARQL 1.0
    ``typed-literal`` bindings as literals, its stored booleans (``"1"^^xsd:boolean``) in canonical form, and
    its blank nodes (``nodeID://b10000``) with labels that a blank node may have (``b10000``)."""
    if not any(mark in body for mark in (b'"typed-literal"', XSD_BOOLEAN.encode(), b"nodeID://")):
        return body
    import json

    document = json.loads(body)
    for row in document.get("results", {}).get("bindings", []):
        for cell in row.values():
            if cell.get("type") == "typed-literal":
                cell["type"] = "literal"
            if cell.get("datatype") == XSD_BOOLEAN and cell.get("value") in CANONICAL_BOOLEANS:
                cell["value"] = CANONICAL_BOOLEANS[cell["value"]]
            if cell.get("type") == "bnode":
                cell["value"] = BLANK_LABEL_UNSAFE.sub("_", cell["value"].removeprefix("nodeID://"))
    return json.dumps(document).encode("utf-8")


def _credentials(environ: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The Authorization header that the environment asks for (a bearer token, or HTTP Basic), and its secrets."""
    token, user, password = (environ.get(name) for name in (TOKEN_VARIABLE, USER_VARIABLE, PASSWORD_VARIABLE))
    if token and (user or password):
        raise UsageError(f"set either {TOKEN_VARIABLE} or {USER_VARIABLE}/{PASSWORD_VARIABLE}, not both")
    if token:
        return {"Authorization": f"Bearer {token}"}, [token]
    if user or password:
        if not (user and password):
            raise UsageError(f"set both {USER_VARIABLE} and {PASSWORD_VARIABLE} for HTTP Basic authentication")
        basic = net.basic_token(user, password)
        return {"Authorization": f"Basic {basic}"}, [password, basic, f"{user}:{password}"]
    return {}, []


def graphs_of(values: Iterable[str]) -> tuple[str, ...]:
    """The named graphs of ``--graph`` options, in order, each once."""
    return tuple(dict.fromkeys(values))
