"""A fast SHACL engine: every constraint of the shapes becomes one SPARQL query, run once over all focus nodes
on a pyoxigraph store (https://www.w3.org/TR/shacl/#core-components, #sparql-constraints).

pyshacl evaluates each constraint once per focus node, re-parsing SHACL-SPARQL queries every time; here a
shape's targets become a SPARQL pattern binding ``?this`` and each constraint one query that returns only the
violating (focus node, value) pairs. Nested shapes (``sh:node``, ``sh:or``, ``sh:and``, ``sh:not``, ``sh:xone``,
``sh:qualifiedValueShape``) are compiled into SPARQL conformance expressions.

pyshacl stays the reference engine: this one reproduces its results (focus node, path, value, source shape,
constraint component, severity, messages), including where pyshacl reads the spec in its own way (datatype
well-formedness as rdflib decides it, ``sh:pattern`` with Python's ``re``, SHACL-SPARQL result rows). Any
SHACL feature it does not implement raises :class:`UnsupportedShaclFeature`, so it can never under-report.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import count

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Node, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from .errors import MigrationKGError
from .load import to_rdflib
from .namespaces import PREFIXES, SH
from .fastshacl_sparql import insert_focus

SH_NS = str(SH)
LANG_STRING = RDF.langString
DatasetGraphs = list[ox.DefaultGraph | ox.NamedNode]

#: sh: predicates that describe a shape without constraining anything.
METADATA = {SH[name] for name in (
    "path", "targetClass", "targetNode", "targetObjectsOf", "targetSubjectsOf", "message", "severity",
    "deactivated", "name", "description", "order", "group", "defaultValue", "declare", "prefixes", "flags",
    "qualifiedMinCount", "qualifiedMaxCount", "qualifiedValueShapesDisjoint")}
#: Constraint parameters whose condition applies to each value node on its own.
VALUE_PARAMETERS = ("class", "datatype", "nodeKind", "minInclusive", "maxInclusive", "minExclusive", "maxExclusive",
                    "minLength", "maxLength", "languageIn", "in", "node", "or", "and", "not", "xone")
OTHER_PARAMETERS = ("property", "pattern", "hasValue", "minCount", "maxCount", "uniqueLang", "qualifiedValueShape",
                    "sparql")
SUPPORTED = {SH[name] for name in VALUE_PARAMETERS + OTHER_PARAMETERS} | METADATA
SINGLE_VALUED = {SH[name] for name in ("datatype", "nodeKind", "minCount", "maxCount", "minLength", "maxLength",
                                       "languageIn", "uniqueLang", "in", "flags", "qualifiedMinCount",
                                       "qualifiedMaxCount", "deactivated", "severity")}
COMPARISONS = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}
NODE_KINDS = {
    SH.IRI: "isIRI({v})", SH.BlankNode: "isBlank({v})", SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "!isLiteral({v})", SH.BlankNodeOrLiteral: "!isIRI({v})", SH.IRIOrLiteral: "!isBlank({v})",
}
#: Lexical forms that rdflib always accepts for a datatype; other literals of rdflib's datatypes are checked by it.
SAFE_LEXICAL = {
    XSD.integer: "^-?[0-9]+$", XSD.decimal: "^-?[0-9]+\\\\.[0-9]+$", XSD.boolean: "^(true|false)$",
    XSD.date: "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$", XSD.anyURI: ".",
}
#: Datatypes whose rdflib value is a Python string (pyshacl only compares strings with strings).
STRING_VALUED = (XSD.string, LANG_STRING, XSD.anyURI, XSD.normalizedString, XSD.token, XSD.language)
SHAPE_EXPECTING = (SH.node, SH.property, SH["not"], SH.qualifiedValueShape)
LIST_OF_SHAPES = (SH["or"], SH["and"], SH.xone)


class UnsupportedShaclFeature(MigrationKGError):
    """The shapes use a SHACL feature that the fast engine does not implement; pyshacl can still run them."""

    def __init__(self, feature: str, shape: Node | None = None) -> None:
        where = f" (shape {shape.n3()})" if shape is not None and not isinstance(shape, BNode) else ""
        super().__init__(f"the fast SHACL engine does not support {feature}{where}; use --engine pyshacl")


@dataclass(frozen=True)
class ShaclResult:
    """One validation result, with pyoxigraph terms for data nodes and rdflib terms for shapes-graph nodes."""

    focus: ox.NamedNode | ox.BlankNode | ox.Literal
    path: Node | None
    value: ox.NamedNode | ox.BlankNode | ox.Literal | None
    component: str
    shape: Node
    severity: str
    messages: tuple[str, ...]


@dataclass
class Shape:
    """A shape of the shapes graph: its node, path (if a property shape) and constraint parameters."""

    node: Node
    path: Node | None
    sparql_path: str | None
    severity: str
    messages: tuple[str, ...]
    deactivated: bool
    parameters: dict[URIRef, list[Node]]
    settings: dict[URIRef, list[Node]]


def sparql_term(term: Node) -> str:
    """A shapes-graph constant written in SPARQL."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        return term.n3()
    raise UnsupportedShaclFeature(f"a blank node constant ({term.n3()}) in a constraint")


class FastValidator:
    """Validates the default graph(s) of a pyoxigraph store against a shapes graph (see the module docstring)."""

    def __init__(self, store: ox.Store, shapes: Graph, default_graph: DatasetGraphs | None = None) -> None:
        self.store = store
        self.sg = shapes
        self.default_graph = default_graph or [ox.DefaultGraph()]
        self.prefixes = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
        self._shapes: dict[Node, Shape] = {}
        self._closures: dict[URIRef, list[str]] = {}
        self._ill_typed: dict[str, list[ox.Literal]] | None = None
        self._names = count(1)
        self._check_shapes_graph()

    # ------------------------------------------------------------------ running queries

    def select(self, query: str, prefixes: dict[str, str] | None = None) -> ox.QuerySolutions:
        try:
            answer = self.store.query(query, prefixes=prefixes or self.prefixes, default_graph=self.default_graph)
        except SyntaxError as error:
            raise UnsupportedShaclFeature(f"a query it cannot compile ({error})") from None
        assert isinstance(answer, ox.QuerySolutions)
        return answer

    def fresh(self, stem: str) -> str:
        return f"?_{stem}{next(self._names)}"

    # ------------------------------------------------------------------ the shapes graph

    def _check_shapes_graph(self) -> None:
        for feature, predicate in (("SHACL rules (sh:rule)", SH.rule), ("custom targets (sh:target)", SH.target),
                                   ("custom constraint components (sh:parameter)", SH.parameter),
                                   ("SHACL functions", SH.returnType), ("JavaScript", SH.jsFunctionName)):
            if (None, predicate, None) in self.sg:
                raise UnsupportedShaclFeature(feature)

    def shape(self, node: Node, stack: tuple[Node, ...] = ()) -> Shape:
        """The shape at ``node``, with its parameters checked against what this engine supports."""
        if node in stack:
            raise UnsupportedShaclFeature("recursive shapes", node)
        if node in self._shapes:
            return self._shapes[node]
        parameters: dict[URIRef, list[Node]] = {}
        for predicate, value in self.sg.predicate_objects(node):
            if isinstance(predicate, URIRef) and str(predicate).startswith(SH_NS):
                if predicate not in SUPPORTED:
                    raise UnsupportedShaclFeature(predicate.n3(self.sg.namespace_manager), node)
                parameters.setdefault(predicate, []).append(value)
        for predicate, values in parameters.items():
            if predicate in SINGLE_VALUED and len(set(values)) > 1:
                raise UnsupportedShaclFeature(f"several values of {predicate.n3()}", node)
        paths = parameters.pop(SH.path, [])
        if len(paths) > 1:
            raise UnsupportedShaclFeature("a shape with several sh:path values", node)
        deactivated = parameters.get(SH.deactivated, [Literal(False)])[0]
        shape = Shape(
            node=node, path=paths[0] if paths else None,
            sparql_path=self.sparql_path(paths[0]) if paths else None,
            severity=str(parameters.get(SH.severity, [SH.Violation])[0]),
            messages=tuple(str(m) for m in parameters.get(SH.message, [])),
            deactivated=bool(isinstance(deactivated, Literal) and deactivated.value is True),
            parameters={p: v for p, v in parameters.items() if p not in METADATA},
            settings={p: v for p, v in parameters.items() if p in METADATA},
        )
        if shape.path is None:
            for name in ("minCount", "maxCount", "uniqueLang"):
                if SH[name] in shape.parameters:
                    raise UnsupportedShaclFeature(f"sh:{name} on a node shape", node)
            shape.parameters.pop(SH.qualifiedValueShape, None)  # pyshacl ignores it on node shapes
        disjoint = parameters.get(SH.qualifiedValueShapesDisjoint, [Literal(False)])[0]
        if isinstance(disjoint, Literal) and disjoint.value is True:
            raise UnsupportedShaclFeature("sh:qualifiedValueShapesDisjoint true", node)
        self._shapes[node] = shape
        return shape

    def sparql_path(self, path: Node) -> str:
        """A SHACL property path (https://www.w3.org/TR/shacl/#property-paths) as a SPARQL property path."""
        if isinstance(path, URIRef):
            return f"<{path}>"
        if (path, RDF.first, None) in self.sg:
            return "(" + "/".join(self.sparql_path(step) for step in self.sg.items(path)) + ")"
        for predicate, template in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"),
                                    (SH.oneOrMorePath, "{}+"), (SH.zeroOrOnePath, "{}?")):
            inner = self.sg.value(path, predicate)
            if inner is not None:
                return "(" + template.format(self.sparql_path(inner)) + ")"
        alternatives = self.sg.value(path, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(self.sparql_path(step) for step in self.sg.items(alternatives)) + ")"
        raise UnsupportedShaclFeature(f"the property path {path.n3()}")

    def shapes_with_targets(self) -> list[Node]:
        """Every shape that selects its own focus nodes, as pyshacl finds them."""
        graph = self.sg
        found: set[Node] = set()
        for target in (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf):
            found.update(graph.subjects(target, None))
        class_types = {RDFS.Class, *graph.subjects(RDFS.subClassOf, RDFS.Class)}
        for candidate in self.all_shapes():
            if set(graph.objects(candidate, RDF.type)) & class_types:
                found.add(candidate)
        return sorted(found, key=lambda node: (isinstance(node, BNode), str(node)))

    def all_shapes(self) -> set[Node]:
        graph = self.sg
        shapes = set(graph.subjects(RDF.type, SH.NodeShape)) | set(graph.subjects(RDF.type, SH.PropertyShape))
        shapes |= set(graph.subjects(SH.property, None)) | set(graph.subjects(SH.node, None))
        for predicate in SHAPE_EXPECTING:
            shapes |= set(graph.objects(None, predicate))
        for predicate in LIST_OF_SHAPES:
            for members in graph.objects(None, predicate):
                shapes |= set(graph.items(members))
        return shapes

    # ------------------------------------------------------------------ focus nodes

    def subclasses(self, cls: URIRef) -> list[str]:
        """``cls`` and its subclasses in the data graph (rdfs:subClassOf*), in SPARQL."""
        if cls not in self._closures:
            rows = self.select(f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>* <{cls}> }}")
            self._closures[cls] = sorted({str(row["c"]) for row in rows} | {f"<{cls}>"})
        return self._closures[cls]

    def target_pattern(self, node: Node) -> str:
        """A group pattern binding ``?this`` to each focus node of the shape at ``node`` (no duplicates)."""
        graph, branches = self.sg, []
        nodes = [sparql_term(term) for term in graph.objects(node, SH.targetNode)]
        if nodes:
            branches.append(f"{{ VALUES ?this {{ {' '.join(sorted(nodes))} }} }}")
        classes = set(graph.objects(node, SH.targetClass))
        if set(graph.objects(node, RDF.type)) & {RDFS.Class, *graph.subjects(RDFS.subClassOf, RDFS.Class)}:
            classes.add(node)
        closure = sorted({c for cls in classes if isinstance(cls, URIRef) for c in self.subclasses(cls)})
        if closure:
            branches.append(f"{{ ?this a ?_targetClass . VALUES ?_targetClass {{ {' '.join(closure)} }} }}")
        for predicate in sorted(graph.objects(node, SH.targetSubjectsOf)):
            branches.append(f"{{ ?this {sparql_term(predicate)} ?_object }}")
        for predicate in sorted(graph.objects(node, SH.targetObjectsOf)):
            branches.append(f"{{ ?_subject {sparql_term(predicate)} ?this }}")
        return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(branches or ["{ FILTER(false) }"]) + " } }"

    def value_focus(self, focus: str, path: str) -> str:
        """A group pattern binding ``?this`` to each value node reached by ``path`` from the ``focus`` nodes."""
        parent = self.fresh("parent")
        return (f"{{ SELECT DISTINCT ?this WHERE {{ {{ SELECT (?this AS {parent}) WHERE {{ {focus} }} }} "
                f"{parent} {path} ?this }} }}")

    # ------------------------------------------------------------------ validation

    def validate(self) -> list[ShaclResult]:
        """Every result of every shape that has targets."""
        results: list[ShaclResult] = []
        for node in self.shapes_with_targets():
            shape = self.shape(node)
            if not shape.deactivated:
                results.extend(self.evaluate(shape, self.target_pattern(node)))
        return results

    def evaluate(self, shape: Shape, focus: str) -> Iterator[ShaclResult]:
        """The results of ``shape`` for the focus nodes that the group pattern ``focus`` binds to ``?this``."""
        if shape.deactivated:
            return
        value = "?value"
        values = f"{focus} ?this {shape.sparql_path} ?value ." if shape.path is not None else f"{focus} BIND(?this AS ?value)"
        for parameter, arguments in sorted(shape.parameters.items()):
            name = parameter.removeprefix(SH_NS)
            component = SH_NS + name[0].upper() + name[1:] + "ConstraintComponent"
            if name == "property":
                inner = focus if shape.path is None else self.value_focus(focus, shape.sparql_path)
                for node in arguments:
                    yield from self.evaluate(self.shape(node), inner)
            elif name in VALUE_PARAMETERS:
                for argument in ([arguments[0]] if name in ("datatype", "nodeKind", "in", "languageIn") else arguments):
                    condition = self.condition(shape, name, argument, value)
                    query = f"SELECT DISTINCT ?this ?value WHERE {{ {values} FILTER(!COALESCE({condition}, false)) }}"
                    for row in self.select(query):
                        yield self.result(shape, component, row["this"], row["value"])
            elif name == "pattern":
                yield from self.pattern(shape, arguments, values, component)
            elif name == "hasValue":
                for argument in arguments:
                    test = (f"FILTER NOT EXISTS {{ ?this {shape.sparql_path} ?value FILTER(sameTerm(?value, "
                            f"{sparql_term(argument)})) }}" if shape.path is not None
                            else f"FILTER(!sameTerm(?this, {sparql_term(argument)}))")
                    for row in self.select(f"SELECT ?this WHERE {{ {focus} {test} }}"):
                        yield self.result(shape, component, row["this"], None)
            elif name in ("minCount", "maxCount"):
                yield from self.cardinality(shape, name, arguments[0], focus, component)
            elif name == "uniqueLang":
                if arguments[0] != Literal(True):
                    continue
                query = (f"SELECT ?this ?lang WHERE {{ {values} FILTER(isLiteral(?value) && LANG(?value) != \"\") "
                         f"BIND(LCASE(LANG(?value)) AS ?lang) }} GROUP BY ?this ?lang HAVING (COUNT(DISTINCT ?value) > 1)")
                for row in self.select(query):
                    yield self.result(shape, component, row["this"], None)
            elif name == "qualifiedValueShape":
                yield from self.qualified(shape, arguments, focus)
            elif name == "sparql":
                for constraint in arguments:
                    yield from self.sparql_constraint(shape, constraint, focus)

    def result(self, shape: Shape, component: str, focus: ox.NamedNode | ox.BlankNode | ox.Literal,
               value: ox.NamedNode | ox.BlankNode | ox.Literal | None, path: Node | None = None,
               messages: tuple[str, ...] | None = None) -> ShaclResult:
        return ShaclResult(focus=focus, path=path if path is not None else shape.path, value=value,
                           component=component, shape=shape.node, severity=shape.severity,
                           messages=shape.messages if messages is None else messages)

    def cardinality(self, shape: Shape, name: str, argument: Node, focus: str, component: str) -> Iterator[ShaclResult]:
        if not (isinstance(argument, Literal) and isinstance(argument.value, int)):
            raise UnsupportedShaclFeature(f"a sh:{name} that is not an integer", shape.node)
        limit = argument.value
        if name == "minCount":
            if limit <= 0:
                return
            query = (f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {shape.sparql_path} ?value }} }} "
                     f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {limit})")
        else:
            query = (f"SELECT ?this WHERE {{ {focus} ?this {shape.sparql_path} ?value }} "
                     f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {limit})")
        for row in self.select(query):
            yield self.result(shape, component, row["this"], None)

    def qualified(self, shape: Shape, arguments: list[Node], focus: str) -> Iterator[ShaclResult]:
        low, high = (shape.settings.get(SH[name], [None])[0] for name in ("qualifiedMinCount", "qualifiedMaxCount"))
        for bound in (low, high):
            if bound is not None and not (isinstance(bound, Literal) and isinstance(bound.value, int)):
                raise UnsupportedShaclFeature("a qualified count that is not an integer", shape.node)
        if low is None and high is None:
            raise UnsupportedShaclFeature("sh:qualifiedValueShape without sh:qualifiedMinCount/MaxCount", shape.node)
        for node in arguments:
            conforms = self.conforms(self.shape(node), "?value")
            tests = ([f"COUNT(DISTINCT ?value) > {high.value}"] if high is not None else []) + \
                ([f"COUNT(DISTINCT ?value) < {low.value}"] if low is not None else [])
            query = (f"SELECT ?this (COUNT(DISTINCT ?value) AS ?n) WHERE {{ {focus} OPTIONAL {{ ?this "
                     f"{shape.sparql_path} ?value FILTER(COALESCE({conforms}, false)) }} }} GROUP BY ?this "
                     f"HAVING ({' || '.join(tests)})")
            for row in self.select(query):
                number = int(row["n"].value)
                if high is not None and number > high.value:
                    yield self.result(shape, SH_NS + "QualifiedMaxCountConstraintComponent", row["this"], None)
                if low is not None and number < low.value:
                    yield self.result(shape, SH_NS + "QualifiedMinCountConstraintComponent", row["this"], None)

    def pattern(self, shape: Shape, arguments: list[Node], values: str, component: str) -> Iterator[ShaclResult]:
        """sh:pattern, checked with Python's ``re`` on the value nodes as pyshacl does (search, flags i and m)."""
        flags_node = shape.settings.get(SH.flags, [Literal("")])[0]
        flags = (re.I if "i" in str(flags_node).lower() else 0) | (re.M if "m" in str(flags_node).lower() else 0)
        matchers = []
        for argument in arguments:
            if not isinstance(argument, Literal):
                raise UnsupportedShaclFeature("a sh:pattern that is not a literal", shape.node)
            text = str(argument.value) if argument.value is not None and len(argument.value) > 1 else str(argument)
            matchers.append(re.compile(text, flags))
        for row in self.select(f"SELECT DISTINCT ?this ?value WHERE {{ {values} }}"):
            term = row["value"]
            text = None if isinstance(term, ox.BlankNode) else string_of(term)
            for matcher in matchers:
                if text is None or not matcher.search(text):
                    yield self.result(shape, component, row["this"], term)

    # ------------------------------------------------------------------ conditions on one value node

    def condition(self, shape: Shape, name: str, argument: Node, v: str) -> str:
        """A SPARQL expression, true when the value node ``v`` satisfies one value-level constraint."""
        if name == "class":
            if not isinstance(argument, URIRef):
                raise UnsupportedShaclFeature("a sh:class that is not an IRI", shape.node)
            kind = self.fresh("type")
            return (f"(!isLiteral({v}) && EXISTS {{ {v} a {kind} . VALUES {kind} "
                    f"{{ {' '.join(self.subclasses(argument))} }} }})")
        if name == "datatype":
            return self.datatype_condition(argument, v)
        if name == "nodeKind":
            if argument not in NODE_KINDS:
                raise UnsupportedShaclFeature(f"the node kind {argument}", shape.node)
            return NODE_KINDS[argument].format(v=v)
        if name in COMPARISONS:
            if not isinstance(argument, Literal):
                raise UnsupportedShaclFeature(f"a sh:{name} that is not a literal", shape.node)
            strings = f"DATATYPE({v}) IN ({', '.join(f'<{dt}>' for dt in STRING_VALUED)})"
            kind = strings if isinstance(argument.value, str) else f"!({strings})"
            return f"(isLiteral({v}) && {kind} && {v} {COMPARISONS[name]} {sparql_term(argument)})"
        if name in ("minLength", "maxLength"):
            if not (isinstance(argument, Literal) and isinstance(argument.value, int) and argument.value >= 0):
                raise UnsupportedShaclFeature(f"a sh:{name} that is not a non-negative integer", shape.node)
            if name == "minLength" and argument.value == 0:
                return "true"
            operator = ">=" if name == "minLength" else "<="
            return f"(!isBlank({v}) && STRLEN(STR({v})) {operator} {argument.value})"
        if name == "languageIn":
            tags = sorted({str(tag).lower() for tag in self.sg.items(argument)})
            tagged = f"isLiteral({v}) && LANG({v}) != \"\""
            if "*" in tags:
                return f"({tagged})"
            listed = ", ".join(f'"{tag}"' for tag in tags) or '""'
            return (f"({tagged} && (LCASE(LANG({v})) IN ({listed}) || "
                    f"LCASE(STRBEFORE(CONCAT(LANG({v}), \"-\"), \"-\")) IN ({listed})))")
        if name == "in":
            members = [f"sameTerm({v}, {sparql_term(member)})" for member in self.sg.items(argument)]
            return "(" + (" || ".join(members) or "false") + ")"
        if name == "node":
            return self.conforms(self.shape(argument, (shape.node,)), v, (shape.node,))
        members = [self.conforms(self.shape(node, (shape.node,)), v, (shape.node,)) for node in self.sg.items(argument)] \
            if name != "not" else [self.conforms(self.shape(argument, (shape.node,)), v, (shape.node,))]
        if name == "or":
            return "(" + (" || ".join(members) or "false") + ")"
        if name == "and":
            return "(" + (" && ".join(members) or "true") + ")"
        if name == "not":
            return f"(!{members[0]})"
        return "((" + " + ".join(f"IF({member}, 1, 0)" for member in members) + ") = 1)"  # xone

    def datatype_condition(self, datatype: Node, v: str) -> str:
        """sh:datatype as pyshacl checks it: same datatype IRI and, for rdflib's datatypes, a well-formed value."""
        if datatype == RDFS.Literal:
            return f"isLiteral({v})"
        if datatype == RDFS.Datatype:
            return f"(isLiteral({v}) && LANG({v}) = \"\" && DATATYPE({v}) != <{XSD.string}>)"
        if not isinstance(datatype, URIRef):
            raise UnsupportedShaclFeature("a sh:datatype that is not an IRI")
        excluded = "".join(f" && !sameTerm({v}, {literal})" for literal in self.ill_typed().get(str(datatype), []))
        return f"(isLiteral({v}) && DATATYPE({v}) = <{datatype}>{excluded})"

    def ill_typed(self) -> dict[str, list[str]]:
        """Literals of the data that rdflib (hence pyshacl) finds ill-typed, by datatype, in SPARQL syntax."""
        if self._ill_typed is None:
            from rdflib.term import XSDToPython

            known = [dt for dt in XSDToPython if dt is not None and dt not in (XSD.string, LANG_STRING)]
            safe = " || ".join(f"(DATATYPE(?o) = <{dt}> && REGEX(STR(?o), \"{regex}\"))"
                               for dt, regex in SAFE_LEXICAL.items())
            query = (f"SELECT DISTINCT ?o WHERE {{ ?s ?p ?o FILTER(isLiteral(?o) && DATATYPE(?o) IN "
                     f"({', '.join(f'<{dt}>' for dt in known)}) && !({safe})) }}")
            found: dict[str, list[str]] = {}
            rdflib_log = logging.getLogger("rdflib.term")
            level, rdflib_log.level = rdflib_log.level, logging.CRITICAL
            try:
                import warnings

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    for row in self.select(query):
                        if not well_typed(to_rdflib(row["o"])):
                            found.setdefault(row["o"].datatype.value, []).append(str(row["o"]))
            finally:
                rdflib_log.level = level
            self._ill_typed = found
        return self._ill_typed

    def conforms(self, shape: Shape, v: str, stack: tuple[Node, ...] = ()) -> str:
        """A SPARQL expression, true when node ``v`` conforms to ``shape`` (all its constraints, recursively)."""
        if shape.deactivated:
            return "true"
        stack = (*stack, shape.node)
        tests = []
        for parameter, arguments in sorted(shape.parameters.items()):
            name = parameter.removeprefix(SH_NS)
            if name in ("pattern", "sparql", "qualifiedValueShape"):
                raise UnsupportedShaclFeature(f"sh:{name} inside a shape used by sh:node, sh:or, sh:and, sh:not, "
                                              "sh:xone or sh:qualifiedValueShape", shape.node)
            if name == "property":
                for node in arguments:
                    inner = self.shape(node, stack)
                    if inner.path is None:
                        raise UnsupportedShaclFeature("sh:property pointing to a shape without sh:path", node)
                    tests.append(self.conforms(inner, v, stack))
                continue
            if shape.path is None:
                if name == "hasValue":
                    tests.extend(f"sameTerm({v}, {sparql_term(argument)})" for argument in arguments)
                elif name in VALUE_PARAMETERS:
                    tests.extend(self.condition(shape, name, argument, v) for argument in
                                 (arguments[:1] if name in ("datatype", "nodeKind", "in", "languageIn") else arguments))
                continue
            tests.append(self.property_conforms(shape, name, arguments, v, stack))
        return "(" + (" && ".join(f"COALESCE({test}, false)" for test in tests) or "true") + ")"

    def property_conforms(self, shape: Shape, name: str, arguments: list[Node], v: str, stack: tuple[Node, ...]) -> str:
        path = shape.sparql_path
        if name == "property":
            raise AssertionError("handled by conforms")
        if name in VALUE_PARAMETERS:
            w = self.fresh("w")
            conditions = " && ".join(f"COALESCE({self.condition(shape, name, argument, w)}, false)" for argument in
                                     (arguments[:1] if name in ("datatype", "nodeKind", "in", "languageIn") else arguments))
            return f"NOT EXISTS {{ {v} {path} {w} FILTER(!({conditions})) }}"
        if name == "hasValue":
            w = self.fresh("w")
            return " && ".join(f"EXISTS {{ {v} {path} {w} FILTER(sameTerm({w}, {sparql_term(argument)})) }}"
                               for argument in arguments)
        if name == "uniqueLang":
            if arguments[0] != Literal(True):
                return "true"
            a, b = self.fresh("a"), self.fresh("b")
            return (f"NOT EXISTS {{ {v} {path} {a} . {v} {path} {b} FILTER(!sameTerm({a}, {b}) && isLiteral({a}) && "
                    f"isLiteral({b}) && LANG({a}) != \"\" && LCASE(LANG({a})) = LCASE(LANG({b}))) }}")
        limit = arguments[0].value if isinstance(arguments[0], Literal) else None
        if not isinstance(limit, int):
            raise UnsupportedShaclFeature(f"a sh:{name} that is not an integer", shape.node)
        if name == "minCount" and limit <= 2:
            names = [self.fresh("w") for _ in range(limit)]
            distinct = " ".join(f"FILTER(!sameTerm({a}, {b}))" for a, b in zip(names, names[1:], strict=False))
            patterns = " ".join(f"{v} {path} {w} ." for w in names)
            return f"EXISTS {{ {patterns} {distinct} }}" if names else "true"
        if name == "maxCount" and limit <= 1:
            names = [self.fresh("w") for _ in range(limit + 1)]
            distinct = " ".join(f"FILTER(!sameTerm({a}, {b}))" for a, b in zip(names, names[1:], strict=False))
            patterns = " ".join(f"{v} {path} {w} ." for w in names)
            return f"NOT EXISTS {{ {patterns} {distinct} }}"
        raise UnsupportedShaclFeature(f"sh:{name} {limit} inside a nested shape", shape.node)

    # ------------------------------------------------------------------ SHACL-SPARQL

    def sparql_constraint(self, shape: Shape, constraint: Node, focus: str) -> Iterator[ShaclResult]:
        """One sh:sparql constraint, run once with ``$this`` joined to every focus node (pyshacl's row rules)."""
        graph = self.sg
        deactivated = graph.value(constraint, SH.deactivated)
        if isinstance(deactivated, Literal) and deactivated.value is True:
            return
        selects = list(graph.objects(constraint, SH.select))
        if len(selects) != 1:
            raise UnsupportedShaclFeature("a SPARQL constraint without exactly one sh:select", shape.node)
        text = str(selects[0])
        if shape.path is not None:
            text = re.sub(r"([\s{}()])[\$\?]PATH", lambda m: m.group(1) + shape.sparql_path, text)
        query, this_projected = insert_focus(text, focus)
        messages = tuple(str(m) for m in graph.objects(constraint, SH.message)) + shape.messages
        prefixes = dict(self.prefixes)
        prefixes.update(self.declared_prefixes(constraint))
        seen = set()
        answer = self.select(query, prefixes)
        variables = [variable.value for variable in answer.variables]
        for row in answer:
            bound = {name: row[name] for name in variables if row[name] is not None}
            this = bound.pop("this")
            key = (this, tuple(sorted((k, str(t)) for k, t in bound.items())))
            if key in seen:
                continue
            seen.add(key)
            if bound.pop("failure", None) is not None:
                raise UnsupportedShaclFeature("?failure in a SPARQL constraint", shape.node)
            path, value = bound.pop("path", None), bound.pop("value", None)
            if path is None and value is None and not this_projected:
                continue
            if value is None and shape.path is None:
                value = this
            names = {**bound, **({"this": this} if this_projected else {}),
                     **({"path": path} if path is not None else {}), **({"value": value} if value is not None else {})}
            yield self.result(shape, SH_NS + "SPARQLConstraintComponent", this, value,
                              path=to_rdflib(path) if path is not None else None,
                              messages=tuple(substitute(message, names) for message in messages))

    def declared_prefixes(self, constraint: Node) -> dict[str, str]:
        """The sh:declare prefixes that a constraint's sh:prefixes point to."""
        found = {}
        for ontology in self.sg.objects(constraint, SH.prefixes):
            for declaration in self.sg.objects(ontology, SH.declare):
                prefix, namespace = self.sg.value(declaration, SH.prefix), self.sg.value(declaration, SH.namespace)
                if prefix is not None and namespace is not None:
                    found[str(prefix)] = str(namespace)
        return found


def string_of(term: ox.NamedNode | ox.Literal) -> str:
    """The string pyshacl matches a pattern against: the IRI, or the (rdflib-normalized) lexical form."""
    return str(to_rdflib(term))


def well_typed(literal: Literal) -> bool:
    """Whether pyshacl's datatype check accepts ``literal`` for its own datatype (rdflib's parsing)."""
    if getattr(literal, "ill_typed", None) is True:
        return False
    import datetime
    from decimal import Decimal

    expected = {XSD.integer: int, XSD.float: float, XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: datetime.date,
                XSD.time: datetime.time, XSD.dateTime: datetime.datetime}.get(literal.datatype)
    return expected is None or isinstance(literal.value, expected)


def substitute(message: str, names: dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]) -> str:
    """Replace ``{?name}`` and ``{$name}`` in a SHACL-SPARQL message with the row's values, as pyshacl does."""
    for name, term in names.items():
        message = re.sub("{{[?$]{}}}".format(name), str(to_rdflib(term)), message)
    return message


def validate_store(store: ox.Store, shapes: Graph, default_graph: DatasetGraphs | None = None) -> list[ShaclResult]:
    """Validate the store's default graph (or the union of ``default_graph``) against ``shapes``."""
    return FastValidator(store, shapes, default_graph).validate()


__all__ = ["FastValidator", "ShaclResult", "UnsupportedShaclFeature", "validate_store"]

