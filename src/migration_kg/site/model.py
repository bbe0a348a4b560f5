"""The built graph seen as a website: entities, their labels, their facts and the claims that support each fact."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS

from migration_kg.namespaces import ID_BASE, MKG, ORG, SDO, WD, is_own_entity

LANGUAGES = ("en", "fr")

#: Kinds of entity that stand for an n-ary relation; pages show their other ends where they are cited.
RELATION_KINDS = ("membership", "mandate", "funding", "value")

#: Predicates that are not shown as facts on a page (they make up its header).
HEADER_PREDICATES = (RDF.type, RDFS.label)

#: The triples of a claim that describe the claimed statement rather than the claim.
CLAIM_STATEMENT = (RDF.subject, RDF.predicate, RDF.object)


@dataclass(frozen=True)
class Claim:
    """One mkg:Claim: the statement it supports and where the supporting quote comes from."""

    iri: URIRef
    subject: URIRef
    predicate: URIRef
    object: URIRef | Literal
    quote: Literal | None
    start: int | None
    end: int | None
    modality: URIRef | None
    source: URIRef | None
    comments: tuple[Literal, ...] = ()


@dataclass
class Fact:
    """One predicate of an entity with its values (language variants grouped) and their claims."""

    predicate: URIRef
    values: list[URIRef | Literal]
    claims: list[Claim] = field(default_factory=list)


def kind_of(iri: str) -> str:
    """The kind of an entity of ours: ``city`` for ``.../id/city/montreal``."""
    return iri[len(ID_BASE):].split("/", 1)[0]


def local_path(iri: str) -> str:
    """The entity's path in the site without suffix: ``id/city/montreal``."""
    return "id/" + iri[len(ID_BASE):]


class SiteGraph:
    """Indexes over the data graph and the ontology that the page writers need."""

    def __init__(self, data: Graph, ontology: Graph) -> None:
        self.data = data
        self.ontology = ontology
        self._claims_by_statement: dict[tuple, list[Claim]] = defaultdict(list)
        self._claims_by_subject: dict[URIRef, list[Claim]] = defaultdict(list)
        self.claims: dict[URIRef, Claim] = {}
        for iri in sorted(data.subjects(RDF.type, MKG.Claim)):
            claim = self._read_claim(iri)
            self.claims[iri] = claim
            self._claims_by_statement[(claim.subject, claim.predicate, claim.object)].append(claim)
            self._claims_by_subject[claim.subject].append(claim)

    def _read_claim(self, iri: URIRef) -> Claim:
        value = self.data.value
        start, end = value(iri, MKG.quoteStart), value(iri, MKG.quoteEnd)
        return Claim(
            iri=iri, subject=value(iri, RDF.subject), predicate=value(iri, RDF.predicate),
            object=value(iri, RDF.object), quote=value(iri, MKG.quote),
            start=int(start) if start is not None else None, end=int(end) if end is not None else None,
            modality=value(iri, MKG.modality), source=value(iri, PROV.wasDerivedFrom),
            comments=tuple(sorted(self.data.objects(iri, RDFS.comment), key=str)))

    # ---------------------------------------------------------------- entities and labels

    def entities(self) -> list[URIRef]:
        """Every subject minted under /id/, claims included, in IRI order."""
        return sorted({s for s in self.data.subjects() if isinstance(s, URIRef) and is_own_entity(str(s))})

    def described_entities(self) -> list[URIRef]:
        """Every entity of ours except claims."""
        return [iri for iri in self.entities() if kind_of(str(iri)) != "claim"]

    def labels(self, node: URIRef) -> dict[str, str]:
        """Labels by language: rdfs:label from the data, else the ontology, else skos:prefLabel."""
        for graph in (self.data, self.ontology):
            for predicate in (RDFS.label, SKOS.prefLabel):
                found = {lit.language or "": str(lit) for lit in graph.objects(node, predicate)
                         if isinstance(lit, Literal)}
                if found:
                    return found
        return {}

    def label(self, node: URIRef, language: str = "en") -> str:
        """One label, in ``language`` if there is one, else any; else the IRI's last segment."""
        labels = self.labels(node)
        for lang in (language, *LANGUAGES, ""):
            if lang in labels:
                return labels[lang]
        if labels:
            return sorted(labels.values())[0]
        return local_name(str(node))

    def types(self, node: URIRef) -> list[URIRef]:
        """The entity's classes, the most specific first when one subclasses another."""
        types = sorted(self.data.objects(node, RDF.type))
        parents = {p for t in types for p in self.ontology.objects(t, RDFS.subClassOf)}
        return sorted(types, key=lambda t: (t in parents, t in (PROV.Entity, SDO.Organization), str(t)))

    def wikidata(self, node: URIRef) -> list[URIRef]:
        """The Wikidata items the entity is owl:sameAs."""
        return sorted(o for o in self.data.objects(node, OWL.sameAs) if str(o).startswith(str(WD)))

    # ---------------------------------------------------------------- facts and claims

    def claims_for(self, subject: URIRef, predicate: URIRef, value: URIRef | Literal) -> list[Claim]:
        """The claims whose statement is exactly this triple."""
        return list(self._claims_by_statement.get((subject, predicate, value), ()))

    def claims_by_subject(self, subject: URIRef) -> list[Claim]:
        """The claims about ``subject``, in order of their place in their source."""
        return sorted(self._claims_by_subject.get(subject, ()),
                      key=lambda c: (c.start if c.start is not None else 1 << 30, str(c.iri)))

    def facts(self, node: URIRef) -> list[Fact]:
        """The entity's outgoing facts (header predicates left out), language variants of one value grouped."""
        grouped: dict[URIRef, list] = defaultdict(list)
        for predicate, value in self.data.predicate_objects(node):
            if predicate not in HEADER_PREDICATES:
                grouped[predicate].append(value)
        facts: list[Fact] = []
        for predicate in sorted(grouped, key=lambda p: (self.property_order(p), str(p))):
            values = sorted(grouped[predicate], key=lambda v: (isinstance(v, Literal), str(v)))
            tagged = [v for v in values if isinstance(v, Literal) and v.language]
            others = [v for v in values if v not in tagged]
            if tagged:
                facts.append(Fact(predicate, tagged, self._claims(node, predicate, tagged)))
            facts.extend(Fact(predicate, [v], self._claims(node, predicate, [v])) for v in others)
        return facts

    def _claims(self, node: URIRef, predicate: URIRef, values: list) -> list[Claim]:
        return [claim for value in values for claim in self.claims_for(node, predicate, value)]

    def incoming(self, node: URIRef) -> list[tuple[URIRef, URIRef, list[Claim]]]:
        """Facts of other entities that point at ``node``: (subject, predicate, claims); claims left out."""
        found = []
        for subject, predicate in self.data.subject_predicates(node):
            if predicate in CLAIM_STATEMENT or predicate == RDF.type:
                continue
            if (subject, RDF.type, MKG.Claim) in self.data:
                continue
            found.append((subject, predicate, self.claims_for(subject, predicate, node)))
        return sorted(found, key=lambda item: (kind_of(str(item[0])), self.label(item[0]), str(item[1])))

    def claims_from(self, source: URIRef) -> list[Claim]:
        """The claims derived from ``source``, in order of their place in it."""
        return sorted((c for c in self.claims.values() if c.source == source),
                      key=lambda c: (c.start if c.start is not None else 1 << 30, str(c.iri)))

    def property_order(self, predicate: URIRef) -> int:
        """Where a predicate goes in a facts table: identity first, provenance last."""
        order = {OWL.sameAs: 0, SDO.containedInPlace: 1, ORG.member: 2, ORG.organization: 3, ORG.role: 4,
                 MKG.holder: 2, MKG.office: 3, SDO.funder: 2, SDO.fundedItem: 3, SDO.startDate: 5, SDO.endDate: 6}
        return order.get(predicate, 10)

    # ---------------------------------------------------------------- documents

    def entity_document(self, node: URIRef) -> Graph:
        """The RDF served for one entity: its triples, the triples pointing at it, its claims and linked labels."""
        document = Graph()
        for triple in self.data.triples((node, None, None)):
            document.add(triple)
        for subject, predicate, _claims in self.incoming(node):
            document.add((subject, predicate, node))
        if kind_of(str(node)) != "claim":
            for claim in self.claims.values():
                if claim.subject == node:
                    for triple in self.data.triples((claim.iri, None, None)):
                        document.add(triple)
        linked = {term for triple in document for term in triple if isinstance(term, URIRef) and term != node}
        for term in sorted(linked):
            for label in self.data.objects(term, RDFS.label):
                document.add((term, RDFS.label, label))
        return document

    def member_cities(self) -> list[tuple[URIRef, URIRef]]:
        """(city, city network) for every membership of a city in an mkg:CityNetwork."""
        pairs = set()
        for membership in self.data.subjects(ORG.organization, None):
            network = self.data.value(membership, ORG.organization)
            if (network, RDF.type, MKG.CityNetwork) not in self.data:
                continue
            for member in self.data.objects(membership, ORG.member):
                if (member, RDF.type, SDO.City) in self.data:
                    pairs.add((member, network))
        return sorted(pairs)


def local_name(iri: str) -> str:
    """The last segment of an IRI, after '#' or '/'."""
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1] if iri else iri
