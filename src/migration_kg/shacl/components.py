"""Core constraint components checked one at a time, for the few focus nodes a detector query found
(https://www.w3.org/TR/shacl/#core-components): value type, range, string, language and list components,
sh:hasValue, cardinality, sh:uniqueLang, sh:pattern, qualified value shapes and sh:closed."""

from __future__ import annotations

import re
from functools import partial

import pyoxigraph as ox
from rdflib import Literal, Node, URIRef

from migration_kg.graph.load import to_rdflib
from migration_kg.namespaces import SH
from migration_kg.shacl.custom import CustomTasks
from migration_kg.shacl.pairs import PAIR_PARAMETERS, PairTasks
from migration_kg.shacl.shapes import VALUE_PARAMETERS, Shape, UnsupportedShaclFeature, is_true
from migration_kg.shacl.tasks import Row, ShaclResult, Task, component_of, result, values_of


class ComponentTasks(PairTasks, CustomTasks):
    """Queries that find exactly the results of one constraint for the focus nodes bound by a pattern."""

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
                    constant = self.conditions.constant(argument)
                    same = self.conditions.same
                    test = (f"FILTER(!EXISTS {{ ?this {shape.sparql_path} ?value FILTER({same('?value', constant)}) }})"
                            if shape.path is not None else f"FILTER(!{same('?this', constant)})")
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
            elif name == "uniqueLang" and is_true(arguments[0]):
                query = (f"SELECT ?this ?lang WHERE {{ {values} FILTER(isLiteral(?value) && LANG(?value) != \"\") "
                         f"BIND(LCASE(LANG(?value)) AS ?lang) }} GROUP BY ?this ?lang "
                         f"HAVING (COUNT(DISTINCT ?value) > 1)")
                tasks.append(Task(query, partial(self._focus_results, shape, component)))
            elif name == "qualifiedValueShape":
                tasks.extend(self.qualified_tasks(shape, arguments, focus))
            elif name == "pattern":
                tasks.append(Task(f"SELECT DISTINCT ?this ?value WHERE {{ {values} }}",
                                  partial(self._pattern_results, shape, component, self.matchers(shape))))
            elif name == "closed" and is_true(arguments[0]):
                query = (f"SELECT DISTINCT ?this ?value ?predicate ?object WHERE {{ {values} ?value ?predicate "
                         f"?object FILTER(!({self.conditions.allowed(shape, '?predicate')})) }}")
                tasks.append(Task(query, partial(self._closed_results, shape, component)))
            elif name in PAIR_PARAMETERS:
                tasks.extend(self.pair_tasks(shape, name, arguments, focus))
            elif name == "sparql":
                tasks.extend(self.sparql_task(shape, constraint, focus) for constraint in arguments
                             if not is_true(self.shapes.graph.value(constraint, SH.deactivated)))
        return tasks

    def qualified_condition(self, shape: Shape, node: Node, v: str) -> str:
        """Whether ``v`` counts for the qualified value shape at ``node`` of ``shape``: it conforms to it and,
        with sh:qualifiedValueShapesDisjoint, to no qualified value shape of a sibling property shape."""
        stack = (shape.node,)
        test = self.conditions.conforms(self.shapes.shape(node, stack), v, stack)
        if is_true(shape.settings.get(SH.qualifiedValueShapesDisjoint, [None])[0]):
            graph = self.shapes.graph
            siblings = {other for parent in graph.subjects(SH.property, shape.node)
                        for sibling in graph.objects(parent, SH.property)
                        for other in graph.objects(sibling, SH.qualifiedValueShape)} - {node}
            for other in sorted(siblings, key=str):
                test += f" && !COALESCE({self.conditions.conforms(self.shapes.shape(other, stack), v, stack)}, false)"
        return f"({test})"

    def qualified_tasks(self, shape: Shape, arguments: list[Node], focus: str) -> list[Task]:
        bounds = {name: shape.integer(name) for name in ("qualifiedMinCount", "qualifiedMaxCount")
                  if SH[name] in shape.settings}
        if not bounds:
            raise UnsupportedShaclFeature("sh:qualifiedValueShape without sh:qualifiedMinCount/MaxCount", shape.node)
        tasks = []
        for node in arguments:
            conforms = self.qualified_condition(shape, node, "?value")
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
    def _closed_results(shape: Shape, component: str, rows: list[Row]) -> tuple[list[ShaclResult], list[Task]]:
        """sh:closed: one result per triple of a value node whose predicate the shape does not allow."""
        return [result(shape, component, row["this"], row["object"], path=URIRef(row["predicate"].value))
                for row in rows], []

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

    def _pattern_results(self, shape: Shape, component: str, matchers: list[re.Pattern[str]],
                         rows: list[Row]) -> tuple[list[ShaclResult], list[Task]]:
        """sh:pattern on each value node as pyshacl does: search the IRI or the lexical form as written."""
        found = []
        for row in rows:
            term = row["value"]
            text = None if isinstance(term, ox.BlankNode) else str(to_rdflib(self.conditions.written(term)))
            found.extend(result(shape, component, row["this"], term) for matcher in matchers
                         if text is None or not matcher.search(text))
        return found, []

