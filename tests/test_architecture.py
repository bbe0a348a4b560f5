"""The layers of docs/architecture.md hold: import-linter's contracts pass, and would fail on a circle."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "migration_kg"


def _lint_imports(cwd: Path, package_parent: Path) -> subprocess.CompletedProcess[str]:
    executable = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(executable), "--no-cache", "--config", str(cwd / "pyproject.toml")], cwd=cwd,
                          capture_output=True, text=True, check=False,
                          env={"PYTHONPATH": str(package_parent), "PATH": "/usr/bin:/bin"})


def test_contracts_are_kept() -> None:
    completed = _lint_imports(ROOT, ROOT / "src")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "4 kept, 0 broken" in completed.stdout


def test_a_circle_or_a_layer_breach_fails(tmp_path: Path) -> None:
    shutil.copytree(PACKAGE, tmp_path / "src" / "migration_kg", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    loader = tmp_path / "src" / "migration_kg" / "graph" / "load.py"
    loader.write_text(loader.read_text(encoding="utf-8") + "\nfrom migration_kg.shacl import validation  # noqa\n",
                      encoding="utf-8")
    completed = _lint_imports(tmp_path, tmp_path / "src")
    assert completed.returncode == 1
    assert "BROKEN" in completed.stdout
    assert "migration_kg.graph.load -> migration_kg.shacl.validation" in completed.stdout


def test_no_module_is_over_450_lines() -> None:
    long = {str(path.relative_to(PACKAGE)): n for path in PACKAGE.rglob("*.py")
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > 450}
    assert long == {}
