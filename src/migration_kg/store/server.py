"""A local SPARQL endpoint in one step: Oxigraph (the ``oxigraph`` PyPI package) preloaded with ``dist/``.

The graph is bulk-loaded with ``oxigraph load`` into a temporary directory, then ``oxigraph serve-read-only``
answers on ``/query`` with its query page on ``/``; queries without ``GRAPH`` see the dataset graph (union default
graph). It is a local tool: it has no authentication, so it listens on 127.0.0.1 by default and refuses updates
(and so ``LOAD``, which fetches from other hosts) unless started writable. The directory is removed when the
server stops.
"""

from __future__ import annotations

import contextlib
import ipaddress
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from migration_kg.errors import SparqlServerError
from migration_kg.iris import DATASET_IRI
from migration_kg.store.load import scan, source_file


@dataclass
class SparqlServer:
    """A running ``oxigraph serve`` with the graph loaded."""

    host: str
    port: int
    graph: str
    triples: int
    location: Path
    process: subprocess.Popen = field(repr=False)
    writable: bool = False

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def query_url(self) -> str:
        return f"{self.base}/query"

    @property
    def update_url(self) -> str:
        return f"{self.base}/update"

    @property
    def page_url(self) -> str:
        return f"{self.base}/"


def oxigraph_executable() -> str:
    """The ``oxigraph`` command: beside this Python (a venv), else on PATH."""
    candidate = Path(sys.executable).with_name("oxigraph")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("oxigraph")
    if not found:
        raise SparqlServerError("the oxigraph server is not installed: pip install 'migration-kg[server]' "
                                "(or pip install oxigraph)")
    return found


def parse_bind(bind: str) -> tuple[str, int]:
    """``host:port`` into its parts; a clear error for anything else."""
    host, _, port = bind.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise SparqlServerError(f"--bind wants HOST:PORT such as 127.0.0.1:7878, not {bind!r}")
    return host, int(port)


def is_loopback(host: str) -> bool:
    """True if ``host`` is reachable from this machine only (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def warnings_for(host: str, writable: bool) -> list[str]:
    """What to tell whoever starts the server about who can reach it and what it can be made to fetch."""
    notes = []
    if writable:
        notes.append("the endpoint is writable without authentication: anyone who reaches it can change or delete "
                     "the graph, and a SPARQL UPDATE such as LOAD makes it fetch from any host")
    if not is_loopback(host):
        notes.append(f"listening on {host}, reachable from other machines, without authentication; a query's "
                     "SERVICE makes the server fetch from the host it names (keep it on 127.0.0.1)")
    return notes


def _check_port_free(host: str, port: int) -> None:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        try:
            probe.bind((host, port))
        except OSError as error:
            raise SparqlServerError(f"cannot listen on {host}:{port} ({error.strerror}); "
                                    "pick another with --bind HOST:PORT") from None


def _run_loader(executable: str, location: Path, path: Path, graph: str) -> None:
    result = subprocess.run(
        [executable, "load", "--location", str(location), "--file", str(path), "--graph", graph],
        capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise SparqlServerError(f"oxigraph load failed on {path}: {detail}")


def _wait_until_ready(server: SparqlServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            log = server.location / "server.log"
            detail = log.read_text(errors="replace").strip().splitlines() if log.exists() else []
            raise SparqlServerError(f"oxigraph serve exited with code {server.process.returncode}: "
                                    f"{detail[-1] if detail else 'no message'}")
        try:
            with urllib.request.urlopen(f"{server.query_url}?query=ASK%7B%7D", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.1)
    raise SparqlServerError(f"oxigraph serve did not answer on {server.base} within {timeout:g} s")


@contextlib.contextmanager
def sparql_server(source: Path | str = "dist", bind: str = "127.0.0.1:7878", graph: str = DATASET_IRI,
                  timeout: float = 30.0, writable: bool = False) -> Iterator[SparqlServer]:
    """Start Oxigraph preloaded with ``source`` in ``graph`` (read-only unless ``writable``); stop it and delete
    its data when the block ends."""
    path = source_file(source)
    triples = scan(path, blank_nodes=True)
    host, port = parse_bind(bind)
    executable = oxigraph_executable()
    _check_port_free(host, port)
    location = Path(tempfile.mkdtemp(prefix="migration-kg-oxigraph-"))
    try:
        _run_loader(executable, location / "store", path, graph)
        with (location / "server.log").open("wb") as log:
            process = subprocess.Popen(
                [executable, "serve" if writable else "serve-read-only", "--location", str(location / "store"),
                 "--bind", f"{host}:{port}", "--union-default-graph"], stdout=log, stderr=subprocess.STDOUT)
        server = SparqlServer(host, port, graph, triples, location, process, writable)
        try:
            _wait_until_ready(server, timeout)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    finally:
        shutil.rmtree(location, ignore_errors=True)
