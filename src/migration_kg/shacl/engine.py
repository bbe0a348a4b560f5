"""A fast SHACL engine: the shapes become SPARQL queries, each run once over all focus nodes on a pyoxigraph
store (https://www.w3.org/TR/shacl/#core-components, #sparql-constraints).

pyshacl evaluates every constraint once per focus node and re-parses SHACL-SPARQL queries each time. Here a
shape's targets become a SPARQL pattern binding ``?this``; the constraints of each property shape (grouped by
path) are checked together by one *detector* query that returns only the focus nodes with a problem; for those
few nodes, one query per constraint then finds exactly the results pyshacl would report. Queries run on two
threads (Oxigraph releases the GIL). Nested shapes become SPARQL conformance expressions
(:mod:`migration_kg.shacl.conditions`); SHACL-SPARQL constraints are joined to all focus nodes
(:mod:`migration_kg.shacl.sparql`).

pyshacl stays the reference engine (``--engine pyshacl``) and a test checks that both agree. Anything this
engine does not implement raises :class:`UnsupportedShaclFeature`: it never silently reports less.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from functools import partial

import pyoxigraph as ox
from rdflib import Graph, Literal, Node, URIRef
from rdflib.namespace import RDF

from migration_kg.graph.load import to_rdflib
from migration_kg.namespaces import PREFIXES, SH
from migration_kg.shacl.conditions import Conditions
from migration_kg.shacl.shapes import SH_NS, VALUE_PARAMETERS, Shape, ShapesGraph, UnsupportedShaclFeature, sparql_term
from migration_kg.shacl.sparql import insert_focus

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Row = dict[str, Term]
HOLE = "__CONDITIONS__"
DETECTABLE = {*VALUE_PARAMETERS, "minCount", "maxCount", "hasValue", "uniqueLang", "qualifiedValueShape"}


@dataclass(frozen=True)
class ShaclResult:
    """One validation result: pyoxigraph terms for data nodes, rdflib terms for shapes-graph nodes."""

    focus: Term
    path: Node | None
    value: Term | None
    component: str
    shape: Node
    severity: str
    messages: tuple[str, ...]


@dataclass
class Task:
    """One query, and what to make of its rows: results, and maybe further tasks."""

    query: str
    handle: Callable[[list[Row]], tuple[list[ShaclResult], list[Task]]]
    prefixes: dict[str, str] | None = field(default=None)


def component_of(name: str) -> str:
    return f"{SH_NS}{name[0].upper()}{name[1:]}ConstraintComponent"


def result(shape: Shape, component: str, focus: Term, value: Term | None, path: Node | None = None,
           messages: tuple[str, ...] | None = None) -> ShaclResult:
    return ShaclResult(focus=focus, path=path if path is not None else shape.path, value=value, component=component,
                       shape=shape.node, severity=shape.severity,
                       messages=shape.messages if messages is None else messages)


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


class FastValidator:
    """Validates the default graph of a pyoxigraph store against a shapes graph (see the module docstring)."""

    def __init__(self, store: ox.Store, shapes: Graph, executor: Executor | None = None) -> None:
        self.store = store
        self.shapes = ShapesGraph(shapes)
        self.executor = executor
        self.prefixes = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
        self.conditions = Conditions(self.shapes, self.rows)

    def rows(self, query: str, prefixes: dict[str, str] | None = None) -> list[Row]:
        """The solutions of a SELECT query, as dictionaries of the bound variables."""
        try:
            answer = self.store.query(query, prefixes=prefixes or self.prefixes)
        except SyntaxError as error:
            raise UnsupportedShaclFeature(f"a query it cannot compile ({error})") from None
        assert isinstance(answer, ox.QuerySolutions)
        names = [variable.value for variable in answer.variables]
        return [{name: solution[name] for name in names if solution[name] is not None} for solution in answer]

    def validate(self) -> list[ShaclResult]:
        """Every result of every shape that has targets."""
        tasks = []
        for node in self.shapes.with_targets():
            tasks.extend(self.plan(self.shapes.shape(node), self.target_pattern(node)))
        results: list[ShaclResult] = []
        while tasks:
            fetch = self._fetch
            answers = self.executor.map(fetch, tasks) if self.executor is not None else map(fetch, tasks)
            follow_up: list[Task] = []
            for task, rows in zip(tasks, list(answers), strict=True):
                found, more = task.handle(rows)
                results.extend(found)
                follow_up.extend(more)
            tasks = follow_up
        return results

    def _fetch(self, task: Task) -> list[Row]:
        return self.rows(task.query, task.prefixes)

    # ------------------------------------------------------------------ focus nodes

    def target_pattern(self, node: Node) -> str:
        """A group pattern binding ``?this`` once to each focus node of the shape at ``node``."""
        graph = self.shapes.graph
        branches, distinct = [], True
        nodes = [sparql_term(term) for term in graph.objects(node, SH.targetNode)]
        if nodes:
            branches.append(f"{{ VALUES ?this {{ {' '.join(sorted(nodes))} }} }}")
        classes = set(graph.objects(node, SH.targetClass))
        if set(graph.objects(node, RDF.type)) & self.shapes.class_types():
            classes.add(node)
        closure = sorted({c for cls in classes if isinstance(cls, URIRef) for c in self.conditions.subclasses(cls)})
        if len(closure) == 1 and not branches:
            branches.append(f"{{ ?this a {closure[0]} }}")
            distinct = False
        elif closure:
            branches.append(f"{{ ?this a ?_targetClass . VALUES ?_targetClass {{ {' '.join(closure)} }} }}")
        for predicate in sorted(graph.objects(node, SH.targetSubjectsOf)):
            branches.append(f"{{ ?this {sparql_term(predicate)} ?_object }}")
        for predicate in sorted(graph.objects(node, SH.targetObjectsOf)):
            branches.append(f"{{ ?_subject {sparql_term(predicate)} ?this }}")
        union = " UNION ".join(branches or ["{ FILTER(false) }"])
        if not distinct and len(branches) == 1:
            return union
        return "{ SELECT DISTINCT ?this WHERE { " + union + " } }"

    def value_focus(self, focus: str, path: str) -> str:
        """A group pattern binding ``?this`` to each value node reached by ``path`` from the ``focus`` nodes."""
        parent = self.conditions.fresh("parent")
        return (f"{{ SELECT DISTINCT ?this WHERE {{ {{ SELECT (?this AS {parent}) WHERE {{ {focus} }} }} "
                f"{parent} {path} ?this }} }}")

    # ------------------------------------------------------------------ planning

    def plan(self, shape: Shape, focus: str) -> list[Task]:
        """The tasks that find every result of ``shape`` for the focus nodes bound by ``focus``."""
        if shape.deactivated:
            return []
        if shape.path is not None:
            return self.property_tasks([shape], focus)
        tasks = self.detected(shape, [shape], focus, f"SELECT DISTINCT ?this WHERE {{ {focus} FILTER(!({HOLE})) }}")
        by_path: dict[str, list[Shape]] = {}
        for node in shape.parameters.get("property", []):
            inner = self.shapes.shape(node)
            if inner.path is None:
                raise UnsupportedShaclFeature("sh:property pointing to a shape without sh:path", node)
            if not inner.deactivated:
                by_path.setdefault(inner.sparql_path, []).append(inner)
        for members in by_path.values():
            tasks.extend(self.property_tasks(members, focus))
        return tasks

    def property_tasks(self, members: list[Shape], focus: str) -> list[Task]:
        """Tasks for property shapes that share one path: one detector for them all, then the rest."""
        path = members[0].sparql_path
        tasks: list[Task] = []
        binds, tests = [], []
        counting = any(name in member.parameters for member in members
                       for name in ("minCount", "maxCount", "hasValue", "uniqueLang", "qualifiedValueShape"))
        for member in members:
            for node in member.parameters.get("property", []):
                tasks.extend(self.plan(self.shapes.shape(node), self.value_focus(focus, path)))
            if "minCount" in member.parameters and member.integer("minCount") > 0:
                tests.append(f"COUNT(DISTINCT ?value) < {member.integer('minCount')}")
            if "maxCount" in member.parameters:
                tests.append(f"COUNT(DISTINCT ?value) > {member.integer('maxCount')}")
            for argument in member.parameters.get("hasValue", []):
                tests.append(f"SUM(IF(BOUND(?value) && sameTerm(?value, {sparql_term(argument)}), 1, 0)) = 0")
            if member.parameters.get("uniqueLang", [None])[0] == Literal(True):
                tagged, lang = self.conditions.fresh("tagged"), self.conditions.fresh("lang")
                condition = "isLiteral(?value) && LANG(?value) != \"\""
                binds.append(f"BIND(IF({condition}, ?value, ?_unbound) AS {tagged}) "
                             f"BIND(IF({condition}, LCASE(LANG(?value)), ?_unbound) AS {lang})")
                tests.append(f"COUNT(DISTINCT {tagged}) > COUNT(DISTINCT {lang})")
            for node in member.parameters.get("qualifiedValueShape", []):
                qualified = self.conditions.fresh("qualified")
                conforms = self.conditions.conforms(self.shapes.shape(node, (member.node,)), "?value", (member.node,))
                binds.append(f"BIND(IF(COALESCE({conforms}, false), ?value, ?_unbound) AS {qualified})")
                for name, operator in (("qualifiedMinCount", "<"), ("qualifiedMaxCount", ">")):
                    if SH[name] in member.settings:
                        tests.append(f"COUNT(DISTINCT {qualified}) {operator} {member.integer(name)}")
        if counting:
            tests.append(f"SUM(IF(BOUND(?value) && !({HOLE}), 1, 0)) > 0")
            template = (f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {path} ?value {' '.join(binds)} }} }} "
                        f"GROUP BY ?this HAVING ({' || '.join(tests)})")
        else:
            template = f"SELECT DISTINCT ?this WHERE {{ {focus} ?this {path} ?value FILTER(!({HOLE})) }}"
        return tasks + self.detected(members[0], members, focus, template)

    def detected(self, first: Shape, members: list[Shape], focus: str, template: str) -> list[Task]:
        """A detector query (``template`` with the members' value conditions) and the follow-up for what it finds.

        Constraints that no detector covers (sh:pattern, sh:sparql) get their own tasks straight away.
        """
        value = "?value" if first.path is not None else "?this"
        conditions = [f"COALESCE({self.conditions.condition(m, name, argument, value)}, false)"
                      for m in members for name, arguments in m.parameters.items() if name in VALUE_PARAMETERS
                      for argument in arguments]
        if first.path is None:
            conditions += [f"sameTerm(?this, {sparql_term(a)})" for a in first.parameters.get("hasValue", [])]
        tasks = [task for m in members for task in self.constraint_tasks(m, {"pattern", "sparql"}, focus)]
        has_detectable = any(name in DETECTABLE for m in members for name in m.parameters)
        if not has_detectable:
            return tasks
        query = template.replace(HOLE, " && ".join(conditions) or "true")

        def follow_up(rows: list[Row]) -> tuple[list[ShaclResult], list[Task]]:
            if not rows:
                return [], []
            found = focus_on([row["this"] for row in rows], focus)
            return [], [task for m in members for task in self.constraint_tasks(m, DETECTABLE, found)]

        return [*tasks, Task(query, follow_up)]

    # ------------------------------------------------------------------ one constraint at a time

    def constraint_tasks(self, shape: Shape, names: set[str], focus: str) -> list[Task]:
        """One task per constraint of ``shape`` named in ``names``, each finding that constraint's results."""
        tasks = []
        values = values_of(shape, focus)
        for name, arguments in shape.parameters.items():
            if name not in names:
                continue
            component = component_of(name)
            if name in VALUE_PARAMETERS:
                for argument in arguments:
                    condition = self.conditions.condition(shape, name, argument, "?value")
                    query = f"SELECT DISTINCT ?this ?value WHERE {{ {values} FILTER(!COALESCE({condition}, false)) }}"
                    tasks.append(Task(query, partial(self._value_results, shape, component)))
            elif name == "hasValue":
                for argument in arguments:
                    test = (f"FILTER(!EXISTS {{ ?this {shape.sparql_path} ?value FILTER(sameTerm(?value, "
                            f"{sparql_term(argument)})) }})" if shape.path is not None
                            else f"FILTER(!sameTerm(?this, {sparql_term(argument)}))")
                    tasks.append(Task(f"SELECT ?this WHERE {{ {focus} {test} }}",
                                      partial(self._focus_results, shape, component)))
            elif name in ("minCount", "maxCount"):
                limit = shape.integer(name)
                if name == "minCount" and limit > 0:
                    query = (f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {shape.sparql_path} ?value }} }} "
                             f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {limit})")
                    tasks.append(Task(query, partial(self._focus_results, shape, component)))
                elif name == "maxCount":
                    query = (f"SELECT ?this WHERE {{ {values} }} GROUP BY ?this "
                             f"HAVING (COUNT(DISTINCT ?value) > {limit})")
                    tasks.append(Task(query, partial(self._focus_results, shape, component)))
            elif name == "uniqueLang" and arguments[0] == Literal(True):
                query = (f"SELECT ?this ?lang WHERE {{ {values} FILTER(isLiteral(?value) && LANG(?value) != \"\") "
                         f"BIND(LCASE(LANG(?value)) AS ?lang) }} GROUP BY ?this ?lang "
                         f"HAVING (COUNT(DISTINCT ?value) > 1)")
                tasks.append(Task(query, partial(self._focus_results, shape, component)))
            elif name == "qualifiedValueShape":
                tasks.extend(self.qualified_tasks(shape, arguments, focus))
            elif name == "pattern":
                tasks.append(Task(f"SELECT DISTINCT ?this ?value WHERE {{ {values} }}",
                                  partial(self._pattern_results, shape, component, self.matchers(shape))))
            elif name == "sparql":
                tasks.extend(self.sparql_task(shape, constraint, focus) for constraint in arguments
                             if self.shapes.graph.value(constraint, SH.deactivated) != Literal(True))
        return tasks

    def qualified_tasks(self, shape: Shape, arguments: list[Node], focus: str) -> list[Task]:
        bounds = {name: shape.integer(name) for name in ("qualifiedMinCount", "qualifiedMaxCount")
                  if SH[name] in shape.settings}
        if not bounds:
            raise UnsupportedShaclFeature("sh:qualifiedValueShape without sh:qualifiedMinCount/MaxCount", shape.node)
        tasks = []
        for node in arguments:
            conforms = self.conditions.conforms(self.shapes.shape(node, (shape.node,)), "?value", (shape.node,))
            tests = [f"COUNT(DISTINCT ?value) {'<' if name.endswith('MinCount') else '>'} {limit}"
                     for name, limit in bounds.items()]
            query = (f"SELECT ?this (COUNT(DISTINCT ?value) AS ?n) WHERE {{ {focus} OPTIONAL {{ ?this "
                     f"{shape.sparql_path} ?value FILTER(COALESCE({conforms}, false)) }} }} GROUP BY ?this "
                     f"HAVING ({' || '.join(tests)})")
            tasks.append(Task(query, partial(self._qualified_results, shape, bounds)))
        return tasks

    def matchers(self, shape: Shape) -> list[re.Pattern[str]]:
        """sh:pattern compiled with Python's ``re`` and pyshacl's flags (i and m)."""
        flags_text = str(shape.settings.get(SH.flags, [""])[0]).lower()
        flags = (re.I if "i" in flags_text else 0) | (re.M if "m" in flags_text else 0)
        matchers = []
        for argument in shape.parameters["pattern"]:
            if not isinstance(argument, Literal):
                raise UnsupportedShaclFeature("a sh:pattern that is not a literal", shape.node)
            text = str(argument.value) if argument.value is not None and len(argument.value) > 1 else str(argument)
            matchers.append(re.compile(text, flags))
        return matchers

    # ------------------------------------------------------------------ rows into results

    @staticmethod
    def _value_results(shape: Shape, component: str, rows: list[Row]) -> tuple[list[ShaclResult], list[Task]]:
        return [result(shape, component, row["this"], row["value"]) for row in rows], []

    @staticmethod
    def _focus_results(shape: Shape, component: str, rows: list[Row]) -> tuple[list[ShaclResult], list[Task]]:
        return [result(shape, component, row["this"], None) for row in rows], []

    @staticmethod
    def _qualified_results(shape: Shape, bounds: dict[str, int], rows: list[Row]) -> tuple[list[ShaclResult], list]:
        found = []
        for row in rows:
            number = int(row["n"].value)
            if number > bounds.get("qualifiedMaxCount", number):
                found.append(result(shape, component_of("qualifiedMaxCount"), row["this"], None))
            if number < bounds.get("qualifiedMinCount", number):
                found.append(result(shape, component_of("qualifiedMinCount"), row["this"], None))
        return found, []

    @staticmethod
    def _pattern_results(shape: Shape, component: str, matchers: list[re.Pattern[str]],
                         rows: list[Row]) -> tuple[list[ShaclResult], list[Task]]:
        """sh:pattern on each value node as pyshacl does: search the IRI or rdflib's lexical form."""
        found = []
        for row in rows:
            term = row["value"]
            text = None if isinstance(term, ox.BlankNode) else str(to_rdflib(term))
            found.extend(result(shape, component, row["this"], term) for matcher in matchers
                         if text is None or not matcher.search(text))
        return found, []

    # ------------------------------------------------------------------ SHACL-SPARQL

    def sparql_task(self, shape: Shape, constraint: Node, focus: str) -> Task:
        """One sh:sparql constraint, run once with ``$this`` joined to every focus node (pyshacl's row rules)."""
        graph = self.shapes.graph
        selects = list(graph.objects(constraint, SH.select))
        if len(selects) != 1:
            raise UnsupportedShaclFeature("a SPARQL constraint without exactly one sh:select", shape.node)
        text = str(selects[0])
        if shape.path is not None:
            text = re.sub(r"([\s{}()])[\$\?]PATH", lambda m: m.group(1) + shape.sparql_path, text)
        query, this_projected = insert_focus(text, focus)
        messages = tuple(str(m) for m in graph.objects(constraint, SH.message)) + shape.messages
        prefixes = {**self.prefixes, **self.declared_prefixes(constraint)}
        return Task(query, partial(self._sparql_results, shape, messages, this_projected), prefixes)

    @staticmethod
    def _sparql_results(shape: Shape, messages: tuple[str, ...], this_projected: bool,
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
                                messages=tuple(substitute(message, names) for message in messages)))
        return found, []

    def declared_prefixes(self, constraint: Node) -> dict[str, str]:
        """The sh:declare prefixes that a constraint's sh:prefixes point to."""
        graph, found = self.shapes.graph, {}
        for ontology in graph.objects(constraint, SH.prefixes):
            for declaration in graph.objects(ontology, SH.declare):
                prefix, namespace = graph.value(declaration, SH.prefix), graph.value(declaration, SH.namespace)
                if prefix is not None and namespace is not None:
                    found[str(prefix)] = str(namespace)
        return found


def substitute(message: str, names: dict[str, Term]) -> str:
    """Replace ``{?name}`` and ``{$name}`` in a SHACL-SPARQL message with the row's values, as pyshacl does."""
    for name, term in names.items():
        message = re.sub(f"{{[?$]{name}}}", str(to_rdflib(term)), message)
    return message


def validate_store(store: ox.Store, shapes: Graph, executor: Executor | None = None) -> list[ShaclResult]:
    """Validate the store's default graph against ``shapes``; run queries on ``executor`` when given."""
    return FastValidator(store, shapes, executor).validate()


__all__ = ["FastValidator", "ShaclResult", "UnsupportedShaclFeature", "validate_store"]
