"""The facts the article states are in the graph (a sample of each part), and nothing is typed loosely."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, XSD

from migration_kg.graph.load import load_graph
from migration_kg.namespaces import MKG, ORG, SDO, WD

ID = "https://w3id.org/migration-kg/id/"


def iri(path: str) -> URIRef:
    return URIRef(ID + path)


@pytest.fixture(scope="module")
def data(project_root: Path) -> Graph:
    return load_graph(sorted((project_root / "data").glob("*.ttl")))


COUNCIL_CITIES = {
    "montreal": "canada", "los-angeles": "united-states", "milan": "italy", "bristol": "united-kingdom",
    "athens": "greece", "kampala": "uganda", "freetown": "sierra-leone",
}


@pytest.mark.parametrize(("city", "country"), sorted(COUNCIL_CITIES.items()))
def test_council_city_lies_in_its_country_and_leads_the_council(data: Graph, city: str, country: str) -> None:
    assert (iri(f"city/{city}"), SDO.containedInPlace, iri(f"country/{country}")) in data
    membership = iri(f"membership/{city}-council")
    assert (membership, ORG.member, iri(f"city/{city}")) in data
    assert (membership, ORG.organization, iri("organization/council-of-cities-on-migration")) in data
    assert (membership, ORG.role, iri("role/leading-member")) in data


def test_the_council_has_two_funders(data: Graph) -> None:
    council = iri("organization/council-of-cities-on-migration")
    funders = {data.value(grant, SDO.funder) for grant in data.subjects(SDO.fundedItem, council)}
    assert funders == {iri("organization/government-of-switzerland"), iri("organization/open-society-foundations")}


def test_declaration_has_nine_commitments_each_with_a_theme(data: Graph) -> None:
    declaration = iri("work/cities-declaration-marrakech-2018")
    commitments = set(data.subjects(SDO.isPartOf, declaration))
    assert len(commitments) == 9
    themes = {data.value(c, MKG.theme) for c in commitments}
    assert len(themes) == 9


def test_conference_dates_and_place(data: Graph) -> None:
    conference = iri("event/intergovernmental-conference-marrakech-2018")
    assert data.value(conference, SDO.startDate) == Literal("2018-12-10", datatype=XSD.date)
    assert data.value(conference, SDO.endDate) == Literal("2018-12-11", datatype=XSD.date)
    assert data.value(conference, SDO.location) == iri("city/marrakech")


def test_canada_intends_to_adhere_but_the_compact_is_for_states(data: Graph) -> None:
    compact = iri("work/global-compact-for-migration")
    assert (iri("country/canada"), MKG.intendsToAdhereTo, compact) in data
    assert (compact, MKG.signatoryType, iri("party-type/state")) in data


def test_plante_term_and_trip(data: Graph) -> None:
    mandate = iri("mandate/valerie-plante-mayor-of-montreal")
    assert data.value(mandate, MKG.holder) == iri("person/valerie-plante")
    assert data.value(mandate, SDO.startDate) == Literal("2017-11-16", datatype=XSD.date)
    trip = iri("event/plante-trip-to-morocco-2018")
    assert data.value(trip, SDO.duration) == Literal("P5D", datatype=XSD.duration)
    count = data.value(trip, MKG.speechCount)
    assert data.value(count, SDO.value) == Literal(6, datatype=XSD.integer)
    assert data.value(count, MKG.approximate) == Literal(True)


def test_quebec_context(data: Graph) -> None:
    share = data.value(iri("city/montreal"), MKG.newcomerShare)
    two_thirds = Literal("0.666666666666666", datatype=XSD.decimal)
    assert data.value(share, SDO.value) == two_thirds  # "près des deux tiers": about 2/3 ...
    assert data.value(share, SDO.maxValue) == two_thirds  # ... and no more
    assert data.value(share, MKG.shareOf) == iri("place/quebec")
    sanctuary = iri("event/montreal-sanctuary-city-announcement")
    assert (sanctuary, MKG.selfDescription, Literal("ville sanctuaire", lang="fr")) in data
    assert data.value(sanctuary, MKG.reason, any=True) is not None
    assert data.value(sanctuary, SDO.eventStatus) is None  # the announcement was made ...
    dropped = Literal("ville sanctuaire", lang="fr")
    assert (iri("city/montreal"), MKG.dropsSelfDescription, dropped) in data  # ... the dropping is announced
    (claim,) = list(data.subjects(RDF.predicate, MKG.dropsSelfDescription))
    assert data.value(claim, MKG.modality) == iri("modality/planned")
    reduction = iri("event/quebec-immigration-threshold-reduction")
    assert data.value(reduction, SDO.startDate) == Literal("2018-12-04", datatype=XSD.date)
    plan = iri("work/montreal-integration-action-plan-2018")
    assert data.value(plan, SDO.datePublished) == Literal("2018-12-05", datatype=XSD.date)


def test_terms_of_office_end_where_the_sources_say(data: Graph) -> None:
    first = iri("mandate/erias-lukwago-lord-mayor-of-kampala")
    second = iri("mandate/erias-lukwago-lord-mayor-of-kampala-2016")
    assert data.value(first, SDO.endDate) == Literal("2013-11-25", datatype=XSD.date)
    assert data.value(second, SDO.startDate) == Literal("2016", datatype=XSD.gYear)
    assert data.value(second, MKG.holder) == iri("person/erias-lukwago")
    kaminis, rees = iri("mandate/giorgos-kaminis-mayor-of-athens"), iri("mandate/marvin-rees-mayor-of-bristol")
    assert data.value(kaminis, SDO.endDate) == Literal("2019", datatype=XSD.gYear)
    assert data.value(rees, SDO.endDate) == Literal("2024-05", datatype=XSD.gYearMonth)


def test_the_story_has_its_actors_and_numbers(data: Graph) -> None:
    forum_officials = iri("organization/elected-officials-mayoral-forum-2018")
    assert data.value(iri("event/adoption-of-cities-declaration"), MKG.adoptedBy) == forum_officials
    assert data.value(iri("organization/council-of-cities-on-migration"), SDO.founder) == forum_officials
    declaration = iri("work/cities-declaration-marrakech-2018")
    assert data.value(declaration, MKG.addressesIssueOf) == iri("event/montreal-sanctuary-city-announcement")
    assert (iri("commitment/access-to-education"), MKG.means, Literal("tous les moyens nécessaires", lang="fr")) in data
    trip = iri("event/plante-trip-to-morocco-2018")
    assert data.value(trip, MKG.durationInDays) == Literal(5, datatype=XSD.integer)


def test_wikidata_links_are_confirmed_ones(data: Graph) -> None:
    links = {(s, o) for s, o in data.subject_objects(OWL.sameAs)}
    assert (iri("city/montreal"), WD.Q340) in links
    assert (iri("person/ahmed-hussen"), WD.Q16211070) in links
    assert (iri("city/los-angeles"), WD.Q65) in links and (iri("person/george-soros"), WD.Q12908) in links
    assert all(str(o).startswith(str(WD) + "Q") for _, o in links)
    assert not any(s == iri("person/valerie-plante") for s, _ in links), "Plante's QID was not confirmed"


def test_no_blank_nodes(data: Graph) -> None:
    assert all(isinstance(t, (URIRef, Literal)) for triple in data for t in triple)


def test_every_entity_has_one_label_per_language(data: Graph) -> None:
    for entity in set(data.subjects(RDF.type)):
        if (entity, RDF.type, MKG.Claim) in data:
            continue
        languages = sorted(label.language for label in data.objects(entity, URIRef("http://www.w3.org/2000/01/rdf-schema#label")))
        assert languages == ["en", "fr"], entity
