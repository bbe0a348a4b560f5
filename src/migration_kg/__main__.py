"""Allow ``python -m migration_kg``."""

from .cli import main

main()
