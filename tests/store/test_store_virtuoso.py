"""store.py against a real Virtuoso 7 (Debian's virtuoso-opensource-7-bin), one server for the whole module.

Our graph must come back from Virtuoso unchanged: same triples, same lexical forms (our data uses canonical
numbers and lower-case language tags, which Virtuoso keeps; durations go through its verbatim procedure).
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest
from store_checks import (
    every_question_answers_as_embedded,
    local_triples,
    published_answers_equal_embedded,
    remote_graphs,
    remote_triples,
    update,
)
from virtuoso import DBA_PASSWORD, virtuoso_server

from migration_kg.errors import StoreAuthError, StoreError, StoreUnreachableError
from migration_kg.namespaces import DATASET_IRI
from migration_kg.store.http import Credentials
from migration_kg.store.load import load, resolve_endpoints, staging_graph

pytestmark = pytest.mark.server

XSD = "http://www.w3.org/2001/XMLSchema#"
OLD = '<https://example.org/old> <https://example.org/says> "the previous load" .'
TRIP = "https://w3id.org/migration-kg/id/claim/trip-duration"


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server


@pytest.fixture()
def fresh(virtuoso):
    """The module's Virtuoso with our graphs emptied before the test."""
    for graph in (DATASET_IRI, staging_graph(DATASET_IRI), "https://example.org/big"):
        update(virtuoso.sparql_url, f"DROP SILENT GRAPH <{graph}>")
    return virtuoso


@pytest.fixture(scope="module")
def triples(dist_dir: Path) -> set:
    return local_triples(dist_dir / "migration-kg.nt")


def endpoints_of(server, credentials=None):
    return resolve_endpoints("virtuoso", server.base, credentials=credentials)


def our_graphs(server) -> dict[str, int]:
    return {graph: size for graph, size in remote_graphs(server.sparql_url).items()
            if graph.startswith(("https://w3id.org/migration-kg/", "urn:migration-kg:", "https://example.org/"))}


@pytest.mark.parametrize("protocol", ["update", "graph-store"])
def test_our_graph_comes_back_from_virtuoso_unchanged(fresh, dist_dir, triples, protocol):
    result = load(dist_dir, endpoints_of(fresh), protocol=protocol)
    back = remote_triples(fresh.sparql_url, DATASET_IRI)
    assert back == triples
    durations = {t.object.value for t in back if t.object.__class__.__name__ == "Literal"
                 and t.object.datatype.value == XSD + "duration"}
    assert durations == {"P5D"}
    assert (result.after, our_graphs(fresh)) == (len(triples), {DATASET_IRI: len(triples)})


def test_virtuoso_itself_rewrites_durations_which_is_why_they_go_verbatim(fresh, tmp_path):
    source = tmp_path / "duration.nt"
    source.write_text(f'<{TRIP}> <https://schema.org/duration> "P5D"^^<{XSD}duration> .\n', encoding="utf-8")
    plain = resolve_endpoints("generic", query_url=fresh.sparql_url, update_url=fresh.sparql_url,
                              graph_store_url=fresh.graph_store_url)
    # A plain Graph Store POST: the count matches, but the lexical form does not survive.
    load(source, plain, graph="https://example.org/big", protocol="graph-store", chunk_size=1)
    assert {t.object.value for t in remote_triples(fresh.sparql_url, "https://example.org/big")} == {"432000.0"}
    # A plain INSERT DATA is refused outright; the load is rolled back with Virtuoso's message.
    with pytest.raises(StoreError, match="SR553: Literal of type xsd:duration can not be created"):
        load(source, plain, graph="https://example.org/big", protocol="update")


def test_replace_on_virtuoso_is_idempotent_and_append_counts_exactly(fresh, dist_dir, triples):
    update(fresh.sparql_url, f"INSERT DATA {{ GRAPH <{DATASET_IRI}> {{ {OLD} }} }}")
    first = load(dist_dir, endpoints_of(fresh))
    second = load(dist_dir, endpoints_of(fresh), protocol="update")
    assert (first.before, first.after, second.before, second.after) == (1, len(triples), len(triples), len(triples))
    assert remote_triples(fresh.sparql_url, DATASET_IRI) == triples
    update(fresh.sparql_url, f"INSERT DATA {{ GRAPH <{DATASET_IRI}> {{ {OLD} }} }}")
    appended = load(dist_dir, endpoints_of(fresh), mode="append")
    assert (appended.before, appended.after) == (len(triples) + 1, len(triples) + 1)
    assert our_graphs(fresh) == {DATASET_IRI: len(triples) + 1}


def test_every_query_answers_the_same_on_virtuoso_as_embedded(fresh, dist_dir, project_root):
    """Through run_endpoint, as `migration-kg query --endpoint` runs them: parameters bound inside the WHERE
    clause (Virtuoso 7.2 refuses a trailing VALUES after ASK and CONSTRUCT), ASK read from Virtuoso's
    __ASK_RETVAL table, booleans brought back from 1/0; the answers must be the embedded ones term for term."""
    load(dist_dir, endpoints_of(fresh))
    url = f"{fresh.sparql_url}?default-graph-uri={urllib.parse.quote(DATASET_IRI, safe='')}"
    assert every_question_answers_as_embedded(url, dist_dir, project_root) == 25


def test_digest_credentials_load_through_the_auth_endpoints(fresh, dist_dir, triples):
    credentials = Credentials("digest", "dba", DBA_PASSWORD)
    endpoints = endpoints_of(fresh, credentials)
    assert endpoints.update.endswith("/sparql-auth")
    load(dist_dir, endpoints, credentials=credentials)
    assert remote_triples(fresh.sparql_url, DATASET_IRI) == triples


def test_wrong_digest_credentials_are_refused_and_nothing_is_written(fresh, dist_dir):
    update(fresh.sparql_url, f"INSERT DATA {{ GRAPH <{DATASET_IRI}> {{ {OLD} }} }}")
    secret = "wrong-password-8815"
    credentials = Credentials("digest", "dba", secret)
    with pytest.raises(StoreAuthError) as caught:
        load(dist_dir, endpoints_of(fresh, credentials), credentials=credentials)
    assert caught.value.exit_code == 21 and "HTTP 401" in str(caught.value)
    assert secret not in str(caught.value)
    assert our_graphs(fresh) == {DATASET_IRI: 1}


def test_an_anonymous_user_without_update_rights_gets_an_auth_error(fresh, dist_dir):
    fresh.isql('REVOKE SPARQL_UPDATE FROM "SPARQL";\n')
    try:
        with pytest.raises(StoreAuthError, match="SECURITY: No permission") as caught:
            load(dist_dir, endpoints_of(fresh))
    finally:
        fresh.isql('GRANT SPARQL_UPDATE TO "SPARQL";\n')
    assert caught.value.exit_code == 21
    message = str(caught.value)
    assert 'GRANT SPARQL_UPDATE TO "SPARQL"' in message and "nothing was written" in message
    assert "leftover" not in message and "could not be dropped" not in message
    assert our_graphs(fresh) == {}


def test_a_graph_beyond_the_result_row_cap_is_counted_right(fresh, tmp_path):
    source = tmp_path / "big.nt"
    with source.open("w", encoding="utf-8") as out:
        for number in range(12_000):
            out.write(f'<https://example.org/s{number // 4}> <https://example.org/p{number % 4}> "{number}" .\n')
    result = load(source, endpoints_of(fresh), graph="https://example.org/big")
    assert result.after == 12_000  # above ResultSetMaxRows = 10,000: a SELECT of every row would be cut
    assert our_graphs(fresh) == {"https://example.org/big": 12_000}


def test_too_large_insert_data_is_refused_and_rolled_back(fresh, tmp_path):
    source = tmp_path / "big.nt"
    with source.open("w", encoding="utf-8") as out:
        for number in range(6_000):
            out.write(f'<https://example.org/s{number}> <https://example.org/p> "{number}" .\n')
    with pytest.raises(StoreError, match="memory exhausted") as caught:
        load(source, endpoints_of(fresh), graph="https://example.org/big", protocol="update", chunk_size=6_000)
    assert "nothing changed" in str(caught.value) and "staging graph dropped" in str(caught.value)
    assert our_graphs(fresh) == {}


def test_virtuoso_stopped_in_the_middle_of_a_replace_keeps_the_old_graph(fresh, dist_dir, triples):
    update(fresh.sparql_url, f"INSERT DATA {{ GRAPH <{DATASET_IRI}> {{ {OLD} }} }}")
    old = remote_triples(fresh.sparql_url, DATASET_IRI)

    def crash_after_first_chunk(done: int, _total: int) -> None:
        if done == 500:
            fresh.stop(kill=True)

    try:
        with pytest.raises(StoreUnreachableError, match="load rolled back"):
            load(dist_dir, endpoints_of(fresh), protocol="update", chunk_size=500, progress=crash_after_first_chunk)
    finally:
        fresh.start()
    assert remote_triples(fresh.sparql_url, DATASET_IRI) == old
    load(dist_dir, endpoints_of(fresh))
    assert remote_triples(fresh.sparql_url, DATASET_IRI) == triples
    assert our_graphs(fresh) == {DATASET_IRI: len(triples)}


def test_virtuoso_bulk_loader_takes_the_dump_but_rewrites_durations(fresh, dist_dir, triples):
    from migration_kg.store.dump import dump

    bulk = fresh.directory / "bulk"
    dump(dist_dir, bulk / "migration-kg.nq.gz")
    fresh.isql(f"ld_dir('{bulk}', '*.nq.gz', 'https://example.org/unused');\nrdf_loader_run();\ncheckpoint;\n")
    loaded = fresh.isql("SELECT 'files=' || CAST(COUNT(*) AS VARCHAR) || ',errors=' || "
                        "CAST(SUM(CASE WHEN ll_error IS NULL THEN 0 ELSE 1 END) AS VARCHAR) FROM DB.DBA.LOAD_LIST;\n")
    assert "files=1,errors=0" in loaded
    back = remote_triples(fresh.sparql_url, DATASET_IRI)
    assert len(back) == len(triples)
    assert {t.object.value for t in triples - back} == {"P5D"}
    assert {t.object.value for t in back - triples} == {"432000.0"}


def test_published_parameterised_queries_answer_the_documented_question_on_virtuoso(fresh, site_dir, dist_dir,
                                                                                    project_root):
    load(dist_dir, endpoints_of(fresh))
    url = f"{fresh.sparql_url}?default-graph-uri={urllib.parse.quote(DATASET_IRI, safe='')}"
    asks = published_answers_equal_embedded(url, site_dir, dist_dir, project_root)
    assert asks == {"article-lists-city": False, "montreal-leads-council": True}
