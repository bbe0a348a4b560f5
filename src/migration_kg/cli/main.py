"""The ``migration-kg`` command: the root group, where errors become exit codes, and its command groups."""

from __future__ import annotations

import sys
from typing import Any

import click

from migration_kg import __version__
from migration_kg.cli.common import Settings, print_violations
from migration_kg.cli.link import link
from migration_kg.cli.pipeline import build, validate
from migration_kg.cli.provenance import quote, source
from migration_kg.cli.query import query
from migration_kg.cli.site import publish, serve
from migration_kg.cli.store import dump, load, sparql_server
from migration_kg.errors import MigrationKGError


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


for command in (build, validate, source, quote, link, query, publish, serve, load, dump, sparql_server):
    main.add_command(command)

__all__ = ["main"]
