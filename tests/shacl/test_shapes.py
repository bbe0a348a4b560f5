"""Every targeted SHACL shape has a valid fixture it accepts and invalid fixtures it rejects; the real data conforms."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from migration_kg.graph.load import load_graph
from migration_kg.namespaces import SH
from migration_kg.shacl.validation import Violation, shacl_violations

ROOT = Path(__file__).resolve().parents[2]
SHAPES_FILE = ROOT / "shapes" / "migration-kg-shapes.ttl"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "shapes"
SHAPES_NS = "https://w3id.org/migration-kg/shapes#"
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)

FIXTURE_DIRS = sorted(path for path in FIXTURES.iterdir() if path.is_dir())
VALID_FILES = sorted(FIXTURES.glob("*/valid.ttl"))
INVALID_FILES = sorted(FIXTURES.glob("*/invalid*.ttl"))


@pytest.fixture(scope="session")
def shapes() -> Graph:
    return load_graph([SHAPES_FILE])


@pytest.fixture(scope="session")
def ontology() -> Graph:
    return load_graph(sorted((ROOT / "ontology").glob("*.ttl")))


@pytest.fixture(scope="session")
def vocabularies() -> Graph:
    return load_graph([ROOT / "data" / "vocabularies.ttl"])


def targeted_shapes(shapes: Graph) -> set[str]:
    """Local names of the named node shapes that select focus nodes by a target."""
    return {
        str(shape).removeprefix(SHAPES_NS)
        for target in TARGETS
        for shape in shapes.subjects(target, None)
        if isinstance(shape, URIRef) and (shape, None, SH.NodeShape) in shapes
    }


def helper_shapes(shapes: Graph, name: str) -> set[str]:
    """The untargeted shapes that ``name`` uses through sh:node (pyshacl reports their results as details)."""
    shape = URIRef(SHAPES_NS + name)
    nested = list(shapes.objects(shape, SH.node))
    for property_shape in shapes.objects(shape, SH.property):
        nested.extend(shapes.objects(property_shape, SH.node))
    return {str(node) for node in nested}


def fixture_lines(path: Path, key: str) -> list[str]:
    """The values of ``# key: value`` comment lines at the top of a fixture."""
    prefix = f"# {key}:"
    return [line.removeprefix(prefix).strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith(prefix)]


def validate_fixture(path: Path, shapes: Graph, ontology: Graph, vocabularies: Graph) -> list[Violation]:
    data = load_graph([path])
    data += vocabularies
    return shacl_violations(data, shapes, ontology)


def describe(violations: list[Violation]) -> list[tuple[str, str, str]]:
    return [(v.source.removeprefix(SHAPES_NS), v.focus, v.message) for v in violations]


def test_every_targeted_shape_has_a_fixture_directory(shapes: Graph) -> None:
    """The suite cannot shrink silently: one directory per targeted shape, and no stray directory."""
    expected = targeted_shapes(shapes)
    found = {path.name for path in FIXTURE_DIRS}
    assert len(expected) >= 28
    assert found == expected
    assert len(FIXTURE_DIRS) == len(expected)
    assert len(VALID_FILES) == len(expected)
    assert len(INVALID_FILES) >= len(expected)
    for directory in FIXTURE_DIRS:
        assert (directory / "valid.ttl").is_file(), directory
        assert (directory / "invalid.ttl").is_file(), directory


def test_every_fixture_says_what_it_is_for() -> None:
    for path in VALID_FILES + INVALID_FILES:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# ") and len(first) > 10, path
    for path in INVALID_FILES:
        assert len(fixture_lines(path, "expect")) == 1, path


@pytest.mark.parametrize("path", VALID_FILES, ids=lambda p: p.parent.name)
def test_valid_fixture_conforms(path: Path, shapes: Graph, ontology: Graph, vocabularies: Graph) -> None:
    violations = validate_fixture(path, shapes, ontology, vocabularies)
    assert describe(violations) == []


@pytest.mark.parametrize("path", INVALID_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_invalid_fixture_breaks_its_shape(path: Path, shapes: Graph, ontology: Graph, vocabularies: Graph) -> None:
    """The named shape reports the expected message, and no other shape (or helper it uses) complains."""
    name = path.parent.name
    violations = validate_fixture(path, shapes, ontology, vocabularies)
    own = [v for v in violations if v.source == SHAPES_NS + name]
    assert own, f"{name} reported nothing for {path.name}"
    assert all(v.message.strip() for v in violations), describe(violations)
    allowed = {SHAPES_NS + name} | helper_shapes(shapes, name)
    assert {v.source for v in violations} <= allowed, describe(violations)
    (expected,) = fixture_lines(path, "expect")
    assert any(expected in v.message for v in own), describe(own)


def test_helper_shapes_report_through_their_users(shapes: Graph, ontology: Graph, vocabularies: Graph) -> None:
    """A theme from the wrong scheme is reported by CommitmentShape and, in detail, by CommitmentThemeShape."""
    violations = validate_fixture(FIXTURES / "CommitmentShape" / "invalid.ttl", shapes, ontology, vocabularies)
    commitment = "https://w3id.org/migration-kg/id/commitment/example-education"
    assert (SHAPES_NS + "CommitmentShape", commitment) in {(v.source, v.focus) for v in violations}
    assert any(v.path == "mkg:theme" and v.value == "modality:planned" for v in violations)


def test_end_before_start_message_names_both_dates(shapes: Graph, ontology: Graph, vocabularies: Graph) -> None:
    violations = validate_fixture(FIXTURES / "MandateShape" / "invalid-end-before-start.ttl",
                                  shapes, ontology, vocabularies)
    assert [v.message for v in violations] == ["the term ends (2016-05-01) before it starts (2017-11-16)"]
    assert violations[0].focus == "https://w3id.org/migration-kg/id/mandate/jane-example-mayor"


def test_real_data_conforms(shapes: Graph, ontology: Graph) -> None:
    data = load_graph(sorted((ROOT / "data").glob("*.ttl")))
    assert len(data) > 1000
    assert describe(shacl_violations(data, shapes, ontology)) == []
