"""The release description: VoID statistics, a DCAT catalogue entry with checksums, and a SHA256SUMS manifest.

VoID: https://www.w3.org/TR/void/ · DCAT 3: https://www.w3.org/TR/vocab-dcat-3/ · checksums use the SPDX
terms that DCAT 3 recommends (spdx:checksum, spdx:algorithm, spdx:checksumValue).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, XSD

from migration_kg.errors import InputError
from migration_kg.namespaces import BASE, DATASET_IRI, ID_BASE, MKG, WD, bind_prefixes, is_own_entity

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
LICENCE = URIRef("https://creativecommons.org/licenses/by/4.0/")
IANA = "https://www.iana.org/assignments/media-types/"

TITLE = ("migration-kg: cities and the UN Global Compact for Migration",
         "migration-kg : les villes et le Pacte mondial des Nations unies sur les migrations")
DESCRIPTION = (
    "A knowledge graph of what a French-language news report (La Presse, 7 December 2018) says about cities "
    "and the Global Compact for Migration: the Council of Cities on Migration, its member cities and mayors, "
    "its funders, the Marrakech events and the cities' declaration. Every fact is a claim that carries the "
    "verbatim quote supporting it, with its position in the source.",
    "Un graphe de connaissances de ce que dit un reportage en français (La Presse, 7 décembre 2018) sur les "
    "villes et le Pacte mondial sur les migrations : le Conseil des villes sur les migrations, ses villes "
    "membres et leurs maires, ses bailleurs de fonds, les événements de Marrakech et la déclaration des "
    "villes. Chaque fait est une affirmation accompagnée de la citation verbatim qui l'appuie et de sa "
    "position dans la source.",
)

#: File suffix -> media type of a distribution.
MEDIA_TYPES = {
    ".ttl": "text/turtle", ".nt": "application/n-triples", ".jsonld": "application/ld+json",
    ".rdf": "application/rdf+xml", ".txt": "text/plain", ".rq": "application/sparql-query",
    ".nq": "application/n-quads",
}
#: Compressed files (such as the bulk-load dump, migration-kg.nq.gz): suffix -> media type of the compression.
COMPRESS_FORMATS = {".gz": "application/gzip"}
_FEATURES = {".ttl": "Turtle", ".nt": "N-Triples", ".jsonld": "JSON-LD", ".rdf": "RDF_XML", ".nq": "N-Quads"}


@dataclass(frozen=True)
class ReleaseFile:
    """One file of the release with what DCAT and SHA256SUMS say about it."""

    path: str  # relative to the site root, e.g. download/migration-kg.ttl
    size: int
    sha256: str

    @property
    def format_suffix(self) -> str:
        """The suffix that names the format, under a compression suffix if any (``.nq`` for ``x.nq.gz``)."""
        path = Path(self.path)
        return path.with_suffix("").suffix if path.suffix in COMPRESS_FORMATS else path.suffix

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES.get(self.format_suffix, "application/octet-stream")

    @property
    def compress_format(self) -> str | None:
        return COMPRESS_FORMATS.get(Path(self.path).suffix)


def describe_files(files: dict[str, bytes]) -> list[ReleaseFile]:
    """Size and SHA-256 of each file, by its path in the site."""
    return [ReleaseFile(path, len(content), hashlib.sha256(content).hexdigest())
            for path, content in sorted(files.items())]


def sha256sums(files: list[ReleaseFile]) -> str:
    """A manifest that ``sha256sum -c SHA256SUMS`` checks from the site root."""
    return "".join(f"{f.sha256}  {f.path}\n" for f in files)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")


def void_graph(data: Graph, dumps: list[ReleaseFile]) -> Graph:
    """VoID: size, classes, properties, partitions, data dumps and the owl:sameAs linkset to Wikidata."""
    graph = _new_graph()
    dataset = URIRef(DATASET_IRI)
    subjects = {s for s in data.subjects()}
    entities = {s for s in subjects if isinstance(s, URIRef) and is_own_entity(str(s))}
    classes = sorted(set(data.objects(None, RDF.type)))
    properties = sorted(set(data.predicates()))
    add = graph.add
    add((dataset, RDF.type, VOID.Dataset))
    _titles(graph, dataset)
    add((dataset, DCTERMS.license, LICENCE))
    add((dataset, VOID.uriSpace, Literal(ID_BASE)))
    add((dataset, VOID.triples, Literal(len(data), datatype=XSD.integer)))
    add((dataset, VOID.entities, Literal(len(entities), datatype=XSD.integer)))
    add((dataset, VOID.classes, Literal(len(classes), datatype=XSD.integer)))
    add((dataset, VOID.properties, Literal(len(properties), datatype=XSD.integer)))
    add((dataset, VOID.distinctSubjects, Literal(len(subjects), datatype=XSD.integer)))
    add((dataset, VOID.distinctObjects, Literal(len(set(data.objects())), datatype=XSD.integer)))
    add((dataset, VOID.exampleResource, URIRef(ID_BASE + "city/montreal")))
    add((dataset, VOID.vocabulary, URIRef(str(MKG))))
    for dump in dumps:
        feature = _FEATURES.get(dump.format_suffix)
        if dump.path.startswith("download/migration-kg.") and feature is not None:
            add((dataset, VOID.dataDump, URIRef(BASE + dump.path)))
            add((dataset, VOID.feature, URIRef("http://www.w3.org/ns/formats/" + feature)))
    for cls in classes:
        partition = URIRef(f"{DATASET_IRI}#class-{_slug(graph.namespace_manager.normalizeUri(cls))}")
        add((dataset, VOID.classPartition, partition))
        add((partition, VOID["class"], cls))
        add((partition, VOID.entities, Literal(len(set(data.subjects(RDF.type, cls))), datatype=XSD.integer)))
    for prop in properties:
        partition = URIRef(f"{DATASET_IRI}#property-{_slug(graph.namespace_manager.normalizeUri(prop))}")
        add((dataset, VOID.propertyPartition, partition))
        add((partition, VOID.property, prop))
        add((partition, VOID.triples, Literal(len(list(data.triples((None, prop, None)))), datatype=XSD.integer)))
    wikidata, linkset = URIRef(DATASET_IRI + "#wikidata"), URIRef(DATASET_IRI + "#wikidata-links")
    links = [(s, o) for s, o in data.subject_objects(OWL.sameAs) if str(o).startswith(str(WD))]
    add((wikidata, RDF.type, VOID.Dataset))
    add((wikidata, DCTERMS.title, Literal("Wikidata", lang="en")))
    add((wikidata, FOAF.homepage, URIRef("https://www.wikidata.org/")))
    add((wikidata, VOID.uriSpace, Literal(str(WD))))
    add((dataset, VOID.subset, linkset))
    add((linkset, RDF.type, VOID.Linkset))
    add((linkset, VOID.subjectsTarget, dataset))
    add((linkset, VOID.objectsTarget, wikidata))
    add((linkset, VOID.linkPredicate, OWL.sameAs))
    add((linkset, VOID.triples, Literal(len(links), datatype=XSD.integer)))
    return graph


def dcat_graph(files: list[ReleaseFile], version: str, issued: str) -> Graph:
    """DCAT: the dataset and one distribution per release file, with media type, size, SHA-256 and licence."""
    graph = _new_graph()
    dataset = URIRef(DATASET_IRI)
    add = graph.add
    add((dataset, RDF.type, DCAT.Dataset))
    _titles(graph, dataset)
    add((dataset, DCTERMS.license, LICENCE))
    add((dataset, DCTERMS.issued, Literal(issued, datatype=XSD.date)))
    add((dataset, DCAT.version, Literal(version)))
    add((dataset, OWL.versionInfo, Literal(version)))
    add((dataset, DCTERMS.creator, Literal("migration-kg contributors")))
    add((dataset, DCAT.landingPage, URIRef(BASE)))
    add((dataset, DCTERMS.source, URIRef(ID_BASE + "work/la-presse-2018-12-07-plante-marrakech")))
    add((dataset, DCTERMS.conformsTo, URIRef(str(MKG).rstrip("#"))))
    for language in ("fr", "en"):
        add((dataset, DCTERMS.language, URIRef(f"http://id.loc.gov/vocabulary/iso639-1/{language}")))
    for keyword in ("migration", "cities", "Global Compact for Migration", "linked data"):
        add((dataset, DCAT.keyword, Literal(keyword, lang="en")))
    for file in files:
        distribution = URIRef(f"{DATASET_IRI}#distribution-{_slug(file.path)}")
        checksum = URIRef(f"{DATASET_IRI}#sha256-{_slug(file.path)}")
        add((dataset, DCAT.distribution, distribution))
        add((distribution, RDF.type, DCAT.Distribution))
        add((distribution, DCTERMS.title, Literal(Path(file.path).name)))
        add((distribution, DCAT.downloadURL, URIRef(BASE + file.path)))
        add((distribution, DCAT.accessURL, URIRef(BASE + file.path)))
        add((distribution, DCAT.mediaType, URIRef(IANA + file.media_type)))
        if file.compress_format is not None:
            add((distribution, DCAT.compressFormat, URIRef(IANA + file.compress_format)))
        add((distribution, DCAT.byteSize, Literal(file.size, datatype=XSD.nonNegativeInteger)))
        add((distribution, DCTERMS.license, LICENCE))
        add((distribution, DCTERMS.issued, Literal(issued, datatype=XSD.date)))
        add((distribution, SPDX.checksum, checksum))
        add((checksum, RDF.type, SPDX.Checksum))
        add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        add((checksum, SPDX.checksumValue, Literal(file.sha256, datatype=XSD.hexBinary)))
    return graph


def _titles(graph: Graph, dataset: URIRef) -> None:
    for (english, french), predicate in ((TITLE, DCTERMS.title), (DESCRIPTION, DCTERMS.description)):
        graph.add((dataset, predicate, Literal(english, lang="en")))
        graph.add((dataset, predicate, Literal(french, lang="fr")))


def _new_graph() -> Graph:
    graph = bind_prefixes(Graph())
    for prefix, namespace in (("void", VOID), ("dcat", DCAT), ("spdx", SPDX), ("foaf", FOAF)):
        graph.bind(prefix, namespace)
    return graph


def validate_release(description: Graph, shapes_file: Path) -> tuple[bool, str]:
    """Check VoID and DCAT against our release shapes; (conforms, text report)."""
    import pyshacl

    if not shapes_file.is_file():
        raise InputError("release shapes are missing", shapes_file)
    shapes = Graph().parse(shapes_file, format="turtle")
    conforms, _report, text = pyshacl.validate(description, shacl_graph=shapes, inference="none",
                                               allow_warnings=True)
    return bool(conforms), str(text)
