"""The site's icon, drawn in code so that publish writes the same bytes every time: ``favicon.ico`` (one 32x32
PNG image inside an ICO container) and ``assets/favicon.svg``; a blue tile with an orange dot on a white ring,
the colours of the site's header and of the council on the diagram."""

from __future__ import annotations

import math
import struct
import zlib

SIZE = 32
TILE, RING, DOT = (0x10, 0x2A, 0x43), (0xFF, 0xFF, 0xFF), (0xD5, 0x5E, 0x00)

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
    '<rect width="32" height="32" rx="6" fill="#102a43"/>'
    '<circle cx="16" cy="16" r="10" fill="#fff"/><circle cx="16" cy="16" r="7" fill="#d55e00"/></svg>\n'
)


def _pixel(x: int, y: int) -> tuple[int, int, int, int]:
    """The colour of one pixel, sampled at its centre; the tile's corners are cut round (radius 6)."""
    cx, cy = x + 0.5, y + 0.5
    corner_x = min(max(cx, 6), SIZE - 6)
    corner_y = min(max(cy, 6), SIZE - 6)
    if math.hypot(cx - corner_x, cy - corner_y) > 6:
        return (0, 0, 0, 0)
    distance = math.hypot(cx - SIZE / 2, cy - SIZE / 2)
    colour = DOT if distance <= 7 else RING if distance <= 10 else TILE
    return (*colour, 255)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png() -> bytes:
    """The icon as a 32x32 RGBA PNG."""
    rows = b"".join(b"\x00" + bytes(v for x in range(SIZE) for v in _pixel(x, y)) for y in range(SIZE))
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows, 9))
            + _chunk(b"IEND", b""))


def favicon_ico() -> bytes:
    """An ICO file holding the PNG (an ICO may carry PNG images since Windows Vista; every browser reads it)."""
    image = png()
    directory = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", SIZE, SIZE, 0, 0, 1, 32, len(image), 6 + 16)
    return directory + entry + image
