"""Subject blocks and the streaming writers: one pass writes every syntax, blank nodes get stable labels,
literals keep their datatypes, and a build from the store writes what the data files say."""

from __future__ import annotations

import io
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from migration_kg.graph.blocks import TripleSource
from migration_kg.graph.jsonld import Context
from migration_kg.graph.load import load_graph, load_store
from migration_kg.graph.serialize import FORMATS, write_formats
from migration_kg.pipeline.build import build

RDFLIB_FORMATS = {"turtle": "turtle", "jsonld": "json-ld", "ntriples": "nt", "rdfxml": "xml"}
EX = "http://example.org/"


@pytest.fixture(scope="module")
def context(project_root: Path) -> Context:
    return Context.from_file(project_root / "ontology" / "context.jsonld")


def test_one_pass_over_a_store_writes_what_each_format_writes_alone(project_root: Path, context: Context) -> None:
    files = sorted((project_root / "data").glob("*.ttl"))
    store, graph = load_store(files), load_graph(files)
    together = {name: io.StringIO() for name in FORMATS}
    write_formats(TripleSource(store), together, context)  # type: ignore[arg-type]
    for name, stream in together.items():
        alone = io.StringIO()
        write_formats(TripleSource(store), {name: alone}, context)
        assert stream.getvalue() == alone.getvalue(), name
    for name in ("ntriples", "jsonld"):  # the same from an rdflib graph (Turtle and RDF/XML declare fewer prefixes)
        assert together[name].getvalue() == FORMATS[name].write(graph, context), name


def test_ntriples_lines_are_sorted_and_subjects_grouped(project_root: Path) -> None:
    lines = FORMATS["ntriples"].write(load_graph([project_root / "data" / "places.ttl"])).splitlines()
    assert len(lines) > 100
    assert lines == sorted(lines)


def _with_blank_nodes() -> Graph:
    text = f"""@prefix ex: <{EX}> .
        ex:a ex:knows [ ex:name "x" ; ex:likes [ ex:name "y" ] ] , [ ex:name "z" ] .
        [ ex:name "free" ] ex:about ex:a ."""
    return Graph().parse(data=text, format="turtle")


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_blank_node_labels_do_not_depend_on_parsing(name: str, context: Context) -> None:
    first, second = _with_blank_nodes(), _with_blank_nodes()
    labels = [{s for s in graph.subjects() if isinstance(s, BNode)} for graph in (first, second)]
    assert labels[0] != labels[1]
    text = FORMATS[name].write(first, context)
    assert text == FORMATS[name].write(second, context)
    assert isomorphic(Graph().parse(data=text, format=RDFLIB_FORMATS[name]), first)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_literals_keep_their_datatypes(name: str, context: Context) -> None:
    graph = Graph()
    subject = URIRef(EX + "s")
    for index, (text, datatype) in enumerate([("3", XSD.int), ("12", XSD.byte), ("2.50", XSD.decimal),
                                               ("2018-12-07T10:00:00Z", XSD.dateTimeStamp), ("x", None)]):
        graph.add((subject, URIRef(f"{EX}p{index}"), Literal(text, datatype=datatype)))
    text = FORMATS[name].write(graph, context)
    assert isomorphic(Graph().parse(data=text, format=RDFLIB_FORMATS[name]), graph)


def test_build_keeps_datatypes_a_store_would_rewrite(project_copy: Path) -> None:
    """With an xsd:int in the data (a store would hold it as xsd:integer), both engines build, and the outputs
    keep the literal as it is written."""
    extra = project_copy / "data" / "ranks.ttl"
    extra.write_text(f"<https://w3id.org/migration-kg/id/theme/education> <{EX}rank> "
                     f'"3"^^<{XSD.int}> .\n', encoding="utf-8")
    for engine in ("fast", "pyshacl"):
        result = build(project_copy, project_copy / "dist", engine=engine)
        written = (result.out_dir / "migration-kg.nt").read_text(encoding="utf-8")
        assert f'<{EX}rank> "3"^^<{XSD.int}> .' in written
        parsed = {t.object for t in ox.parse(path=str(result.out_dir / "migration-kg.ttl"),
                                             format=ox.RdfFormat.TURTLE) if t.predicate.value == EX + "rank"}
        assert parsed == {ox.Literal("3", datatype=ox.NamedNode(str(XSD.int)))}
