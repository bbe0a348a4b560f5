"""A small HTTP proxy in front of a real store, for fault tests: it can fail the Nth write or demand credentials.

It listens on 127.0.0.1, forwards every request to the upstream server unchanged, and records what it saw.
"""

from __future__ import annotations

import contextlib
import http.client
import http.server
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field

from servers import http_server


@dataclass
class Proxy:
    """What the proxy does and what it saw."""

    upstream: str
    port: int = 0
    #: Answer 500 instead of forwarding the Nth write (1-based; a write is a Graph Store POST or an update).
    fail_write: int | None = None
    #: Answer 204 without forwarding the Nth write: a store that says yes and loses the data.
    swallow_write: int | None = None
    #: When set, requests without exactly this Authorization header get 401 and are not forwarded.
    authorization: str | None = None
    writes: int = 0
    forwarded_writes: int = 0
    refused: int = 0
    seen_authorization: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _is_write(path: str, body: bytes) -> bool:
    if path.startswith("/store"):
        return True
    if path.startswith("/update"):
        return True
    return b"update=" in body[:10]


def _handler_for(proxy: Proxy) -> type[http.server.BaseHTTPRequestHandler]:
    upstream = urllib.parse.urlsplit(proxy.upstream)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_args: object) -> None:
            return

        def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for key, value in {"Content-Type": "text/plain", **(headers or {})}.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            given = self.headers.get("Authorization", "")
            proxy.seen_authorization.append(given)
            if proxy.authorization is not None and given != proxy.authorization:
                proxy.refused += 1
                self._send(401, b"unauthorized", {"WWW-Authenticate": 'Basic realm="store"'})
                return
            write = _is_write(self.path, body)
            if write:
                proxy.writes += 1
                if proxy.writes == proxy.fail_write:
                    self._send(500, b"Internal Server Error: injected failure")
                    return
                if proxy.writes == proxy.swallow_write:
                    self._send(204, b"")
                    return
                proxy.forwarded_writes += 1
            connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=120)
            try:
                headers = {key: value for key, value in self.headers.items()
                           if key.lower() not in ("host", "authorization", "connection")}
                connection.request(self.command, self.path, body=body, headers=headers)
                response = connection.getresponse()
                answer = response.read()
                self.send_response(response.status)
                for key, value in response.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
            finally:
                connection.close()

        do_GET = _forward
        do_POST = _forward
        do_PUT = _forward
        do_DELETE = _forward

    return Handler


@contextlib.contextmanager
def store_proxy(upstream: str, **options: object) -> Iterator[Proxy]:
    """Run a Proxy in front of ``upstream`` for the duration of the block."""
    proxy = Proxy(upstream=upstream, **options)  # type: ignore[arg-type]
    with http_server(_handler_for(proxy)) as port:
        proxy.port = port
        yield proxy
