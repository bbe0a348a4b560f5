"""Reading what Wikidata answers: SPARQL JSON results, search API JSON, time values with their precision.

The query service returns a date as an ``xsd:dateTime`` whatever its precision (a year is ``2018-01-01T00:00:00Z``);
the precision lives only on the value node (``psv:``/``pqv:`` → ``wikibase:timePrecision``). An "unknown value" is a
skolem IRI (``http://www.wikidata.org/.well-known/genid/…``) or, in older dumps, a blank node: never a date.
"""

from __future__ import annotations

import calendar
import json
import re
from dataclasses import dataclass
from typing import Any

from migration_kg.errors import WikidataMalformedAnswerError, WikidataTimeoutError

ENTITY = "http://www.wikidata.org/entity/"
SKOLEM = "http://www.wikidata.org/.well-known/genid/"
#: wikibase:timePrecision values this client understands: 11 day, 10 month, 9 year, 8 decade, 7 century, 6 millennium.
DAY, MONTH, YEAR, DECADE, CENTURY, MILLENNIUM = 11, 10, 9, 8, 7, 6


@dataclass(frozen=True)
class Term:
    """One value of a SPARQL JSON result binding."""

    value: str
    kind: str = "literal"
    lang: str | None = None
    datatype: str | None = None

    def __str__(self) -> str:
        return self.value

    @property
    def unknown(self) -> bool:
        """True for Wikidata's "unknown value": a skolem IRI or a blank node."""
        return self.kind == "bnode" or (self.kind == "uri" and self.value.startswith(SKOLEM))


Row = dict[str, Term]


def qid(iri: str) -> str:
    """``Q42`` from ``http://www.wikidata.org/entity/Q42`` (other strings are returned unchanged)."""
    return iri[len(ENTITY):] if iri.startswith(ENTITY) else iri


@dataclass(frozen=True)
class TimeValue:
    """A Wikidata time at its precision; ``text`` is None for "unknown value"."""

    text: str | None
    precision: int = DAY

    @property
    def unknown(self) -> bool:
        return self.text is None

    def bounds(self) -> tuple[str, str]:
        """The first and last day (``YYYY-MM-DD``) the value may mean at its precision."""
        if self.text is None:
            raise ValueError("an unknown value has no bounds")
        return period_bounds(self.text, self.precision)

    def __str__(self) -> str:
        if self.text is None:
            return "unknown"
        day = self.text.lstrip("+")[:10]
        return {YEAR: day[:4], MONTH: day[:7]}.get(self.precision, day if self.precision >= DAY else
                                                    f"{day[:4]} (precision {self.precision})")


def period_bounds(text: str, precision: int = DAY) -> tuple[str, str]:
    """First and last day of a date, year-month or year (``2016``, ``2016-05``, ``+2016-05-07T00:00:00Z``)."""
    value = text.lstrip("+")
    match = re.match(r"(-?\d{1,4})(?:-(\d{2}))?(?:-(\d{2}))?", value)
    if not match:
        raise ValueError(f"not a date: {text!r}")
    year, month, day = int(match.group(1)), match.group(2), match.group(3)
    if month is None:
        precision = min(precision, YEAR)
    elif day is None:
        precision = min(precision, MONTH)
    span = {DECADE: 10, CENTURY: 100, MILLENNIUM: 1000}.get(precision)
    if span:
        first = year - year % span if span == 10 else (year - 1) - (year - 1) % span + 1
        return f"{first:04d}-01-01", f"{first + span - 1:04d}-12-31"
    if precision <= YEAR:
        return f"{year:04d}-01-01", f"{year:04d}-12-31"
    month_number = int(month or 1)
    if precision == MONTH:
        last = calendar.monthrange(year, month_number)[1] if year > 0 else 31
        return f"{year:04d}-{month_number:02d}-01", f"{year:04d}-{month_number:02d}-{last:02d}"
    day_text = f"{year:04d}-{month_number:02d}-{int(day or 1):02d}"
    return day_text, day_text


def time_value(value: Term | None, precision: Term | None) -> TimeValue | None:
    """A statement's or qualifier's time from its simple value and its value node's precision."""
    if value is None:
        return None
    if value.unknown:
        return TimeValue(None)
    try:
        level = int(precision.value) if precision is not None else DAY
    except ValueError:
        level = DAY
    return TimeValue(value.value, level)


def timeout_in_body(body: str) -> bool:
    """True if an error body is the query service's own time limit (Blazegraph's TimeoutException)."""
    return "TimeoutException" in body or "QueryTimeoutException" in body


def error_summary(body: str) -> str:
    """One short line from an error body: its first exception line, never the echoed query text."""
    for line in body.splitlines():
        stripped = line.strip()
        if re.match(r"^[\w.$]+(Exception|Error)\b", stripped):
            return stripped[:160]
    first = next((line.strip() for line in body.splitlines() if line.strip()), "")
    if first.startswith("SPARQL-QUERY:") or "queryStr=" in first:
        return ""
    return first[:160]


def parse_results(body: bytes, content_type: str, endpoint: str, complete: bool = True) -> dict[str, Any]:
    """A SPARQL JSON results document; a cut-off answer is the service's time limit, anything else malformed."""
    if "json" not in content_type.lower():
        raise WikidataMalformedAnswerError(
            f"expected SPARQL JSON results, got {content_type or 'no content type'}", endpoint)
    text = body.decode("utf-8", "replace")
    try:
        document = json.loads(text)
    except ValueError as error:
        if not complete or timeout_in_body(text) or _cut_off(text, error):
            raise WikidataTimeoutError(
                f"the answer was cut off mid-stream after {len(body)} bytes: the service's own query time limit "
                "(a server-side timeout); ask for less, e.g. fewer items per run", endpoint) from None
        raise WikidataMalformedAnswerError(f"the answer is not valid JSON ({error})", endpoint) from None
    if not isinstance(document, dict) or not isinstance(document.get("results"), dict) or \
            not isinstance(document["results"].get("bindings"), list):
        raise WikidataMalformedAnswerError("the answer has no results.bindings list", endpoint)
    return document


def _cut_off(text: str, error: ValueError) -> bool:
    """True if the JSON is valid up to where the text stops (so it was truncated, not garbled)."""
    position = getattr(error, "pos", None)
    return position is not None and position >= len(text.rstrip()) and text.lstrip().startswith("{")


def rows_of(document: dict[str, Any], endpoint: str) -> list[Row]:
    """The bindings of a SPARQL JSON results document as rows of terms."""
    rows = []
    for binding in document["results"]["bindings"]:
        if not isinstance(binding, dict) or not all(isinstance(cell, dict) for cell in binding.values()):
            raise WikidataMalformedAnswerError("a result binding is not an object", endpoint)
        rows.append({name: Term(str(cell.get("value", "")), str(cell.get("type", "literal")),
                                _text_or_none(cell.get("xml:lang")), _text_or_none(cell.get("datatype")))
                     for name, cell in binding.items()})
    return rows


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def require(rows: list[Row], names: tuple[str, ...], endpoint: str) -> list[Row]:
    """``rows`` if each binds every variable of ``names`` (which the question always binds); else one clear error."""
    for number, row in enumerate(rows, 1):
        missing = [name for name in names if name not in row]
        if missing:
            raise WikidataMalformedAnswerError(f"result row {number} lacks ?{missing[0]}, which the question always "
                                               "binds: not an answer to it", endpoint)
    return rows


@dataclass(frozen=True)
class SearchHit:
    """One result of the ``wbsearchentities`` API: the item, its label, and what our text matched."""

    qid: str
    label: str
    description: str
    match_type: str
    match_language: str
    match_text: str


def parse_search(body: bytes, endpoint: str) -> list[SearchHit]:
    """The hits of a ``wbsearchentities`` JSON answer; an API error or another shape is refused in one line."""
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise WikidataMalformedAnswerError(f"the search answer is not valid JSON ({error})", endpoint) from None
    if isinstance(document, dict) and isinstance(document.get("error"), dict):
        error = document["error"]
        raise WikidataMalformedAnswerError(
            f"the search API refused the request: {error.get('code', '?')}: {str(error.get('info', ''))[:120]}",
            endpoint)
    if not isinstance(document, dict) or not isinstance(document.get("search"), list):
        raise WikidataMalformedAnswerError("the search answer has no 'search' list", endpoint)
    hits = []
    for entry in document["search"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise WikidataMalformedAnswerError("a search result has no 'id'", endpoint)
        match = entry.get("match") if isinstance(entry.get("match"), dict) else {}
        hits.append(SearchHit(entry["id"], str(entry.get("label", "")), str(entry.get("description", "")),
                              str(match.get("type", "")), str(match.get("language", "")),
                              str(match.get("text", ""))))
    return hits
