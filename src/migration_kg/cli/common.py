"""What every command group shares: the common options, the settings object, consoles and progress display."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

project_option = click.option(
    "--project", "project_root", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
    show_default=True, help="Directory holding ontology/, data/, shapes/ and queries/.")
engine_option = click.option(
    "--engine", type=click.Choice(["fast", "pyshacl"]), default="fast", show_default=True,
    help="SHACL engine: fast (SPARQL on pyoxigraph) or pyshacl (the reference); both report the same results.")

sources_option = click.option(
    "--sources", "sources", multiple=True, type=click.Path(file_okay=False, path_type=Path),
    help="Folder of source texts that quotes are checked against, matched by SHA-256 (repeatable; default: "
         "$MIGRATION_KG_SOURCES, else PROJECT/sources; PROJECT/texts is always searched).")


class Settings:
    """Options shared by every command (verbosity), set on the group."""

    def __init__(self, verbosity: int) -> None:
        self.verbosity = verbosity

    @property
    def quiet(self) -> bool:
        return self.verbosity < 0


def shown(path: Path) -> str:
    """A path as the user would type it: relative to the current directory when it lies under it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def make_console(stderr: bool = False) -> Any:
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
    console = make_console(stderr=True)
    with console.status("starting") as status:
        def step(message: str) -> None:
            status.update(message)
            if settings.verbosity > 0:
                console.log(message)
        yield step


def print_violations(report: Any) -> None:
    """The violations as a table on stderr: entity (by label), path, message, check."""
    from rich.table import Table

    table = Table(title=f"{len(report.violations)} violations", show_lines=False)
    for column in ("entity", "path", "message", "check"):
        table.add_column(column, overflow="fold")
    for violation in report.violations:
        check = violation.source.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        component = violation.component.rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
        check += f" ({component})" if component else ""
        table.add_row(f"{violation.focus_label} {violation.focus_ref}", violation.path, violation.message, check)
    make_console(stderr=True).print(table)
