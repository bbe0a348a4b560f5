"""The load, dump and sparql-server commands: output, exit codes, and secrets never shown."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from processes import default_sigint
from servers import free_port, oxigraph_server, refused_url
from store_checks import local_triples, remote_triples
from store_proxy import store_proxy

from migration_kg.cli.main import main
from migration_kg.namespaces import DATASET_IRI

pytestmark = pytest.mark.server


@pytest.fixture()
def store(tmp_path: Path):
    with oxigraph_server(tmp_path / "oxigraph") as server:
        yield server


def built_triples(dist_dir: Path) -> int:
    """How many triples the session's build wrote (the data grows; the tests do not hard-code it)."""
    return sum(1 for line in (dist_dir / "migration-kg.nt").read_text(encoding="utf-8").splitlines() if line.strip())


def run(runner, *args: str, env: dict[str, str] | None = None):
    return runner.invoke(main, list(args), env=env, catch_exceptions=False)


def test_load_prints_one_summary_line_and_loads_the_graph(runner, store, dist_dir):
    result = run(runner, "load", "--dist", str(dist_dir), "--store", "oxigraph", "--endpoint", store.base)
    assert result.exit_code == 0, result.output
    n = built_triples(dist_dir)
    assert result.stdout.startswith(f"loaded {n:,} triples into <{DATASET_IRI}> at {store.base} in ")
    assert f"triples/s; graph-store protocol, replace); the graph holds {n:,} triples (before: 0)" in result.stdout
    assert remote_triples(store.query_url, DATASET_IRI) == local_triples(dist_dir / "migration-kg.nt")


def test_load_quietly_by_update_into_another_graph(runner, store, dist_dir):
    graph = "https://example.org/kg"
    result = run(runner, "-q", "load", "--dist", str(dist_dir / "migration-kg.nt"), "--store", "oxigraph",
                 "--endpoint", store.base, "--graph", graph, "--protocol", "update", "--append")
    assert (result.exit_code, result.output) == (0, "")
    assert len(remote_triples(store.query_url, graph)) == built_triples(dist_dir)


def test_wrong_token_exit_21_and_the_token_is_never_shown(runner, store, dist_dir):
    secret = "tok-abc-123-secret"
    with store_proxy(store.base, authorization="Bearer right") as proxy:
        result = run(runner, "load", "--dist", str(dist_dir), "--store", "oxigraph", "--endpoint", proxy.base,
                     env={"MIGRATION_KG_STORE_TOKEN": secret})
    assert result.exit_code == 21
    assert result.output.startswith("error: ") and result.output.count("\n") == 1
    assert "HTTP 401" in result.output and secret not in result.output and "Traceback" not in result.output
    assert proxy.forwarded_writes == 0


def test_password_is_never_shown_even_when_the_server_echoes_it(runner, dist_dir):
    from servers import misbehaving_server

    secret = "pa55-w0rd-xyz"
    with misbehaving_server("error500") as server:
        result = run(runner, "load", "--dist", str(dist_dir), "--endpoint", server.url,
                     env={"MIGRATION_KG_STORE_USER": "me", "MIGRATION_KG_STORE_PASSWORD": secret})
    assert result.exit_code == 22
    assert "HTTP 500" in result.output and secret not in result.output


def test_exit_codes_of_the_load_failures(runner, store, dist_dir, tmp_path):
    down = run(runner, "load", "--dist", str(dist_dir), "--endpoint", refused_url())
    assert down.exit_code == 20 and "cannot reach the store" in down.output
    missing = run(runner, "load", "--dist", str(tmp_path), "--store", "oxigraph", "--endpoint", store.base)
    assert missing.exit_code == 2 and "migration-kg build" in missing.output
    with store_proxy(store.base, fail_write=2) as proxy:
        failed = run(runner, "load", "--dist", str(dist_dir), "--store", "oxigraph", "--endpoint", proxy.base)
    assert failed.exit_code == 22 and "load rolled back, nothing changed" in failed.output
    with store_proxy(store.base, swallow_write=2) as proxy:
        short = run(runner, "load", "--dist", str(dist_dir), "--store", "oxigraph", "--endpoint", proxy.base,
                    "--chunk-size", "1000")
    held = built_triples(dist_dir) - 1000
    assert short.exit_code == 23 and f"the staging graph holds {held:,} triples" in short.output
    with store_proxy(store.base, fail_write=3) as proxy:
        partial = run(runner, "load", "--dist", str(dist_dir), "--store", "oxigraph", "--endpoint", proxy.base,
                      "--direct", "--chunk-size", "1000")
    assert partial.exit_code == 24 and "is partial: it holds 1,000 triples" in partial.output
    generic = run(runner, "load", "--dist", str(dist_dir))
    assert generic.exit_code == 2 and "needs --endpoint" in generic.output
    bad_graph = run(runner, "load", "--dist", str(dist_dir), "--endpoint", refused_url(), "--graph", "not an iri")
    assert bad_graph.exit_code == 2 and "not a usable graph IRI" in bad_graph.output


def test_dump_command(runner, dist_dir, tmp_path):
    out = tmp_path / "kg.nq.gz"
    result = run(runner, "dump", "--dist", str(dist_dir), "--out", str(out))
    assert result.exit_code == 0
    n = built_triples(dist_dir)
    assert result.output == f"wrote {n:,} quads in <{DATASET_IRI}> to {out} ({out.stat().st_size:,} bytes)\n"


def query_count(base: str, text: str) -> int:
    url = f"{base}/query?query={urllib.parse.quote(text)}"
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return int(json.loads(response.read())["results"]["bindings"][0]["n"]["value"])


def start_sparql_server(dist_dir: Path, port: int, tmp_path: Path) -> subprocess.Popen:
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    return subprocess.Popen(
        [sys.executable, "-m", "migration_kg", "sparql-server", "--dist", str(dist_dir), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, preexec_fn=default_sigint)


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_sparql_server_serves_the_graph_until_stopped(dist_dir, tmp_path, stop_signal):
    port = free_port()
    process = start_sparql_server(dist_dir, port, tmp_path)
    try:
        first_line = process.stdout.readline()
        base = f"http://127.0.0.1:{port}"
        n = built_triples(dist_dir)
        assert first_line == (f"SPARQL endpoint {base}/query with {n:,} triples in <{DATASET_IRI}>; "
                              f"query page {base}/; press Ctrl-C to stop\n")
        assert query_count(base, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == n
        assert query_count(base, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{DATASET_IRI}> {{ ?s ?p ?o }} }}") == n
        with urllib.request.urlopen(f"{base}/", timeout=10) as page:
            assert b"<html" in page.read().lower()
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith("migration-kg-oxigraph-")]
    finally:
        process.send_signal(stop_signal)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert out == "SPARQL server stopped\n"
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("migration-kg-oxigraph-")]


def test_sparql_server_on_a_busy_port_exits_25(runner, dist_dir):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run(runner, "sparql-server", "--dist", str(dist_dir), "--bind", f"127.0.0.1:{port}")
    assert result.exit_code == 25
    assert f"cannot listen on 127.0.0.1:{port}" in result.output


def test_sparql_server_rejects_a_bad_bind(runner, dist_dir):
    result = run(runner, "sparql-server", "--dist", str(dist_dir), "--bind", "7878")
    assert result.exit_code == 25 and "HOST:PORT" in result.output
