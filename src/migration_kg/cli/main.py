"""The ``migration-kg`` command: the root group, where errors become exit codes, and its command groups."""

from __future__ import annotations

import errno
import os
import sys
import traceback
from typing import Any, NoReturn

import click

from migration_kg import __version__
from migration_kg.cli.common import Settings, print_violations
from migration_kg.cli.link import link
from migration_kg.cli.pipeline import build, validate
from migration_kg.cli.provenance import quote, source
from migration_kg.cli.query import query
from migration_kg.cli.site import publish, serve
from migration_kg.cli.store import dump, load, sparql_server
from migration_kg.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_IO, MigrationKGError


class ErrorMappingGroup(click.Group):
    """Turns every failure into one line on stderr and its own exit code; the traceback only with -v.

    Project errors carry their code; an I/O failure that no command caught (disk full, read-only output, a closed
    pipe) exits 74, anything unexpected 70 and Ctrl-C 130, so that 1 always means a verdict.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            result = super().invoke(ctx)
            try:
                sys.stdout.flush()  # a full disk behind a redirected stdout shows here, not at interpreter exit
            except OSError as error:
                error.filename = "<stdout>"
                raise
            return result
        except MigrationKGError as error:
            report = getattr(error, "report", None)
            if report is not None:
                print_violations(report)
            if error.exit_code in (EXIT_INTERNAL, EXIT_IO):
                _fail(ctx, error.exit_code, str(error))
            click.echo(f"error: {error}", err=True)
            sys.exit(error.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            _fail(ctx, EXIT_INTERRUPTED, "interrupted", show_traceback=False)
        except OSError as error:
            if error.errno == errno.EPIPE:
                _silence_stdout()
                sys.exit(EXIT_IO)
            _fail(ctx, EXIT_IO, describe_os_error(error))
        except MemoryError:
            _fail(ctx, EXIT_INTERNAL, "out of memory")
        except Exception as error:
            _fail(ctx, EXIT_INTERNAL, f"internal error ({type(error).__name__}: {error}); "
                                      "run with -v for the traceback, and please report it")


def describe_os_error(error: OSError) -> str:
    """An OSError as one line that names the file (or standard output) that failed."""
    reason = error.strerror or str(error)
    # Text for the terminal goes out through click.echo or a rich console: an error there is the output stream's.
    echoed = any((frame.name == "echo" and "click" in frame.filename) or f"{os.sep}rich{os.sep}" in frame.filename
                 for frame in traceback.extract_tb(error.__traceback__))
    if error.filename == "<stdout>" or (error.filename is None and echoed):
        return f"cannot write to standard output: {reason}"
    if error.filename is not None:
        target = error.filename if error.filename2 is None else f"{error.filename} -> {error.filename2}"
        return f"I/O error on {target}: {reason}"
    return f"I/O error on an open file: {reason}"


def _fail(ctx: click.Context, code: int, message: str, show_traceback: bool = True) -> NoReturn:
    settings = ctx.obj if isinstance(ctx.obj, Settings) else None
    if show_traceback and settings is not None and settings.verbosity > 0:
        traceback.print_exc()
    click.echo(f"error: {message}", err=True)
    _silence_stdout()
    sys.exit(code)


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit cannot fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


@click.group(cls=ErrorMappingGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="migration-kg")
@click.option("-v", "--verbose", count=True, help="Say more (repeatable); show the traceback of a failure.")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """Build, validate, query and publish the migration-kg knowledge graph."""
    ctx.obj = Settings(-1 if quiet else verbose)


for command in (build, validate, source, quote, link, query, publish, serve, load, dump, sparql_server):
    main.add_command(command)

__all__ = ["main"]
