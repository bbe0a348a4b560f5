"""serve: content negotiation over real HTTP, 303/404/406/400, path traversal, the read-only SPARQL endpoint."""

from __future__ import annotations

import http.client
import json
import socket
import time
from urllib.parse import urlencode

import pytest
from rdflib import Graph, URIRef

from migration_kg.errors import InputError
from migration_kg.site.server import make_server

pytestmark = pytest.mark.server

MONTREAL = URIRef("https://w3id.org/migration-kg/id/city/montreal")


def request(server, method: str, path: str, headers: dict | None = None, body: bytes | str | None = None):
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def raw_request(server, line: str) -> tuple[int, bytes]:
    """Send a request line byte for byte (no client-side normalisation of the path)."""
    with socket.create_connection(server.server_address[:2], timeout=30) as sock:
        sock.sendall(f"{line}\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, data.split(b"\r\n\r\n", 1)[1]


@pytest.mark.parametrize(("accept", "location"), [
    ("text/html", "/id/city/montreal.html"),
    ("text/turtle", "/id/city/montreal.ttl"),
    ("application/ld+json", "/id/city/montreal.jsonld"),
    ("application/n-triples", "/id/city/montreal.nt"),
    ("text/turtle;q=0.5, application/ld+json;q=0.9", "/id/city/montreal.jsonld"),
    ("text/html;q=0.1, application/n-triples;q=0.4, */*;q=0.05", "/id/city/montreal.nt"),
    ("*/*", "/id/city/montreal.html"),
    (None, "/id/city/montreal.html"),
])
def test_entity_iri_answers_303_to_the_preferred_document(site_server, accept, location) -> None:
    status, headers, _body = request(site_server, "GET", "/id/city/montreal", {"Accept": accept} if accept else {})
    assert status == 303
    assert headers["Location"] == location
    assert "Accept" in headers["Vary"]


def test_following_the_303_gives_the_document_in_that_format(site_server) -> None:
    for accept, fmt in (("text/turtle", "turtle"), ("application/ld+json", "json-ld"), ("application/n-triples", "nt")):
        _status, headers, _ = request(site_server, "GET", "/id/city/montreal", {"Accept": accept})
        status, document_headers, body = request(site_server, "GET", headers["Location"])
        assert status == 200
        assert document_headers["Content-Type"].startswith(accept)
        graph = Graph().parse(data=body, format=fmt)
        assert (MONTREAL, URIRef("http://www.w3.org/2002/07/owl#sameAs"),
                URIRef("http://www.wikidata.org/entity/Q340")) in graph


def test_html_page_is_served_as_html(site_server) -> None:
    status, headers, body = request(site_server, "GET", "/id/city/montreal.html")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<span lang="fr">Montréal</span>' in body.decode("utf-8")


def test_ontology_iri_is_negotiated_too(site_server) -> None:
    status, headers, _ = request(site_server, "GET", "/ontology", {"Accept": "text/turtle"})
    assert (status, headers["Location"]) == (303, "/ontology.ttl")
    status, headers, _ = request(site_server, "GET", "/ontology", {"Accept": "text/html"})
    assert (status, headers["Location"]) == (303, "/ontology.html")


def test_unacceptable_accept_gets_406(site_server) -> None:
    status, _headers, body = request(site_server, "GET", "/id/city/montreal", {"Accept": "image/png"})
    assert status == 406
    assert b"text/turtle" in body


@pytest.mark.parametrize("path", ["/id/city/atlantis", "/id/unicorn/montreal", "/id/city/atlantis.html",
                                  "/nothing-here.html", "/id/city/"])
def test_unknown_entities_and_files_get_404(site_server, path) -> None:
    status, _headers, _body = request(site_server, "GET", path, {"Accept": "text/turtle"})
    assert status == 404


def test_head_answers_without_a_body(site_server) -> None:
    status, headers, body = request(site_server, "HEAD", "/index.html")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 1000


@pytest.mark.parametrize("line", [
    "GET /../../../../etc/passwd HTTP/1.1",
    "GET /id/../../../etc/passwd HTTP/1.1",
    "GET /%2e%2e/%2e%2e/%2e%2e/etc/passwd HTTP/1.1",
    "GET /%2E%2E%2F%2E%2E%2Fetc%2Fpasswd HTTP/1.1",
    "GET /id/city/..%2f..%2f..%2f..%2fetc%2fpasswd HTTP/1.1",
    "GET /..%5c..%5cetc%5cpasswd HTTP/1.1",
    "GET /%2Fetc%2Fpasswd HTTP/1.1",
    "GET http://localhost/../../etc/passwd HTTP/1.1",
    "GET /download/%00../../etc/passwd HTTP/1.1",
    "GET /.htaccess/../../etc/passwd HTTP/1.1",
])
def test_path_traversal_is_refused(site_server, line) -> None:
    status, body = raw_request(site_server, line)
    assert status == 400
    assert b"root:" not in body


@pytest.mark.parametrize("line", ["GET /etc/passwd HTTP/1.1", "GET //etc/passwd HTTP/1.1"])
def test_absolute_filesystem_paths_stay_inside_the_site(site_server, line) -> None:
    status, body = raw_request(site_server, line)
    assert status == 404
    assert b"root:" not in body


def test_dotfiles_are_not_served(site_server) -> None:
    status, _body = raw_request(site_server, "GET /.htaccess HTTP/1.1")
    assert status == 400


# ---------------------------------------------------------------- SPARQL

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def test_sparql_get_returns_json_results(site_server, dist_dir) -> None:
    triples = len(Graph().parse(dist_dir / "migration-kg.nt", format="nt"))
    status, headers, body = request(site_server, "GET", "/sparql?" + urlencode({"query": COUNT}),
                                    {"Accept": "application/sparql-results+json"})
    assert status == 200
    assert headers["Content-Type"].startswith("application/sparql-results+json")
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == triples


def test_sparql_post_form_and_direct_body(site_server) -> None:
    query = "SELECT ?label WHERE { <https://w3id.org/migration-kg/id/city/montreal> " \
            "<http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?label"
    status, headers, body = request(site_server, "POST", "/sparql", {
        "Content-Type": "application/x-www-form-urlencoded", "Accept": "text/csv"}, urlencode({"query": query}))
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert body.decode("utf-8").splitlines() == ["label", "Montreal", "Montréal"]
    status, headers, body = request(site_server, "POST", "/sparql", {
        "Content-Type": "application/sparql-query", "Accept": "text/tab-separated-values"}, query)
    assert status == 200 and '"Montréal"@fr' in body.decode("utf-8")


def test_sparql_construct_by_accept(site_server) -> None:
    query = "CONSTRUCT { ?s ?p ?o } WHERE { BIND(<https://w3id.org/migration-kg/id/city/montreal> AS ?s) ?s ?p ?o }"
    for accept, fmt in (("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld")):
        status, headers, body = request(site_server, "GET", "/sparql?" + urlencode({"query": query}),
                                        {"Accept": accept})
        assert status == 200 and headers["Content-Type"].startswith(accept)
        assert (MONTREAL, URIRef("http://www.w3.org/2002/07/owl#sameAs"),
                URIRef("http://www.wikidata.org/entity/Q340")) in Graph().parse(data=body, format=fmt)


def test_sparql_ask_as_xml(site_server) -> None:
    status, _headers, body = request(site_server, "GET", "/sparql?" + urlencode({"query": "ASK { ?s ?p ?o }"}),
                                     {"Accept": "application/sparql-results+xml"})
    assert status == 200 and b"<boolean>true</boolean>" in body


def test_sparql_bad_query_is_400_with_the_parser_message(site_server) -> None:
    status, _headers, body = request(site_server, "GET", "/sparql?" + urlencode({"query": "SELEC * WHERE {}"}))
    assert status == 400
    assert body.startswith(b"bad query: error at 1:")


@pytest.mark.parametrize(("method", "path", "headers", "body"), [
    ("POST", "/sparql", {"Content-Type": "application/sparql-update"}, "INSERT DATA { <a:b> <a:c> <a:d> }"),
    ("POST", "/sparql", {"Content-Type": "application/x-www-form-urlencoded"},
     urlencode({"update": "DELETE WHERE { ?s ?p ?o }"})),
    ("GET", "/sparql?" + urlencode({"update": "CLEAR ALL"}), {}, None),
])
def test_sparql_update_is_refused(site_server, method, path, headers, body) -> None:
    status, _headers, message = request(site_server, method, path, headers, body)
    assert status == 403
    assert b"read-only" in message
    still, _, count = request(site_server, "GET", "/sparql?" + urlencode({"query": COUNT}))
    assert still == 200 and int(json.loads(count)["results"]["bindings"][0]["n"]["value"]) > 2000


def test_update_sent_as_a_query_is_400(site_server) -> None:
    status, _headers, _body = request(site_server, "GET", "/sparql?" + urlencode({"query": "DROP ALL"}))
    assert status == 400


def test_sparql_without_query_or_with_unknown_format(site_server) -> None:
    assert request(site_server, "GET", "/sparql")[0] == 400
    assert request(site_server, "GET", "/sparql?" + urlencode({"query": COUNT}), {"Accept": "image/png"})[0] == 406
    assert request(site_server, "POST", "/sparql", {"Content-Type": "text/plain"}, COUNT)[0] == 415
    assert request(site_server, "POST", "/index.html", {"Content-Type": "text/plain"}, "x")[0] == 405


def test_sparql_service_is_refused_by_default(site_server) -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    status, _headers, body = request(site_server, "GET", "/sparql?" + urlencode({"query": query}))
    assert status == 400 and b"SERVICE" in body


def test_a_query_over_the_time_limit_is_cancelled_with_503(site_server) -> None:
    slow = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l "
            "FILTER(STRLEN(STR(?c)) + STRLEN(STR(?f)) + STRLEN(STR(?i)) > STRLEN(STR(?l))) }")
    started = time.monotonic()
    status, _headers, body = request(site_server, "GET", "/sparql?" + urlencode({"query": slow}))
    elapsed = time.monotonic() - started
    assert status == 503
    assert b"3 s limit" in body
    assert elapsed < 10
    assert request(site_server, "GET", "/sparql?" + urlencode({"query": COUNT}))[0] == 200


def test_make_server_refuses_a_directory_without_a_site(tmp_path) -> None:
    with pytest.raises(InputError, match="run `migration-kg publish` first"):
        make_server(tmp_path, "127.0.0.1", 0)
