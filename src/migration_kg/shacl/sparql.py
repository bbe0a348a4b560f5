"""SHACL-SPARQL constraints (https://www.w3.org/TR/shacl/#sparql-constraints), run once for all focus nodes.

SHACL pre-binds ``$this`` to one focus node per run of a ``sh:select`` query. Joining a pattern that binds
``?this`` to every focus node at the start of the WHERE group, and of every nested group or sub-query that
mentions ``$this``, gives the same rows in one run: the joins keep each row to one focus node, and the
``EXISTS`` groups of filters see the row's ``$this``. What SHACL forbids in such queries (MINUS, VALUES,
SERVICE, ``AS $this``, a sub-query that does not return ``$this``) raises
:class:`~migration_kg.shacl.shapes.IllFormedShapes`; ``$shapesGraph`` and ``$currentShape``, which SHACL
leaves optional, and ``$this`` inside GRAPH raise :class:`~migration_kg.shacl.shapes.UnsupportedShaclFeature`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial
from typing import NamedTuple

import pyoxigraph as ox
from rdflib import Literal, Node, URIRef
from rdflib.namespace import OWL

from migration_kg.graph.load import from_rdflib, to_rdflib
from migration_kg.namespaces import SH
from migration_kg.shacl.shapes import IllFormedShapes, Shape, UnsupportedShaclFeature
from migration_kg.shacl.tasks import Planner, Row, ShaclResult, Task, Term, component_of, result

_TOKEN = re.compile(r'''
    (?P<comment>\#[^\n]*)
  | (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
      |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_]+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<open>\{) | (?P<close>\}) | (?P<other>\S)
''', re.X | re.S)
FORBIDDEN = {"MINUS", "VALUES", "SERVICE"}
_PRE_BOUND = {"this", "shapesGraph", "currentShape"}
#: The named graph that holds a copy of the shapes graph while a query that asks for $shapesGraph runs.
SHAPES_GRAPH = ox.NamedNode("urn:x-migration-kg:shapes-graph")


class Token(NamedTuple):
    kind: str
    text: str
    start: int
    end: int


def tokens(text: str) -> Iterator[Token]:
    """The tokens of a SPARQL query, without comments and blanks."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind != "comment":
            yield Token(kind, match.group(), match.start(), match.end())


def insert_focus(query: str, focus: str) -> tuple[str, bool]:
    """``query`` with ``focus`` joined where ``$this`` is pre-bound, and whether it projected ``$this`` itself."""
    found = list(tokens(query))
    words = [(i, t) for i, t in enumerate(found) if t.kind == "word" and (i == 0 or found[i - 1].text != ":")]
    for _, token in words:
        if token.text.upper() in FORBIDDEN:
            raise IllFormedShapes(f"{token.text.upper()} in a SPARQL constraint")
    for index, token in enumerate(found):
        if token.kind == "var" and token.text[1:] in _PRE_BOUND and index and found[index - 1].text.upper() == "AS":
            raise IllFormedShapes(f"a SPARQL constraint that binds the pre-bound {token.text} with AS")
    selects = [i for i, t in words if t.text.upper() == "SELECT"]
    if not selects:
        raise UnsupportedShaclFeature("a SPARQL constraint without SELECT")
    wheres = {}
    for number, select in enumerate(selects):
        where = next((i for i in range(select, len(found)) if found[i].kind == "open"), None)
        if where is None:
            raise IllFormedShapes("a SPARQL query without a WHERE group")
        projection = found[select + 1:where]
        projected = any(t.kind == "var" and t.text[1:] == "this" for t in projection)
        if number and not projected:
            raise IllFormedShapes("a sub-query of a SPARQL constraint that does not return $this")
        wheres[where] = projected or any(t.text == "*" for t in projection)
    outer = selects[0]
    where = next(iter(wheres))
    this_projected = wheres[where]
    inserts = [found[i].end for i in _groups_binding_this(found, where, set(wheres))]
    insert_at = found[outer].end
    projection = found[outer + 1:where]
    if projection and projection[0].kind == "word" and projection[0].text.upper() in ("DISTINCT", "REDUCED"):
        insert_at = projection[0].end
    pieces, last = [query[:insert_at], "" if this_projected else " ?this"], insert_at
    for position in inserts:
        pieces += [query[last:position], f" {focus} "]
        last = position
    return "".join([*pieces, query[last:]]), this_projected


def _groups_binding_this(found: list[Token], where: int, sub_wheres: set[int]) -> list[int]:
    """The ``{`` tokens after which the focus pattern goes: the WHERE group, every sub-query's WHERE group, and
    every other group that mentions ``$this`` itself, except the groups of EXISTS (they see the row)."""
    chosen = [where]
    stack: list[tuple[int, str]] = []
    for index in range(where, len(found)):
        token = found[index]
        if token.kind == "open":
            previous = found[index - 1].text.upper() if index > where else ""
            inside_exists = any(kind == "exists" for _, kind in stack)
            kind = "exists" if previous == "EXISTS" or inside_exists else "graph" if _after_graph(found, index) \
                else "select" if index + 1 < len(found) and found[index + 1].text.upper() == "SELECT" else "group"
            stack.append((index, kind))
            if index in sub_wheres and index != where and not inside_exists:
                chosen.append(index)
        elif token.kind == "close" and stack:
            stack.pop()
        elif token.kind == "var" and token.text[1:] == "this" and stack:
            opened, kind = stack[-1]
            if kind == "graph":
                raise UnsupportedShaclFeature("$this inside GRAPH in a SPARQL constraint")
            if kind == "group" and opened not in chosen:
                chosen.append(opened)
    return sorted(chosen)


def _after_graph(found: list[Token], index: int) -> bool:
    """Whether the ``{`` at ``index`` opens the group of ``GRAPH <name>`` or ``GRAPH ?g``."""
    return index >= 2 and found[index - 2].text.upper() == "GRAPH"


class SparqlTasks(Planner):
    """sh:sparql constraints: one query each, with the focus nodes joined in."""

    def sparql_task(self, shape: Shape, constraint: Node, focus: str) -> Task:
        """One sh:sparql constraint, run once with ``$this`` joined to every focus node (pyshacl's row rules)."""
        graph = self.shapes.graph
        selects = list(graph.objects(constraint, SH.select))
        if len(selects) != 1:
            raise UnsupportedShaclFeature("a SPARQL constraint without exactly one sh:select", shape.node)
        text = str(selects[0])
        if shape.path is not None:
            text = re.sub(r"([\s{}()])[\$\?]PATH", lambda m: m.group(1) + shape.sparql_path, text)
        messages = tuple(m for m in graph.objects(constraint, SH.message) if isinstance(m, Literal)) + shape.messages
        prefixes = {**self.prefixes, **self.declared_prefixes(constraint)}
        return self.select_task(shape, constraint, text, focus, messages, prefixes)

    def select_task(self, shape: Shape, constraint: Node, text: str, focus: str, messages: tuple[Literal, ...],
                    prefixes: dict[str, str]) -> Task:
        """A SELECT query of SHACL-SPARQL, run once with the focus nodes joined in; one result per solution."""
        text = self.bind_shapes_graph(text, shape)
        query, this_projected = insert_focus(text, focus)
        return Task(query, partial(self._sparql_results, shape, constraint, messages, this_projected), prefixes)

    def bind_shapes_graph(self, text: str, shape: Shape) -> str:
        """``$shapesGraph`` and ``$currentShape`` replaced by the shapes graph, copied into a named graph of the
        store for the time of the validation, and by the shape's IRI (SHACL leaves both optional)."""
        if not any(t.kind == "var" and t.text[1:] in ("shapesGraph", "currentShape") for t in tokens(text)):
            return text
        text = re.sub(r"(?i)\bbound\s*\(\s*[?$](?:shapesGraph|currentShape)\s*\)", "(true)", text)
        found = [t for t in tokens(text) if t.kind == "var" and t.text[1:] in ("shapesGraph", "currentShape")]
        if any(t.text[1:] == "currentShape" for t in found) and not isinstance(shape.node, URIRef):
            raise UnsupportedShaclFeature("$currentShape for a shape that is a blank node", shape.node)
        if not isinstance(self.store, ox.Store):
            raise UnsupportedShaclFeature("$shapesGraph or $currentShape on a SPARQL endpoint (validation never "
                                          "writes the shapes into the store)", shape.node)
        if not self.store.contains_named_graph(SHAPES_GRAPH):
            self.store.extend(ox.Quad(from_rdflib(s), from_rdflib(p), from_rdflib(o), SHAPES_GRAPH)
                              for s, p, o in self.shapes.graph)  # type: ignore[arg-type]
        pieces, last = [], 0
        for token in found:
            value = f"<{SHAPES_GRAPH.value}>" if token.text[1:] == "shapesGraph" else f"<{shape.node}>"
            pieces += [text[last:token.start], value]
            last = token.end
        return "".join([*pieces, text[last:]])

    @staticmethod
    def _sparql_results(shape: Shape, constraint: Node, messages: tuple[Literal, ...], this_projected: bool,
                        rows: list[Row]) -> tuple[list[ShaclResult], list[Task]]:
        found, seen = [], set()
        for row in rows:
            bound = dict(row)
            this = bound.pop("this")
            key = (str(this), tuple(sorted((name, str(term)) for name, term in bound.items())))
            if key in seen:
                continue
            seen.add(key)
            if "failure" in bound:
                raise UnsupportedShaclFeature("?failure in a SPARQL constraint", shape.node)
            path, value = bound.pop("path", None), bound.pop("value", None)
            if path is None and value is None and not this_projected:
                continue
            if value is None and shape.path is None:
                value = this
            names = {**bound, **({"this": this} if this_projected else {}),
                     **({"path": path} if path is not None else {}), **({"value": value} if value is not None else {})}
            found.append(result(shape, component_of("SPARQL"), this, value,
                                path=to_rdflib(path) if path is not None else None,
                                messages=tuple(substitute(message, names) for message in messages),
                                constraint=constraint))
        return found, []

    def declared_prefixes(self, constraint: Node) -> dict[str, str]:
        """The sh:declare prefixes of the nodes that a constraint's sh:prefixes point to, and of what they
        import with owl:imports (transitively)."""
        graph, found = self.shapes.graph, {}
        pending, seen = list(graph.objects(constraint, SH.prefixes)), set()
        while pending:
            node = pending.pop()
            if node in seen:
                continue
            seen.add(node)
            pending.extend(graph.objects(node, OWL.imports))
            for declaration in graph.objects(node, SH.declare):
                prefix, namespace = graph.value(declaration, SH.prefix), graph.value(declaration, SH.namespace)
                if prefix is not None and namespace is not None:
                    found.setdefault(str(prefix), str(namespace))
        return found


def substitute(message: Literal, names: dict[str, Term]) -> Literal:
    """Replace ``{?name}`` and ``{$name}`` in a SHACL-SPARQL message with the row's values, as pyshacl does."""
    text = str(message)
    for name, term in names.items():
        text = re.sub(f"{{[?$]{name}}}", lambda _m, t=term: str(to_rdflib(t)), text)
    return Literal(text, lang=message.language, datatype=message.datatype)
