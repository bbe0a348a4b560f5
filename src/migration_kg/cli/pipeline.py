"""The ``build`` and ``validate`` commands: thin click layers over :mod:`migration_kg.pipeline.api`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from migration_kg.cli.common import (
    Settings,
    engine_option,
    print_violations,
    progress_display,
    project_option,
    shown,
    sources_option,
)
from migration_kg.errors import EXIT_NOT_CONFORMING


@click.command()
@project_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output directory (default: PROJECT/dist).")
@engine_option
@sources_option
@click.pass_obj
def build(settings: Settings, project_root: Path, out_dir: Path | None, engine: str,
          sources: tuple[Path, ...]) -> None:
    """Load ontology and data, validate them (shapes, QC queries, quotes), and write every output to dist/.

    Every quote whose source text is available (see --sources) must stand verbatim at its offsets.
    Exit codes: 0 built, 1 the data does not conform (dist/ untouched), 2 bad input or usage.
    """
    from migration_kg.pipeline.api import build as run_build

    with progress_display(settings) as step:
        result = run_build(project_root, out_dir, step, engine, list(sources) or None)
    if not settings.quiet:
        click.echo(f"built {result.triples} triples into {shown(result.out_dir)} "
                   f"({len(result.files)} files); data conforms to every shape and QC query; "
                   f"{result.report.quote_summary}")


@click.command()
@project_option
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the validation report as Turtle to this file.")
@engine_option
@sources_option
@click.option("--endpoint", default=None, metavar="URL",
              help="Validate what a SPARQL endpoint holds, inside the store (URL of its query service; the data "
                   "and the ontology in its default graph or in the --graph graphs). Credentials: "
                   "MIGRATION_KG_SPARQL_TOKEN, or MIGRATION_KG_SPARQL_USER and MIGRATION_KG_SPARQL_PASSWORD.")
@click.option("--graph", "graphs", multiple=True, metavar="IRI",
              help="With --endpoint: a named graph to validate (repeatable; their union is validated).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None, metavar="SECONDS",
              help="With --endpoint: how long to wait for the store's answer to each validation query "
                   "(default 600).")
@click.pass_obj
def validate(settings: Settings, project_root: Path, files: tuple[Path, ...], report_path: Path | None,
             engine: str, sources: tuple[Path, ...], endpoint: str | None, graphs: tuple[str, ...],
             timeout: float | None) -> None:
    """Run the SHACL shapes, QC queries and quote checks on the project's data, or on FILES instead, or on what a
    SPARQL endpoint holds (--endpoint), inside the store.

    Exit codes: 0 conforms, 1 does not conform, 2 bad input or usage, 3 to 7 the endpoint could not be used
    (unreachable, too slow or cut its answer short, refused a query, did not answer SPARQL results, cut its
    answer at a row limit).
    """
    from migration_kg.errors import UsageError
    from migration_kg.files import write_file_atomically
    from migration_kg.pipeline.api import validate as run_validate

    with progress_display(settings) as step:
        if (graphs or timeout is not None) and endpoint is None:
            raise UsageError(f"{'--graph' if graphs else '--timeout'} goes with --endpoint (a store to validate in)")
        report = run_validate(files, project_root, step, engine, list(sources) or None, endpoint, graphs,
                              timeout or 600.0)
    if report_path is not None:
        from migration_kg.graph.serialize import to_turtle

        write_file_atomically(report_path, to_turtle(report.to_graph()))
    if not report.conforms:
        print_violations(report)
        click.echo(f"does not conform: {len(report.violations)} violations; {report.quote_summary}", err=True)
        sys.exit(EXIT_NOT_CONFORMING)
    if not settings.quiet:
        click.echo(f"conforms: no SHACL violation, every QC query returned no rows; {report.quote_summary}")
