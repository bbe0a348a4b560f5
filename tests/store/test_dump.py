"""dump.py: gzipped N-Quads of the built graph, every triple in the named graph, loadable by ``oxigraph load``."""

from __future__ import annotations

import gzip
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
from servers import oxigraph_executable, oxigraph_server
from store_checks import every_question_answers_as_embedded, local_triples

from migration_kg.errors import InputError
from migration_kg.namespaces import DATASET_IRI
from migration_kg.store.dump import DUMP_NAME, dump


def read_quads(path: Path) -> list[ox.Quad]:
    with gzip.open(path, "rb") as stream:
        return list(ox.parse(stream.read(), format=ox.RdfFormat.N_QUADS))


def test_dump_puts_every_triple_in_the_dataset_graph(dist_dir, tmp_path):
    result = dump(dist_dir, tmp_path / "kg.nq.gz")
    quads = read_quads(result.path)
    triples = local_triples(dist_dir / "migration-kg.nt")
    assert {ox.Triple(q.subject, q.predicate, q.object) for q in quads} == triples
    assert {q.graph_name for q in quads} == {ox.NamedNode(DATASET_IRI)}
    assert (result.quads, len(quads), result.bytes) == (len(triples), len(triples), result.path.stat().st_size)


def test_dump_writes_beside_the_graph_by_default_and_is_deterministic(dist_dir, tmp_path):
    copy = tmp_path / "dist"
    copy.mkdir()
    (copy / "migration-kg.nt").write_bytes((dist_dir / "migration-kg.nt").read_bytes())
    first = dump(copy).path
    content = first.read_bytes()
    second = dump(copy).path
    assert first == second == copy / DUMP_NAME
    assert second.read_bytes() == content
    assert sorted(p.name for p in copy.iterdir()) == [DUMP_NAME, "migration-kg.nt"]


def test_dump_into_another_graph(dist_dir, tmp_path):
    result = dump(dist_dir, tmp_path / "other.nq.gz", graph="https://example.org/g")
    assert {q.graph_name for q in read_quads(result.path)} == {ox.NamedNode("https://example.org/g")}


def test_a_bad_source_or_name_writes_nothing(tmp_path):
    broken = tmp_path / "broken.nt"
    broken.write_text('<https://example.org/a> <https://example.org/b> "no final dot"\n', encoding="utf-8")
    good = tmp_path / "good.nt"
    good.write_text('<https://example.org/a> <https://example.org/b> "c" .\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"broken.nt:1: not an N-Triples line"):
        dump(broken, tmp_path / "out.nq.gz")
    with pytest.raises(InputError, match=r"\*\.nq\.gz"):
        dump(good, tmp_path / "out.nq")
    with pytest.raises(InputError, match="migration-kg build"):
        dump(tmp_path / "nowhere")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.nt", "good.nt"]


def test_oxigraph_load_takes_the_dump(dist_dir, tmp_path):
    result = dump(dist_dir, tmp_path / "kg.nq.gz")
    location = tmp_path / "db"
    subprocess.run([oxigraph_executable(), "load", "--location", str(location), "--file", str(result.path)],
                   check=True, capture_output=True)
    store = ox.Store.read_only(str(location))
    loaded = {ox.Triple(q.subject, q.predicate, q.object)
              for q in store.quads_for_pattern(None, None, None, ox.NamedNode(DATASET_IRI))}
    assert loaded == local_triples(dist_dir / "migration-kg.nt")


def test_dump_into_the_default_graph(dist_dir, tmp_path):
    result = dump(dist_dir, tmp_path / "kg.nq.gz", graph=None)
    quads = read_quads(result.path)
    assert {q.graph_name for q in quads} == {ox.DefaultGraph()} and result.where == "the default graph"
    assert {ox.Triple(q.subject, q.predicate, q.object) for q in quads} == local_triples(dist_dir / "migration-kg.nt")


@pytest.mark.server
@pytest.mark.parametrize(("graph", "serve_options"), [(DATASET_IRI, ("--union-default-graph",)), (None, ())],
                         ids=["named-graph-with-union-default-graph", "default-graph-dump"])
def test_the_bulk_path_answers_every_question_as_embedded(dist_dir, project_root, tmp_path, graph, serve_options):
    """The documented path: `migration-kg dump` -> `oxigraph load` -> `oxigraph serve`; then every question,
    sent by `migration-kg query --endpoint`'s own code, gives exactly the embedded answer."""
    result = dump(dist_dir, tmp_path / "kg.nq.gz", graph=graph)
    location = tmp_path / "db"
    subprocess.run([oxigraph_executable(), "load", "--location", str(location), "--file", str(result.path)],
                   check=True, capture_output=True)
    with oxigraph_server(location, *serve_options) as server:
        assert every_question_answers_as_embedded(server.query_url, dist_dir, project_root) == 25


@pytest.mark.server
def test_without_the_union_default_graph_a_named_graph_dump_answers_nothing(dist_dir, tmp_path):
    """Why the docs say --union-default-graph (or dump --default-graph): queries read the default graph."""
    from migration_kg.query.questions import find_query, run_endpoint

    result = dump(dist_dir, tmp_path / "kg.nq.gz")
    location = tmp_path / "db"
    subprocess.run([oxigraph_executable(), "load", "--location", str(location), "--file", str(result.path)],
                   check=True, capture_output=True)
    with oxigraph_server(location) as server:
        question = find_query("council-member-cities", Path(__file__).resolve().parents[2] / "queries")
        assert run_endpoint(server.query_url, question).rows == []
