"""Checking quotes against their source texts: verbatim, at their offsets, wherever the text is available.

A claim names its source (``prov:wasDerivedFrom``); the source carries the SHA-256 of its text
(``mkg:sha256``); :class:`~migration_kg.provenance.texts.SourceTexts` finds the text with that digest. Claims
whose source text is not available are counted as unchecked, never passed silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import URIRef

from migration_kg.namespaces import MKG, SH
from migration_kg.provenance.locate import difference, excerpt, locate, nearest
from migration_kg.provenance.texts import SourceTexts
from migration_kg.shacl.validation import QC_SHAPE_BASE, Violation, label_of

#: The check's name in reports, beside the quality-control queries.
CHECK_NAME = "quote-verbatim"

_CLAIMS = """
PREFIX mkg: <https://w3id.org/migration-kg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?claim ?quote ?start ?end ?source ?sha WHERE {
  ?claim mkg:quote ?quote .
  OPTIONAL { ?claim prov:wasDerivedFrom ?source . OPTIONAL { ?source mkg:sha256 ?sha } }
  OPTIONAL { ?claim mkg:quoteStart ?start }
  OPTIONAL { ?claim mkg:quoteEnd ?end }
}
ORDER BY ?claim ?source ?sha
"""


@dataclass(frozen=True)
class QuotedClaim:
    """One claim's quote as the data states it."""

    claim: str
    quote: str
    source: str
    digest: str
    start: int | None
    end: int | None


@dataclass(frozen=True)
class QuoteProblem:
    """A quote that is not where its claim says, with what the text holds there and where the words are."""

    claim: str
    source: str
    quote: str
    message: str


@dataclass
class QuoteCheck:
    """How many quotes were checked against their text, how many could not be, and what was wrong."""

    checked: int = 0
    unchecked: int = 0
    problems: list[QuoteProblem] = field(default_factory=list)
    #: Sources that carry a SHA-256 but whose text is in none of the folders.
    missing_texts: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return f"{self.checked} quotes checked, {self.unchecked} unchecked (text not available)"


def quoted_claims(store: ox.Store) -> list[QuotedClaim]:
    """Every claim with a quote in ``store``, with its source's digest and its offsets when stated."""
    seen: dict[str, QuotedClaim] = {}
    for row in store.query(_CLAIMS):  # type: ignore[union-attr]
        claim = row["claim"].value
        if claim in seen:
            continue
        seen[claim] = QuotedClaim(
            claim=claim, quote=row["quote"].value,
            source=row["source"].value if row["source"] is not None else "",
            digest=row["sha"].value.strip().lower() if row["sha"] is not None else "",
            start=_integer(row["start"]), end=_integer(row["end"]))
    return list(seen.values())


def _integer(term: ox.Literal | None) -> int | None:
    if term is None:
        return None
    try:
        return int(term.value)
    except ValueError:
        return None


def check_quotes(store: ox.Store, texts: SourceTexts) -> QuoteCheck:
    """Check every quote of ``store`` whose source text ``texts`` holds: verbatim, at its offsets."""
    result = QuoteCheck()
    missing: set[str] = set()
    cache: dict[str, str | None] = {}
    for item in quoted_claims(store):
        text = None
        if item.digest:
            if item.digest not in cache:
                cache[item.digest] = texts.text_for(item.digest)
            text = cache[item.digest]
            if text is None:
                missing.add(item.source)
        if text is None:
            result.unchecked += 1
            continue
        result.checked += 1
        message = problem_with(item, text)
        if message:
            result.problems.append(QuoteProblem(item.claim, item.source, item.quote, message))
    result.missing_texts = sorted(missing)
    return result


def problem_with(item: QuotedClaim, text: str) -> str:
    """What is wrong with one quote against its source text, or "" when it stands verbatim at its offsets."""
    if item.start is None or item.end is None:
        return f"the quote {item.quote!r} has no offsets; {where_it_is(text, item.quote)} (migration-kg quote fill)"
    there = excerpt(text, item.start, item.end)
    if there == item.quote:
        return ""
    if item.end > len(text):
        place = f"{item.start}-{item.end} runs past the end of the text ({len(text)} characters)"
    else:
        place = f"at {item.start}-{item.end} the text has {there!r}"
    elsewhere = where_it_is(text, item.quote, item.start)
    return f"the quote {item.quote!r} is not verbatim at its offsets: {place}; {elsewhere}"


def where_it_is(text: str, quote: str, near: int | None = None) -> str:
    """Where the words are: an exact occurrence, or the nearest text and how it differs."""
    exact = locate(text, quote, near)
    if exact is not None:
        return f"the words stand at {exact.start}-{exact.end}"
    close = nearest(text, quote)
    if close is None:
        return "the words are nowhere in the text"
    return (f"the words are nowhere in the text; nearest at {close.start}-{close.end}: "
            f"{difference(quote, close.found)!r}")


def quote_violations(check: QuoteCheck, labels: ox.Store) -> list[Violation]:
    """The problems as validation results, beside the SHACL and quality-control ones."""
    found = []
    for problem in check.problems:
        source = label_of(labels, URIRef(problem.source)) if problem.source else "its source"
        found.append(Violation(
            focus=problem.claim, focus_label=label_of(labels, URIRef(problem.claim)), path="mkg:quote",
            message=f"{problem.message} (source: {source})", severity=str(SH.Violation),
            source=QC_SHAPE_BASE + CHECK_NAME, value=problem.quote, component=str(MKG.quote)))
    return sorted(found, key=Violation.sort_key)
