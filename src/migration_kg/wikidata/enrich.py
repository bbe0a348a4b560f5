"""``link enrich``: population, coordinates, website and inception of our linked entities, with provenance."""

from __future__ import annotations

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD

from migration_kg.namespaces import ENTITY_NAMESPACES, SDO, WD, bind_prefixes
from migration_kg.wikidata.answers import Term
from migration_kg.wikidata.client import WikidataClient
from migration_kg.wikidata.ours import OurGraph, add_claim, local_name
from migration_kg.wikidata.queries import fetch_enrichment

ENRICHMENT_FILE = "wikidata-enrichment.ttl"
WDT = Namespace("http://www.wikidata.org/prop/direct/")
PQ = Namespace("http://www.wikidata.org/prop/qualifier/")


def enrich_links(ours: OurGraph, client: WikidataClient, endpoint_note: str = "") -> Graph:
    """Wikidata's statements about our linked entities, each with a claim naming the item and the retrieval time."""
    linked = {q: node for node, q in ((n, ours.qid(n)) for n in ours.entities()) if q}
    values, retrieved = fetch_enrichment(client, linked)
    out = bind_prefixes(Graph())
    out.bind("wdt", WDT)
    out.bind("pq", PQ)
    for q, node in sorted(linked.items()):
        found = values.get(q, {})
        if not found:
            continue
        source = _add_item_source(out, q, endpoint_note)
        for prop, rows in sorted(found.items()):
            rows = sorted(rows, key=lambda r: (r["time"].value if "time" in r else "", r["value"].value))
            if prop == "P1082":
                rows = rows[-1:]
            for index, row in enumerate(rows, start=1):
                value = _rdf_value(row["value"])
                claim = ENTITY_NAMESPACES["claim"][f"{local_name(node)}-wikidata-{prop.lower()}-{index}"]
                add_claim(out, claim, node, WDT[prop], value, source)
                out.add((claim, PROV.generatedAtTime, Literal(retrieved, datatype=XSD.dateTime, normalize=False)))
                if "time" in row:
                    out.add((claim, PQ.P585, _rdf_value(row["time"])))
    return out


def _add_item_source(out: Graph, q: str, endpoint_note: str) -> URIRef:
    """Describe the Wikidata item ``q`` as the source of the statements taken from it."""
    source = ENTITY_NAMESPACES["source"][f"wikidata-{q.lower()}"]
    out.add((source, RDF.type, PROV.Entity))
    out.add((source, RDF.type, SDO.WebPage))
    out.add((source, RDFS.label, Literal(f"Wikidata item {q}", lang="en")))
    out.add((source, RDFS.label, Literal(f"Élément Wikidata {q}", lang="fr")))
    out.add((source, SDO.url, Literal(f"https://www.wikidata.org/wiki/{q}", datatype=XSD.anyURI)))
    out.add((source, SDO.about, WD[q]))
    if endpoint_note:
        out.add((source, RDFS.comment, Literal(endpoint_note, lang="en")))
    return source


def _rdf_value(term: Term) -> URIRef | Literal:
    """A term of a SPARQL JSON answer as an rdflib IRI or literal, its lexical form kept as sent."""
    if term.kind == "uri":
        return URIRef(term.value)
    if term.lang:
        return Literal(term.value, lang=term.lang)
    return Literal(term.value, datatype=URIRef(term.datatype) if term.datatype else None, normalize=False)

