"""One HTML page per entity of ours: labels in both languages, facts, the evidence for each fact, data links."""

from __future__ import annotations

from urllib.parse import urlsplit

from rdflib import Literal, URIRef
from rdflib.namespace import RDFS

from migration_kg.graph import jsonld
from migration_kg.namespaces import SDO
from migration_kg.site.frame import page
from migration_kg.site.html import (
    bi,
    bi_labels,
    entity_link,
    esc,
    format_value,
    node_label,
    page_path,
    relative,
    term_href,
    term_label,
    ui,
)
from migration_kg.site.model import RELATION_KINDS, Claim, Fact, SiteGraph, kind_of, local_name, local_path
from migration_kg.site.terms import KIND_TITLES

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

DATA_FORMATS = ((".ttl", "Turtle", "text/turtle"), (".jsonld", "JSON-LD", "application/ld+json"),
                (".nt", "N-Triples", "application/n-triples"))


def evidence(site: SiteGraph, from_page: str, claims: list[Claim]) -> str:
    """The provenance panel of one fact: each claim's quote, source, modality and offsets."""
    if not claims:
        return f'<span class="muted">{ui("no_claim")}</span>'
    items = []
    for claim in claims:
        items.append(f'<li class="claim-card">{_quote(site, claim)}{_claim_meta(site, from_page, claim)}</li>')
    return '<ul class="evidence">' + "".join(items) + "</ul>"


def _source_url(site: SiteGraph, source: URIRef | None) -> str | None:
    if source is None:
        return None
    url = site.value(source, SDO.url)
    return str(url) if url is not None else None


def _quote(site: SiteGraph, claim: Claim) -> str:
    if claim.quote is None:
        return ""
    lang = claim.quote.language or "und"
    url = _source_url(site, claim.source)
    cite = f' cite="{esc(url)}"' if url else ""
    return f'<blockquote class="quote" lang="{esc(lang)}"{cite}><p>{esc(str(claim.quote))}</p></blockquote>'


def _claim_meta(site: SiteGraph, from_page: str, claim: Claim) -> str:
    parts = []
    if claim.source is not None:
        parts.append(f'<span class="source">{entity_link(site, from_page, claim.source)}</span>')
        url = _source_url(site, claim.source)
        if url:
            host = urlsplit(url).hostname or url
            parts.append(f'<a class="external" rel="external" href="{esc(url)}">{esc(host)} ↗</a>')
    if claim.modality is not None:
        parts.append(f'<span class="modality">{node_label(site, claim.modality)}</span>')
    if claim.start is not None and claim.end is not None:
        parts.append(f'<span class="offsets">{ui("chars")} {claim.start}&ndash;{claim.end}</span>')
    parts.append(f'<a class="claim-link" href="{esc(relative(from_page, page_path(claim.iri)))}">{ui("claim")}</a>')
    notes = "".join(f'<p class="note" lang="{esc(c.language or "en")}">{esc(str(c))}</p>' for c in claim.comments)
    return '<p class="claim-meta">' + " · ".join(parts) + "</p>" + notes


def _value_details(site: SiteGraph, from_page: str, value: URIRef | Literal, node: URIRef) -> str:
    """For a value that is itself a small relation entity (a figure, a membership), what it says."""
    if isinstance(value, URIRef) and kind_of(str(value)) in RELATION_KINDS:
        return _relation_summary(site, from_page, value, node)
    return ""


def _fact_row(site: SiteGraph, from_page: str, fact: Fact, node: URIRef) -> str:
    href = esc(term_href(from_page, fact.predicate))
    predicate = f'<a class="term" href="{href}">{term_label(site, fact.predicate)}</a>'
    tagged = [v for v in fact.values if isinstance(v, Literal) and v.language]
    if len(tagged) == len(fact.values) and len(tagged) > 1:
        value = bi_labels({v.language: str(v) for v in tagged}, str(tagged[0]))
    else:
        value = "<br>".join(format_value(site, from_page, v) + _value_details(site, from_page, v, node)
                            for v in fact.values)
    return (f'<tr><th scope="row">{predicate}</th><td class="value">{value}</td>'
            f'<td>{evidence(site, from_page, fact.claims)}</td></tr>')


def _facts_table(site: SiteGraph, from_page: str, node: URIRef, facts: list[Fact]) -> str:
    rows = "\n".join(_fact_row(site, from_page, fact, node) for fact in facts)
    return (f'<table class="facts"><thead><tr><th scope="col">{ui("property")}</th><th scope="col">{ui("value")}'
            f'</th><th scope="col">{ui("evidence")}</th></tr></thead>\n<tbody>\n{rows}\n</tbody></table>')


def _relation_summary(site: SiteGraph, from_page: str, relation: URIRef, target: URIRef) -> str:
    """The other ends of an n-ary relation (a membership's organization, a funding's funder...)."""
    items = []
    for fact in site.facts(relation):
        if fact.values == [target]:
            continue
        values = ", ".join(format_value(site, from_page, v) for v in fact.values)
        items.append(f"<li>{term_label(site, fact.predicate)}: {values}</li>")
    return '<ul class="relation-summary">' + "".join(items) + "</ul>" if items else ""


def _incoming_table(site: SiteGraph, from_page: str, node: URIRef) -> str:
    rows = []
    for subject, predicate, claims in site.incoming(node):
        summary = _relation_summary(site, from_page, subject, node) if kind_of(str(subject)) in RELATION_KINDS else ""
        relation = f'<a class="term" href="{esc(term_href(from_page, predicate))}">{term_label(site, predicate)}</a>'
        rows.append(f'<tr><th scope="row">{entity_link(site, from_page, subject)}{summary}</th>'
                    f'<td>{relation}</td><td>{evidence(site, from_page, claims)}</td></tr>')
    if not rows:
        return ""
    return (f'<section aria-labelledby="cited-by"><h2 id="cited-by">{ui("cited_by")}</h2>'
            f'<table class="facts incoming"><thead><tr><th scope="col">{ui("from")}</th><th scope="col">'
            f'{ui("relation")}</th><th scope="col">{ui("evidence")}</th></tr></thead>\n<tbody>\n'
            + "\n".join(rows) + "\n</tbody></table></section>")


def _claims_from_source(site: SiteGraph, from_page: str, source: URIRef) -> str:
    claims = site.claims_from(source)
    if not claims:
        return ""
    rows = []
    for claim in claims:
        statement = (f"{entity_link(site, from_page, claim.subject)} — {term_label(site, claim.predicate)} — "
                     f"{format_value(site, from_page, claim.object)}")
        rows.append(f'<tr><td>{statement}</td><td>{_quote(site, claim)}'
                    f'{_claim_meta(site, from_page, claim)}</td></tr>')
    return (f'<section aria-labelledby="claims-from"><h2 id="claims-from">{ui("claims_from")} '
            f'<span class="count">({len(claims)})</span></h2><table class="facts"><thead><tr><th scope="col">'
            f'{ui("statement")}</th><th scope="col">{ui("evidence")}</th></tr></thead>\n<tbody>\n'
            + "\n".join(rows) + "\n</tbody></table></section>")


def entity_head(site: SiteGraph, from_page: str, node: URIRef, kind: str, parent: URIRef | None = None,
                heading: str | None = None) -> str:
    """The breadcrumb and the header of an entity's page: types, name (or ``heading``), labels, IRI, Wikidata."""
    types = " ".join(f'<a class="badge" href="{esc(term_href(from_page, t))}">{term_label(site, t)}</a>'
                     for t in site.types(node))
    labels = site.labels(node)
    both = " · ".join(f'<span lang="{esc(lang)}">{esc(text)}</span> <small>({esc(lang)})</small>'
                      for lang, text in sorted(labels.items()) if lang)
    wikidata = "".join(
        f'<a class="wikidata" rel="external" href="https://www.wikidata.org/wiki/{esc(local_name(str(item)))}">'
        f'{ui("wikidata")} {esc(local_name(str(item)))} ↗</a>' for item in site.wikidata(node))
    kind_title = KIND_TITLES.get(kind, (kind, kind))
    index = relative(from_page, "index.html")
    up = (entity_link(site, from_page, parent) if parent is not None
          else f'<a href="{esc(index)}#kind-{esc(kind)}">{bi(*kind_title)}</a>')
    name = heading or node_label(site, node)
    crumbs = bi("Breadcrumb", "Fil d'Ariane")
    return (f'<nav class="crumbs" aria-label="{crumbs}"><a href="{esc(index)}">{ui("home")}</a> &rsaquo; '
            f"{up}</nav>\n"
            f'<header class="entity-head"><p class="types">{types}</p>\n<h1 class="name">{name}</h1>\n'
            f'<p class="all-labels">{both}</p>\n<p class="iri"><span class="muted">{ui("iri")}</span> '
            f"<code>{esc(str(node))}</code></p>{wikidata}</header>")


def data_formats(from_page: str, node: URIRef) -> str:
    """Links to the entity's documents (Turtle, JSON-LD, N-Triples)."""
    stem = local_path(str(node))
    links = " ".join(f'<a class="format" href="{esc(relative(from_page, stem + suffix))}" type="{media}">{name}</a>'
                     for suffix, name, media in DATA_FORMATS)
    return f'<section aria-labelledby="as-data"><h2 id="as-data">{ui("formats")}</h2><p>{links}</p></section>'


def data_alternates(from_page: str, node: URIRef) -> str:
    """The head's links to the entity's documents."""
    stem = local_path(str(node))
    return "".join(f'<link rel="alternate" type="{media}" href="{esc(relative(from_page, stem + suffix))}">\n'
                   for suffix, _name, media in DATA_FORMATS)


def entity_page(site: SiteGraph, node: URIRef, script: str) -> str:
    """The HTML page of one entity (claims have their own page, in :mod:`migration_kg.site.claims`); ``script``
    is the element that carries its JSON-LD (see :func:`embedded_jsonld`)."""
    from_page = page_path(node)
    kind = kind_of(str(node))
    facts = site.facts(node)
    body = [entity_head(site, from_page, node, kind)]
    description = next((str(v) for v in site.objects(node, RDFS.comment)), "")
    if facts:
        body.append(f'<section aria-labelledby="facts"><h2 id="facts">{ui("facts")}</h2>'
                    f"{_facts_table(site, from_page, node, facts)}</section>")
    body.append(_incoming_table(site, from_page, node))
    body.append(_claims_from_source(site, from_page, node))
    body.append(data_formats(from_page, node))
    head = data_alternates(from_page, node) + script
    title = (site.label(node, "en"), site.label(node, "fr"))
    return page(from_page, title, "\n".join(part for part in body if part), head=head, description=description)


def embedded_jsonld(site: SiteGraph, node: URIRef, context: jsonld.Context) -> str:
    """The entity's document as JSON-LD inside the page."""
    from migration_kg.site.entitydocs import entity_documents

    return entity_documents(site, node, context).script
