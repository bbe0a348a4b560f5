"""The CLI: help and version, exit codes 0/1/2, one-line errors, and validate on a user's own file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from migration_kg import __version__
from migration_kg.cli.main import main


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_every_command_has_help(runner: CliRunner) -> None:
    for command in main.commands:
        result = runner.invoke(main, [command, "--help"])
        assert result.exit_code == 0, command
        assert "Usage:" in result.output


def test_build_command_succeeds(runner: CliRunner, project_root: Path, tmp_path: Path) -> None:
    result = runner.invoke(main, ["build", "--project", str(project_root), "--out", str(tmp_path / "dist")])
    assert result.exit_code == 0, result.output
    assert "conforms" in result.output


def test_validate_a_users_own_file(runner: CliRunner, project_root: Path, fixtures_dir: Path, tmp_path: Path) -> None:
    good = fixtures_dir / "cli" / "user-data-valid.ttl"
    bad = fixtures_dir / "cli" / "user-data-invalid.ttl"
    ok = runner.invoke(main, ["validate", "--project", str(project_root), str(good)])
    assert ok.exit_code == 0, ok.output
    report = tmp_path / "report.ttl"
    failed = runner.invoke(main, ["validate", "--project", str(project_root), "--report", str(report), str(bad)])
    assert failed.exit_code == 1
    assert "Lyon" in failed.output
    assert "a city lies in exactly one country" in failed.output
    assert "sh:conforms false" in report.read_text(encoding="utf-8")


def test_syntax_error_is_one_line_with_exit_code_2(project_root: Path, fixtures_dir: Path) -> None:
    bad = fixtures_dir / "cli" / "syntax-error.ttl"
    command = [sys.executable, "-m", "migration_kg", "validate", "--project", str(project_root), str(bad)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{bad}:4:" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unknown_project_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["build", "--project", str(tmp_path)])
    assert result.exit_code == 2
    assert "not a migration-kg project" in result.output
