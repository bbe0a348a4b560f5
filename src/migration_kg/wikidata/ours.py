"""What every linking stage shares: our linkable entities read from the graph, name and date comparisons.

Our side is read from the project's data (or a built graph); Wikidata's side comes only through
:class:`migration_kg.wikidata.WikidataClient`. Nothing is linked without a person's review: ``link suggest``
writes an SSSOM mapping set, and only the rows a reviewer marks ``accepted`` become links.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import ORG, OWL, PROV, RDF, RDFS

from migration_kg.graph.load import load_graph
from migration_kg.namespaces import ENTITY_NAMESPACES, ID_BASE, MKG, SDO, WD
from migration_kg.project import Project


@dataclass(frozen=True)
class Kind:
    """A kind of entity of ours, the class that marks it and the Wikidata classes it may be an instance of."""

    name: str
    classes: tuple[URIRef, ...]
    wikidata: tuple[str, ...]
    description: str


#: In order: the first kind whose class an entity has (directly or through rdfs:subClassOf) wins.
KINDS = (
    Kind("city", (SDO.City,), ("Q486972", "Q515"), "human settlement (Q486972) or city (Q515)"),
    Kind("country", (SDO.Country,), ("Q6256", "Q3624078"), "country (Q6256) or sovereign state (Q3624078)"),
    Kind("region", (SDO.AdministrativeArea,), ("Q10864048", "Q11828004"),
         "first-level administrative division (Q10864048) or province of Canada (Q11828004)"),
    Kind("person", (SDO.Person,), ("Q5",), "human (Q5)"),
    Kind("post", (ORG.Post,), ("Q4164871",), "position (Q4164871)"),
    Kind("organization", (SDO.Organization, ORG.Organization), ("Q43229",), "organization (Q43229)"),
    Kind("event", (SDO.Event,), ("Q1656682",), "event (Q1656682)"),
    Kind("work", (SDO.CreativeWork,), ("Q386724",), "work (Q386724)"),
)
#: Classes whose members are never linked: our own records, sources and the parts of a declaration.
NOT_LINKABLE = (MKG.Claim, PROV.Entity, MKG.Commitment)


def normalise(text: str) -> str:
    """Lower case, accents and punctuation removed, spaces collapsed: for comparing names."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", bare).split())


def similarity(ours: Iterable[str], theirs: Iterable[str]) -> tuple[float, str, str]:
    """The best similarity ratio (0..1) between any of our names and any of theirs, with the pair."""
    best = (0.0, "", "")
    theirs = list(theirs)
    for mine in ours:
        for other in theirs:
            ratio = difflib.SequenceMatcher(None, normalise(mine), normalise(other)).ratio()
            if ratio > best[0]:
                best = (ratio, mine, other)
    return best


def term_span(start: str | None, end: str | None) -> str:
    """A term of office in words: 'from 2017-11-16 to 2021-11-14', 'from 2017-11-16', 'to 2021-11-14'."""
    words = ([f"from {start}"] if start else []) + ([f"to {end}"] if end else [])
    return " ".join(words) or "(no dates)"


def local_name(node: URIRef) -> str:
    """Our entity's path under ``/id/`` with '-' for '/', e.g. 'city-montreal': the start of a claim's name."""
    return str(node)[len(ID_BASE):].replace("/", "-")


def add_claim(out: Graph, claim: URIRef, subject: URIRef, predicate: URIRef, obj: URIRef | Literal,
              source: URIRef) -> None:
    """Add the fact and the mkg:Claim reifying it, reported by ``source``."""
    out.add((subject, predicate, obj))
    out.add((claim, RDF.type, MKG.Claim))
    out.add((claim, RDF.subject, subject))
    out.add((claim, RDF.predicate, predicate))
    out.add((claim, RDF.object, obj))
    out.add((claim, PROV.wasDerivedFrom, source))
    out.add((claim, MKG.modality, ENTITY_NAMESPACES["modality"]["reported"]))


class OurGraph:
    """Our data (plus the ontology, for subclasses), read for linking."""

    def __init__(self, graph: Graph) -> None:
        """Wrap ``graph``; kinds and the QID index are computed once, on first use."""
        self.graph = graph
        self._kinds: dict[URIRef, Kind | None] = {}
        self._by_qid: dict[str, URIRef] | None = None

    @classmethod
    def load(cls, project_root: Path | str = ".", graph_files: Sequence[Path] = ()) -> OurGraph:
        """The project's data, or ``graph_files`` instead (e.g. dist/migration-kg.nt), with the ontology."""
        project = Project.at(project_root)
        graph = load_graph(list(graph_files) or project.data_files())
        for triple in load_graph(project.ontology_files()):
            graph.add(triple)
        return cls(graph)

    def curie(self, node: URIRef) -> str:
        """``node`` as a CURIE with our prefixes, e.g. 'city:montreal'."""
        return node.n3(self.graph.namespace_manager)

    def labels(self, node: URIRef) -> dict[str, str]:
        """The rdfs:label of ``node`` by language tag ('' for none)."""
        return {lit.language or "": str(lit) for lit in self.graph.objects(node, RDFS.label)
                if isinstance(lit, Literal)}

    def label(self, node: URIRef) -> str:
        """One label to show: English, else French, else any, else the CURIE."""
        labels = self.labels(node)
        return labels.get("en") or labels.get("fr") or next(iter(labels.values()), self.curie(node))

    def qid(self, node: URIRef) -> str | None:
        """The Wikidata QID ``node`` is owl:sameAs, if any."""
        for target in self.graph.objects(node, OWL.sameAs):
            if str(target).startswith(str(WD)):
                return str(target)[len(str(WD)):]
        return None

    def kind(self, node: URIRef) -> Kind | None:
        """The kind of ``node`` from its types and their superclasses; None if not linkable."""
        if node not in self._kinds:
            classes: set[URIRef] = set()
            for cls in self.graph.objects(node, RDF.type):
                classes.update(c for c in self.graph.transitive_objects(cls, RDFS.subClassOf)
                               if isinstance(c, URIRef))
            found = None
            if not classes.intersection(NOT_LINKABLE):
                found = next((k for k in KINDS if classes.intersection(k.classes)), None)
            self._kinds[node] = found
        return self._kinds[node]

    def entities(self) -> list[URIRef]:
        """Every entity of ours that can be linked to Wikidata, sorted."""
        own = (s for s in set(self.graph.subjects(RDF.type, None))
               if isinstance(s, URIRef) and any(str(s).startswith(str(ns)) for ns in ENTITY_NAMESPACES.values()))
        return sorted(node for node in own if self.kind(node) is not None)

    def by_qid(self) -> dict[str, URIRef]:
        """Our entity for each QID we link to."""
        if self._by_qid is None:
            self._by_qid = {q: node for node in self.entities() if (q := self.qid(node))}
        return self._by_qid

    def article_date(self) -> str | None:
        """The publication date of the news article the graph is about (the latest, if several)."""
        dates = [str(d) for a in self.graph.subjects(RDF.type, SDO.NewsArticle)
                 for d in self.graph.objects(a, SDO.datePublished)]
        return max(dates) if dates else None

    def countries(self, node: URIRef) -> list[URIRef]:
        """The countries ``node`` lies in (a city), is (a country), or holds office in (a person)."""
        kind = self.kind(node)
        if kind and kind.name == "country":
            return [node]
        if kind and kind.name == "person":
            places = [self.graph.value(post, MKG.jurisdiction) for _mandate, post in self.mandates_of(node)]
            return sorted({c for p in places if isinstance(p, URIRef) for c in self.countries(p)})
        if kind and kind.name == "event":
            return sorted({c for p in self.graph.objects(node, SDO.location) if isinstance(p, URIRef)
                           for c in self.countries(p)})
        return sorted(p for p in self.graph.objects(node, SDO.containedInPlace)
                      if isinstance(p, URIRef) and (k := self.kind(p)) is not None and k.name == "country")

    def posts_of(self, place: URIRef) -> list[URIRef]:
        """The posts (offices) whose mkg:jurisdiction is ``place``."""
        return sorted(p for p in self.graph.subjects(MKG.jurisdiction, place) if isinstance(p, URIRef))

    def mandates(self, post: URIRef) -> list[tuple[URIRef, URIRef, str | None, str | None]]:
        """(mandate, holder, start, end) of every term of office of ``post``."""
        found = []
        for mandate in self.graph.subjects(MKG.office, post):
            holder = self.graph.value(mandate, MKG.holder)
            if isinstance(mandate, URIRef) and isinstance(holder, URIRef):
                found.append((mandate, holder, *self.dates(mandate)))
        return sorted(found)

    def mandates_of(self, person: URIRef) -> list[tuple[URIRef, URIRef]]:
        """(mandate, post) of every term of office ``person`` holds."""
        return sorted((m, p) for m in self.graph.subjects(MKG.holder, person)
                      if isinstance(m, URIRef) and isinstance(p := self.graph.value(m, MKG.office), URIRef))

    def dates(self, node: URIRef) -> tuple[str | None, str | None]:
        """The schema:startDate and schema:endDate of ``node``, as text."""
        start, end = self.graph.value(node, SDO.startDate), self.graph.value(node, SDO.endDate)
        return (str(start) if start else None, str(end) if end else None)

    def other_start_dates(self, node: URIRef) -> list[str]:
        """Start dates another source gives for ``node`` (mkg:alternativeStartDate), kept beside ours."""
        return sorted(str(d) for d in self.graph.objects(node, MKG.alternativeStartDate))


def all_kind_classes() -> list[str]:
    """Every Wikidata class some kind of ours may be an instance of, sorted."""
    return sorted({c for kind in KINDS for c in kind.wikidata})

