"""Every quality-control query returns no rows on its passing fixture and names the culprit on its failing one."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from migration_kg.errors import InputError
from migration_kg.graph.load import load_graph
from migration_kg.shacl.qc import QcResult, run_qc

ROOT = Path(__file__).resolve().parents[2]
QUERIES = sorted((ROOT / "queries" / "qc").glob("*-violation.rq"))
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "qc"
FIXTURE_DIRS = sorted(path for path in FIXTURES.iterdir() if path.is_dir())


@pytest.fixture(scope="session")
def background() -> Graph:
    """What every fixture is checked with: the ontology (class hierarchy) and the concept schemes."""
    return load_graph([*sorted((ROOT / "ontology").glob("*.ttl")), ROOT / "data" / "vocabularies.ttl"])


def run_on_fixture(query: Path, fixture: Path, background: Graph) -> tuple[QcResult, Graph]:
    graph = load_graph([fixture])
    graph += background
    (result,) = run_qc(graph, [query])
    return result, graph


def first_column_iris(result: QcResult, graph: Graph) -> set[str]:
    """The entities a query reported, as full IRIs (rows come back in the graph's prefixed form)."""
    names = graph.namespace_manager
    return {cell.strip("<>") if cell.startswith("<") else str(names.expand_curie(cell)) for cell, *_ in result.rows}


def expected_iris(fixture: Path) -> set[str]:
    """The ``# expect: <IRI>`` lines at the top of a failing fixture."""
    return {line.removeprefix("# expect:").strip().strip("<>")
            for line in fixture.read_text(encoding="utf-8").splitlines() if line.startswith("# expect:")}


def test_every_query_has_a_fixture_directory() -> None:
    """The suite cannot shrink silently: one directory per query, each with a pass and a fail fixture."""
    assert len(QUERIES) >= 8
    assert len(FIXTURE_DIRS) == len(QUERIES)
    assert [path.name for path in FIXTURE_DIRS] == [query.stem for query in QUERIES]
    for directory in FIXTURE_DIRS:
        assert (directory / "pass.ttl").is_file(), directory
        assert (directory / "fail.ttl").is_file(), directory
        assert expected_iris(directory / "fail.ttl"), directory


def test_every_query_has_a_title() -> None:
    for query in QUERIES:
        first = query.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# ") and len(first) > 10, query


@pytest.mark.parametrize("query", QUERIES, ids=lambda p: p.stem)
def test_query_passes_on_passing_fixture(query: Path, background: Graph) -> None:
    result, _graph = run_on_fixture(query, FIXTURES / query.stem / "pass.ttl", background)
    assert result.passed, result.rows
    assert result.rows == ()
    assert result.variables[0] == "entity"


@pytest.mark.parametrize("query", QUERIES, ids=lambda p: p.stem)
def test_query_fails_on_failing_fixture(query: Path, background: Graph) -> None:
    fixture = FIXTURES / query.stem / "fail.ttl"
    result, graph = run_on_fixture(query, fixture, background)
    assert not result.passed
    assert result.name == query.stem
    assert result.title
    assert expected_iris(fixture) <= first_column_iris(result, graph), result.rows


def test_real_data_passes_every_query(background: Graph) -> None:
    graph = load_graph(sorted((ROOT / "data").glob("*.ttl")))
    graph += background
    results = run_qc(graph, QUERIES)
    assert [result.name for result in results] == [query.stem for query in QUERIES]
    assert {result.name: result.rows for result in results if result.rows} == {}


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    query = tmp_path / "broken-violation.rq"
    query.write_text("# Broken check\nSELECT ?entity WHERE {\n  ?entity a ?class .\n  FILTR (?class)\n}\n",
                     encoding="utf-8")
    with pytest.raises(InputError) as caught:
        run_qc(Graph(), [query])
    assert caught.value.path == str(query)
    assert caught.value.line == 4
    assert str(caught.value).startswith(f"{query}:4:")
    assert "SPARQL syntax error" in str(caught.value)


def test_unknown_prefix_is_reported_on_one_line(tmp_path: Path) -> None:
    query = tmp_path / "prefix-violation.rq"
    query.write_text("# Unknown prefix\nSELECT ?entity WHERE {\n  ?entity nope:thing ?value .\n}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        run_qc(Graph(), [query])
    assert caught.value.line == 3
    assert "\n" not in str(caught.value)


def test_query_that_is_not_a_select_is_rejected(tmp_path: Path) -> None:
    query = tmp_path / "ask-violation.rq"
    query.write_text("# Not a select\nASK { ?s ?p ?o }\n", encoding="utf-8")
    with pytest.raises(InputError, match="must be a SELECT query") as caught:
        run_qc(Graph(), [query])
    assert caught.value.path == str(query)
