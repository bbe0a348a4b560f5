"""Incremental publish: a publish over an existing site rewrites only the files whose content changed (by the
hashes of ``.publish-manifest``), keeps the others as they are, drops what is gone, distrusts a file edited since,
and gives byte for byte the site that a full publish into an empty directory gives."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from migration_kg.cli.main import main
from migration_kg.errors import NotConformingError
from migration_kg.site.output import MANIFEST, read_manifest
from migration_kg.site.publish import publish

ISSUED = "2026-11-26"
SOROS = "<https://w3id.org/migration-kg/id/person/george-soros>"
_SUBJECT_OR_OBJECT = ("<http://www.w3.org/1999/02/22-rdf-syntax-ns#subject>",
                      "<http://www.w3.org/1999/02/22-rdf-syntax-ns#object>")


def _tree(site: Path) -> dict[str, bytes]:
    """Every file of a site (the manifest included) by its path, with its bytes."""
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in site.rglob("*") if path.is_file()}


def _stats(site: Path) -> dict[str, tuple[int, int]]:
    """(inode, mtime in ns) of every file of a site."""
    found = {}
    for path in site.rglob("*"):
        if path.is_file():
            status = path.stat()
            found[path.relative_to(site).as_posix()] = (status.st_ino, status.st_mtime_ns)
    return found


def _summary(output: str) -> tuple[int, int, int]:
    """(rewritten, unchanged, removed) from the line the publish command ends with."""
    found = re.search(r"; (\d+) rewritten, (\d+) unchanged, (\d+) removed$", output.strip().splitlines()[-1])
    assert found, output
    return int(found[1]), int(found[2]), int(found[3])


def _check_manifest(site: Path) -> dict[str, str]:
    """The manifest lists every other file of the site with the SHA-256 of its bytes."""
    manifest = read_manifest(site)
    files = _tree(site)
    assert set(manifest) == set(files) - {MANIFEST}
    for path, digest in manifest.items():
        assert hashlib.sha256(files[path]).hexdigest() == digest, path
    return manifest


def _run_publish(runner, project_root: Path, dist_dir: Path, out: Path):
    return runner.invoke(main, ["publish", "--project", str(project_root), "--dist", str(dist_dir), "--out", str(out),
                                "--issued", ISSUED])


@pytest.fixture()
def published(dist_dir: Path, project_root: Path, tmp_path: Path) -> Path:
    return publish(project_root, dist_dir, tmp_path / "site", issued=ISSUED).out_dir


def test_a_second_publish_with_no_change_rewrites_nothing(runner, published: Path, dist_dir: Path,
                                                          project_root: Path) -> None:
    before, stats = _tree(published), _stats(published)
    result = _run_publish(runner, project_root, dist_dir, published)
    assert result.exit_code == 0, result.output
    assert _summary(result.output) == (0, len(before) - 1, 0)
    assert _tree(published) == before
    changed = {path for path, stat in _stats(published).items() if stats.get(path) != stat}
    assert changed == {MANIFEST}
    _check_manifest(published)


def test_a_changed_label_rewrites_only_the_files_that_show_it(runner, project_copy: Path, tmp_path: Path) -> None:
    site, fresh = tmp_path / "site", tmp_path / "fresh"
    first = runner.invoke(main, ["publish", "--project", str(project_copy), "--out", str(site), "--issued", ISSUED])
    assert first.exit_code == 0, first.output
    before, stats = read_manifest(site), _stats(site)
    people = project_copy / "data" / "people.ttl"
    text = people.read_text(encoding="utf-8")
    assert text.count('"Ahmed Hussen"@en') == 1
    people.write_text(text.replace('"Ahmed Hussen"@en', '"Ahmed D. Hussen"@en'), encoding="utf-8")
    assert runner.invoke(main, ["build", "--project", str(project_copy)]).exit_code == 0

    again = runner.invoke(main, ["publish", "--project", str(project_copy), "--out", str(site), "--issued", ISSUED])
    assert again.exit_code == 0, again.output
    full = runner.invoke(main, ["publish", "--project", str(project_copy), "--out", str(fresh), "--issued", ISSUED])
    assert full.exit_code == 0, full.output
    assert _tree(site) == _tree(fresh)
    after = _check_manifest(site)
    changed = {path for path, digest in after.items() if before.get(path) != digest}
    rewritten, unchanged, removed = _summary(again.output)
    assert (rewritten, unchanged, removed) == (len(changed), len(after) - len(changed), 0)
    # The person's own pages and documents, the pages that link to them, the release files; not the rest.
    assert {"id/person/ahmed-hussen.html", "fr/id/person/ahmed-hussen.html", "id/person/ahmed-hussen.ttl",
            "download/migration-kg.nt", "SHA256SUMS", "search-index.js"} <= changed
    assert "id/city/kampala.html" not in changed
    assert len(changed) < len(after) / 10
    shown = [path for path in after if path.endswith(".html")
             and "Ahmed D. Hussen" in (site / path).read_text(encoding="utf-8")]
    assert set(shown) <= changed
    now = _stats(site)
    assert {path for path in after if now[path] != stats[path]} == changed


def test_a_deleted_entity_loses_its_pages(runner, published: Path, dist_dir: Path, project_root: Path,
                                          tmp_path: Path) -> None:
    smaller = tmp_path / "dist"
    shutil.copytree(dist_dir, smaller)
    graph = smaller / "migration-kg.nt"
    lines = graph.read_text(encoding="utf-8").splitlines(keepends=True)
    claims = {line.split(" ", 1)[0] for line in lines
              if line.split(" ", 2)[1] in _SUBJECT_OR_OBJECT and line.split(" ", 2)[2].startswith(SOROS + " ")}
    gone = {SOROS, *claims}
    graph.write_text("".join(line for line in lines if not any(
        line.startswith(iri + " ") or f" {iri} " in line for iri in gone)), encoding="utf-8")
    before = set(read_manifest(published))
    result = _run_publish(runner, project_root, smaller, published)
    assert result.exit_code == 0, result.output
    after = _check_manifest(published)
    stems = ["id/person/george-soros", *(f"id/claim/{claim[1:-1].rsplit('/', 1)[1]}" for claim in claims)]
    missing = {f"{language}{stem}.html" for stem in stems for language in ("", "fr/")}
    missing |= {f"{stem}{suffix}" for stem in stems for suffix in (".ttl", ".nt", ".jsonld")}
    assert missing <= before
    assert not missing & set(after)
    assert not [path for path in missing if (published / path).exists()]
    assert _summary(result.output)[2] == len(before - set(after)) >= len(missing)
    fresh = publish(project_root, smaller, tmp_path / "fresh", issued=ISSUED).out_dir
    assert _tree(published) == _tree(fresh)


def test_a_file_edited_since_the_last_publish_is_rewritten(runner, published: Path, dist_dir: Path,
                                                          project_root: Path) -> None:
    before = _tree(published)
    page = published / "id" / "city" / "montreal.html"
    tampered = page.read_bytes().replace(b"Montr", b"Mont_", 1)
    assert len(tampered) == len(page.read_bytes()) and tampered != before["id/city/montreal.html"]
    page.write_bytes(tampered)
    (published / "index.html").unlink()
    result = _run_publish(runner, project_root, dist_dir, published)
    assert result.exit_code == 0, result.output
    assert _summary(result.output)[:1] == (2,)
    assert _tree(published) == before


def test_a_failed_publish_leaves_the_previous_site_and_its_manifest(published: Path, dist_dir: Path,
                                                                    project_copy: Path, tmp_path: Path) -> None:
    before, stats = _tree(published), _stats(published)
    shapes = project_copy / "shapes" / "release" / "dcat-void-shapes.ttl"
    shapes.write_text(shapes.read_text(encoding="utf-8").replace(
        'sh:pattern "^[0-9a-f]{64}$"', 'sh:pattern "^[0-9a-f]{63}$"'), encoding="utf-8")
    with pytest.raises(NotConformingError, match="release description does not conform"):
        publish(project_copy, dist_dir, published, issued=ISSUED)
    assert _tree(published) == before
    assert _stats(published) == stats
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.")]


def test_a_graph_that_does_not_conform_leaves_the_previous_site(runner, published: Path, dist_dir: Path,
                                                                project_root: Path, tmp_path: Path) -> None:
    """The graph is validated while the site is written: a violation found then still stops the swap."""
    before, stats = _tree(published), _stats(published)
    broken = tmp_path / "dist"
    shutil.copytree(dist_dir, broken)
    with (broken / "migration-kg.nt").open("a", encoding="utf-8") as stream:
        stream.write("<https://w3id.org/migration-kg/id/city/nowhere> "
                     "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://schema.org/City> .\n")
    result = _run_publish(runner, project_root, broken, published)
    assert result.exit_code == 1, result.output
    assert "does not conform" in result.stderr and "nothing published" in result.stderr
    assert _tree(published) == before
    assert _stats(published) == stats
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.")]


def test_the_site_is_the_same_whatever_the_hash_seed(dist_dir: Path, project_root: Path, tmp_path: Path) -> None:
    trees = []
    for seed in ("0", "4242"):
        out = tmp_path / f"site-{seed}"
        subprocess.run([sys.executable, "-m", "migration_kg", "-q", "publish", "--project", str(project_root),
                        "--dist", str(dist_dir), "--out", str(out), "--issued", ISSUED],
                       env={**os.environ, "PYTHONHASHSEED": seed}, check=True)
        _check_manifest(out)
        trees.append(_tree(out))
    assert trees[0] == trees[1]
