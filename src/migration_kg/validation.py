"""Stage 2: validate a graph against the SHACL shapes (pyshacl) and the quality-control queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, Node, URIRef
from rdflib.namespace import RDF, RDFS

from .namespaces import SH, bind_prefixes
from .qc import QcResult, run_qc

QC_SHAPE_BASE = "https://w3id.org/migration-kg/qc/"


@dataclass(frozen=True)
class Violation:
    """One validation result, with a readable label for its focus node."""

    focus: str
    focus_label: str
    path: str
    message: str
    severity: str
    source: str
    value: str = ""


@dataclass
class ValidationReport:
    """What ``validate`` found: SHACL results and quality-control rows, as RDF and as text."""

    violations: list[Violation] = field(default_factory=list)
    qc_results: list[QcResult] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not self.violations

    def to_graph(self) -> Graph:
        """The report as a SHACL validation report graph (quality-control rows included)."""
        graph = bind_prefixes(Graph())
        report = URIRef("https://w3id.org/migration-kg/validation-report")
        graph.add((report, RDF.type, SH.ValidationReport))
        graph.add((report, SH.conforms, Literal(self.conforms)))
        for index, violation in enumerate(self.violations, start=1):
            node = BNode(f"result{index:05d}")
            graph.add((report, SH.result, node))
            graph.add((node, RDF.type, SH.ValidationResult))
            graph.add((node, SH.focusNode, _term(violation.focus)))
            if violation.path:
                graph.add((node, SH.resultPath, _term(violation.path)))
            graph.add((node, SH.resultMessage, Literal(violation.message)))
            graph.add((node, SH.resultSeverity, URIRef(violation.severity)))
            graph.add((node, SH.sourceShape, _term(violation.source)))
            if violation.value:
                graph.add((node, SH.value, Literal(violation.value)))
        return graph

    def to_text(self) -> str:
        """The report for people: one block per problem, naming the entity by its label."""
        lines = [f"Conforms: {'yes' if self.conforms else 'no'}",
                 f"SHACL and quality-control violations: {len(self.violations)}"]
        for violation in self.violations:
            lines.append("")
            lines.append(f"- {violation.focus_label} <{violation.focus}>")
            if violation.path:
                lines.append(f"  path:    {violation.path}")
            lines.append(f"  message: {violation.message}")
            if violation.value:
                lines.append(f"  value:   {violation.value}")
            lines.append(f"  check:   {violation.source}")
        if self.qc_results:
            lines.append("")
            lines.append("Quality-control queries:")
            for result in self.qc_results:
                verdict = "pass" if result.passed else f"FAIL ({len(result.rows)} rows)"
                lines.append(f"  {result.name}: {verdict}")
        return "\n".join(lines) + "\n"


def _term(text: str) -> Node:
    return URIRef(text) if "://" in text or text.startswith("urn:") else Literal(text)


def label_of(graph: Graph, node: Node) -> str:
    """An English label if there is one, else a French one, else the IRI itself."""
    labels = {lit.language: str(lit) for lit in graph.objects(node, RDFS.label) if isinstance(lit, Literal)}
    return labels.get("en") or labels.get("fr") or next(iter(labels.values()), str(node))


def shacl_violations(data: Graph, shapes: Graph, ontology: Graph) -> list[Violation]:
    """Run pyshacl (the reference SHACL engine) and return its results, sorted."""
    from pyshacl import validate as pyshacl_validate  # heavy import, only when validating

    _conforms, report, _text = pyshacl_validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True, allow_warnings=False)
    found = []
    top_level = [r for node in report.subjects(RDF.type, SH.ValidationReport) for r in report.objects(node, SH.result)]
    for result in top_level:  # nested sh:detail results explain a top-level one; they are not counted again
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        found.append(Violation(
            focus=str(focus),
            focus_label=label_of(data, focus),
            path=path.n3(data.namespace_manager) if isinstance(path, URIRef) else "",
            message=str(report.value(result, SH.resultMessage) or ""),
            severity=str(report.value(result, SH.resultSeverity)),
            source=_shape_name(report, result, shapes),
            value=value.n3(data.namespace_manager) if value is not None else "",
        ))
    return sorted(found, key=lambda v: (v.focus, v.path, v.source, v.message, v.value))


def _shape_name(report: Graph, result: Node, shapes: Graph) -> str:
    """The named node shape behind a result (property shapes are blank nodes inside one)."""
    shape = report.value(result, SH.sourceShape)
    if isinstance(shape, BNode):
        owner = next(shapes.subjects(SH.property, shape), None) or next(shapes.subjects(SH.sparql, shape), None)
        if owner is not None:
            shape = owner
    return str(shape)


def qc_violations(results: list[QcResult], data: Graph) -> list[Violation]:
    """One violation per row that a quality-control query returned."""
    found = []
    for result in results:
        for row in result.rows:
            cells = dict(zip(result.variables, row, strict=True))
            entity = cells.get("entity", row[0] if row else "")
            focus = entity.strip("<>")
            if ":" in focus and "://" not in focus:
                focus = str(data.namespace_manager.expand_curie(focus))
            found.append(Violation(
                focus=focus,
                focus_label=label_of(data, URIRef(focus)),
                path=cells.get("property", ""),
                message=f"{result.title}" + (f" ({cells['value']})" if cells.get("value") else ""),
                severity=str(SH.Violation),
                source=QC_SHAPE_BASE + result.name,
                value=cells.get("value", ""),
            ))
    return found


def validate_graph(data: Graph, shapes: Graph, ontology: Graph, qc_files: list[Path]) -> ValidationReport:
    """Validate ``data`` (with ``ontology`` for class hierarchy) against the shapes and every QC query."""
    qc_results = run_qc(data + ontology, qc_files)
    violations = shacl_violations(data, shapes, ontology) + qc_violations(qc_results, data)
    return ValidationReport(violations=violations, qc_results=qc_results)
