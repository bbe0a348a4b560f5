"""The page of one claim, titled by the statement it supports in words ("Kampala — located in — Uganda")."""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from migration_kg.namespaces import is_own_entity
from migration_kg.site.frame import page
from migration_kg.site.html import date_text, entity_link, esc, format_value, page_path, term_href, term_label, ui
from migration_kg.site.i18n import LANGUAGES
from migration_kg.site.model import Claim, SiteGraph, local_name
from migration_kg.site.pages import data_alternates, data_formats, entity_head, evidence
from migration_kg.site.terms import TERM_LABELS

SEPARATOR = " \u2014 "


def term_text(site: SiteGraph, term: URIRef, language: str) -> str:
    """A class or property name as plain text: the ontology's label, else our interface table, else its name."""
    labels = dict(site.ontology_labels(term))
    if language in labels:
        return labels[language]
    pair = TERM_LABELS.get(str(term))
    return pair[LANGUAGES.index(language)] if pair else local_name(str(term))


def value_text(site: SiteGraph, value: URIRef | Literal, language: str) -> str:
    """An object of a statement as plain text in ``language``."""
    if isinstance(value, Literal):
        if value.datatype == XSD.date:
            return date_text(str(value), language)
        return str(value)
    if is_own_entity(str(value)):
        return site.label(value, language)
    return term_text(site, value, language)


def statement_text(site: SiteGraph, claim: Claim, language: str) -> str:
    """The claimed statement in words: subject — property — value."""
    return SEPARATOR.join((site.label(claim.subject, language), term_text(site, claim.predicate, language),
                           value_text(site, claim.object, language)))


def claim_page(site: SiteGraph, node: URIRef, script: str) -> str:
    """The page of one claim: the statement it supports, its quote and where that quote comes from; ``script``
    carries its JSON-LD."""
    from_page = page_path(node)
    claim = site.claim(node)
    statement = (f'<table class="facts statement"><tbody>'
                 f'<tr><th scope="row">{term_label(site, RDF.subject)}</th>'
                 f"<td>{entity_link(site, from_page, claim.subject)}</td></tr>"
                 f'<tr><th scope="row">{term_label(site, RDF.predicate)}</th>'
                 f'<td><a href="{esc(term_href(from_page, claim.predicate))}">'
                 f"{term_label(site, claim.predicate)}</a></td></tr>"
                 f'<tr><th scope="row">{term_label(site, RDF.object)}</th>'
                 f"<td>{format_value(site, from_page, claim.object)}</td></tr></tbody></table>")
    title = (statement_text(site, claim, "en"), statement_text(site, claim, "fr"))
    heading = SEPARATOR.join((entity_link(site, from_page, claim.subject), term_label(site, claim.predicate),
                              format_value(site, from_page, claim.object)))
    body = [
        entity_head(site, from_page, node, "claim", parent=claim.subject, heading=heading),
        f'<section aria-labelledby="statement"><h2 id="statement">{ui("statement")}</h2>{statement}</section>',
        f'<section aria-labelledby="quote"><h2 id="quote">{ui("quote")}</h2>'
        f"{evidence(site, from_page, [claim])}</section>",
        data_formats(from_page, node),
    ]
    head = data_alternates(from_page, node) + script
    return page(from_page, title, "\n".join(body), head=head)
