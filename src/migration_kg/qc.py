"""Stage 3: quality-control SPARQL queries (``queries/qc/*-violation.rq``) that must return no rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph
from rdflib.plugins.sparql import prepareQuery

from .errors import InputError
from .namespaces import PREFIXES


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


def compile_query(path: Path):  # noqa: ANN201 - rdflib's Query type is not exported
    """Parse a SPARQL file with the project's prefixes; a syntax error names the file, line and column."""
    text = path.read_text(encoding="utf-8")
    try:
        return prepareQuery(text, initNs={k: str(v) for k, v in PREFIXES.items()})
    except Exception as error:  # pyparsing raises several classes; all are syntax errors here
        line = getattr(error, "lineno", None)
        column = getattr(error, "col", None)
        message = getattr(error, "msg", None) or str(error).splitlines()[0]
        raise InputError(f"SPARQL syntax error: {message}", path, line, column) from None


def run_qc(graph: Graph, paths: list[Path]) -> list[QcResult]:
    """Run every quality-control query on ``graph``; return one result per query, in file order."""
    results = []
    for path in paths:
        query = compile_query(path)
        answer = graph.query(query)
        variables = tuple(str(v) for v in (answer.vars or ()))
        rows = sorted(
            tuple("" if value is None else value.n3(graph.namespace_manager) for value in row)
            for row in answer
        )
        results.append(QcResult(
            name=path.name.removesuffix(".rq"), path=path,
            title=query_title(path.read_text(encoding="utf-8")), variables=variables, rows=tuple(rows)))
    return results
