"""Validation where the data lives: the project's shapes, QC queries and quote checks run as queries on a SPARQL
endpoint (:class:`migration_kg.graph.remote.SparqlDataset`), so a graph too big for this machine's Python is
validated inside the store that holds it. Nothing is copied out of the store and nothing is written into it.

The store's dataset must hold the ontology beside the data, as the build's store does (class hierarchies come
from it): loading ``dist/ontology.ttl`` into the same graph, or naming its graph with a second ``--graph``, does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from rdflib.namespace import RDFS

from migration_kg.errors import UsageError
from migration_kg.graph.load import load_graph
from migration_kg.graph.remote import SparqlDataset
from migration_kg.project import Project
from migration_kg.provenance.check import check_quotes, quote_violations
from migration_kg.provenance.texts import SourceTexts
from migration_kg.shacl.validation import ValidationReport, validate_store

Progress = Callable[[str], None]


def missing_ontology(dataset: SparqlDataset, project: Project) -> int:
    """How many of the ontology's rdfs:subClassOf statements the endpoint's dataset lacks (0: it has them all)."""
    ontology = load_graph(project.ontology_files())
    axioms = sorted((s, o) for s, o in ontology.subject_objects(RDFS.subClassOf) if s.n3()[0] == o.n3()[0] == "<")
    if not axioms:
        return 0
    values = " ".join(f"({s.n3()} {o.n3()})" for s, o in axioms)
    answer = dataset.query(f"SELECT DISTINCT ?s ?o WHERE {{ VALUES (?s ?o) {{ {values} }} ?s <{RDFS.subClassOf}> ?o }}")
    return len(axioms) - len(list(answer))  # type: ignore[arg-type]


def validate_endpoint(endpoint: str, graphs: Sequence[str] = (), project_root: Path | str = ".",
                      progress: Progress | None = None, sources: Sequence[Path | str] | None = None,
                      timeout: float = 600.0) -> ValidationReport:
    """Validate the dataset of a SPARQL endpoint (its default graph, or the union of ``graphs``) against the
    project's shapes, QC queries and source texts; the queries are the fast engine's, run by the store."""
    step = progress or (lambda _message: None)
    project = Project.at(project_root)
    dataset = SparqlDataset(endpoint, graphs, timeout)
    step("checking that the endpoint's dataset holds the ontology")
    missing = missing_ontology(dataset, project)
    if missing:
        where = "the graphs " + ", ".join(f"<{g}>" for g in graphs) if graphs else "the default graph"
        raise UsageError(f"{missing} of the ontology's rdfs:subClassOf statements are missing from {where} of "
                         f"{endpoint}: load dist/ontology.ttl into the same graph as the data, or name its graph "
                         "with another --graph")
    shapes = load_graph(project.shapes_files())
    step(f"validating in the store at {endpoint} (SHACL, quality-control queries and quotes)")
    report = validate_store(dataset, shapes, project.qc_files())  # type: ignore[arg-type]
    quotes = check_quotes(dataset, SourceTexts.at(project.root, sources))  # type: ignore[arg-type]
    report.violations.extend(quote_violations(quotes, dataset))  # type: ignore[arg-type]
    report.quote_summary = quotes.summary
    return report


def refuse_mixed(files: Sequence[Path | str], engine: str) -> None:
    """``--endpoint`` validates what the store holds with the fast engine's queries: no FILES, no pyshacl."""
    if files:
        raise UsageError("give FILES or --endpoint, not both: --endpoint validates what the store holds")
    if engine != "fast":
        raise UsageError("--endpoint runs the fast engine's queries in the store; --engine pyshacl needs the data "
                         "in this process")
