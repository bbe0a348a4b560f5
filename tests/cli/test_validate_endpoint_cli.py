"""``migration-kg validate --endpoint URL [--graph IRI]`` as a user runs it (the installed command, in a process of
its own): a real Oxigraph server holding a user's bad data and the ontology in its default graph, and the built
graph with the ontology in a named graph; endpoints that are down or misbehave (including the two ways Virtuoso
sends part of an answer with 200 OK) give their documented exit codes."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from servers import OxigraphServer, misbehaving_server, oxigraph_server, refused_url

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parents[2]
USER_DATA = ROOT / "tests" / "fixtures" / "cli"
GOOD = "https://w3id.org/migration-kg/dataset"
ONTOLOGY_ONLY = "https://example.org/ontology-only"
DATA_ONLY = "https://example.org/data-only"


def migration_kg(*args: str) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).parent / "migration-kg"), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=ROOT, check=False)


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, dist_dir: Path) -> Iterator[OxigraphServer]:
    """Bad data (a city without a country) with the ontology in the default graph; the built graph with the
    ontology in a named graph; the ontology alone, and data alone, in two more."""
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as server:
        server.load_file(USER_DATA / "user-data-invalid.ttl", "text/turtle")
        for graph in (None, GOOD, ONTOLOGY_ONLY):
            server.load_file(dist_dir / "ontology.ttl", "text/turtle", graph)
        server.load_file(dist_dir / "migration-kg.nt", "application/n-triples", GOOD)
        server.load_file(USER_DATA / "user-data-valid.ttl", "text/turtle", DATA_ONLY)
        yield server


def test_conforming_graph_exits_0(store: OxigraphServer) -> None:
    result = migration_kg("validate", "--endpoint", store.query_url, "--graph", GOOD)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("conforms: no SHACL violation, every QC query returned no rows; ")
    assert "quotes checked" in result.stdout


def test_default_graph_with_bad_data_exits_1_with_the_violations_table(store: OxigraphServer) -> None:
    result = migration_kg("validate", "--endpoint", store.query_url)
    assert result.returncode == 1
    assert "Lyon" in result.stderr and "schema:containedInPlace" in result.stderr and "CityShape" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("does not conform: 1 violations; ")
    embedded = migration_kg("validate", str(USER_DATA / "user-data-invalid.ttl"))
    assert embedded.returncode == 1
    assert result.stderr == embedded.stderr


def test_the_union_of_two_graphs_is_validated(store: OxigraphServer) -> None:
    """User data in one graph, the ontology in another: named together, they are validated as one."""
    result = migration_kg("validate", "--endpoint", store.query_url, "--graph", DATA_ONLY, "--graph", ONTOLOGY_ONLY)
    assert result.returncode == 0, result.stderr


def test_a_graph_without_the_ontology_is_a_usage_error(store: OxigraphServer) -> None:
    result = migration_kg("validate", "--endpoint", store.query_url, "--graph", DATA_ONLY)
    assert result.returncode == 2
    line = one_error_line(result)
    assert f"<{DATA_ONLY}>" in line and "rdfs:subClassOf" in line and "--graph" in line


def test_report_file_is_written_from_the_store(store: OxigraphServer, tmp_path: Path) -> None:
    report = tmp_path / "report.ttl"
    result = migration_kg("validate", "--endpoint", store.query_url, "--report", str(report))
    assert result.returncode == 1
    text = report.read_text(encoding="utf-8")
    assert "sh:conforms false" in text and "https://example.org/city/lyon" in text


@pytest.mark.parametrize(("args", "message"), [
    (("--graph", GOOD), "--graph goes with --endpoint"),
    (("--timeout", "5"), "--timeout goes with --endpoint"),
    (("--endpoint", "ftp://127.0.0.1/sparql"), "--endpoint"),
    (("--endpoint", "http://127.0.0.1:9/sparql", "--graph", "not an iri"), "is not an absolute IRI"),
    (("--endpoint", "http://127.0.0.1:9/sparql", "--engine", "pyshacl"), "--engine pyshacl"),
    (("--endpoint", "http://127.0.0.1:9/sparql", "data/cities.ttl"), "give FILES or --endpoint"),
])
def test_usage_errors_exit_2(args: tuple[str, ...], message: str) -> None:
    result = migration_kg("validate", *args)
    assert result.returncode == 2
    assert message in one_error_line(result)


def test_unreachable_endpoint_exits_3() -> None:
    url = refused_url()
    result = migration_kg("validate", "--endpoint", url)
    assert result.returncode == 3
    assert "Connection refused" in one_error_line(result)


@pytest.mark.parametrize(("mode", "code", "message"), [
    ("hang", 4, "did not answer a validation query within 1 s"),
    ("error500", 5, "refused a validation query (HTTP 500): internal error"),
    ("html", 6, "something other than SPARQL results (text/html)"),
    ("malformed-json", 6, "something other than SPARQL results (application/sparql-results+json)"),
    ("truncated-json", 6, "broke off its answer to a validation query"),
    ("anytime", 4, "sent part of its answer to a validation query (S1TAT: RC...: Returning incomplete results"),
    ("row-capped", 7, "cut its answer to a validation query at 10000 rows (Virtuoso's ResultSetMaxRows)"),
])
def test_misbehaving_endpoint_gives_one_line_and_its_exit_code(mode: str, code: int, message: str) -> None:
    with misbehaving_server(mode) as server:
        result = migration_kg("validate", "--endpoint", server.url, "--timeout", "1")
    assert result.returncode == code, result.stderr
    line = one_error_line(result)
    assert server.url in line and message in line
    assert "Traceback" not in result.stderr
