"""``link suggest``: Wikidata candidates for our unlinked entities, found by label and scored with reasons."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from rdflib import URIRef
from rdflib.namespace import SKOS

from migration_kg.wikidata.client import Item, Statement, WikidataClient, fetch_items, fetch_statements, find_by_labels
from migration_kg.wikidata.ours import OurGraph, all_kind_classes, day_bounds, similarity, term_span


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
    """Candidates for every entity without a link, by label (fr and en), filtered by type and scored."""
    unlinked = [n for n in ours.entities() if ours.qid(n) is None and
                not any(ours.graph.objects(n, SKOS.closeMatch))]
    wanted = {n: {(variant, lang) for lang, text in ours.labels(n).items() for variant in _spellings(text)}
              for n in unlinked}
    found = find_by_labels(client, set().union(*wanted.values()) if wanted else set())
    candidates = {n: sorted({q for key in keys for q in found.get(key, [])}) for n, keys in wanted.items()}
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
        scored = [s for q in candidates[node] if (s := _score(ours, node, items[q], facts))]
        scored.sort(key=lambda s: (-s.confidence, s.qid))
        suggestions.extend(scored[:per_entity])
    return suggestions


def _score(ours: OurGraph, node: URIRef, item: Item, facts: dict[str, dict[str, list[Statement]]]) \
        -> Suggestion | None:
    """Score one candidate on label, type, country, office and dates; None if its type rules it out."""
    kind = ours.kind(node)
    assert kind is not None
    if not item.exists:
        return None
    target = item.target
    names = [n for bucket in (item.labels, item.aliases) for ns in bucket.values() for n in ns]
    ratio, mine, theirs = similarity(ours.labels(node).values(), names)
    score = 0.5 * ratio
    reasons = [f"label '{mine}' ~ '{theirs}' (similarity {ratio:.2f})"]
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


def _spellings(text: str) -> set[str]:
    """A label as written and without its accents (Wikidata aliases often drop them)."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return {text, unicodedata.normalize("NFC", bare)}


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
            if any(_overlap(start, end, s.start, s.end) for s in terms):
                score = max(score, 0.2)
                reasons.append(f"term overlaps ours ({term_span(start, end)})")
    return score


def _event_date_score(ours: OurGraph, node: URIRef, facts: dict[str, dict[str, list[Statement]]], target: str,
                      reasons: list[str]) -> float:
    """0.15 for an event candidate whose start time (P580) or point in time (P585) is our start date."""
    start, _end = ours.dates(node)
    days = {s.value[:10] for p in ("P580", "P585") for s in facts[p].get(target, [])}
    if start and start[:10] in days:
        reasons.append(f"date matches ({start})")
        return 0.15
    return 0.0


def _overlap(start: str | None, end: str | None, other_start: str | None, other_end: str | None) -> bool:
    """True if two terms (open ends allowed) share at least one day."""
    low = max(day_bounds(start) if start else "0000", day_bounds(other_start) if other_start else "0000")
    high = min(day_bounds(end, True) if end else "9999", day_bounds(other_end, True) if other_end else "9999")
    return low <= high

