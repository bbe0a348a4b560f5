"""The W3C SHACL test suite (w3c/data-shapes, data-shapes-test-suite/, commit
ff9edb9c85375498b49391fb65ef3ff6525ebe08, in ../shared/reference/w3c-shacl-tests/) through the validation path of
``build`` and ``validate`` and through ``validate_graph``: every test passes, and the committed EARL report says
so."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Namespace

from migration_kg.shacl.conformance import SuiteTest, read_suite, run_test

ROOT = Path(__file__).resolve().parents[2]
SUITE = ROOT.parent / "shared" / "reference" / "w3c-shacl-tests"
EARL_REPORT = ROOT / "docs" / "shacl-conformance" / "earl.ttl"
EARL = Namespace("http://www.w3.org/ns/earl#")
TESTS = read_suite(SUITE / "tests" / "manifest.ttl") if SUITE.is_dir() else []


def test_the_suite_is_there() -> None:
    """Beside the checkout, with its 98 approved core tests and the SHACL-SPARQL tests."""
    assert SUITE.is_dir(), f"the W3C SHACL test suite is missing at {SUITE}"
    core = [test for test in TESTS if test.iri.startswith("urn:x-shacl-test:/core/")]
    assert len(core) == 98 and all(test.approved for test in core)
    assert len([test for test in TESTS if test.iri.startswith("urn:x-shacl-test:/sparql/")]) == 22


@pytest.mark.parametrize("test", TESTS, ids=lambda test: test.iri.removeprefix("urn:x-shacl-test:/"))
def test_build_path(test: SuiteTest) -> None:
    outcome = run_test(test, "build")
    assert outcome.verdict == "passed", outcome.info


@pytest.mark.parametrize("test", TESTS, ids=lambda test: test.iri.removeprefix("urn:x-shacl-test:/"))
def test_validate_graph_path(test: SuiteTest) -> None:
    outcome = run_test(test, "graph")
    assert outcome.verdict == "passed", outcome.info


def test_the_earl_report_is_current() -> None:
    """docs/shacl-conformance/earl.ttl (written by scripts/shacl-conformance) names every test as passed."""
    report = Graph().parse(EARL_REPORT)
    outcomes = {str(report.value(assertion, EARL.test)): report.value(report.value(assertion, EARL.result),
                                                                        EARL.outcome)
                for assertion in report.subjects(EARL.test, None)}
    assert outcomes == {test.iri: EARL.passed for test in TESTS}
