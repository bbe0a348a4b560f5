"""Label placement for the site's pictures: every label goes to a nearby spot where it overlaps no other label.

Placement is greedy and deterministic: each label tries a fixed list of spots around its point (right, left,
above, below, then further out), skips any spot that would overlap a label already placed, a marker or the
frame's edge, and among the rest takes the nearest, where covering a line counts as going ten spots further.
Widths are estimated from the characters (a generous per-character table for a sans-serif font, checked against
Chromium's rendering with DejaVu Sans in tests/test_browser.py), so nothing depends on fonts at publish time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: (left, top, right, bottom) in SVG pixels, y downwards.
Box = tuple[float, float, float, float]
Segment = tuple[float, float, float, float]

_NARROW = set("iljtfrI.,;:'!|() -\u2019")
_WIDE = set("mwMW@%")
_ASCENT, _DESCENT = 1.05, 0.3
GAP = 2.0
LINE_COST = 10


def text_width(text: str, size: float, bold: bool = False) -> float:
    """A generous estimate of the width of ``text`` set in a sans-serif font of ``size`` pixels."""
    em = 0.0
    for char in text:
        if char in _NARROW:
            em += 0.4
        elif char in _WIDE:
            em += 0.98
        elif char.isupper() or char.isdigit():
            em += 0.74
        else:
            em += 0.64
    return em * size * (1.08 if bold else 1.0) + 2


def overlaps(a: Box, b: Box, gap: float = 0.0) -> bool:
    """Whether two boxes intersect, or come closer than ``gap``."""
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


def crosses(box: Box, segment: Segment) -> bool:
    """Whether a line segment passes through a box (Liang-Barsky clipping)."""
    x0, y0, x1, y1 = segment
    dx, dy = x1 - x0, y1 - y0
    low, high = 0.0, 1.0
    for p, q in ((-dx, x0 - box[0]), (dx, box[2] - x0), (-dy, y0 - box[1]), (dy, box[3] - y0)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return False
    return True


@dataclass(frozen=True)
class Spot:
    """Where a label goes: its text anchor point and alignment, and the box it covers."""

    x: float
    baseline: float
    anchor: str
    box: Box


def text_box(x: float, baseline: float, anchor: str, width: float, size: float) -> Box:
    """The box that a text of this width, set at (x, baseline) with this SVG text-anchor, is reckoned to cover."""
    left = {"start": x, "end": x - width, "middle": x - width / 2}[anchor]
    return left, baseline - _ASCENT * size, left + width, baseline + _DESCENT * size


def _spot(x: float, baseline: float, anchor: str, width: float, size: float) -> Spot:
    return Spot(x, baseline, anchor, text_box(x, baseline, anchor, width, size))


def candidate_spots(x: float, y: float, radius: float, width: float, size: float, *,
                    prefer_left: bool = False) -> list[Spot]:
    """Spots around a point, nearest first: beside it, above and below, then shifted up and down, then further."""
    middle = y + 0.35 * size
    line = size * 1.3
    near, far = radius + 4, radius + 4 + size
    sides = [("end", x - near), ("start", x + near)] if prefer_left else [("start", x + near), ("end", x - near)]
    spots = [_spot(sx, middle, anchor, width, size) for anchor, sx in sides]
    spots += [_spot(x, y - near - _DESCENT * size, "middle", width, size),
              _spot(x, y + near + _ASCENT * size, "middle", width, size)]
    for step in range(1, 9):
        for direction in (-1, 1):
            for anchor, sx in sides:
                spots.append(_spot(sx, middle + direction * step * line * 0.5, anchor, width, size))
        if step % 2 == 0:
            shift = step * line * 0.5
            spots += [_spot(x, y - near - _DESCENT * size - shift, "middle", width, size),
                      _spot(x, y + near + _ASCENT * size + shift, "middle", width, size)]
    for anchor, sx in sides:
        spots += [_spot(sx + (far if anchor == "start" else -far), middle + direction * step * line * 0.5,
                        anchor, width, size) for step in range(0, 7) for direction in (-1, 1)]
    return spots


class _Grid:
    """Boxes filed by the square cells they cover, so that only nearby boxes are compared."""

    def __init__(self, size: float = 64.0) -> None:
        self.size = size
        self.cells: dict[tuple[int, int], list[Box]] = {}

    def _cells(self, left: float, top: float, right: float, bottom: float) -> list[tuple[int, int]]:
        size = self.size
        return [(x, y) for x in range(math.floor(left / size), math.floor(right / size) + 1)
                for y in range(math.floor(top / size), math.floor(bottom / size) + 1)]

    def add(self, box: Box) -> None:
        for cell in self._cells(*box):
            self.cells.setdefault(cell, []).append(box)

    def near(self, box: Box, gap: float) -> list[Box]:
        """Every filed box that could come closer than ``gap`` to ``box`` (and maybe a few more)."""
        found: list[Box] = []
        for cell in self._cells(box[0] - gap, box[1] - gap, box[2] + gap, box[3] + gap):
            found.extend(self.cells.get(cell, ()))
        return found


class LabelPlacer:
    """Places labels one by one inside a frame, away from the markers, from each other and, if it can, off lines."""

    def __init__(self, frame: Box, markers: list[Box], segments: list[Segment] | None = None) -> None:
        self.frame = frame
        self.markers = markers
        self.segments = segments or []
        self.placed: list[Box] = []
        self._placed = _Grid()
        self._markers = _Grid()
        for marker in markers:
            self._markers.add(marker)

    def _fits(self, spot: Spot, own: Box | None) -> bool:
        box, frame = spot.box, self.frame
        if box[0] < frame[0] or box[1] < frame[1] or box[2] > frame[2] or box[3] > frame[3]:
            return False
        if any(overlaps(box, other, GAP) for other in self._placed.near(box, GAP)):
            return False
        return not any(marker != own and overlaps(box, marker, GAP) for marker in self._markers.near(box, GAP))

    def place(self, spots: list[Spot], own: Box | None = None) -> Spot:
        """The nearest spot that fits, where covering a line costs as much as going ten spots further out."""
        best: Spot | None = None
        best_cost = 0
        for rank, spot in enumerate(spots):
            if best is not None and rank >= best_cost:
                break
            if not self._fits(spot, own):
                continue
            cost = rank + LINE_COST * sum(1 for segment in self.segments if crosses(spot.box, segment))
            if best is None or cost < best_cost:
                best, best_cost = spot, cost
        chosen = best or spots[0]
        self.placed.append(chosen.box)
        self._placed.add(chosen.box)
        return chosen
