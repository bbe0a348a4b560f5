"""``sparql-server`` is a local tool (issue 15, case 7): read-only by default, so neither an update nor a LOAD
fetching from another host goes through; ``--writable`` opts in with a warning; other binds warn too."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from hostile import answer_rows, scripted
from servers import free_port

from migration_kg.store.server import is_loopback, warnings_for

pytestmark = pytest.mark.server


def start(dist_dir: Path, port: int, tmp_path: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "migration_kg", "sparql-server", "--dist", str(dist_dir),
                             "--bind", f"127.0.0.1:{port}", *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "TMPDIR": str(tmp_path)})


def update(port: int, text: str) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/update", method="POST",
                                     data=urllib.parse.urlencode({"update": text}).encode(),
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def run_server(dist_dir: Path, tmp_path: Path, *extra: str):
    port = free_port()
    process = start(dist_dir, port, tmp_path, *extra)
    first_line = process.stdout.readline()  # printed once the endpoint answers
    assert first_line.startswith("SPARQL endpoint"), process.stderr.read() if process.poll() is not None else ""
    return port, process


def stop(process: subprocess.Popen) -> tuple[str, str]:
    process.terminate()
    return process.communicate(timeout=30)


def test_read_only_by_default_no_update_no_load(dist_dir: Path, tmp_path: Path) -> None:
    """Before: a writable Oxigraph without authentication whose LOAD fetched from other hosts, with no warning."""
    with scripted(answer_rows) as elsewhere:
        port, process = run_server(dist_dir, tmp_path)
        try:
            assert update(port, f"LOAD <{elsewhere.url}/data.ttl>") == 403
            assert update(port, "DELETE WHERE { ?s ?p ?o }") == 403
            assert elsewhere.requests == []
        finally:
            _out, err = stop(process)
    assert "warning" not in err


def test_writable_on_request_with_a_warning(dist_dir: Path, tmp_path: Path) -> None:
    port, process = run_server(dist_dir, tmp_path, "--writable")
    try:
        assert update(port, "INSERT DATA { <urn:x:s> <urn:x:p> <urn:x:o> }") in (200, 204)
    finally:
        _out, err = stop(process)
    assert "warning: the endpoint is writable without authentication" in err


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("127.0.0.2", True), ("localhost", True),
                                            ("::1", True), ("0.0.0.0", False), ("::", False), ("192.0.2.1", False),
                                            ("example.org", False)])
def test_binding_beyond_this_machine_warns(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
    notes = warnings_for(host, writable=False)
    assert (notes == []) is loopback
    if not loopback:
        assert "reachable from other machines" in notes[0] and "SERVICE" in notes[0]
