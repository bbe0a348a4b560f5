"""The validation report as a standard SHACL validation report graph (SHACL section 3.6).

One ``sh:ValidationResult`` per result, with the real RDF terms: ``sh:focusNode``, ``sh:resultPath`` (an IRI, or a
copy of the path's blank-node structure), ``sh:value``, ``sh:sourceShape`` (a named shape, or a copy of the
blank-node property shape, as pyshacl writes it), ``sh:sourceConstraint`` for SPARQL constraints,
``sh:sourceConstraintComponent``, ``sh:resultSeverity``, ``sh:resultMessage`` and the ``sh:detail`` results that
explain a ``sh:node`` failure. Quality-control rows are results of their query, named by its IRI, with the
SPARQL constraint component.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import count
from typing import Protocol

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Node, URIRef
from rdflib.namespace import RDF

from migration_kg.graph.load import to_rdflib
from migration_kg.namespaces import SH, bind_prefixes


class ResultTerms(Protocol):
    """What the writer reads from a validation result (see shacl.validation.Violation)."""

    @property
    def focus_node(self) -> Node | None: ...
    @property
    def path_node(self) -> Node | None: ...
    @property
    def value_node(self) -> Node | None: ...
    @property
    def source_shape(self) -> Node | None: ...
    @property
    def source_constraint(self) -> Node | None: ...
    @property
    def messages(self) -> tuple[Literal, ...]: ...
    @property
    def component(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def details(self) -> tuple[ResultTerms, ...]: ...
    # The same result as text, for records made without their terms (the writer falls back on these).
    @property
    def focus(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def value(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def message(self) -> str: ...


def report_graph(results: Iterable[ResultTerms], shapes: Graph | None, conforms: bool,
                 data: Graph | ox.Store | None = None) -> Graph:
    """A SHACL validation report graph for ``results``.

    As pyshacl does, a blank-node shape (or path, or SPARQL constraint) is copied from ``shapes`` once and shared
    by the results that name it, and a blank focus node or value is copied from ``data`` with what it describes.
    Blank nodes are numbered in the order they are written, so that the same results give the same file.
    """
    writer = _Writer(bind_prefixes(Graph()), shapes or Graph(), data)
    report = BNode("report")
    writer.graph.add((report, RDF.type, SH.ValidationReport))
    writer.graph.add((report, SH.conforms, Literal(conforms)))
    for result in results:
        writer.graph.add((report, SH.result, writer.result(result)))
    return writer.graph


_NAMES = bind_prefixes(Graph()).namespace_manager


def _or_text(term: Node | None, text: str, literal: bool = False) -> Node | None:
    """``term``, or for a record made without it the term its text names (an IRI, a prefixed name, else a
    literal where one may stand)."""
    if term is not None or not text:
        return term
    if "://" in text or text.startswith("urn:"):
        return URIRef(text.strip("<>"))
    prefix, _, local = text.partition(":")
    if local and prefix in dict(_NAMES.namespaces()):
        return _NAMES.expand_curie(text)
    return Literal(text) if literal else None


class _Writer:
    def __init__(self, graph: Graph, shapes: Graph, data: Graph | ox.Store | None) -> None:
        self.graph = graph
        self.shapes = shapes
        self.data = data
        self.labels = (f"b{number}" for number in count(1))
        self.copied: dict[tuple[str, BNode], BNode] = {}

    def result(self, result: ResultTerms) -> BNode:
        node = BNode(next(self.labels))
        add = self.graph.add
        add((node, RDF.type, SH.ValidationResult))
        for predicate, term, source in ((SH.focusNode, _or_text(result.focus_node, result.focus), "data"),
                                        (SH.resultPath, _or_text(result.path_node, result.path), "shapes"),
                                        (SH.value, _or_text(result.value_node, result.value, literal=True), "data"),
                                        (SH.sourceShape, _or_text(result.source_shape, result.source), "shapes"),
                                        (SH.sourceConstraint, result.source_constraint, "shapes")):
            if term is not None:
                add((node, predicate, self.copy(term, source)))
        if result.component:
            add((node, SH.sourceConstraintComponent, URIRef(result.component)))
        add((node, SH.resultSeverity, URIRef(result.severity)))
        for message in result.messages or ((Literal(result.message),) if result.message else ()):
            add((node, SH.resultMessage, message))
        for detail in result.details:
            add((node, SH.detail, self.result(detail)))
        return node

    def copy(self, term: Node, source: str) -> Node:
        """``term`` itself, or for a blank node a copy (made once) of everything its graph says about it."""
        if not isinstance(term, BNode):
            return term
        key = (source, term)
        if key not in self.copied:
            self.copied[key] = BNode(next(self.labels))
            pairs = self._described(term, source)
            for predicate, value in sorted(pairs, key=lambda pair: (str(pair[0]), isinstance(pair[1], BNode),
                                                                    str(pair[1]))):
                self.graph.add((self.copied[key], predicate, self.copy(value, source)))
        return self.copied[key]

    def _described(self, term: BNode, source: str) -> list[tuple[Node, Node]]:
        if source == "shapes":
            return list(self.shapes.predicate_objects(term))
        if isinstance(self.data, Graph):
            return list(self.data.predicate_objects(term))
        if isinstance(self.data, ox.Store):
            return [(to_rdflib(q.predicate), to_rdflib(q.object))
                    for q in self.data.quads_for_pattern(ox.BlankNode(str(term)), None, None, ox.DefaultGraph())]
        return []
