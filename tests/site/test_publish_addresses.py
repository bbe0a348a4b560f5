"""The project's fixed addresses beside the entity IRIs: /dataset, the ontology as RDF/XML and its version IRI,
the JSON-LD context at /ns/context.jsonld (also by content negotiation on the ontology IRI), CORS on every answer,
and the w3id.org rules, run in a real Apache in front of `serve`. A JSON-LD processor (pyld) fetches the context
over HTTP as it would in production."""

from __future__ import annotations

import http.client
import json
import shutil
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from servers import apache_server

from migration_kg.errors import UsageError
from migration_kg.site.conneg import w3id_htaccess, wants_context
from migration_kg.site.publish import publish

pytestmark = pytest.mark.server
BASE = "https://w3id.org/migration-kg/"
MKG = "https://w3id.org/migration-kg/ontology#"
CONTEXT_ACCEPT = "application/ld+json;profile=http://www.w3.org/ns/json-ld#context, application/ld+json"


def get(base: str, path: str, accept: str | None = None) -> tuple[int, dict[str, str], bytes]:
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("GET", path, headers={"Accept": accept} if accept else {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


# ---------------------------------------------------------------- serve

@pytest.mark.parametrize(("path", "accept", "target"), [
    ("/dataset", "text/turtle", "/dataset.ttl"),
    ("/dataset", "text/html,*/*;q=0.8", "/dataset.html"),
    ("/dataset", "application/rdf+xml", "/dataset.rdf"),
    ("/ontology", "application/rdf+xml, application/xml;q=0.7, */*;q=0.1", "/ontology.rdf"),
    ("/ontology/0.1.0", "text/turtle", "/ontology/0.1.0.ttl"),
    ("/ontology/0.1.0", None, "/ontology/0.1.0.html"),
    ("/ontology", CONTEXT_ACCEPT, "/ns/context.jsonld"),
    ("/ontology", 'application/ld+json;profile="http://www.w3.org/ns/json-ld#context";q=0, text/html',
     "/ontology.html"),
])
def test_serve_negotiates_the_fixed_addresses(site_server, path, accept, target) -> None:
    status, headers, _ = get(site_server.url, path, accept)
    assert (status, headers["location"]) == (303, target)
    assert headers["access-control-allow-origin"] == "*"
    assert get(site_server.url, target)[0] == 200


def test_serve_answers_every_request_with_cors(site_server) -> None:
    for path in ("/ns/context.jsonld", "/id/city/atlantis", "/download/migration-kg.ttl",
                 "/sparql?query=ASK%7B%7D", "/dataset"):
        assert get(site_server.url, path)[1]["access-control-allow-origin"] == "*", path


@pytest.mark.parametrize(("accept", "wanted"), [
    (CONTEXT_ACCEPT, True), ('application/ld+json; profile="http://www.w3.org/ns/json-ld#context"', True),
    ("application/ld+json", False), ('application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"', False),
    ('application/ld+json;profile="http://www.w3.org/ns/json-ld#context";q=0', False), (None, False),
])
def test_a_context_request_is_recognised(accept, wanted) -> None:
    assert wants_context(accept) is wanted


# ---------------------------------------------------------------- the documents

def test_dataset_documents_hold_the_void_and_dcat_description(site_dir: Path) -> None:
    expected = Graph().parse(site_dir / "void.ttl").parse(site_dir / "dcat.ttl")
    for suffix, syntax in ((".ttl", "turtle"), (".nt", "nt"), (".jsonld", "json-ld"), (".rdf", "xml")):
        assert isomorphic(Graph().parse(site_dir / f"dataset{suffix}", format=syntax), expected), suffix


def test_the_version_iri_has_a_copy_of_its_version(site_dir: Path) -> None:
    current = Graph().parse(site_dir / "ontology.ttl")
    version = current.value(URIRef(BASE + "ontology"), URIRef("http://www.w3.org/2002/07/owl#versionIRI"))
    assert str(version) == BASE + "ontology/0.1.0"
    for suffix, syntax in ((".ttl", "turtle"), (".rdf", "xml"), (".nt", "nt"), (".jsonld", "json-ld")):
        assert isomorphic(Graph().parse(site_dir / f"ontology/0.1.0{suffix}", format=syntax), current), suffix
    assert isomorphic(Graph().parse(site_dir / "ontology.rdf", format="xml"), current)


def test_the_context_is_published_at_its_stable_address(site_dir: Path, dist_dir: Path) -> None:
    published = (site_dir / "ns" / "context.jsonld").read_bytes()
    assert published == (dist_dir / "context.jsonld").read_bytes()
    assert json.loads(published)["@context"]["@vocab"] == MKG


def _http_loader(seen: list[tuple[str, str]]):
    """A pyld document loader over HTTP (urllib follows the 303s), recording where each request ended."""
    def load(url: str, options: dict) -> dict:
        accept = options.get("headers", {}).get("Accept", "application/ld+json")
        request = urllib.request.Request(url, headers={"Accept": accept})
        with urllib.request.urlopen(request, timeout=10) as response:
            seen.append((url, response.url))
            return {"contentType": response.headers.get_content_type(), "contextUrl": None,
                    "documentUrl": response.url, "document": json.loads(response.read())}
    return load


@pytest.mark.parametrize("context_path", ["/ns/context.jsonld", "/ontology"])
def test_a_json_ld_processor_fetches_the_context_over_http(site_server, context_path) -> None:
    """pyld resolves a remote context given by the context's address or by the ontology IRI (content
    negotiation with the JSON-LD context profile); @vocab makes a bare type one of ours."""
    from pyld import jsonld

    seen: list[tuple[str, str]] = []
    document = {"@context": site_server.url + context_path, "@id": "http://example.org/x", "@type": "Claim",
                "label": {"en": "X"}, "containedInPlace": "city:montreal"}
    expanded = jsonld.expand(document, {"documentLoader": _http_loader(seen)})
    (node,) = expanded
    assert node["@type"] == [MKG + "Claim"]
    assert node["http://www.w3.org/2000/01/rdf-schema#label"] == [{"@value": "X", "@language": "en"}]
    assert node["https://schema.org/containedInPlace"] == [{"@id": BASE + "id/city/montreal"}]
    assert seen == [(site_server.url + context_path, site_server.url + "/ns/context.jsonld")]


# ---------------------------------------------------------------- w3id.org

@pytest.fixture(scope="module")
def w3id_site(site_server, dist_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site published with --site-url pointing at the running `serve`: its w3id/ folder is what we submit."""
    out = tmp_path_factory.mktemp("w3id-publish") / "site"
    return publish(Path(__file__).resolve().parents[2], dist_dir, out, issued="2026-11-26",
                   site_url=site_server.url + "/").out_dir


@pytest.fixture(scope="module")
def w3id(w3id_site: Path) -> Iterator[str]:
    """Apache with the generated rules in /migration-kg/, as w3id.org runs them; yields its base URL."""
    work = Path(tempfile.mkdtemp(prefix="mkg-w3id-"))
    try:
        root = work / "w3id.org"
        shutil.copytree(w3id_site / "w3id", root / "migration-kg")
        for path in [work, *work.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        with apache_server(root, work) as port:
            yield f"http://127.0.0.1:{port}"
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_publish_writes_the_w3id_rules_and_readme(w3id_site: Path, site_server) -> None:
    rules = (w3id_site / "w3id" / ".htaccess").read_text(encoding="utf-8")
    assert rules == w3id_htaccess(site_server.url)
    assert site_server.url + "/" in (w3id_site / "w3id" / "README.md").read_text(encoding="utf-8")


def test_publish_refuses_a_site_url_that_is_not_http(dist_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="site-url"):
        publish(Path(__file__).resolve().parents[2], dist_dir, tmp_path / "site", site_url="ftp://example.org/")
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize(("path", "accept", "target", "media_type"), [
    ("/migration-kg/id/city/montreal", "text/turtle", "/id/city/montreal.ttl", "text/turtle"),
    ("/migration-kg/id/city/montreal", "application/ld+json", "/id/city/montreal.jsonld", "application/ld+json"),
    ("/migration-kg/id/city/montreal", None, "/id/city/montreal.html", "text/html"),
    ("/migration-kg/ontology", "application/rdf+xml, application/xml;q=0.7", "/ontology.rdf", "application/rdf+xml"),
    ("/migration-kg/ontology", CONTEXT_ACCEPT, "/ns/context.jsonld", "application/ld+json"),
    ("/migration-kg/ontology/0.1.0", "text/turtle", "/ontology/0.1.0.ttl", "text/turtle"),
    ("/migration-kg/dataset", "text/turtle", "/dataset.ttl", "text/turtle"),
    ("/migration-kg/ns/context.jsonld", None, "/ns/context.jsonld", "application/ld+json"),
    ("/migration-kg/download/migration-kg.nt", None, "/download/migration-kg.nt", "application/n-triples"),
    ("/migration-kg/", None, "/", "text/html"),
])
def test_w3id_rules_send_every_iri_to_its_document(w3id: str, site_server, path, accept, target, media_type) -> None:
    status, headers, _ = get(w3id, path, accept)
    assert status in (302, 303)
    assert headers["location"] == site_server.url + target
    assert headers["access-control-allow-origin"] == "*"
    if status == 303:
        assert "Accept" in headers["vary"]
    status, headers, body = get(site_server.url, target)
    assert status == 200 and body
    assert headers["content-type"].startswith(media_type)


def test_the_owl_api_loads_the_ontology_through_the_w3id_rules(w3id: str) -> None:
    """From the w3id.org path to the host: the redirect, then the 303, then the RDF document the OWL API asked for."""
    from owl_tools import owlapi_load

    document = w3id + "/migration-kg/ontology"
    result = owlapi_load([document])[document]
    assert result.error == ""
    assert (result.ontology_iri, result.version_iri) == (BASE + "ontology", BASE + "ontology/0.1.0")
    assert result.in_dl


@pytest.mark.parametrize(("path", "target"), [
    ("/migration-kg/id/city/montreal", "/fr/id/city/montreal.html"),
    ("/migration-kg/dataset", "/fr/dataset.html"),
    ("/migration-kg/ontology/0.1.0", "/fr/ontology/0.1.0.html"),
    ("/migration-kg/", "/fr/"),
])
def test_w3id_rules_send_french_readers_to_the_french_pages(w3id: str, site_server, path, target) -> None:
    host, port = w3id.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("GET", path, headers={"Accept": "text/html,*/*;q=0.8",
                                                 "Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"})
        response = connection.getresponse()
        location, vary = response.getheader("Location"), response.getheader("Vary") or ""
    finally:
        connection.close()
    assert location == site_server.url + target
    assert "Accept-Language" in vary
    status, _headers, body = get(site_server.url, target)
    assert status == 200 and b'<html lang="fr">' in body
