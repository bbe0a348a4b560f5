"""The world map of the council's member cities, drawn at publish time as a static SVG.

Our data holds no coordinates and the base-map package ships no populated places, so each city's marker
sits at the centre of its country's main landmass (the largest ring of the Natural Earth outline). The page
says so under the map.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import URIRef
from rdflib.namespace import RDF

from .namespaces import SDO
from .site_basemap import Country, equal_earth, ring_area_centroid
from .site_html import esc, page_path, relative
from .site_model import SiteGraph, local_name

WIDTH = 960
LAT_NORTH, LAT_SOUTH = 84.0, -57.0


@dataclass
class MapPicture:
    """The SVG and what it shows: the cities placed and the ones whose country was not found."""

    svg: str
    placed: list[URIRef] = field(default_factory=list)
    missing: list[URIRef] = field(default_factory=list)


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
    return next((p for p in sorted(site.data.objects(city, SDO.containedInPlace))
                 if (p, RDF.type, SDO.Country) in site.data), None)


def _label(site: SiteGraph, city: URIRef, x: float, y: float, taken: list[tuple[float, float, float, float]]
           ) -> str:
    """A city name beside its marker, on the first side (right, left, below, above...) where it overlaps nothing."""
    english, french = site.label(city, "en"), site.label(city, "fr")
    width, height = 8.6 * max(len(english), len(french)) + 4, 18
    candidates = [(x + 10, y - 9), (x - 10 - width, y - 9), (x - width / 2, y + 9), (x - width / 2, y - 27),
                  (x + 10, y + 6), (x - 10 - width, y + 6), (x + 10, y - 24), (x - 10 - width, y - 24)]
    candidates += [(x + 10, y - 9 + 18 * step) for step in range(2, 12)]
    left, top = candidates[0]
    for left, top in candidates:
        inside = left >= 2 and left + width <= WIDTH - 2
        if inside and not any(left < r and left + width > lft and top < b and top + height > t
                              for lft, t, r, b in taken):
            break
    taken.append((left, top, left + width, top + height))
    return (f'<text class="city-label bi" x="{left:.1f}" y="{top + 14:.1f}">'
            f'<tspan lang="en">{esc(english)}</tspan><tspan lang="fr">{esc(french)}</tspan></text>')


def world_map(site: SiteGraph, countries: list[Country], *, from_page: str = "index.html",
              standalone: bool = False) -> MapPicture:
    """The SVG world map: member cities' countries shaded, one linked marker per member city."""
    frame = _Frame()
    members = site.member_cities()
    member_countries: dict[str, list[URIRef]] = {}
    picture = MapPicture(svg="")
    anchors: dict[URIRef, tuple[float, float]] = {}
    for city in sorted({city for city, _network in members}):
        country = _country_of(site, city)
        feature = _match(site, country, countries) if country is not None else None
        if feature is None:
            picture.missing.append(city)
            continue
        member_countries.setdefault(feature.name, []).append(city)
        anchors[city] = _anchor(frame, feature)
        picture.placed.append(city)
    shapes = []
    for feature in countries:
        if feature.continent == "Antarctica" or not feature.rings:
            continue
        css = "land member" if feature.name in member_countries else "land"
        shapes.append(f'<path class="{css}" d="{_path(frame, feature)}"><title>{esc(feature.name)}</title></path>')
    markers, labels = [], []
    taken = [(x - 8, y - 8, x + 8, y + 8) for x, y in anchors.values()]
    for city in sorted(anchors, key=lambda c: (anchors[c][1], anchors[c][0])):
        x, y = anchors[city]
        href = relative(from_page, page_path(city))
        name = site.label(city, "en")
        markers.append(f'<a href="{esc(href)}" class="marker" data-city="{esc(local_name(str(city)))}">'
                       f'<title>{esc(name)}</title><circle cx="{x:.1f}" cy="{y:.1f}" r="7"/></a>')
        labels.append(_label(site, city, x, y, taken))
    style = ('<style>.land{fill:#e4e7eb;stroke:#fff;stroke-width:.5}.member{fill:#9ecae1}'
             '.marker circle{fill:#d55e00;stroke:#fff;stroke-width:2}.city-label{font:600 14px sans-serif;'
             'fill:#1b1b1b;paint-order:stroke;stroke:#fff;stroke-width:4px}.bi>[lang="fr"]{display:none}</style>'
             if standalone else "")
    namespace = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    picture.svg = (f'<svg{namespace} class="world-map" viewBox="0 0 {WIDTH} {frame.height}" '
                   f'aria-labelledby="map-title" role="group">'
                   f'<title id="map-title">Council member cities / Villes membres du conseil</title>{style}'
                   f'<rect class="sea" width="{WIDTH}" height="{frame.height}" fill="#f7fbff"/>'
                   + "".join(shapes) + '<g class="markers">' + "".join(markers) + "</g>"
                   + '<g class="labels">' + "".join(labels) + "</g></svg>")
    return picture
