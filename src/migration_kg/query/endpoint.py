"""Send one query to a SPARQL 1.1 endpoint through SPARQLWrapper; every failure becomes one precise error.

Credentials come only from the environment: ``MIGRATION_KG_SPARQL_TOKEN`` (a bearer token), or
``MIGRATION_KG_SPARQL_USER`` with ``MIGRATION_KG_SPARQL_PASSWORD`` (HTTP Basic). They are never taken from the
command line, never put in the URL and never printed. SPARQLWrapper prepares the request; :mod:`migration_kg.net`
sends it: http(s) only, one deadline for the whole answer, no credentials carried to another origin by a
redirect, and error bodies scrubbed of anything that looks like a credential before they are shown.
"""

from __future__ import annotations

import http.client
import os
import time
import warnings
from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

from migration_kg import __version__, net
from migration_kg.errors import (
    EndpointHTTPError,
    EndpointTimeoutError,
    EndpointUnreachableError,
    ResultTooLargeError,
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
#: The largest answer read from an endpoint; beyond it the query should ask for less (LIMIT).
MAX_ANSWER_BYTES = 512 << 20
#: Statuses reported without their reason phrase (as SPARQLWrapper's own errors were).
_TERSE = (400, 401, 404, 414, 500)


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


def _authenticate(client: object, environ: Mapping[str, str]) -> list[str]:
    """Set the credentials of the environment on ``client``; return the secrets to mask in messages."""
    token = environ.get(TOKEN_VARIABLE)
    user = environ.get(USER_VARIABLE)
    password = environ.get(PASSWORD_VARIABLE)
    if token and (user or password):
        raise UsageError(f"set either {TOKEN_VARIABLE} or {USER_VARIABLE}/{PASSWORD_VARIABLE}, not both")
    if token:
        client.addCustomHttpHeader("Authorization", f"Bearer {token}")  # type: ignore[attr-defined]
        return [token]
    if user or password:
        if not (user and password):
            raise UsageError(f"set both {USER_VARIABLE} and {PASSWORD_VARIABLE} for HTTP Basic authentication")
        client.setCredentials(user, password)  # type: ignore[attr-defined]
        return [password, net.basic_token(user, password), f"{user}:{password}"]
    return []


def _pause(response: net.Response) -> float:
    try:
        return max(0.0, min(float(response.headers.get("Retry-After", "1")), MAX_PAUSE))
    except (TypeError, ValueError):
        return 1.0


def fetch(url: str, text: str, form: str, timeout: float, environ: Mapping[str, str] | None = None
          ) -> tuple[bytes, str]:
    """POST ``text`` to ``url``; the answer's bytes and media type. Retries 429/503 a few times, honouring
    ``Retry-After``; raises EndpointUnreachableError, EndpointTimeoutError or EndpointHTTPError otherwise."""
    from SPARQLWrapper import POST, SPARQLWrapper

    check_endpoint_url(url)
    client = SPARQLWrapper(url, agent=USER_AGENT)
    client.setMethod(POST)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client.setQuery(text)
    client.addCustomHttpHeader("Accept", ACCEPT_GRAPH if form in ("CONSTRUCT", "DESCRIBE") else ACCEPT_RESULTS)
    secrets = _authenticate(client, os.environ if environ is None else environ)
    for attempt in range(1, ATTEMPTS + 1):
        response = _send(client._createRequest(), url, timeout, secrets)
        if response.ok:
            if not response.complete:
                raise EndpointUnreachableError(f"{url} broke off its answer after {len(response.body):,} bytes")
            return response.body, response.content_type
        if response.status in RETRYABLE and attempt < ATTEMPTS:
            time.sleep(_pause(response))
            continue
        retried = f" after {attempt} attempts" if response.status in RETRYABLE else ""
        reason = "" if response.status in _TERSE else " " + http.client.responses.get(response.status, "")
        raise EndpointHTTPError(f"{url} answered HTTP {response.status}{reason}{retried}: "
                                f"{net.first_line(response.body, secrets)}".rstrip(": "))
    raise AssertionError("unreachable")  # pragma: no cover


def _send(request: object, url: str, timeout: float, secrets: list[str]) -> net.Response:
    """One request through :mod:`migration_kg.net`, its failures as the endpoint errors."""
    try:
        return net.send(request, timeout=timeout, max_bytes=MAX_ANSWER_BYTES)  # type: ignore[arg-type]
    except net.DeadlineExceeded:
        raise EndpointTimeoutError(f"{url} did not answer within {timeout:g} s (--timeout)") from None
    except net.TooLarge:
        raise ResultTooLargeError(f"{url} answered more than {MAX_ANSWER_BYTES:,} bytes; ask for less (LIMIT)") \
            from None
    except net.Unreachable as error:
        raise EndpointUnreachableError(f"cannot reach {url}: {net.scrub(error.reason, secrets)}") from None
    except net.NetError as error:
        raise EndpointHTTPError(net.scrub(str(error), secrets)) from None
