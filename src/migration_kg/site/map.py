"""The world map of the council's member cities, drawn at publish time as a static SVG.

Each member city stands at its position in GeoNames (see :mod:`migration_kg.site.geonames`); a city with no
confident GeoNames match stands at the centre of its country's main landmass (the largest ring of the Natural
Earth outline) instead, and the caption names it. The positions are not part of our graph: they are facts from
GeoNames, credited under the map with the GeoNames id used for each city.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import URIRef

from migration_kg.namespaces import MKG, SDO
from migration_kg.site.basemap import SOURCE_NOTE, SOURCE_NOTE_FR, Country, equal_earth, ring_area_centroid
from migration_kg.site.geonames import Gazetteer, Located, Wanted, source_note
from migration_kg.site.html import bi, entity_link, esc, node_label, page_path, relative
from migration_kg.site.i18n import choose, current_language, localized_file
from migration_kg.site.labels import LabelPlacer, candidate_spots, text_width
from migration_kg.site.model import SiteGraph, local_name

WIDTH = 960
LAT_NORTH, LAT_SOUTH = 84.0, -57.0


@dataclass
class MapPicture:
    """The SVG and what it shows: the cities placed, how each was located, and those with no country outline."""

    svg: str
    placed: list[URIRef] = field(default_factory=list)
    missing: list[URIRef] = field(default_factory=list)
    located: dict[URIRef, Located] = field(default_factory=dict)
    countries: dict[URIRef, URIRef] = field(default_factory=dict)

    def fallbacks(self) -> list[URIRef]:
        """Placed cities that stand at their country's centre for want of a confident GeoNames match."""
        return [city for city in self.placed if self.located.get(city, Located(None)).place is None]


class _Frame:
    """Equal Earth projection scaled into the SVG's pixel frame."""

    def __init__(self) -> None:
        x_max, _ = equal_earth(180.0, 0.0)
        self.scale = WIDTH / (2 * x_max)
        self.top = equal_earth(0.0, LAT_NORTH)[1]
        self.height = round(self.scale * (self.top - equal_earth(0.0, LAT_SOUTH)[1]))

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        x, y = equal_earth(lon, max(min(lat, LAT_NORTH), LAT_SOUTH))
        return WIDTH / 2 + self.scale * x, self.scale * (self.top - y)


_OUTLINES: dict[int, tuple[Country, str]] = {}


def _outline(frame: _Frame, country: Country) -> str:
    """:func:`_path`, worked out once per country (every drawing of the map uses the same frame)."""
    found = _OUTLINES.get(id(country))
    if found is None or found[0] is not country:
        found = _OUTLINES[id(country)] = (country, _path(frame, country))
    return found[1]


def _path(frame: _Frame, country: Country) -> str:
    commands = []
    for ring in country.rings:
        points, last = [], None
        for lon, lat in ring:
            x, y = frame.point(lon, lat)
            if last is None or abs(x - last[0]) + abs(y - last[1]) >= 0.6:
                points.append(f"{x:.1f},{y:.1f}")
                last = (x, y)
        if len(points) >= 3:
            commands.append("M" + "L".join(points) + "Z")
    return "".join(commands)


def _anchor(frame: _Frame, country: Country) -> tuple[float, float]:
    """The centre of the country's largest ring, in pixels."""
    best = max((ring_area_centroid([frame.point(lon, lat) for lon, lat in ring]) for ring in country.rings),
               key=lambda found: found[0])
    return best[1], best[2]


def _match(site: SiteGraph, country: URIRef, countries: list[Country]) -> Country | None:
    """The Natural Earth feature for one of our countries: by Wikidata item, else by English name."""
    qids = {local_name(str(item)) for item in site.wikidata(country)}
    for feature in countries:
        if feature.wikidata and feature.wikidata in qids:
            return feature
    name = site.label(country, "en")
    return next((f for f in countries if name in (f.name_en, f.name)), None)


def _country_of(site: SiteGraph, city: URIRef) -> URIRef | None:
    places = sorted(p for p in site.objects(city, SDO.containedInPlace) if isinstance(p, URIRef))
    return next((p for p in places if site.has_type(p, SDO.Country)), None)


def wanted_cities(site: SiteGraph) -> list[Wanted]:
    """The member cities to look up in GeoNames: their English and French labels and their country's name."""
    wanted = []
    for city in sorted({city for city, _network in site.member_cities()}):
        country = _country_of(site, city)
        names = tuple(dict.fromkeys(site.label(city, language) for language in ("en", "fr")))
        wanted.append(Wanted(str(city), names, site.label(country, "en") if country is not None else ""))
    return wanted


def locate_members(site: SiteGraph, gazetteer: Gazetteer) -> dict[URIRef, Located]:
    """Each member city's GeoNames record, or why it has none."""
    return {URIRef(key): found for key, found in gazetteer.locate(wanted_cities(site)).items()}


def _marker_title(site: SiteGraph, city: URIRef, located: Located, country: str) -> str:
    place = located.place
    name = site.label(city, current_language())
    if place is None:
        return choose(f"{name} — no GeoNames match: placed at the centre of {country}",
                      f"{name} — aucune fiche GeoNames : placé au centre de {country}")
    return f"{name} — GeoNames {place.geonameid} ({place.latitude:.4f}, {place.longitude:.4f})"


def world_map(site: SiteGraph, countries: list[Country], located: dict[URIRef, Located], *,
              from_page: str = "index.html", standalone: bool = False) -> MapPicture:
    """The SVG world map: member cities' countries shaded, one linked marker per member city."""
    frame = _Frame()
    member_countries: dict[str, list[URIRef]] = {}
    picture = MapPicture(svg="", located=located)
    anchors: dict[URIRef, tuple[float, float]] = {}
    matched: dict[URIRef, Country | None] = {}
    for city in sorted({city for city, _network in site.member_cities()}):
        country = _country_of(site, city)
        if country is not None and country not in matched:
            matched[country] = _match(site, country, countries)
        feature = matched[country] if country is not None else None
        place = located.get(city, Located(None)).place
        if country is not None:
            picture.countries[city] = country
        if feature is not None:
            member_countries.setdefault(feature.name, []).append(city)
        if place is not None:
            anchors[city] = frame.point(place.longitude, place.latitude)
        elif feature is not None:
            anchors[city] = _anchor(frame, feature)
        else:
            picture.missing.append(city)
            continue
        picture.placed.append(city)
    shapes = []
    for feature in countries:
        if feature.continent == "Antarctica" or not feature.rings:
            continue
        css = "land member" if feature.name in member_countries else "land"
        name = choose(feature.name, feature.name_fr or feature.name)
        shapes.append(f'<path class="{css}" d="{_outline(frame, feature)}"><title>{esc(name)}</title></path>')
    markers, labels = [], []
    boxes = {city: (x - 8, y - 8, x + 8, y + 8) for city, (x, y) in anchors.items()}
    placer = LabelPlacer((2, 2, WIDTH - 2, frame.height - 2), list(boxes.values()))
    for city in sorted(anchors, key=lambda c: (anchors[c][1], anchors[c][0])):
        x, y = anchors[city]
        found = located.get(city, Located(None))
        country_name = (site.label(picture.countries[city], current_language()) if city in picture.countries
                        else choose("its country", "son pays"))
        geonames = f' data-geonames-id="{found.place.geonameid}"' if found.place is not None else ""
        markers.append(f'<a href="{esc(relative(from_page, page_path(city)))}" class="marker" '
                       f'data-city="{esc(local_name(str(city)))}"{geonames}>'
                       f'<title>{esc(_marker_title(site, city, found, country_name))}</title>'
                       f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7"/></a>')
        english, french = site.label(city, "en"), site.label(city, "fr")
        width = max(text_width(english, 14, bold=True), text_width(french, 14, bold=True))
        spot = placer.place(candidate_spots(x, y, 7, width, 14), own=boxes[city])
        labels.append(f'<text class="city-label" x="{spot.x:.1f}" y="{spot.baseline:.1f}" '
                      f'text-anchor="{spot.anchor}">{esc(choose(english, french))}</text>')
    style = ('<style>.land{fill:#e4e7eb;stroke:#fff;stroke-width:.5}.member{fill:#9ecae1}'
             '.marker circle{fill:#d55e00;stroke:#fff;stroke-width:2}.city-label{font:600 14px sans-serif;'
             'fill:#1b1b1b;paint-order:stroke;stroke:#fff;stroke-width:4px}</style>'
             if standalone else "")
    namespace = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    picture.svg = (f'<svg{namespace} class="world-map" viewBox="0 0 {WIDTH} {frame.height}" '
                   f'aria-labelledby="map-title" role="group">'
                   f'<title id="map-title">{bi("Council member cities", "Villes membres du conseil")}</title>{style}'
                   f'<rect class="sea" width="{WIDTH}" height="{frame.height}" fill="#f7fbff"/>'
                   + "".join(shapes) + '<g class="markers">' + "".join(markers) + "</g>"
                   + '<g class="labels">' + "".join(labels) + "</g></svg>")
    return picture


def map_point(lon: float, lat: float) -> tuple[float, float]:
    """Where a longitude and latitude fall on the map, in SVG pixels."""
    return _Frame().point(lon, lat)


def _places_table(site: SiteGraph, picture: MapPicture, from_page: str) -> str:
    rows = []
    for city in sorted(picture.placed, key=lambda c: (site.label(c, current_language()).lower(), str(c))):
        place = picture.located.get(city, Located(None)).place
        country = picture.countries.get(city)
        country_cell = node_label(site, country) if country is not None else ""
        if place is None:
            where, why = bi("centre of the country", "centre du pays"), bi("no confident match", "aucune fiche sûre")
            cells = f'<td class="num" colspan="2">{where}</td><td>{why}</td>'
        else:
            cells = (f'<td class="num">{place.latitude:.4f}</td><td class="num">{place.longitude:.4f}</td>'
                     f'<td><a rel="external" href="{esc(place.url)}">{place.geonameid}</a> '
                     f"({esc(place.name)})</td>")
        rows.append(f"<tr><td>{entity_link(site, from_page, city)}</td><td>{country_cell}</td>{cells}</tr>")
    head = "".join(f'<th scope="col">{bi(en, fr)}</th>' for en, fr in (
        ("City", "Ville"), ("Country", "Pays"), ("Latitude", "Latitude"), ("Longitude", "Longitude"),
        ("GeoNames id (name)", "Identifiant GeoNames (nom)")))
    return f'<table class="places"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def map_caption(site: SiteGraph, picture: MapPicture, geonames_version: str, from_page: str = "index.html") -> str:
    """The caption under the map: what it shows, where the positions come from, the cities left at a centre."""
    networks = sorted(URIRef(str(n)) for n in site.subjects_of_type(MKG.CityNetwork))
    council = entity_link(site, from_page, networks[0]) if networks else bi("the council", "le conseil")
    parts = [f"<p>{bi('Member cities of', 'Villes membres du')} {council}. "
             + bi("Each marker stands at the city's position in GeoNames (the most populous GeoNames city of that "
                  "name in that country); the table gives the GeoNames record used for each city. These positions "
                  "come from GeoNames, not from the article, and are not part of the graph.",
                  "Chaque repère est placé à la position de la ville dans GeoNames (la ville GeoNames la plus "
                  "peuplée de ce nom dans ce pays) ; le tableau donne la fiche GeoNames retenue pour chaque ville. "
                  "Ces positions viennent de GeoNames, pas de l'article, et ne font pas partie du graphe.")
             + "</p>"]
    fallbacks = picture.fallbacks()
    if fallbacks:
        names = ", ".join(site.label(city, "en") for city in fallbacks)
        names_fr = ", ".join(site.label(city, "fr") for city in fallbacks)
        parts.append("<p>" + bi(f"No single confident GeoNames match, so placed at the centre of its country "
                                f"(its largest land area) instead: {names}.",
                                f"Sans correspondance GeoNames unique et sûre, donc placé(es) au centre de leur pays "
                                f"(sa plus grande terre) : {names_fr}.") + "</p>")
    parts.append(_places_table(site, picture, from_page))
    parts.append(f'<p class="muted">{bi(*source_note(geonames_version))} '
                 f'<a rel="external" href="https://www.geonames.org/">geonames.org</a> · '
                 f'<a rel="license external" href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a></p>')
    standalone = relative(from_page, localized_file("map.svg"))
    parts.append(f'<p class="muted">{bi(SOURCE_NOTE, SOURCE_NOTE_FR)} <a href="{esc(standalone)}">map.svg</a></p>')
    return "".join(parts)
