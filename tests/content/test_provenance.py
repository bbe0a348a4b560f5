"""Every claim taken from the article quotes it verbatim at the stated offsets; other facts name their source."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS

from migration_kg.graph.load import load_graph
from migration_kg.namespaces import MKG, SDO

ARTICLE = URIRef("https://w3id.org/migration-kg/id/work/la-presse-2018-12-07-plante-marrakech")


@pytest.fixture(scope="module")
def data(project_root: Path) -> Graph:
    return load_graph(sorted((project_root / "data").glob("*.ttl")))


def _article_claims(data: Graph) -> list[URIRef]:
    return sorted(c for c in data.subjects(PROV.wasDerivedFrom, ARTICLE))


def test_article_digest_matches_the_text(data: Graph, article_text: str) -> None:
    digest = hashlib.sha256(article_text.encode("utf-8")).hexdigest()
    assert data.value(ARTICLE, MKG.sha256) == Literal(digest)


def test_every_article_quote_stands_verbatim_at_its_offsets(data: Graph, article_text: str) -> None:
    claims = _article_claims(data)
    assert len(claims) >= 120
    wrong = []
    for claim in claims:
        quote = str(data.value(claim, MKG.quote))
        start = int(data.value(claim, MKG.quoteStart))
        end = int(data.value(claim, MKG.quoteEnd))
        if article_text[start:end] != quote:
            wrong.append(f"{claim}: {quote!r} != {article_text[start:end]!r}")
    assert wrong == []


def test_quotes_are_short(data: Graph) -> None:
    lengths = [len(str(q)) for q in data.objects(None, MKG.quote)]
    assert max(lengths) <= 160


def test_every_quote_is_french(data: Graph) -> None:
    for claim in _article_claims(data):
        assert data.value(claim, MKG.quote).language == "fr", claim


def test_non_article_claims_cite_a_described_source(data: Graph) -> None:
    external = [c for c in data.subjects(RDF.type, MKG.Claim) if data.value(c, PROV.wasDerivedFrom) != ARTICLE]
    assert len(external) >= 40
    for claim in external:
        source = data.value(claim, PROV.wasDerivedFrom)
        assert (source, RDF.type, PROV.Entity) in data, claim
        labels = {lit.language for lit in data.objects(source, RDFS.label)}
        assert labels == {"fr", "en"}, source
        assert data.value(source, SDO.url) is not None or data.value(source, SDO.identifier) is not None


def test_a_fact_can_be_traced_to_its_quote_with_plain_sparql(data: Graph) -> None:
    rows = list(data.query("""
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        PREFIX mkg: <https://w3id.org/migration-kg/ontology#>
        PREFIX schema: <https://schema.org/>
        SELECT ?quote ?start WHERE {
          ?claim rdf:subject <https://w3id.org/migration-kg/id/city/kampala> ;
                 rdf:predicate schema:containedInPlace ;
                 rdf:object <https://w3id.org/migration-kg/id/country/uganda> ;
                 mkg:quote ?quote ; mkg:quoteStart ?start .
        }"""))
    assert [(str(q), int(s)) for q, s in rows] == [("KAMPALA, Ouganda", 3946)]


def test_planned_things_are_not_recorded_as_done(data: Graph) -> None:
    planned = URIRef("https://w3id.org/migration-kg/id/modality/planned")
    adoption = URIRef("https://w3id.org/migration-kg/id/event/adoption-of-cities-declaration")
    presentation = URIRef("https://w3id.org/migration-kg/id/event/presentation-of-cities-declaration")
    for event in (adoption, presentation):
        assert (event, SDO.eventStatus, SDO.EventScheduled) in data
        modalities = {data.value(c, MKG.modality) for c in data.subjects(RDF.subject, event)
                      if data.value(c, PROV.wasDerivedFrom) == ARTICLE}
        assert modalities == {planned}


def test_disagreeing_lists_are_both_recorded(data: Graph) -> None:
    """The article lists seven leading cities; another source names eight (with Amman): both, each with its source."""
    amman = URIRef("https://w3id.org/migration-kg/id/membership/amman-council")
    claims = list(data.subjects(RDF.subject, amman))
    assert claims and all(data.value(c, PROV.wasDerivedFrom) != ARTICLE for c in claims)
    article_members = {data.value(c, RDF.object) for c in data.subjects(RDF.predicate, URIRef("http://www.w3.org/ns/org#member"))
                       if data.value(c, PROV.wasDerivedFrom) == ARTICLE}
    assert len(article_members) == 7
