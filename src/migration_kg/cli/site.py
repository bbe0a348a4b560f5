"""The ``publish`` and ``serve`` commands: thin click layers over :mod:`migration_kg.site.publish` and the server."""

from __future__ import annotations

from pathlib import Path

import click

from migration_kg.cli.common import Settings, progress_display, project_option, shown


@click.command()
@project_option
@click.option("--dist", "dist_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The built graph to publish (default: PROJECT/dist; built first if missing).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output directory (default: PROJECT/site).")
@click.option("--no-build", is_flag=True, help="Fail instead of building dist/ when it is missing.")
@click.option("--issued", default=None, metavar="YYYY-MM-DD",
              help="Release date written into DCAT (default: $SOURCE_DATE_EPOCH or today).")
@click.option("--sparql-endpoint", default=None, metavar="URL",
              help="The endpoint the questions page queries (default: the site's own /sparql, as `serve` answers).")
@click.option("--site-url", default=None, metavar="URL", envvar="MIGRATION_KG_SITE_URL",
              help="Where site/ will be hosted: also write site/w3id/ (.htaccess and README.md for w3id.org) "
                   "redirecting https://w3id.org/migration-kg/ there [env MIGRATION_KG_SITE_URL].")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Processes that write the entities' pages (default: one per processor).")
@click.pass_obj
def publish(settings: Settings, project_root: Path, dist_dir: Path | None, out_dir: Path | None, no_build: bool,
            issued: str | None, sparql_endpoint: str | None, site_url: str | None, jobs: int | None) -> None:
    """Write the Linked Data site: entity pages and documents, index, ontology page, VoID/DCAT, hosting rules.

    The graph is validated first (shapes, QC queries, quotes), whatever dist/'s own report says.
    Exit codes: 0 written, 1 the data or the release description does not conform, 2 bad input or usage.
    """
    from migration_kg.errors import UsageError
    from migration_kg.site.publish import publish as run_publish

    if issued is not None:
        import datetime as dt

        try:
            dt.date.fromisoformat(issued)
        except ValueError:
            raise UsageError(f"--issued {issued!r} is not a date (YYYY-MM-DD)") from None
    with progress_display(settings) as step:
        result = run_publish(project_root, dist_dir, out_dir, build_if_missing=not no_build, issued=issued,
                             progress=step, sparql_endpoint=sparql_endpoint, site_url=site_url, workers=jobs)
    if not settings.quiet:
        click.echo(result.validated)
        source = "built dist/ first, then " if result.built_dist else ""
        kept = (f"; {result.rewritten} rewritten, {result.unchanged} unchanged, {result.removed} removed"
                if result.incremental else "")
        click.echo(f"{source}published {result.entities} entities ({result.triples} triples) as {result.pages} "
                   f"HTML pages, {len(result.files)} files in {shown(result.out_dir)}{kept}")
        for note in result.map_notes():
            click.echo(note, err=True)


@click.command()
@click.option("--site", "site_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("site"),
              show_default=True, help="The published site to serve.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0 picks a free one).")
@click.option("--timeout", "query_timeout", default=10.0, show_default=True, type=click.FloatRange(0.1, 600),
              help="Time limit of one SPARQL query, in seconds.")
@click.option("--allow-service", is_flag=True, help="Let SPARQL queries use SERVICE (the server then fetches "
              "from the hosts the queries name).")
@click.option("--max-queries", default=4, show_default=True, type=click.IntRange(1, 64),
              help="SPARQL queries run at once; more are answered 503 with Retry-After.")
@click.option("--max-result-size", "max_result", default=50, show_default=True, type=click.IntRange(1, 4096),
              help="Largest SPARQL answer, in MiB (413 beyond).")
@click.option("--query-memory", default=1024, show_default=True, type=click.IntRange(64, 65536),
              help="Memory one SPARQL query may use, in MiB (503 beyond).")
@click.pass_obj
def serve(settings: Settings, site_dir: Path, host: str, port: int, query_timeout: float,
          allow_service: bool, max_queries: int, max_result: int, query_memory: int) -> None:
    """Serve site/ with content negotiation (303 from /id/... by Accept) and a read-only SPARQL endpoint.

    Every SPARQL query has a time limit, an answer-size limit and a memory budget; at most --max-queries run at
    once.
    """
    from migration_kg.site.server import make_server

    server = make_server(site_dir, host, port, query_timeout, allow_service, max_queries=max_queries,
                         max_result=max_result << 20, query_memory=query_memory << 20)
    server.verbose = settings.verbosity > 0  # type: ignore[attr-defined]
    if not settings.quiet:
        click.echo(f"serving {site_dir} at {server.url}/ (SPARQL at {server.url}/sparql); Ctrl-C stops")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
