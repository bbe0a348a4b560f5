"""The command-line interface: one module per command group over the Python API, ``common`` for what they share."""

from migration_kg.cli.main import main

__all__ = ["main"]
