"""The ontology's documentation page: every class and property of ours with labels, comments, domains, ranges."""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from migration_kg.namespaces import MKG, ONTOLOGY_IRI
from migration_kg.site.frame import page
from migration_kg.site.html import bi, bi_labels, esc, relative, term_href, term_label
from migration_kg.site.i18n import choose
from migration_kg.site.model import SiteGraph, local_name

FROM_PAGE = "ontology.html"

SECTIONS = (
    (OWL.Class, ("Classes", "Classes")),
    (OWL.ObjectProperty, ("Object properties", "Propriétés d'objet")),
    (OWL.DatatypeProperty, ("Datatype properties", "Propriétés de données")),
)

#: Axioms shown for each term: predicate -> (English, French) heading.
AXIOMS = (
    (RDFS.subClassOf, ("Subclass of", "Sous-classe de")),
    (RDFS.subPropertyOf, ("Subproperty of", "Sous-propriété de")),
    (RDFS.domain, ("Domain", "Domaine")),
    (RDFS.range, ("Range", "Codomaine")),
)


def _by_language(site: SiteGraph, node: URIRef, predicate: URIRef) -> dict[str, str]:
    return {lit.language or "": str(lit) for lit in site.ontology.objects(node, predicate) if isinstance(lit, Literal)}


def _term_ref(site: SiteGraph, term: URIRef) -> str:
    compact = site.ontology.namespace_manager.normalizeUri(term)
    return f'<a href="{esc(term_href(FROM_PAGE, term))}">{term_label(site, term)}</a> <code>{esc(compact)}</code>'


def _term_block(site: SiteGraph, term: URIRef) -> str:
    name = local_name(str(term))
    labels = _by_language(site, term, RDFS.label)
    comments = _by_language(site, term, RDFS.comment)
    kinds = sorted(site.ontology.namespace_manager.normalizeUri(t) for t in site.ontology.objects(term, RDF.type))
    rows = []
    for predicate, heading in AXIOMS:
        values = sorted(site.ontology.objects(term, predicate))
        if values:
            rows.append(f"<tr><th scope=\"row\">{bi(*heading)}</th><td>"
                        + "<br>".join(_term_ref(site, v) for v in values if isinstance(v, URIRef)) + "</td></tr>")
    both = " · ".join(f'<span lang="{esc(lang)}">{esc(text)}</span> <small>({esc(lang)})</small>'
                      for lang, text in sorted(labels.items()) if lang)
    return (f'<article class="term" id="{esc(name)}"><h3>{bi_labels(labels, name)} <code>mkg:{esc(name)}</code></h3>'
            f'<p class="all-labels">{both}</p><p class="term-iri"><code>{esc(str(term))}</code> · '
            f'{esc(", ".join(kinds))}</p><p>{bi_labels(comments, "")}</p>'
            + (f'<table class="facts axioms"><tbody>{"".join(rows)}</tbody></table>' if rows else "")
            + "</article>")


def _alignment(site: SiteGraph) -> str:
    rows = []
    for subject, parent in sorted(site.ontology.subject_objects(RDFS.subClassOf)):
        if str(subject).startswith(str(MKG)):
            continue
        rows.append(f"<tr><td>{_term_ref(site, subject)}</td><td>{_term_ref(site, parent)}</td></tr>")
    if not rows:
        return ""
    return (f'<section aria-labelledby="alignment"><h2 id="alignment">'
            f'{bi("Alignment with reused vocabularies", "Alignement sur les vocabulaires réutilisés")}</h2>'
            f'<table class="facts"><thead><tr><th scope="col">{bi("Class", "Classe")}</th><th scope="col">'
            f'{bi("Subclass of", "Sous-classe de")}</th></tr></thead><tbody>{"".join(rows)}</tbody></table></section>')


def _version_link(site: SiteGraph, version: object) -> str:
    """The version number, linked to the page of its version IRI's copy (written by site.documents)."""
    versioned = site.ontology.value(URIRef(ONTOLOGY_IRI), OWL.versionIRI)
    if versioned is None or not str(versioned).startswith(ONTOLOGY_IRI + "/"):
        return esc(version or "")
    target = "ontology/" + str(versioned).removeprefix(ONTOLOGY_IRI + "/") + ".html"
    return f'<a href="{esc(relative(FROM_PAGE, target))}">{esc(version or "")}</a>'


def ontology_page(site: SiteGraph) -> str:
    """One page documenting the ontology, in both languages."""
    ontology = URIRef(ONTOLOGY_IRI)
    graph = site.ontology
    title = _by_language(site, ontology, DCTERMS.title)
    description = _by_language(site, ontology, DCTERMS.description)
    version = graph.value(ontology, OWL.versionInfo)
    terms_by_section = []
    toc = []
    for kind, heading in SECTIONS:
        terms = sorted((t for t in graph.subjects(RDF.type, kind) if str(t).startswith(str(MKG))),
                       key=lambda t: local_name(str(t)).lower())
        if not terms:
            continue
        anchor = local_name(str(kind)).lower()
        toc.append(f'<li><a href="#{anchor}">{bi(*heading)}</a> ({len(terms)}): '
                   + ", ".join(f'<a href="#{esc(local_name(str(t)))}"><code>{esc(local_name(str(t)))}</code></a>'
                              for t in terms)
                   + "</li>")
        terms_by_section.append(f'<section aria-labelledby="{anchor}"><h2 id="{anchor}">{bi(*heading)}</h2>'
                                + "".join(_term_block(site, t) for t in terms) + "</section>")
    body = (f'<header class="entity-head"><p class="types"><span class="badge">OWL</span></p>'
            f"<h1>{bi_labels(title, 'migration-kg')}</h1><p class=\"lede\">{bi_labels(description, '')}</p>"
            f'<p class="iri"><code>{esc(ONTOLOGY_IRI)}</code> · {bi("namespace", "espace de noms")} '
            f'<code>{esc(str(MKG))}</code> · {bi("prefix", "préfixe")} <code>mkg:</code> · '
            f"{bi('version', 'version')} {_version_link(site, version)} · "
            + " · ".join(f'<a href="{esc(relative(FROM_PAGE, "ontology" + suffix))}" type="{media}">{name}</a>'
                         for suffix, name, media in ((".ttl", "Turtle", "text/turtle"),
                                                     (".rdf", "RDF/XML", "application/rdf+xml"),
                                                     (".jsonld", "JSON-LD", "application/ld+json"),
                                                     (".nt", "N-Triples", "application/n-triples")))
            + "</p></header>"
            f'<nav class="toc" aria-label="{bi("Contents", "Sommaire")}"><ul>{"".join(toc)}</ul></nav>'
            + "".join(terms_by_section) + _alignment(site))
    english = title.get("en", "migration-kg ontology")
    return page(FROM_PAGE, (english, title.get("fr", english)), body,
                description=choose(description.get("en", ""), description.get("fr", description.get("en", ""))))
