"""Documents behind the project's fixed addresses, beside the entity pages.

- ``/dataset`` (the VoID and DCAT description of the release) as Turtle, JSON-LD, N-Triples, RDF/XML and a page;
- ``/ontology`` also as RDF/XML (what the OWL API asks for first), and each version IRI of the ontology
  (``/ontology/0.1.0``) as a copy of that version in every syntax, with a page;
- ``/ns/context.jsonld``, the JSON-LD context at a stable address.

Content negotiation for these addresses is in :mod:`migration_kg.site.conneg`.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL

from migration_kg.graph.jsonld import Context
from migration_kg.graph.serialize import serialize
from migration_kg.iris import BASE, CONTEXT_IRI, DATASET_IRI, ONTOLOGY_IRI
from migration_kg.site.frame import page
from migration_kg.site.html import bi, esc, format_date, relative
from migration_kg.site.release import CATALOG, CONTRIBUTORS, DCAT, ReleaseFile

#: Document suffix -> writer (a key of graph.serialize.FORMATS) for the dataset and ontology documents.
RDF_DOCUMENTS = {".ttl": "turtle", ".jsonld": "jsonld", ".nt": "ntriples", ".rdf": "rdfxml"}
CONTEXT_PATH = CONTEXT_IRI.removeprefix(BASE)
RELEASED_FR = "Cette version de l'ontologie, telle que publiée :"


def site_path(iri: str) -> str:
    """The site path of one of our own IRIs: ``https://w3id.org/migration-kg/ontology/0.1.0`` -> ``ontology/0.1.0``."""
    return iri.removeprefix(BASE)


def version_iri(ontology: Graph) -> str | None:
    """The ontology's owl:versionIRI, when it is one of ours."""
    value = ontology.value(URIRef(ONTOLOGY_IRI), OWL.versionIRI)
    return str(value) if value is not None and str(value).startswith(ONTOLOGY_IRI + "/") else None


def ontology_documents(ontology: Graph, context: Context) -> dict[str, str]:
    """The ontology as RDF/XML, and its version IRI's copy in every syntax (the pages come from pages())."""
    files = {"ontology.rdf": serialize(ontology, "rdfxml", context)}
    versioned = version_iri(ontology)
    if versioned is not None:
        stem = site_path(versioned)
        for suffix, writer in RDF_DOCUMENTS.items():
            files[stem + suffix] = serialize(ontology, writer, context)
    return files


def pages(ontology: Graph, description: Graph, files: list[ReleaseFile]) -> dict[str, str]:
    """The pages of ``/dataset`` and of the ontology's version IRI, in the language being written (English
    site paths)."""
    found = {"dataset.html": _dataset_page(description, files)}
    versioned = version_iri(ontology)
    if versioned is not None:
        found[site_path(versioned) + ".html"] = _version_page(ontology, versioned, site_path(versioned))
    return found


def _version_page(ontology: Graph, versioned: str, stem: str) -> str:
    from_page = stem + ".html"
    version = str(ontology.value(URIRef(ONTOLOGY_IRI), OWL.versionInfo) or versioned.rsplit("/", 1)[-1])
    syntaxes = " · ".join(f'<a href="{esc(relative(from_page, stem + suffix))}">{label}</a>' for suffix, label in (
        (".ttl", "Turtle"), (".rdf", "RDF/XML"), (".jsonld", "JSON-LD"), (".nt", "N-Triples")))
    body = (f'<header class="entity-head"><p class="types"><span class="badge">OWL</span></p>'
            f"<h1>{bi(f'migration-kg ontology, version {version}', f'Ontologie migration-kg, version {version}')}</h1>"
            f'<p class="iri"><code>{esc(versioned)}</code></p></header>'
            f"<p>{bi('This version of the ontology, as released:', RELEASED_FR)} {syntaxes}</p>"
            f'<p><a href="{esc(relative(from_page, "ontology.html"))}">'
            f"{bi('Documentation of the current version', 'Documentation de la version en cours')}</a> "
            f"(<code>{esc(ONTOLOGY_IRI)}</code>)</p>")
    return page(from_page, (f"migration-kg ontology {version}", f"Ontologie migration-kg {version}"), body)


def dataset_documents(description: Graph, context: Context) -> dict[str, str]:
    """``/dataset``: the release description (VoID and DCAT together) in every syntax (its page comes from pages()).

    The Turtle keeps the description's own prefixes (void:, dcat:, spdx:...), as void.ttl and dcat.ttl do.
    """
    documents = {"dataset" + suffix: serialize(description, writer, context)
                 for suffix, writer in RDF_DOCUMENTS.items()}
    documents["dataset.ttl"] = description.serialize(format="turtle")
    return documents


def _dataset_page(description: Graph, files: list[ReleaseFile]) -> str:
    dataset = URIRef(DATASET_IRI)

    def text(node: URIRef, predicate: URIRef, language: str) -> str:
        return next((str(v) for v in description.objects(node, predicate)
                     if isinstance(v, Literal) and v.language == language), "")

    rows = "".join(
        f'<tr><td><a href="{esc(relative("dataset.html", f.path))}">{esc(Path(f.path).name)}</a></td>'
        f'<td><code>{esc(f.media_type)}</code></td>'
        f'<td class="num">{f.size}</td><td><code class="hash">{esc(f.sha256)}</code></td></tr>' for f in files)
    documents = " · ".join(f'<a href="{esc(relative("dataset.html", "dataset" + suffix))}">{label}</a>'
                           for suffix, label in (
        (".ttl", "Turtle"), (".jsonld", "JSON-LD"), (".nt", "N-Triples"), (".rdf", "RDF/XML")))
    licence = description.value(dataset, DCTERMS.license)
    body = (f'<header class="entity-head"><p class="types"><span class="badge">DCAT</span> '
            f'<span class="badge">VoID</span></p>'
            f"<h1>{bi(text(dataset, DCTERMS.title, 'en'), text(dataset, DCTERMS.title, 'fr'))}</h1>"
            f'<p class="iri"><code>{esc(DATASET_IRI)}</code> · {documents}</p>'
            f'<p class="lede">{bi(text(dataset, DCTERMS.description, "en"), text(dataset, DCTERMS.description, "fr"))}'
            f"</p></header>"
            f'<section aria-labelledby="catalog"><h2 id="catalog">{bi("Catalogue", "Catalogue")}</h2>'
            f"<p>{bi(text(CATALOG, DCTERMS.description, 'en'), text(CATALOG, DCTERMS.description, 'fr'))}</p>"
            f'<p>{bi("Licence:", "Licence :")} <a href="{esc(licence)}"><code>{esc(licence)}</code></a> · '
            f'{bi("Version:", "Version :")} {esc(description.value(dataset, DCAT.version) or "")} · '
            f'{bi("Issued:", "Publié le :")} {format_date(str(description.value(dataset, DCTERMS.issued) or ""))}'
            "</p></section>"
            f'<section aria-labelledby="contributors"><h2 id="contributors">{bi("Publisher", "Éditeur")}</h2>'
            f"<p>{esc(description.value(CONTRIBUTORS, FOAF.name) or '')} "
            f'(<a id="contact" href="{esc(relative("dataset.html", "index.html"))}">{esc(BASE)}</a>)</p></section>'
            f'<section aria-labelledby="distributions"><h2 id="distributions">{bi("Files", "Fichiers")}</h2>'
            f'<table class="downloads"><thead><tr><th scope="col">{bi("File", "Fichier")}</th>'
            f'<th scope="col">{bi("Media type", "Type de média")}</th><th scope="col">{bi("Bytes", "Octets")}</th>'
            f'<th scope="col">SHA-256</th></tr></thead><tbody>{rows}</tbody></table>'
            + "<p>" + " · ".join(f'<a href="{esc(relative("dataset.html", path))}">{name}</a>' for path, name in (
                ("void.ttl", "VoID"), ("dcat.ttl", "DCAT"), ("SHA256SUMS", "SHA256SUMS"))) + "</p>"
            "</section>")
    english = text(dataset, DCTERMS.title, "en")
    return page("dataset.html", (english, text(dataset, DCTERMS.title, "fr") or english), body)
