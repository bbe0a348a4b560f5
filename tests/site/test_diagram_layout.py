"""The network diagram's layout: the numpy version gives exactly the positions of the plain loop over pairs."""

from __future__ import annotations

import math
import random

import pytest
from rdflib import URIRef

from migration_kg.site import diagram
from migration_kg.site.diagram import HEIGHT, WIDTH, Node, layout


def reference_layout(nodes: list[Node], edges: list[tuple[int, int]], steps: int = 400) -> None:
    """The layout as it was first written: every pair in plain Python (the picture the site has always had)."""
    diagram._start(nodes)
    k = math.sqrt(WIDTH * HEIGHT / max(len(nodes), 1)) * 0.55
    for step in range(steps):
        temperature = 40.0 * (1 - step / steps) + 0.5
        moves = [[0.0, 0.0] for _ in nodes]
        for i, a in enumerate(nodes):
            for j in range(i + 1, len(nodes)):
                b = nodes[j]
                dx, dy = a.x - b.x, a.y - b.y
                distance = math.hypot(dx, dy) or 0.01
                force = k * k / distance
                moves[i][0] += dx / distance * force
                moves[i][1] += dy / distance * force
                moves[j][0] -= dx / distance * force
                moves[j][1] -= dy / distance * force
        for i, j in edges:
            a, b = nodes[i], nodes[j]
            dx, dy = a.x - b.x, a.y - b.y
            distance = math.hypot(dx, dy) or 0.01
            force = distance * distance / k
            moves[i][0] -= dx / distance * force
            moves[i][1] -= dy / distance * force
            moves[j][0] += dx / distance * force
            moves[j][1] += dy / distance * force
        for node, (mx, my) in zip(nodes, moves, strict=True):
            length = math.hypot(mx, my) or 0.01
            node.x += mx / length * min(length, temperature)
            node.y += my / length * min(length, temperature)
            node.y += (HEIGHT / 2 - node.y) * 0.01
    diagram._fit(nodes)


def _graph(seed: int, count: int) -> tuple[list[Node], list[tuple[int, int]]]:
    rng = random.Random(seed)
    groups = ["council"] + [rng.choice(["city", "country", "funder", "event", "text"]) for _ in range(count - 1)]
    nodes = [Node(URIRef(f"urn:n{i}"), group) for i, group in enumerate(groups)]
    edges = sorted({(min(a, b), max(a, b)) for a, b in ((rng.randrange(count), rng.randrange(count))
                                                         for _ in range(count * 2)) if a != b})
    return nodes, edges


@pytest.mark.parametrize(("seed", "count"), [(1, 2), (2, 9), (3, 35), (4, 88), (5, 120)])
def test_layout_matches_the_plain_loop_to_the_last_bit(seed: int, count: int) -> None:
    fast, edges = _graph(seed, count)
    slow, _ = _graph(seed, count)
    layout(fast, edges, steps=120)
    reference_layout(slow, edges, steps=120)
    assert [(n.x, n.y) for n in fast] == [(n.x, n.y) for n in slow]
