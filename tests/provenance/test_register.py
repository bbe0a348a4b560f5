"""A new source is registered with its SHA-256 and metadata, its text kept where its licence allows."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD

from migration_kg.errors import InputError, UsageError
from migration_kg.graph.load import load_graph
from migration_kg.namespaces import MKG, SDO
from migration_kg.pipeline.api import validate
from migration_kg.provenance.register import add_source, slug_for
from migration_kg.provenance.texts import sha256_of

RELEASE = "Mayors met in Marrakech on 8 December 2018.\n"


def test_a_registered_source_is_described_and_its_text_copied(project_copy: Path, tmp_path: Path) -> None:
    text = tmp_path / "release.txt"
    text.write_text(RELEASE, encoding="utf-8")
    folder = tmp_path / "private"
    added = add_source(project_copy, text, "https://example.org/release", "Example release", "2018-12-09",
                       "https://creativecommons.org/licenses/by/4.0/", sources=[folder])
    iri = URIRef(added.iri)
    assert added.iri == "https://w3id.org/migration-kg/id/source/example-release"
    assert added.text_path == folder / "example-release.txt"
    assert added.text_path.read_text(encoding="utf-8") == RELEASE
    graph = load_graph([project_copy / "data" / "sources.ttl"])
    assert {PROV.Entity, SDO.CreativeWork} <= set(graph.objects(iri, RDF.type))
    assert graph.value(iri, MKG.sha256) == Literal(sha256_of(RELEASE.encode()))
    assert graph.value(iri, SDO.datePublished) == Literal("2018-12-09", datatype=XSD.date)
    assert graph.value(iri, SDO.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert {label.language for label in graph.objects(iri, RDFS.label)} == {"en", "fr"}
    report = validate(project_root=project_copy, sources=[folder, Path(__file__).parents[3] / "shared" / "seeds"])
    assert report.conforms, report.to_text()


def test_an_open_text_goes_into_texts(project_copy: Path, tmp_path: Path) -> None:
    text = tmp_path / "release.txt"
    text.write_text(RELEASE, encoding="utf-8")
    added = add_source(project_copy, text, "https://example.org/r", "Open release", "2018-12", "CC0-1.0",
                       keep_in_repository=True)
    assert added.text_path == project_copy / "texts" / "open-release.txt"
    graph = load_graph([project_copy / "data" / "sources.ttl"])
    assert graph.value(URIRef(added.iri), SDO.datePublished) == Literal("2018-12", datatype=XSD.gYearMonth)


def test_the_same_text_cannot_be_registered_twice(project_copy: Path, tmp_path: Path) -> None:
    text = tmp_path / "release.txt"
    text.write_text(RELEASE, encoding="utf-8")
    add_source(project_copy, text, "https://example.org/r", "Release", "2018", sources=[tmp_path / "s"])
    with pytest.raises(UsageError, match="already registered"):
        add_source(project_copy, text, "https://example.org/r", "Another", "2018", sources=[tmp_path / "s"])


@pytest.mark.parametrize(("published", "url", "message"), [
    ("8 Dec 2018", "https://example.org", "--published"), ("2018-12-08", "example.org", "--url")])
def test_bad_metadata_is_a_usage_error(project_copy: Path, tmp_path: Path, published: str, url: str,
                                       message: str) -> None:
    text = tmp_path / "release.txt"
    text.write_text(RELEASE, encoding="utf-8")
    with pytest.raises(UsageError, match=message):
        add_source(project_copy, text, url, "Release", published, sources=[tmp_path / "s"])


def test_a_text_that_is_not_utf8_is_refused(project_copy: Path, tmp_path: Path) -> None:
    text = tmp_path / "latin1.txt"
    text.write_bytes("Montréal".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        add_source(project_copy, text, "https://example.org/r", "Release", "2018", sources=[tmp_path / "s"])


def test_slugs_are_plain_ascii() -> None:
    slug = slug_for("Déclaration des maires : Marrakech, 8 décembre 2018")
    assert slug == "declaration-des-maires-marrakech-8-decembre-2018"
