"""Real local servers for tests: an Oxigraph SPARQL server, and an HTTP server that misbehaves on purpose.

Both listen on 127.0.0.1 only, on a free port, and are stopped by the fixture that started them.
"""

from __future__ import annotations

import contextlib
import http.server
import socket
import socketserver
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from migration_kg.store.server import oxigraph_executable


def send(handler: http.server.BaseHTTPRequestHandler, status: int, body: bytes,
         content_type: str = "application/sparql-results+json", headers: dict[str, str] | None = None) -> None:
    """Answer with ``status``, ``body`` and its headers; a client that has gone away is no error."""
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        handler.wfile.write(body)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class OxigraphServer:
    """A running ``oxigraph serve`` process with its endpoints."""

    port: int
    location: Path
    process: subprocess.Popen = field(repr=False)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def query_url(self) -> str:
        return f"{self.base}/query"

    @property
    def update_url(self) -> str:
        return f"{self.base}/update"

    @property
    def store_url(self) -> str:
        return f"{self.base}/store"

    def load_file(self, path: Path, content_type: str, graph: str | None = None) -> None:
        """POST a file into the store (default graph, or ``graph``) through the Graph Store Protocol."""
        url = self.store_url + (f"?graph={urllib.request.quote(graph, safe='')}" if graph else "?default")
        request = urllib.request.Request(url, data=path.read_bytes(), method="POST",
                                         headers={"Content-Type": content_type})
        with urllib.request.urlopen(request, timeout=60) as response:
            if response.status not in (200, 201, 204):
                raise RuntimeError(f"loading {path} into Oxigraph answered {response.status}")


def _wait_until_listening(port: int, process: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.1)
    raise RuntimeError(f"server on port {port} not ready after {timeout} s")


@contextlib.contextmanager
def oxigraph_server(location: Path, *options: str) -> Iterator[OxigraphServer]:
    """Start ``oxigraph serve`` (with ``options`` such as ``--union-default-graph``) on a free loopback port with
    an on-disk store at ``location``; stop it after."""
    port = free_port()
    location.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [oxigraph_executable(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}", *options],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_until_listening(port, process)
        yield OxigraphServer(port=port, location=location, process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


#: How the misbehaving server answers, by name.
MISBEHAVIOURS = ("hang", "error500", "html", "malformed-json", "too-many-requests", "unavailable",
                 "timeout500", "truncated-json", "banned", "row-capped", "anytime")
#: What the Wikidata Query Service sends when a query runs past its own limit: HTTP 500, the query echoed, then
#: Blazegraph's exception (shape as the service sends it; the query text here is a stand-in).
TIMEOUT_BODY = (b"SPARQL-QUERY: queryStr=SELECT ?item WHERE { ?item ?p ?o } LIMIT 100000000\n"
                b"java.util.concurrent.TimeoutException\n"
                b"\tat java.util.concurrent.FutureTask.get(FutureTask.java:205)\n")


@dataclass
class MisbehavingServer:
    """An HTTP server on 127.0.0.1 that answers every request in one chosen wrong way."""

    port: int
    mode: str
    requests: list[str] = field(default_factory=list)
    retry_after: int = 1
    #: For too-many-requests / unavailable: how many requests fail before one good answer.
    failures_before_success: int = 10**9
    good_body: bytes = b'{"head": {"vars": []}, "results": {"bindings": []}}'

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql"


def _handler_for(server_state: MisbehavingServer) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *_args: object) -> None:
            return

        def _answer(self) -> None:
            server_state.requests.append(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            mode = server_state.mode
            failing = len(server_state.requests) <= server_state.failures_before_success
            if mode == "hang":
                time.sleep(30)
                return
            if mode in ("too-many-requests", "unavailable") and not failing:
                self._send(200, "application/sparql-results+json", server_state.good_body)
            elif mode == "too-many-requests":
                self._send(429, "text/plain", b"slow down", {"Retry-After": str(server_state.retry_after)})
            elif mode == "unavailable":
                self._send(503, "text/plain", b"unavailable", {"Retry-After": str(server_state.retry_after)})
            elif mode == "error500":
                self._send(500, "text/plain", b"internal error")
            elif mode == "html":
                self._send(200, "text/html", b"<!doctype html><html><body>Not SPARQL</body></html>")
            elif mode == "malformed-json":
                self._send(200, "application/sparql-results+json", b'{"head": {"vars": ["x"]}, "results": nope}')
            elif mode == "timeout500":
                self._send(500, "text/plain", TIMEOUT_BODY)
            elif mode == "truncated-json":
                self._cut_off(b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "va')
            elif mode == "row-capped":  # Virtuoso: results cut at ResultSetMaxRows, still 200 OK
                self._send(200, "application/sparql-results+json", server_state.good_body,
                           {"X-SPARQL-MaxRows": "10000"})
            elif mode == "anytime":  # Virtuoso: a query interrupted at MaxQueryExecutionTime, partial, 200 OK
                self._send(200, "application/sparql-results+json", server_state.good_body,
                           {"X-SQL-State": "S1TAT", "X-SQL-Message": "RC...: Returning incomplete results, "
                                                                     "query interrupted by result timeout."})
            elif mode == "banned":
                self._send(403, "text/plain", b"You have been banned until 2030-01-01T00:00:00Z, please respect "
                                              b"throttling and retry-after headers.")
            else:
                self._send(500, "text/plain", b"unknown mode")

        def _send(self, status: int, content_type: str, body: bytes, headers: dict[str, str] | None = None) -> None:
            send(self, status, body, content_type, headers)

        def _cut_off(self, part: bytes) -> None:
            """Promise a longer body than is sent, then close: the answer stops mid-stream."""
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(part) * 4))
            self.end_headers()
            self.wfile.write(part)
            self.wfile.flush()
            self.close_connection = True

        do_GET = _answer
        do_POST = _answer

    return Handler


@contextlib.contextmanager
def running_in_thread(server: socketserver.BaseServer) -> Iterator[socketserver.BaseServer]:
    """Serve ``server`` from a daemon thread for the block, then shut it down and close its socket."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextlib.contextmanager
def http_server(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[int]:
    """A threaded HTTP server for ``handler`` on a free 127.0.0.1 port, for the block; yields the port."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    with running_in_thread(httpd):
        yield httpd.server_address[1]


@contextlib.contextmanager
def misbehaving_server(mode: str, **options: object) -> Iterator[MisbehavingServer]:
    """Run a MisbehavingServer in a thread for the duration of the block."""
    if mode not in MISBEHAVIOURS:
        raise ValueError(f"unknown mode {mode!r}; choose from {MISBEHAVIOURS}")
    state = MisbehavingServer(port=0, mode=mode, **options)  # type: ignore[arg-type]
    with http_server(_handler_for(state)) as port:
        state.port = port
        yield state


def refused_url() -> str:
    """A URL on a loopback port where nothing listens: connections are refused."""
    return f"http://127.0.0.1:{free_port()}/sparql"


APACHE_MODULES = ("mpm_event", "authz_core", "mime", "dir", "rewrite", "headers")


@contextlib.contextmanager
def apache_server(document_root: Path, work: Path) -> Iterator[int]:
    """Debian's Apache httpd in the foreground on a free loopback port, ``AllowOverride All`` on
    ``document_root`` (which must be readable by the unprivileged user Apache runs as); yields the port."""
    import shutil

    binary = shutil.which("apache2") or "/usr/sbin/apache2"
    if not Path(binary).is_file():
        raise RuntimeError("apache2 is missing: run scripts/install-system-packages")
    port = free_port()
    modules = "\n".join(f"LoadModule {m}_module /usr/lib/apache2/modules/mod_{m}.so" for m in APACHE_MODULES)
    (work / "httpd.conf").write_text(
        f"ServerRoot {work}\n{modules}\nListen 127.0.0.1:{port}\nServerName localhost\n"
        f"PidFile {work}/httpd.pid\nErrorLog {work}/error.log\nDefaultRuntimeDir {work}\n"
        "User nobody\nGroup nogroup\nTypesConfig /etc/mime.types\n"
        f"DocumentRoot {document_root}\n<Directory {document_root}>\n    AllowOverride All\n"
        "    Require all granted\n</Directory>\n", encoding="utf-8")
    process = subprocess.Popen([binary, "-X", "-f", str(work / "httpd.conf")],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    output = process.communicate(timeout=5)[0].decode("utf-8", "replace")
                    raise RuntimeError(f"apache2 did not start: {output}") from None
                time.sleep(0.1)
        yield port
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)
