"""The pieces the fast SHACL engine plans with: results, query tasks, and the patterns they share.

A :class:`Task` is one SPARQL query and what to make of its rows (results, and maybe more tasks); the engine
(:mod:`migration_kg.shacl.engine`) runs tasks in rounds until none is left. :class:`Planner` declares what
every family of constraint components needs from the engine: the store, the shapes, the value conditions, a
way to run a query and to give back a term as it is written in the data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

import pyoxigraph as ox
from rdflib import Literal, Node

from migration_kg.shacl.conditions import Conditions
from migration_kg.shacl.shapes import SH_NS, Shape, ShapesGraph

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Row = dict[str, Term]


@dataclass(frozen=True)
class ShaclResult:
    """One validation result: pyoxigraph terms for data nodes, rdflib terms for shapes-graph nodes."""

    focus: Term
    path: Node | None
    value: Term | None
    component: str
    shape: Node
    severity: str
    messages: tuple[Literal, ...]
    constraint: Node | None = None


Handler = Callable[[list[Row]], tuple[list[ShaclResult], list["Task"]]]


@dataclass
class Task:
    """One query, and what to make of its rows: results, and maybe further tasks.

    ``weighted`` marks a task whose results already count every way their focus nodes are reached.
    """

    query: str
    handle: Handler
    prefixes: dict[str, str] | None = field(default=None)
    weighted: bool = False


def component_of(name: str) -> str:
    return f"{SH_NS}{name[0].upper()}{name[1:]}ConstraintComponent"


def result(shape: Shape, component: str, focus: Term, value: Term | None, path: Node | None = None,
           messages: tuple[Literal, ...] | None = None, constraint: Node | None = None) -> ShaclResult:
    return ShaclResult(focus=focus, path=path if path is not None else shape.path, value=value, component=component,
                       shape=shape.node, severity=shape.severity,
                       messages=shape.messages if messages is None else messages, constraint=constraint)


def values_of(shape: Shape, focus: str) -> str:
    """A pattern binding ``?this`` to each focus node and ``?value`` to each of its value nodes."""
    if shape.path is None:
        return f"{focus} BIND(?this AS ?value)"
    return f"{focus} ?this {shape.sparql_path} ?value ."


def focus_on(nodes: list[Term], fallback: str) -> str:
    """A pattern binding ``?this`` to ``nodes`` (``fallback`` if one is a blank node, which VALUES cannot hold)."""
    if any(isinstance(node, ox.BlankNode) for node in nodes):
        return fallback
    return "{ VALUES ?this { " + " ".join(sorted({str(node) for node in nodes})) + " } }"


class QueryStore(Protocol):
    """Where validation's queries run: an in-memory pyoxigraph ``Store``, or a SPARQL endpoint
    (:class:`migration_kg.graph.remote.SparqlDataset`), which answers the same calls over HTTP."""

    def query(self, query: str, *, prefixes: dict[str, str] | None = None) -> Any: ...

    def quads_for_pattern(self, subject: Any = None, predicate: Any = None, value: Any = None,
                          graph_name: Any = None) -> Iterable[ox.Quad]: ...

    def contains_named_graph(self, graph: Any) -> bool: ...


class Planner:
    """What the constraint families share; :class:`migration_kg.shacl.engine.FastValidator` provides it."""

    store: QueryStore
    shapes: ShapesGraph
    conditions: Conditions
    prefixes: dict[str, str]

    def rows(self, query: str, prefixes: dict[str, str] | None = None) -> list[Row]:
        raise NotImplementedError
