"""The shapes stand alone and run unchanged in three independent SHACL engines: pyshacl, Apache Jena SHACL
(Debian's libapache-jena-java, all cases in one JVM) and rudof (pyrudof, read strictly). On the real data and on
every fixture, all three report the same results as our fast engine, and none needs the ontology beside the data."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDFS
from shacl_engines import (
    Case,
    Record,
    conforms,
    jena_reports,
    named_shape,
    path_text,
    pyshacl_report,
    report_records,
    rudof_report,
)

from migration_kg.graph.load import load_graph
from migration_kg.namespaces import SH
from migration_kg.shacl.validation import shacl_violations

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
SHAPES = ROOT / "shapes" / "migration-kg-shapes.ttl"
VOCABULARIES = ROOT / "data" / "vocabularies.ttl"
MKGSH = "https://w3id.org/migration-kg/shapes#"


def _our_cases() -> list[Case]:
    """Our shapes on the real data and on every fixture (shape, QC and CLI fixtures, each with the vocabularies)."""
    cases = [Case("data", SHAPES, tuple(sorted((ROOT / "data").glob("*.ttl"))))]
    for folder in ("shapes", "qc"):
        for path in sorted((FIXTURES / folder).glob("*/*.ttl")):
            cases.append(Case(f"{folder}/{path.parent.name}/{path.stem}", SHAPES, (path, VOCABULARIES)))
    for path in sorted((FIXTURES / "cli").glob("user-data-*.ttl")):
        cases.append(Case(f"cli/{path.stem}", SHAPES, (path, VOCABULARIES)))
    return cases


def _feature_cases() -> list[Case]:
    """The fast engine's feature fixtures: their own shapes, written to exercise each SHACL feature's corners."""
    return [Case(f"fastshacl/{path.stem.removesuffix('-shapes')}", path,
                 (path.with_name(path.name.replace("-shapes", "-data")),))
            for path in sorted((FIXTURES / "fastshacl").glob("*-shapes.ttl"))]


OUR_CASES = _our_cases()
FEATURE_CASES = _feature_cases()
CASES = {case.name: case for case in OUR_CASES + FEATURE_CASES}

_LITERAL_ANYTHING = [("<http://example.org/m1>", value, "DatatypeConstraintComponent")
                     for value in ('"1"^^<http://www.w3.org/2001/XMLSchema#integer>', '"x"', '"y"@en')]
M1 = "<http://example.org/m1>"
LENGTH = "http://example.org/LengthComponent"
#: Where an engine departs from pyshacl on the feature fixtures: (engine, case) -> (extra, missing) results as
#: (focus, value, component) or, for a refused shapes graph, the start of the error. Nothing else may differ.
KNOWN_DIFFERENCES: dict[tuple[str, str], tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]] | str] = {
    # sh:datatype rdfs:Literal: Jena and rudof accept only literals whose datatype is rdfs:Literal itself (the
    # letter of SHACL 4.1.2); pyshacl, and so our engine, accept any literal.
    ("jena", "fastshacl/datatypes"): (_LITERAL_ANYTHING, []),
    # rudof also misses ill-formed literals ("2018-02-30"^^xsd:date), which SHACL 4.1.2 counts as violations.
    ("rudof", "fastshacl/datatypes"): (_LITERAL_ANYTHING, [
        ("<http://example.org/m2>", '"2018-02-30"^^<http://www.w3.org/2001/XMLSchema#date>',
         "DatatypeConstraintComponent"),
        ("<http://example.org/m2>", '"2019-13-01"^^<http://www.w3.org/2001/XMLSchema#date>',
         "OrConstraintComponent")]),
    # rudof refuses this shapes graph, whichever of two faults it meets first: a shape with two sh:pattern values,
    # which SHACL allows (each must match), makes it fail; the sh:languageIn wildcard ( "*" ) makes it panic.
    ("rudof", "fastshacl/strings"): "Failed to parse SHACL schema|panicked: not yet implemented",
    # rudof does not validate a literal focus node named by sh:targetNode.
    ("rudof", "fastshacl/targets"): ([], [('"a literal focus"', "", "MinCountConstraintComponent")]),
    # sh:in ( true ) and the value "1"^^xsd:boolean: Jena and rudof compare RDF terms, as SHACL 4.6.3 says, and
    # find it missing (Jena writes the value in canonical form); pyshacl compares values and accepts it.
    ("jena", "fastshacl/lexical"): ([(M1, '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>',
                                      "InConstraintComponent")], []),
    # rudof also fails sh:hasValue "007"^^xsd:integer on nodes whose value is written exactly so.
    ("rudof", "fastshacl/lexical"): ([(M1, "", "HasValueConstraintComponent"),
                                      (M1, '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>',
                                       "InConstraintComponent"),
                                      ("<http://example.org/m3>", "", "HasValueConstraintComponent")], []),
    # A SPARQL-based constraint component (SHACL 6): Jena runs the node shape's ASK validator on the subject
    # instead of the literal focus nodes (sh:targetObjectsOf); rudof does not run such components at all.
    ("jena", "fastshacl/prebinding"): ([("<http://example.org/a>", '"Al"', LENGTH)],
                                       [('"Al"', '"Al"', LENGTH), ('"B"', '"B"', LENGTH)]),
    ("rudof", "fastshacl/prebinding"): ([], [('"Al"', '"Al"', LENGTH), ('"B"', '"B"', LENGTH),
                                             ("<http://example.org/a>", '"Al"', LENGTH),
                                             ("<http://example.org/b>", '"B"', LENGTH),
                                             ("<http://example.org/c>", '"Cee"', LENGTH)]),
}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_graph(sorted((ROOT / "ontology").glob("*.ttl")))


@pytest.fixture(scope="module")
def jena(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Graph | str]:
    """Jena's report for every case, from one JVM run."""
    return jena_reports(list(CASES.values()), tmp_path_factory.mktemp("jena"))


def ours(case: Case, ontology: Graph | None) -> Counter[Record]:
    """The fast engine's results as records (from the RDF terms they carry), with the ontology beside the data
    as `build` runs it."""
    data = load_graph(list(case.data))
    shapes = load_graph([case.shapes])
    found: Counter[Record] = Counter()
    for v in shacl_violations(data, shapes, ontology or Graph(), "fast"):
        found[(_n3(v.focus_node), path_text(shapes, v.path_node), _n3(v.value_node),
               named_shape(shapes, v.source_shape), v.component, v.severity)] += 1
    return found


def _n3(term: object) -> str:
    return "" if term is None else "_:" if isinstance(term, BNode) else term.n3()  # type: ignore[attr-defined]


def test_the_cases_cover_every_fixture() -> None:
    """A glob that matched nothing would make the comparisons vacuous: count what was found."""
    assert len([name for name in CASES if name.startswith("shapes/")]) >= 90
    assert len([name for name in CASES if name.startswith("qc/")]) == 2 * len(list((FIXTURES / "qc").iterdir()))
    assert len(FEATURE_CASES) >= 8
    assert all(path.is_file() for case in CASES.values() for path in (case.shapes, *case.data))


def test_every_sparql_constraint_declares_its_prefixes() -> None:
    """Jena and rudof resolve prefixes only through sh:prefixes (pyshacl is lenient); every one is declared."""
    shapes = Graph().parse(SHAPES)
    constraints = list(shapes.objects(None, SH.sparql))
    assert len(constraints) >= 4
    for constraint in constraints:
        (declaring,) = shapes.objects(constraint, SH.prefixes)
        declared = {str(shapes.value(d, SH.prefix)) for d in shapes.objects(declaring, SH.declare)}
        query = str(shapes.value(constraint, SH.select))
        used = {word.split(":")[0] for word in query.replace("(", " ").split() if ":" in word and "<" not in word}
        assert used <= declared, (constraint, used - declared)


def test_class_lists_match_the_ontology(ontology: Graph) -> None:
    """The shapes need no inference because every class target and class check names the subclasses itself."""
    shapes = Graph().parse(SHAPES)

    def closure(cls: URIRef) -> set[URIRef]:
        return set(ontology.transitive_subjects(RDFS.subClassOf, cls))

    for shape in set(shapes.subjects(SH.targetClass, None)):
        targets = set(shapes.objects(shape, SH.targetClass))
        for cls in targets:
            assert closure(cls) <= targets, (shape, cls, closure(cls) - targets)
    helpers = {URIRef(MKGSH + name): URIRef(f"https://schema.org/{name.removeprefix('Any')}")
               for name in ("AnyPlace", "AnyOrganization", "AnyEvent", "AnyCreativeWork")}
    for helper, cls in helpers.items():
        listed = {shapes.value(member, SH["class"]) for member in shapes.items(shapes.value(helper, SH["or"]))}
        assert listed == closure(cls), helper
    inside_helpers = {m for h in helpers for m in shapes.items(shapes.value(h, SH["or"]))}
    for node, cls in shapes.subject_objects(SH["class"]):
        if node not in inside_helpers:
            assert closure(cls) == {cls}, f"sh:class {cls} has subclasses: use its Any* helper shape"


def test_jena_accepts_every_shapes_graph_and_data_file(jena: dict[str, Graph | str]) -> None:
    refused = {name: report for name, report in jena.items() if isinstance(report, str)}
    assert refused == {}


@pytest.mark.parametrize("case", OUR_CASES, ids=lambda case: case.name)
def test_every_engine_reports_the_same_results(case: Case, ontology: Graph, jena: dict[str, Graph | str]) -> None:
    """pyshacl, Jena and rudof, each without the ontology, and our engine with it, find exactly the same results;
    pyshacl with the ontology beside the data finds the same again (the shapes need no inference)."""
    reference = report_records(*pyshacl_report(case))
    if "/invalid" in case.name:
        assert reference, f"pyshacl found nothing in {case.name}"
    assert report_records(*pyshacl_report(case, ontology)) == reference, "pyshacl with the ontology"
    jena_report = jena[case.name]
    assert not isinstance(jena_report, str), jena_report
    assert report_records(jena_report, jena_report) == reference, "Jena SHACL"
    rudof_graph, rudof_shapes = rudof_report(case)
    assert report_records(rudof_graph, rudof_shapes) == reference, "rudof"
    assert conforms(jena_report) is conforms(rudof_graph) is (not reference)
    assert ours(case, ontology) == reference, "our fast engine"


def _difference(found: Counter[Record], reference: Counter[Record]) -> tuple[list, list]:
    def short(records: Counter[Record]) -> list[tuple[str, str, str]]:
        return sorted((r[0], r[2], r[4].rsplit("#", 1)[-1]) for r in records.elements())

    return short(found - reference), short(reference - found)


@pytest.mark.parametrize("case", FEATURE_CASES, ids=lambda case: case.name)
def test_feature_fixtures_differ_only_where_known(case: Case, jena: dict[str, Graph | str]) -> None:
    """On the feature fixtures (corner cases on purpose) Jena and rudof agree with pyshacl except where listed."""
    reference = report_records(*pyshacl_report(case))
    assert len(reference) >= 3
    jena_report = jena[case.name]
    assert not isinstance(jena_report, str), jena_report
    known = KNOWN_DIFFERENCES.get(("jena", case.name), ([], []))
    assert _difference(report_records(jena_report, jena_report), reference) == known, "Jena SHACL"
    known = KNOWN_DIFFERENCES.get(("rudof", case.name), ([], []))
    if isinstance(known, str):
        with pytest.raises(Exception, match=known):
            rudof_report(case)
        return
    assert _difference(report_records(*rudof_report(case)), reference) == known, "rudof"
