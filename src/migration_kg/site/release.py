"""The release description: VoID statistics, a DCAT catalogue entry with checksums, and a SHA256SUMS manifest.

VoID: https://www.w3.org/TR/void/ · DCAT 3: https://www.w3.org/TR/vocab-dcat-3/ · checksums use the SPDX
terms that DCAT 3 recommends (spdx:checksum, spdx:algorithm, spdx:checksumValue). The DCAT part follows the
DCAT-AP 3.0.1 application profile (https://semiceu.github.io/DCAT-AP/releases/3.0.1/): a catalogue, a publisher
and a contact point, every referenced resource typed with the class the profile expects, languages, file types
and the theme from the EU Publications Office's authority tables.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

from migration_kg.errors import InputError
from migration_kg.graph.ntriples import term
from migration_kg.namespaces import BASE, DATASET_IRI, ID_BASE, MKG, WD, bind_prefixes
from migration_kg.site.graphindex import Statistics

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
LICENCE = URIRef("https://creativecommons.org/licenses/by/4.0/")
IANA = "https://www.iana.org/assignments/media-types/"
#: The EU Publications Office's authority tables (named authority lists) that DCAT-AP asks for.
EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
LANGUAGES = (URIRef(EU_AUTHORITY + "language/FRA"), URIRef(EU_AUTHORITY + "language/ENG"))
#: The data theme of the dataset, with the label the EU vocabulary gives it.
THEME = (URIRef(EU_AUTHORITY + "data-theme/SOCI"), "Population and society")
#: Who makes and publishes the dataset and the ontology (the ontology names the same agent).
CONTRIBUTORS = URIRef(DATASET_IRI + "#contributors")
CATALOG = URIRef(DATASET_IRI + "#catalog")
CONTACT = URIRef(DATASET_IRI + "#contact")
PROVENANCE = URIRef(DATASET_IRI + "#provenance")
ARTICLE = URIRef(ID_BASE + "work/la-presse-2018-12-07-plante-marrakech")
CATALOG_TITLE = ("migration-kg catalogue", "Catalogue de migration-kg")
CATALOG_DESCRIPTION = ("The datasets that the migration-kg project publishes: one so far, its knowledge graph.",
                       "Les jeux de données que publie le projet migration-kg : un seul pour l'instant, son graphe "
                       "de connaissances.")
PROVENANCE_TEXT = (
    "Built from one news article (La Presse, 7 December 2018) and, for exact dates and terms of office, from the "
    "public web pages each fact names; every fact carries its source and the verbatim words that support it.",
    "Construit à partir d'un article de presse (La Presse, 7 décembre 2018) et, pour les dates exactes et les "
    "mandats, des pages web publiques que nomme chaque fait ; chaque fait porte sa source et les mots exacts qui "
    "l'appuient.")

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
#: File suffix -> EU file type (DCAT-AP's dct:format vocabulary).
FILE_TYPES = {".ttl": "RDF_TURTLE", ".nt": "RDF_N_TRIPLES", ".jsonld": "JSON_LD", ".rdf": "RDF_XML", ".txt": "TXT",
              ".nq": "RDF_N_QUADS"}
#: What each file of a release is, in English and French (DCAT-AP recommends a description per distribution).
FILE_DESCRIPTIONS = {
    "migration-kg": ("The knowledge graph (data and concept schemes).",
                     "Le graphe de connaissances (données et schémas de concepts)."),
    "ontology": ("The ontology (OWL).", "L'ontologie (OWL)."),
    "shapes": ("The SHACL shapes the data conforms to.", "Les formes SHACL auxquelles les données se conforment."),
    "context": ("The JSON-LD context.", "Le contexte JSON-LD."),
    "validation-report": ("The validation report of this release.", "Le rapport de validation de cette version."),
}


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


def void_graph(stats: Statistics, dumps: list[ReleaseFile]) -> Graph:
    """VoID: size, classes, properties, partitions, data dumps and the owl:sameAs linkset to Wikidata."""
    graph = _new_graph()
    dataset = URIRef(DATASET_IRI)
    classes = sorted((term(cls), count) for cls, count in stats.classes.items())
    properties = sorted((term(prop), count) for prop, count in stats.properties.items())
    add = graph.add
    add((dataset, RDF.type, VOID.Dataset))
    _titles(graph, dataset)
    add((dataset, DCTERMS.license, LICENCE))
    add((dataset, VOID.uriSpace, Literal(ID_BASE)))
    add((dataset, VOID.triples, Literal(stats.triples, datatype=XSD.integer)))
    add((dataset, VOID.entities, Literal(stats.entities, datatype=XSD.integer)))
    add((dataset, VOID.classes, Literal(len(classes), datatype=XSD.integer)))
    add((dataset, VOID.properties, Literal(len(properties), datatype=XSD.integer)))
    add((dataset, VOID.distinctSubjects, Literal(stats.subjects, datatype=XSD.integer)))
    add((dataset, VOID.distinctObjects, Literal(stats.objects, datatype=XSD.integer)))
    add((dataset, VOID.exampleResource, URIRef(ID_BASE + "city/montreal")))
    add((dataset, VOID.vocabulary, URIRef(str(MKG))))
    for dump in dumps:
        feature = _FEATURES.get(dump.format_suffix)
        if dump.path.startswith("download/migration-kg.") and feature is not None:
            add((dataset, VOID.dataDump, URIRef(BASE + dump.path)))
            add((dataset, VOID.feature, URIRef("http://www.w3.org/ns/formats/" + feature)))
    for cls, count in classes:
        partition = URIRef(f"{DATASET_IRI}#class-{_slug(graph.namespace_manager.normalizeUri(cls))}")
        add((dataset, VOID.classPartition, partition))
        add((partition, VOID["class"], cls))
        add((partition, VOID.entities, Literal(count, datatype=XSD.integer)))
    for prop, count in properties:
        partition = URIRef(f"{DATASET_IRI}#property-{_slug(graph.namespace_manager.normalizeUri(prop))}")
        add((dataset, VOID.propertyPartition, partition))
        add((partition, VOID.property, prop))
        add((partition, VOID.triples, Literal(count, datatype=XSD.integer)))
    wikidata, linkset = URIRef(DATASET_IRI + "#wikidata"), URIRef(DATASET_IRI + "#wikidata-links")
    add((wikidata, RDF.type, VOID.Dataset))
    add((wikidata, DCTERMS.title, Literal("Wikidata", lang="en")))
    add((wikidata, FOAF.homepage, URIRef("https://www.wikidata.org/")))
    add((wikidata, VOID.uriSpace, Literal(str(WD))))
    add((dataset, VOID.subset, linkset))
    add((linkset, RDF.type, VOID.Linkset))
    add((linkset, VOID.subjectsTarget, dataset))
    add((linkset, VOID.objectsTarget, wikidata))
    add((linkset, VOID.linkPredicate, OWL.sameAs))
    add((linkset, VOID.triples, Literal(stats.wikidata_links, datatype=XSD.integer)))
    return graph


def dcat_graph(files: list[ReleaseFile], version: str, issued: str) -> Graph:
    """DCAT (DCAT-AP 3.0.1): the catalogue, the dataset, one distribution per release file with media type, file
    type, size, SHA-256 and licence, the publisher and contact point, and every referenced resource typed."""
    graph = _new_graph()
    dataset = URIRef(DATASET_IRI)
    add = graph.add
    add((CATALOG, RDF.type, DCAT.Catalog))
    for (english, french), predicate in ((CATALOG_TITLE, DCTERMS.title), (CATALOG_DESCRIPTION, DCTERMS.description)):
        add((CATALOG, predicate, Literal(english, lang="en")))
        add((CATALOG, predicate, Literal(french, lang="fr")))
    add((CATALOG, DCTERMS.publisher, CONTRIBUTORS))
    add((CATALOG, DCAT.dataset, dataset))
    add((CATALOG, FOAF.homepage, URIRef(BASE)))
    add((CATALOG, DCTERMS.license, LICENCE))
    add((CATALOG, DCTERMS.issued, Literal(issued, datatype=XSD.date)))
    add((CATALOG, DCTERMS.modified, Literal(issued, datatype=XSD.date)))
    add((dataset, RDF.type, DCAT.Dataset))
    _titles(graph, dataset)
    add((dataset, DCTERMS.license, LICENCE))
    add((dataset, DCTERMS.issued, Literal(issued, datatype=XSD.date)))
    add((dataset, DCAT.version, Literal(version)))
    add((dataset, OWL.versionInfo, Literal(version)))
    add((dataset, DCTERMS.creator, CONTRIBUTORS))
    add((dataset, DCTERMS.publisher, CONTRIBUTORS))
    add((dataset, DCAT.contactPoint, CONTACT))
    add((dataset, DCAT.landingPage, URIRef(BASE)))
    add((dataset, DCTERMS.relation, ARTICLE))
    add((dataset, PROV.wasDerivedFrom, ARTICLE))
    add((dataset, DCTERMS.provenance, PROVENANCE))
    add((dataset, DCTERMS.conformsTo, URIRef(str(MKG).rstrip("#"))))
    add((dataset, DCAT.theme, THEME[0]))
    for language in LANGUAGES:
        add((dataset, DCTERMS.language, language))
        add((CATALOG, DCTERMS.language, language))
    for keyword in ("migration", "cities", "Global Compact for Migration", "linked data"):
        add((dataset, DCAT.keyword, Literal(keyword, lang="en")))
    for file in files:
        _distribution(graph, dataset, file, issued)
    _agents(graph)
    _typed_references(graph)
    return graph


def _distribution(graph: Graph, dataset: URIRef, file: ReleaseFile, issued: str) -> None:
    distribution = URIRef(f"{DATASET_IRI}#distribution-{_slug(file.path)}")
    checksum = URIRef(f"{DATASET_IRI}#sha256-{_slug(file.path)}")
    path = Path(file.path)
    add = graph.add
    add((dataset, DCAT.distribution, distribution))
    add((distribution, RDF.type, DCAT.Distribution))
    add((distribution, DCTERMS.title, Literal(path.name)))
    described = FILE_DESCRIPTIONS.get(path.name.split(".")[0])
    if described:
        add((distribution, DCTERMS.description, Literal(described[0], lang="en")))
        add((distribution, DCTERMS.description, Literal(described[1], lang="fr")))
    add((distribution, DCAT.downloadURL, URIRef(BASE + file.path)))
    add((distribution, DCAT.accessURL, URIRef(BASE + file.path)))
    add((distribution, DCAT.mediaType, URIRef(IANA + file.media_type)))
    if file.compress_format is not None:
        add((distribution, DCAT.compressFormat, URIRef(IANA + file.compress_format)))
    inner = path.suffixes[-2] if path.suffix in COMPRESS_FORMATS and len(path.suffixes) > 1 else path.suffix
    if inner in FILE_TYPES:
        add((distribution, DCTERMS["format"], URIRef(EU_AUTHORITY + "file-type/" + FILE_TYPES[inner])))
    add((distribution, DCAT.byteSize, Literal(file.size, datatype=XSD.nonNegativeInteger)))
    add((distribution, DCTERMS.license, LICENCE))
    add((distribution, DCTERMS.issued, Literal(issued, datatype=XSD.date)))
    add((distribution, SPDX.checksum, checksum))
    add((checksum, RDF.type, SPDX.Checksum))
    add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    add((checksum, SPDX.checksumValue, Literal(file.sha256, datatype=XSD.hexBinary)))


def _agents(graph: Graph) -> None:
    """The publisher (also the creator) and the contact point: the project's contributors and its home page."""
    add = graph.add
    add((CONTRIBUTORS, RDF.type, FOAF.Agent))
    add((CONTRIBUTORS, FOAF.name, Literal("migration-kg contributors")))
    add((CONTRIBUTORS, FOAF.homepage, URIRef(BASE)))
    add((CONTACT, RDF.type, VCARD.Kind))
    add((CONTACT, VCARD.fn, Literal("migration-kg contributors")))
    add((CONTACT, VCARD.hasURL, URIRef(BASE)))
    add((PROVENANCE, RDF.type, DCTERMS.ProvenanceStatement))
    add((PROVENANCE, RDFS.label, Literal(PROVENANCE_TEXT[0], lang="en")))
    add((PROVENANCE, RDFS.label, Literal(PROVENANCE_TEXT[1], lang="fr")))


def _typed_references(graph: Graph) -> None:
    """Type every resource the description points at with the class DCAT-AP's ranges expect (ranges.ttl)."""
    add = graph.add
    for licence in set(graph.objects(None, DCTERMS.license)):
        add((licence, RDF.type, DCTERMS.LicenseDocument))
    for media_type in set(graph.objects(None, DCAT.mediaType)) | set(graph.objects(None, DCAT.compressFormat)):
        add((media_type, RDF.type, DCTERMS.MediaType))
    for file_type in set(graph.objects(None, DCTERMS["format"])):
        add((file_type, RDF.type, DCTERMS.MediaTypeOrExtent))
    for language in set(graph.objects(None, DCTERMS.language)):
        add((language, RDF.type, DCTERMS.LinguisticSystem))
    for standard in set(graph.objects(None, DCTERMS.conformsTo)):
        add((standard, RDF.type, DCTERMS.Standard))
    for page in set(graph.objects(None, DCAT.landingPage)) | set(graph.objects(None, FOAF.homepage)):
        add((page, RDF.type, FOAF.Document))
    for algorithm in set(graph.objects(None, SPDX.algorithm)):
        add((algorithm, RDF.type, SPDX.ChecksumAlgorithm))
    add((THEME[0], RDF.type, SKOS.Concept))
    add((THEME[0], SKOS.prefLabel, Literal(THEME[1], lang="en")))


def _titles(graph: Graph, dataset: URIRef) -> None:
    for (english, french), predicate in ((TITLE, DCTERMS.title), (DESCRIPTION, DCTERMS.description)):
        graph.add((dataset, predicate, Literal(english, lang="en")))
        graph.add((dataset, predicate, Literal(french, lang="fr")))


def release_description(void: Graph, dcat: Graph) -> Graph:
    """VoID and DCAT together, with their prefixes: what ``/dataset`` answers."""
    graph = _new_graph()
    graph += void
    graph += dcat
    return graph


def _new_graph() -> Graph:
    graph = bind_prefixes(Graph())
    for prefix, namespace in (("void", VOID), ("dcat", DCAT), ("spdx", SPDX), ("foaf", FOAF), ("vcard", VCARD)):
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
