"""The fast SHACL engine reports exactly what pyshacl, the reference, reports: on every shape fixture, on
fixtures that exercise each SHACL feature it implements, and on the 10k synthetic graph with planted errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph
from synthetic import generator

from migration_kg.cli.main import main
from migration_kg.graph.load import load_graph
from migration_kg.pipeline.build import load_project, validate_loaded
from migration_kg.project import Project
from migration_kg.shacl.engine import UnsupportedShaclFeature
from migration_kg.shacl.validation import shacl_violations

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SHAPE_FIXTURES = sorted((FIXTURES / "shapes").glob("**/*.ttl"))
FEATURE_SHAPES = sorted((FIXTURES / "fastshacl").glob("*-shapes.ttl"))
UNSUPPORTED = sorted((FIXTURES / "fastshacl" / "unsupported").glob("*.ttl"))
SH = "http://www.w3.org/ns/shacl#"


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_graph(sorted((ROOT / "shapes").glob("*.ttl")))


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_graph(sorted((ROOT / "ontology").glob("*.ttl")))


@pytest.fixture(scope="module")
def vocabularies() -> Graph:
    return load_graph([ROOT / "data" / "vocabularies.ttl"])


def test_the_fixture_globs_found_the_fixtures() -> None:
    """A glob that quietly matched nothing would make every comparison below vacuous."""
    assert len(SHAPE_FIXTURES) >= 20
    assert len(FEATURE_SHAPES) >= 8
    assert len(UNSUPPORTED) >= 7
    assert all(path.with_name(path.name.replace("-shapes", "-data")).is_file() for path in FEATURE_SHAPES)


@pytest.mark.parametrize("path", SHAPE_FIXTURES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_shape_fixture_gives_the_same_report(path: Path, shapes: Graph, ontology: Graph, vocabularies: Graph) -> None:
    data = load_graph([path])
    data += vocabularies
    reference = shacl_violations(data, shapes, ontology, "pyshacl")
    if path.stem.startswith("invalid"):
        assert reference, f"pyshacl found nothing in {path}"
    assert shacl_violations(data, shapes, ontology, "fast") == reference


@pytest.mark.parametrize("shapes_path", FEATURE_SHAPES, ids=lambda p: p.stem.removesuffix("-shapes"))
def test_feature_fixture_gives_the_same_report(shapes_path: Path) -> None:
    shapes = load_graph([shapes_path])
    data = load_graph([shapes_path.with_name(shapes_path.name.replace("-shapes", "-data"))])
    reference = shacl_violations(data, shapes, Graph(), "pyshacl")
    assert len(reference) >= 5, "each feature fixture breaks several constraints"
    assert shacl_violations(data, shapes, Graph(), "fast") == reference


def test_components_severities_and_default_messages_are_compared(shapes: Graph) -> None:
    """The records carry the constraint component, the severity and, without sh:message, a default message."""
    path = FIXTURES / "fastshacl" / "sparql-shapes.ttl"
    data = load_graph([path.with_name("sparql-data.ttl")])
    found = shacl_violations(data, load_graph([path]), Graph(), "fast")
    by_message = {v.message: v for v in found}
    ends = by_message["the period ends (2018-06-01) before it starts (2020-01-01) at http://example.org/p2"]
    assert ends.component == SH + "SPARQLConstraintComponent"
    assert by_message["start 2031-01-01 is in the future"].severity == SH + "Info"
    assert by_message["fails sh:sparql"].value == "<http://example.org/b>"


def test_synthetic_graph_gives_the_same_report(tmp_path: Path) -> None:
    """The 10k-triple synthetic project with its planted errors: the whole report (SHACL and QC) agrees."""
    generate = generator()
    manifest = generate.write_project(generate.generate(10_000, seed=7, plant=True), tmp_path / "project")
    loaded = load_project(Project.at(tmp_path / "project"))
    assert 9_000 < loaded.triples < 12_000
    fast = validate_loaded(loaded, "fast").violations
    assert validate_loaded(loaded, "pyshacl").violations == fast
    planted = {(item["focus"], check) for item in manifest["planted"] for check in item["checks"]}
    assert {(v.focus, v.source) for v in fast} == planted


@pytest.mark.parametrize("path", UNSUPPORTED, ids=lambda p: p.stem)
def test_unsupported_features_are_refused(path: Path) -> None:
    data = Graph().parse(data="<http://example.org/t> a <http://example.org/Thing> .", format="turtle")
    with pytest.raises(UnsupportedShaclFeature, match="the fast SHACL engine does not support"):
        shacl_violations(data, load_graph([path]), Graph(), "fast")


def test_data_that_oxigraph_would_rewrite_is_refused() -> None:
    """xsd:int would be checked as xsd:integer in the store: the fast engine says so instead of guessing."""
    data = load_graph([FIXTURES / "fastshacl" / "rewritten-datatypes.ttl"])
    shapes = load_graph([FIXTURES / "fastshacl" / "datatypes-shapes.ttl"])
    with pytest.raises(UnsupportedShaclFeature, match="xsd:int"):
        shacl_violations(data, shapes, Graph(), "fast")
    assert shacl_violations(data, shapes, Graph(), "pyshacl") == []


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_cli_engine_option(engine: str, project_root: Path, runner: CliRunner) -> None:
    invalid = FIXTURES / "cli" / "user-data-invalid.ttl"
    result = runner.invoke(main, ["validate", "--project", str(project_root), "--engine", engine, str(invalid)])
    assert result.exit_code == 1
    assert "does not conform" in result.output
