"""build: outputs, atomicity, determinism under PYTHONHASHSEED, exit codes and errors that name the fault."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from migration_kg.errors import InputError, NotConformingError
from migration_kg.pipeline.build import build

EXPECTED_FILES = {
    "migration-kg.ttl", "migration-kg.jsonld", "migration-kg.nt", "migration-kg.rdf", "ontology.ttl",
    "shapes.ttl", "context.jsonld", "validation-report.ttl", "validation-report.txt",
}


def _digests(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


def test_build_writes_every_output(built) -> None:
    assert {p.name for p in built.out_dir.iterdir()} == EXPECTED_FILES
    assert built.report.conforms
    assert built.triples > 2000
    assert "Conforms: yes" in (built.out_dir / "validation-report.txt").read_text(encoding="utf-8")


def test_outputs_are_byte_identical_whatever_the_hash_seed(project_root: Path, tmp_path: Path, dist_dir: Path) -> None:
    reference = _digests(dist_dir)
    for seed in ("0", "1", "12345"):
        out = tmp_path / f"dist-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "migration_kg", "-q", "build", "--project", str(project_root),
                        "--out", str(out)], check=True, env=env, timeout=300)
        assert _digests(out) == reference, f"PYTHONHASHSEED={seed}"


def test_syntax_error_names_file_and_line_and_leaves_dist_untouched(project_copy: Path) -> None:
    dist = project_copy / "dist"
    build(project_copy, dist)
    before = _digests(dist)
    broken = project_copy / "data" / "places.ttl"
    lines = broken.read_text(encoding="utf-8").splitlines()
    lines[19] = lines[19] + ' "unterminated'
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        build(project_copy, dist)
    assert caught.value.path == str(broken)
    assert caught.value.line == 20
    assert _digests(dist) == before


def test_non_conforming_fact_fails_and_leaves_dist_untouched(project_copy: Path) -> None:
    dist = project_copy / "dist"
    build(project_copy, dist)
    before = _digests(dist)
    with (project_copy / "data" / "places.ttl").open("a", encoding="utf-8") as stream:
        stream.write("\ncity:montreal schema:containedInPlace country:italy .\n")
    with pytest.raises(NotConformingError) as caught:
        build(project_copy, dist)
    messages = {(v.focus_label, v.message) for v in caught.value.report.violations}
    assert ("Montreal", "a city lies in exactly one country (schema:containedInPlace a schema:Country)") in messages
    assert _digests(dist) == before


def test_missing_source_directory_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a migration-kg project"):
        build(tmp_path)
