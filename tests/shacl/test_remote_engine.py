"""Validation where the data lives gives the embedded engine's report, on real stores: ``oxigraph serve`` and
Debian's Virtuoso, one of each for the module, holding every shape fixture (with the vocabularies) in a named
graph of its own, the ontology in another, and the 10k synthetic graph with planted errors in a third; each is
validated through the SPARQL protocol, as ``validate --endpoint URL --graph IRI`` does, and compared with
``validate FILES`` (or the synthetic project's own ``validate``) run embedded: the same results (focus node, path,
value, shape, component, severity, message), the same quality-control rows, the planted errors of the manifest."""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from rdflib import BNode
from servers import oxigraph_server
from synthetic import generator
from virtuoso import virtuoso_server

from migration_kg.graph.load import load_graph
from migration_kg.graph.remote import SparqlDataset
from migration_kg.graph.serialize import to_ntriples
from migration_kg.pipeline.api import validate
from migration_kg.pipeline.build import load_project
from migration_kg.project import Project
from migration_kg.shacl.validation import ValidationReport, Violation, validate_store
from migration_kg.store.load import DURATIONS, verbatim_insert

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
VOCABULARIES = ROOT / "data" / "vocabularies.ttl"
SHAPE_FIXTURES = sorted((FIXTURES / "shapes").glob("*/*.ttl"))
GRAPH = "https://example.org/fixture/"
ONTOLOGY_GRAPH = GRAPH + "ontology"
PLANTED_GRAPH = GRAPH + "planted"
BLANK = re.compile(r"_:[A-Za-z0-9]+")


def graph_of(path: Path) -> str:
    return GRAPH + path.relative_to(FIXTURES).as_posix()


def ntriples(files: list[Path]) -> bytes:
    """The triples of ``files`` as N-Triples, each literal as written (as ``migration-kg dump`` writes them)."""
    return to_ntriples(load_graph(files)).encode("utf-8")


@dataclass
class Store:
    """A real store on 127.0.0.1 that the module fills graph by graph, and the query URL to validate at."""

    kind: str
    query_url: str
    graph_store_url: str

    def put(self, graph: str, data: bytes) -> None:
        """Add N-Triples to ``graph``; on Virtuoso, durations go through its verbatim procedure as
        ``migration-kg load --store virtuoso`` sends them (its other paths store "P5D" as "432000.0")."""
        lines = [line for line in data.splitlines() if line.strip()]
        aside = [line for line in lines if self.kind == "virtuoso" and _datatype(line) in DURATIONS]
        body = b"\n".join(line for line in lines if line not in aside) + b"\n"
        param = "graph-uri" if self.kind == "virtuoso" else "graph"
        _post(f"{self.graph_store_url}?{param}={urllib.parse.quote(graph, safe='')}", body,
              "application/n-triples")
        if aside:
            form = urllib.parse.urlencode({"query": verbatim_insert(graph, aside)}).encode()
            _post(self.query_url, form, "application/x-www-form-urlencoded")


def _datatype(line: bytes) -> str | None:
    match = re.search(rb'"\^\^<([^>]+)>\s*\.\s*$', line)
    return match.group(1).decode() if match else None


def _post(url: str, body: bytes, content_type: str) -> None:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": content_type})
    with urllib.request.urlopen(request, timeout=300) as answer:
        assert answer.status in (200, 201, 204)


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 10k synthetic project with the planted errors, and its manifest."""
    out = tmp_path_factory.mktemp("planted") / "project"
    generate = generator()
    generate.write_project(generate.generate(10_000, seed=7, plant=True), out)
    return out


@pytest.fixture(scope="module")
def planted_embedded(planted: Path) -> ValidationReport:
    return validate(project_root=planted)


@dataclass
class Reports:
    """What validate --endpoint found on one store: a report (or the error raised) per graph validated."""

    store: Store
    found: dict[str, ValidationReport | Exception]

    def __getitem__(self, graph: str) -> ValidationReport:
        found = self.found[graph]
        if isinstance(found, Exception):
            raise found
        return found


def _validate_all(store: Store, planted: Path) -> dict[str, ValidationReport | Exception]:
    """Each fixture's graph (with the ontology's), then the planted graph, validated in the store; four at a
    time, as several users would."""
    def run(graph: str) -> ValidationReport | Exception:
        root, graphs = (planted, (graph, ONTOLOGY_GRAPH)) if graph == PLANTED_GRAPH else (ROOT, (graph,))
        try:
            return validate(project_root=root, endpoint=store.query_url, graphs=graphs)
        except Exception as error:  # handed to the test of that graph
            return error

    graphs = [graph_of(path) for path in SHAPE_FIXTURES] + [PLANTED_GRAPH]
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(graphs, pool.map(run, graphs), strict=True))


def _fill(store: Store, planted: Path) -> None:
    """Each fixture with the vocabularies and the ontology in a graph of its own (one --graph); the planted data
    and the ontology in two graphs (validated as their union, with two --graph)."""
    ontology = ntriples(Project.at(ROOT).ontology_files())
    for path in SHAPE_FIXTURES:
        store.put(graph_of(path), ntriples([path, VOCABULARIES]) + ontology)
    store.put(ONTOLOGY_GRAPH, ontology)
    store.put(PLANTED_GRAPH, ntriples(Project.at(planted).data_files()))


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def remote(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
           planted: Path) -> Iterator[Reports]:
    """Every graph validated in a real store (Oxigraph, then Virtuoso), which runs until the module's tests on
    it are done."""
    work = tmp_path_factory.mktemp(request.param)
    if request.param == "oxigraph":
        with oxigraph_server(work) as server:
            store = Store("oxigraph", server.query_url, server.store_url)
            _fill(store, planted)
            yield Reports(store, _validate_all(store, planted))
    else:
        with virtuoso_server(work) as server:
            store = Store("virtuoso", server.sparql_url, server.graph_store_url)
            _fill(store, planted)
            yield Reports(store, _validate_all(store, planted))


@cache
def embedded(path: Path) -> ValidationReport:
    """``validate FILES`` on the fixture and the vocabularies, embedded."""
    return validate([path, VOCABULARIES], ROOT)


def comparable(violations: list[Violation], remote: bool) -> list[tuple[str, ...]]:
    """The results as text, blank-node labels left out (a store names the blank nodes it holds as it likes).

    The label of a blank focus node is left out too: a blank node cannot be named in a query, so a remote report
    cannot look its label up and shows the node's own label instead (never another entity's)."""
    rows = []
    for v in violations:
        focus, label = v.focus, v.focus_label
        if isinstance(v.focus_node, BNode):
            if remote:
                assert label == str(v.focus_node), f"a blank focus node labelled {label!r} by another node"
            focus = label = "_:b"
        rows.append(tuple(BLANK.sub("_:b", text) for text in (
            focus, label, v.path, v.value, v.source, v.component, v.severity, v.message)))
    return sorted(rows)


def qc_rows(report: ValidationReport) -> list[tuple[str, tuple[tuple[str, ...], ...]]]:
    return [(r.name, tuple(tuple(BLANK.sub("_:b", cell) for cell in row) for row in r.rows))
            for r in report.qc_results]


def test_every_shape_fixture_was_found() -> None:
    assert len(SHAPE_FIXTURES) >= 100
    assert {path.parent.name for path in SHAPE_FIXTURES} == {p.name for p in (FIXTURES / "shapes").iterdir()}


@pytest.mark.parametrize("path", SHAPE_FIXTURES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_shape_fixture_gives_the_embedded_report(remote: Reports, path: Path) -> None:
    report, expected = remote[graph_of(path)], embedded(path)
    assert comparable(report.violations, remote=True) == comparable(expected.violations, remote=False)
    assert qc_rows(report) == qc_rows(expected)
    assert report.quote_summary == expected.quote_summary
    if path.stem.startswith("invalid"):
        assert any(v.source.endswith(path.parent.name) for v in report.violations), "the shape under test fired"


def test_the_planted_graph_gives_the_embedded_report(remote: Reports, planted: Path,
                                                     planted_embedded: ValidationReport) -> None:
    report = remote[PLANTED_GRAPH]
    manifest = json.loads((planted / "manifest.json").read_text(encoding="utf-8"))
    planted_errors = {(item["focus"], check) for item in manifest["planted"] for check in item["checks"]}
    assert len(planted_errors) >= 10
    assert {(v.focus, v.source) for v in report.violations} == planted_errors
    assert report.violations == planted_embedded.violations
    assert qc_rows(report) == qc_rows(planted_embedded)
    assert report.to_text() == planted_embedded.to_text()


def test_the_data_stays_in_the_store(remote: Reports, planted: Path) -> None:
    """The planted graph is validated by a bounded number of queries whose answers are a small fraction of it."""
    loaded = load_project(Project.at(planted))
    dataset = SparqlDataset(remote.store.query_url, (PLANTED_GRAPH, ONTOLOGY_GRAPH))
    count = dataset.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(next(iter(count))["n"].value) >= 10_000  # type: ignore[call-overload]
    report = validate_store(dataset, loaded.shapes, loaded.project.qc_files())  # type: ignore[arg-type]
    assert report.violations
    data_bytes = len(ntriples(loaded.project.data_files()))
    assert dataset.requests < 600
    assert dataset.received < data_bytes / 10, f"{dataset.received:,} bytes read for {data_bytes:,} of data"


def test_a_store_that_cuts_its_answer_short_is_refused(remote: Reports) -> None:
    """Virtuoso caps an answer at ResultSetMaxRows (10,000 here) and still says 200 OK; the cut is refused.
    Oxigraph has no such cap: the same question is answered whole and read whole."""
    from migration_kg.errors import ResultTooLargeError

    dataset = SparqlDataset(remote.store.query_url, (PLANTED_GRAPH,))
    if remote.store.kind == "oxigraph":
        count = dataset.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        stored = int(next(iter(count))["n"].value)  # type: ignore[call-overload]
        assert stored > 10_000
        assert len(list(dataset.query("SELECT ?s WHERE { ?s ?p ?o }"))) == stored  # type: ignore[arg-type]
        return
    with pytest.raises(ResultTooLargeError, match=r"cut its answer .* at 10000 rows .*ResultSetMaxRows"):
        dataset.query("SELECT ?s WHERE { ?s ?p ?o }")
