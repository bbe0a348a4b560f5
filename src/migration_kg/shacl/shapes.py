"""The shapes graph as the fast SHACL engine reads it: which nodes are shapes, their paths and parameters.

Every ``sh:`` predicate on a shape must be one this engine implements (or plain metadata such as
``sh:message``); anything else raises :class:`UnsupportedShaclFeature` rather than being ignored.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, Node, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from migration_kg.errors import MigrationKGError
from migration_kg.namespaces import SH

SH_NS = str(SH)
#: sh: predicates that describe a shape without constraining anything by themselves.
METADATA = {SH[name] for name in (
    "path", "targetClass", "targetNode", "targetObjectsOf", "targetSubjectsOf", "message", "severity",
    "deactivated", "name", "description", "order", "group", "defaultValue", "declare", "prefixes", "flags",
    "qualifiedMinCount", "qualifiedMaxCount", "qualifiedValueShapesDisjoint", "ignoredProperties", "select")}
#: Constraint parameters whose condition applies to each value node on its own.
VALUE_PARAMETERS = ("class", "datatype", "nodeKind", "minInclusive", "maxInclusive", "minExclusive", "maxExclusive",
                    "minLength", "maxLength", "languageIn", "in", "node", "or", "and", "not", "xone")
OTHER_PARAMETERS = ("property", "pattern", "hasValue", "minCount", "maxCount", "uniqueLang", "qualifiedValueShape",
                    "sparql", "closed", "equals", "disjoint", "lessThan", "lessThanOrEquals")
SUPPORTED = {SH[name] for name in VALUE_PARAMETERS + OTHER_PARAMETERS} | METADATA
SINGLE_VALUED = {SH[name] for name in ("datatype", "nodeKind", "minCount", "maxCount", "minLength", "maxLength",
                                       "languageIn", "uniqueLang", "in", "flags", "qualifiedMinCount",
                                       "qualifiedMaxCount", "deactivated", "severity", "closed",
                                       "ignoredProperties")}
SHAPE_EXPECTING = (SH.node, SH.property, SH["not"], SH.qualifiedValueShape)
LIST_OF_SHAPES = (SH["or"], SH["and"], SH.xone)
TARGETS = (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf)


class UnsupportedShaclFeature(MigrationKGError):
    """The shapes use a SHACL feature that the fast engine does not implement; pyshacl can still run them."""

    def __init__(self, feature: str, shape: Node | None = None) -> None:
        where = f" (shape {shape.n3()})" if shape is not None and not isinstance(shape, BNode) else ""
        super().__init__(f"the fast SHACL engine does not support {feature}{where}; use --engine pyshacl")


class IllFormedShapes(MigrationKGError):
    """The shapes graph breaks a rule of the SHACL specification (a SHACL processor must refuse it)."""

    def __init__(self, problem: str, shape: Node | None = None) -> None:
        where = f" (shape {shape.n3()})" if shape is not None and not isinstance(shape, BNode) else ""
        super().__init__(f"ill-formed shapes graph: {problem}{where}")


@dataclass(frozen=True)
class Component:
    """A SPARQL-based constraint component: its parameters (path, whether optional) and validators by kind."""

    node: Node
    parameters: tuple[tuple[URIRef, bool], ...]
    validators: dict[str, Node]

    @staticmethod
    def read(graph: Graph, node: Node) -> Component:
        parameters = []
        for parameter in graph.objects(node, SH.parameter):
            path = graph.value(parameter, SH.path)
            if not isinstance(path, URIRef):
                raise IllFormedShapes("a sh:parameter without an IRI as sh:path", node)
            parameters.append((path, is_true(graph.value(parameter, SH.optional))))
        validators = {kind: value for kind in ("validator", "nodeValidator", "propertyValidator")
                      if (value := graph.value(node, SH[kind])) is not None}
        return Component(node, tuple(sorted(parameters)), validators)

    def bindings(self, graph: Graph, shape: Node) -> list[dict[URIRef, Node]]:
        """Each combination of the shape's values for the parameters (none if a required one is missing)."""
        combinations: list[dict[URIRef, Node]] = [{}]
        for path, optional in self.parameters:
            values = sorted(graph.objects(shape, path), key=str)
            if not values and not optional:
                return []
            combinations = [{**done, path: value} for done in combinations for value in values] if values \
                else combinations
        return combinations


@dataclass
class Shape:
    """A shape: its node, its path (property shapes), constraint parameters and settings such as sh:flags."""

    node: Node
    path: Node | None
    sparql_path: str
    severity: str
    messages: tuple[Literal, ...]
    deactivated: bool
    parameters: dict[str, list[Node]]
    settings: dict[URIRef, list[Node]]

    def integer(self, name: str) -> int:
        """The value of a parameter or setting that must be a non-negative integer."""
        (value,) = self.parameters.get(name) or self.settings[SH[name]]
        if not (isinstance(value, Literal) and isinstance(value.value, int)) or value.value < 0:
            raise UnsupportedShaclFeature(f"a sh:{name} that is not a non-negative integer", self.node)
        return value.value


def is_true(term: Node | None) -> bool:
    """Whether a boolean parameter is ``true``: the literal itself, as SHACL says, not another form such as "1"."""
    return isinstance(term, Literal) and term.datatype == XSD.boolean and str(term) == "true"


def sparql_term(term: Node) -> str:
    """A shapes-graph constant written in SPARQL."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        return term.n3()
    raise UnsupportedShaclFeature(f"a blank node constant ({term.n3()}) in a constraint")


class ShapesGraph:
    """Reads shapes from an rdflib graph, checking that each uses only supported features."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._shapes: dict[Node, Shape] = {}
        for feature, predicate in (("SHACL rules (sh:rule)", SH.rule), ("custom targets (sh:target)", SH.target),
                                   ("SHACL functions", SH.returnType), ("JavaScript", SH.jsFunctionName)):
            if (None, predicate, None) in graph:
                raise UnsupportedShaclFeature(feature)
        self.components = [Component.read(graph, node) for node in sorted(set(graph.subjects(SH.parameter, None)),
                                                                           key=str)
                           if not str(node).startswith(SH_NS)]  # the core components, should SHACL's own
                                                                 # vocabulary be in the shapes graph

    def items(self, node: Node) -> list[Node]:
        return list(self.graph.items(node))

    def shape(self, node: Node, stack: tuple[Node, ...] = ()) -> Shape:
        """The shape at ``node``; ``stack`` holds the shapes being compiled around it (to refuse recursion)."""
        if node in stack:
            raise UnsupportedShaclFeature("recursive shapes", node)
        if node not in self._shapes:
            self._shapes[node] = self._read(node)
        return self._shapes[node]

    def _read(self, node: Node) -> Shape:
        found: dict[URIRef, list[Node]] = {}
        for predicate, value in self.graph.predicate_objects(node):
            if isinstance(predicate, URIRef) and str(predicate).startswith(SH_NS):
                if predicate not in SUPPORTED:
                    raise UnsupportedShaclFeature(predicate.n3(self.graph.namespace_manager), node)
                found.setdefault(predicate, []).append(value)
        for predicate, values in found.items():
            if predicate in SINGLE_VALUED and len(set(values)) > 1:
                raise UnsupportedShaclFeature(f"several values of {predicate.n3()}", node)
        paths = found.get(SH.path, [])
        if len(paths) > 1:
            raise UnsupportedShaclFeature("a shape with several sh:path values", node)
        deactivated = found.get(SH.deactivated, [Literal(False)])[0]
        parameters = {str(p).removeprefix(SH_NS): v for p, v in found.items() if p not in METADATA}
        if not paths:
            for name in ("minCount", "maxCount", "uniqueLang"):
                if name in parameters:
                    raise UnsupportedShaclFeature(f"sh:{name} on a node shape", node)
            parameters.pop("qualifiedValueShape", None)  # pyshacl ignores it on node shapes
        return Shape(
            node=node, path=paths[0] if paths else None, sparql_path=self.sparql_path(paths[0]) if paths else "",
            severity=str(found.get(SH.severity, [SH.Violation])[0]),
            messages=tuple(m for m in found.get(SH.message, []) if isinstance(m, Literal)),
            deactivated=is_true(deactivated),
            parameters=dict(sorted(parameters.items())),
            settings={p: v for p, v in found.items() if p in METADATA},
        )

    def sparql_path(self, path: Node) -> str:
        """A SHACL property path (https://www.w3.org/TR/shacl/#property-paths) as a SPARQL property path."""
        if isinstance(path, URIRef):
            return f"<{path}>"
        if (path, RDF.first, None) in self.graph:
            return "(" + "/".join(self.sparql_path(step) for step in self.items(path)) + ")"
        for predicate, template in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"),
                                    (SH.oneOrMorePath, "{}+"), (SH.zeroOrOnePath, "{}?")):
            inner = self.graph.value(path, predicate)
            if inner is not None:
                return "(" + template.format(self.sparql_path(inner)) + ")"
        alternatives = self.graph.value(path, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(self.sparql_path(step) for step in self.items(alternatives)) + ")"
        raise UnsupportedShaclFeature(f"the property path {path.n3()}")

    def class_types(self) -> set[Node]:
        """rdfs:Class and its direct subclasses in the shapes graph: a shape of such a type targets its instances."""
        return {RDFS.Class, *self.graph.subjects(RDFS.subClassOf, RDFS.Class)}

    def with_targets(self) -> list[Node]:
        """Every shape that selects its own focus nodes, as pyshacl finds them, in a fixed order."""
        graph = self.graph
        found: set[Node] = {s for target in TARGETS for s in graph.subjects(target, None)}
        class_types = self.class_types()
        found |= {shape for shape in self.all_shapes() if set(graph.objects(shape, RDF.type)) & class_types}
        return sorted(found, key=lambda node: (isinstance(node, BNode), str(node)))

    def all_shapes(self) -> set[Node]:
        """Nodes that SHACL calls shapes: typed so, holding sh:property or sh:node, or a value that expects one."""
        graph = self.graph
        shapes = set(graph.subjects(RDF.type, SH.NodeShape)) | set(graph.subjects(RDF.type, SH.PropertyShape))
        shapes |= set(graph.subjects(SH.property, None)) | set(graph.subjects(SH.node, None))
        for predicate in SHAPE_EXPECTING:
            shapes |= set(graph.objects(None, predicate))
        for predicate in LIST_OF_SHAPES:
            for members in graph.objects(None, predicate):
                shapes |= set(graph.items(members))
        return shapes
