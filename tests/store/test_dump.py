"""dump.py: gzipped N-Quads of the built graph, every triple in the named graph, loadable by ``oxigraph load``."""

from __future__ import annotations

import gzip
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
from servers import oxigraph_executable
from store_checks import local_triples

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
