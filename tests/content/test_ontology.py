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


# ---------------------------------------------------------------- what OWL tools and catalogues need

PUBLISHER = URIRef("https://w3id.org/migration-kg/dataset#contributors")
FOAF = "http://xmlns.com/foaf/0.1/"
#: Namespaces whose terms OWL 2 itself defines: they need no declaration.
BUILT_IN = ("http://www.w3.org/2002/07/owl#", "http://www.w3.org/2001/XMLSchema#")
BUILT_IN_TERMS = {RDFS.label, RDFS.comment, RDFS.isDefinedBy, RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain,
                  RDFS.range, RDF.type, RDFS.Literal, URIRef(str(RDF) + "PlainLiteral")}
DECLARATIONS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.NamedIndividual,
                RDFS.Datatype)
#: The types that https://schema.org/startDate and https://schema.org/endDate are used on.
SCHEMA_DATE_DOMAINS = {URIRef("https://schema.org/" + name) for name in (
    "CreativeWorkSeason", "CreativeWorkSeries", "DatedMoneySpecification", "EducationalOccupationalProgram",
    "Event", "MerchantReturnPolicySeasonalOverride", "Role", "Schedule")}


def test_ontology_says_who_made_it_when_and_how_to_cite_it(ontology: Graph) -> None:
    iri = URIRef(ONTOLOGY_IRI)
    assert str(ontology.value(iri, DCTERMS.created)) == "2026-11-26"  # the first commit of the ontology file
    assert ontology.value(iri, DCTERMS.creator) == ontology.value(iri, DCTERMS.publisher) == PUBLISHER
    assert str(ontology.value(PUBLISHER, URIRef(FOAF + "name"))) == "migration-kg contributors"
    assert (PUBLISHER, RDF.type, URIRef(FOAF + "Agent")) in ontology
    citation = str(ontology.value(iri, DCTERMS.bibliographicCitation))
    assert str(ontology.value(iri, OWL.versionIRI)) in citation and "migration-kg contributors" in citation


def test_every_own_term_is_defined_by_the_ontology(ontology: Graph) -> None:
    for term in _own_terms(ontology):
        assert ontology.value(term, RDFS.isDefinedBy) == URIRef(ONTOLOGY_IRI), term


def test_every_term_of_another_vocabulary_is_declared(ontology: Graph) -> None:
    """OWL tools read the ontology alone: every class, property and datatype it uses has a declared kind."""
    used: set[URIRef] = set(ontology.predicates())
    for predicate in (RDF.type, RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range):
        used |= {o for o in ontology.objects(None, predicate) if isinstance(o, URIRef)}
        used |= {s for s in ontology.subjects(predicate, None) if isinstance(s, URIRef)}
    used = {term for term in used if term not in BUILT_IN_TERMS and not str(term).startswith(BUILT_IN)
            and not str(term).startswith(str(MKG)) and term not in (URIRef(ONTOLOGY_IRI), PUBLISHER)}
    assert len(used) >= 30
    undeclared = sorted(t for t in used if not any((t, RDF.type, kind) in ontology for kind in DECLARATIONS))
    assert undeclared == []


def test_no_axiom_uses_reserved_vocabulary(ontology: Graph) -> None:
    """OWL 2 DL reserves the rdf:, rdfs: and owl: vocabularies; the old mkg:Claim ⊑ rdf:Statement broke it."""
    for predicate in (RDFS.subClassOf, RDFS.domain, RDFS.range, RDFS.subPropertyOf):
        for subject, value in ontology.subject_objects(predicate):
            for term in (subject, value):
                assert not str(term).startswith((str(RDF), str(RDFS))) or term == URIRef(str(RDF) + "PlainLiteral"), \
                    (subject, predicate, value)


def test_no_own_term_duplicates_a_reused_one(project_root: Path, ontology: Graph) -> None:
    """No mkg: term repeats the local name of a term from a reused vocabulary that the project uses
    (mkg:purpose repeated org:purpose, and was dropped for it)."""
    everything = load_graph(sorted((project_root / "data").glob("*.ttl"))) + ontology
    reused = {str(term).rsplit("/", 1)[-1].rsplit("#", 1)[-1].lower()
              for triple in everything for term in triple
              if isinstance(term, URIRef) and str(term).startswith(
                  ("https://schema.org/", "http://www.w3.org/ns/org#", "http://www.w3.org/ns/prov#",
                   "http://www.w3.org/2004/02/skos/core#", "http://purl.org/dc/terms/"))}
    own = {str(term).removeprefix(str(MKG)).lower(): term for term in _own_terms(ontology)}
    assert sorted(set(own) & reused) == []
    assert (None, URIRef("http://www.w3.org/ns/org#purpose"), None) in everything


def test_start_and_end_dates_are_used_on_the_types_schema_org_intends(project_root: Path, ontology: Graph) -> None:
    """schema:startDate and schema:endDate sit on events and roles (a term of office, a membership) only."""
    data = load_graph(sorted((project_root / "data").glob("*.ttl")))
    for predicate in (URIRef("https://schema.org/startDate"), URIRef("https://schema.org/endDate")):
        subjects = set(data.subjects(predicate, None))
        assert subjects
        for subject in subjects:
            types = {t for direct in data.objects(subject, RDF.type)
                     for t in ontology.transitive_objects(direct, RDFS.subClassOf)}
            assert types & SCHEMA_DATE_DOMAINS, (subject, predicate, sorted(data.objects(subject, RDF.type)))
