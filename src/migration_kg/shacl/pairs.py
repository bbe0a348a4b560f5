"""Property pair constraint components (https://www.w3.org/TR/shacl/#core-components-property-pairs):
sh:equals, sh:disjoint, sh:lessThan and sh:lessThanOrEquals compare the value nodes of a shape with the values
of another property of the focus node."""

from __future__ import annotations

from functools import partial

from rdflib import Node

from migration_kg.shacl.conditions import PAIR_PARAMETERS, pair_pattern, pair_property
from migration_kg.shacl.shapes import Shape
from migration_kg.shacl.tasks import Planner, Row, ShaclResult, Task, component_of, result


class PairTasks(Planner):
    """One query per property pair constraint, over every focus node (such constraints are rare)."""

    def pair_tasks(self, shape: Shape, name: str, arguments: list[Node], focus: str) -> list[Task]:
        tasks = []
        for argument in arguments:
            pattern = pair_pattern(name, pair_property(shape, name, argument), shape.sparql_path or None,
                                   "?this", "?value", "?other", focus)
            projection = "?this ?value ?other" if name in ("lessThan", "lessThanOrEquals") else "?this ?value"
            query = f"SELECT DISTINCT {projection} WHERE {{ {pattern} }}"
            tasks.append(Task(query, partial(self._pair_results, shape, component_of(name))))
        return tasks

    @staticmethod
    def _pair_results(shape: Shape, component: str, rows: list[Row]) -> tuple[list[ShaclResult], list[Task]]:
        return [result(shape, component, row["this"], row["value"]) for row in rows], []


__all__ = ["PAIR_PARAMETERS", "PairTasks"]
