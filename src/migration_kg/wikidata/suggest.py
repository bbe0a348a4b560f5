"""``link suggest``: Wikidata candidates for our unlinked entities, found by name search and scored with reasons.

Names are looked up with the search API (``wbsearchentities``: prefix matches on labels and aliases, accent- and
case-insensitive, with Wikidata's language fallbacks, ``mul`` included); every candidate is then confirmed by
type, country, office and dates with SPARQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import URIRef
from rdflib.namespace import SKOS

from migration_kg.wikidata.answers import SearchHit, TimeValue
from migration_kg.wikidata.client import WikidataClient
from migration_kg.wikidata.dates import span
from migration_kg.wikidata.ours import OurGraph, all_kind_classes, similarity, term_span
from migration_kg.wikidata.queries import Item, Statement, fetch_items, fetch_statements


@dataclass
class Suggestion:
    """A candidate Wikidata item for one unlinked entity, its score and the reasons for it."""

    subject: str
    subject_label: str
    qid: str
    object_label: str
    confidence: float
    predicate: str
    justification: str
    reasons: list[str] = field(default_factory=list)


def suggest_links(ours: OurGraph, client: WikidataClient, per_entity: int = 5) -> list[Suggestion]:
    """Candidates for every entity without a link, by name search (fr and en), filtered by type and scored."""
    unlinked = [n for n in ours.entities() if ours.qid(n) is None and
                not any(ours.graph.objects(n, SKOS.closeMatch))]
    found = search_names(client, {(text, lang or "en") for n in unlinked for lang, text in ours.labels(n).items()})
    matched: dict[URIRef, dict[str, list[str]]] = {}
    for node in unlinked:
        for lang, text in sorted(ours.labels(node).items()):
            for hit in found.get((text, lang or "en"), []):
                how = f"search '{text}' ({lang or 'en'}) matched {hit.match_type or 'name'} " \
                      f"'{hit.match_text or hit.label}' ({hit.match_language or '?'})"
                reasons = matched.setdefault(node, {}).setdefault(hit.qid, [])
                if how not in reasons:
                    reasons.append(how)
    candidates = {n: sorted(matched.get(n, {})) for n in unlinked}
    qids = {q for qs in candidates.values() for q in qs}
    items = fetch_items(client, qids, all_kind_classes())
    targets_of: dict[str, set[str]] = {}
    for node, qs in candidates.items():
        kind = ours.kind(node)
        assert kind is not None
        targets_of.setdefault(kind.name, set()).update(items[q].target for q in qs if items[q].exists)
    every = set().union(*targets_of.values()) if targets_of else set()
    people, events = targets_of.get("person", set()), targets_of.get("event", set())
    facts = {"P17": fetch_statements(client, every, "P17"), "P27": fetch_statements(client, people, "P27"),
             "P39": fetch_statements(client, people, "P39"), "P580": fetch_statements(client, events, "P580"),
             "P585": fetch_statements(client, events, "P585")}
    suggestions: list[Suggestion] = []
    for node in unlinked:
        scored = [s for q in candidates[node] if (s := _score(ours, node, items[q], facts, matched[node][q]))]
        scored.sort(key=lambda s: (-s.confidence, s.qid))
        suggestions.extend(scored[:per_entity])
    return suggestions


def search_names(client: WikidataClient, names: set[tuple[str, str]], limit: int = 10) \
        -> dict[tuple[str, str], list[SearchHit]]:
    """The search API's hits for each (text, language), one cached request per name."""
    return {(text, lang): client.search(text, lang, limit) for text, lang in sorted(names)}


def _score(ours: OurGraph, node: URIRef, item: Item, facts: dict[str, dict[str, list[Statement]]],
           found_by: list[str]) -> Suggestion | None:
    """Score one candidate on label, type, country, office and dates; None if its type rules it out."""
    kind = ours.kind(node)
    assert kind is not None
    if not item.exists:
        return None
    target = item.target
    ratio, mine, theirs = similarity(ours.labels(node).values(), item.names(with_aliases=True))
    score = 0.5 * ratio
    reasons = [*found_by, f"label '{mine}' ~ '{theirs}' (similarity {ratio:.2f})"]
    if item.classes.intersection(kind.wikidata):
        score += 0.2
        reasons.append(f"type matches: {kind.description}")
    elif item.types:
        return None
    else:
        reasons.append("type unknown (no P31)")
    lexical_only = len(reasons)
    mine_countries = {q for c in ours.countries(node) if (q := ours.qid(c))}
    their_countries = {s.value for p in ("P17", "P27") for s in facts[p].get(target, [])}
    if mine_countries and their_countries:
        if mine_countries & their_countries:
            score += 0.15
            reasons.append(f"country matches ({', '.join(sorted(mine_countries & their_countries))})")
        else:
            score -= 0.3
            reasons.append(f"country differs: ours {', '.join(sorted(mine_countries))}, "
                           f"Wikidata {', '.join(sorted(their_countries))}")
    if kind.name == "person":
        score += _office_score(ours, node, facts["P39"].get(target, []), reasons)
    if kind.name == "event":
        score += _event_date_score(ours, node, facts, target, reasons)
    confidence = round(max(0.0, min(1.0, score)), 2)
    exact = ratio >= 0.9 and bool(item.classes.intersection(kind.wikidata))
    type_known = bool(item.types)
    justification = "semapv:CompositeMatching" if type_known or len(reasons) > lexical_only \
        else "semapv:LexicalMatching"
    if item.redirect:
        reasons.append(f"{item.qid} redirects to {item.redirect}")
    return Suggestion(ours.curie(node), ours.label(node), target, item.label(), confidence,
                      "skos:exactMatch" if exact else "skos:closeMatch", justification, reasons)


def _office_score(ours: OurGraph, node: URIRef, held: list[Statement], reasons: list[str]) -> float:
    """Up to 0.2 for a candidate who held one of our offices (P39), during our term."""
    score = 0.0
    for mandate, post in ours.mandates_of(node):
        post_q = ours.qid(post)
        terms = [s for s in held if s.value == post_q]
        if post_q and terms:
            score = max(score, 0.15)
            reasons.append(f"position held: {ours.label(post)} ({post_q})")
            start, end = ours.dates(mandate)
            if any(_overlap(start, end, s) for s in terms):
                score = max(score, 0.2)
                reasons.append(f"term overlaps ours ({term_span(start, end)})")
    return score


def _event_date_score(ours: OurGraph, node: URIRef, facts: dict[str, dict[str, list[Statement]]], target: str,
                      reasons: list[str]) -> float:
    """0.15 for an event candidate whose start time (P580) or point in time (P585) is our start date."""
    start, _end = ours.dates(node)
    times = [s.time for p in ("P580", "P585") for s in facts[p].get(target, []) if s.time and not s.time.unknown]
    if start and any(span(t)[0] <= span(start)[1] and span(start)[0] <= span(t)[1] for t in times):
        reasons.append(f"date matches ({start})")
        return 0.15
    return 0.0


def _overlap(start: str | None, end: str | None, term: Statement) -> bool:
    """True if our term (open ends allowed) and a Wikidata term can share a day; unknown values never exclude."""
    low = max(span(start)[0] if start else "0000", _edge(term.start, 0) or "0000")
    high = min(span(end)[1] if end else "9999", _edge(term.end, 1) or "9999")
    return low <= high


def _edge(value: TimeValue | None, side: int) -> str | None:
    """The first (side 0) or last (side 1) day of a Wikidata time, None if absent or unknown."""
    if value is not None and not value.unknown:
        return value.bounds()[side]
    return None
