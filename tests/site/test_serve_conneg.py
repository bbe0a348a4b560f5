"""conneg: Accept parsing and the choice of document, as RFC 9110 section 12.5.1 describes it."""

from __future__ import annotations

import pytest

from migration_kg.site.conneg import THING_PATH, negotiate, parse_accept

OFFERS = ["text/html", "text/turtle", "application/ld+json", "application/n-triples"]


@pytest.mark.parametrize(("accept", "chosen"), [
    (None, "text/html"),
    ("", "text/html"),
    ("*/*", "text/html"),
    ("text/turtle", "text/turtle"),
    ("application/ld+json", "application/ld+json"),
    ("application/n-triples", "application/n-triples"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
    ("text/turtle;q=0.9, text/html;q=0.8", "text/turtle"),
    ("text/html;q=0.2, application/ld+json;q=0.7, */*;q=0.1", "application/ld+json"),
    ("text/*;q=0.5, application/n-triples", "application/n-triples"),
    ("text/*", "text/html"),
    ("application/*", "application/ld+json"),
    ("*/*;q=0.1, text/turtle;q=0.0", "text/html"),
    ("text/turtle;q=0, */*", "text/html"),
    ("application/n-triples; charset=utf-8; q=0.6, text/turtle; q=0.5", "application/n-triples"),
    ("TEXT/TURTLE", "text/turtle"),
])
def test_negotiate_picks_the_preferred_offer(accept, chosen) -> None:
    assert negotiate(accept, OFFERS) == chosen


@pytest.mark.parametrize("accept", ["image/png", "application/json", "text/turtle;q=0", "text/*;q=0, application/*;q=0",
                                    "text/plain"])
def test_negotiate_returns_none_when_nothing_fits(accept) -> None:
    assert negotiate(accept, OFFERS) is None


def test_a_more_specific_range_overrides_a_wildcard() -> None:
    assert negotiate("text/*;q=1, text/html;q=0", OFFERS) == "text/turtle"


def test_malformed_elements_are_skipped_and_bad_q_counts_as_zero() -> None:
    ranges = parse_accept("garbage, text/turtle;q=abc, */html, application/ld+json;q=2, text/html;q=0.3")
    assert [(r.type, r.subtype, r.quality) for r in ranges] == [
        ("text", "turtle", 0.0), ("application", "ld+json", 0.0), ("text", "html", 0.3)]
    assert negotiate("garbage", OFFERS) == "text/html"


@pytest.mark.parametrize(("path", "thing"), [
    ("/id/city/montreal", "id/city/montreal"), ("/ontology", "ontology"),
    ("/id/party-type/state", "id/party-type/state"),
])
def test_thing_paths(path, thing) -> None:
    assert THING_PATH.match(path).group(1) == thing


@pytest.mark.parametrize("path", ["/id/city/montreal.html", "/id/city/", "/id/../etc/passwd", "/id/city/Montreal",
                                  "/index.html", "/id/city/montreal/x"])
def test_document_paths_are_not_things(path) -> None:
    assert THING_PATH.match(path) is None
