"""store.py against a real Oxigraph server: every load path, idempotence, counts, and every fault case."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest
from servers import misbehaving_server, oxigraph_server, refused_url
from store_checks import every_question_answers_as_embedded, local_triples, remote_graphs, remote_triples, update
from store_proxy import store_proxy

from migration_kg.errors import (
    CountMismatchError,
    InputError,
    PartialLoadError,
    StoreAuthError,
    StoreError,
    StoreUnreachableError,
    UsageError,
)
from migration_kg.namespaces import DATASET_IRI
from migration_kg.store.http import Credentials
from migration_kg.store.load import (
    PRESETS,
    insert_data,
    load,
    resolve_endpoints,
    staging_graph,
    verbatim_insert,
)

pytestmark = pytest.mark.server

OLD = '<https://example.org/old> <https://example.org/says> "the previous load" .'
OTHER_GRAPH = "https://example.org/other-graph"


@pytest.fixture()
def store(tmp_path: Path):
    with oxigraph_server(tmp_path / "oxigraph") as server:
        yield server


@pytest.fixture(scope="module")
def nt(dist_dir: Path) -> Path:
    return dist_dir / "migration-kg.nt"


@pytest.fixture(scope="module")
def triples(nt: Path) -> set:
    return local_triples(nt)


def endpoints_of(server, base: str | None = None):
    return resolve_endpoints("oxigraph", base or server.base)


def put_old_graph(server) -> set:
    """Fill the target graph with one old triple and another graph with one triple; return the old content."""
    update(server.update_url, f"INSERT DATA {{ GRAPH <{DATASET_IRI}> {{ {OLD} }} "
                              f"GRAPH <{OTHER_GRAPH}> {{ <https://example.org/a> <https://example.org/b> 1 }} }}")
    return remote_triples(server.query_url, DATASET_IRI)


@pytest.mark.parametrize("protocol", ["graph-store", "update"])
def test_load_puts_every_triple_in_the_graph_and_nothing_else(store, dist_dir, triples, protocol):
    result = load(dist_dir, endpoints_of(store), protocol=protocol, chunk_size=1000)
    assert remote_triples(store.query_url, DATASET_IRI) == triples
    assert remote_graphs(store.query_url) == {DATASET_IRI: len(triples)}
    assert (result.triples, result.before, result.after) == (len(triples), 0, len(triples))
    assert result.requests == -(-len(triples) // 1000)  # the triples in chunks of 1,000
    assert "triples/s" in result.summary() and f"{len(triples):,} triples" in result.summary()


def test_replace_swaps_the_old_graph_out_and_leaves_other_graphs_alone(store, dist_dir, triples):
    old = put_old_graph(store)
    result = load(dist_dir, endpoints_of(store))
    assert remote_triples(store.query_url, DATASET_IRI) == triples
    assert not old & remote_triples(store.query_url, DATASET_IRI)
    assert remote_graphs(store.query_url) == {DATASET_IRI: len(triples), OTHER_GRAPH: 1}
    assert (result.before, result.after) == (1, len(triples))


def test_loading_the_same_build_twice_changes_nothing(store, dist_dir, triples):
    first = load(dist_dir, endpoints_of(store))
    after_first = remote_triples(store.query_url, DATASET_IRI)
    second = load(dist_dir, endpoints_of(store), protocol="update")
    assert remote_triples(store.query_url, DATASET_IRI) == after_first == triples
    assert (second.before, second.after) == (first.after, first.after)
    assert remote_graphs(store.query_url) == {DATASET_IRI: len(triples)}


def test_append_adds_to_the_graph_and_checks_the_exact_count(store, dist_dir, triples):
    old = put_old_graph(store)
    result = load(dist_dir, endpoints_of(store), mode="append")
    assert remote_triples(store.query_url, DATASET_IRI) == triples | old
    assert (result.before, result.after) == (1, len(triples) + 1)
    again = load(dist_dir, endpoints_of(store), mode="append", protocol="update")
    assert (again.before, again.after) == (len(triples) + 1, len(triples) + 1)
    assert remote_graphs(store.query_url) == {DATASET_IRI: len(triples) + 1, OTHER_GRAPH: 1}


@pytest.mark.parametrize("mode", ["replace", "append"])
def test_direct_load_writes_straight_into_the_graph(store, dist_dir, triples, mode):
    old = put_old_graph(store)
    result = load(dist_dir, endpoints_of(store), direct=True, mode=mode, chunk_size=700)
    expected = triples if mode == "replace" else triples | old
    assert remote_triples(store.query_url, DATASET_IRI) == expected
    assert result.direct and result.after == len(expected)
    assert set(remote_graphs(store.query_url)) == {DATASET_IRI, OTHER_GRAPH}


def test_a_staging_graph_left_by_a_crashed_load_is_dropped(store, dist_dir, triples):
    staging = staging_graph(DATASET_IRI)
    update(store.update_url, f"INSERT DATA {{ GRAPH <{staging}> {{ {OLD} }} }}")
    load(dist_dir, endpoints_of(store))
    assert remote_triples(store.query_url, DATASET_IRI) == triples
    assert remote_graphs(store.query_url) == {DATASET_IRI: len(triples)}


def test_a_500_on_one_chunk_rolls_the_load_back(store, dist_dir):
    old = put_old_graph(store)
    with store_proxy(store.base, fail_write=3) as proxy, pytest.raises(StoreError) as caught:
        load(dist_dir, endpoints_of(store, proxy.base), chunk_size=500)
    message = str(caught.value)
    assert caught.value.exit_code == 22
    assert "HTTP 500" in message and "chunk 2 (500 triples)" in message
    assert "load rolled back, nothing changed" in message and "still holds 1 triples" in message
    assert remote_triples(store.query_url, DATASET_IRI) == old
    assert set(remote_graphs(store.query_url)) == {DATASET_IRI, OTHER_GRAPH}


def test_a_500_on_one_chunk_of_a_direct_load_reports_the_exact_partial_state(store, dist_dir, triples):
    with store_proxy(store.base, fail_write=4) as proxy, pytest.raises(PartialLoadError) as caught:
        load(dist_dir, endpoints_of(store, proxy.base), direct=True, chunk_size=500)
    held = len(remote_triples(store.query_url, DATASET_IRI))
    assert held == 1000  # the DROP, then chunks 1 and 2 went through; chunk 3 failed
    assert caught.value.exit_code == 24
    assert f"<{DATASET_IRI}> is partial: it holds {held:,} triples" in str(caught.value)
    assert f"stopped after 1,000 of {len(triples):,} triples (chunk 3)" in str(caught.value)


def test_a_store_that_loses_triples_is_caught_by_the_count_and_rolled_back(store, dist_dir, triples):
    old = put_old_graph(store)
    with store_proxy(store.base, swallow_write=2) as proxy, pytest.raises(CountMismatchError) as caught:
        load(dist_dir, endpoints_of(store, proxy.base), chunk_size=500)
    assert caught.value.exit_code == 23
    expected = len(triples)
    assert f"the staging graph holds {expected - 500:,} triples, expected {expected:,}" in str(caught.value)
    assert "nothing changed" in str(caught.value)
    assert remote_triples(store.query_url, DATASET_IRI) == old
    assert set(remote_graphs(store.query_url)) == {DATASET_IRI, OTHER_GRAPH}


def test_wrong_credentials_are_refused_clearly_and_nothing_is_written(store, dist_dir):
    old = put_old_graph(store)
    secret = "not-the-right-token-4711"
    credentials = Credentials("bearer", secret=secret)
    with store_proxy(store.base, authorization="Bearer the-right-one") as proxy, \
            pytest.raises(StoreAuthError) as caught:
        load(dist_dir, endpoints_of(store, proxy.base), credentials=credentials)
    assert caught.value.exit_code == 21
    assert "HTTP 401" in str(caught.value) and "wrong or insufficient credentials" in str(caught.value)
    assert secret not in str(caught.value) and secret not in repr(caught.value)
    assert proxy.forwarded_writes == 0
    assert remote_triples(store.query_url, DATASET_IRI) == old


def test_missing_credentials_name_the_environment_variables(store, dist_dir):
    hint = "MIGRATION_KG_STORE_USER and MIGRATION_KG_STORE_PASSWORD"
    with store_proxy(store.base, authorization="Basic eDp5") as proxy, pytest.raises(StoreAuthError, match=hint):
        load(dist_dir, endpoints_of(store, proxy.base))


def test_basic_credentials_from_the_environment_are_sent(store, dist_dir, triples):
    credentials = Credentials.from_env({"MIGRATION_KG_STORE_USER": "loader", "MIGRATION_KG_STORE_PASSWORD": "pw"})
    with store_proxy(store.base, authorization="Basic bG9hZGVyOnB3") as proxy:
        load(dist_dir, endpoints_of(store, proxy.base), credentials=credentials)
    assert remote_triples(store.query_url, DATASET_IRI) == triples
    assert proxy.refused == 0 and proxy.forwarded_writes >= 2
    assert "pw" not in repr(credentials)


def test_credentials_in_the_url_are_refused_without_repeating_them(dist_dir):
    endpoints = resolve_endpoints("oxigraph", "http://someone:s3cr3t-pw@127.0.0.1:9")
    with pytest.raises(StoreAuthError) as caught:
        load(dist_dir, endpoints)
    assert "s3cr3t-pw" not in str(caught.value) and "MIGRATION_KG_STORE_PASSWORD" in str(caught.value)


def test_an_endpoint_that_is_down_gives_a_clear_error(dist_dir):
    base = refused_url().rsplit("/", 1)[0]
    with pytest.raises(StoreUnreachableError) as caught:
        load(dist_dir, resolve_endpoints("oxigraph", base))
    assert caught.value.exit_code == 20
    assert f"cannot reach the store at {base}/query" in str(caught.value) and "refused" in str(caught.value)


def test_an_endpoint_that_hangs_times_out(dist_dir):
    with misbehaving_server("hang") as server, \
            pytest.raises(StoreUnreachableError, match=r"did not answer .* within 1 s"):
        load(dist_dir, resolve_endpoints("generic", server.url), timeout=1)


def test_the_server_stopped_in_the_middle_of_a_replace_leaves_the_old_graph(tmp_path, dist_dir, triples):
    location = tmp_path / "oxigraph"
    with oxigraph_server(location) as server:
        old = put_old_graph(server)

        def kill_after_first_chunk(done: int, _total: int) -> None:
            if done == 500:
                server.process.kill()
                server.process.wait()

        with pytest.raises(StoreUnreachableError) as caught:
            load(dist_dir, endpoints_of(server), chunk_size=500, progress=kill_after_first_chunk)
        assert "load rolled back" in str(caught.value) and "could not be dropped now" in str(caught.value)
    with oxigraph_server(location) as restarted:
        assert remote_triples(restarted.query_url, DATASET_IRI) == old
        load(dist_dir, endpoints_of(restarted))
        assert remote_triples(restarted.query_url, DATASET_IRI) == triples
        assert set(remote_graphs(restarted.query_url)) == {DATASET_IRI, OTHER_GRAPH}


def test_blank_nodes_are_refused_before_anything_is_sent(tmp_path):
    source = tmp_path / "bnode.nt"
    source.write_text('<https://example.org/a> <https://example.org/b> "x" .\n'
                      '_:b0 <https://example.org/b> "y" .\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"bnode.nt:2: blank node"):
        load(source, resolve_endpoints("oxigraph", refused_url().rsplit("/", 1)[0]))


def test_a_missing_build_names_the_file(tmp_path):
    with pytest.raises(InputError, match="migration-kg build"):
        load(tmp_path, resolve_endpoints("oxigraph"))


def test_presets_give_each_store_its_urls():
    oxigraph = resolve_endpoints("oxigraph")
    assert (oxigraph.query, oxigraph.update, oxigraph.graph_store) == (
        "http://localhost:7878/query", "http://localhost:7878/update", "http://localhost:7878/store")
    virtuoso = resolve_endpoints("virtuoso", "http://db:8890/")
    assert (virtuoso.query, virtuoso.graph_store) == ("http://db:8890/sparql", "http://db:8890/sparql-graph-crud")
    with_auth = resolve_endpoints("virtuoso", credentials=Credentials("digest", "dba", "x"))
    assert (with_auth.update, with_auth.graph_store) == (
        "http://localhost:8890/sparql-auth", "http://localhost:8890/sparql-graph-crud-auth")
    fuseki = resolve_endpoints("fuseki", "http://h:3030/kg")
    assert (fuseki.query, fuseki.update, fuseki.graph_store) == (
        "http://h:3030/kg/query", "http://h:3030/kg/update", "http://h:3030/kg/data")
    generic = resolve_endpoints("generic", "http://h/sparql")
    assert (generic.query, generic.update, generic.graph_store) == ("http://h/sparql", "http://h/sparql", None)
    assert set(PRESETS) == {"oxigraph", "virtuoso", "fuseki", "generic"}
    with pytest.raises(UsageError, match="needs --endpoint"):
        resolve_endpoints("generic")


def test_a_generic_store_without_graph_store_url_loads_by_update(store, dist_dir, triples):
    endpoints = resolve_endpoints("generic", query_url=store.query_url, update_url=store.update_url)
    result = load(dist_dir, endpoints)
    assert result.protocol == "update"
    assert remote_triples(store.query_url, DATASET_IRI) == triples
    with pytest.raises(UsageError, match="no Graph Store Protocol URL"):
        load(dist_dir, endpoints, protocol="graph-store")


def test_insert_data_keeps_unicode_escapes_as_characters():
    line = rb'<https://example.org/a> <https://example.org/b> "caf\u00E9 \"x\"" .'
    text = insert_data("https://example.org/g", [line])
    assert '"café \\"x\\""^^<http://www.w3.org/2001/XMLSchema#string>' in text
    assert "\\u00E9" not in text


def test_verbatim_insert_calls_virtuoso_procedure_with_every_term():
    line = b'<https://example.org/a> <https://example.org/b> "P5D"^^<http://www.w3.org/2001/XMLSchema#duration> .'
    text = verbatim_insert("urn:g", [line])
    assert text == ('SELECT (<sql:RDF_QUAD_URI_L_TYPED>("urn:g", "https://example.org/a", "https://example.org/b", '
                    '"P5D", "http://www.w3.org/2001/XMLSchema#duration", ?no_language) AS ?r0) WHERE {}')


def test_every_query_answers_the_same_on_oxigraph_as_embedded(store, dist_dir, project_root):
    load(dist_dir, endpoints_of(store))
    url = f"{store.query_url}?default-graph-uri={urllib.parse.quote(DATASET_IRI, safe='')}"
    assert every_question_answers_as_embedded(url, dist_dir, project_root) == 25
