"""Send one query to a SPARQL 1.1 endpoint through SPARQLWrapper; every failure becomes one precise error.

Credentials come only from the environment: ``MIGRATION_KG_SPARQL_TOKEN`` (a bearer token), or
``MIGRATION_KG_SPARQL_USER`` with ``MIGRATION_KG_SPARQL_PASSWORD`` (HTTP Basic). They are never taken from the
command line, never put in the URL and never printed.
"""

from __future__ import annotations

import ast
import os
import socket
import time
import urllib.error
import warnings
from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

from migration_kg import __version__
from migration_kg.errors import (
    EndpointHTTPError,
    EndpointTimeoutError,
    EndpointUnreachableError,
    UsageError,
)

TOKEN_VARIABLE = "MIGRATION_KG_SPARQL_TOKEN"
USER_VARIABLE = "MIGRATION_KG_SPARQL_USER"
PASSWORD_VARIABLE = "MIGRATION_KG_SPARQL_PASSWORD"
USER_AGENT = f"migration-kg/{__version__} (https://w3id.org/migration-kg) SPARQLWrapper/2"
ACCEPT_RESULTS = ("application/sparql-results+json, application/sparql-results+xml;q=0.8, "
                  "text/tab-separated-values;q=0.5")
ACCEPT_GRAPH = "text/turtle, application/n-triples;q=0.9, application/rdf+xml;q=0.5"
#: Statuses worth one more try after the pause the server asks for (at most MAX_PAUSE seconds).
RETRYABLE = (429, 503)
ATTEMPTS = 3
MAX_PAUSE = 10.0
_STATUS_OF = {"QueryBadFormed": 400, "Unauthorized": 401, "EndPointNotFound": 404, "URITooLong": 414,
              "EndPointInternalError": 500}


def check_endpoint_url(url: str) -> str:
    """``url`` if it is an http(s) URL without credentials in it; the error never repeats a password."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--endpoint must be an http:// or https:// URL, got {redact(url)!r}")
    if parts.username or parts.password:
        raise UsageError(f"credentials in the endpoint URL are refused ({redact(url)}); set {TOKEN_VARIABLE}, "
                         f"or {USER_VARIABLE} and {PASSWORD_VARIABLE}, in the environment instead")
    return url


def redact(url: str) -> str:
    """``url`` without any user or password part."""
    parts = urlsplit(url)
    if not (parts.username or parts.password):
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _authenticate(client: object, environ: Mapping[str, str]) -> None:
    token = environ.get(TOKEN_VARIABLE)
    user = environ.get(USER_VARIABLE)
    password = environ.get(PASSWORD_VARIABLE)
    if token and (user or password):
        raise UsageError(f"set either {TOKEN_VARIABLE} or {USER_VARIABLE}/{PASSWORD_VARIABLE}, not both")
    if token:
        client.addCustomHttpHeader("Authorization", f"Bearer {token}")  # type: ignore[attr-defined]
    elif user or password:
        if not (user and password):
            raise UsageError(f"set both {USER_VARIABLE} and {PASSWORD_VARIABLE} for HTTP Basic authentication")
        client.setCredentials(user, password)  # type: ignore[attr-defined]


def _server_message(error: Exception) -> str:
    """The first line of what the server said, from a SPARQLWrapper exception or an HTTPError."""
    body: bytes | str = b""
    if isinstance(error, urllib.error.HTTPError):
        try:
            body = error.read() or b""
        except OSError:
            body = b""
    else:
        _, _, response = str(error).partition("Response:\n")
        try:
            body = ast.literal_eval(response) if response else b""
        except (ValueError, SyntaxError):
            body = response
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first[:200]


def _is_timeout(error: BaseException) -> bool:
    reason = getattr(error, "reason", error)
    return isinstance(reason, TimeoutError | socket.timeout) or "timed out" in str(reason)


def _pause(error: urllib.error.HTTPError) -> float:
    try:
        return min(float(error.headers.get("Retry-After", "1")), MAX_PAUSE)
    except (TypeError, ValueError):
        return 1.0


def fetch(url: str, text: str, form: str, timeout: float, environ: Mapping[str, str] | None = None
          ) -> tuple[bytes, str]:
    """POST ``text`` to ``url``; the answer's bytes and media type. Retries 429/503 a few times, honouring
    ``Retry-After``; raises EndpointUnreachableError, EndpointTimeoutError or EndpointHTTPError otherwise."""
    from SPARQLWrapper import POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    check_endpoint_url(url)
    client = SPARQLWrapper(url, agent=USER_AGENT)
    client.setMethod(POST)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client.setQuery(text)
    client.timeout = timeout
    client.addCustomHttpHeader("Accept", ACCEPT_GRAPH if form in ("CONSTRUCT", "DESCRIBE") else ACCEPT_RESULTS)
    _authenticate(client, os.environ if environ is None else environ)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            response = client.query().response
            return response.read(), response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as error:
            if error.code in RETRYABLE and attempt < ATTEMPTS:
                time.sleep(_pause(error))
                continue
            retried = f" after {attempt} attempts" if error.code in RETRYABLE else ""
            raise EndpointHTTPError(f"{url} answered HTTP {error.code} {error.reason}{retried}: "
                                    f"{_server_message(error)}".rstrip(": ")) from None
        except SPARQLWrapperException as error:
            status = _STATUS_OF.get(type(error).__name__, "error")
            raise EndpointHTTPError(f"{url} answered HTTP {status}: {_server_message(error)}".rstrip(": ")) from None
        except (urllib.error.URLError, OSError) as error:
            if _is_timeout(error):
                raise EndpointTimeoutError(f"{url} did not answer within {timeout:g} s (--timeout)") from None
            reason = getattr(error, "reason", error)
            raise EndpointUnreachableError(f"cannot reach {url}: {getattr(reason, 'strerror', None) or reason}"
                                           ) from None
    raise AssertionError("unreachable")  # pragma: no cover
