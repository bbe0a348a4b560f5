"""Run the W3C SHACL test suite through the same validation path as ``build`` and ``validate``, and report.

The suite (https://w3c.github.io/data-shapes/data-shapes-test-suite/) is a tree of manifests; each test names a
data graph, a shapes graph and the expected validation report, or ``sht:Failure`` when the shapes are ill-formed.
Each test's data is loaded into a pyoxigraph store as the build loads it and validated by
:func:`migration_kg.shacl.validation.validate_store` (or ``validate_graph``, the engine alone, or pyshacl for
comparison). Results are compared with the expected ones as a multiset of focus node, path, value, source shape,
constraint component and severity (and the messages, where the test names them); blank nodes are compared by
their description, since their labels differ from one parse to the next.

    python -m migration_kg.shacl.conformance ../shared/reference/w3c-shacl-tests [--path build] [--earl FILE]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from rdflib import BNode, Graph, Literal, Namespace, Node, URIRef
from rdflib.namespace import RDF, RDFS

from migration_kg.errors import InputError
from migration_kg.graph.load import load_graph
from migration_kg.namespaces import SH
from migration_kg.shacl.shapes import IllFormedShapes, UnsupportedShaclFeature
from migration_kg.shacl.validation import Violation

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")
TEST_BASE = "urn:x-shacl-test:/"
PATHS = ("build", "graph", "engine", "pyshacl")
VERDICTS = ("passed", "failed", "unsupported", "error")


@dataclass(frozen=True)
class Found:
    """One validation result, as terms: data nodes described in ``data``, shapes nodes in ``shapes``."""

    focus: Node
    path: Node | None
    value: Node | None
    shape: Node
    component: Node
    severity: Node
    messages: frozenset[Literal] = frozenset()
    constraint: Node | None = None


@dataclass(frozen=True)
class SuiteTest:
    """One ``sht:Validate`` entry of a manifest."""

    iri: str
    label: str
    data: Path
    shapes: Path
    manifest: Graph = field(compare=False, repr=False)
    report: Node | None = field(compare=False)  # the expected sh:ValidationReport, None for sht:Failure
    approved: bool = True


@dataclass(frozen=True)
class Outcome:
    test: SuiteTest
    verdict: str
    info: str = ""


def file_uri(path: Path) -> str:
    return path.resolve().as_uri()


def uri_path(uri: Node) -> Path:
    return Path(unquote(urlparse(str(uri)).path))


def read_suite(manifest: Path, root: Path | None = None) -> list[SuiteTest]:
    """Every test of ``manifest`` and the manifests it includes, in order."""
    root = (root or manifest.parent).resolve()
    graph = load_graph([manifest], base_iri=file_uri(manifest))
    found: list[SuiteTest] = []
    for included in graph.objects(URIRef(file_uri(manifest)), MF.include):
        found.extend(read_suite(uri_path(included), root))
    for entries in graph.objects(URIRef(file_uri(manifest)), MF.entries):
        for entry in graph.items(entries):
            if (entry, RDF.type, SHT.Validate) not in graph:
                continue
            action = graph.value(entry, MF.action)
            result = graph.value(entry, MF.result)
            data, shapes = graph.value(action, SHT.dataGraph), graph.value(action, SHT.shapesGraph)
            if data is None or shapes is None:
                raise InputError(f"test {entry} names no data graph or no shapes graph", manifest)
            relative = uri_path(entry).resolve().relative_to(root).as_posix()
            found.append(SuiteTest(
                iri=TEST_BASE + relative, label=str(graph.value(entry, RDFS.label) or ""),
                data=uri_path(data), shapes=uri_path(shapes),
                manifest=graph, report=None if result == SHT.Failure else result,
                approved=graph.value(entry, MF.status) == SHT.approved))
    return found


# ---------------------------------------------------------------------------------------------- comparing


def describe(term: Node | None, graphs: Iterable[Graph], depth: int = 0) -> str:
    """A label-free text for ``term``: blank nodes by what they say (their outgoing triples, recursively)."""
    if term is None:
        return "-"
    if not isinstance(term, BNode):
        return term.n3()
    if depth > 6:
        return "[...]"
    for graph in graphs:
        pairs = sorted(f"{p.n3()} {describe(o, [graph], depth + 1)}" for p, o in graph.predicate_objects(term))
        if pairs:
            return "[" + "; ".join(pairs) + "]"
    return "[]"


def describe_path(path: Node | None, graphs: Iterable[Graph]) -> str:
    """A SHACL property path as text, read as the engine reads it (a list first, then the path keywords)."""
    if not isinstance(path, BNode):
        return describe(path, graphs)
    for graph in graphs:
        if (path, RDF.first, None) in graph:
            return "(" + " / ".join(describe_path(step, [graph]) for step in graph.items(path)) + ")"
        for keyword in ("inversePath", "zeroOrMorePath", "oneOrMorePath", "zeroOrOnePath"):
            inner = graph.value(path, SH[keyword])
            if inner is not None:
                return f"{keyword}({describe_path(inner, [graph])})"
        alternatives = graph.value(path, SH.alternativePath)
        if alternatives is not None:
            return "(" + " | ".join(describe_path(step, [graph]) for step in graph.items(alternatives)) + ")"
    return describe(path, graphs)


Key = tuple[str, ...]


def found(focus: Node | None, path: Node | None, value: Node | None, shape: Node | None, component: Node | None,
          severity: Node | None, messages: frozenset[Literal] = frozenset(), constraint: Node | None = None) -> Found:
    """A :class:`Found` from a report's values (a missing one becomes ``rdf:nil``, which no expected result has)."""
    def given(term: Node | None) -> Node:
        return RDF.nil if term is None else term

    return Found(focus=given(focus), path=path, value=value, shape=given(shape), component=given(component),
                 severity=given(severity), messages=messages, constraint=constraint)


def key_of(found: Found, data: list[Graph], shapes: list[Graph]) -> Key:
    return (describe(found.focus, data), describe_path(found.path, shapes), describe(found.value, data),
            describe(found.shape, shapes), describe(found.component, shapes), describe(found.severity, shapes))


def expected_results(test: SuiteTest) -> tuple[bool, list[tuple[Key, frozenset[Literal], str | None]]]:
    """Whether the expected report conforms, and its results: key, messages named, source constraint."""
    graph, report = test.manifest, test.report
    conforms = graph.value(report, SH.conforms)
    results = []
    for node in graph.objects(report, SH.result):
        expected = found(graph.value(node, SH.focusNode), graph.value(node, SH.resultPath), graph.value(node, SH.value),
                         graph.value(node, SH.sourceShape), graph.value(node, SH.sourceConstraintComponent),
                         graph.value(node, SH.resultSeverity))
        messages = frozenset(m for m in graph.objects(node, SH.resultMessage) if isinstance(m, Literal))
        constraint = graph.value(node, SH.sourceConstraint)
        results.append((key_of(expected, [graph], [graph]), messages, describe(constraint, [graph])
                        if constraint is not None else None))
    return str(conforms).lower() == "true", results


def compare(test: SuiteTest, results: list[Found], data: list[Graph], shapes: list[Graph]) -> tuple[bool, str]:
    """Whether ``results`` is the expected report: same conformance, same results as a multiset."""
    conforms, expected = expected_results(test)
    actual = [(key_of(f, data, shapes), f.messages, describe(f.constraint, shapes) if f.constraint else None)
              for f in results]
    if conforms != (not results):
        return False, f"conforms should be {conforms}, {len(results)} results"
    unmatched = list(actual)
    missing = []
    for key, messages, constraint in expected:
        match = next((i for i, (k, m, c) in enumerate(unmatched) if k == key and (not messages or m == messages)
                      and (constraint is None or c == constraint)), None)
        if match is None:
            missing.append(key)
        else:
            unmatched.pop(match)
    if missing or unmatched:
        lines = [f"missing {' | '.join(k)}" for k in missing[:3]] + \
                [f"unexpected {' | '.join(k)}" for k, _m, _c in unmatched[:3]]
        return False, f"{len(missing)} missing, {len(unmatched)} unexpected: " + "; ".join(lines)
    return True, ""


# ---------------------------------------------------------------------------------------------- running


Runner = Callable[[SuiteTest], tuple[list[Found], list[Graph], list[Graph]]]


def run_build_path(test: SuiteTest) -> tuple[list[Found], list[Graph], list[Graph]]:
    """The build's path: the data bulk-loaded into a store, validated by ``validation.validate_store``."""
    from migration_kg.graph.load import load_data, store_to_graph
    from migration_kg.shacl.validation import validate_store

    store, faithful, rewrites = load_data([test.data], base_iri=file_uri(test.data))
    shapes = load_graph([test.shapes], base_iri=file_uri(test.shapes))
    report = validate_store(store, shapes, [], rewrites=rewrites)
    return [from_violation(v) for v in report.violations], [store_to_graph(faithful or store, (), rewrites)], [shapes]


def run_graph_path(test: SuiteTest) -> tuple[list[Found], list[Graph], list[Graph]]:
    """``validation.validate_graph``: the data as an rdflib graph (what the Python API accepts)."""
    from migration_kg.shacl.validation import validate_graph

    data = load_graph([test.data], base_iri=file_uri(test.data))
    shapes = load_graph([test.shapes], base_iri=file_uri(test.shapes))
    report = validate_graph(data, shapes, Graph(), [])
    return [from_violation(v) for v in report.violations], [data], [shapes]


def run_engine(test: SuiteTest) -> tuple[list[Found], list[Graph], list[Graph]]:
    """The fast engine alone, on the store as the build loads it (no report, no labels)."""
    from migration_kg.graph.load import load_data, store_to_graph, to_rdflib
    from migration_kg.shacl.engine import validate_store

    store, _faithful, rewrites = load_data([test.data], base_iri=file_uri(test.data))
    shapes = load_graph([test.shapes], base_iri=file_uri(test.shapes))
    found = [Found(focus=to_rdflib(r.focus), path=r.path, value=to_rdflib(r.value) if r.value is not None else None,
                   shape=r.shape, component=URIRef(r.component), severity=URIRef(r.severity),
                   messages=frozenset(r.messages), constraint=r.constraint)
             for r in validate_store(store, shapes, rewrites=rewrites)]
    return found, [store_to_graph(store, (), rewrites)], [shapes]


def run_pyshacl(test: SuiteTest) -> tuple[list[Found], list[Graph], list[Graph]]:
    """pyshacl, the reference engine, on the same graphs."""
    from pyshacl import validate

    data = load_graph([test.data], base_iri=file_uri(test.data))
    shapes = load_graph([test.shapes], base_iri=file_uri(test.shapes))
    _conforms, report, _text = validate(data, shacl_graph=shapes, inference="none", advanced=True)
    if not isinstance(report, Graph):  # pyshacl's ValidationFailure: it refused the shapes
        raise IllFormedShapes(str(report))
    results = []
    for node in {r for rep in report.subjects(RDF.type, SH.ValidationReport) for r in report.objects(rep, SH.result)}:
        results.append(found(
            report.value(node, SH.focusNode), report.value(node, SH.resultPath), report.value(node, SH.value),
            report.value(node, SH.sourceShape), report.value(node, SH.sourceConstraintComponent),
            report.value(node, SH.resultSeverity),
            frozenset(m for m in report.objects(node, SH.resultMessage) if isinstance(m, Literal)),
            report.value(node, SH.sourceConstraint)))
    return results, [data], [shapes, report]


def from_violation(violation: Violation) -> Found:
    assert violation.focus_node is not None and violation.source_shape is not None
    return Found(focus=violation.focus_node, path=violation.path_node, value=violation.value_node,
                 shape=violation.source_shape, component=URIRef(violation.component),
                 severity=URIRef(violation.severity), messages=frozenset(violation.messages),
                 constraint=violation.source_constraint)


RUNNERS: dict[str, Runner] = {"build": run_build_path, "graph": run_graph_path, "engine": run_engine,
                              "pyshacl": run_pyshacl}


def run_test(test: SuiteTest, path: str = "build") -> Outcome:
    """Run one test through ``path`` and judge it."""
    try:
        results, data, shapes = RUNNERS[path](test)
    except IllFormedShapes as error:
        return Outcome(test, "passed" if test.report is None else "failed", str(error))
    except UnsupportedShaclFeature as error:
        return Outcome(test, "unsupported", str(error))
    except Exception as error:  # a crash is a verdict here, not a reason to stop the suite
        return Outcome(test, "error", f"{type(error).__name__}: {error}")
    if test.report is None:
        return Outcome(test, "failed", "the shapes are ill-formed, but no failure was signalled")
    passed, info = compare(test, results, data, shapes)
    return Outcome(test, "passed" if passed else "failed", info)


def run_suite(suite: Path, path: str = "build") -> list[Outcome]:
    """Run every test under ``suite`` (its ``tests/manifest.ttl``, or a manifest file itself)."""
    manifest = suite if suite.is_file() else suite / "tests" / "manifest.ttl"
    return [run_test(test, path) for test in read_suite(manifest)]


def tally(outcomes: list[Outcome]) -> Counter[str]:
    return Counter(outcome.verdict for outcome in outcomes)


def main(argv: list[str] | None = None) -> int:
    from migration_kg.shacl.earl import write_earl

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("suite", type=Path, help="the test suite's folder (holding tests/manifest.ttl)")
    parser.add_argument("--path", action="append", choices=PATHS,
                        help="which validation path to run (repeatable; default: every one)")
    parser.add_argument("--earl", type=Path, help="write the EARL report of the build's path to this file")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every test that did not pass")
    args = parser.parse_args(argv)
    paths = args.path or list(PATHS)
    results = {path: run_suite(args.suite, path) for path in paths}
    print("| path | tests | " + " | ".join(VERDICTS) + " |")
    print("|---|---|" + "---:|" * len(VERDICTS))
    for path, outcomes in results.items():
        for part, prefix in (("core", TEST_BASE + "core/"), ("SHACL-SPARQL", TEST_BASE + "sparql/")):
            counts = tally([outcome for outcome in outcomes if outcome.test.iri.startswith(prefix)])
            print(f"| {path} | {part} | " + " | ".join(str(counts[v]) for v in VERDICTS) + " |")
    for path, outcomes in results.items():
        for outcome in outcomes if args.verbose else []:
            if outcome.verdict != "passed":
                print(f"{path} {outcome.verdict} {outcome.test.iri}: {outcome.info}"[:400])
    if args.earl:
        outcomes = results.get("build") or run_suite(args.suite, "build")
        write_earl([(outcome.test.iri, outcome.verdict, outcome.info) for outcome in outcomes], args.earl)
    return 0 if all(o.verdict == "passed" for o in results.get("build", [])) else 1


if __name__ == "__main__":
    sys.exit(main())
