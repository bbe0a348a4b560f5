"""Allow ``python -m migration_kg``."""

from migration_kg.cli.main import main

main()
