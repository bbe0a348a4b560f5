"""publish's pictures: member cities at their GeoNames positions, the fallback to a country's centre, labels apart."""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from xml.etree import ElementTree

import html5lib
import pytest
from rdflib import Graph, URIRef

from migration_kg.site.basemap import load_countries
from migration_kg.site.geonames import Gazetteer, Located, Wanted, load_gazetteer
from migration_kg.site.labels import LabelPlacer, candidate_spots, crosses, overlaps, text_box, text_width
from migration_kg.site.map import locate_members, map_caption, map_point, world_map
from migration_kg.site.model import SiteGraph

SVG = "{http://www.w3.org/2000/svg}"
ID = "https://w3id.org/migration-kg/id/"

COUNTRIES = {
    "CA": {"name": "Canada", "iso": "CA"},
    "US": {"name": "United States", "iso": "US"},
    "GR": {"name": "Greece", "iso": "GR"},
}


def _city(geonameid: int, name: str, country: str, population: int, lat: float, lon: float,
          *alternates: str) -> tuple[str, dict]:
    return str(geonameid), {"geonameid": geonameid, "name": name, "countrycode": country, "population": population,
                            "latitude": lat, "longitude": lon, "alternatenames": list(alternates)}


CITIES = dict([
    _city(1, "Montréal", "CA", 1_762_949, 45.50884, -73.58781, "Montreal", "MTL"),
    _city(2, "Montréal-Est", "CA", 3_850, 45.6, -73.5),
    _city(3, "Athens", "GR", 664_046, 37.98, 23.73, "Athènes", "Athina"),
    _city(4, "Athens", "US", 127_315, 33.96, -83.38),
    _city(5, "Springfield", "US", 169_176, 39.80, -89.64),
    _city(6, "Springfield", "US", 155_929, 37.21, -93.29),
    _city(7, "Portland", "US", 652_503, 45.52, -122.68),
    _city(8, "Portland", "US", 66_881, 43.66, -70.26),
])


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer(COUNTRIES, CITIES, "test")


def test_a_french_name_matches_an_alternate_name_in_the_right_country(gazetteer: Gazetteer) -> None:
    found = gazetteer.locate([Wanted("athens", ("Athènes",), "Greece"), Wanted("mtl", ("MONTRÉAL",), "Canada")])
    assert found["athens"].place.geonameid == 3
    assert found["mtl"].place.geonameid == 1
    assert (found["mtl"].place.latitude, found["mtl"].place.longitude) == (45.50884, -73.58781)


def test_the_country_decides_between_cities_of_the_same_name(gazetteer: Gazetteer) -> None:
    found = gazetteer.locate([Wanted("us", ("Athens",), "United States"), Wanted("gr", ("Athens",), "Greece")])
    assert (found["us"].place.geonameid, found["gr"].place.geonameid) == (4, 3)


def test_the_most_populous_match_wins_unless_a_rival_is_nearly_as_large(gazetteer: Gazetteer) -> None:
    found = gazetteer.locate([Wanted("portland", ("Portland",), "United States"),
                              Wanted("springfield", ("Springfield",), "United States")])
    assert found["portland"].place.geonameid == 7
    assert found["springfield"].place is None
    assert "several cities named Springfield in United States (5, 6)" in found["springfield"].reason


def test_no_match_and_unknown_country_give_reasons(gazetteer: Gazetteer) -> None:
    found = gazetteer.locate([Wanted("x", ("Atlantis",), "Greece"), Wanted("y", ("Athens",), "Narnia")])
    assert found["x"] == Located(None, "no GeoNames city named Atlantis in Greece")
    assert found["y"] == Located(None, "country 'Narnia' is not in GeoNames' country table")


def test_the_real_gazetteer_locates_every_member_city(dist_dir: Path) -> None:
    site = SiteGraph(Graph().parse(dist_dir / "migration-kg.nt", format="nt"),
                     Graph().parse(dist_dir / "ontology.ttl", format="turtle"))
    found = locate_members(site, load_gazetteer())
    ids = {str(city)[len(ID):]: (f.place.geonameid, f.place.country_code)
           for city, f in found.items() if f.place is not None}
    assert ids["city/montreal"] == (6077243, "CA")
    assert ids["city/bristol"] == (2654675, "GB")
    assert ids["city/athens"] == (264371, "GR")
    assert ids["city/los-angeles"] == (5368361, "US")
    assert len(ids) == len(found) >= 7


def _markers(svg_path: Path) -> dict[str, tuple[float, float, str, str | None]]:
    tree = ElementTree.parse(svg_path)
    markers = {}
    for a in tree.iter(f"{SVG}a"):
        circle = a.find(f"{SVG}circle")
        markers[a.get("data-city")] = (float(circle.get("cx")), float(circle.get("cy")), a.find(f"{SVG}title").text,
                                       a.get("data-geonames-id"))
    return markers


def test_montreal_stands_at_its_geonames_position(site_dir: Path) -> None:
    x, y, title, geonames_id = _markers(site_dir / "map.svg")["montreal"]
    expected_x, expected_y = map_point(-73.6, 45.5)
    assert math.hypot(x - expected_x, y - expected_y) < 1.5
    assert geonames_id == "6077243"
    assert title.startswith("Montreal — GeoNames 6077243 (45.5088, -73.5878)")


def test_every_marker_names_its_geonames_id_and_the_page_tabulates_them(site_dir: Path) -> None:
    markers = _markers(site_dir / "map.svg")
    index = html5lib.parse((site_dir / "index.html").read_bytes(), namespaceHTMLElements=False)
    table_links = {a.get("href") for a in index.iter("a") if (a.get("href") or "").startswith("https://www.geonames")}
    assert len(markers) >= 7
    for _city, (_x, _y, title, geonames_id) in markers.items():
        assert geonames_id and f"GeoNames {geonames_id} (" in title
        assert f"https://www.geonames.org/{geonames_id}" in table_links
    rows = index.findall(".//table[@class='places']/tbody/tr")
    assert len(rows) == len(markers)


def test_a_city_without_a_confident_match_stands_at_its_country_centre(dist_dir: Path) -> None:
    site = SiteGraph(Graph().parse(dist_dir / "migration-kg.nt", format="nt"),
                     Graph().parse(dist_dir / "ontology.ttl", format="turtle"))
    montreal = URIRef(ID + "city/montreal")
    located = {city: Located(None, "no GeoNames city named Montreal in Canada") for city, _ in site.member_cities()}
    picture = world_map(site, load_countries(), located, standalone=True)
    assert montreal in picture.placed and montreal in picture.fallbacks()
    tree = ElementTree.fromstring(picture.svg)
    marker = next(a for a in tree.iter(f"{SVG}a") if a.get("data-city") == "montreal")
    assert marker.get("data-geonames-id") is None
    assert marker.find(f"{SVG}title").text == "Montreal — no GeoNames match: placed at the centre of Canada"
    circle = marker.find(f"{SVG}circle")
    real_x, real_y = map_point(-73.6, 45.5)
    assert math.hypot(float(circle.get("cx")) - real_x, float(circle.get("cy")) - real_y) > 30
    caption = map_caption(site, picture, "test")
    assert "No single confident GeoNames match, so placed at the centre of its country" in caption
    assert "Montreal" in caption.split("No single confident", 1)[1].split("</span>", 1)[0]


def _labels(svg_path: Path, bold_class: str) -> list[tuple[str, bool, tuple[float, float, str]]]:
    """Each label's shown text (its tooltip left out), whether it is bold, and where it is anchored."""
    tree = ElementTree.parse(svg_path)
    labels = []
    for parent in tree.iter():
        for text in parent.findall(f"{SVG}text"):
            if (text.get("class") or "") not in ("node-label", "city-label"):
                continue
            shown = "".join([text.text or ""] + [child.tail or "" for child in text])
            bold = bold_class in f'{parent.get("class")} {text.get("class")}'
            where = (float(text.get("x")), float(text.get("y")), text.get("text-anchor") or "start")
            labels.append((shown, bold, where))
    return labels


def _label_boxes(site_dir: Path, name: str, size: float, bold_class: str) -> list[tuple[str, tuple]]:
    """Each label's box, computed as the layout does: from x, baseline, anchor and the longer of its two texts
    (the English picture at the site's root, the French one under fr/, drawn at the same spots)."""
    english, french = _labels(site_dir / name, bold_class), _labels(site_dir / "fr" / name, bold_class)
    assert [where for _text, _bold, where in english] == [where for _text, _bold, where in french]
    boxes = []
    for (text_en, bold, (x, y, anchor)), (text_fr, _bold, _where) in zip(english, french, strict=True):
        width = max(text_width(text_en, size, bold), text_width(text_fr, size, bold))
        boxes.append((text_en, text_box(x, y, anchor, width, size)))
    return boxes


@pytest.mark.parametrize(("name", "size", "bold_class", "at_least"),
                         [("network.svg", 13, "node-council", 30), ("map.svg", 14, "city-label", 7)])
def test_no_two_labels_overlap(site_dir: Path, name: str, size: float, bold_class: str, at_least: int) -> None:
    boxes = _label_boxes(site_dir, name, size, bold_class)
    assert len(boxes) >= at_least
    for (first, a), (second, b) in itertools.combinations(boxes, 2):
        assert not overlaps(a, b), f"{first!r} overlaps {second!r} in {name}"


def test_the_placer_keeps_crowded_labels_apart_and_off_lines() -> None:
    points = [(300 + 6 * i, 200 + 5 * (i % 3)) for i in range(8)]
    markers = [(x - 8, y - 8, x + 8, y + 8) for x, y in points]
    line = (0.0, 190.0, 600.0, 190.0)
    placer = LabelPlacer((0, 0, 600, 400), markers, [line])
    spots = [placer.place(candidate_spots(x, y, 8, text_width("A long event name", 13), 13), own=markers[i])
             for i, (x, y) in enumerate(points)]
    for a, b in itertools.combinations([s.box for s in spots], 2):
        assert not overlaps(a, b)
    for spot in spots:
        assert not any(overlaps(spot.box, m) for m in markers)
    assert sum(crosses(spot.box, line) for spot in spots) == 0
    again = LabelPlacer((0, 0, 600, 400), markers, [line])
    assert [again.place(candidate_spots(x, y, 8, text_width("A long event name", 13), 13), own=markers[i])
            for i, (x, y) in enumerate(points)] == spots


def test_cli_notes_the_cities_left_at_their_country_centre_in_one_line(
        runner, project_root: Path, dist_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from migration_kg.cli.main import main
    from migration_kg.site import render

    monkeypatch.setattr(render, "load_gazetteer", lambda: Gazetteer(COUNTRIES, CITIES, "test"))
    result = runner.invoke(main, ["publish", "--dist", str(dist_dir), "--out", str(tmp_path / "site"),
                                  "--issued", "2026-11-26"])
    assert result.exit_code == 0, result.output
    notes = [line for line in result.output.splitlines() if line.startswith("note:")]
    assert len(notes) == 1, result.output
    assert notes[0].startswith("note: 6 cities stand at their country's centre on the map, for want of a confident "
                               "GeoNames match: amman (country 'Jordan' is not in GeoNames' country table), ")
    assert "milan (country 'Italy' is not in GeoNames' country table)" in notes[0]
    assert "montreal" not in notes[0]
    markers = _markers(tmp_path / "site" / "map.svg")
    assert markers["montreal"][3] == "1" and markers["amman"][3] is None
