"""The one polite client every Wikidata call goes through, and the batched queries built on it.

Politeness follows the Wikidata Query Service's rules for bots: a descriptive User-Agent with a contact,
a server-side timeout, one request at a time, retries that honour ``Retry-After`` on 429 and 503, batched
``VALUES`` lookups instead of one request per entity, and an on-disk cache so that a second run sends nothing.
The endpoint is an option, so the same code runs against a mirror or a local Oxigraph loaded with a fixture.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import json
import os
import tempfile
import threading
import time
import urllib.error
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from migration_kg import __version__
from migration_kg.errors import (
    WikidataError,
    WikidataHTTPError,
    WikidataMalformedAnswerError,
    WikidataRateLimitedError,
    WikidataTimeoutError,
    WikidataUnavailableError,
    WikidataUnreachableError,
)
from migration_kg.iris import WIKIDATA_QUERY_SERVICE

DEFAULT_ENDPOINT = WIKIDATA_QUERY_SERVICE
DEFAULT_CACHE_DIR = Path(".cache/wikidata")
USER_AGENT = (f"migration-kg/{__version__} (https://w3id.org/migration-kg; "
              "migration-kg@users.noreply.github.com) SPARQLWrapper/2")
ENTITY = "http://www.wikidata.org/entity/"
PREFIXES = """PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX p: <http://www.wikidata.org/prop/>
PREFIX ps: <http://www.wikidata.org/prop/statement/>
PREFIX pq: <http://www.wikidata.org/prop/qualifier/>
PREFIX wikibase: <http://wikiba.se/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""
#: HTTP statuses worth retrying after a pause: rate limiting and passing overloads.
RETRYABLE = (429, 502, 503, 504)
#: One request at a time across the whole process, whatever the number of clients.
_REQUEST_LOCK = threading.Lock()


@dataclass(frozen=True)
class Term:
    """One value of a SPARQL JSON result binding."""

    value: str
    kind: str = "literal"
    lang: str | None = None
    datatype: str | None = None

    def __str__(self) -> str:
        return self.value


Row = dict[str, Term]


@dataclass(frozen=True)
class Answer:
    """The rows of one SELECT, when they were retrieved, and whether they came from the cache."""

    rows: list[Row]
    retrieved: str
    from_cache: bool


def qid(iri: str) -> str:
    """``Q42`` from ``http://www.wikidata.org/entity/Q42`` (other strings are returned unchanged)."""
    return iri[len(ENTITY):] if iri.startswith(ENTITY) else iri


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
    """A SPARQL client for Wikidata; counts its HTTP requests and cache hits so tests and users can see them."""

    endpoint: str = DEFAULT_ENDPOINT
    timeout: int = 60
    retries: int = 4
    backoff: float = 1.0
    max_wait: float = 60.0
    cache_dir: Path | None = DEFAULT_CACHE_DIR
    user_agent: str = USER_AGENT
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    requests_made: int = 0
    cache_hits: int = 0
    waits: list[float] = field(default_factory=list)

    def select(self, query: str) -> list[Row]:
        """The rows of a SELECT query, from the cache if this endpoint already answered it."""
        return self.answer(query).rows

    def answer(self, query: str) -> Answer:
        """Run (or recall) one SELECT query and return its rows with their retrieval time."""
        cached = self._read_cache(query)
        if cached is not None:
            self.cache_hits += 1
            return Answer(_rows(cached["answer"], self.endpoint), cached["retrieved"], from_cache=True)
        document = self._fetch(query)
        rows = _rows(document, self.endpoint)
        retrieved = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        self._write_cache(query, document, retrieved)
        return Answer(rows, retrieved, from_cache=False)

    def select_values(self, template: str, iris: Iterable[str], chunk_size: int = 200) -> list[Row]:
        """Run ``template`` once per chunk of IRIs, its ``{values}`` replaced by ``<iri> <iri> ...``."""
        unique = sorted(set(iris))
        rows: list[Row] = []
        for start in range(0, len(unique), chunk_size):
            values = " ".join(f"<{iri}>" for iri in unique[start:start + chunk_size])
            rows.extend(self.select(template.replace("{values}", values)))
        return rows

    def cache_key(self, query: str) -> str:
        """The cache file name for ``query`` on this endpoint: a SHA-256 of both."""
        return hashlib.sha256(f"{self.endpoint}\n{query}".encode()).hexdigest()

    def _cache_path(self, query: str) -> Path | None:
        if self.cache_dir is None:
            return None
        key = self.cache_key(query)
        return Path(self.cache_dir) / key[:2] / f"{key}.json"

    def _read_cache(self, query: str) -> dict[str, Any] | None:
        path = self._cache_path(query)
        if path is None or not path.is_file():
            return None
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if record.get("endpoint") != self.endpoint or record.get("query") != query:
            return None
        return record

    def _write_cache(self, query: str, document: dict[str, Any], retrieved: str) -> None:
        path = self._cache_path(query)
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        record = {"endpoint": self.endpoint, "query": query, "retrieved": retrieved, "answer": document}
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(record, stream, ensure_ascii=False)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def _fetch(self, query: str) -> dict[str, Any]:
        """Send the query, retrying 429/502/503/504 with capped exponential backoff."""
        attempt = 0
        while True:
            try:
                with _REQUEST_LOCK:
                    self.requests_made += 1
                    return self._request(query)
            except urllib.error.HTTPError as error:
                if error.code not in RETRYABLE or attempt >= self.retries:
                    raise self._http_failure(error, attempt) from None
                wait = retry_after_seconds(error.headers.get("Retry-After") if error.headers else None)
                wait = max(wait or 0.0, self.backoff * 2 ** attempt)
                wait = min(wait, self.max_wait)
                self.waits.append(wait)
                self.sleep(wait)
                attempt += 1

    def _request(self, query: str) -> dict[str, Any]:
        """One HTTP POST through SPARQLWrapper; transport failures become typed errors."""
        from SPARQLWrapper import JSON, POST, URLENCODED, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        wrapper = SPARQLWrapper(self.endpoint, agent=self.user_agent)
        wrapper.setQuery(query)
        wrapper.setReturnFormat(JSON)
        wrapper.setOnlyConneg(True)
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(URLENCODED)
        wrapper.addParameter("timeout", str(self.timeout))
        wrapper.setTimeout(self.timeout + 1)
        try:
            response = wrapper.query().response
            content_type = response.headers.get("Content-Type", "") if response.headers else ""
            body = response.read()
        except urllib.error.HTTPError:
            raise
        except SPARQLWrapperException as error:
            status = {"QueryBadFormed": 400, "Unauthorized": 401, "EndPointNotFound": 404,
                      "URITooLong": 414, "EndPointInternalError": 500}.get(type(error).__name__, 0)
            detail = _response_text(str(error))
            raise WikidataHTTPError(f"HTTP {status}" + (f" ({detail})" if detail else ""), self.endpoint,
                                    status) from None
        except TimeoutError:
            raise self._timeout() from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise self._timeout() from None
            raise WikidataUnreachableError(f"cannot reach the endpoint ({error.reason})", self.endpoint) from None
        except (ConnectionError, OSError) as error:
            raise WikidataUnreachableError(f"connection failed ({error})", self.endpoint) from None
        return _parse_json(body, content_type, self.endpoint)

    def _timeout(self) -> WikidataTimeoutError:
        return WikidataTimeoutError(f"no answer within the {self.timeout} s timeout", self.endpoint)

    def _http_failure(self, error: urllib.error.HTTPError, retries: int) -> WikidataError:
        after = f" after {retries} {'retry' if retries == 1 else 'retries'}" if retries else ""
        if error.code == 429:
            return WikidataRateLimitedError(f"HTTP 429 Too Many Requests{after}; wait and run again",
                                            self.endpoint)
        if error.code == 503:
            return WikidataUnavailableError(f"HTTP 503 Service Unavailable{after}; try again later",
                                            self.endpoint)
        return WikidataHTTPError(f"HTTP {error.code} {error.reason}{after}", self.endpoint, error.code)


def _response_text(message: str) -> str:
    """The body SPARQLWrapper quotes after 'Response:' in its error messages, on one short line."""
    body = message.split("Response:", 1)[1].strip() if "Response:" in message else ""
    if body.startswith(("b'", 'b"')):
        with contextlib.suppress(ValueError, SyntaxError):
            body = ast.literal_eval(body).decode("utf-8", "replace")
    return " ".join(body.split())[:200]


def _parse_json(body: bytes, content_type: str, endpoint: str) -> dict[str, Any]:
    """Decode a SPARQL JSON results document, refusing anything else with a one-line reason."""
    if "json" not in content_type.lower():
        raise WikidataMalformedAnswerError(
            f"expected SPARQL JSON results, got {content_type or 'no content type'}", endpoint)
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise WikidataMalformedAnswerError(f"the answer is not valid JSON ({error})", endpoint) from None
    if not isinstance(document, dict) or not isinstance(document.get("results", {}).get("bindings"), list):
        raise WikidataMalformedAnswerError("the answer has no results.bindings list", endpoint)
    return document


def _rows(document: dict[str, Any], endpoint: str) -> list[Row]:
    rows = []
    for binding in document["results"]["bindings"]:
        if not isinstance(binding, dict):
            raise WikidataMalformedAnswerError("a result binding is not an object", endpoint)
        rows.append({name: Term(cell.get("value", ""), cell.get("type", "literal"), cell.get("xml:lang"),
                                cell.get("datatype")) for name, cell in binding.items()})
    return rows


# ---------------------------------------------------------------- batched questions about items


@dataclass
class Item:
    """What the linking checks need to know about one Wikidata item."""

    qid: str
    exists: bool = False
    redirect: str | None = None
    labels: dict[str, list[str]] = field(default_factory=dict)
    aliases: dict[str, list[str]] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    classes: set[str] = field(default_factory=set)

    @property
    def target(self) -> str:
        """The item to read facts from: the redirect target of a merged item, else the item itself."""
        return self.redirect or self.qid

    def label(self) -> str:
        for language in ("en", "fr"):
            if self.labels.get(language):
                return self.labels[language][0]
        return self.target


@dataclass(frozen=True)
class Statement:
    """One statement of a property: its value, the value's label and its start/end/point-in-time qualifiers."""

    value: str
    label: str = ""
    start: str | None = None
    end: str | None = None
    point_in_time: str | None = None


def fetch_items(client: WikidataClient, qids: Iterable[str], classes: Sequence[str] = ()) -> dict[str, Item]:
    """Existence, redirect, French/English labels and aliases, direct types and which of ``classes`` each
    item is an instance of (P31/P279*), in two batched queries."""
    items = {q: Item(q) for q in sorted(set(qids))}
    if not items:
        return items
    rows = client.select_values(PREFIXES + """SELECT ?item ?redirect ?exists ?property ?label WHERE {
  VALUES ?item { {values} }
  OPTIONAL { ?item owl:sameAs ?redirect . FILTER (STRSTARTS(STR(?redirect), STR(wd:Q))) }
  BIND (COALESCE(?redirect, ?item) AS ?target)
  BIND (EXISTS { ?target ?anyProperty ?anyValue } AS ?exists)
  OPTIONAL {
    VALUES ?property { rdfs:label skos:altLabel }
    ?target ?property ?label . FILTER (LANG(?label) IN ("fr", "en"))
  }
}""", (ENTITY + q for q in items))
    for row in rows:
        item = items[qid(row["item"].value)]
        item.exists = item.exists or row["exists"].value in ("true", "1")
        if "redirect" in row:
            item.redirect = qid(row["redirect"].value)
        if "label" in row:
            bucket = item.labels if row["property"].value.endswith("#label") else item.aliases
            names = bucket.setdefault(row["label"].lang or "", [])
            if row["label"].value not in names:
                names.append(row["label"].value)
    targets: dict[str, list[Item]] = {}
    for item in items.values():
        if item.exists:
            targets.setdefault(item.target, []).append(item)
    if not targets:
        return items
    class_values = " ".join(f"wd:{c}" for c in sorted(set(classes))) or "wd:Q35120"
    rows = client.select_values(PREFIXES + """SELECT DISTINCT ?item ?type ?typeLabel ?class WHERE {
  VALUES ?item { {values} }
  { ?item wdt:P31 ?type . OPTIONAL { ?type rdfs:label ?typeLabel . FILTER (LANG(?typeLabel) = "en") } }
  UNION
  { VALUES ?class { """ + class_values + """ } ?item wdt:P31/wdt:P279* ?class . }
}""", (ENTITY + t for t in targets))
    for row in rows:
        for item in targets[qid(row["item"].value)]:
            if "type" in row:
                item.types[qid(row["type"].value)] = row["typeLabel"].value if "typeLabel" in row else ""
            if "class" in row:
                item.classes.add(qid(row["class"].value))
    return items


def fetch_statements(client: WikidataClient, qids: Iterable[str], prop: str) -> dict[str, list[Statement]]:
    """Every non-deprecated statement of ``prop`` on each item, with its dates, in one batched query."""
    rows = client.select_values(PREFIXES + f"""SELECT ?item ?value ?valueLabel ?start ?end ?time WHERE {{
  VALUES ?item {{ {{values}} }}
  ?item p:{prop} ?statement . ?statement ps:{prop} ?value .
  FILTER NOT EXISTS {{ ?statement wikibase:rank wikibase:DeprecatedRank }}
  OPTIONAL {{ ?statement pq:P580 ?start }}
  OPTIONAL {{ ?statement pq:P582 ?end }}
  OPTIONAL {{ ?statement pq:P585 ?time }}
  OPTIONAL {{ ?value rdfs:label ?valueLabel . FILTER (LANG(?valueLabel) = "en") }}
}}""", (ENTITY + q for q in qids))
    found: dict[str, list[Statement]] = {}
    for row in rows:
        statement = Statement(
            value=qid(row["value"].value), label=row["valueLabel"].value if "valueLabel" in row else "",
            start=_day(row.get("start")), end=_day(row.get("end")), point_in_time=_day(row.get("time")))
        statements = found.setdefault(qid(row["item"].value), [])
        if statement not in statements:
            statements.append(statement)
    return found


def find_by_labels(client: WikidataClient, labels: Iterable[tuple[str, str]]) -> dict[tuple[str, str], list[str]]:
    """Items whose label or alias is exactly one of ``labels`` ((text, language) pairs), in one query."""
    unique = sorted(set(labels))
    found: dict[tuple[str, str], list[str]] = {}
    for start in range(0, len(unique), 100):
        values = " ".join(f"{json.dumps(text, ensure_ascii=False)}@{lang}" for text, lang in unique[start:start + 100])
        rows = client.select(PREFIXES + """SELECT DISTINCT ?label ?item WHERE {
  VALUES ?label { """ + values + """ }
  VALUES ?property { rdfs:label skos:altLabel }
  ?item ?property ?label .
  FILTER (STRSTARTS(STR(?item), STR(wd:Q)))
}""")
        for row in rows:
            key = (row["label"].value, row["label"].lang or "")
            item = qid(row["item"].value)
            if item not in found.setdefault(key, []):
                found[key].append(item)
    return found


#: What ``link enrich`` fetches: Wikidata property -> what it is.
ENRICHMENT_PROPERTIES = {"P1082": "population", "P625": "coordinate location", "P856": "official website",
                         "P571": "inception"}


def fetch_enrichment(client: WikidataClient, qids: Iterable[str]) -> tuple[dict[str, dict[str, list[Row]]], str]:
    """Population (with point in time), coordinates, official website and inception of each item, and when
    they were retrieved."""
    unique = sorted(set(qids))
    found: dict[str, dict[str, list[Row]]] = {}
    retrieved = ""
    for start in range(0, len(unique), 200):
        values = " ".join(f"wd:{q}" for q in unique[start:start + 200])
        answer = client.answer(PREFIXES + """SELECT ?item ?property ?value ?time WHERE {
  VALUES ?item { """ + values + """ }
  {
    ?item p:P1082 ?statement . ?statement ps:P1082 ?value .
    FILTER NOT EXISTS { ?statement wikibase:rank wikibase:DeprecatedRank }
    OPTIONAL { ?statement pq:P585 ?time }
    BIND ("P1082" AS ?property)
  }
  UNION { ?item wdt:P625 ?value . BIND ("P625" AS ?property) }
  UNION { ?item wdt:P856 ?value . BIND ("P856" AS ?property) }
  UNION { ?item wdt:P571 ?value . BIND ("P571" AS ?property) }
}""")
        retrieved = max(retrieved, answer.retrieved)
        for row in answer.rows:
            found.setdefault(qid(row["item"].value), {}).setdefault(row["property"].value, []).append(row)
    return found, retrieved


def _day(term: Term | None) -> str | None:
    """The ``YYYY-MM-DD`` part of a Wikidata time value."""
    if term is None or not term.value:
        return None
    return term.value.lstrip("+")[:10]
