"""SPARQL-based constraint components (https://www.w3.org/TR/shacl/#sparql-constraint-components): a shape that
has values for the parameters of such a component is checked by the component's validator, an ASK query per
value node or a SELECT query like a SPARQL constraint, with the parameters pre-bound to the shape's values."""

from __future__ import annotations

import re
from functools import partial

from rdflib import Literal, Node, URIRef

from migration_kg.graph.load import from_rdflib
from migration_kg.namespaces import SH
from migration_kg.shacl.shapes import Component, IllFormedShapes, Shape, UnsupportedShaclFeature, sparql_term
from migration_kg.shacl.sparql import FORBIDDEN, SparqlTasks, substitute, tokens
from migration_kg.shacl.tasks import Handler, Row, ShaclResult, Task, Term, result, values_of


def local_name(path: URIRef) -> str:
    """The variable name of a parameter: the local name of its path (after the last ``#`` or ``/``)."""
    return re.split(r"[#/]", str(path))[-1]


def bind_parameters(text: str, bindings: dict[str, Node], shape: Shape) -> str:
    """``text`` with each parameter variable replaced by the shape's value, after checking SHACL's rules."""
    found = list(tokens(text))
    pre_bound = {"this", "value", "shapesGraph", "currentShape", *bindings}
    for index, token in enumerate(found):
        if token.kind == "word" and token.text.upper() in FORBIDDEN and (not index or found[index - 1].text != ":"):
            raise IllFormedShapes(f"{token.text.upper()} in a SPARQL validator", shape.node)
        if token.kind == "var" and token.text[1:] in pre_bound and index and found[index - 1].text.upper() == "AS":
            raise IllFormedShapes(f"a SPARQL validator that binds the pre-bound {token.text} with AS", shape.node)
    pieces, last = [], 0
    for token in found:
        if token.kind == "var" and token.text[1:] in bindings:
            pieces += [text[last:token.start], sparql_term(bindings[token.text[1:]])]
            last = token.end
    text = "".join([*pieces, text[last:]])
    if shape.path is not None:
        text = re.sub(r"([\s{}()])[\$\?]PATH", lambda m: m.group(1) + shape.sparql_path, text)
    return text


class CustomTasks(SparqlTasks):
    """The tasks of the SPARQL-based constraint components that a shape uses."""

    def custom_tasks(self, shape: Shape, focus: str) -> list[Task]:
        tasks = []
        for component in self.shapes.components:
            for bindings in component.bindings(self.shapes.graph, shape.node):
                tasks.append(self.validator_task(shape, component, bindings, focus))
        return tasks

    def validator_task(self, shape: Shape, component: Component, bindings: dict[URIRef, Node], focus: str) -> Task:
        graph = self.shapes.graph
        kind = "propertyValidator" if shape.path is not None else "nodeValidator"
        validator = component.validators.get(kind) or component.validators.get("validator")
        if validator is None:
            raise UnsupportedShaclFeature(f"a constraint component without a validator for this shape "
                                          f"({component.node.n3()})", shape.node)
        names = {local_name(path): value for path, value in bindings.items()}
        messages = shape.messages or tuple(m for m in graph.objects(validator, SH.message) if isinstance(m, Literal))
        prefixes = {**self.prefixes, **self.declared_prefixes(validator)}
        ask, select = graph.value(validator, SH.ask), graph.value(validator, SH.select)
        if (ask is None) == (validator == component.validators.get("validator")):
            raise IllFormedShapes("a sh:validator must be an ASK query, a sh:nodeValidator or sh:propertyValidator "
                                  "a SELECT query", component.node)
        if ask is not None:
            body = bind_parameters(str(ask), names, shape)
            body = body[body.index("{"):body.rindex("}") + 1] if "{" in body else "{}"
            query = f"SELECT DISTINCT ?this ?value WHERE {{ {values_of(shape, focus)} FILTER NOT EXISTS {body} }}"
            return Task(query, partial(self._validator_results, shape, component.node, messages, names), prefixes)
        text = bind_parameters(str(select), names, shape)
        if shape.path is None and any(t.kind == "var" and t.text[1:] == "value" for t in tokens(text)):
            raise UnsupportedShaclFeature("$value in a SELECT node validator", shape.node)
        task = self.select_task(shape, validator, text, focus, messages, prefixes)
        return Task(task.query, partial(self._component_results, component.node, names, task.handle), prefixes)

    def _validator_results(self, shape: Shape, component: Node, messages: tuple[Literal, ...],
                           names: dict[str, Node], rows: list[Row]) -> tuple[list[ShaclResult], list[Task]]:
        bound = {name: from_rdflib(value) for name, value in names.items()}  # type: ignore[arg-type]
        return [result(shape, str(component), row["this"], row["value"],
                       messages=tuple(substitute(m, {**bound, "this": row["this"], "value": row["value"]})
                                      for m in messages)) for row in rows], []

    @staticmethod
    def _component_results(component: Node, names: dict[str, Node], handle: Handler,
                           rows: list[Row]) -> tuple[list[ShaclResult], list[Task]]:
        found, more = handle(rows)
        bound: dict[str, Term] = {name: from_rdflib(value) for name, value in names.items()}  # type: ignore[arg-type]
        return [ShaclResult(focus=f.focus, path=f.path, value=f.value, component=str(component), shape=f.shape,
                            severity=f.severity, messages=tuple(substitute(m, bound) for m in f.messages))
                for f in found], more
