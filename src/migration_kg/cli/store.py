"""The ``load``, ``dump`` and ``sparql-server`` commands: thin layers over migration_kg.store.

Exit codes: 0 done, 2 bad input or usage, 20 store unreachable, 21 credentials refused, 22 the store refused a
request (the graph is left as it was), 23 count mismatch, 24 partial load (the message gives the graph's state),
25 the local SPARQL server could not start.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from migration_kg.iris import DATASET_IRI

dist_option = click.option(
    "--dist", "source", type=click.Path(path_type=Path), default=Path("dist"), show_default=True,
    help="The built dist/ directory, or an N-Triples file.")
graph_option = click.option("--graph", default=DATASET_IRI, show_default=True, help="The named graph to fill.")


@contextmanager
def _progress_bar(quiet: bool) -> Iterator[Any]:
    """A rich progress bar on stderr counting triples, when stderr is a terminal; nothing with -q."""
    from rich.console import Console

    console = Console(stderr=True)
    if quiet or not console.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("loading"), BarColumn(), MofNCompleteColumn(), TextColumn("triples"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("load", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance


@click.command()
@dist_option
@click.option("--store", "store", type=click.Choice(["oxigraph", "virtuoso", "fuseki", "generic"]),
              default="generic", show_default=True,
              help="Kind of store: sets the query, update and graph-store URLs under --endpoint.")
@click.option("--endpoint", default=None,
              help="Base URL of the store (oxigraph: http://localhost:7878, virtuoso: http://localhost:8890, "
                   "fuseki: http://localhost:3030/DATASET); for generic, its SPARQL endpoint.")
@graph_option
@click.option("--protocol", type=click.Choice(["graph-store", "update"]), default=None,
              help="Graph Store HTTP Protocol (default when the store has one) or SPARQL Update INSERT DATA.")
@click.option("--replace/--append", "replace", default=True, show_default=True,
              help="Replace the graph atomically, or add to it.")
@click.option("--direct", is_flag=True,
              help="Write straight into the graph, without staging: faster for large graphs, not atomic.")
@click.option("--chunk-size", type=click.IntRange(min=1), default=None,
              help="Triples per request (default by store and protocol).")
@click.option("--query-url", default=None, help="Override the store's query URL.")
@click.option("--update-url", default=None, help="Override the store's update URL.")
@click.option("--graph-store-url", default=None, help="Override the store's Graph Store Protocol URL.")
@click.option("--timeout", type=click.FloatRange(min=1), default=600.0, show_default=True,
              help="Seconds to wait for each request.")
@click.pass_obj
def load(settings: Any, source: Path, store: str, endpoint: str | None, graph: str, protocol: str | None,
         replace: bool, direct: bool, chunk_size: int | None, query_url: str | None, update_url: str | None,
         graph_store_url: str | None, timeout: float) -> None:
    """Load dist/ into a SPARQL 1.1 store, in one named graph, and check the count.

    Credentials come from the environment only: MIGRATION_KG_STORE_USER and MIGRATION_KG_STORE_PASSWORD
    (MIGRATION_KG_STORE_AUTH=basic or digest), or MIGRATION_KG_STORE_TOKEN for a bearer token.

    Exit codes: 0 loaded, 2 bad input or usage, 20 store unreachable, 21 credentials refused, 22 request
    refused (graph unchanged), 23 count mismatch, 24 partial load (state in the message).
    """
    from migration_kg.store.http import Credentials
    from migration_kg.store.load import load as run_load
    from migration_kg.store.load import resolve_endpoints

    credentials = Credentials.from_env()
    endpoints = resolve_endpoints(store, endpoint, query_url, update_url, graph_store_url, credentials)
    with _progress_bar(settings.quiet) as advance:
        result = run_load(source, endpoints, graph, protocol, "replace" if replace else "append", chunk_size,
                          direct, credentials, timeout, advance)
    if not settings.quiet:
        click.echo(result.summary())


@click.command()
@dist_option
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Output file, *.nq.gz (default: migration-kg.nq.gz beside the N-Triples file).")
@graph_option
@click.option("--default-graph", is_flag=True,
              help="Put the triples in the default graph instead, which stores query without any setting.")
@click.pass_obj
def dump(settings: Any, source: Path, out: Path | None, graph: str, default_graph: bool) -> None:
    """Write a bulk-load file: gzipped N-Quads with every triple in the named graph (or the default graph).

    Exit codes: 0 written, 2 bad input or usage, 74 the file could not be written.
    """
    from migration_kg.store.dump import dump as run_dump

    result = run_dump(source, out, None if default_graph else graph)
    if not settings.quiet:
        click.echo(f"wrote {result.quads:,} quads in {result.where} to {result.path} ({result.bytes:,} bytes)")


@click.command("sparql-server")
@dist_option
@click.option("--bind", default="127.0.0.1:7878", show_default=True,
              help="HOST:PORT to listen on (it has no authentication: keep it on 127.0.0.1).")
@graph_option
@click.option("--writable", is_flag=True, help="Accept SPARQL updates (and LOAD, which fetches from other hosts); "
              "read-only by default.")
@click.pass_obj
def sparql_server(settings: Any, source: Path, bind: str, graph: str, writable: bool) -> None:
    """Start a local Oxigraph SPARQL server preloaded with dist/; Ctrl-C stops it.

    A local tool: read-only unless --writable, without authentication, on 127.0.0.1 by default. Queries without
    GRAPH see the loaded graph. Needs the oxigraph package: pip install 'migration-kg[server]'.
    Exit codes: 0 stopped, 2 bad input, 25 the server could not start.
    """
    from migration_kg.store.server import parse_bind, warnings_for
    from migration_kg.store.server import sparql_server as start

    for note in warnings_for(parse_bind(bind)[0], writable):
        click.echo(f"warning: {note}", err=True)

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        with start(source, bind, graph, writable=writable) as server:
            if not settings.quiet:
                click.echo(f"SPARQL endpoint {server.query_url} with {server.triples:,} triples in <{server.graph}>; "
                           f"query page {server.page_url}; press Ctrl-C to stop")
            try:
                server.process.wait()
            except KeyboardInterrupt:
                pass
            else:
                raise _server_died(server.process.returncode)
    finally:
        signal.signal(signal.SIGTERM, previous)
    if not settings.quiet:
        click.echo("SPARQL server stopped")


def _server_died(code: int) -> Exception:
    from migration_kg.errors import SparqlServerError

    return SparqlServerError(f"oxigraph serve stopped on its own with code {code}")
