"""``migration-kg link``: check, suggest, accept and enrich Wikidata links (a thin layer over migration_kg.wikidata)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from migration_kg.cli.common import Settings, make_console, progress_display, project_option
from migration_kg.errors import EXIT_NOT_CONFORMING

if TYPE_CHECKING:
    from migration_kg.wikidata.ours import OurGraph

T = TypeVar("T")

REPORT_FORMATS = ("table", "csv", "json")
VERDICT_STYLES = {"ok": "green", "wrong": "bold red", "warning": "yellow", "not-comparable": "dim"}


def wikidata_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options every command that talks to Wikidata shares: endpoint, timeout, retries, cache."""
    from migration_kg.iris import WIKIDATA_QUERY_SERVICE as DEFAULT_ENDPOINT

    options = [
        click.option("--endpoint", default=DEFAULT_ENDPOINT, show_default=True, metavar="URL",
                     help="SPARQL endpoint (a Wikidata mirror or a local test server)."),
        click.option("--timeout", default=60, show_default=True, type=click.IntRange(1, 300),
                     help="Seconds to wait for one answer (the service also stops long queries on its own)."),
        click.option("--retries", default=4, show_default=True, type=click.IntRange(0, 10),
                     help="Retries after 429/502/503/504, with exponential backoff honouring Retry-After."),
        click.option("--max-wait", default=60.0, show_default=True, type=click.FloatRange(0, 600),
                     help="Longest pause between two retries, in seconds; if Retry-After asks for more, stop."),
        click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                     help="Where answers are cached (default: PROJECT/.cache/wikidata)."),
        click.option("--no-cache", is_flag=True, help="Neither read nor write the cache."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


graph_option = click.option(
    "--graph", "graph_files", multiple=True, type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Read our entities from this RDF file (e.g. dist/migration-kg.nt) instead of PROJECT/data; repeatable.")


def make_client(project_root: Path, endpoint: str, timeout: int, retries: int, max_wait: float,
                cache_dir: Path | None, no_cache: bool, search_api: str | None = None) -> Any:
    """The one Wikidata client of a command, configured from its options (contact: MIGRATION_KG_CONTACT)."""
    from migration_kg.wikidata.client import DEFAULT_SEARCH_API, WikidataClient

    cache = None if no_cache else (cache_dir or project_root / ".cache" / "wikidata")
    return WikidataClient(endpoint=endpoint, search_api=search_api or DEFAULT_SEARCH_API, timeout=timeout,
                          retries=retries, max_wait=max_wait, cache_dir=cache)


def ask_about_our_graph(settings: Settings, project_root: Path, graph_files: Sequence[Path], client: Any,
                        ask: Callable[[OurGraph], T]) -> T:
    """Read our graph, then put ``ask`` to Wikidata about it, showing both steps on the status line."""
    from migration_kg.wikidata.ours import OurGraph

    with progress_display(settings) as step:
        step("reading our graph")
        ours = OurGraph.load(project_root, graph_files)
        step(f"asking {client.endpoint}")
        return ask(ours)


def _traffic(settings: Settings, client: Any) -> None:
    """Say on stderr how many requests went out and how many answers came from the cache."""
    if not settings.quiet:
        click.echo(f"{client.endpoint}: {client.requests_made} HTTP requests, "
                   f"{client.cache_hits} answers from the cache", err=True)


@click.group("link")
def link() -> None:
    """Check our Wikidata links, suggest missing ones, accept reviewed ones, fetch enrichment."""


@link.command()
@project_option
@graph_option
@wikidata_options
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="table", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the report to this file instead of the terminal.")
@click.option("--date", "on_date", default=None, metavar="YYYY-MM-DD",
              help="Date for 'who was mayor' (default: the article's publication date).")
@click.pass_obj
def check(settings: Settings, project_root: Path, graph_files: tuple[Path, ...], endpoint: str, timeout: int,
          retries: int, max_wait: float, cache_dir: Path | None, no_cache: bool, fmt: str, output: Path | None,
          on_date: str | None) -> None:
    """Check every owl:sameAs link: item exists (redirects reported), type, label, country, mayor, positions.

    Exit codes: 0 no link is wrong, 1 some link is wrong, 2 bad input, 10-16 Wikidata failures.
    On Wikimedia's own services, MIGRATION_KG_CONTACT must say how to reach you (User-Agent policy).
    """
    from migration_kg.files import write_file_atomically
    from migration_kg.wikidata.check import check_links, report_text

    client = make_client(project_root, endpoint, timeout, retries, max_wait, cache_dir, no_cache)
    rows = ask_about_our_graph(settings, project_root, graph_files, client,
                               lambda ours: check_links(ours, client, on_date))
    if fmt == "table":
        table = _table(rows)
        if output is not None:
            import io

            from rich.console import Console

            buffer = io.StringIO()
            Console(file=buffer, width=200, highlight=False).print(table)
            write_file_atomically(output, buffer.getvalue())
        else:
            make_console().print(table)
    elif output is not None:
        write_file_atomically(output, report_text(rows, fmt))
    else:
        click.echo(report_text(rows, fmt), nl=False)
    counts = {verdict: sum(r.verdict == verdict for r in rows) for verdict in VERDICT_STYLES}
    if not settings.quiet:
        links, wrong = len({r.entity for r in rows}), len({r.entity for r in rows if r.verdict == "wrong"})
        click.echo(f"checked {_count(links, 'link')} with {_count(len(rows), 'check')} (" +
                   ", ".join(f"{n} {verdict}" for verdict, n in counts.items()) +
                   f"); {_count(wrong, 'link')} with a wrong check", err=True)
    _traffic(settings, client)
    if counts["wrong"]:
        sys.exit(EXIT_NOT_CONFORMING)


def _count(number: int, noun: str) -> str:
    """``1 link``, ``2 links``."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _table(rows: list[Any]) -> Any:
    """The check report as a rich table, verdicts coloured."""
    from rich.table import Table

    table = Table(title="Wikidata link check", show_lines=False)
    for column in ("entity", "check", "ours", "wikidata", "verdict"):
        table.add_column(column, overflow="fold")
    for row in rows:
        style = VERDICT_STYLES.get(row.verdict, "")
        table.add_row(f"{row.entity} {row.qid}", row.check, row.ours, row.wikidata,
                      f"[{style}]{row.verdict}[/]")
    return table


@link.command()
@project_option
@graph_option
@wikidata_options
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("mappings.sssom.tsv"),
              show_default=True, help="The SSSOM/TSV file to write.")
@click.option("--per-entity", default=5, show_default=True, type=click.IntRange(1, 50),
              help="Keep at most this many candidates for each entity.")
@click.option("--search-api", default="https://www.wikidata.org/w/api.php", show_default=True, metavar="URL",
              help="The wbsearchentities API that finds candidates by name (a mirror or a local test server).")
@click.pass_obj
def suggest(settings: Settings, project_root: Path, graph_files: tuple[Path, ...], endpoint: str, timeout: int,
            retries: int, max_wait: float, cache_dir: Path | None, no_cache: bool, output: Path,
            per_entity: int, search_api: str) -> None:
    """Find Wikidata candidates for entities without a link and write them as SSSOM for review.

    Nothing is linked: a reviewer sets the 'review' column to 'accepted' (with reviewer_id or
    reviewer_label), then runs 'migration-kg link accept FILE'.
    """
    from migration_kg.files import write_file_atomically
    from migration_kg.wikidata.sssom import sssom_text
    from migration_kg.wikidata.suggest import suggest_links

    client = make_client(project_root, endpoint, timeout, retries, max_wait, cache_dir, no_cache, search_api)
    suggestions = ask_about_our_graph(settings, project_root, graph_files, client,
                                      lambda ours: suggest_links(ours, client, per_entity))
    write_file_atomically(output, sssom_text(suggestions))
    if not settings.quiet:
        entities = len({s.subject for s in suggestions})
        click.echo(f"wrote {_count(len(suggestions), 'candidate mapping')} for {entities} "
                   f"{'entity' if entities == 1 else 'entities'} to {output}", err=True)
    _traffic(settings, client)


@link.command()
@project_option
@click.argument("sssom_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--min-confidence", default=0.0, show_default=True, type=click.FloatRange(0, 1),
              help="Leave out accepted rows whose confidence is below this.")
@click.pass_obj
def accept(settings: Settings, project_root: Path, sssom_file: Path, min_confidence: float) -> None:
    """Write the rows of SSSOM_FILE marked 'accepted' as links into data/wikidata-links-accepted.ttl.

    skos:exactMatch becomes owl:sameAs and skos:closeMatch stays skos:closeMatch; each link gets a
    mkg:Claim derived from the reviewed mapping set. Run 'migration-kg build' afterwards.
    """
    from migration_kg.wikidata.accept import accept_mappings

    result = accept_mappings(project_root, sssom_file, min_confidence)
    if not settings.quiet:
        for line, reason in result.skipped:
            click.echo(f"{sssom_file}:{line}: skipped ({reason})", err=True)
        click.echo(f"wrote {_count(len(result.written), 'link')} to {result.path}" if result.written
                   else "no accepted row to write", err=True)


@link.command()
@project_option
@graph_option
@wikidata_options
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write (default: PROJECT/data/wikidata-enrichment.ttl).")
@click.pass_obj
def enrich(settings: Settings, project_root: Path, graph_files: tuple[Path, ...], endpoint: str, timeout: int,
           retries: int, max_wait: float, cache_dir: Path | None, no_cache: bool, output: Path | None) -> None:
    """Fetch population, coordinates, official website and inception of linked entities, with provenance.

    The snapshot is stored in data/ so that builds stay offline; run it only with network access.
    """
    from migration_kg.files import write_file_atomically
    from migration_kg.wikidata.enrich import ENRICHMENT_FILE, enrich_links

    client = make_client(project_root, endpoint, timeout, retries, max_wait, cache_dir, no_cache)
    target = output or project_root / "data" / ENRICHMENT_FILE
    note = f"Retrieved from {endpoint} by migration-kg link enrich."
    graph = ask_about_our_graph(settings, project_root, graph_files, client,
                                lambda ours: enrich_links(ours, client, note))
    write_file_atomically(target, graph.serialize(format="turtle"))
    if not settings.quiet:
        click.echo(f"wrote {len(graph)} triples to {target}", err=True)
    _traffic(settings, client)
