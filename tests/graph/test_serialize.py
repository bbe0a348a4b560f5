"""Every output parses back, with rdflib, pyoxigraph and pyld, to a graph isomorphic to the built one."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyld import jsonld as pyld
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, XSD

from migration_kg.graph.jsonld import Context
from migration_kg.graph.load import load_graph, to_rdflib
from migration_kg.graph.serialize import FORMATS, serialize

RDFLIB_FORMATS = {"turtle": "turtle", "jsonld": "json-ld", "ntriples": "nt", "rdfxml": "xml"}
OX_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD, "ntriples": ox.RdfFormat.N_TRIPLES,
              "rdfxml": ox.RdfFormat.RDF_XML}


@pytest.fixture(scope="module")
def source_graph(project_root: Path) -> Graph:
    return load_graph(sorted((project_root / "data").glob("*.ttl")))


@pytest.fixture(scope="module")
def context(project_root: Path) -> Context:
    return Context.from_file(project_root / "ontology" / "context.jsonld")


def test_formats_table_covers_four_syntaxes() -> None:
    assert set(FORMATS) == {"turtle", "jsonld", "ntriples", "rdfxml"}


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_output_parses_back_with_rdflib(name: str, dist_dir: Path, source_graph: Graph) -> None:
    path = dist_dir / f"migration-kg{FORMATS[name].suffix}"
    parsed = Graph().parse(path, format=RDFLIB_FORMATS[name])
    assert len(parsed) == len(source_graph)
    assert isomorphic(parsed, source_graph)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_output_parses_back_with_pyoxigraph(name: str, dist_dir: Path, source_graph: Graph) -> None:
    path = dist_dir / f"migration-kg{FORMATS[name].suffix}"
    parsed = Graph()
    for triple in ox.parse(path=str(path), format=OX_FORMATS[name]):
        parsed.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
    assert isomorphic(parsed, source_graph)


def test_jsonld_expands_with_pyld_to_the_same_triples(dist_dir: Path, source_graph: Graph) -> None:
    document = json.loads((dist_dir / "migration-kg.jsonld").read_text(encoding="utf-8"))
    nquads = pyld.to_rdf(document, {"format": "application/n-quads"})
    parsed = Graph().parse(data=nquads, format="nt")
    assert isomorphic(parsed, source_graph)


def test_jsonld_uses_the_published_context(dist_dir: Path) -> None:
    document = json.loads((dist_dir / "migration-kg.jsonld").read_text(encoding="utf-8"))
    published = json.loads((dist_dir / "context.jsonld").read_text(encoding="utf-8"))
    assert document["@context"] == published["@context"]


def test_jsonld_keys_are_readable_terms(dist_dir: Path) -> None:
    """Every property of the data is written under a context term, not a full IRI or a compact IRI."""
    document = json.loads((dist_dir / "migration-kg.jsonld").read_text(encoding="utf-8"))
    keys = {key for node in document["@graph"] for key in node}
    assert not [k for k in keys if ":" in k]
    montreal = next(n for n in document["@graph"] if n["id"] == "city:montreal")
    assert montreal["label"] == {"en": "Montreal", "fr": "Montréal"}
    assert montreal["sameAs"] == "wd:Q340"


def test_context_defines_a_term_for_every_predicate(source_graph: Graph, context: Context) -> None:
    predicates = {str(p) for p in source_graph.predicates()} - {str(RDF.type)}
    assert sorted(predicates - set(context.terms)) == []


def test_jsonld_writer_falls_back_when_a_value_does_not_fit_its_term(context: Context) -> None:
    """A value whose kind differs from the term's coercion still round-trips, under a compact-IRI key."""
    graph = Graph()
    subject = URIRef("https://w3id.org/migration-kg/id/city/x")
    graph.add((subject, URIRef("https://schema.org/containedInPlace"), Literal("not an IRI")))
    graph.add((subject, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("plain, no language")))
    graph.add((subject, URIRef("https://schema.org/startDate"), Literal("2018", datatype=XSD.gYear)))
    graph.add((subject, URIRef("http://example.org/unknown#p"), Literal("007", datatype=XSD.integer)))
    text = serialize(graph, "jsonld", context)
    expanded = pyld.to_rdf(json.loads(text), {"format": "application/n-quads"})
    assert isomorphic(Graph().parse(data=expanded, format="nt"), graph)
    assert isomorphic(Graph().parse(data=text, format="json-ld"), graph)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_awkward_literals_survive_every_format(name: str, context: Context) -> None:
    graph = Graph()
    subject = URIRef("https://w3id.org/migration-kg/id/city/x")
    for index, text in enumerate(['quote " and \\ backslash', "line\nbreak", "<tag> & ampersand", "é « »", " "]):
        graph.add((subject, URIRef(f"http://example.org/p{index}"), Literal(text, lang="fr")))
    graph.add((subject, URIRef("http://example.org/n"), Literal("007", datatype=XSD.integer)))
    text = serialize(graph, name, context)
    assert isomorphic(Graph().parse(data=text, format=RDFLIB_FORMATS[name]), graph)
