"""Property-based tests (hypothesis) of what the site takes from outside: Accept headers, request paths, and
labels and IRIs that end up in HTML, SVG and embedded JSON-LD. Bounded (max_examples, deadline) to keep CI fast."""

from __future__ import annotations

import json
import string
import xml.etree.ElementTree as ET
from pathlib import Path

import html5lib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from migration_kg.graph.load import load_graph
from migration_kg.site.conneg import DOCUMENT_TYPES, negotiate, parse_accept
from migration_kg.site.diagram import network_diagram
from migration_kg.site.frame import page
from migration_kg.site.html import bi, entity_link, json_for_script, safe_href
from migration_kg.site.model import SiteGraph
from migration_kg.site.server import TraversalError, site_file

#: Bounded and the same examples on every run (derandomize), so that CI is fast and repeatable.
FIXTURES_OK = [HealthCheck.function_scoped_fixture]
BOUNDED = settings(max_examples=150, deadline=1000, derandomize=True, suppress_health_check=FIXTURES_OK)
SLOW = settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=FIXTURES_OK)
XHTML = "{http://www.w3.org/1999/xhtml}"
#: Text as an RDF label may hold it: any character XML allows (no other control characters, no surrogates).
LABELS = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"
                               + "".join(chr(c) for c in range(1, 32) if chr(c) not in "\t\n")), max_size=60)
ACCEPT_PIECES = st.sampled_from(["text/html", "text/turtle", "application/ld+json", "*/*", "text/*", ";q=0",
                                 ";q=0.5", ";q=1.0", ";q=", ";q=abc", ",", " ", ";", "=", "application/n-triples",
                                 ";level=1", "\t", '"', "q=2", "*", "/"])


@BOUNDED
@given(st.one_of(st.text(max_size=80), st.lists(ACCEPT_PIECES, max_size=12).map("".join)))
def test_negotiation_never_fails_and_offers_only_what_exists(accept: str) -> None:
    offers = list(DOCUMENT_TYPES)
    chosen = negotiate(accept, offers)
    assert chosen is None or chosen in offers
    parse_accept(accept)


@BOUNDED
@given(st.text(max_size=60))
def test_negotiation_with_nothing_on_offer(accept: str) -> None:
    assert negotiate(accept, []) is None


PATH_PIECES = st.sampled_from(["..", ".", "%2e", "%2E%2e", "%2f", "%5c", "\\", "/", "//", "%00", "\x00", "id",
                               "city", "montreal.html", ".htaccess", "%", "%zz", "~", "etc", "passwd", "%c0%ae"])


@pytest.fixture(scope="module")
def site_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("site") / "site"
    (root / "id" / "city").mkdir(parents=True)
    (root / "id" / "city" / "montreal.html").write_text("ok")
    (root.parent / "secret.txt").write_text("outside")
    return root.resolve()


@BOUNDED
@given(st.one_of(st.text(max_size=80), st.lists(PATH_PIECES, max_size=10).map("/".join),
                 st.lists(PATH_PIECES, max_size=10).map("".join)))
def test_a_request_path_never_leaves_the_site(site_root: Path, path: str) -> None:
    try:
        resolved = site_file(site_root, "/" + path)
    except (TraversalError, UnicodeDecodeError, ValueError):
        return
    assert resolved == site_root or site_root in resolved.parents


@BOUNDED
@given(LABELS)
def test_a_label_in_html_stays_text(label: str) -> None:
    document = page("id/city/x.html", ("t", "t"), f"<h1>{bi(label, label)}</h1><p id='after'>after</p>")
    tree = html5lib.parse(document)
    heading = tree.find(f".//{XHTML}main/{XHTML}h1")
    assert "".join(heading.itertext()) == label
    assert tree.find(f".//{XHTML}p[@id='after']") is not None
    assert tree.find(f".//{XHTML}footer") is not None


@BOUNDED
@given(st.dictionaries(st.text(max_size=10), st.one_of(LABELS, st.lists(LABELS, max_size=3)), max_size=5))
def test_json_ld_in_a_script_cannot_end_it(document: dict) -> None:
    text = json_for_script(document)
    assert not set(text) & {"<", ">", "&", "\u2028", "\u2029"}
    assert json.loads(text) == document
    tree = html5lib.parse(f'<html><head><script type="application/ld+json">{text}</script></head>'
                          "<body><main>kept</main></body></html>")
    scripts = list(tree.iter(f"{XHTML}script"))
    assert len(scripts) == 1 and json.loads(scripts[0].text) == document
    assert "".join(tree.find(f".//{XHTML}main").itertext()) == "kept"


IRIS = st.one_of(
    st.builds(lambda scheme, rest: f"{scheme}:{rest}", st.sampled_from(
        ["http", "https", "mailto", "javascript", "JavaScript", "data", "vbscript", "file", "ftp", "urn", "x-y"]),
        st.text(string.ascii_letters + string.digits + "/:.()%'\"<>&", max_size=30)),
    st.text(max_size=40))


@BOUNDED
@given(IRIS, LABELS)
def test_an_iri_becomes_a_link_only_when_it_is_safe(iri: str, label: str) -> None:
    data = Graph()
    data.add((URIRef(iri), RDFS.label, Literal(label, lang="en")))
    site = SiteGraph(data, Graph())
    link = entity_link(site, "id/city/x.html", URIRef(iri))
    tree = html5lib.parse(page("id/city/x.html", ("t", "t"), f"<p>{link}</p>"))
    for anchor in tree.iter(f"{XHTML}a"):
        assert safe_href(anchor.get("href") or "")


@pytest.fixture(scope="module")
def built_data(dist_dir: Path) -> tuple[Graph, Graph]:
    return load_graph([dist_dir / "migration-kg.nt"]), load_graph([dist_dir / "ontology.ttl"])


@SLOW
@given(LABELS.filter(str.strip))
def test_a_label_in_the_network_diagram_keeps_the_svg_well_formed(built_data, label: str) -> None:
    data, ontology = built_data
    city = URIRef("https://w3id.org/migration-kg/id/city/montreal")
    copy = Graph()
    for triple in data:
        if not (triple[0] == city and triple[1] == RDFS.label):
            copy.add(triple)
    copy.add((city, RDFS.label, Literal(label, lang="en")))
    copy.add((city, RDFS.label, Literal(label, lang="fr")))
    svg = network_diagram(SiteGraph(copy, ontology), standalone=True)
    root = ET.fromstring(svg)
    titles = ["".join(title.itertext()) for title in root.iter("{http://www.w3.org/2000/svg}title")]
    assert label in titles
