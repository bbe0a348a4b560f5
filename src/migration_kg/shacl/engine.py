"""A fast SHACL engine: the shapes become SPARQL queries, each run once over all focus nodes on a pyoxigraph
store (https://www.w3.org/TR/shacl/#core-components, #sparql-constraints).

pyshacl evaluates every constraint once per focus node and re-parses SHACL-SPARQL queries each time. Here a
shape's targets become a SPARQL pattern binding ``?this``; the constraints of each property shape (grouped by
path) are checked together by one *detector* query that returns only the focus nodes with a problem; for those
few nodes, one query per constraint then finds exactly the results (:mod:`migration_kg.shacl.components`).
Queries run on two threads (Oxigraph releases the GIL). Nested shapes become SPARQL conformance expressions
(:mod:`migration_kg.shacl.conditions`); property pairs (:mod:`migration_kg.shacl.pairs`), sh:closed and
SHACL-SPARQL constraints (:mod:`migration_kg.shacl.sparql`) are joined to all focus nodes. Results form a
multiset: a node reached from several focus nodes of an enclosing property shape is reported once for each.

pyshacl stays the reference engine (``--engine pyshacl``) and a test checks that both agree. Anything this
engine does not implement raises :class:`UnsupportedShaclFeature`: it never silently reports less.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from functools import partial

import pyoxigraph as ox
from rdflib import Graph, Node, URIRef
from rdflib.namespace import RDF

from migration_kg.graph.verbatim import Rewrites
from migration_kg.namespaces import PREFIXES, SH
from migration_kg.shacl.components import ComponentTasks
from migration_kg.shacl.conditions import PAIR_PARAMETERS, Conditions
from migration_kg.shacl.shapes import (
    VALUE_PARAMETERS,
    Shape,
    ShapesGraph,
    UnsupportedShaclFeature,
    is_true,
    sparql_term,
)
from migration_kg.shacl.sparql import SHAPES_GRAPH
from migration_kg.shacl.tasks import Handler, QueryStore, Row, ShaclResult, Task, focus_on

HOLE = "__CONDITIONS__"
DETECTABLE = {*VALUE_PARAMETERS, "minCount", "maxCount", "hasValue", "uniqueLang", "qualifiedValueShape"}
#: Constraints checked by their own query over every focus node rather than behind a detector.
DIRECT = {"pattern", "sparql", "closed", *PAIR_PARAMETERS}
#: How nested focus nodes are reached: the top-level focus pattern, then the path of each enclosing shape.
Chain = tuple[str, tuple[str, ...]]


@dataclass(frozen=True)
class Detector:
    """The part of a detector query that checks the property shapes of one path: the path, the variable its value
    nodes are bound to, per-value bindings, the group tests (cardinality, hasValue...), the condition every value
    must meet, whether it needs grouping, and the shapes whose constraints it covers."""

    path: str
    value: str
    binds: list[str]
    tests: list[str]
    condition: str
    counting: bool
    members: list[Shape]


class FastValidator(ComponentTasks):
    """Validates the default graph of a pyoxigraph store against a shapes graph (see the module docstring)."""

    def __init__(self, store: QueryStore, shapes: Graph, executor: Executor | None = None,
                 rewrites: Rewrites | None = None) -> None:
        if rewrites is not None and rewrites.ambiguous:
            example = sorted(rewrites.ambiguous, key=str)[0]
            raise UnsupportedShaclFeature(f"data that writes one value in several forms (such as {example}), "
                                          "which an Oxigraph store holds as one")
        self.store = store
        self.shapes = ShapesGraph(shapes)
        self.executor = executor
        self.prefixes = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
        self.conditions = Conditions(self.shapes, self.rows, rewrites)

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
        try:
            self.run(tasks, results)
        finally:
            if isinstance(self.store, ox.Store) and self.store.contains_named_graph(SHAPES_GRAPH):
                self.store.remove_graph(SHAPES_GRAPH)
        written = self.conditions.written
        self.conditions.forget_targets_in_data(lambda term: any(True for _ in self.store.quads_for_pattern(
            None, None, term, ox.DefaultGraph())))
        return [replace(found, focus=written(found.focus, focus=True),
                        value=written(found.value) if found.value else None) for found in results]

    def run(self, tasks: list[Task], results: list[ShaclResult]) -> None:
        """Run ``tasks`` in rounds (each round's queries on the executor), collecting results, until none is left."""
        while tasks:
            fetch = self._fetch
            answers = self.executor.map(fetch, tasks) if self.executor is not None else map(fetch, tasks)
            follow_up: list[Task] = []
            for task, rows in zip(tasks, list(answers), strict=True):
                found, more = task.handle(rows)
                results.extend(found)
                follow_up.extend(more)
            tasks = follow_up

    def _fetch(self, task: Task) -> list[Row]:
        return self.rows(task.query, task.prefixes)

    # ------------------------------------------------------------------ focus nodes

    def target_pattern(self, node: Node) -> str:
        """A group pattern binding ``?this`` once to each focus node of the shape at ``node``."""
        graph = self.shapes.graph
        branches, distinct = [], True
        nodes = [self.conditions.target(term) for term in graph.objects(node, SH.targetNode)]
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

    def plan(self, shape: Shape, focus: str, chain: Chain | None = None) -> list[Task]:
        """The tasks that find every result of ``shape`` for the focus nodes bound by ``focus``.

        ``chain`` says how those nodes are reached when ``shape`` is nested in property shapes (None at the top).
        """
        if shape.deactivated:
            return []
        if shape.path is not None:
            return self.property_tasks([shape], focus, chain)
        tasks = self.detected(shape, [shape], focus, f"SELECT DISTINCT ?this WHERE {{ {focus} FILTER(!({HOLE})) }}")
        by_path: dict[str, list[Shape]] = {}
        for node in shape.parameters.get("property", []):
            inner = self.shapes.shape(node)
            if inner.path is None:
                raise UnsupportedShaclFeature("sh:property pointing to a shape without sh:path", node)
            if not inner.deactivated:
                by_path.setdefault(inner.sparql_path, []).append(inner)
        detectors = []
        for members in by_path.values():
            more, detector = self.property_parts(members, focus, chain)
            tasks.extend(more)
            if detector is not None:
                detectors.append(detector)
        return tasks + self.detector_tasks(detectors, focus)

    def nested(self, node: Node, focus: str, path: str, chain: Chain | None) -> list[Task]:
        """The tasks of the shape at ``node``, nested by sh:property in a property shape with ``path``: its focus
        nodes are the value nodes, each counted once per way it is reached (SHACL reports results per parent)."""
        inner = (chain[0] if chain else focus, (*(chain[1] if chain else ()), path))
        return [task if task.weighted else self.weighted(task, inner)
                for task in self.plan(self.shapes.shape(node), self.value_focus(focus, path), inner)]

    def weighted(self, task: Task, chain: Chain) -> Task:
        """``task``, with each result it finds repeated once per way its focus node is reached along ``chain``."""
        return Task(task.query, partial(self._weigh, task.handle, chain), task.prefixes, weighted=True)

    def _weigh(self, handle: Handler, chain: Chain, rows: list[Row]) -> tuple[list[ShaclResult], list[Task]]:
        found, more = handle(rows)
        more = [task if task.weighted else self.weighted(task, chain) for task in more]
        if not found:
            return [], more
        root, paths = chain
        nodes = sorted({result.focus for result in found}, key=str)
        last = len(paths)
        restrict = "" if any(isinstance(node, ox.BlankNode) for node in nodes) else \
            f"VALUES ?_b{last} {{ {' '.join(str(node) for node in nodes)} }}"
        parts = [f"{{ SELECT (?this AS ?_b0) WHERE {{ {root} }} }}"]
        for level, path in enumerate(paths, start=1):
            step = f"?_b{level - 1} {path} ?_b{level} . {restrict if level == last else ''}"
            parts.append(step if path.startswith("<") else f"{{ SELECT DISTINCT ?_b{level - 1} ?_b{level} WHERE "
                                                           f"{{ {step} }} }}")
        query = f"SELECT ?_b{last} (COUNT(*) AS ?n) WHERE {{ {' '.join(parts)} }} GROUP BY ?_b{last}"

        def repeat(counts: list[Row]) -> tuple[list[ShaclResult], list[Task]]:
            times = Counter({row[f"_b{last}"]: int(row["n"].value) for row in counts})
            return [result for result in found for _ in range(max(times[result.focus], 1))], []

        return [], [*more, Task(query, repeat, weighted=True)]

    def property_tasks(self, members: list[Shape], focus: str, chain: Chain | None = None) -> list[Task]:
        """Tasks for property shapes that share one path: one detector for them all, then the rest."""
        tasks, detector = self.property_parts(members, focus, chain)
        return tasks + self.detector_tasks([detector] if detector else [], focus)

    def property_parts(self, members: list[Shape], focus: str, chain: Chain | None = None
                       ) -> tuple[list[Task], Detector | None]:
        """The tasks of property shapes that share one path, but for their detector, which is returned apart so that
        the detectors of a node shape's paths can be asked in one query (:meth:`detector_tasks`)."""
        path = members[0].sparql_path
        tasks: list[Task] = []
        for member in members:
            for node in member.parameters.get("property", []):
                tasks.extend(self.nested(node, focus, path, chain))
        tasks += [task for m in members for task in self.constraint_tasks(m, DIRECT, focus)]
        tasks += [task for m in members for task in self.custom_tasks(m, focus)]
        if not any(name in DETECTABLE for m in members for name in m.parameters):
            return tasks, None
        value = self.conditions.fresh("value")
        binds, tests = [], []
        counting = any(name in member.parameters for member in members
                       for name in ("minCount", "maxCount", "hasValue", "uniqueLang", "qualifiedValueShape"))
        for member in members:
            if "minCount" in member.parameters and member.integer("minCount") > 0:
                tests.append(f"COUNT(DISTINCT {value}) < {member.integer('minCount')}")
            if "maxCount" in member.parameters:
                tests.append(f"COUNT(DISTINCT {value}) > {member.integer('maxCount')}")
            for argument in member.parameters.get("hasValue", []):
                constant = self.conditions.constant(argument)
                tests.append(f"SUM(IF(BOUND({value}) && {self.conditions.same(value, constant)}, 1, 0)) = 0")
            if is_true(member.parameters.get("uniqueLang", [None])[0]):
                tagged, lang = self.conditions.fresh("tagged"), self.conditions.fresh("lang")
                condition = f"isLiteral({value}) && LANG({value}) != \"\""
                binds.append(f"BIND(IF({condition}, {value}, ?_unbound) AS {tagged}) "
                             f"BIND(IF({condition}, LCASE(LANG({value})), ?_unbound) AS {lang})")
                tests.append(f"COUNT(DISTINCT {tagged}) > COUNT(DISTINCT {lang})")
            for node in member.parameters.get("qualifiedValueShape", []):
                qualified = self.conditions.fresh("qualified")
                conforms = self.qualified_condition(member, node, value)
                binds.append(f"BIND(IF(COALESCE({conforms}, false), {value}, ?_unbound) AS {qualified})")
                for name, operator in (("qualifiedMinCount", "<"), ("qualifiedMaxCount", ">")):
                    if SH[name] in member.settings:
                        tests.append(f"COUNT(DISTINCT {qualified}) {operator} {member.integer(name)}")
        condition = " && ".join(self.value_conditions(members, value)) or "true"
        return tasks, Detector(path, value, binds, tests, condition, counting, members)

    def value_conditions(self, members: list[Shape], value: str) -> list[str]:
        """What each value node must satisfy for the members' value-level constraints, in SPARQL."""
        return [f"COALESCE({self.conditions.condition(m, name, argument, value)}, false)"
                for m in members for name, arguments in m.parameters.items() if name in VALUE_PARAMETERS
                for argument in arguments]

    def detector_tasks(self, detectors: list[Detector], focus: str) -> list[Task]:
        """One query that returns the focus nodes with a problem on any of the paths of ``detectors``, and, for
        those nodes, the queries that find every result of the constraints those detectors cover."""
        if not detectors:
            return []
        if len(detectors) == 1 and not detectors[0].counting:
            (found,) = detectors
            query = (f"SELECT DISTINCT ?this WHERE {{ {focus} ?this {found.path} {found.value} "
                     f"FILTER(!({found.condition})) }}")
        else:
            branches = " UNION ".join(f"{{ ?this {d.path} {d.value} {' '.join(d.binds)} }}" for d in detectors)
            tests = [test for d in detectors for test in (
                *d.tests, f"SUM(IF(BOUND({d.value}) && !({d.condition}), 1, 0)) > 0")]
            query = (f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ {branches} }} }} GROUP BY ?this "
                     f"HAVING ({' || '.join(tests)})")
        members = [member for detector in detectors for member in detector.members]

        def follow_up(rows: list[Row]) -> tuple[list[ShaclResult], list[Task]]:
            if not rows:
                return [], []
            found = focus_on([row["this"] for row in rows], focus)
            return [], [task for m in members for task in self.constraint_tasks(m, DETECTABLE, found)]

        return [Task(query, follow_up)]

    def detected(self, first: Shape, members: list[Shape], focus: str, template: str) -> list[Task]:
        """A detector query (``template`` with the members' value conditions) and the follow-up for what it finds.

        Constraints that no detector covers (DIRECT: sh:pattern, sh:sparql...) get their own tasks straight away.
        """
        value = "?value" if first.path is not None else "?this"
        conditions = [f"COALESCE({self.conditions.condition(m, name, argument, value)}, false)"
                      for m in members for name, arguments in m.parameters.items() if name in VALUE_PARAMETERS
                      for argument in arguments]
        if first.path is None:
            conditions += [self.conditions.same("?this", self.conditions.constant(argument))
                           for argument in first.parameters.get("hasValue", [])]
        tasks = [task for m in members for task in self.constraint_tasks(m, DIRECT, focus)]
        tasks += [task for m in members for task in self.custom_tasks(m, focus)]
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


def validate_store(store: QueryStore, shapes: Graph, executor: Executor | None = None,
                   rewrites: Rewrites | None = None) -> list[ShaclResult]:
    """Validate the store's default graph against ``shapes``; run queries on ``executor`` when given.

    ``rewrites`` names the literals that the store holds in another form than the data (see graph.verbatim).
    """
    return FastValidator(store, shapes, executor, rewrites).validate()


__all__ = ["FastValidator", "ShaclResult", "UnsupportedShaclFeature", "validate_store"]
