"""Load test of ``migration-kg serve``: 200 concurrent requests, latency percentiles, errors, server memory.

Publishes the site once (or takes ``--site``), starts ``migration-kg serve`` on a free 127.0.0.1 port, and fires
bursts of simultaneous requests from a pool of client threads, each request on a new connection (so the listen
backlog matters, as with many real clients). Every burst is bounded: each request gives up after ``--timeout``
seconds. Scenarios:

* ``pages``: GETs of entity pages, the home page and the ontology page;
* ``sparql``: POSTs of small SELECT queries to ``/sparql``;
* ``mixed``: three page GETs for each SPARQL POST;
* ``huge``: one query whose answer runs to hundreds of megabytes, with a 60 s query time limit (result-size and
  memory limits).

For each it prints concurrency, requests, answers by kind (2xx/3xx, 503 with Retry-After, other statuses),
transport errors (resets, refused, timeouts), p50/p90/p99 latency, and the peak memory of the server process and
of its query processes (VmHWM from /proc). Only 127.0.0.1 is contacted.

    python benchmarks/bench_serve.py [--site DIR] [--concurrency 200] [--rounds 3] [--pythonpath SRC]

``--pythonpath`` runs the server from another checkout's ``src`` (to measure a base version with the same client).
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SMALL_QUERIES = [
    "SELECT ?city ?label WHERE { ?city a <https://schema.org/City> ; <http://www.w3.org/2000/01/rdf-schema#label> "
    "?label } LIMIT 20",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "ASK { ?s ?p ?o }",
    "SELECT ?s WHERE { ?s a <https://w3id.org/migration-kg/ontology#Claim> } LIMIT 50",
]
#: A cross product of the whole graph with itself: hundreds of megabytes of results.
HUGE_QUERY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 1000000"


@dataclass
class Burst:
    """The outcome of one burst of simultaneous requests."""

    name: str
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    retry_after: int = 0
    errors: dict[str, int] = field(default_factory=dict)

    def record(self, seconds: float, status: int | None, error: str | None, retry_after: bool) -> None:
        self.latencies.append(seconds)
        if error is not None:
            self.errors[error] = self.errors.get(error, 0) + 1
        else:
            self.statuses[status or 0] = self.statuses.get(status or 0, 0) + 1
            self.retry_after += int(status == 503 and retry_after)


def one_request(port: int, method: str, path: str, body: bytes | None, timeout: float) -> tuple[int | None, str | None,
                                                                                                 bool]:
    """One request on a new connection: (status, transport error, whether a 503 carried Retry-After)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Accept": "application/sparql-results+json, text/html;q=0.9", "Connection": "close"}
        if body is not None:
            headers["Content-Type"] = "application/sparql-query"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, None, response.getheader("Retry-After") is not None
    except TimeoutError:
        return None, "timeout", False
    except ConnectionResetError:
        return None, "reset", False
    except ConnectionRefusedError:
        return None, "refused", False
    except (OSError, http.client.HTTPException) as error:
        return None, type(error).__name__, False
    finally:
        connection.close()


def burst(name: str, port: int, requests: list[tuple[str, str, bytes | None]], timeout: float) -> Burst:
    """Send every request at once, one thread each, released together by a barrier."""
    outcome = Burst(name)
    lock = threading.Lock()
    barrier = threading.Barrier(len(requests))

    def worker(method: str, path: str, body: bytes | None) -> None:
        barrier.wait()
        started = time.monotonic()
        status, error, retry = one_request(port, method, path, body, timeout)
        with lock:
            outcome.record(time.monotonic() - started, status, error, retry)

    threads = [threading.Thread(target=worker, args=request, daemon=True) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout + 30)
    return outcome


def page_requests(site: Path, count: int) -> list[tuple[str, str, bytes | None]]:
    pages = sorted("/" + str(path.relative_to(site)) for path in (site / "id").rglob("*.html"))
    pages += ["/", "/ontology.html", "/id/city/montreal"]
    chooser = random.Random(15)
    return [("GET", chooser.choice(pages), None) for _ in range(count)]


def sparql_requests(count: int) -> list[tuple[str, str, bytes | None]]:
    return [("POST", "/sparql", SMALL_QUERIES[index % len(SMALL_QUERIES)].encode()) for index in range(count)]


class MemoryWatch:
    """Samples the server's and its children's resident memory every 20 ms; keeps the peaks (MiB)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.server_peak = 0.0
        self.child_peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _rss(self, pid: int) -> float:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    def _children(self) -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.pid:
                    found.append(int(entry.name))
        return found

    def _run(self) -> None:
        while not self._stop.is_set():
            self.server_peak = max(self.server_peak, self._rss(self.pid))
            for child in self._children():
                self.child_peak = max(self.child_peak, self._rss(child))
            time.sleep(0.02)

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(site: Path, port: int, pythonpath: str | None, query_timeout: float) -> subprocess.Popen:
    env = {**os.environ}
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    process = subprocess.Popen([sys.executable, "-m", "migration_kg", "-q", "serve", "--site", str(site), "--port",
                                str(port), "--timeout", f"{query_timeout:g}"], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status, _error, _retry = one_request(port, "GET", "/", None, 2)
        if status == 200:
            return process
        if process.poll() is not None:
            raise SystemExit(f"serve exited: {process.stderr.read().decode() if process.stderr else ''}")
        time.sleep(0.2)
    process.kill()
    raise SystemExit("serve did not answer within 60 s")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] if ordered else float("nan")


def row(outcome: Burst, concurrency: int, watch: MemoryWatch) -> str:
    ok = sum(count for status, count in outcome.statuses.items() if status < 400)
    refused = outcome.statuses.get(503, 0)
    other = sum(count for status, count in outcome.statuses.items() if status >= 400 and status != 503)
    errors = ", ".join(f"{name} {count}" for name, count in sorted(outcome.errors.items())) or "0"
    p50, p90, p99 = (percentile(outcome.latencies, f) for f in (0.5, 0.9, 0.99))
    return (f"| {outcome.name} | {concurrency} | {len(outcome.latencies)} | {ok} | {refused} ({outcome.retry_after} "
            f"with Retry-After) | {other} | {errors} | {p50:.3f} | {p90:.3f} | {p99:.3f} | "
            f"{watch.server_peak:.0f} | {watch.child_peak:.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path, default=None, help="published site (default: publish one)")
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3, help="bursts per scenario (medians are printed too)")
    parser.add_argument("--timeout", type=float, default=90.0, help="client timeout per request, seconds")
    parser.add_argument("--pythonpath", default=None, help="run the server from this src directory")
    parser.add_argument("--scenarios", default="pages,sparql,mixed,huge")
    args = parser.parse_args()
    site = args.site
    if site is None:
        site = Path(tempfile.mkdtemp(prefix="bench-serve-")) / "site"
        subprocess.run([sys.executable, "-m", "migration_kg", "-q", "publish", "--project", str(ROOT), "--out",
                        str(site)], check=True)
    print("| scenario | concurrency | requests | 2xx/3xx | 503 | other status | transport errors | p50 s | p90 s | "
          "p99 s | server peak MiB | query process peak MiB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    medians: dict[str, list[tuple[float, float, float]]] = {}
    for scenario in args.scenarios.split(","):
        for _round in range(args.rounds if scenario != "huge" else 1):
            port = free_port()
            server = start_server(site, port, args.pythonpath, 60.0 if scenario == "huge" else 10.0)
            try:
                with MemoryWatch(server.pid) as watch:
                    if scenario == "pages":
                        requests = page_requests(site, args.concurrency)
                    elif scenario == "sparql":
                        requests = sparql_requests(args.concurrency)
                    elif scenario == "mixed":
                        requests = page_requests(site, args.concurrency * 3 // 4) + sparql_requests(
                            args.concurrency - args.concurrency * 3 // 4)
                    else:
                        requests = [("POST", "/sparql", HUGE_QUERY.encode())]
                    outcome = burst(scenario, port, requests, args.timeout)
                print(row(outcome, len(requests), watch), flush=True)
                medians.setdefault(scenario, []).append(
                    tuple(percentile(outcome.latencies, f) for f in (0.5, 0.9, 0.99)))  # type: ignore[arg-type]
            finally:
                server.terminate()
                try:
                    server.wait(10)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
    print()
    print("| scenario | rounds | median p50 s | median p90 s | median p99 s |")
    print("|---|---|---|---|---|")
    for scenario, values in medians.items():
        p50, p90, p99 = (statistics.median(v[i] for v in values) for i in range(3))
        print(f"| {scenario} | {len(values)} | {p50:.3f} | {p90:.3f} | {p99:.3f} |")
    print(f"\nclient timeout {args.timeout:g} s per request; every request on a new connection to 127.0.0.1")


if __name__ == "__main__":
    main()
