"""Stable blank node labels in time linear in the graph, so that outputs do not depend on how a file was parsed.

Blank nodes written as Turtle ``[ ... ]`` or lists hang under at most one statement each: they form trees. Such a
node is labelled by hashing, bottom-up, what it says (its predicates and objects, nested nodes by their own hash),
then, top-down, where it hangs (its parent's label and the predicate). Each node and statement is handled a fixed
number of times, so a thousand-deep nesting costs what a thousand-long list does. General RDF canonicalization
(RDFC-1.0) is superlinear, exponential in the worst case; it is used only for blank nodes that do not form trees
(shared by several statements, or in a cycle), and only up to :data:`MAX_GENERAL` of them.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict, deque

import pyoxigraph as ox

from migration_kg.errors import InputError

#: How many blank nodes outside trees RDFC-1.0 may be asked to label (its cost grows too fast beyond).
MAX_GENERAL = 256


def has_blank_nodes(dataset: ox.Dataset) -> bool:
    return any(isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode) for quad in dataset)


def canonical_labels(dataset: ox.Dataset) -> ox.Dataset:
    """``dataset`` (default graph only) with blank nodes relabelled the same way whatever their parsed labels."""
    children: dict[ox.BlankNode, list[ox.Quad]] = defaultdict(list)
    parents: dict[ox.BlankNode, list[ox.Quad]] = defaultdict(list)
    for quad in dataset:
        if isinstance(quad.subject, ox.BlankNode):
            children[quad.subject].append(quad)
        if isinstance(quad.object, ox.BlankNode):
            parents[quad.object].append(quad)
    nodes = set(children) | set(parents)
    if not nodes:
        return dataset
    order = _tree_order(nodes, parents)
    if order is None:
        return _general(dataset, nodes)
    content: dict[ox.BlankNode, str] = {}
    for node in reversed(order):
        lines = sorted(f"{quad.predicate} {_object_key(quad.object, content)}" for quad in children.get(node, ()))
        content[node] = _digest("\n".join(lines))
    labels: dict[ox.BlankNode, ox.BlankNode] = {}
    taken: dict[str, int] = defaultdict(int)
    for node in order:
        above = parents.get(node)
        where = f"{labels[above[0].subject].value} {above[0].predicate}" if above and isinstance(
            above[0].subject, ox.BlankNode) else (f"{above[0].subject} {above[0].predicate}" if above else "")
        key = _digest(f"{where}\n{content[node]}")[:24]
        taken[key] += 1
        labels[node] = ox.BlankNode(f"b{key}" + (f"x{taken[key]}" if taken[key] > 1 else ""))
    return ox.Dataset(ox.Quad(labels.get(q.subject, q.subject), q.predicate,  # type: ignore[arg-type]
                              labels.get(q.object, q.object), q.graph_name) for q in dataset)


def _tree_order(nodes: set[ox.BlankNode], parents: dict[ox.BlankNode, list[ox.Quad]]) -> list[ox.BlankNode] | None:
    """The nodes, each after its parent, if every node hangs under at most one statement and no cycle; else None."""
    if any(len(quads) > 1 for quads in parents.values()):
        return None
    below: dict[ox.BlankNode, list[ox.BlankNode]] = defaultdict(list)
    roots = []
    for node in nodes:
        above = parents.get(node)
        if above and isinstance(above[0].subject, ox.BlankNode):
            below[above[0].subject].append(node)
        else:
            roots.append(node)
    order: list[ox.BlankNode] = []
    queue = deque(roots)
    while queue:
        node = queue.popleft()
        order.append(node)
        queue.extend(below.get(node, ()))
    return order if len(order) == len(nodes) else None


def _object_key(term: ox.NamedNode | ox.BlankNode | ox.Literal, content: dict[ox.BlankNode, str]) -> str:
    return f"_:{content[term]}" if isinstance(term, ox.BlankNode) else str(term)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _general(dataset: ox.Dataset, nodes: set[ox.BlankNode]) -> ox.Dataset:
    """RDFC-1.0 for blank nodes that do not form trees, if there are few enough of them."""
    if len(nodes) > MAX_GENERAL:
        example = sorted(str(node) for node in nodes)[0]
        raise InputError(f"{len(nodes):,} blank nodes, some shared by several statements or in a cycle (such as "
                         f"{example}): stable labels for them cost too much beyond {MAX_GENERAL}; give them IRIs, "
                         "or write each blank node under one statement")
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return dataset
