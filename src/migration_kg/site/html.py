"""Small HTML building blocks shared by every page: escaping, bilingual text, links, literals, the page frame."""

from __future__ import annotations

import json
import posixpath
from html import escape

from rdflib import Literal, URIRef
from rdflib.namespace import RDFS, XSD

from migration_kg.namespaces import is_own_entity
from migration_kg.site.model import SiteGraph, local_name, local_path
from migration_kg.site.terms import TERM_LABELS, UI

_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"),
}


def esc(text: object) -> str:
    """HTML-escape ``text`` for element content and attribute values."""
    return escape(str(text), quote=True)


def bi(english: str, french: str) -> str:
    """The same text in both languages; the stylesheet shows the one the reader chose."""
    return f'<span class="bi"><span lang="en">{esc(english)}</span><span lang="fr">{esc(french)}</span></span>'


def ui(key: str) -> str:
    """An interface string in both languages."""
    return bi(*UI[key])


def bi_labels(labels: dict[str, str], fallback: str) -> str:
    """Bilingual text from a label map; a missing language falls back to the other one."""
    english = labels.get("en") or labels.get("fr") or labels.get("") or fallback
    french = labels.get("fr") or labels.get("en") or labels.get("") or fallback
    return bi(english, french)


def node_label(site: SiteGraph, node: URIRef) -> str:
    """An entity's label in both languages."""
    return bi_labels(site.labels(node), local_name(str(node)))


def term_label(site: SiteGraph, term: URIRef) -> str:
    """A class or property name in both languages: the ontology's label, else our interface table."""
    labels = {lit.language: str(lit) for lit in site.ontology.objects(term, RDFS.label)
              if isinstance(lit, Literal) and lit.language}
    if labels:
        return bi_labels(labels, local_name(str(term)))
    if str(term) in TERM_LABELS:
        return bi(*TERM_LABELS[str(term)])
    return bi(local_name(str(term)), local_name(str(term)))


def page_path(node: URIRef) -> str:
    """Site path of an entity's HTML page: ``id/city/montreal.html``."""
    return local_path(str(node)) + ".html"


def relative(from_page: str, target: str) -> str:
    """A relative link from the page at ``from_page`` to the site path ``target``."""
    fragment = ""
    if "#" in target:
        target, fragment = target.split("#", 1)
        fragment = "#" + fragment
    if not target:
        return fragment
    return posixpath.relpath(target, posixpath.dirname(from_page) or ".") + fragment


def term_href(from_page: str, term: URIRef) -> str:
    """Where a class or property name links to: our ontology page for our terms, the term itself otherwise."""
    iri = str(term)
    if iri.startswith("https://w3id.org/migration-kg/ontology#"):
        return relative(from_page, "ontology.html#" + local_name(iri))
    return iri


def entity_link(site: SiteGraph, from_page: str, node: URIRef, css: str = "") -> str:
    """A link to an entity: its page if it is ours, the IRI itself otherwise, with its label."""
    css_attr = f' class="{css}"' if css else ""
    if is_own_entity(str(node)):
        return f'<a{css_attr} href="{esc(relative(from_page, page_path(node)))}">{node_label(site, node)}</a>'
    if str(node).startswith("http://www.wikidata.org/entity/"):
        qid = local_name(str(node))
        return f'<a{css_attr} rel="external" href="https://www.wikidata.org/wiki/{esc(qid)}">Wikidata {esc(qid)}</a>'
    return f'<a{css_attr} rel="external" href="{esc(str(node))}">{term_label(site, node)}</a>'


def format_date(value: str) -> str:
    """An ISO date as '7 December 2018' / '7 décembre 2018'; anything else unchanged."""
    try:
        year, month, day = (int(part) for part in value.split("-"))
        english = f"{day} {_MONTHS['en'][month - 1]} {year}"
        french = f"{'1er' if day == 1 else day} {_MONTHS['fr'][month - 1]} {year}"
    except (ValueError, IndexError):
        return esc(value)
    return f'<time datetime="{esc(value)}">{bi(english, french)}</time>'


def format_literal(value: Literal) -> str:
    """A literal for reading: its language tagged, dates and numbers written for people, web addresses linked."""
    text = str(value)
    if value.language:
        return f'<span lang="{esc(value.language)}">{esc(text)}</span>'
    if value.datatype == XSD.date:
        return format_date(text)
    if value.datatype == XSD.boolean:
        return bi("yes", "oui") if text in ("true", "1") else bi("no", "non")
    if value.datatype in (XSD.decimal, XSD.double, XSD.float):
        return bi(text, text.replace(".", ","))
    if value.datatype == XSD.anyURI:
        return f'<a rel="external" href="{esc(text)}">{esc(text)}</a>'
    return esc(text)


def format_value(site: SiteGraph, from_page: str, value: URIRef | Literal) -> str:
    """An object of a fact: an entity link or a formatted literal."""
    if isinstance(value, Literal):
        return format_literal(value)
    return entity_link(site, from_page, value)


def json_for_script(document: object) -> str:
    """JSON that is safe inside a <script> element."""
    return json.dumps(document, ensure_ascii=False, indent=1).replace("</", "<\\/")


def page(from_page: str, title: tuple[str, str], body: str, *, description: str = "",
         head: str = "", canonical: str = "") -> str:
    """A complete HTML document with the site header (navigation, language switch) and footer."""
    root = relative(from_page, "index.html")
    english, french = title
    meta = f'<meta name="description" content="{esc(description)}">\n' if description else ""
    canonical_link = f'<link rel="canonical" href="{esc(canonical)}">\n' if canonical else ""
    return f"""<!DOCTYPE html>
<html lang="en" data-title-en="{esc(english)}" data-title-fr="{esc(french)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(english)}</title>
{meta}{canonical_link}<link rel="stylesheet" href="{esc(relative(from_page, "assets/style.css"))}">
<script src="{esc(relative(from_page, "assets/site.js"))}" defer></script>
{head}</head>
<body>
<a class="skip" href="#main">{ui("skip")}</a>
<header class="site-header">
<div class="wrap header-row">
<a class="brand" href="{esc(root)}">{ui("site")}</a>
<nav aria-label="site">
<a href="{esc(root)}">{ui("home")}</a>
<a href="{esc(relative(from_page, "ontology.html"))}">{ui("ontology")}</a>
<a href="{esc(relative(from_page, "index.html#downloads"))}">{ui("downloads")}</a>
</nav>
<div class="lang-switch" role="group" aria-label="Language / Langue">
<button type="button" data-set-lang="en" lang="en" aria-pressed="true">English</button>
<button type="button" data-set-lang="fr" lang="fr" aria-pressed="false">Français</button>
</div>
</div>
</header>
<main id="main" class="wrap">
{body}
</main>
<footer class="site-footer">
<div class="wrap">
<p>{ui("licence_line")} · <a href="{esc(root)}#cite">{ui("cite")}</a></p>
</div>
</footer>
</body>
</html>
"""

