"""The ontology documents itself: metadata, and labels in both languages plus a comment on every own term."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from migration_kg.graph.load import load_graph
from migration_kg.namespaces import MKG, ONTOLOGY_IRI, SH


@pytest.fixture(scope="module")
def ontology(project_root: Path) -> Graph:
    return load_graph(sorted((project_root / "ontology").glob("*.ttl")))


@pytest.fixture(scope="module")
def shapes(project_root: Path) -> Graph:
    return load_graph(sorted((project_root / "shapes").glob("*.ttl")))


def _own_terms(ontology: Graph) -> list[URIRef]:
    return sorted(s for s in set(ontology.subjects(RDF.type)) if str(s).startswith(str(MKG)))


def test_ontology_metadata(ontology: Graph) -> None:
    iri = URIRef(ONTOLOGY_IRI)
    assert (iri, RDF.type, OWL.Ontology) in ontology
    for prop in (OWL.versionInfo, OWL.versionIRI, DCTERMS.license, DCTERMS.title, DCTERMS.description):
        assert ontology.value(iri, prop) is not None, prop


def test_every_own_term_has_bilingual_labels_and_comments(ontology: Graph) -> None:
    terms = _own_terms(ontology)
    assert len(terms) >= 35
    for term in terms:
        labels = sorted(label.language for label in ontology.objects(term, RDFS.label))
        comments = sorted(comment.language for comment in ontology.objects(term, RDFS.comment))
        assert labels == ["en", "fr"], term
        assert comments == ["en", "fr"], term


def test_every_own_property_has_a_domain_or_range(ontology: Graph) -> None:
    for term in _own_terms(ontology):
        if (term, RDF.type, OWL.Class) in ontology:
            continue
        assert ontology.value(term, RDFS.domain) or ontology.value(term, RDFS.range), term


def test_every_constraint_has_a_message(shapes: Graph) -> None:
    """Each property shape and each SPARQL constraint says in words what went wrong."""
    constraints = list(shapes.objects(None, SH.property)) + list(shapes.objects(None, SH.sparql))
    assert len(constraints) >= 50
    silent = [c for c in constraints if shapes.value(c, SH.message) is None]
    assert silent == []
