"""``link check``: compare every owl:sameAs link of ours with what Wikidata states, one verdict per check."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date

from rdflib import URIRef

from migration_kg.errors import UsageError
from migration_kg.wikidata.client import WikidataClient
from migration_kg.wikidata.dates import agree, covers
from migration_kg.wikidata.ours import Kind, OurGraph, all_kind_classes, similarity, term_span
from migration_kg.wikidata.queries import Item, Statement, best_rank, fetch_items, fetch_statements, language_rank

VERDICTS = ("ok", "wrong", "warning", "not-comparable")


@dataclass(frozen=True)
class CheckRow:
    """One line of the link report."""

    entity: str
    label: str
    qid: str
    check: str
    ours: str
    wikidata: str
    verdict: str


def check_links(ours: OurGraph, client: WikidataClient, on_date: str | None = None) -> list[CheckRow]:
    """Check every owl:sameAs link of ours against Wikidata; see docs/wikidata.md for the checks."""
    if on_date is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", on_date):
        raise UsageError(f"--date must be YYYY-MM-DD, not {on_date!r}")
    when = on_date or ours.article_date() or date.today().isoformat()
    linked = [(node, q) for node in ours.entities() if (q := ours.qid(node))]
    items = fetch_items(client, (q for _node, q in linked), all_kind_classes())
    targets_of: dict[str, set[str]] = {"city": set(), "person": set()}
    for node, q in linked:
        kind = ours.kind(node)
        if items[q].exists and kind is not None and kind.name in targets_of:
            targets_of[kind.name].add(items[q].target)
    countries = fetch_statements(client, targets_of["city"], "P17")
    mayors = fetch_statements(client, targets_of["city"], "P6")
    positions = fetch_statements(client, targets_of["person"], "P39")
    rows: list[CheckRow] = []
    for node, q in linked:
        item = items[q]
        row = RowMaker(ours.curie(node), ours.label(node), q)
        if not item.exists:
            rows.append(row("item", q, "no such item", "wrong"))
            continue
        if item.redirect:
            rows.append(row("item", q, f"redirect: merged into {item.redirect}; link {item.redirect} instead",
                            "warning"))
        else:
            rows.append(row("item", q, f"exists ({item.label()})", "ok"))
        kind = ours.kind(node)
        rows.append(_type_row(row, kind, item))
        score, mine, theirs = similarity(ours.labels(node).values(), item.names())
        verdict = "ok" if score >= 0.85 else "warning" if score >= 0.6 else "wrong"
        language = next((lang for lang in sorted(item.labels, key=language_rank) if theirs in item.labels[lang]), "")
        rows.append(row("label", mine or ours.label(node), f"{theirs}@{language} (similarity {score:.2f})"
                        if theirs else "(no fr, en or mul label)", verdict))
        if kind and kind.name == "city":
            rows.append(_country_row(ours, row, node, countries.get(item.target, [])))
            rows.extend(_mayor_rows(ours, row, node, mayors.get(item.target, []), when))
        if kind and kind.name == "person":
            rows.extend(_position_rows(ours, row, node, positions.get(item.target, [])))
    return rows


@dataclass(frozen=True)
class RowMaker:
    """Makes the report rows of one linked entity."""

    entity: str
    label: str
    qid: str

    def __call__(self, check: str, ours: str, wikidata: str, verdict: str) -> CheckRow:
        """One row of this entity's report."""
        return CheckRow(self.entity, self.label, self.qid, check, ours, wikidata, verdict)


def _type_row(row: RowMaker, kind: Kind | None, item: Item) -> CheckRow:
    """Is the item an instance (P31) of a Wikidata class our kind allows?"""
    types = ", ".join(f"{label or t} ({t})" for t, label in sorted(item.types.items())) or "(no P31)"
    if kind is None:
        return row("type", "(unknown kind)", types, "not-comparable")
    if item.classes.intersection(kind.wikidata):
        return row("type", f"{kind.name}: {kind.description}", types, "ok")
    return row("type", f"{kind.name}: {kind.description}", types, "wrong")


def _country_row(ours: OurGraph, row: RowMaker, node: URIRef, stated: list[Statement]) -> CheckRow:
    """Does the city's country (P17) agree with ours?"""
    mine = {q: c for c in ours.countries(node) if (q := ours.qid(c))}
    ours_text = ", ".join(f"{ours.label(c)} ({q})" for q, c in sorted(mine.items())) or \
        ", ".join(ours.label(c) for c in ours.countries(node)) or "(no country)"
    named = ours.by_qid()
    best = [s for s in best_rank(stated) if s.value]
    theirs = sorted({s.value for s in best if s.value})
    theirs_text = ", ".join(f"{s.label or (ours.label(named[s.value]) if s.value in named else '')} ({s.value})"
                            for s in sorted(set(best), key=lambda s: s.value or "")) or "(no P17)"
    if not mine or not theirs:
        return row("country", ours_text, theirs_text, "not-comparable")
    return row("country", ours_text, theirs_text, "ok" if set(mine) & set(theirs) else "wrong")


def _mayor_rows(ours: OurGraph, row: RowMaker, node: URIRef, stated: list[Statement], when: str) -> list[CheckRow]:
    """Does the head of government (P6) on ``when`` agree with the holder we state for each post of the city?"""
    rows = []
    covering = best_rank([s for s in stated if covers(s.start, s.end, when)])
    undecided = [s for s in stated if covers(s.start, s.end, when) is None]
    theirs_text = "; ".join(s.describe() for s in covering) or f"(no P6 covering {when})"
    for post in ours.posts_of(node):
        holders = [(h, start, end) for _m, h, start, end in ours.mandates(post) if covers(start, end, when)]
        check = f"mayor on {when}"
        if not holders:
            rows.append(row(check, f"(we state no holder of {ours.label(post)})", theirs_text, "not-comparable"))
            continue
        for holder, start, end in holders:
            q = ours.qid(holder)
            ours_text = f"{ours.label(holder)} ({q or 'no QID'}) {term_span(start, end)}"
            if q is None:
                rows.append(row(check, ours_text, theirs_text, "not-comparable"))
            elif any(s.value == q for s in covering):
                rows.append(row(check, ours_text, theirs_text, "ok"))
            elif open_terms := [s for s in undecided if s.value == q]:
                rows.append(row(check, ours_text, "term " + "; ".join(s.describe() for s in open_terms) +
                                f": an unknown date leaves open whether it covers {when}", "not-comparable"))
            elif terms := [s for s in stated if s.value == q]:
                rows.append(row(check, ours_text, "term " + "; ".join(s.describe() for s in terms) +
                                f" does not cover {when}; then: {theirs_text}", "wrong"))
            elif covering:
                rows.append(row(check, ours_text, theirs_text, "wrong"))
            elif stated:
                rows.append(row(check, ours_text, theirs_text, "warning"))
            else:
                rows.append(row(check, ours_text, "(no P6)", "not-comparable"))
    return rows


def _position_rows(ours: OurGraph, row: RowMaker, node: URIRef, stated: list[Statement]) -> list[CheckRow]:
    """Does each term of office we state appear among the person's positions held (P39), with matching dates?

    Dates are compared at the precision Wikidata gives; an unknown value matches nothing and contradicts
    nothing; a start date that another source gives (mkg:alternativeStartDate) counts as ours too.
    """
    rows = []
    for mandate, post in ours.mandates_of(node):
        start, end = ours.dates(mandate)
        starts = [start, *ours.other_start_dates(mandate)] if start else [None]
        post_q = ours.qid(post)
        ours_text = f"{ours.label(post)} ({post_q or 'no QID'}) {term_span(start, end)}"
        check = "position held"
        if post_q is None:
            rows.append(row(check, ours_text, "(our office has no QID)", "not-comparable"))
            continue
        terms = [s for s in stated if s.value == post_q]
        if not terms:
            rows.append(row(check, ours_text, f"(no P39 {post_q})", "warning"))
            continue
        theirs_text = "; ".join(s.describe() for s in terms)
        matches = [(s, first) for s in terms for first in starts
                   if agree(first, s.start) is not False and agree(end, s.end) is not False]
        if not matches:
            rows.append(row(check, ours_text, theirs_text, "wrong"))
            continue
        notes = []
        if any(first != start for _s, first in matches) and not any(first == start for _s, first in matches):
            notes.append(f"start agrees with the other start date we record ({matches[0][1]})")
        if all(agree(f, s.start) is None or agree(end, s.end) is None for s, f in matches):
            notes.append("an unknown value leaves a date open")
        rows.append(row(check, ours_text, theirs_text + "".join(f"; {n}" for n in notes), "ok"))
    return rows


def report_text(rows: Sequence[CheckRow], fmt: str) -> str:
    """The check report as CSV or JSON text."""
    if fmt == "json":
        return json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=2) + "\n"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(list(CheckRow.__dataclass_fields__))
    writer.writerows([list(asdict(r).values()) for r in rows])
    return buffer.getvalue()

