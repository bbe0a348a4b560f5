"""Stage 3: quality-control SPARQL queries (``queries/qc/*-violation.rq``) that must return no rows."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import Graph, Literal

from migration_kg.errors import InputError
from migration_kg.files import read_text
from migration_kg.graph.load import from_rdflib, to_rdflib, to_store
from migration_kg.graph.verbatim import rewrites_of

if TYPE_CHECKING:
    from migration_kg.shacl.tasks import QueryStore

_POSITION = re.compile(r"(?:line |at )(\d+)(?: column |:)(\d+)")  # "line 3 column 5" or "at 3:5"


@dataclass(frozen=True)
class QcResult:
    """The rows one quality-control query returned; no rows means the check passed."""

    name: str
    path: Path
    title: str
    variables: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...] = field(default=())

    @property
    def passed(self) -> bool:
        return not self.rows


def query_title(text: str) -> str:
    """The first comment line of a query file, without its ``#``: the check's title."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            return stripped.lstrip("#").strip()
        if stripped:
            break
    return ""


def run_query(store: QueryStore, path: Path) -> ox.QuerySolutions:
    """Run one SELECT file on ``store``; a syntax error names the file, line and column."""
    text = read_text(path, "quality-control query")
    try:
        answer = store.query(text)
    except SyntaxError as error:
        match = _POSITION.search(str(error))
        line, column = (int(match.group(1)), int(match.group(2))) if match else (None, None)
        first_line = str(error).splitlines()[0].split(" (", 1)[0]
        raise InputError(f"SPARQL syntax error: {first_line}", path, line, column) from None
    if not isinstance(answer, ox.QuerySolutions):
        raise InputError("a quality-control query must be a SELECT query", path)
    return answer


def run_qc(graph: Graph, paths: list[Path]) -> list[QcResult]:
    """Run every quality-control query on ``graph`` (with pyoxigraph); one result per query, in file order.

    Terms in the rows are written as in ``graph``, also those the store holds in another form.
    """
    store = to_store(graph)
    rewrites = rewrites_of(from_rdflib(value) for value in set(graph.objects()) if isinstance(value, Literal))
    names = graph.namespace_manager
    results = []
    for path in paths:
        answer = run_query(store, path)
        variables = tuple(variable.value for variable in answer.variables)
        rows = sorted(
            tuple("" if solution[v] is None else to_rdflib(rewrites.as_written(solution[v])).n3(names)
                  for v in variables)
            for solution in answer
        )
        results.append(QcResult(
            name=path.name.removesuffix(".rq"), path=path,
            title=query_title(read_text(path, "quality-control query")), variables=variables, rows=tuple(rows)))
    return results
