"""The Wikidata client against hostile servers (issue 15, cases 1 and 10): only http(s), a deadline that a
trickled answer cannot stretch, and answers of the wrong shape as one typed error, never a traceback."""

from __future__ import annotations

import json
import time

import pytest
from hostile import answer, redirect_to, scripted, trickle

from migration_kg.errors import UsageError, WikidataMalformedAnswerError, WikidataTimeoutError
from migration_kg.wikidata.client import WikidataClient
from migration_kg.wikidata.queries import fetch_items, fetch_statements


def client(url: str, **options) -> WikidataClient:
    return WikidataClient(endpoint=url, search_api=url, cache_dir=None, retries=0, sleep=lambda _s: None,
                          **options)


def results(*rows: dict) -> bytes:
    return json.dumps({"head": {"vars": []}, "results": {"bindings": list(rows)}}).encode()


@pytest.mark.parametrize("what", ["body", "headers"])
def test_a_trickled_answer_times_out_at_the_deadline(what: str) -> None:
    with scripted(trickle(what)) as server:
        started = time.monotonic()
        with pytest.raises(WikidataTimeoutError, match="within the 1 s timeout"):
            client(server.url, timeout=1).select("SELECT * WHERE { ?s ?p ?o }")
    assert time.monotonic() - started < 4


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/sparql"])
def test_only_http_endpoints(url: str) -> None:
    with pytest.raises(UsageError, match="http:// or https://"):
        client(url).select("ASK {}")


def test_a_redirect_away_from_http_is_not_followed() -> None:
    with scripted(redirect_to("file:///etc")) as server, pytest.raises(Exception, match="not http"):
        client(server.url).select("ASK {}")


@pytest.mark.parametrize("rows", [
    ({},),  # a row that binds nothing
    ({"exists": {"type": "literal", "value": "true"}},),  # no ?item
    ({"item": {"type": "uri", "value": "http://www.wikidata.org/entity/Q999"},  # an item not asked about
      "exists": {"type": "literal", "value": "true"}},),
    ({"item": {"type": "uri", "value": "http://www.wikidata.org/entity/Q1"},
      "exists": {"type": "literal", "value": "true"}, "label": {"type": "literal", "value": "x", "xml:lang": 7}},),
])
def test_answers_of_the_wrong_shape_are_malformed_not_tracebacks(rows: tuple) -> None:
    """Case 10: well-formed JSON of an unexpected shape used to end in KeyError or AttributeError."""
    with scripted(answer(results(*rows))) as server:
        try:
            items = fetch_items(client(server.url), ["Q1"])
        except WikidataMalformedAnswerError as error:
            assert "lacks ?" in str(error)
        else:
            assert set(items) == {"Q1"}


def test_statements_without_their_value_are_malformed() -> None:
    row = {"item": {"type": "uri", "value": "http://www.wikidata.org/entity/Q1"},
           "statement": {"type": "uri", "value": "http://www.wikidata.org/entity/statement/x"}}
    with scripted(answer(results(row))) as server, pytest.raises(WikidataMalformedAnswerError, match=r"lacks \?value"):
        fetch_statements(client(server.url), ["Q1"], "P17")


def test_an_error_body_is_scrubbed_before_it_is_shown() -> None:
    from migration_kg.errors import WikidataHTTPError

    body = b"Authorization: Basic bWU6czNjcjN0 token=abcdefgh12345"
    with scripted(answer(body, "text/plain", status=400)) as server, pytest.raises(WikidataHTTPError) as caught:
        client(server.url).select("ASK {}")
    assert "bWU6czNjcjN0" not in str(caught.value) and "abcdefgh12345" not in str(caught.value)
