"""The one hardened way migration-kg speaks HTTP, under the store loader, the query client and the Wikidata client.

- Only ``http`` and ``https`` URLs are opened (urllib alone would also read ``file:`` and ``ftp:``).
- Credentials never leave the origin they were configured for: a redirect to another scheme, host or port is
  refused when the request carries credentials, and followed without them otherwise.
- One deadline bounds the whole exchange: a watchdog shuts the socket when it passes, so a server that trickles
  its headers or body a byte at a time cannot stretch a 30 s timeout into hours.
- Answers are read up to a size limit, and anything shown from them goes through :func:`scrub` first, which masks
  whatever looks like a credential (the configured secrets, ``Basic``/``Bearer`` values, ``user:password@``).
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from email.message import Message

SCHEMES = ("http", "https")
#: Headers that carry credentials: never sent on to another origin.
CREDENTIAL_HEADERS = ("Authorization", "Proxy-Authorization", "Cookie")
DEFAULT_MAX_BYTES = 1 << 30
MASK = "***"
_READ = 1 << 16
_SECRET_PATTERNS = (
    (re.compile(r"(?i)\b((?:proxy-)?authorization)(\s*[:=]\s*)(?:(basic|bearer|digest|negotiate|token)\s+)?"
                r"[^\s,;\"'<>]+"), lambda m: f"{m.group(1)}{m.group(2)}{m.group(3) + ' ' if m.group(3) else ''}{MASK}"),
    (re.compile(r"(?i)\b(basic|bearer|token)(\s+)[A-Za-z0-9._~+/=-]{6,}"), lambda m: f"{m.group(1)}{m.group(2)}{MASK}"),
    (re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://)[^/\s@:]*:[^/\s@]*@"), lambda m: f"{m.group(1)}{MASK}@"),
    (re.compile(r"(?i)\b(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?token)(\s*[=:]\s*)[^\s&,;\"'<>]+"),
     lambda m: f"{m.group(1)}{m.group(2)}{MASK}"),
)


class NetError(Exception):
    """A request failed; ``url`` is the public URL (no user:password part) and the message never holds a secret."""

    def __init__(self, message: str, url: str) -> None:
        self.url = url
        super().__init__(message)


class UnsupportedURL(NetError):
    """Not an http(s) URL, or one with credentials written into it."""


class RedirectRefused(NetError):
    """A redirect that would carry credentials to another origin, or leave http(s)."""


class DeadlineExceeded(NetError):
    """The whole exchange took longer than its deadline."""


class Unreachable(NetError):
    """The connection could not be made or broke off before an answer started; ``reason`` says why."""

    def __init__(self, message: str, url: str, reason: str = "") -> None:
        self.reason = reason
        super().__init__(message, url)


class TooLarge(NetError):
    """The answer is larger than the size limit."""


@dataclass(frozen=True)
class Response:
    """An HTTP answer: status, headers, body, whether the body arrived whole, and the URL that gave it."""

    status: int
    headers: Message = field(repr=False)
    body: bytes
    complete: bool = True
    url: str = ""

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "") or ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port of ``url`` (the default port made explicit)."""
    parts = urllib.parse.urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def public_url(url: str) -> str:
    """``url`` without any user:password part, fit for messages."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def check_url(url: str, what: str = "URL") -> str:
    """``url`` if it is an absolute http(s) URL without credentials in it; else UnsupportedURL."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        raise UnsupportedURL(f"{what} must be an http:// or https:// URL, not {public_url(url)!r}", public_url(url))
    if parts.username is not None or parts.password is not None:
        raise UnsupportedURL(f"{what} {public_url(url)} has credentials written into it; they are refused there",
                             public_url(url))
    return url


def basic_token(user: str, password: str) -> str:
    """The base64 value of HTTP Basic credentials (itself a secret: base64 is not masking)."""
    return base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every given secret and anything that looks like a credential masked."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


# ---------------------------------------------------------------- the deadline watchdog

_current = threading.local()


class _Watchdog:
    """Shuts every socket opened for one exchange when its deadline passes."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.fired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._fire)
        self._timer.daemon = True

    def remaining(self) -> float:
        return max(0.001, self.deadline - time.monotonic())

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.fired:
                _shut(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for sock in self._sockets:
                _shut(sock)

    def __enter__(self) -> _Watchdog:
        _current.watchdog = self
        self._timer.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._timer.cancel()
        _current.watchdog = None


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _watched(sock: socket.socket) -> None:
    watchdog = getattr(_current, "watchdog", None)
    if watchdog is not None:
        sock.settimeout(watchdog.remaining())
        watchdog.watch(sock)


class _HTTPConnection(http.client.HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _watched(self.sock)


class _HTTPSConnection(http.client.HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _watched(self.sock)


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_HTTPConnection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_HTTPSConnection, req, context=self._context)  # type: ignore[attr-defined]


class _RedirectHandler(urllib.request.HTTPRedirectHandler):
    """Follows redirects within http(s); never carries credentials to another origin."""

    max_redirections = 5

    def http_error_302(self, req: urllib.request.Request, fp: object, code: int, msg: str,
                       headers: Message) -> object:
        target = headers.get("Location") or headers.get("URI")
        if target:
            newurl = urllib.parse.urljoin(req.full_url, target)
            if urllib.parse.urlsplit(newurl).scheme.lower() not in SCHEMES:
                first = getattr(req, "first_url", req.full_url)
                raise RedirectRefused(f"{public_url(first)} redirected to {public_url(newurl)!r}, which is not "
                                      "http(s): not followed", public_url(first))
        return super().http_error_302(req, fp, code, msg, headers)  # type: ignore[arg-type]

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    def redirect_request(self, req: urllib.request.Request, fp: object, code: int, msg: str,
                         headers: Message, newurl: str) -> urllib.request.Request | None:
        first = getattr(req, "first_url", req.full_url)
        if urllib.parse.urlsplit(newurl).scheme.lower() not in SCHEMES:
            raise RedirectRefused(f"{public_url(first)} redirected to {public_url(newurl)!r}, which is not http(s): "
                                  "not followed", public_url(first))
        carries = getattr(req, "credentialed", False) or any(
            req.has_header(name) or name in req.unredirected_hdrs for name in CREDENTIAL_HEADERS)
        if origin(newurl) != origin(first) and carries:
            raise RedirectRefused(f"{public_url(first)} redirected (HTTP {code}) to {public_url(newurl)}, another "
                                  f"origin; credentials are only sent to {_origin_text(first)}, so the redirect is "
                                  "not followed (give the new address yourself if you trust it)", public_url(first))
        new = super().redirect_request(req, fp, code, msg, headers, newurl)  # type: ignore[arg-type]
        if new is not None:
            new.first_url = first  # type: ignore[attr-defined]
            new.credentialed = getattr(req, "credentialed", False)  # type: ignore[attr-defined]
            if origin(newurl) != origin(first):
                for name in CREDENTIAL_HEADERS:
                    new.remove_header(name)
        return new


def _origin_text(url: str) -> str:
    scheme, host, port = origin(url)
    return f"{scheme}://{host}:{port}"


def build_opener(*handlers: urllib.request.BaseHandler) -> urllib.request.OpenerDirector:
    """An opener with the deadline-aware connections and the credential-keeping redirect rule (plus ``handlers``)."""
    return urllib.request.build_opener(_HTTPHandler(), _HTTPSHandler(), _RedirectHandler(), *handlers)


_DEFAULT_OPENER = build_opener()


def request(url: str, *, method: str = "GET", data: bytes | None = None, headers: dict[str, str] | None = None,
            timeout: float = 30.0, max_bytes: int = DEFAULT_MAX_BYTES, credentialed: bool = False,
            opener: urllib.request.OpenerDirector | None = None) -> Response:
    """One exchange with ``url`` under one deadline of ``timeout`` seconds; any HTTP status is returned.

    ``credentialed`` marks a request whose credentials come from a handler of ``opener`` (digest), so that
    redirects to another origin are refused for it too. Raises a NetError subclass for everything else.
    """
    check_url(url)
    prepared = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    prepared.credentialed = credentialed  # type: ignore[attr-defined]
    return send(prepared, timeout=timeout, max_bytes=max_bytes, opener=opener)


def send(prepared: urllib.request.Request, *, timeout: float = 30.0, max_bytes: int = DEFAULT_MAX_BYTES,
         opener: urllib.request.OpenerDirector | None = None) -> Response:
    """Send a prepared urllib Request (as SPARQLWrapper makes them) under the same rules as :func:`request`."""
    url = public_url(prepared.full_url)
    check_url(prepared.full_url)
    with _Watchdog(time.monotonic() + timeout) as watchdog:
        try:
            answer = (opener or _DEFAULT_OPENER).open(prepared, timeout=timeout)
        except urllib.error.HTTPError as error:
            answer = error
        except NetError:
            raise
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            if watchdog.fired or _is_timeout(error):
                raise _late(url, timeout) from None
            reason = getattr(error, "reason", error)
            why = scrub(str(getattr(reason, "strerror", None) or reason))
            raise Unreachable(f"cannot reach {url}: {why}", url, why) from None
        try:
            body, complete = _read(answer, max_bytes, url)
        except (OSError, http.client.HTTPException):
            if watchdog.fired:
                raise _late(url, timeout) from None
            body, complete = b"", False
        finally:
            answer.close()
        if watchdog.fired:  # the socket was shut under the parser: whatever it made of that is cut short
            raise _late(url, timeout)
    status = getattr(answer, "status", None) or getattr(answer, "code", 0)
    headers = getattr(answer, "headers", None) or Message()
    return Response(int(status), headers, body, complete, public_url(answer.geturl() or url))


def _read(answer: object, max_bytes: int, url: str) -> tuple[bytes, bool]:
    """The body in chunks, up to ``max_bytes``; what arrived before a break-off has ``complete`` False."""
    parts: list[bytes] = []
    size = 0
    while True:
        try:
            chunk = answer.read(_READ)  # type: ignore[attr-defined]
        except http.client.IncompleteRead as partial:
            parts.append(bytes(partial.partial))
            return b"".join(parts), False
        if not chunk:
            promised = getattr(answer, "length", None)  # what Content-Length still owes: the body broke off
            return b"".join(parts), not promised
        size += len(chunk)
        if size > max_bytes:
            raise TooLarge(f"{url} answered more than {max_bytes:,} bytes; stopped reading", url)
        parts.append(chunk)


def _is_timeout(error: BaseException) -> bool:
    reason = getattr(error, "reason", error)
    return isinstance(reason, TimeoutError | socket.timeout) or "timed out" in str(reason)


def _late(url: str, timeout: float) -> DeadlineExceeded:
    return DeadlineExceeded(f"{url} did not finish answering within {timeout:g} s", url)


def first_line(body: bytes | str, secrets: Sequence[str] = (), limit: int = 200) -> str:
    """The first non-empty line of an error body, scrubbed of credentials and cut to ``limit`` characters."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return scrub(line, secrets)[:limit]
