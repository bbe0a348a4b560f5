"""The timeline page: every dated fact in date order, what was planned told apart from what was reported.

A dated fact is an entity's start, end, founding or publication date. Its status comes from the claims that
support it: *planned* when a claim gives it a forward-looking modality (planned, intended, considered, expected)
or the event is still ``schema:EventScheduled``, *reported* when its claims state it as done, *recorded* when
no claim backs it. Events of ours that carry no date at all are listed after the dated ones, each with the
claim of its status (or its first claim in the source). Everything is read
in one pass over the date properties and the events, so the page grows linearly with the graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import SKOS

from migration_kg.namespaces import ID_BASE, SDO
from migration_kg.site.frame import page
from migration_kg.site.html import bi, bi_labels, entity_link, esc, format_date, page_path
from migration_kg.site.model import Claim, SiteGraph, kind_of
from migration_kg.site.pages import evidence

FROM_PAGE = "timeline.html"
TITLE = ("Timeline: what happened, what was planned", "Chronologie : ce qui a eu lieu, ce qui était prévu")

#: Date properties on the timeline: property -> (English, French) verb.
DATE_PROPERTIES: tuple[tuple[URIRef, tuple[str, str]], ...] = (
    (SDO.startDate, ("starts", "début")),
    (SDO.endDate, ("ends", "fin")),
    (SDO.foundingDate, ("founded", "fondation")),
    (SDO.datePublished, ("published", "publication")),
)

MODALITY = ID_BASE + "modality/"
FORWARD_LOOKING = {URIRef(MODALITY + name) for name in ("planned", "intended", "considered", "expected")}
REPORTED = URIRef(MODALITY + "reported")
PLANNED = URIRef(MODALITY + "planned")

#: status -> (English, French) badge text; the legend explains each with the modality's definition.
STATUS = {
    "planned": ("Planned", "Prévu"),
    "reported": ("Reported", "Rapporté"),
    "recorded": ("Recorded", "Consigné"),
}
STATUS_MARK = {"planned": "\u25cb", "reported": "\u25cf", "recorded": "\u25c6"}


@dataclass
class Entry:
    """One dated fact (or one undated event) with its status and the claims behind it."""

    entity: URIRef
    date: str
    predicate: URIRef | None
    status: str
    claims: list[Claim] = field(default_factory=list)


def _scheduled(site: SiteGraph, entity: URIRef) -> bool:
    return SDO.EventScheduled in site.objects(entity, SDO.eventStatus)


def _status(site: SiteGraph, entity: URIRef, claims: list[Claim]) -> str:
    """A dated fact's status, from the claims of that date."""
    modalities = {claim.modality for claim in claims if claim.modality is not None}
    if modalities & FORWARD_LOOKING or _scheduled(site, entity):
        return "planned"
    return "reported" if claims else "recorded"


def _event_status(site: SiteGraph, event: URIRef, claims: list[Claim]) -> str:
    """An undated event's status: planned while scheduled, reported when any claim about it reports it, planned
    when its claims only look ahead (an announcement reported as made stays reported, even if its effect is only
    expected)."""
    modalities = {claim.modality for claim in claims if claim.modality is not None}
    if _scheduled(site, event):
        return "planned"
    if REPORTED in modalities:
        return "reported"
    return "planned" if modalities & FORWARD_LOOKING else "recorded"


def timeline_entries(site: SiteGraph) -> tuple[list[Entry], list[Entry]]:
    """The dated facts in date order, and the events of ours that have no date."""
    dated: list[Entry] = []
    for predicate, _verb in DATE_PROPERTIES:
        for entity, value in site.subject_objects(predicate):
            if not isinstance(entity, URIRef) or not isinstance(value, Literal) or kind_of(str(entity)) == "claim":
                continue
            claims = site.claims_for(entity, predicate, value)
            dated.append(Entry(entity, str(value), predicate, _status(site, entity, claims), claims))
    order = {predicate: rank for rank, (predicate, _verb) in enumerate(DATE_PROPERTIES)}
    dated.sort(key=lambda e: (e.date, order[e.predicate], site.label(e.entity, "en").lower(), str(e.entity)))
    has_date = {entry.entity for entry in dated}
    undated = []
    for entity in site.described_entities():
        if kind_of(str(entity)) != "event" or entity in has_date:
            continue
        about = site.claims_by_subject(entity)
        shown = [claim for claim in about if claim.predicate == SDO.eventStatus] or about[:1]
        undated.append(Entry(entity, "", None, _event_status(site, entity, about), shown))
    return dated, undated


def _badge(status: str) -> str:
    return (f'<span class="status status-{status}"><span aria-hidden="true">{STATUS_MARK[status]}</span> '
            f"{bi(*STATUS[status])}</span>")


def _entry(site: SiteGraph, entry: Entry) -> str:
    verb = next((verb for predicate, verb in DATE_PROPERTIES if predicate == entry.predicate), None)
    what = f'<span class="what">{bi(*verb)}</span> ' if verb else ""
    return (f'<li class="entry status-{entry.status}" data-entity="{esc(page_path(entry.entity))}">'
            f'<p class="entry-head">{_badge(entry.status)} {what}{entity_link(site, FROM_PAGE, entry.entity)}</p>'
            f"{evidence(site, FROM_PAGE, entry.claims)}</li>")


def _legend(site: SiteGraph) -> str:
    items = []
    for status, modality in (("planned", PLANNED), ("reported", REPORTED)):
        definitions = {d.language or "": str(d) for d in site.objects(modality, SKOS.definition)
                       if isinstance(d, Literal)}
        if definitions:
            items.append(f"<li>{_badge(status)} {bi_labels(definitions, '')}</li>")
    items.append(f"<li>{_badge('recorded')} " + bi("No claim records where this date comes from.",
                                                   "Aucune affirmation n'indique d'où vient cette date.") + "</li>")
    return '<ul class="legend">' + "".join(items) + "</ul>"


def timeline_page(site: SiteGraph, dated: list[Entry], undated: list[Entry]) -> str:
    """The timeline in the page's language: one block per date, then the events without a date."""
    by_date: dict[str, list[Entry]] = {}
    for entry in dated:
        by_date.setdefault(entry.date, []).append(entry)
    days = "".join(
        f'<li class="day"><h3 class="date">{format_date(date)}</h3><ul class="entries">'
        + "".join(_entry(site, entry) for entry in entries) + "</ul></li>" for date, entries in by_date.items())
    planned = sum(1 for entry in dated if entry.status == "planned")
    summary = bi(f"{len(dated)} dated facts, {planned} of them planned at the time of their source; "
                 f"{len(undated)} events without a date.",
                 f"{len(dated)} faits datés, dont {planned} prévus à la date de leur source ; "
                 f"{len(undated)} événements sans date.")
    body = (f'<h1>{bi(*TITLE)}</h1><p class="lede">{summary}</p>{_legend(site)}'
            f'<section aria-labelledby="dated"><h2 id="dated">{bi("Dated facts", "Faits datés")}</h2>'
            f'<ol class="timeline">{days}</ol></section>')
    if undated:
        body += (f'<section aria-labelledby="undated"><h2 id="undated">'
                 f'{bi("Events without a date", "Événements sans date")}</h2><ul class="entries">'
                 + "".join(_entry(site, entry) for entry in undated) + "</ul></section>")
    return page(FROM_PAGE, TITLE, body)
