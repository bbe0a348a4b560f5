"""What publish writes for readers beyond the entity pages: the search index, the timeline, the questions page
(every example runs on `serve`), claim titles, the icon, the diagram's full names and the map's one-line notes."""

from __future__ import annotations

import http.client
import json
import re
import struct
import zlib
from pathlib import Path
from urllib.parse import urlencode

import html5lib
import pytest
from rdflib import Graph, URIRef

from migration_kg.site.index import ExampleQuery, published_text
from migration_kg.site.publish import PublishResult
from migration_kg.site.questions import editor_text
from migration_kg.site.search import fold

ID = "https://w3id.org/migration-kg/id/"


@pytest.fixture(scope="module")
def data(dist_dir: Path) -> Graph:
    return Graph().parse(dist_dir / "migration-kg.nt", format="nt")


def _tree(site_dir: Path, path: str):
    return html5lib.parse((site_dir / path).read_bytes(), namespaceHTMLElements=False)


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def _index(site_dir: Path) -> dict:
    script = (site_dir / "search-index.js").read_text(encoding="utf-8")
    return json.loads(script.split("window.migrationKgSearch = ", 1)[1].rstrip().removesuffix(";"))


@pytest.mark.parametrize(("text", "folded"), [
    ("Athènes", "athenes"), ("MONTRÉAL", "montreal"), ("Œuvre d'art", "oeuvre d art"),
    ("Los Angeles, États-Unis", "los angeles etats unis"), ("  São  Tomé ", "sao tome"),
])
def test_fold_drops_accents_case_and_punctuation(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_search_index_holds_every_entity_with_both_labels_and_alternate_names(site_dir: Path, data) -> None:
    index = _index(site_dir)
    entries = {entry["p"]: entry for entry in index["entities"]}
    described = {s for s in data.subjects() if str(s).startswith(ID) and "/claim/" not in str(s)}
    assert len(entries) == len(described) > 100
    athens = entries["id/city/athens.html"]
    assert (athens["en"], athens["fr"], athens["k"]) == ("Athens", "Athènes", "city")
    assert "athenes" in athens["key"].split(" | ")
    council = entries["id/organization/council-of-cities-on-migration.html"]
    assert council["alt"] == ["Mayors Migration Council"] and "mayors migration council" in council["key"]
    assert index["kinds"]["city"] == {"en": "Cities", "fr": "Villes"}
    assert not any("/claim/" in path for path in entries)


def test_every_page_has_a_search_box_that_submits_to_the_search_page(site_dir: Path) -> None:
    for path, action in (("index.html", "search.html"), ("fr/id/city/montreal.html", "../../search.html")):
        form = _tree(site_dir, path).find(".//form[@role='search']")
        assert form.get("action") == action and form.get("method") == "get"
        field = form.find(".//input[@name='q']")
        assert field.get("role") == "combobox" and field.get("aria-controls") == "site-search-list"


def _entries(site_dir: Path, path: str) -> dict[str, list]:
    found: dict[str, list] = {}
    for item in _tree(site_dir, path).iter("li"):
        if "entry" in (item.get("class") or "").split():
            found.setdefault(item.get("data-entity"), []).append(item)
    return found


def test_timeline_lists_every_dated_fact_with_its_status_and_quote(site_dir: Path, data) -> None:
    dates = [URIRef("https://schema.org/" + name) for name in ("startDate", "endDate", "foundingDate",
                                                                "datePublished")]
    dated = [(s, p) for p in dates for s in data.subjects(p, None) if "/claim/" not in str(s)]
    entries = _entries(site_dir, "timeline.html")
    assert sum(len(items) for path, items in entries.items()) >= len(dated)
    presentation = entries["id/event/presentation-of-cities-declaration.html"][0]
    assert presentation.get("class") == "entry status-planned"
    assert "la déclaration des villes lundi" in _text(presentation)
    links = [a.get("href") for a in presentation.iter("a")]
    assert "id/claim/presentation-date.html" in links
    forum = entries["id/event/mayors-forum-marrakech-2018.html"][0]
    assert forum.get("class") == "entry status-reported"
    announcement = entries["id/event/quebec-immigration-threshold-reduction.html"][0]
    assert announcement.get("class") == "entry status-reported", "an announcement made stays reported"
    trip_end = entries["id/event/plante-trip-to-morocco-2018.html"][0]
    assert trip_end.get("class") == "entry status-planned"
    days = [time.get("datetime") for time in _tree(site_dir, "timeline.html").iter("time")
            if time.get("datetime") and len(time.get("datetime")) >= 7]
    assert days == sorted(days)


def test_french_timeline_uses_french_words(site_dir: Path) -> None:
    tree = _tree(site_dir, "fr/timeline.html")
    assert _text(tree.find(".//h1")) == "Chronologie : ce qui a eu lieu, ce qui était prévu"
    entry = _entries(site_dir, "fr/timeline.html")["id/event/presentation-of-cities-declaration.html"][0]
    assert "Prévu" in _text(entry) and "début" in _text(entry)
    assert "10 décembre 2018" in [_text(heading) for heading in tree.iter("h3")]


@pytest.mark.parametrize(("path", "title"), [
    ("id/claim/kampala-country.html", "Kampala \u2014 located in \u2014 Uganda"),
    ("fr/id/claim/kampala-country.html", "Kampala \u2014 situé dans \u2014 Ouganda"),
    ("id/claim/presentation-date.html",
     "Presentation of the cities' declaration to the States \u2014 start date \u2014 10 December 2018"),
])
def test_claim_pages_are_titled_by_their_statement(site_dir: Path, path: str, title: str) -> None:
    tree = _tree(site_dir, path)
    assert _text(tree.find(".//title")) == title
    assert _text(tree.find(".//h1")) == title


def test_index_shows_no_literal_backticks(site_dir: Path) -> None:
    for path in ("index.html", "fr/index.html"):
        assert "`" not in _text(_tree(site_dir, path).find(".//main"))


def test_favicon_is_a_valid_ico_holding_a_png(site_dir: Path) -> None:
    ico = (site_dir / "favicon.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    width, height, _colours, _zero, _planes, _bits, size, offset = struct.unpack("<BBBBHHII", ico[6:22])
    assert (reserved, kind, count, width, height, offset, size) == (0, 1, 1, 32, 32, 22, len(ico) - 22)
    png = ico[offset:]
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = zlib.decompress(png[png.index(b"IDAT") + 4:png.index(b"IEND") - 8])
    assert len(pixels) == 32 * (1 + 32 * 4)
    head = _tree(site_dir, "fr/timeline.html").find("head")
    assert {link.get("href") for link in head.iter("link") if link.get("rel") == "icon"} == \
        {"../favicon.ico", "../assets/favicon.svg"}


def test_cut_diagram_labels_carry_their_full_name(site_dir: Path) -> None:
    svg = (site_dir / "network.svg").read_text(encoding="utf-8")
    cut = re.findall(r'<text class="node-label"[^>]*><title>([^<]+)</title>([^<]+)</text>', svg)
    assert cut, "no label was cut"
    for full, shown in cut:
        assert shown.endswith("…") and full.startswith(shown[:-1].rstrip()) and len(full) > len(shown)
    shown_whole = re.findall(r'<text class="node-label"[^>]*>([^<]+)</text>', svg)
    assert not any(text.endswith("…") for text in shown_whole)


def test_map_notes_are_one_line_each_however_many_cities() -> None:
    missing = [URIRef(f"{ID}city/synthetic-{n:03d}") for n in range(68)]
    result = PublishResult(Path("site"), False, 0, 0, 0, map_missing=missing,
                           map_fallbacks={missing[0]: "no GeoNames city named X"})
    notes = result.map_notes()
    assert notes == [
        "warning: 68 member cities not on the map (no country outline found): synthetic-000, synthetic-001, "
        "synthetic-002, synthetic-003, synthetic-004, synthetic-005, synthetic-006, synthetic-007 and 60 more",
        "note: 1 city stands at their country's centre on the map, for want of a confident GeoNames match: "
        "synthetic-000 (no GeoNames city named X)"]
    assert PublishResult(Path("site"), False, 0, 0, 0).map_notes() == []


def test_editor_text_drops_the_header_and_binds_parameters(project_root: Path) -> None:
    query = ExampleQuery.read(project_root / "queries" / "article-lists-city.rq")
    text = editor_text(query)
    assert not text.startswith(("# title", "# purpose"))
    # the default opens the WHERE clause (a trailing VALUES after ASK is a syntax error on Virtuoso 7.2), once
    assert "ASK {\n  VALUES ?city { <https://w3id.org/migration-kg/id/city/amman> }" in text
    assert text.count("VALUES") == 1
    assert published_text(query.text) == query.text  # reading a published file back binds nothing twice


def _post(server, query: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(*server.server_address[:2], timeout=60)
    try:
        connection.request("POST", "/sparql", body=urlencode({"query": query}),
                           headers={"Content-Type": "application/x-www-form-urlencoded",
                                    "Accept": "application/sparql-results+json, text/turtle;q=0.9"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.mark.server
def test_every_example_on_the_questions_page_runs_on_serve(site_dir: Path, site_server) -> None:
    script = _tree(site_dir, "query.html").find(".//script[@id='query-settings']")
    examples = json.loads(script.text)["examples"]
    assert len(examples) >= 20
    article = ExampleQuery.read(site_dir / "queries" / "article-lists-city.rq")
    for slug, text in examples.items():
        query = ExampleQuery.read(site_dir / "queries" / f"{slug}.rq")
        status, body = _post(site_server, text)
        if "needs" in query.meta:
            assert status in (200, 400), (slug, body[:200])
            continue
        assert status == 200, (slug, body[:300])
    status, body = _post(site_server, editor_text(article))
    assert status == 200 and json.loads(body)["boolean"] is False, "Amman is not in the article's list"
