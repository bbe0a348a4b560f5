"""The validation report is a standard SHACL validation report graph: on every shape fixture and QC fixture the
fast engine's report graph equals pyshacl's own report graph (modulo blank-node labels), quality-control rows are
results of their own, and the report is checked against a shapes graph for SHACL reports (SHACL section 3.6)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic, to_isomorphic
from rdflib.namespace import RDF

from migration_kg.graph.load import load_graph
from migration_kg.namespaces import SH
from migration_kg.shacl.validation import validate_graph

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
CASES = sorted((FIXTURES / "shapes").glob("*/*.ttl")) + sorted((FIXTURES / "qc").glob("*/*.ttl"))
REPORT_SHAPES = FIXTURES / "report" / "validation-report-shapes.ttl"


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_graph([ROOT / "shapes" / "migration-kg-shapes.ttl"])


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_graph(sorted((ROOT / "ontology").glob("*.ttl")))


@pytest.fixture(scope="module")
def qc_files() -> list[Path]:
    return sorted((ROOT / "queries" / "qc").glob("*-violation.rq"))


def _data(path: Path) -> Graph:
    return load_graph([path, ROOT / "data" / "vocabularies.ttl"])


def _pyshacl(data: Graph, shapes: Graph, ontology: Graph) -> Graph:
    from pyshacl import validate

    return validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True)[1]


def _without_qc(report: Graph) -> Graph:
    """The report less the results of quality-control queries (pyshacl knows nothing of them)."""
    kept = Graph()
    qc = {r for r in report.subjects(SH.sourceShape, None)
          if str(report.value(r, SH.sourceShape)).startswith("https://w3id.org/migration-kg/qc/")}
    kept += ((s, p, o) for s, p, o in report if s not in qc and o not in qc)
    top = next(kept.subjects(RDF.type, SH.ValidationReport))
    kept.set((top, SH.conforms, Literal(not any(kept.objects(top, SH.result)))))
    return kept


def test_the_cases_were_found() -> None:
    assert len(CASES) >= 110


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}/{p.stem}")
def test_report_graph_equals_pyshacls(path: Path, shapes: Graph, ontology: Graph, qc_files: list[Path]) -> None:
    data = _data(path)
    ours = validate_graph(data, shapes, ontology, qc_files, "fast").to_graph()
    reference = _pyshacl(data, shapes, ontology)
    if "/invalid" in str(path):
        assert any(reference.objects(None, SH.result))
    shacl_part = _without_qc(ours)
    assert isomorphic(shacl_part, reference), _difference(shacl_part, reference)
    # the reference engine's records give the same graph too
    assert isomorphic(_without_qc(validate_graph(data, shapes, ontology, qc_files, "pyshacl").to_graph()), reference)


def _difference(ours: Graph, reference: Graph) -> str:
    from rdflib.compare import graph_diff

    _both, only_ours, only_theirs = graph_diff(to_isomorphic(ours), to_isomorphic(reference))
    return f"only ours:\n{only_ours.serialize(format='nt')}\nonly pyshacl:\n{only_theirs.serialize(format='nt')}"


@pytest.mark.parametrize("folder", sorted(p.name for p in (FIXTURES / "qc").iterdir()))
def test_quality_control_rows_are_standard_results(folder: str, shapes: Graph, ontology: Graph,
                                                   qc_files: list[Path]) -> None:
    report = validate_graph(_data(FIXTURES / "qc" / folder / "fail.ttl"), shapes, ontology, qc_files).to_graph()
    qc = [r for r in report.subjects(SH.sourceShape, URIRef("https://w3id.org/migration-kg/qc/" + folder))]
    assert qc, folder
    for result in qc:
        assert report.value(result, SH.sourceConstraintComponent) == SH.SPARQLConstraintComponent
        assert isinstance(report.value(result, SH.focusNode), URIRef)
        path = report.value(result, SH.resultPath)
        assert path is None or isinstance(path, URIRef)
        value = report.value(result, SH.value)
        assert value is None or not isinstance(value, BNode)


def test_reports_conform_to_the_shapes_for_shacl_reports(shapes: Graph, ontology: Graph,
                                                         qc_files: list[Path]) -> None:
    """Every result names its focus node, component, severity and source shape; paths are IRIs or path nodes;
    values are real terms, never text standing for one (the old report wrote "rdfs:label" as a string)."""
    from pyshacl import validate

    report_shapes = Graph().parse(REPORT_SHAPES)
    checked = 0
    for path in CASES:
        report = validate_graph(_data(path), shapes, ontology, qc_files).to_graph()
        conforms, _graph, text = validate(report, shacl_graph=report_shapes, inference="none")
        assert conforms, (path, text)
        checked += len(list(report.subjects(RDF.type, SH.ValidationResult)))
    assert checked > 150
