"""The W3C SHACL test-suite outcomes as an EARL report (https://www.w3.org/TR/EARL10-Schema/), one
``earl:Assertion`` with its ``earl:TestResult`` per test, in the form of the reports that other SHACL
implementations published beside the suite."""

from __future__ import annotations

from collections.abc import Iterable
from importlib.metadata import version
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from migration_kg.files import write_file_atomically

EARL = Namespace("http://www.w3.org/ns/earl#")
DOAP = Namespace("http://usefulinc.com/ns/doap#")
PROJECT = URIRef("https://w3id.org/migration-kg/")
OUTCOMES = {"passed": EARL.passed, "failed": EARL.failed, "unsupported": EARL.cantTell, "error": EARL.failed}


#: One test's outcome: the test's IRI, the verdict (passed, failed, unsupported, error) and a note.
Outcome = tuple[str, str, str]


def earl_graph(outcomes: Iterable[Outcome]) -> Graph:
    """The EARL report: the project as the test subject, then one assertion per test (blank nodes numbered)."""
    graph = Graph()
    graph.bind("earl", EARL)
    graph.bind("doap", DOAP)
    graph.add((PROJECT, RDF.type, DOAP.Project))
    graph.add((PROJECT, RDF.type, EARL.Software))
    graph.add((PROJECT, RDF.type, EARL.TestSubject))
    graph.add((PROJECT, DOAP.name, Literal("migration-kg fast SHACL engine (validation path of build and validate)")))
    release = BNode("release")
    graph.add((PROJECT, DOAP.release, release))
    graph.add((release, RDF.type, DOAP.Version))
    graph.add((release, DOAP.revision, Literal(version("migration-kg"))))
    for index, (test, verdict, info) in enumerate(sorted(outcomes), start=1):
        assertion, result = BNode(f"a{index:03d}"), BNode(f"r{index:03d}")
        graph.add((assertion, RDF.type, EARL.Assertion))
        graph.add((assertion, EARL.assertedBy, PROJECT))
        graph.add((assertion, EARL.subject, PROJECT))
        graph.add((assertion, EARL.test, URIRef(test)))
        graph.add((assertion, EARL.result, result))
        graph.add((result, RDF.type, EARL.TestResult))
        graph.add((result, EARL.mode, EARL.automatic))
        graph.add((result, EARL.outcome, OUTCOMES[verdict]))
        if info:
            graph.add((result, EARL.info, Literal(info, lang="en")))
    return graph


def write_earl(outcomes: Iterable[Outcome], path: Path) -> None:
    """Write the EARL report as Turtle, atomically."""
    write_file_atomically(path, earl_graph(outcomes).serialize(format="turtle"))
