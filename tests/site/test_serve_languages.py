"""Accept-Language: the negotiation itself (RFC 9110 q-values, RFC 4647 prefixes) and `serve` sending `/` and
entity IRIs to the reader's language over real HTTP (the same rules in nginx and Apache: test_publish_hosting)."""

from __future__ import annotations

import http.client
import re

import pytest

from migration_kg.site.langneg import FRENCH_FIRST, negotiate_language

pytestmark = pytest.mark.server

def request(server, method: str, path: str, headers: dict | None = None):
    connection = http.client.HTTPConnection(*server.server_address[:2], timeout=30)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


HEADERS = [
    (None, "en", False),
    ("", "en", False),
    ("fr", "fr", True),
    ("fr-CA,fr;q=0.9,en;q=0.8", "fr", True),
    ("de, fr;q=0.8, en;q=0.5", "fr", True),
    ("en-GB,en;q=0.9,fr;q=0.8", "en", False),
    ("en-GB, fr", "en", False),
    ("es", "en", False),
    ("FR-be", "fr", True),
    ("fr;q=0", "en", False),
    ("french", "en", False),
]


@pytest.mark.parametrize(("header", "language", "french_first"), HEADERS)
def test_language_negotiation_and_the_static_rules_agree(header, language, french_first) -> None:
    assert negotiate_language(header) == language
    assert bool(re.search(FRENCH_FIRST, header or "", re.IGNORECASE)) == french_first


def test_q_values_outweigh_order_in_serve_only() -> None:
    assert negotiate_language("en;q=0.4, fr;q=0.9") == "fr"
    assert negotiate_language("*;q=0.5, en;q=0.1") == "fr"


@pytest.mark.parametrize(("header", "status", "location"), [
    ("fr-CA,fr;q=0.9,en;q=0.8", 302, "/fr/"),
    ("en-US,en;q=0.9", 200, None),
    (None, 200, None),
])
def test_serve_sends_home_to_the_readers_language(site_server, header, status, location) -> None:
    got, headers, body = request(site_server, "GET", "/", {"Accept-Language": header} if header else {})
    assert got == status
    assert "Accept-Language" in headers["Vary"]
    assert headers.get("Location") == location
    if status == 200:
        assert b'<html lang="en">' in body
    french = request(site_server, "GET", "/fr/")
    assert french[0] == 200 and b'<html lang="fr">' in french[2]


@pytest.mark.parametrize(("accept", "language", "location"), [
    ("text/html", "fr", "/fr/id/city/montreal.html"),
    ("text/html", "en", "/id/city/montreal.html"),
    ("text/turtle", "fr", "/id/city/montreal.ttl"),
    (None, "fr-FR", "/fr/id/city/montreal.html"),
])
def test_serve_sends_an_entity_to_the_page_in_the_readers_language(site_server, accept, language, location) -> None:
    headers = {"Accept-Language": language, **({"Accept": accept} if accept else {})}
    status, answer, _body = request(site_server, "GET", "/id/city/montreal", headers)
    assert (status, answer["Location"]) == (303, location)
    assert "Accept" in answer["Vary"]


def test_serve_answers_the_favicon(site_server) -> None:
    status, headers, body = request(site_server, "GET", "/favicon.ico")
    assert status == 200 and headers["Content-Type"] == "image/x-icon"
    assert body[:4] == b"\0\0\1\0" and b"PNG" in body[:40]


