"""The Python API as the README shows it: ``from migration_kg import build, validate``, called with a path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_readme_api_builds_and_validates_from_the_project_directory(project_copy: Path, monkeypatch) -> None:
    monkeypatch.chdir(project_copy)
    from migration_kg import build, validate

    result = build(".")
    assert result.out_dir == Path("dist") or result.out_dir.resolve() == (project_copy / "dist").resolve()
    assert (project_copy / "dist" / "migration-kg.ttl").is_file()
    assert result.triples > 2000
    report = validate()
    assert report.conforms
    assert report.violations == []


def test_api_names_are_functions_even_after_the_pipeline_is_imported() -> None:
    """Importing the pipeline's modules must not shadow the API functions on the package (they once did)."""
    code = ("import migration_kg.pipeline.build, migration_kg.shacl.validation\n"
            "from migration_kg import build, validate\n"
            "assert callable(build) and callable(validate), (build, validate)\n"
            "assert build.__module__ == validate.__module__ == 'migration_kg.pipeline.api'\n")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr


def test_cli_help_does_not_import_rdflib_or_pyoxigraph() -> None:
    """The command line starts fast: --help loads no RDF library (lazy imports in every command module)."""
    code = ("import sys\nfrom click.testing import CliRunner\nfrom migration_kg.cli import main\n"
            "CliRunner().invoke(main, ['--help'])\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('rdflib', 'pyoxigraph', 'pyshacl')))\n")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert completed.stdout.strip() == "[]"
