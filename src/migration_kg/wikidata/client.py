"""The one polite client every Wikidata call goes through: SPARQL queries and name searches, with retries and a cache.

Politeness follows the Wikimedia rules for tools: a User-Agent with a contact that reaches the operator
(``MIGRATION_KG_CONTACT``, required on Wikimedia's own services), one request at a time, retries that never come
before ``Retry-After`` (and stop instead when it asks for longer than ``--max-wait``), no retry at all once the
service answers 403 (its throttling bans clients that do not back off), batched ``VALUES`` lookups, and an on-disk
cache so that a second run sends nothing. The batched questions are in :mod:`.queries`, answer parsing in
:mod:`.answers`, and the HTTP itself in :mod:`.http`.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from migration_kg import net
from migration_kg.errors import (
    WikidataBannedError,
    WikidataError,
    WikidataHTTPError,
    WikidataRateLimitedError,
    WikidataTimeoutError,
    WikidataUnavailableError,
)
from migration_kg.iris import WIKIDATA_QUERY_SERVICE
from migration_kg.wikidata import http
from migration_kg.wikidata.answers import (
    Row,
    SearchHit,
    Term,
    error_summary,
    parse_results,
    parse_search,
    qid,
    require,
    rows_of,
    timeout_in_body,
)

DEFAULT_ENDPOINT = WIKIDATA_QUERY_SERVICE
DEFAULT_SEARCH_API = "https://www.wikidata.org/w/api.php"
DEFAULT_CACHE_DIR = Path(".cache/wikidata")
#: HTTP statuses worth retrying after a pause: rate limiting and passing overloads.
RETRYABLE = (429, 502, 503, 504)
SPARQL_JSON = "application/sparql-results+json"
#: One request at a time across the whole process, whatever the number of clients.
_REQUEST_LOCK = threading.Lock()

__all__ = ["DEFAULT_ENDPOINT", "Answer", "Row", "Term", "WikidataClient", "qid", "retry_after_seconds"]


@dataclass(frozen=True)
class Answer:
    """The rows of one SELECT, when they were retrieved, and whether they came from the cache."""

    rows: list[Row]
    retrieved: str
    from_cache: bool


def retry_after_seconds(header: str | None, now: datetime | None = None) -> float | None:
    """The pause a ``Retry-After`` header asks for (delta-seconds or an HTTP date), or None."""
    if not header:
        return None
    header = header.strip()
    if header.isdigit():
        return float(header)
    try:
        when = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass
class WikidataClient:
    """A client for Wikidata's query service and search API; counts its requests, cache hits and pauses."""

    endpoint: str = DEFAULT_ENDPOINT
    search_api: str = DEFAULT_SEARCH_API
    timeout: int = 60
    retries: int = 4
    backoff: float = 1.0
    max_wait: float = 60.0
    cache_dir: Path | None = DEFAULT_CACHE_DIR
    contact: str | None = field(default_factory=http.contact_from_environment)
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    requests_made: int = 0
    cache_hits: int = 0
    waits: list[float] = field(default_factory=list)

    @property
    def user_agent(self) -> str:
        return http.user_agent(self.contact)

    def select(self, query: str, required: tuple[str, ...] = ()) -> list[Row]:
        """The rows of a SELECT query, from the cache if this endpoint already answered it; each row must bind
        the variables of ``required``."""
        return self.answer(query, required).rows

    def answer(self, query: str, required: tuple[str, ...] = ()) -> Answer:
        """Run (or recall) one SELECT query and return its rows with their retrieval time."""
        cached = self._read_cache(self.endpoint, query)
        if cached is not None:
            self.cache_hits += 1
            rows = require(rows_of(cached["answer"], self.endpoint), required, self.endpoint)
            return Answer(rows, cached["retrieved"], from_cache=True)
        response = self._fetch(self.endpoint, SPARQL_JSON, form={"query": query})
        document = parse_results(response.body, response.content_type, self.endpoint, response.complete)
        rows = require(rows_of(document, self.endpoint), required, self.endpoint)
        retrieved = _now()
        self._write_cache(self.endpoint, query, document, retrieved)
        return Answer(rows, retrieved, from_cache=False)

    def select_values(self, template: str, iris: Iterable[str], chunk_size: int = 200,
                      required: tuple[str, ...] = ()) -> list[Row]:
        """Run ``template`` once per chunk of IRIs, its ``{values}`` replaced by ``<iri> <iri> ...``."""
        unique = sorted(set(iris))
        rows: list[Row] = []
        for start in range(0, len(unique), chunk_size):
            values = " ".join(f"<{iri}>" for iri in unique[start:start + chunk_size])
            rows.extend(self.select(template.replace("{values}", values), required))
        return rows

    def search(self, text: str, language: str, limit: int = 10) -> list[SearchHit]:
        """Items whose label or alias starts with ``text`` (``wbsearchentities``, with language fallbacks)."""
        params = {"action": "wbsearchentities", "search": text, "language": language, "uselang": language,
                  "type": "item", "limit": str(limit), "format": "json"}
        key = json.dumps(params, sort_keys=True, ensure_ascii=False)
        cached = self._read_cache(self.search_api, key)
        if cached is not None:
            self.cache_hits += 1
            return parse_search(json.dumps(cached["answer"]).encode(), self.search_api)
        response = self._fetch(self.search_api, "application/json", query=params)
        hits = parse_search(response.body, self.search_api)
        self._write_cache(self.search_api, key, json.loads(response.body.decode("utf-8")), _now())
        return hits

    def cache_key(self, query: str, endpoint: str | None = None) -> str:
        """The cache file name for ``query`` on ``endpoint`` (default: this client's): a SHA-256 of both."""
        return hashlib.sha256(f"{endpoint or self.endpoint}\n{query}".encode()).hexdigest()

    # ------------------------------------------------------------ sending, retrying, judging statuses

    def _fetch(self, url: str, accept: str, form: dict[str, str] | None = None,
               query: dict[str, str] | None = None) -> http.Response:
        """Send one request, retrying 429/502/503/504 after at least what ``Retry-After`` asks for."""
        http.check_contact(self.contact, url)
        attempt = 0
        while True:
            with _REQUEST_LOCK:
                self.requests_made += 1
                response = http.send(url, agent=self.user_agent, accept=accept, timeout=self.timeout, form=form,
                                     query=query)
            if 200 <= response.status < 300:
                return response
            if response.status not in RETRYABLE or attempt >= self.retries:
                raise self._failure(url, response, attempt)
            asked = retry_after_seconds(response.headers.get("Retry-After"))
            if asked is not None and asked > self.max_wait:
                raise self._wait_too_long(url, response.status, asked)
            wait = max(asked or 0.0, min(self.backoff * 2 ** attempt, self.max_wait))
            self.waits.append(wait)
            self.sleep(wait)
            attempt += 1

    def _wait_too_long(self, url: str, status: int, asked: float) -> WikidataError:
        error = WikidataRateLimitedError if status == 429 else WikidataUnavailableError
        return error(f"HTTP {status}: the service asks to wait {asked:g} s (Retry-After), longer than --max-wait "
                     f"{self.max_wait:g} s; stopped without retrying: run again later or raise --max-wait",
                     _base(url))

    def _failure(self, url: str, response: http.Response, retries: int) -> WikidataError:
        """The typed error for a status that retrying does not (or no longer) cure, in one line."""
        endpoint = _base(url)
        after = f" after {retries} {'retry' if retries == 1 else 'retries'}" if retries else ""
        body = net.scrub(response.body.decode("utf-8", "replace"))  # shown in messages: no credential in it
        status = response.status
        if timeout_in_body(body):
            return WikidataTimeoutError(f"HTTP {status}: the query hit the service's own time limit "
                                        "(java.util.concurrent.TimeoutException); ask for less or try later",
                                        endpoint)
        if status == 403:
            return WikidataBannedError("HTTP 403 Forbidden: the service refuses this client for now (its throttling "
                                       "bans clients that do not back off); stop and wait before running again",
                                       endpoint)
        if status == 429:
            return WikidataRateLimitedError(f"HTTP 429 Too Many Requests{after}; wait and run again", endpoint)
        if status == 503:
            return WikidataUnavailableError(f"HTTP 503 Service Unavailable{after}; try again later", endpoint)
        detail = error_summary(body)
        return WikidataHTTPError(f"HTTP {status}{after}" + (f" ({detail})" if detail else ""), endpoint, status)

    # ------------------------------------------------------------ the on-disk cache

    def _cache_path(self, endpoint: str, key: str) -> Path | None:
        if self.cache_dir is None:
            return None
        name = self.cache_key(key, endpoint)
        return Path(self.cache_dir) / name[:2] / f"{name}.json"

    def _read_cache(self, endpoint: str, key: str) -> dict[str, Any] | None:
        path = self._cache_path(endpoint, key)
        if path is None or not path.is_file():
            return None
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if record.get("endpoint") != endpoint or record.get("query") != key:
            return None
        return record

    def _write_cache(self, endpoint: str, key: str, document: Any, retrieved: str) -> None:
        path = self._cache_path(endpoint, key)
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        record = {"endpoint": endpoint, "query": key, "retrieved": retrieved, "answer": document}
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(record, stream, ensure_ascii=False)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def _base(url: str) -> str:
    return url.split("?", 1)[0]


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
