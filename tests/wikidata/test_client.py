"""The polite Wikidata client: batching, cache, politeness headers, retries and every fault path.

Every request goes to a real HTTP server on 127.0.0.1: Oxigraph loaded with the Wikidata-shaped fixture,
a recording server written here, the misbehaving server of tests/helpers/servers.py (which also answers like the
query service's timeouts and throttling), or the search API of tests/helpers/wikidata_search.py.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from servers import http_server, misbehaving_server, refused_url

from migration_kg.cli.main import main
from migration_kg.errors import (
    UsageError,
    WikidataBannedError,
    WikidataHTTPError,
    WikidataMalformedAnswerError,
    WikidataRateLimitedError,
    WikidataTimeoutError,
    WikidataUnavailableError,
    WikidataUnreachableError,
)
from migration_kg.wikidata.client import WikidataClient, qid, retry_after_seconds
from migration_kg.wikidata.queries import fetch_items, fetch_statements

pytestmark = pytest.mark.server

GOOD = {"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": "1"}}]}}


@dataclass
class Recorded:
    """What a recording server saw: one entry per request."""

    url: str = ""
    requests: list[dict[str, object]] = field(default_factory=list)


@contextlib.contextmanager
def recording_server(body: dict[str, object] = GOOD) -> Iterator[Recorded]:
    """An HTTP server on 127.0.0.1 that answers every request with ``body`` and records method, headers, form."""
    state = Recorded()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *_args: object) -> None:
            return

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = urllib.parse.parse_qs(self.rfile.read(length).decode())
            state.requests.append({"method": "POST", "headers": dict(self.headers), "form": form})
            payload = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    with http_server(Handler) as port:
        state.url = f"http://127.0.0.1:{port}/sparql"
        yield state


def client_for(url: str, tmp_path: Path | None = None, **options: object) -> WikidataClient:
    options.setdefault("contact", None)
    return WikidataClient(endpoint=url, cache_dir=tmp_path, **options)  # type: ignore[arg-type]


# ---------------------------------------------------------------- politeness and batching


def test_request_is_a_post_with_the_operators_contact_and_json_accept() -> None:
    with recording_server() as server:
        client = client_for(server.url, contact="ops@example.org")
        rows = client.select("SELECT ?x WHERE {}")
    assert [row["x"].value for row in rows] == ["1"]
    (request,) = server.requests
    headers = request["headers"]
    assert headers["User-Agent"] == client.user_agent
    assert headers["User-Agent"].startswith("migration-kg/0.1.0 (https://w3id.org/migration-kg; ops@example.org)")
    assert "noreply" not in headers["User-Agent"]
    assert "application/sparql-results+json" in headers["Accept"]
    assert request["form"]["query"] == ["SELECT ?x WHERE {}"]


@pytest.mark.parametrize("contact", [None, "", "migration-kg@users.noreply.github.com", "me"])
def test_the_real_service_needs_a_contact_that_reaches_someone(contact: str | None) -> None:
    client = WikidataClient(endpoint="https://query.wikidata.org/sparql", cache_dir=None, contact=contact or None)
    with pytest.raises(UsageError, match="MIGRATION_KG_CONTACT") as error:
        client.select("SELECT * WHERE {}")
    assert error.value.exit_code == 2 and client.requests_made == 0


def test_the_contact_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIGRATION_KG_CONTACT", "https://example.org/operator")
    assert "https://example.org/operator" in WikidataClient(cache_dir=None).user_agent


def test_values_lookups_are_batched_in_chunks() -> None:
    with recording_server() as server:
        client = client_for(server.url)
        client.select_values("SELECT * WHERE { VALUES ?item { {values} } }",
                             [f"http://www.wikidata.org/entity/Q{n}" for n in range(1, 6)], chunk_size=2)
    assert client.requests_made == 3
    sent = [r["form"]["query"][0] for r in server.requests]
    assert "<http://www.wikidata.org/entity/Q1> <http://www.wikidata.org/entity/Q2>" in sent[0]
    assert sent[2].count("<http://www.wikidata.org/entity/") == 1


def test_fetch_items_asks_two_queries_for_many_items(wikidata_endpoint: str) -> None:
    client = client_for(wikidata_endpoint)
    items = fetch_items(client, ["Q340", "Q16", "Q99000490", "Q99000404", "Q99000005"], ["Q515", "Q6256"])
    assert client.requests_made == 2
    assert items["Q340"].exists and items["Q340"].labels == {"en": ["Montreal"], "fr": ["Montréal"]}
    assert items["Q340"].classes == {"Q515"}
    assert items["Q16"].classes == {"Q6256"}
    assert items["Q99000490"].redirect == "Q490" and items["Q99000490"].classes == {"Q515"}
    assert not items["Q99000404"].exists
    assert items["Q99000005"].types == {"Q11424": "film"} and not items["Q99000005"].classes


def test_statements_carry_their_qualifiers_and_skip_deprecated_ones(wikidata_endpoint: str) -> None:
    client = client_for(wikidata_endpoint)
    mayors = fetch_statements(client, ["Q340"], "P6")["Q340"]
    assert {(s.value, str(s.start), str(s.end) if s.end else None) for s in mayors} == {
        ("Q99000101", "2017-11-16", None), ("Q99000102", "2013-11-14", "2017-11-16")}
    positions = fetch_statements(client, ["Q16211070"], "P39")["Q16211070"]
    assert [(s.value, str(s.start), str(s.end)) for s in positions] == [("Q99000021", "2017-01-10", "2019-11-20")]


def test_search_finds_names_without_accents_and_through_mul(search_server) -> None:
    client = client_for("http://127.0.0.1:9/sparql", search_api=search_server.url, contact="ops@example.org")
    hits = client.search("Valerie Plante", "en")
    assert [(h.qid, h.match_type, h.match_language) for h in hits] == [
        ("Q99000101", "label", "mul"), ("Q99000104", "label", "en"), ("Q99000103", "alias", "en")]
    assert [h.qid for h in client.search("valérie pl", "fr")] == ["Q99000101", "Q99000103", "Q99000104"]
    assert client.search("Nobody Here", "fr") == []
    request = search_server.requests[0]
    assert (request["action"], request["type"], request["format"]) == ("wbsearchentities", "item", "json")
    assert "ops@example.org" in request["User-Agent"]


def test_qid_and_retry_after_parsing() -> None:
    assert qid("http://www.wikidata.org/entity/Q42") == "Q42"
    assert retry_after_seconds("7") == 7.0
    now = datetime(2024, 1, 1, tzinfo=UTC)
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


# ---------------------------------------------------------------- cache


def test_second_run_is_served_from_the_cache(tmp_path: Path) -> None:
    with recording_server() as server:
        first = client_for(server.url, tmp_path)
        first.select("SELECT ?x WHERE {}")
        second = client_for(server.url, tmp_path)
        answer = second.answer("SELECT ?x WHERE {}")
        assert len(server.requests) == 1
    assert second.requests_made == 0 and second.cache_hits == 1
    assert answer.from_cache and answer.rows[0]["x"].value == "1"
    (cached,) = tmp_path.glob("*/*.json")
    record = json.loads(cached.read_text(encoding="utf-8"))
    assert record["endpoint"] == server.url and record["query"] == "SELECT ?x WHERE {}"
    assert cached.stem == first.cache_key("SELECT ?x WHERE {}")


def test_cache_is_keyed_by_endpoint_and_can_be_disabled(tmp_path: Path) -> None:
    with recording_server() as one, recording_server() as other:
        client_for(one.url, tmp_path).select("SELECT ?x WHERE {}")
        client_for(other.url, tmp_path).select("SELECT ?x WHERE {}")
        uncached = client_for(one.url, None)
        uncached.select("SELECT ?x WHERE {}")
        uncached.select("SELECT ?x WHERE {}")
    assert len(one.requests) == 3 and len(other.requests) == 1
    assert len(list(tmp_path.glob("*/*.json"))) == 2


# ---------------------------------------------------------------- retries and faults


def test_429_with_retry_after_is_waited_out_then_succeeds() -> None:
    with misbehaving_server("too-many-requests", retry_after=1, failures_before_success=1) as server:
        client = client_for(server.url, backoff=0.1)
        started = time.monotonic()
        rows = client.select("SELECT * WHERE {}")
        elapsed = time.monotonic() - started
    assert rows == []
    assert len(server.requests) == 2 and client.requests_made == 2
    assert client.waits == [1.0]
    assert elapsed >= 1.0


def test_backoff_grows_exponentially_and_is_capped() -> None:
    slept: list[float] = []
    with misbehaving_server("unavailable", retry_after=0, failures_before_success=4) as server:
        client = client_for(server.url, backoff=1.0, max_wait=3.0, sleep=slept.append)
        client.select("SELECT * WHERE {}")
    assert slept == [1.0, 2.0, 3.0, 3.0]
    assert len(server.requests) == 5


def test_429_after_every_retry_is_rate_limited() -> None:
    with misbehaving_server("too-many-requests", retry_after=1) as server:
        client = client_for(server.url, retries=2, sleep=lambda _s: None)
        with pytest.raises(WikidataRateLimitedError, match="429 Too Many Requests after 2 retries") as error:
            client.select("SELECT * WHERE {}")
    assert len(server.requests) == 3
    assert error.value.exit_code == 14 and server.url in str(error.value)


@pytest.mark.parametrize(("mode", "error_type", "message", "code"), [
    ("unavailable", WikidataUnavailableError, "503 Service Unavailable", 15),
    ("malformed-json", WikidataMalformedAnswerError, "not valid JSON", 13),
    ("timeout500", WikidataTimeoutError, r"HTTP 500: the query hit the service's own time limit", 11),
    ("truncated-json", WikidataTimeoutError, "cut off mid-stream", 11),
    ("banned", WikidataBannedError, "HTTP 403 Forbidden: the service refuses this client for now", 16),
    ("html", WikidataMalformedAnswerError, "expected SPARQL JSON results, got text/html", 13),
    ("error500", WikidataHTTPError, r"HTTP 500 \(internal error\)", 12),
])
def test_each_fault_is_a_typed_error(mode: str, error_type: type, message: str, code: int) -> None:
    with misbehaving_server(mode, retry_after=0) as server:
        client = client_for(server.url, retries=1, sleep=lambda _s: None)
        with pytest.raises(error_type, match=message) as error:
            client.select("SELECT * WHERE {}")
    assert error.value.exit_code == code
    assert len(server.requests) == (2 if mode == "unavailable" else 1)


def test_a_hang_past_the_timeout_is_a_timeout() -> None:
    with misbehaving_server("hang") as server:
        client = client_for(server.url, timeout=1)
        started = time.monotonic()
        with pytest.raises(WikidataTimeoutError, match="no answer within the 1 s timeout") as error:
            client.select("SELECT * WHERE {}")
        assert time.monotonic() - started < 10
    assert error.value.exit_code == 11 and len(server.requests) == 1


def test_a_refused_connection_is_unreachable() -> None:
    url = refused_url()
    with pytest.raises(WikidataUnreachableError, match="cannot reach the endpoint") as error:
        client_for(url).select("SELECT * WHERE {}")
    assert error.value.exit_code == 10 and str(error.value).startswith(url)


def test_retry_after_longer_than_max_wait_stops_without_retrying() -> None:
    slept: list[float] = []
    with misbehaving_server("too-many-requests", retry_after=120, failures_before_success=1) as server:
        client = client_for(server.url, max_wait=5, sleep=slept.append)
        with pytest.raises(WikidataRateLimitedError, match=r"asks to wait 120 s \(Retry-After\), longer than "
                                                            r"--max-wait 5 s") as error:
            client.select("SELECT * WHERE {}")
    assert error.value.exit_code == 14 and slept == [] and len(server.requests) == 1


def test_a_shorter_max_wait_never_cuts_retry_after() -> None:
    slept: list[float] = []
    with misbehaving_server("unavailable", retry_after=3, failures_before_success=2) as server:
        client_for(server.url, backoff=1.0, max_wait=4, sleep=slept.append).select("SELECT * WHERE {}")
    assert slept == [3.0, 3.0]


def test_the_timeout_message_is_one_line_without_the_query() -> None:
    with misbehaving_server("timeout500") as server, pytest.raises(WikidataTimeoutError) as error:
        client_for(server.url).select("SELECT * WHERE {}")
    assert "\n" not in str(error.value) and "queryStr" not in str(error.value) and "SELECT" not in str(error.value)


@pytest.mark.parametrize(("mode", "code", "message"), [
    ("too-many-requests", 14, "HTTP 429 Too Many Requests after 1 retry"),
    ("unavailable", 15, "HTTP 503 Service Unavailable after 1 retry"),
    ("malformed-json", 13, "the answer is not valid JSON"),
    ("timeout500", 11, "HTTP 500: the query hit the service's own time limit"),
    ("truncated-json", 11, "the answer was cut off mid-stream"),
    ("banned", 16, "HTTP 403 Forbidden"),
    ("hang", 11, "no answer within the 1 s timeout"),
    ("error500", 12, "HTTP 500 (internal error)"),
])
def test_cli_reports_each_fault_in_one_line_with_its_exit_code(runner, project_root: Path, fixtures_dir: Path,
                                                                mode: str, code: int, message: str) -> None:
    with misbehaving_server(mode, retry_after=0) as server:
        result = runner.invoke(main, [
            "link", "check", "--project", str(project_root), "--graph", str(fixtures_dir / "wikidata/our-graph.ttl"),
            "--endpoint", server.url, "--no-cache", "--timeout", "1", "--retries", "1", "--max-wait", "0"])
    assert result.exit_code == code, result.output
    (error_line,) = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert error_line.startswith(f"error: {server.url}: {message}")
    assert "Traceback" not in result.output


def test_cli_reports_an_unreachable_endpoint(runner, project_root: Path, fixtures_dir: Path) -> None:
    url = refused_url()
    result = runner.invoke(main, ["link", "check", "--project", str(project_root), "--graph",
                                  str(fixtures_dir / "wikidata/our-graph.ttl"), "--endpoint", url, "--no-cache"])
    assert result.exit_code == 10
    assert f"error: {url}: cannot reach the endpoint" in result.output
