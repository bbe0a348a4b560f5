"""The fast SHACL engine reports exactly what pyshacl, the reference, reports: on every shape fixture, on
fixtures that exercise each SHACL feature it implements, and on the 10k synthetic graph with planted errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from synthetic import generator

from migration_kg.cli.main import main
from migration_kg.graph.load import load_data, load_graph
from migration_kg.pipeline.build import load_project, validate_loaded
from migration_kg.project import Project
from migration_kg.shacl.engine import UnsupportedShaclFeature
from migration_kg.shacl.shapes import IllFormedShapes
from migration_kg.shacl.validation import shacl_violations, validate_store

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
    assert len(FEATURE_SHAPES) >= 12
    assert len(UNSUPPORTED) >= 3
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


def test_data_that_oxigraph_would_rewrite_is_validated_as_written() -> None:
    """xsd:int would be xsd:integer in the store: the fast engine still checks and reports the data's term."""
    data = load_graph([FIXTURES / "fastshacl" / "rewritten-datatypes.ttl"])
    shapes = load_graph([FIXTURES / "fastshacl" / "datatypes-shapes.ttl"])
    assert shacl_violations(data, shapes, Graph(), "fast") == shacl_violations(data, shapes, Graph(), "pyshacl")


@pytest.mark.parametrize("stem", ["lexical", "rewritten"])
def test_the_build_path_reports_terms_as_written(stem: str) -> None:
    """Through the build's own loading (bulk load and text scan): the same report as pyshacl on the files."""
    data_file = FIXTURES / "fastshacl" / ("lexical-data.ttl" if stem == "lexical" else "rewritten-datatypes.ttl")
    shapes = load_graph([FIXTURES / "fastshacl" / ("lexical-shapes.ttl" if stem == "lexical" else
                                                   "datatypes-shapes.ttl")])
    store, _faithful, rewrites = load_data([data_file])
    found = validate_store(store, shapes, [], rewrites=rewrites).violations
    assert found == shacl_violations(load_graph([data_file]), shapes, Graph(), "pyshacl")
    if stem == "lexical":
        values = {v.value_node for v in found if v.value_node is not None}
        assert Literal("4.0", datatype=XSD.decimal, normalize=False) in values
        assert Literal("300", datatype=XSD.byte, normalize=False) in values


def test_one_value_written_in_two_forms_is_refused(tmp_path: Path) -> None:
    """"1"^^xsd:boolean and true are one term in the store: which one a triple holds is lost, so the engine says so."""
    path = tmp_path / "two-forms.ttl"
    path.write_text('@prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n'
                    'ex:a a ex:Thing ; ex:flag "1"^^xsd:boolean . ex:b a ex:Thing ; ex:flag true .\n', encoding="utf-8")
    shapes = load_graph([FIXTURES / "fastshacl" / "values-shapes.ttl"])
    with pytest.raises(UnsupportedShaclFeature, match="several forms"):
        shacl_violations(load_graph([path]), shapes, Graph(), "fast")
    store, _faithful, rewrites = load_data([path])
    with pytest.raises(UnsupportedShaclFeature, match="several forms"):
        validate_store(store, shapes, [], rewrites=rewrites)


def test_ill_formed_sparql_is_refused() -> None:
    """SHACL forbids MINUS in a SPARQL constraint: the shapes graph is refused as ill-formed."""
    data = Graph().parse(data="<http://example.org/t> a <http://example.org/Thing> .", format="turtle")
    with pytest.raises(IllFormedShapes, match="MINUS"):
        shacl_violations(data, load_graph([FIXTURES / "fastshacl" / "ill-formed-sparql-minus.ttl"]), Graph(), "fast")


def test_violations_carry_the_rdf_terms() -> None:
    """Literal focus nodes, language-tagged messages and repeated results come through as RDF terms."""
    shapes = Graph().parse(data="""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        ex:S a sh:NodeShape ; sh:targetNode "Hello" ; sh:datatype xsd:integer ; sh:message "not a number"@en .""",
                           format="turtle")
    (violation,) = shacl_violations(Graph(), shapes, Graph(), "fast")
    assert violation.focus_node == Literal("Hello") and violation.value_node == Literal("Hello")
    assert violation.messages == (Literal("not a number", lang="en"),)
    assert violation.source_shape == URIRef("http://example.org/S") and violation.focus_ref == '"Hello"'
    multiset = shacl_violations(load_graph([FIXTURES / "fastshacl" / "multiset-data.ttl"]),
                                load_graph([FIXTURES / "fastshacl" / "multiset-shapes.ttl"]), Graph(), "fast")
    nowhere = [v for v in multiset if v.value_node == URIRef("http://example.org/Nowhere")]
    assert len(nowhere) == 3, "ex:shared is the address of three people"


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_cli_engine_option(engine: str, project_root: Path, runner: CliRunner) -> None:
    invalid = FIXTURES / "cli" / "user-data-invalid.ttl"
    result = runner.invoke(main, ["validate", "--project", str(project_root), "--engine", engine, str(invalid)])
    assert result.exit_code == 1
    assert "does not conform" in result.output


def test_scale_doc_examples(project_root: Path, runner: CliRunner) -> None:
    """The examples of docs/scale.md about literals a store would rewrite, as written there."""
    import subprocess
    import sys

    result = runner.invoke(main, ["validate", "--project", str(project_root),
                                  "tests/fixtures/fastshacl/rewritten-datatypes.ttl"])
    assert result.exit_code == 0
    assert "conforms: no SHACL violation, every QC query returned no rows" in result.output
    doc = (ROOT / "docs" / "scale.md").read_text(encoding="utf-8")
    command = next(line for line in doc.splitlines() if line.startswith('$ python -c "from migration_kg import'))
    code = command.removeprefix('$ python -c "').removesuffix('"')
    shown = doc.splitlines()[doc.splitlines().index(command) + 1]
    printed = subprocess.run([sys.executable, "-c", code], cwd=project_root, capture_output=True, text=True,
                             check=True).stdout.strip()
    # the SHACL result, then the two quality-control rows (their values are terms too, as written)
    assert printed == shown == ("['\"2\"^^<http://www.w3.org/2001/XMLSchema#int>', "
                                "'\"1\"^^<http://www.w3.org/2001/XMLSchema#boolean>', "
                                "'\"2\"^^<http://www.w3.org/2001/XMLSchema#int>']")
