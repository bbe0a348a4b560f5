"""HTTP for the store loader: SPARQL 1.1 Protocol queries and updates, Graph Store Protocol POSTs, credentials.

Credentials come from environment variables only and never appear in messages: every error names the endpoint
(without any user:password part) and the HTTP status, and any secret that a server echoes back is masked (the
Basic value too: base64 is not masking). Requests go through :mod:`migration_kg.net`: http(s) only, one deadline
per request, and credentials never follow a redirect to another origin.
"""

from __future__ import annotations

import json
import os
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from migration_kg import net
from migration_kg.errors import StoreAuthError, StoreError, StoreUnreachableError, UsageError

ENV_USER = "MIGRATION_KG_STORE_USER"
ENV_PASSWORD = "MIGRATION_KG_STORE_PASSWORD"
ENV_TOKEN = "MIGRATION_KG_STORE_TOKEN"
ENV_AUTH = "MIGRATION_KG_STORE_AUTH"
AUTH_SCHEMES = ("basic", "digest")
#: The largest answer read from a store (a count or a small SELECT; a load's own answers are short).
MAX_ANSWER_BYTES = 64 << 20


@dataclass(frozen=True)
class Credentials:
    """HTTP credentials: basic or digest (user and password) or a bearer token; ``repr`` hides the secret."""

    scheme: str
    user: str = ""
    secret: str = field(default="", repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Credentials | None:
        """Read $MIGRATION_KG_STORE_TOKEN, or $MIGRATION_KG_STORE_USER and _PASSWORD (scheme in _AUTH)."""
        env = os.environ if environ is None else environ
        if env.get(ENV_TOKEN):
            return cls("bearer", secret=env[ENV_TOKEN])
        user, password = env.get(ENV_USER, ""), env.get(ENV_PASSWORD, "")
        if not user and not password:
            return None
        if not user or not password:
            raise StoreAuthError(f"set both {ENV_USER} and {ENV_PASSWORD}, or neither")
        scheme = env.get(ENV_AUTH, "basic").lower()
        if scheme not in AUTH_SCHEMES:
            raise StoreAuthError(f"{ENV_AUTH} must be one of {', '.join(AUTH_SCHEMES)}, not {scheme!r}")
        return cls(scheme, user, password)


def public_url(url: str) -> str:
    """``url`` without any user:password part, fit for messages."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, parts.query, ""))


def sparql_iri(iri: str) -> str:
    """``iri`` as a SPARQL IRI reference: absolute, and without characters that could break out of ``<...>``."""
    if ":" not in iri or any(char in iri for char in '<>"{}|^`\\ \n\r\t'):
        raise UsageError(f"not a usable graph IRI: {iri!r}")
    return f"<{iri}>"


def sparql_string(value: str) -> str:
    """``value`` as a double-quoted SPARQL string literal."""
    escaped = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r"))
    return f'"{escaped}"'


class StoreClient:
    """Talks to one store: its query, update and graph-store URLs, with optional credentials."""

    def __init__(self, query_url: str, update_url: str, graph_store_url: str | None = None,
                 credentials: Credentials | None = None, timeout: float = 600.0) -> None:
        self.query_url = query_url
        self.update_url = update_url
        self.graph_store_url = graph_store_url
        self.credentials = credentials
        self.timeout = timeout
        self._secrets: list[str] = []
        if credentials and credentials.secret:
            self._secrets = [credentials.secret, net.basic_token(credentials.user, credentials.secret),
                             f"{credentials.user}:{credentials.secret}"]
        for url in (query_url, update_url, graph_store_url):
            if url is None:
                continue
            if urllib.parse.urlsplit(url).username is not None:
                raise StoreAuthError(f"{public_url(url)}: credentials in URLs are not accepted; set {ENV_USER} and "
                                     f"{ENV_PASSWORD}, or {ENV_TOKEN}")
            try:
                net.check_url(url, "the store's URL")
            except net.UnsupportedURL as error:
                raise UsageError(str(error)) from None
        self._opener = self._build_opener()

    def _build_opener(self) -> urllib.request.OpenerDirector:
        handlers: list[urllib.request.BaseHandler] = []
        if self.credentials is not None and self.credentials.scheme == "digest":
            manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in {self.query_url, self.update_url, self.graph_store_url or self.query_url}:
                manager.add_password(None, url, self.credentials.user, self.credentials.secret)
            handlers.append(urllib.request.HTTPDigestAuthHandler(manager))
        return net.build_opener(*handlers)

    def _auth_headers(self) -> dict[str, str]:
        credentials = self.credentials
        if credentials is None or credentials.scheme == "digest":
            return {}
        if credentials.scheme == "bearer":
            return {"Authorization": f"Bearer {credentials.secret}"}
        return {"Authorization": f"Basic {net.basic_token(credentials.user, credentials.secret)}"}

    def scrub(self, text: str) -> str:
        """``text`` with every secret (and anything that looks like a credential) masked."""
        return net.scrub(text, self._secrets)

    def request(self, url: str, body: bytes, content_type: str, what: str, accept: str = "*/*") -> bytes:
        """POST ``body`` to ``url`` and return the answer; map every failure to a StoreError naming ``what``."""
        headers = {"Content-Type": content_type, "Accept": accept, **self._auth_headers()}
        where = public_url(url)
        digest = self.credentials is not None and self.credentials.scheme == "digest"
        try:
            response = net.request(url, method="POST", data=body, headers=headers, timeout=self.timeout,
                                   max_bytes=MAX_ANSWER_BYTES, credentialed=digest, opener=self._opener)
        except net.DeadlineExceeded:
            raise StoreUnreachableError(f"{where} did not answer {what} within {self.timeout:g} s") from None
        except net.RedirectRefused as error:
            raise StoreError(f"{self.scrub(str(error))} ({what}; nothing was sent there)") from None
        except net.Unreachable as error:
            raise StoreUnreachableError(f"cannot reach the store at {where} ({what}): {self.scrub(error.reason)}") \
                from None
        except net.NetError as error:
            raise StoreError(f"{self.scrub(str(error))} ({what})") from None
        if not response.ok:
            raise self._http_error(response, where, what)
        if not response.complete:
            raise StoreUnreachableError(f"the connection to {where} broke off during {what}")
        return response.body

    def _http_error(self, response: net.Response, where: str, what: str) -> StoreError:
        detail = response.body.decode("utf-8", "replace")
        first_line = net.first_line(detail, self._secrets, 300)
        status = f"HTTP {response.status}"
        if response.status in (401, 403) or "SECURITY" in detail:
            hint = ("wrong or insufficient credentials" if self.credentials is not None else
                    f"it needs credentials: set {ENV_USER} and {ENV_PASSWORD}, or {ENV_TOKEN}")
            if "SECURITY" in detail and self.credentials is None:
                hint = ("Virtuoso lets anonymous users update only after GRANT SPARQL_UPDATE TO \"SPARQL\" (in "
                        f"isql-vt, see docs/stores.md); or {hint.removeprefix('it needs credentials: ')} to load "
                        "through its -auth endpoints")
            return StoreAuthError(f"{where} refused {what} ({status}): {hint}"
                                  + (f" - {first_line}" if "SECURITY" in detail else ""))
        if response.status in (502, 503, 504):
            return StoreUnreachableError(f"{where} is unavailable ({status}) for {what}: {first_line}")
        if 300 <= response.status < 400:
            return StoreError(f"{where} answered {status} to {what} with a redirect that is not followed: "
                              f"{first_line}")
        return StoreError(f"{where} answered {status} to {what}: {first_line}")

    def select(self, query: str, what: str) -> list[dict[str, Any]]:
        """Run a SELECT query; return its bindings from SPARQL JSON results."""
        body = urllib.parse.urlencode({"query": query}).encode("utf-8")
        raw = self.request(self.query_url, body, "application/x-www-form-urlencoded", what,
                           accept="application/sparql-results+json")
        try:
            bindings = json.loads(raw.decode("utf-8"))["results"]["bindings"]
        except (ValueError, KeyError, TypeError, IndexError):
            bindings = None
        if not isinstance(bindings, list) or not all(
                isinstance(row, dict) and all(isinstance(cell, dict) for cell in row.values()) for row in bindings):
            raise StoreError(f"{public_url(self.query_url)} did not answer {what} with SPARQL JSON results")
        return bindings

    def count(self, graph: str, what: str | None = None) -> int:
        """The number of triples in ``graph``."""
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {sparql_iri(graph)} {{ ?s ?p ?o }} }}",
                           what or f"counting the triples of {sparql_iri(graph)}")
        return self.number(rows, f"no triple count for {sparql_iri(graph)}")

    def number(self, rows: list[dict[str, Any]], missing: str) -> int:
        """The integer ``?n`` of the first row of a COUNT query; a StoreError saying ``missing`` otherwise."""
        try:
            return int(rows[0]["n"]["value"])
        except (IndexError, KeyError, ValueError, TypeError):
            raise StoreError(f"{public_url(self.query_url)} gave {missing}") from None

    def update(self, update: str, what: str) -> None:
        """Run a SPARQL 1.1 Update through the update URL (form-encoded, as every store accepts)."""
        body = urllib.parse.urlencode({"update": update}).encode("utf-8")
        self.request(self.update_url, body, "application/x-www-form-urlencoded", what)

    def post_graph(self, graph: str, body: bytes, graph_param: str, extra: Mapping[str, str], what: str) -> None:
        """Add N-Triples ``body`` to ``graph`` by a Graph Store Protocol POST."""
        if not self.graph_store_url:
            raise StoreError("no Graph Store Protocol URL: pass --graph-store-url or use --protocol update")
        query = urllib.parse.urlencode({graph_param: graph, **extra}).replace("=&", "&").rstrip("=")
        separator = "&" if "?" in self.graph_store_url else "?"
        self.request(f"{self.graph_store_url}{separator}{query}", body, "application/n-triples", what)

