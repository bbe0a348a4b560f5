"""The ``migration-kg`` command: a thin click layer over the Python API; exit codes are mapped here."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from . import __version__
from .errors import EXIT_INPUT, EXIT_NOT_CONFORMING, MigrationKGError

project_option = click.option(
    "--project", "project_root", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
    show_default=True, help="Directory holding ontology/, data/, shapes/ and queries/.")
engine_option = click.option(
    "--engine", type=click.Choice(["fast", "pyshacl"]), default="fast", show_default=True,
    help="SHACL engine: fast (SPARQL on pyoxigraph) or pyshacl (the reference); both report the same results.")


class Settings:
    """Options shared by every command (verbosity), set on the group."""

    def __init__(self, verbosity: int) -> None:
        self.verbosity = verbosity

    @property
    def quiet(self) -> bool:
        return self.verbosity < 0


def _console(stderr: bool = False) -> Any:
    """A rich console; when writing to a file or pipe it is wide enough that report tables do not fold."""
    from rich.console import Console

    console = Console(stderr=stderr, highlight=False)
    if not console.is_terminal:
        console = Console(stderr=stderr, highlight=False, width=max(console.width, 200))
    return console


@contextmanager
def progress_display(settings: Settings) -> Iterator[Any]:
    """A rich status line on stderr for long work; silent with -q."""
    if settings.quiet:
        yield lambda _message: None
        return
    console = _console(stderr=True)
    with console.status("starting") as status:
        def step(message: str) -> None:
            status.update(message)
            if settings.verbosity > 0:
                console.log(message)
        yield step


class ErrorMappingGroup(click.Group):
    """Turns project errors into a one-line message and the right exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MigrationKGError as error:
            report = getattr(error, "report", None)
            if report is not None:
                print_violations(report)
            click.echo(f"error: {error}", err=True)
            sys.exit(error.exit_code)


@click.group(cls=ErrorMappingGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="migration-kg")
@click.option("-v", "--verbose", count=True, help="Say more (repeatable).")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """Build, validate, query and publish the migration-kg knowledge graph."""
    ctx.obj = Settings(-1 if quiet else verbose)


def print_violations(report: Any) -> None:
    """The violations as a table on stderr: entity (by label), path, message, check."""
    from rich.table import Table

    table = Table(title=f"{len(report.violations)} violations", show_lines=False)
    for column in ("entity", "path", "message", "check"):
        table.add_column(column, overflow="fold")
    for violation in report.violations:
        check = violation.source.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        table.add_row(f"{violation.focus_label} <{violation.focus}>", violation.path, violation.message, check)
    _console(stderr=True).print(table)


@main.command()
@project_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output directory (default: PROJECT/dist).")
@engine_option
@click.pass_obj
def build(settings: Settings, project_root: Path, out_dir: Path | None, engine: str) -> None:
    """Load ontology and data, validate them, and write every output to dist/.

    Exit codes: 0 built, 1 the data does not conform (dist/ untouched), 2 bad input or usage.
    """
    from .api import build as run_build

    with progress_display(settings) as step:
        result = run_build(project_root, out_dir, step, engine)
    if not settings.quiet:
        click.echo(f"built {result.triples} triples into {result.out_dir} "
                   f"({len(result.files)} files); data conforms to every shape and QC query")


@main.command()
@project_option
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the validation report as Turtle to this file.")
@engine_option
@click.pass_obj
def validate(settings: Settings, project_root: Path, files: tuple[Path, ...], report_path: Path | None,
             engine: str) -> None:
    """Run the SHACL shapes and QC queries on the project's data, or on FILES instead.

    Exit codes: 0 conforms, 1 does not conform, 2 bad input or usage.
    """
    from .api import validate as run_validate
    from .build import write_file_atomically

    with progress_display(settings) as step:
        report = run_validate(files, project_root, step, engine)
    if report_path is not None:
        from .serialize import to_turtle

        write_file_atomically(report_path, to_turtle(report.to_graph()))
    if not report.conforms:
        print_violations(report)
        click.echo(f"does not conform: {len(report.violations)} violations", err=True)
        sys.exit(EXIT_NOT_CONFORMING)
    if not settings.quiet:
        click.echo("conforms: no SHACL violation, every QC query returned no rows")


__all__ = ["EXIT_INPUT", "main"]

from .link_cli import link  # noqa: E402

main.add_command(link)

from .query_cli import query  # noqa: E402

main.add_command(query)

from .site_cli import publish, serve  # noqa: E402

main.add_command(publish)
main.add_command(serve)

from .store_cli import dump, load, sparql_server  # noqa: E402

main.add_command(load)
main.add_command(dump)
main.add_command(sparql_server)
