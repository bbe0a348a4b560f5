"""Stage 6: ask the graph questions - the SPARQL files of ``queries/`` - embedded with pyoxigraph or on any endpoint.

Embedded runs load ``dist/migration-kg.nt`` into an in-memory pyoxigraph store and bind parameters with its
``substitutions`` (the query text is never edited). Endpoint runs go through SPARQLWrapper and bind parameters
with a ``VALUES`` block opening the WHERE clause, written from parsed RDF terms, never from the user's raw text
(see :mod:`migration_kg.query.portable`). A query that uses one of the project's prefixes without declaring it
gets the declaration, and says so.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from migration_kg.errors import InputError, UsageError
from migration_kg.files import read_text
from migration_kg.sparqltext import add_prefixes, header_params

Term = ox.NamedNode | ox.BlankNode | ox.Literal

GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")
QUERY_FORMS = ("SELECT", "ASK", *GRAPH_FORMS)
GRAPH_FILE = "migration-kg.nt"
XSD = "http://www.w3.org/2001/XMLSchema#"

_HEADER = re.compile(r"^#\s*(title|purpose)-(\w+):\s*(.*?)\s*$")
_NEEDS = re.compile(r"^#\s*needs:\s*(.+?)\s*$")
_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_IRI = re.compile(r'^<([^<>"{}|^`\\\x00-\x20]*)>$')
_CURIE = re.compile(r"^([A-Za-z][\w.-]*):([\w.-]*)$")
_LITERAL = re.compile(
    r'^"(?P<body>(?:[^"\\]|\\.)*)"'
    r"(?:@(?P<lang>[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)|\^\^(?:<(?P<iri>[^<>\"{}|^`\\\x00-\x20]*)>|(?P<curie>\S+)))?$",
    re.DOTALL)
_NUMBERS = ((re.compile(r"^[+-]?\d+$"), "integer"), (re.compile(r"^[+-]?\d*\.\d+$"), "decimal"),
            (re.compile(r"^(true|false)$"), "boolean"))
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


@dataclass(frozen=True)
class QueryFile:
    """One SPARQL file with the metadata of its header comments (titles, purposes, parameters)."""

    name: str
    path: Path
    text: str
    titles: Mapping[str, str] = field(default_factory=dict)
    purposes: Mapping[str, str] = field(default_factory=dict)
    defaults: Mapping[str, str] = field(default_factory=dict)
    needs: tuple[str, ...] = ()
    #: Prefixes whose declarations were put before the file's text (one line each), because it used them undeclared.
    added_prefixes: tuple[str, ...] = ()

    @property
    def form(self) -> str:
        try:
            return query_form(self.text)
        except UsageError as error:
            raise InputError(str(error), self.path) from None

    @property
    def needs_network(self) -> bool:
        return "network" in self.needs

    def title(self, lang: str = "en") -> str:
        """The title in ``lang``, else in English, else the file name."""
        return self.titles.get(lang) or self.titles.get("en") or self.name


@dataclass
class QueryResult:
    """What a query answered: rows for SELECT, a boolean for ASK, triples for CONSTRUCT and DESCRIBE."""

    form: str
    variables: tuple[str, ...] = ()
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)

    @property
    def is_graph(self) -> bool:
        return self.form in GRAPH_FORMS


def read_query(path: Path) -> QueryFile:
    """Read a ``.rq`` file and its header comments (``# title-en:``, ``# param: name = value``, ``# needs:``)."""
    text = read_text(path, "query")
    titles: dict[str, str] = {}
    purposes: dict[str, str] = {}
    needs: list[str] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            continue
        if match := _HEADER.match(line):
            (titles if match.group(1) == "title" else purposes)[match.group(2)] = match.group(3)
        elif match := _NEEDS.match(line):
            needs.extend(word.strip() for word in match.group(1).split(","))
    return QueryFile(path.stem, path, text, titles, purposes, header_params(text), tuple(needs))


def with_project_prefixes(query: QueryFile) -> QueryFile:
    """``query`` with a declaration of each of the project's prefixes that it uses without declaring."""
    import dataclasses

    text, added = add_prefixes(query.text, _prefixes())
    return dataclasses.replace(query, text=text, added_prefixes=tuple(added)) if added else query


def list_queries(queries_dir: Path) -> list[QueryFile]:
    """The competency questions: every ``*.rq`` directly in ``queries_dir`` (not the QC checks of ``qc/``)."""
    if not queries_dir.is_dir():
        raise InputError("no queries directory (run from the checkout or pass --project DIR)", queries_dir)
    return [read_query(path) for path in sorted(queries_dir.glob("*.rq"))]


def find_query(name_or_file: str | Path, queries_dir: Path) -> QueryFile:
    """A query by file path, or by name (file stem) in ``queries_dir``; an unknown name suggests close ones."""
    candidate = Path(name_or_file)
    if candidate.suffix == ".rq" or candidate.is_file():
        if not candidate.is_file():
            raise InputError("no such query file", candidate)
        return with_project_prefixes(read_query(candidate))
    path = queries_dir / f"{name_or_file}.rq"
    if path.is_file():
        return with_project_prefixes(read_query(path))
    import difflib

    names = [query.name for query in list_queries(queries_dir)]
    close = difflib.get_close_matches(str(name_or_file), names, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else "; see migration-kg query --list"
    raise UsageError(f"no query named {name_or_file!r} in {queries_dir}{hint}")


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first keyword after comments and PREFIX/BASE declarations."""
    prologue = re.compile(r"\s+|#[^\n]*|(?i:PREFIX)\s+[^\s:]*:\s*<[^>]*>|(?i:BASE)\s*<[^>]*>")
    position = 0
    while match := prologue.match(text, position):
        if match.end() == position:
            break
        position = match.end()
    keyword = re.match(r"[A-Za-z]+", text[position:])
    form = keyword.group(0).upper() if keyword else ""
    if form not in QUERY_FORMS:
        raise UsageError(f"not a SPARQL query (expected one of {', '.join(QUERY_FORMS)}, found {form or 'nothing'!r})")
    return form


def _prefixes() -> dict[str, str]:
    from migration_kg.namespaces import PREFIXES

    return {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}


def _expand(curie: str) -> ox.NamedNode | None:
    match = _CURIE.match(curie)
    if not match:
        return None
    namespace = _prefixes().get(match.group(1))
    return ox.NamedNode(namespace + match.group(2)) if namespace else None


def parse_term(value: str) -> Term:
    """An RDF term from ``value``: ``<iri>``, a CURIE with a project prefix, ``"text"@lang``, ``"text"^^type``,
    a number or boolean; anything else is a plain string literal - data, never query syntax."""
    if match := _IRI.match(value):
        try:
            return ox.NamedNode(match.group(1))
        except ValueError:
            return ox.Literal(value)
    if iri := _expand(value):
        return iri
    if match := _LITERAL.match(value):
        body = re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), match.group("body"))
        if match.group("lang"):
            return ox.Literal(body, language=match.group("lang"))
        datatype = match.group("iri") or match.group("curie")
        if datatype is None:
            return ox.Literal(body)
        iri = _expand(datatype) if match.group("curie") else _safe_iri(datatype)
        return ox.Literal(body, datatype=iri) if iri else ox.Literal(value)
    for pattern, datatype in _NUMBERS:
        if pattern.match(value):
            return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))
    return ox.Literal(value)


def _safe_iri(text: str) -> ox.NamedNode | None:
    try:
        return ox.NamedNode(text)
    except ValueError:
        return None


def parse_params(pairs: Iterable[str]) -> dict[str, str]:
    """``name=value`` strings (from ``--param``) as a dict; the values stay raw until bound."""
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip().lstrip("?$")
        if not sep or not _VARIABLE_NAME.match(name):
            raise UsageError(f"--param expects NAME=VALUE with a variable name, got {pair!r}")
        params[name] = value
    return params


def bindings_for(query: QueryFile, params: Mapping[str, str] | None = None) -> dict[str, Term]:
    """The query's declared defaults overridden by ``params``, each parsed as an RDF term; every name must be a
    variable of the query."""
    raw = {**query.defaults, **(params or {})}
    body = re.sub(r"(?m)^\s*#.*$", "", query.text)
    for name in raw:
        if not re.search(rf"[?$]{re.escape(name)}\b", body):
            raise UsageError(f"query {query.name} has no variable ?{name}")
    return {name: parse_term(value) for name, value in raw.items()}


def syntax_error(error: SyntaxError, query: QueryFile | Path | str) -> InputError:
    """A pyoxigraph SPARQL syntax error as an InputError naming the file, line and column of the query as the
    user wrote it (declarations of the project's prefixes that were put before it are not counted)."""
    from migration_kg.query.syntax import described

    if isinstance(query, QueryFile):
        return described(error, query.path, query.text, len(query.added_prefixes), _prefixes())
    return described(error, query, "", 0, _prefixes())


def load_store(dist_dir: Path) -> ox.Store:
    """The built graph (``dist/migration-kg.nt``) in an in-memory pyoxigraph store."""
    path = dist_dir / GRAPH_FILE
    if not path.is_file():
        raise InputError(f"no built graph ({GRAPH_FILE}); run `migration-kg build` first", dist_dir)
    store = ox.Store()
    try:
        store.load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
    except SyntaxError as error:
        raise InputError(f"cannot parse the built graph: {error}", path) from None
    return store


def _collect(answer: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, form: str) -> QueryResult:
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult(form="ASK", boolean=bool(answer))
    if isinstance(answer, ox.QuerySolutions):
        variables = tuple(variable.value for variable in answer.variables)
        rows = [tuple(solution) for solution in answer]  # each solution's values in the projection's order
        return QueryResult(form="SELECT", variables=variables, rows=rows)
    return QueryResult(form=form, triples=sorted(answer, key=str))


#: A pyoxigraph answer as a QueryResult (rows, a boolean, or sorted triples); used by :mod:`.embedded` too.
collect = _collect


def run_embedded(store: ox.Store, query: QueryFile, bindings: Mapping[str, Term] | None = None) -> QueryResult:
    """Run ``query`` on ``store`` with pyoxigraph, ``bindings`` passed as substitutions."""
    from migration_kg.errors import EndpointUnreachableError

    substitutions = {ox.Variable(name): term for name, term in (bindings or {}).items()}
    # Errors are raised after the except blocks: a traceback kept alive in a reference cycle would hold the
    # pyoxigraph result iterator, which must be freed on the thread that made it.
    try:
        return _collect(store.query(query.text, substitutions=substitutions), query.form)
    except SyntaxError as error:
        failure: Exception = syntax_error(error, query)
    except OSError as error:
        failure = EndpointUnreachableError(f"a SERVICE endpoint of {query.name} cannot be reached: {error}")
    raise failure


def check_syntax(query: QueryFile, text: str) -> None:
    """Parse ``text`` locally with pyoxigraph (on an empty store) so that errors name the file, line and column;
    queries with SERVICE are left to the endpoint, since evaluating them would call the remote service."""
    if re.search(r"\bSERVICE\b", text, re.IGNORECASE):
        return
    try:
        ox.Store().query(text)
    except SyntaxError as error:
        raise syntax_error(error, query) from None


def run_endpoint(url: str, query: QueryFile, bindings: Mapping[str, Term] | None = None,
                 timeout: float = 30.0, environ: Mapping[str, str] | None = None) -> QueryResult:
    """Run ``query`` on the SPARQL 1.1 endpoint at ``url`` (through SPARQLWrapper); credentials come only from
    ``environ`` (default: the process environment). The answer is brought to the standard form, booleans
    included, so that every store gives the embedded answer."""
    from migration_kg.query.endpoint import fetch
    from migration_kg.query.portable import bound_text

    check_syntax(query, query.text)
    text = bound_text(query.text, bindings or {})
    form = query.form
    body, media_type = fetch(url, text, form, timeout, environ)
    return parse_answer(url, form, body, media_type, text)


def parse_answer(url: str, form: str, body: bytes, media_type: str, text: str = "") -> QueryResult:
    """An endpoint's answer as a QueryResult; what is not SPARQL results (or RDF) raises NotSparqlAnswerError.

    Booleans come back canonical (``true``, not ``1``); ``text``, the query sent, tells which columns hold them.
    """
    from migration_kg.errors import NotSparqlAnswerError
    from migration_kg.query.portable import as_boolean, ask_table_boolean, boolean_variables

    kind = media_type.split(";", 1)[0].strip().lower()
    try:
        if form in GRAPH_FORMS:
            rdf_format = ox.RdfFormat.from_media_type(kind)
            if rdf_format is None:
                raise NotSparqlAnswerError(f"{url} answered {kind or 'no content type'}, not RDF")
            return _collect_graph(ox.parse(body, format=rdf_format), form)
        results_format = ox.QueryResultsFormat.from_media_type(kind)
        if results_format is None:
            raise NotSparqlAnswerError(f"{url} answered {kind or 'no content type'}, not SPARQL results")
        answer = _collect(ox.parse_query_results(body, format=results_format), form)
    except SyntaxError as error:
        problem = str(error).splitlines()[0]
    else:
        problem = ""
    if problem:
        raise NotSparqlAnswerError(f"{url} answered malformed {kind}: {problem}")
    if form == "ASK" and answer.form == "SELECT":
        boolean = ask_table_boolean(answer.variables, answer.rows)
        if boolean is not None:
            answer = QueryResult(form="ASK", boolean=boolean)
    if (answer.form == "ASK") != (form == "ASK"):
        raise NotSparqlAnswerError(f"{url} answered a {answer.form} result to a {form} query")
    if answer.form == "SELECT":
        booleans = boolean_variables(text) if text else frozenset()
        answer.rows = [tuple(as_boolean(term, name in booleans) for name, term in zip(answer.variables, row,
                                                                                      strict=True))
                       for row in answer.rows]
    return answer


def _collect_graph(triples: Iterable[ox.Quad | ox.Triple], form: str) -> QueryResult:
    return QueryResult(form=form, triples=sorted((ox.Triple(t.subject, t.predicate, t.object) for t in triples),
                                                 key=str))


def run_query(name_or_file: str | Path, *, project_root: Path | str = ".", dist_dir: Path | str | None = None,
              endpoint: str | None = None, params: Mapping[str, str] | None = None,
              timeout: float = 30.0) -> QueryResult:
    """Run one question of ``queries/`` (by name) or a ``.rq`` file: on the built graph, or on ``endpoint``.

    ``timeout`` is for the endpoint; for an embedded run with a time limit, see :mod:`migration_kg.query.embedded`.
    """
    root = Path(project_root)
    query = find_query(name_or_file, root / "queries")
    bindings = bindings_for(query, params)
    if endpoint:
        return run_endpoint(endpoint, query, bindings, timeout)
    return run_embedded(load_store(Path(dist_dir) if dist_dir else root / "dist"), query, bindings)


def _json_term(term: Term) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    written = {"type": "literal", "value": term.value}
    if term.language:
        written["xml:lang"] = term.language
    elif term.datatype.value != XSD + "string":
        written["datatype"] = term.datatype.value
    return written


def to_results_json(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results JSON for a SELECT or ASK result, keys in a fixed order."""
    if result.form == "ASK":
        document: dict = {"head": {}, "boolean": result.boolean}
    else:
        bindings = [{name: _json_term(term) for name, term in zip(result.variables, row, strict=True)
                     if term is not None} for row in result.rows]
        document = {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def to_results(result: QueryResult, results_format: ox.QueryResultsFormat) -> str:
    """SELECT results as CSV or TSV (SPARQL 1.1 Query Results CSV and TSV), written by Oxigraph."""
    parsed = ox.parse_query_results(to_results_json(result), format=ox.QueryResultsFormat.JSON)
    return parsed.serialize(format=results_format).decode("utf-8")


def to_rdflib_graph(result: QueryResult) -> object:
    """The triples of a CONSTRUCT or DESCRIBE result as an rdflib graph bound to the project's prefixes."""
    from rdflib import Graph

    from migration_kg.graph.load import to_rdflib
    from migration_kg.namespaces import bind_prefixes

    graph = bind_prefixes(Graph())
    for triple in result.triples:
        graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
    return graph
