"""``migration-kg query``: the CLI over :mod:`migration_kg.query.questions`: run a question, list, write answers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click

from migration_kg.errors import EXIT_NOT_CONFORMING, UsageError

SELECT_FORMATS = ("table", "csv", "tsv", "json", "markdown")
GRAPH_FORMATS = ("turtle", "jsonld")
ASK_FORMATS = ("table", "json")
_NOTE_WORTHY = re.compile(r'^(<|"|[A-Za-z][\w.-]*:[\w.-]*$)')


def _display(term: Any, prefixes: list[tuple[str, str]]) -> str:
    """A term as a person reads it: a CURIE for a known IRI, the text of a literal, nothing when unbound."""
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for prefix, namespace in prefixes:
            local = term.value[len(namespace):]
            if term.value.startswith(namespace) and re.fullmatch(r"[\w.-]+", local):
                return f"{prefix}:{local}"
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def _prefixes() -> list[tuple[str, str]]:
    from migration_kg.namespaces import PREFIXES

    return sorted(((p, str(n)) for p, n in PREFIXES.items()), key=lambda item: -len(item[1]))


def _cells(result: Any) -> list[list[str]]:
    prefixes = _prefixes()
    return [[_display(term, prefixes) for term in row] for row in result.rows]


def to_markdown(result: Any) -> str:
    """A SELECT result as a GitHub-flavoured Markdown table (IRIs as CURIEs, literals as text)."""
    def cell(text: str) -> str:
        return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>")

    lines = ["| " + " | ".join(result.variables) + " |", "|" + "---|" * len(result.variables)]
    lines += ["| " + " | ".join(cell(text) for text in row) + " |" for row in _cells(result)]
    return "\n".join(lines) + "\n"


def _print_table(result: Any, title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    if not console.is_terminal:
        console.width = 200
    table = Table(title=title, caption=f"{len(result.rows)} rows", show_lines=False)
    for variable in result.variables:
        table.add_column(variable, overflow="fold")
    for row in _cells(result):
        table.add_row(*row)
    console.print(table)


def _context_file(dist_dir: Path, project_root: Path) -> Path:
    for candidate in (dist_dir / "context.jsonld", project_root / "ontology" / "context.jsonld"):
        if candidate.is_file():
            return candidate
    raise UsageError("--format jsonld needs the JSON-LD context: run `migration-kg build` or pass --project DIR")


def render(result: Any, output_format: str, title: str, context_file: Path | None = None) -> str | None:
    """The text to print for ``result`` in ``output_format``; None when it was printed as a rich table."""
    import pyoxigraph as ox

    from migration_kg.query.questions import to_rdflib_graph, to_results, to_results_json

    if result.is_graph:
        from migration_kg.graph.serialize import to_jsonld, to_turtle

        graph = to_rdflib_graph(result)
        if output_format == "jsonld":
            from migration_kg.graph.jsonld import Context

            return to_jsonld(graph, Context.from_file(context_file))  # type: ignore[arg-type]
        return to_turtle(graph)  # type: ignore[arg-type]
    if result.form == "ASK":
        return to_results_json(result) if output_format == "json" else ("true\n" if result.boolean else "false\n")
    if output_format == "json":
        return to_results_json(result)
    if output_format in ("csv", "tsv"):
        return to_results(result, ox.QueryResultsFormat.CSV if output_format == "csv" else ox.QueryResultsFormat.TSV)
    if output_format == "markdown":
        return to_markdown(result)
    _print_table(result, title)
    return None


def _check_format(form: str, output_format: str | None) -> str:
    allowed = GRAPH_FORMATS if form in ("CONSTRUCT", "DESCRIBE") else ASK_FORMATS if form == "ASK" else SELECT_FORMATS
    chosen = output_format or allowed[0]
    if chosen not in allowed:
        raise UsageError(f"--format {chosen} does not apply to a {form} query; use one of {', '.join(allowed)}")
    return chosen


def _list(queries_dir: Path, lang: str) -> None:
    from migration_kg.query.questions import list_queries

    queries = list_queries(queries_dir)
    width = max((len(query.name) for query in queries), default=0)
    for query in queries:
        extra = "".join(f" [{name}={value}]" for name, value in query.defaults.items())
        extra += " [needs: network]" if query.needs_network else ""
        click.echo(f"{query.name:<{width}}  {query.form:<9}  {query.title(lang)}{extra}")
    click.echo(f"{len(queries)} questions in {queries_dir}", err=True)


def _note_plain_strings(params: dict[str, str], quiet: bool) -> None:
    """Say so when a value that looks like an IRI or a typed literal was bound as a plain string."""
    from migration_kg.query.questions import parse_term

    for name, value in params.items():
        term = parse_term(value)
        plain = getattr(term, "datatype", None) is not None and not term.language \
            and term.datatype.value.endswith("#string")
        if plain and _NOTE_WORTHY.match(value) and not quiet:
            click.echo(f"note: --param {name} is not a valid IRI, CURIE or literal; bound as the plain string "
                       f"{value!r}", err=True)


@click.command("query")
@click.argument("name_or_file", required=False)
@click.option("--list", "show_list", is_flag=True, help="List the questions in queries/ with their titles.")
@click.option("--lang", type=click.Choice(["en", "fr"]), default="en", show_default=True,
              help="Language of the titles shown by --list.")
@click.option("--project", "project_root", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Directory holding queries/ (and dist/).")
@click.option("--dist", "dist_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Built graph to query (default: PROJECT/dist).")
@click.option("--endpoint", metavar="URL", default=None,
              help="Run on this SPARQL 1.1 endpoint instead; credentials only from MIGRATION_KG_SPARQL_TOKEN, or "
                   "MIGRATION_KG_SPARQL_USER and MIGRATION_KG_SPARQL_PASSWORD.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Seconds to wait for the endpoint (default 30), or that the embedded query may run (default 300).")
@click.option("--format", "output_format", type=click.Choice(SELECT_FORMATS + GRAPH_FORMATS), default=None,
              help="SELECT: table (default), csv, tsv, json (SPARQL results JSON), markdown. "
                   "CONSTRUCT/DESCRIBE: turtle (default), jsonld. ASK: table (true/false) or json.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind ?NAME to an RDF term: <iri>, a CURIE such as city:athens, \"text\"@fr, \"1\"^^xsd:integer, "
                   "a number, or plain text. Repeatable.")
@click.pass_context
def query(ctx: click.Context, name_or_file: str | None, show_list: bool, lang: str, project_root: Path,
          dist_dir: Path | None, endpoint: str | None, timeout: float | None, output_format: str | None,
          params: tuple[str, ...]) -> None:
    """Ask the graph a question: NAME_OR_FILE is a name from queries/ (see --list) or a .rq file.

    Runs on the built graph (dist/, embedded pyoxigraph) unless --endpoint is given.

    \b
    Exit codes:
      0  done (ASK: true)
      1  ASK answered false
      2  usage or input error (a SPARQL syntax error names the file, line and column)
      3  endpoint (or SERVICE) unreachable
      4  endpoint timeout, or the embedded query ran past --timeout
      5  endpoint HTTP error
      6  the endpoint's answer is not SPARQL results
      7  the result is too large to read or hold (ask for less)
      70 internal error, 74 I/O error (e.g. stdout on a full disk)
    """
    from migration_kg.query.questions import (
        bindings_for,
        find_query,
        load_store,
        parse_params,
        run_endpoint,
    )

    quiet = bool(getattr(ctx.obj, "quiet", False))
    queries_dir = project_root / "queries"
    if show_list:
        _list(queries_dir, lang)
        return
    if not name_or_file:
        raise UsageError("give a query name or a .rq file (see migration-kg query --list)")
    question = find_query(name_or_file, queries_dir)
    if question.added_prefixes and not quiet:
        names = ", ".join(f"{prefix}:" for prefix in question.added_prefixes)
        click.echo(f"note: {question.path} uses {names} without PREFIX lines; the project's declarations were "
                   "added", err=True)
    chosen = _check_format(question.form, output_format)
    raw_params = parse_params(params)
    bindings = bindings_for(question, raw_params)
    _note_plain_strings(raw_params, quiet)
    dist = dist_dir or project_root / "dist"
    context_file = _context_file(dist, project_root) if chosen == "jsonld" else None
    if endpoint:
        result = run_endpoint(endpoint, question, bindings, timeout or 30.0)
    else:
        from migration_kg.query.embedded import DEFAULT_TIMEOUT, run_limited

        result = run_limited(load_store(dist), question, bindings, timeout or DEFAULT_TIMEOUT)
    text = render(result, chosen, question.title(lang), context_file)
    if text is not None:
        click.echo(text, nl=False)
    if result.form == "ASK" and not result.boolean:
        ctx.exit(EXIT_NOT_CONFORMING)
