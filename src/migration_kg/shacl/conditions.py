"""SPARQL expressions for SHACL value conditions and for conformance to a whole (nested) shape.

``condition`` says whether one value node satisfies one value-level constraint (sh:class, sh:datatype, ...,
sh:or); ``conforms`` whether a node conforms to every constraint of a shape, which is how sh:node, sh:or,
sh:and, sh:not, sh:xone and sh:qualifiedValueShape see the shapes they name. The expressions follow pyshacl:
datatype well-formedness as rdflib decides it, languageIn on the primary subtag, comparisons only between
strings or between non-strings.
"""

from __future__ import annotations

import datetime
import logging
import operator
import warnings
from collections.abc import Callable
from decimal import Decimal
from itertools import count, pairwise

import pyoxigraph as ox
from rdflib import Literal, Node, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import XSDToPython

from migration_kg.graph.load import from_rdflib, to_rdflib
from migration_kg.graph.verbatim import Rewrites, stored_forms
from migration_kg.namespaces import SH
from migration_kg.shacl.shapes import (
    VALUE_PARAMETERS,
    Shape,
    ShapesGraph,
    UnsupportedShaclFeature,
    is_true,
    sparql_term,
)

COMPARISONS = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}
NODE_KINDS = {
    SH.IRI: "(isIRI({v}) && !isBlank({v}))", SH.BlankNode: "isBlank({v})", SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "!isLiteral({v})", SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "!isBlank({v})",
}
#: Datatypes whose rdflib value is a Python string (pyshacl only compares strings with strings).
STRING_VALUED = (XSD.string, RDF.langString, XSD.anyURI, XSD.normalizedString, XSD.token, XSD.language)
#: Datatypes that Oxigraph parses into values: a literal it could not parse is a candidate for rdflib's check.
OXIGRAPH_VALUES = (XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.boolean, XSD.date, XSD.dateTime, XSD.time,
                   XSD.duration, XSD.dayTimeDuration, XSD.yearMonthDuration)
DURATION_TYPES = frozenset(str(XSD) + name for name in ("duration", "dayTimeDuration", "yearMonthDuration"))
#: The Python type pyshacl expects for some datatypes, beyond rdflib's own ill-typed flag.
PYTHON_TYPES = {XSD.integer: int, XSD.float: float, XSD.decimal: Decimal, XSD.boolean: bool,
                XSD.date: datetime.date, XSD.time: datetime.time, XSD.dateTime: datetime.datetime}

Select = Callable[[str], list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]]
PAIR_PARAMETERS = ("equals", "disjoint", "lessThan", "lessThanOrEquals")
#: The most literals whose verdict one check corrects by name (beyond, the query would grow too long).
MAX_CORRECTIONS = 2000
#: A constant that no data term equals, for a shapes-graph literal that the data does not hold.
NOTHING = "<urn:x-migration-kg:no-such-term>"
ORDER = {"lessThan": "<", "lessThanOrEquals": "<="}


def pair_property(shape: Shape, name: str, argument: Node) -> str:
    """The property that a property pair constraint compares with, in SPARQL."""
    if not isinstance(argument, URIRef):
        raise UnsupportedShaclFeature(f"a sh:{name} that is not an IRI", shape.node)
    return f"<{argument}>"


def pair_pattern(name: str, other_property: str, path: str | None, this: str, value: str, other: str,
                 focus: str = "") -> str:
    """A pattern with one solution per result of a property pair constraint for the focus node ``this`` (bound
    by ``focus``, or from outside): the value node in ``value`` (and, for sh:lessThan and sh:lessThanOrEquals,
    the value compared with in ``other``). ``path`` is the shape's path in SPARQL, None for a node shape
    (whose value node is the focus node)."""
    own = f"{this} {path} {value} ." if path else f"BIND({this} AS {value})"
    if name == "equals":
        not_own = f"FILTER NOT EXISTS {{ {this} {path} {value} }}" if path else f"FILTER(!sameTerm({this}, {value}))"
        return (f"{{ {focus} {own} FILTER NOT EXISTS {{ {this} {other_property} {value} }} }} UNION "
                f"{{ {focus} {this} {other_property} {value} {not_own} }}")
    if name == "disjoint":
        return f"{focus} {own} {this} {other_property} {value} ."
    return f"{focus} {own} {this} {other_property} {other} FILTER(!COALESCE({value} {ORDER[name]} {other}, false))"


def well_typed(literal: Literal) -> bool:
    """Whether pyshacl's sh:datatype check accepts ``literal`` for its own datatype (rdflib's parsing)."""
    if getattr(literal, "ill_typed", None) is True:
        return False
    expected = PYTHON_TYPES.get(literal.datatype)  # type: ignore[arg-type]
    return expected is None or isinstance(literal.value, expected)


def quietly(check: Callable[[Literal], bool], literal: Literal) -> bool:
    """``check(literal)`` without rdflib's warnings and log lines about literals it cannot convert."""
    rdflib_log = logging.getLogger("rdflib.term")
    level, rdflib_log.level = rdflib_log.level, logging.CRITICAL
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return check(literal)
    finally:
        rdflib_log.level = level


class Conditions:
    """Compiles conditions to SPARQL, asking the data (through ``select``) for class hierarchies and bad literals."""

    def __init__(self, shapes: ShapesGraph, select: Select, rewrites: Rewrites | None = None) -> None:
        self.shapes = shapes
        self.select = select
        self.rewrites = rewrites or Rewrites()
        #: Literal target nodes that the store holds in another form: the stored form and the constant.
        self.targets: dict[ox.Literal, ox.Literal] = {}
        self._stored: dict[ox.Literal, ox.Literal] = {}
        self._names = count(1)
        self._closures: dict[URIRef, list[str]] = {}
        self._ill_typed: dict[URIRef, list[str]] = {}

    def fresh(self, stem: str) -> str:
        return f"?_{stem}{next(self._names)}"

    def subclasses(self, cls: URIRef) -> list[str]:
        """``cls`` and its subclasses in the data graph (rdfs:subClassOf*), as SPARQL IRIs."""
        if cls not in self._closures:
            rows = self.select(f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>* <{cls}> }}")
            self._closures[cls] = sorted({str(row["c"]) for row in rows} | {f"<{cls}>"})
        return self._closures[cls]

    def ill_typed(self, datatype: URIRef) -> list[str]:
        """Literals of ``datatype`` in the data that rdflib (hence pyshacl) finds ill-typed, in SPARQL syntax.

        Only asked for datatypes that rdflib parses and Oxigraph does not (xsd:byte, xsd:hexBinary, ...).
        """
        if datatype not in self._ill_typed:
            rows = self.select(
                f"SELECT DISTINCT ?o WHERE {{ ?s ?p ?o FILTER(isLiteral(?o) && DATATYPE(?o) = <{datatype}>) }}")
            self._ill_typed[datatype] = [str(row["o"]) for row in rows
                                         if not quietly(well_typed, to_rdflib(row["o"]))]  # type: ignore[arg-type]
        return self._ill_typed[datatype]

    def constant(self, term: Node) -> str:
        """A shapes-graph constant written in SPARQL, for comparing terms with sameTerm: a literal becomes the
        form in which the store holds the same literal of the data, or a term that matches nothing if the data
        has no such literal (the store would take ``"4.0"^^xsd:decimal`` for ``"4"``)."""
        if not isinstance(term, Literal):
            return sparql_term(term)
        literal = from_rdflib(term)
        stored = self.stored(literal)
        return str(stored) if self.rewrites.written.get(stored, stored) == literal else NOTHING  # type: ignore[arg-type]

    @staticmethod
    def same(v: str, constant: str) -> str:
        """``sameTerm(v, constant)``, written ``v = <iri>`` for an IRI (the same truth for an IRI, and a form that
        Virtuoso also evaluates inside COALESCE)."""
        return f"({v} = {constant})" if constant.startswith("<") else f"sameTerm({v}, {constant})"

    def stored(self, literal: ox.Literal) -> ox.Literal:
        """The form in which a store holds ``literal``."""
        if literal not in self._stored:
            self._stored[literal] = stored_forms([literal]).get(literal, literal)
        return self._stored[literal]

    def target(self, term: Node) -> str:
        """A target node in SPARQL, remembering the constant where the store holds it in another form."""
        if not isinstance(term, Literal):
            return sparql_term(term)
        literal = from_rdflib(term)
        stored = self.stored(literal)  # type: ignore[arg-type]
        if stored != literal:
            self.targets[stored] = literal  # type: ignore[index,assignment]
        return str(stored)

    def written(self, term: ox.NamedNode | ox.BlankNode | ox.Literal, focus: bool = False
                ) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        """A data term as written in the data (the store may hold some literals in another form); a ``focus``
        node may also be a target node of the shapes that the data does not hold."""
        if not isinstance(term, ox.Literal):
            return term
        return self.rewrites.written.get(term) or (self.targets.get(term, term) if focus else term)

    def forget_targets_in_data(self, holds: Callable[[ox.Literal], bool]) -> None:
        """Keep the stored form of a target node for the data's own term where the data holds that form."""
        self.targets = {stored: constant for stored, constant in self.targets.items() if not holds(stored)}

    def corrected(self, base: str, v: str, verdict: Callable[[ox.Literal], bool]) -> str:
        """``base``, a test on the stored form of ``v``, corrected for the literals that the store holds in
        another form than the data: ``verdict`` says whether a literal satisfies the constraint."""
        wrong, missed = [], []
        for stored, written in self.rewrites.written.items():
            before, after = verdict(stored), verdict(written)
            if before != after:
                (missed if after else wrong).append(f"sameTerm({v}, {stored})")
        if len(wrong) + len(missed) > MAX_CORRECTIONS:
            raise UnsupportedShaclFeature(f"a check that {len(wrong) + len(missed)} literals of the data would pass "
                                          "or fail differently in the form an Oxigraph store holds them")
        if wrong:
            base = f"({base} && !({' || '.join(wrong)}))"
        if missed:
            base = f"({base} || {' || '.join(missed)})"
        return base

    def allowed(self, shape: Shape, predicate: str) -> str:
        """sh:closed: whether ``predicate`` is the path of one of the shape's property shapes or ignored."""
        graph = self.shapes.graph
        allowed = {path for node in shape.parameters.get("property", []) for path in graph.objects(node, SH.path)
                   if isinstance(path, URIRef)}
        for ignored in shape.settings.get(SH.ignoredProperties, []):
            allowed |= {item for item in self.shapes.items(ignored) if isinstance(item, URIRef)}
        return f"{predicate} IN ({', '.join(sorted(f'<{iri}>' for iri in allowed))})" if allowed else "false"

    def condition(self, shape: Shape, name: str, argument: Node, v: str, stack: tuple[Node, ...] = ()) -> str:
        """A SPARQL expression, true when the value node ``v`` satisfies one value-level constraint."""
        if name == "class":
            if not isinstance(argument, URIRef):
                raise UnsupportedShaclFeature("a sh:class that is not an IRI", shape.node)
            kind = self.fresh("type")
            # EXISTS alone: a literal is never the subject of a stored triple, so it fails as SHACL says. Virtuoso
            # answers neither `!isLiteral(v) && EXISTS` inside COALESCE (SQ074) nor `IF(isLiteral(v), false,
            # EXISTS ...)` (unbound for a literal)
            return f"EXISTS {{ {v} a {kind} . VALUES {kind} {{ {' '.join(self.subclasses(argument))} }} }}"
        if name == "datatype":
            return self.datatype(argument, v)
        if name == "nodeKind":
            if argument not in NODE_KINDS:
                raise UnsupportedShaclFeature(f"the node kind {argument}", shape.node)
            return NODE_KINDS[argument].format(v=v)  # type: ignore[index]
        if name in COMPARISONS:
            if not isinstance(argument, Literal):
                raise UnsupportedShaclFeature(f"a sh:{name} that is not a literal", shape.node)
            strings = (f"(LANG({v}) != \"\" || COALESCE(DATATYPE({v}) IN "
                       f"({', '.join(f'<{dt}>' for dt in STRING_VALUED)}), true))")
            kind = strings if isinstance(argument.value, str) else f"!({strings})"
            return f"(isLiteral({v}) && {kind} && {v} {COMPARISONS[name]} {sparql_term(argument)})"
        if name in ("minLength", "maxLength"):
            limit = shape.integer(name)
            if name == "minLength" and limit == 0:
                return "true"
            compare = operator.ge if name == "minLength" else operator.le
            base = f"(!isBlank({v}) && STRLEN(STR({v})) {'>=' if name == 'minLength' else '<='} {limit})"
            return self.corrected(base, v, lambda literal: compare(len(literal.value), limit))
        if name == "languageIn":
            tags = sorted({str(tag).lower() for tag in self.shapes.items(argument)})
            tagged = f"isLiteral({v}) && LANG({v}) != \"\""
            if "*" in tags:
                return f"({tagged})"
            listed = ", ".join(f'"{tag}"' for tag in tags) or '""'
            return (f"({tagged} && (LCASE(LANG({v})) IN ({listed}) || "
                    f"LCASE(STRBEFORE(CONCAT(LANG({v}), \"-\"), \"-\")) IN ({listed})))")
        if name == "in":
            members = [self.same(v, self.constant(member)) for member in self.shapes.items(argument)]
            return "(" + (" || ".join(members) or "false") + ")"
        stack = (*stack, shape.node)
        nodes = self.shapes.items(argument) if name in ("or", "and", "xone") else [argument]
        members = [self.conforms(self.shapes.shape(node, stack), v, stack) for node in nodes]
        if name in ("node", "and"):
            return "(" + (" && ".join(members) or "true") + ")"
        if name == "or":
            return "(" + (" || ".join(members) or "false") + ")"
        if name == "not":
            return f"(!{members[0]})"
        return "((" + " + ".join(f"IF({member}, 1, 0)" for member in members) + ") = 1)"  # xone

    def datatype(self, datatype: Node, v: str) -> str:
        """sh:datatype as pyshacl checks it: the same datatype IRI and, for rdflib's datatypes, a well-formed value.

        A value that Oxigraph parsed is taken as well formed, as rdflib finds it too for the lexical forms that
        both accept (they may differ on exotic ones, such as surrounding spaces).
        """
        if datatype == RDFS.Literal:
            return f"isLiteral({v})"
        if datatype == RDFS.Datatype:
            return f"(isLiteral({v}) && LANG({v}) = \"\" && COALESCE(DATATYPE({v}) != <{XSD.string}>, false))"
        if not isinstance(datatype, URIRef):
            raise UnsupportedShaclFeature("a sh:datatype that is not an IRI")
        # A language tag is what makes rdf:langString, and a simple literal is xsd:string: tested that way, since
        # some stores (Virtuoso) give no DATATYPE for either.
        if datatype == RDF.langString:
            test = f"isLiteral({v}) && LANG({v}) != \"\""
        elif datatype == XSD.string:
            test = f"isLiteral({v}) && LANG({v}) = \"\" && COALESCE(DATATYPE({v}) = <{datatype}>, true)"
        else:
            test = f"isLiteral({v}) && DATATYPE({v}) = <{datatype}>"
        if datatype in OXIGRAPH_VALUES:  # Oxigraph keeps a literal it cannot parse as text, which a cast rejects
            # the same lexical form after the cast (sameTerm, with the datatype known equal; Virtuoso's sameTerm
            # is false on any typed literal)
            same = f"COALESCE(STR(<{datatype}>({v})) = STR({v}), false)"
            if str(datatype) in DURATION_TYPES:  # Virtuoso casts a duration to seconds: "P5D" gives "432000.0"
                same = f"({same} || COALESCE(<{datatype}>({v}) = <{datatype}>(STR({v})), false))"
            test += f" && {same}"
        elif XSDToPython.get(datatype) is not None:
            test += "".join(f" && !sameTerm({v}, {literal})" for literal in self.ill_typed(datatype))
        return self.corrected(f"({test})", v, lambda literal: literal.datatype.value == str(datatype) and
                              quietly(well_typed, to_rdflib(literal)))

    def conforms(self, shape: Shape, v: str, stack: tuple[Node, ...] = ()) -> str:
        """A SPARQL expression, true when node ``v`` conforms to ``shape`` (all its constraints, recursively)."""
        if shape.deactivated:
            return "true"
        if any(component.bindings(self.shapes.graph, shape.node) for component in self.shapes.components):
            raise UnsupportedShaclFeature("a SPARQL-based constraint component inside a shape used by sh:node, "
                                          "sh:or, sh:and, sh:not, sh:xone or sh:qualifiedValueShape", shape.node)
        stack = (*stack, shape.node)
        tests = []
        for name, arguments in shape.parameters.items():
            if name in ("pattern", "sparql", "qualifiedValueShape"):
                raise UnsupportedShaclFeature(f"sh:{name} inside a shape used by sh:node, sh:or, sh:and, sh:not, "
                                              "sh:xone or sh:qualifiedValueShape", shape.node)
            if name == "property":
                for node in arguments:
                    inner = self.shapes.shape(node, stack)
                    if inner.path is None:
                        raise UnsupportedShaclFeature("sh:property pointing to a shape without sh:path", node)
                    tests.append(self.conforms(inner, v, stack))
            elif name == "closed":
                if is_true(arguments[0]):
                    p, o, w = self.fresh("p"), self.fresh("o"), self.fresh("w")
                    values = f"{v} {shape.sparql_path} {w} ." if shape.path is not None else f"BIND({v} AS {w})"
                    tests.append(f"NOT EXISTS {{ {values} {w} {p} {o} FILTER(!({self.allowed(shape, p)})) }}")
            elif name in PAIR_PARAMETERS:
                for argument in arguments:
                    pattern = pair_pattern(name, pair_property(shape, name, argument), shape.sparql_path or None, v,
                                           self.fresh("w"), self.fresh("o"))
                    tests.append(f"NOT EXISTS {{ {pattern} }}")
            elif shape.path is None and name == "hasValue":
                tests.extend(self.same(v, self.constant(argument)) for argument in arguments)
            elif shape.path is None:
                tests.extend(self.condition(shape, name, argument, v, stack) for argument in arguments)
            else:
                tests.append(self.property_conforms(shape, name, arguments, v, stack))
        return "(" + (" && ".join(f"COALESCE({test}, false)" for test in tests) or "true") + ")"

    def property_conforms(self, shape: Shape, name: str, arguments: list[Node], v: str, stack: tuple[Node, ...]) -> str:
        """Whether node ``v`` satisfies one constraint of the property shape ``shape`` (its values by its path)."""
        path = shape.sparql_path
        if name in VALUE_PARAMETERS:
            w = self.fresh("w")
            tests = " && ".join(f"COALESCE({self.condition(shape, name, argument, w, stack)}, false)"
                                for argument in arguments)
            return f"NOT EXISTS {{ {v} {path} {w} FILTER(!({tests})) }}"
        if name == "hasValue":
            w = self.fresh("w")
            return " && ".join(f"EXISTS {{ {v} {path} {w} FILTER({self.same(w, self.constant(argument))}) }}"
                               for argument in arguments)
        if name == "uniqueLang":
            if not is_true(arguments[0]):
                return "true"
            a, b = self.fresh("a"), self.fresh("b")
            return (f"NOT EXISTS {{ {v} {path} {a} . {v} {path} {b} FILTER(!sameTerm({a}, {b}) && isLiteral({a}) && "
                    f"isLiteral({b}) && LANG({a}) != \"\" && LCASE(LANG({a})) = LCASE(LANG({b}))) }}")
        limit = shape.integer(name)
        if name == "minCount" and limit <= 2:
            names = [self.fresh("w") for _ in range(limit)]
            distinct = " ".join(f"FILTER(!sameTerm({a}, {b}))" for a, b in pairwise(names))
            return f"EXISTS {{ {' '.join(f'{v} {path} {w} .' for w in names)} {distinct} }}" if names else "true"
        if name == "maxCount" and limit <= 1:
            names = [self.fresh("w") for _ in range(limit + 1)]
            distinct = " ".join(f"FILTER(!sameTerm({a}, {b}))" for a, b in pairwise(names))
            return f"NOT EXISTS {{ {' '.join(f'{v} {path} {w} .' for w in names)} {distinct} }}"
        raise UnsupportedShaclFeature(f"sh:{name} {limit} inside a nested shape", shape.node)
