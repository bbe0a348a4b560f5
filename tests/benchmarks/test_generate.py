"""The benchmark's synthetic data: same seed, same bytes; valid without plantings; quotes found where they point."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from synthetic import generator

from migration_kg.pipeline.api import validate

MKG = "https://w3id.org/migration-kg/ontology#"


def _digests(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def valid_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synthetic") / "valid"
    generator().main(["--triples", "3000", "--out", str(out)])
    return out


def test_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    generate = generator()
    generate.write_project(generate.generate(2000, seed=3, plant=True), tmp_path / "a")
    generate.write_project(generate.generate(2000, seed=3, plant=True), tmp_path / "b")
    generate.write_project(generate.generate(2000, seed=4, plant=True), tmp_path / "c")
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")
    assert _digests(tmp_path / "a")["data/places.ttl"] != _digests(tmp_path / "c")["data/places.ttl"]


def test_data_without_plantings_conforms(valid_project: Path) -> None:
    manifest = json.loads((valid_project / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["planted"] == []
    assert 3000 <= manifest["triples"] < 4000
    report = validate(project_root=valid_project)
    assert [(v.focus, v.source) for v in report.violations] == []
    assert len(report.qc_results) >= 10


def test_quotes_are_found_at_their_offsets(valid_project: Path) -> None:
    article = (valid_project / "source" / "synthetic-article.txt").read_text(encoding="utf-8")
    store = ox.Store()
    store.bulk_load(path=str(valid_project / "data" / "claims.ttl"), format=ox.RdfFormat.TURTLE)
    query = f"SELECT ?q ?s ?e WHERE {{ ?c <{MKG}quote> ?q ; <{MKG}quoteStart> ?s ; <{MKG}quoteEnd> ?e }}"
    rows = list(store.query(query))
    assert len(rows) > 50
    for row in rows:
        assert article[int(row["s"].value):int(row["e"].value)] == row["q"].value
    assert {row["q"].language for row in rows} == {"fr"}


def test_planted_errors_are_listed_in_the_manifest(tmp_path: Path) -> None:
    generate = generator()
    manifest = generate.write_project(generate.generate(2500, seed=7, plant=True), tmp_path / "planted")
    names = {item["name"] for item in manifest["planted"]}
    assert {"missing-english-label", "term-ends-before-start", "quote-offsets", "city-in-two-countries",
            "theme-outside-scheme", "unsupported-statement"} <= names
    report = validate(project_root=tmp_path / "planted")
    expected = {(item["focus"], check) for item in manifest["planted"] for check in item["checks"]}
    assert {(v.focus, v.source) for v in report.violations} == expected
