"""The network diagram of how the main entities connect, laid out at publish time and drawn as static SVG.

Nodes are the cities, the city network (the council), its funders, the countries, the events and the texts
(declaration and agreement). Relations held by an in-between entity (a membership, a funding) become one
edge between the entities it joins. The layout is a force-directed one (Fruchterman and Reingold 1991) run
for a fixed number of steps from fixed starting positions, so the same graph always gives the same picture.
Labels are then placed by :mod:`migration_kg.site.labels`, which keeps them from overlapping one another.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from rdflib import URIRef

from migration_kg.namespaces import MKG, SDO
from migration_kg.site.html import esc, page_path, relative
from migration_kg.site.i18n import choose
from migration_kg.site.labels import LabelPlacer, Spot, candidate_spots, text_width
from migration_kg.site.model import CLAIM_STATEMENT, SiteGraph, kind_of

WIDTH, HEIGHT = 1200, 760
#: The most entities the diagram draws: beyond, the best connected (a bigger graph would be unreadable).
MAX_NODES = 120
FONT_SIZE = 13

#: group -> (English, French, colour); Okabe-Ito colours, readable for colour-blind readers.
GROUPS: dict[str, tuple[str, str, str]] = {
    "council": ("Council of cities", "Conseil des villes", "#d55e00"),
    "city": ("City", "Ville", "#0072b2"),
    "country": ("Country", "Pays", "#56b4e9"),
    "funder": ("Funder", "Bailleur de fonds", "#009e73"),
    "event": ("Event", "Événement", "#cc79a7"),
    "text": ("Declaration or agreement", "Déclaration ou accord", "#e69f00"),
}


@dataclass
class Node:
    """One drawn entity with its group and position."""

    iri: URIRef
    group: str
    x: float = 0.0
    y: float = 0.0


def _groups(site: SiteGraph) -> dict[URIRef, str]:
    groups: dict[URIRef, str] = {}
    for node in site.described_entities():
        if site.has_type(node, MKG.CityNetwork):
            groups[node] = "council"
        elif site.has_type(node, SDO.City):
            groups[node] = "city"
        elif site.has_type(node, SDO.Country):
            groups[node] = "country"
        elif kind_of(str(node)) == "event":
            groups[node] = "event"
        elif site.has_type(node, MKG.Declaration) or site.has_type(node, MKG.InternationalAgreement):
            groups[node] = "text"
    for _subject, funder in site.subject_objects(SDO.funder):
        if isinstance(funder, URIRef) and funder not in groups:
            groups[funder] = "funder"
    return groups


def network_edges(site: SiteGraph, groups: dict[URIRef, str]) -> list[tuple[URIRef, URIRef]]:
    """Undirected edges between drawn nodes: direct facts, and facts joined through an undrawn entity."""
    edges: set[tuple[URIRef, URIRef]] = set()
    drawn = {f"<{node}>": node for node in groups}
    statement_parts = {f"<{part}>" for part in CLAIM_STATEMENT}

    def add(a: URIRef, b: URIRef) -> None:
        if a != b:
            edges.add((min(a, b), max(a, b)))

    for text, subject in drawn.items():
        if kind_of(str(subject)) == "claim":
            continue
        for predicate, value in site.index.pairs(text):
            if predicate not in statement_parts and value in drawn:
                add(subject, drawn[value])
    for middle in site.described_entities():
        if middle in groups:
            continue
        ends = sorted({drawn[value] for _predicate, value in site.index.pairs(f"<{middle}>") if value in drawn})
        for i, a in enumerate(ends):
            for b in ends[i + 1:]:
                add(a, b)
    return sorted(edges)


def _start(nodes: list[Node]) -> None:
    """Starting positions: the council in the middle, each group on its own arc around it."""
    sectors = {"council": (0.0, 0.0, 0.0), "city": (0.0, 2 * math.pi, 0.45), "country": (0.0, 2 * math.pi, 0.9),
               "funder": (2.6, 3.6, 0.6), "event": (-1.2, 1.2, 0.75), "text": (-0.4, 0.4, 0.5)}
    by_group: dict[str, list[Node]] = {}
    for node in nodes:
        by_group.setdefault(node.group, []).append(node)
    for group, members in by_group.items():
        low, high, radius = sectors[group]
        for index, node in enumerate(members):
            angle = low + (high - low) * (index + 0.5) / len(members)
            node.x = WIDTH / 2 + radius * 300 * math.cos(angle)
            node.y = HEIGHT / 2 + radius * 210 * math.sin(angle)


def layout(nodes: list[Node], edges: list[tuple[int, int]], steps: int = 400) -> None:
    """Fruchterman-Reingold: nodes repel, edges pull, the step size cools linearly.

    The repulsion between every pair is computed with numpy, in exactly the arithmetic and order of the plain
    loop over pairs that this replaces (the same picture, to the last digit): ``math.hypot`` for distances, and
    each node's pushes summed one after another in the order of the other node (a cumulative sum).
    """
    import numpy as np

    _start(nodes)
    count = len(nodes)
    k = math.sqrt(WIDTH * HEIGHT / max(count, 1)) * 0.55
    kk = k * k
    first, second = np.triu_indices(count, 1)
    others = ~np.eye(count, dtype=bool)
    for step in range(steps):
        temperature = 40.0 * (1 - step / steps) + 0.5
        xs = np.array([node.x for node in nodes])
        ys = np.array([node.y for node in nodes])
        dx, dy = xs[first] - xs[second], ys[first] - ys[second]
        distance = np.fromiter(map(math.hypot, dx.tolist(), dy.tolist()), float, len(dx))
        distance[distance == 0.0] = 0.01
        force = kk / distance
        moves = [_summed_pushes(dx / distance * force, first, second, others),
                 _summed_pushes(dy / distance * force, first, second, others)]
        move_x, move_y = moves
        for i, j in edges:
            a, b = nodes[i], nodes[j]
            ex, ey = a.x - b.x, a.y - b.y
            length = math.hypot(ex, ey) or 0.01
            pull = length * length / k
            move_x[i] -= ex / length * pull
            move_y[i] -= ey / length * pull
            move_x[j] += ex / length * pull
            move_y[j] += ey / length * pull
        for node, mx, my in zip(nodes, move_x, move_y, strict=True):
            length = math.hypot(mx, my) or 0.01
            node.x += mx / length * min(length, temperature)
            node.y += my / length * min(length, temperature)
            node.y += (HEIGHT / 2 - node.y) * 0.01
    _fit(nodes)


def _summed_pushes(push: Any, first: Any, second: Any, others: Any) -> list[float]:
    """Each node's pushes added up from 0.0 in the order of the other node: node i gets ``-push[j, i]`` from each
    j < i, then ``push[i, j]`` from each j > i (``push`` holds the pairs i < j)."""
    import numpy as np

    count = len(others)
    table = np.zeros((count, count))
    table[first, second] = push
    table[second, first] = -push
    terms = np.zeros((count, count))
    terms[:, 1:] = table[others].reshape(count, count - 1)
    return np.cumsum(terms, axis=1)[:, -1].tolist()


def _fit(nodes: list[Node]) -> None:
    """Scale the drawing into the frame, leaving room for labels on the right."""
    xs, ys = [n.x for n in nodes], [n.y for n in nodes]
    span_x, span_y = (max(xs) - min(xs)) or 1, (max(ys) - min(ys)) or 1
    left, right, top, bottom = 230, WIDTH - 240, 30, HEIGHT - 70
    for node in nodes:
        node.x = left + (node.x - min(xs)) / span_x * (right - left)
        node.y = top + (node.y - min(ys)) / span_y * (bottom - top)


def _short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _radius(node: Node) -> int:
    return 13 if node.group == "council" else 8


def label_text(node: Node, text: str) -> str:
    """The label as drawn: in full for the council, else cut to 30 characters (the full name is in the tooltip)."""
    return text if node.group == "council" else _short(text)


def label_width(node: Node, english: str, french: str) -> float:
    """The width the node's label may take, in whichever language is longer."""
    bold = node.group == "council"
    return max(text_width(label_text(node, english), FONT_SIZE, bold),
               text_width(label_text(node, french), FONT_SIZE, bold))


def _place_labels(site: SiteGraph, nodes: list[Node], edges: list[tuple[int, int]]
                  ) -> list[tuple[Spot, str, str]]:
    """A spot for every node's label where it overlaps no other label and no circle: hubs first, then top down."""
    boxes = [(n.x - _radius(n), n.y - _radius(n), n.x + _radius(n), n.y + _radius(n)) for n in nodes]
    segments = [(nodes[i].x, nodes[i].y, nodes[j].x, nodes[j].y) for i, j in edges]
    placer = LabelPlacer((2, 2, WIDTH - 2, HEIGHT - 40), boxes, segments)
    degree = [0] * len(nodes)
    for i, j in edges:
        degree[i] += 1
        degree[j] += 1
    centre = next((n.x for n in nodes if n.group == "council"), WIDTH / 2)
    order = sorted(range(len(nodes)), key=lambda i: (nodes[i].group != "council", -degree[i], nodes[i].y,
                                                     nodes[i].x))
    placed: dict[int, tuple[Spot, str, str]] = {}
    for i in order:
        node = nodes[i]
        english, french = site.label(node.iri, "en"), site.label(node.iri, "fr")
        spots = candidate_spots(node.x, node.y, _radius(node), label_width(node, english, french), FONT_SIZE,
                                prefer_left=node.x < centre - 20)
        placed[i] = (placer.place(spots, own=boxes[i]), english, french)
    return [placed[i] for i in range(len(nodes))]


@dataclass
class NetworkLayout:
    """The diagram's drawn nodes, edges and label spots, computed once and drawn in each language."""

    nodes: list[Node]
    edges: list[tuple[int, int]]
    texts: list[tuple[Spot, str, str]]
    #: How many entities the diagram could show; more than ``len(nodes)`` when only the best connected are drawn.
    candidates: int = 0


def _most_connected(groups: dict[URIRef, str], edges: list[tuple[URIRef, URIRef]]) -> dict[URIRef, str]:
    """At most MAX_NODES of ``groups``: the councils, then the entities with the most connections."""
    if len(groups) <= MAX_NODES:
        return groups
    degree: Counter[URIRef] = Counter()
    for a, b in edges:
        degree[a] += 1
        degree[b] += 1
    ranked = sorted(groups, key=lambda node: (groups[node] != "council", -degree[node], str(node)))
    return {node: groups[node] for node in ranked[:MAX_NODES]}


def network_layout(site: SiteGraph) -> NetworkLayout:
    """Lay the diagram out: which entities it draws (at most MAX_NODES), where, and where their labels go."""
    candidates = _groups(site)
    connections = network_edges(site, candidates)
    groups = _most_connected(candidates, connections)
    nodes = [Node(iri, group) for iri, group in sorted(groups.items(), key=lambda item: (item[1], str(item[0])))]
    index = {node.iri: i for i, node in enumerate(nodes)}
    edges = [(index[a], index[b]) for a, b in connections if a in index and b in index]
    layout(nodes, edges)
    return NetworkLayout(nodes, edges, _place_labels(site, nodes, edges), len(candidates))


def network_diagram(site: SiteGraph, drawing: NetworkLayout | None = None, *, from_page: str = "index.html",
                    standalone: bool = False) -> str:
    """The diagram as SVG in the page's language: a linked, labelled circle per entity, a line per connection,
    and a legend. A label cut short carries the full name as its tooltip."""
    drawing = drawing or network_layout(site)
    nodes, edges = drawing.nodes, drawing.edges
    lines = "".join(f'<line x1="{nodes[i].x:.1f}" y1="{nodes[i].y:.1f}" x2="{nodes[j].x:.1f}" '
                    f'y2="{nodes[j].y:.1f}"/>' for i, j in edges)
    circles = []
    for node, (spot, english, french) in zip(nodes, drawing.texts, strict=True):
        colour = GROUPS[node.group][2]
        name = choose(english, french)
        shown = label_text(node, name)
        tooltip = f"<title>{esc(name)}</title>" if shown != name else ""
        circles.append(
            f'<a href="{esc(relative(from_page, page_path(node.iri)))}" class="node node-{node.group}">'
            f"<title>{esc(name)}</title>"
            f'<circle cx="{node.x:.1f}" cy="{node.y:.1f}" r="{_radius(node)}" fill="{colour}"/>'
            f'<text class="node-label" x="{spot.x:.1f}" y="{spot.baseline:.1f}" text-anchor="{spot.anchor}">'
            f"{tooltip}{esc(shown)}</text></a>")
    legend = "".join(
        f'<g transform="translate({24 + 190 * i},{HEIGHT - 22})"><circle r="7" cx="7" cy="0" fill="{colour}"/>'
        f'<text class="legend" x="20" y="4">{esc(choose(en, fr))}</text></g>'
        for i, (en, fr, colour) in enumerate(GROUPS.values()))
    style = ('<style>.edges line{stroke:#8a94a0;stroke-width:1.2}.node-label,.legend{font:13px sans-serif;'
             'fill:#1b1b1b;paint-order:stroke;stroke:#fff;stroke-width:3px}</style>'
             if standalone else "")
    namespace = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    title = esc(choose("How the entities connect", "Les liens entre les entités"))
    return (f'<svg{namespace} class="network" viewBox="0 0 {WIDTH} {HEIGHT}" aria-labelledby="network-title" '
            f'role="group"><title id="network-title">{title}</title>{style}'
            f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>'
            f'<g class="edges">{lines}</g><g class="nodes">{"".join(circles)}</g>'
            f'<g class="legend-box">{legend}</g></svg>')
