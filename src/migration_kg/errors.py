"""The error hierarchy; each error names the file, line, IRI or endpoint at fault."""

from __future__ import annotations

from pathlib import Path

#: Exit codes shared by every command.
EXIT_OK = 0
EXIT_NOT_CONFORMING = 1
EXIT_INPUT = 2


class MigrationKGError(Exception):
    """Base class: a failure the CLI reports in one line, with an exit code."""

    exit_code = EXIT_INPUT


class InputError(MigrationKGError):
    """A source that cannot be read or parsed."""

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None,
                 column: int | None = None) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        self.column = column
        where = ""
        if self.path:
            where = self.path
            if line is not None:
                where += f":{line}"
                if column is not None:
                    where += f":{column}"
            where += ": "
        super().__init__(f"{where}{message}")


class UsageError(MigrationKGError):
    """A command called with arguments that do not fit."""


class NotConformingError(MigrationKGError):
    """The data does not conform to the shapes or fails a quality-control query."""

    exit_code = EXIT_NOT_CONFORMING
