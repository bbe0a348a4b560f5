"""The built graph seen as a website: entities, their labels, their facts and the claims that support each fact.

The site is read from ``dist/migration-kg.nt`` in one pass (:mod:`migration_kg.site.graphindex`): what every
page needs (labels, types, claims, the links into each entity) is indexed once, and an entity's own statements are
read back from the file when its page is written, so that memory and time grow linearly with the graph.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS

from migration_kg.graph.ntriples import Node, iri_text, nt_text, term
from migration_kg.namespaces import ID_BASE, MKG, ORG, SDO, WD
from migration_kg.site.graphindex import GraphIndex

LANGUAGES = ("en", "fr")

#: Kinds of entity that stand for an n-ary relation; pages show their other ends where they are cited.
RELATION_KINDS = ("membership", "mandate", "funding", "value")

#: Predicates that are not shown as facts on a page (they make up its header).
HEADER_PREDICATES = (RDF.type, RDFS.label)

#: The triples of a claim that describe the claimed statement rather than the claim.
CLAIM_STATEMENT = (RDF.subject, RDF.predicate, RDF.object)

__all__ = ["CLAIM_STATEMENT", "LANGUAGES", "RELATION_KINDS", "Claim", "Fact", "SiteGraph", "kind_of", "local_path"]

_PROPERTY_ORDER = {OWL.sameAs: 0, SDO.containedInPlace: 1, ORG.member: 2, ORG.organization: 3, ORG.role: 4,
                   MKG.holder: 2, MKG.office: 3, SDO.funder: 2, SDO.fundedItem: 3, SDO.startDate: 5,
                   SDO.endDate: 6}
#: How many entities' statements stay parsed at once (an entity's page, its documents and both languages).
_CACHED = 256
#: How many claims stay read at once (those of an entity's page, its neighbours' and its source's).
_CACHED_CLAIMS = 4096


@dataclass(frozen=True, slots=True)
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


def _order(values: Iterable[Node]) -> list:
    return sorted(values, key=lambda v: (isinstance(v, Literal), str(v)))


class SiteGraph:
    """Indexes over the data graph and the ontology that the page writers need."""

    def __init__(self, data: GraphIndex | Graph, ontology: Graph) -> None:
        index = data if isinstance(data, GraphIndex) else GraphIndex.of_graph(data)
        self.index = index
        self.ontology = ontology
        self._statements: OrderedDict[str, list[tuple[URIRef, Node]]] = OrderedDict()
        self._claim_cache: OrderedDict[str, Claim] = OrderedDict()
        self._entities: list[URIRef] | None = None
        self._ontology_labels: dict[URIRef, list[tuple[str | None, str]]] = {}
        self._parents: dict[URIRef, set] = {}
        #: Entity labels as HTML, by (entity, language): what links to an entity show (see site.html).
        self.label_html: dict[tuple[URIRef, str], str] = {}
        #: claim -> its start offset (for ordering claims by their place in their source)
        self._claim_start: dict[str, int | None] = {}
        self._by_statement: dict[tuple[str, str, str], list[str]] = {}
        self._by_subject: dict[str, list[str]] = {}
        self._by_source: dict[str, list[str]] = {}
        for claim, subject, predicate, value, source, start in sorted(index.claims, key=lambda row: row[0][1:-1]):
            self._claim_start[claim] = int(term(start)) if start is not None else None  # type: ignore[call-overload]
            if subject is not None and predicate is not None and value is not None:
                self._by_statement.setdefault((subject, predicate, value), []).append(claim)
            if subject is not None:
                self._by_subject.setdefault(subject, []).append(claim)
            if source is not None:
                self._by_source.setdefault(source, []).append(claim)

    @classmethod
    def read(cls, data: Path, ontology: Graph) -> SiteGraph:
        """The site graph of a sorted N-Triples file (``dist/migration-kg.nt``)."""
        return cls(GraphIndex.read(data), ontology)

    def close(self) -> None:
        self.index.close()

    def _read_claim(self, iri: URIRef) -> Claim:
        fields: dict[str, list[str]] = defaultdict(list)
        for predicate, value in self.index.pairs(iri.n3()):
            fields[predicate[1:-1]].append(value)

        def one(predicate: str) -> Node | None:
            return term(fields[predicate][0]) if fields.get(predicate) else None

        start, end = one(str(MKG.quoteStart)), one(str(MKG.quoteEnd))
        return Claim(
            iri=iri, subject=one(str(RDF.subject)), predicate=one(str(RDF.predicate)),  # type: ignore[arg-type]
            object=one(str(RDF.object)), quote=one(str(MKG.quote)),  # type: ignore[arg-type]
            start=int(start) if start is not None else None, end=int(end) if end is not None else None,
            modality=one(str(MKG.modality)), source=one(str(PROV.wasDerivedFrom)),  # type: ignore[arg-type]
            comments=tuple(sorted((term(text) for text in fields.get(str(RDFS.comment), ())), key=str)))  # type: ignore[misc]

    # ---------------------------------------------------------------- statements

    def statements(self, node: URIRef) -> list[tuple[URIRef, Node]]:
        """The entity's (predicate, object) pairs, in the order of the N-Triples file."""
        key = iri_text(node)
        found = self._statements.get(key)
        if found is None:
            found = [(URIRef(p[1:-1]), term(o)) for p, o in self.index.pairs(key)]
            self._statements[key] = found
            if len(self._statements) > _CACHED:
                self._statements.popitem(last=False)
        else:
            self._statements.move_to_end(key)
        return found

    def objects(self, node: URIRef, predicate: URIRef) -> list[Node]:
        """The values of ``predicate`` for ``node``, in file order."""
        return [o for p, o in self.statements(node) if p == predicate]

    def value(self, node: URIRef, predicate: URIRef) -> Node | None:
        """The first value of ``predicate`` for ``node``, or None."""
        return next((o for p, o in self.statements(node) if p == predicate), None)

    def has_type(self, node: URIRef | Node, cls: URIRef) -> bool:
        return isinstance(node, URIRef) and iri_text(node) in self.index.typed.get(iri_text(cls), ())

    def subjects_of_type(self, cls: URIRef) -> list[URIRef]:
        """Every subject typed ``cls``, in file order."""
        return [term(s) for s in self.index.typed.get(iri_text(cls), ())]  # type: ignore[misc]

    def subject_objects(self, predicate: URIRef) -> list[tuple[URIRef, Node]]:
        """Every (subject, object) of ``predicate``, grouped by object in order of first appearance."""
        return [(term(s), term(o)) for s, o in self.index.by_predicate(iri_text(predicate))]  # type: ignore[misc]

    # ---------------------------------------------------------------- entities and labels

    def entities(self) -> list[URIRef]:
        """Every subject minted under /id/, claims included, in IRI order."""
        if self._entities is None:
            self._entities = sorted(URIRef(s[1:-1]) for s in self.index.own_subjects)
        return self._entities

    def described_entities(self) -> list[URIRef]:
        """Every entity of ours except claims."""
        return [iri for iri in self.entities() if kind_of(str(iri)) != "claim"]

    def labels(self, node: URIRef) -> dict[str, str]:
        """Labels by language: rdfs:label from the data, else the ontology, else skos:prefLabel."""
        found = self.index.labels.get(f"<{node}>")
        if found:
            return dict(found)
        for predicate in (RDFS.label, SKOS_PREF_LABEL):
            found = {lit.language or "": str(lit) for lit in self.ontology.objects(node, predicate)
                     if isinstance(lit, Literal)}
            if found:
                return found
        return {}

    def label(self, node: URIRef, language: str = "en") -> str:
        """One label, in ``language`` if there is one, else any; else the IRI's last segment."""
        labels = self.index.labels.get(f"<{node}>") or self.labels(node)
        for lang in (language, *LANGUAGES, ""):
            if lang in labels:
                return labels[lang]
        if labels:
            return sorted(labels.values())[0]
        return local_name(str(node))

    def types(self, node: URIRef) -> list[URIRef]:
        """The entity's classes, the most specific first when one subclasses another."""
        types = sorted(self.objects(node, RDF.type))  # type: ignore[type-var]
        parents = {p for t in types for p in self._parents_of(t)}  # type: ignore[arg-type]
        return sorted(types, key=lambda t: (t in parents, t in (PROV.Entity, SDO.Organization), str(t)))

    def _parents_of(self, cls: URIRef) -> set:
        found = self._parents.get(cls)
        if found is None:
            found = self._parents[cls] = set(self.ontology.objects(cls, RDFS.subClassOf))
        return found

    def ontology_labels(self, term: URIRef) -> list[tuple[str | None, str]]:
        """The ontology's rdfs:label literals of ``term``: (language or None, text), in the ontology's order."""
        found = self._ontology_labels.get(term)
        if found is None:
            found = self._ontology_labels[term] = [(lit.language, str(lit)) for lit in
                                                   self.ontology.objects(term, RDFS.label) if isinstance(lit, Literal)]
        return found

    def wikidata(self, node: URIRef) -> list[URIRef]:
        """The Wikidata items the entity is owl:sameAs."""
        return sorted(o for o in self.objects(node, OWL.sameAs) if str(o).startswith(str(WD)))  # type: ignore[misc]

    # ---------------------------------------------------------------- facts and claims

    def claim(self, iri: URIRef | str) -> Claim:
        """The claim ``iri`` (an IRI, or its N-Triples form), read from the graph when first asked for."""
        key = iri_text(iri) if isinstance(iri, URIRef) else iri
        found = self._claim_cache.get(key)
        if found is None:
            found = self._claim_cache[key] = self._read_claim(term(key))  # type: ignore[arg-type]
            if len(self._claim_cache) > _CACHED_CLAIMS:
                self._claim_cache.popitem(last=False)
        else:
            self._claim_cache.move_to_end(key)
        return found

    @property
    def claim_count(self) -> int:
        return len(self._claim_start)

    def claim_sources(self) -> int:
        """How many sources the claims come from."""
        return len(self._by_source)

    def claims_for(self, subject: URIRef, predicate: URIRef, value: URIRef | Literal) -> list[Claim]:
        """The claims whose statement is exactly this triple."""
        key = (iri_text(subject), iri_text(predicate), nt_text(value))
        return [self.claim(claim) for claim in self._by_statement.get(key, ())]

    def _ordered(self, claims: list[str]) -> list[Claim]:
        """Claims in order of their place in their source (offset, then IRI)."""
        start = self._claim_start
        return [self.claim(claim) for claim in sorted(claims, key=lambda c: (
            start[c] if start[c] is not None else 1 << 30, c[1:-1]))]

    def claims_by_subject(self, subject: URIRef) -> list[Claim]:
        """The claims about ``subject``, in order of their place in their source."""
        return self._ordered(self._by_subject.get(iri_text(subject), []))

    def facts(self, node: URIRef) -> list[Fact]:
        """The entity's outgoing facts (header predicates left out), language variants of one value grouped."""
        grouped: dict[URIRef, list] = defaultdict(list)
        for predicate, value in self.statements(node):
            if predicate not in HEADER_PREDICATES:
                grouped[predicate].append(value)
        facts: list[Fact] = []
        for predicate in sorted(grouped, key=lambda p: (self.property_order(p), str(p))):
            values = _order(grouped[predicate])
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
        for subject_text, predicate_text in self.index.incoming.get(iri_text(node), ()):
            subject, predicate = term(subject_text), URIRef(predicate_text[1:-1])
            found.append((subject, predicate, self.claims_for(subject, predicate, node)))
        return sorted(found, key=lambda item: (kind_of(str(item[0])), self.label(item[0]), str(item[1])))

    def claims_from(self, source: URIRef) -> list[Claim]:
        """The claims derived from ``source``, in order of their place in it."""
        return self._ordered(self._by_source.get(iri_text(source), []))

    def property_order(self, predicate: URIRef) -> int:
        """Where a predicate goes in a facts table: identity first, provenance last."""
        return _PROPERTY_ORDER.get(predicate, 10)

    # ---------------------------------------------------------------- documents

    def document_lines(self, node: URIRef) -> list[str]:
        """The RDF served for one entity, as sorted N-Triples lines: its triples, the triples pointing at it, its
        claims and the labels of what they link to."""
        key = iri_text(node)
        lines = set(self.index.lines(key))
        for subject, predicate in self.index.incoming.get(key, ()):
            lines.add(f"{subject} {predicate} {key} .\n")
        if kind_of(str(node)) != "claim":
            for claim in self._by_subject.get(key, ()):
                lines.update(self.index.lines(claim))
        linked = set()
        for line in lines:
            subject, predicate, rest = line.split(" ", 2)
            if subject[0] == "<":
                linked.add(subject)
            linked.add(predicate)
            if rest[0] == "<":
                linked.add(rest[:rest.rindex(" .")])
        linked.discard(key)
        for iri in linked:
            lines.update(self.index.label_lines.get(iri, ()))
        return sorted(lines)

    def member_cities(self) -> list[tuple[URIRef, URIRef]]:
        """(city, city network) for every membership of a city in an mkg:CityNetwork."""
        pairs = set()
        organization = iri_text(ORG.organization)
        networks = set(self.index.typed.get(iri_text(MKG.CityNetwork), ()))
        cities = set(self.index.typed.get(iri_text(SDO.City), ()))
        for membership in {s for s, _o in self.index.by_predicate(organization)}:
            pairs_of = self.index.pairs(membership)
            network = next((o for p, o in pairs_of if p == organization), None)
            if network not in networks:
                continue
            for predicate, member in pairs_of:
                if predicate == iri_text(ORG.member) and member in cities:
                    pairs.add((term(member), term(network)))  # type: ignore[arg-type]
        return sorted(pairs)


SKOS_PREF_LABEL = URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")


def local_name(iri: str) -> str:
    """The last segment of an IRI, after '#' or '/'."""
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1] if iri else iri
