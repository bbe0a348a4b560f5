"""Every IRI base and prefix the project uses, bound once so that all outputs share them."""

from __future__ import annotations

from rdflib import Graph, Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from migration_kg.iris import BASE, CONTEXT_IRI, DATASET_IRI, ID_BASE, ONTOLOGY_IRI

__all__ = ["BASE", "CONTEXT_IRI", "DATASET_IRI", "ID_BASE", "ONTOLOGY_IRI"]

MKG = Namespace(BASE + "ontology#")
SDO = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
SH = Namespace("http://www.w3.org/ns/shacl#")
WD = Namespace("http://www.wikidata.org/entity/")
VANN = Namespace("http://purl.org/vocab/vann/")

#: Kinds of entity, each with its own IRI path under ``/id/`` and its own prefix.
ENTITY_KINDS = (
    "city", "country", "place", "person", "organization", "event", "work", "commitment",
    "membership", "mandate", "post", "funding", "value", "claim", "source", "theme",
    "modality", "role", "purpose", "party-type", "scheme",
)


def _prefix_for(kind: str) -> str:
    return kind.replace("-", "")


ENTITY_NAMESPACES: dict[str, Namespace] = {
    _prefix_for(kind): Namespace(f"{ID_BASE}{kind}/") for kind in ENTITY_KINDS
}

PREFIXES: dict[str, Namespace] = {
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "xsd": Namespace(str(XSD)),
    "owl": Namespace(str(OWL)),
    "skos": Namespace(str(SKOS)),
    "dcterms": Namespace(str(DCTERMS)),
    "prov": Namespace(str(PROV)),
    "sh": SH,
    "schema": SDO,
    "org": ORG,
    "vann": VANN,
    "wd": WD,
    "mkg": MKG,
    **ENTITY_NAMESPACES,
}


def bind_prefixes(graph: Graph) -> Graph:
    """Replace whatever prefixes ``graph`` has with the project's own, and return it."""
    fresh = Graph(bind_namespaces="none").namespace_manager
    graph.namespace_manager = fresh
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def is_own_entity(iri: str) -> bool:
    """True for IRIs minted by this project under ``/id/``."""
    return iri.startswith(ID_BASE)
