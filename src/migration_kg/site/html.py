"""Small HTML building blocks shared by every page: escaping, text in the page's language, links, literals."""

from __future__ import annotations

import json
import re
from html import escape, unescape

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from migration_kg.namespaces import is_own_entity
from migration_kg.site.i18n import LANGUAGES, choose, current_language, relative_path
from migration_kg.site.model import SiteGraph, local_name, local_path
from migration_kg.site.terms import MONTHS, TERM_LABELS, UI

#: The only URL schemes a page links to; an IRI with any other (javascript:, data:, file:...) is shown as text.
LINK_SCHEMES = ("http", "https", "mailto")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_ANCHOR = re.compile(r"<a\b([^>]*?)\bhref=\"([^\"]*)\"([^>]*)>(.*?)</a>", re.DOTALL | re.IGNORECASE)
_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def safe_href(url: str) -> bool:
    """True if a browser following ``url`` (an href value, before escaping) stays on http(s) or mailto.

    Relative references are safe; the scheme is read as browsers read it, after dropping tabs and newlines and
    leading spaces and control characters (so ``java\tscript:`` counts as ``javascript:``).
    """
    cleaned = _BREAKS.sub("", url).lstrip(_LEADING)
    match = _SCHEME.match(cleaned)
    return match is None or match.group(1).lower() in LINK_SCHEMES


_BREAKS = re.compile(r"[\t\n\r]")
_LEADING = "".join(chr(c) for c in range(0x21))
#: href values that are safe at a glance (the same verdict as safe_href, without unescaping them first).
_PLAINLY_SAFE = ("https://", "http://", "../", "./", "#")


def unlink_unsafe(document: str) -> str:
    """``document`` with every ``<a href>`` whose target is not http(s), mailto or relative turned into text."""
    def replace(match: re.Match[str]) -> str:
        href = match.group(2)
        if href.startswith(_PLAINLY_SAFE) or ("&" not in href and ":" not in href) or safe_href(unescape(href)):
            return match.group(0)
        return f'<span class="iri-text" title="{match.group(2)}">{match.group(4)}</span>'

    return _ANCHOR.sub(replace, document)


_SPECIAL = re.compile("[&<>\"']")


def esc(text: object) -> str:
    """HTML-escape ``text`` for element content and attribute values."""
    text = str(text)
    return escape(text, quote=True) if _SPECIAL.search(text) else text


def bi(english: str, french: str) -> str:
    """Interface text in the language of the page being written, escaped."""
    return esc(choose(english, french))


def ui(key: str) -> str:
    """An interface string in the page's language."""
    return bi(*UI[key])


def bi_labels(labels: dict[str, str], fallback: str) -> str:
    """A label in the page's language; a label borrowed from the other language is marked with its ``lang``."""
    language = current_language()
    if language in labels:
        return esc(labels[language])
    for other in (*LANGUAGES, ""):
        if labels.get(other):
            return f'<span lang="{esc(other or "und")}">{esc(labels[other])}</span>'
    return esc(fallback)


def node_label(site: SiteGraph, node: URIRef) -> str:
    """An entity's label in the page's language."""
    key = (node, current_language())
    found = site.label_html.get(key)
    if found is None:
        if len(site.label_html) >= 50_000:
            site.label_html.clear()
        found = site.label_html[key] = bi_labels(site.labels(node), local_name(str(node)))
    return found


def term_label(site: SiteGraph, term: URIRef) -> str:
    """A class or property name in the page's language: the ontology's label, else our interface table."""
    labels = {language: text for language, text in site.ontology_labels(term) if language}
    if labels:
        return bi_labels(labels, local_name(str(term)))
    if str(term) in TERM_LABELS:
        return bi(*TERM_LABELS[str(term)])
    return f"<code>{esc(local_name(str(term)))}</code>"


def page_path(node: URIRef) -> str:
    """Site path of an entity's HTML page: ``id/city/montreal.html``."""
    return local_path(str(node)) + ".html"


def relative(from_page: str, target: str) -> str:
    """A relative link from the page at ``from_page`` to the site path ``target`` (pages in the same language)."""
    return relative_path(from_page, target)


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


def date_text(value: str, language: str) -> str:
    """An ISO date, or year and month, in words ('10 December 2018', '1er décembre 2018', 'mai 2016');
    anything else unchanged."""
    parts = value.split("-")
    try:
        numbers = [int(part) for part in parts]
        if len(numbers) not in (2, 3) or len(parts[0]) != 4 or not 1 <= numbers[1] <= 12:
            return value
        name = MONTHS[language][numbers[1] - 1]
    except ValueError:
        return value
    if len(numbers) == 2:
        return f"{name} {numbers[0]}"
    day = numbers[2]
    if language == "fr":
        return f"{'1er' if day == 1 else day} {name} {numbers[0]}"
    return f"{day} {name} {numbers[0]}"


def format_date(value: str) -> str:
    """An ISO date in words in the page's language, as a ``<time>`` element; anything else unchanged."""
    text = date_text(value, current_language())
    if text == value:
        return esc(value)
    return f'<time datetime="{esc(value)}">{esc(text)}</time>'


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
    """JSON that is safe inside a <script> element: ``<``, ``>``, ``&``, U+2028 and U+2029 written as ``\\u``
    escapes, so that no ``</script>``, ``<!--`` or ``<script`` in a label can end or hijack the element."""
    return script_safe(json.dumps(document, ensure_ascii=False, indent=1))


def script_safe(text: str) -> str:
    """JSON text with the characters that could end or hijack a <script> element written as ``\\u`` escapes."""
    return _UNSAFE_IN_SCRIPT.sub(lambda match: _SCRIPT_ESCAPES[match.group()], text)


_UNSAFE_IN_SCRIPT = re.compile("[<>&\u2028\u2029]")
