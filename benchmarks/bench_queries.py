"""How fast the questions of ``queries/`` are answered: embedded (pyoxigraph, and rdflib for comparison), on a
local Oxigraph server, and through the whole ``migration-kg`` command. Prints Markdown tables.

Targets: under 50 ms per question embedded, under 0.5 s for a whole CLI call.

    .venv/bin/python benchmarks/bench_queries.py [--runs 20] [--rdflib-runs 5] [--dist DIR]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from servers import oxigraph_server  # noqa: E402

from migration_kg.pipeline.build import build  # noqa: E402
from migration_kg.query.questions import (  # noqa: E402
    bindings_for,
    list_queries,
    load_store,
    run_embedded,
    run_endpoint,
)

EMBEDDED_TARGET_MS = 50.0
CLI_TARGET_MS = 500.0
CLI = str(Path(sys.executable).with_name("migration-kg"))


def median_ms(action: Callable[[], object], runs: int) -> float:
    """Median wall time of ``action`` in milliseconds, after one warm-up call."""
    action()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def rdflib_runner(graph: object, text: str, bindings: dict) -> Callable[[], object]:
    from rdflib import BNode, Literal, URIRef

    def convert(term: object) -> object:
        import pyoxigraph as ox

        if isinstance(term, ox.NamedNode):
            return URIRef(term.value)
        if isinstance(term, ox.BlankNode):
            return BNode(term.value)
        return Literal(term.value, lang=term.language or None,
                       datatype=None if term.language else URIRef(term.datatype.value))

    init = {name: convert(term) for name, term in bindings.items()}
    return lambda: list(graph.query(text, initBindings=init))  # type: ignore[attr-defined]


def command_ms(args: list[str], runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time (user + system, in the child) of a command, in milliseconds.

    CPU time barely moves when other work shares the machine; wall time is what a user feels."""
    cpu: list[float] = []

    def call() -> None:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(args, check=False, capture_output=True, cwd=ROOT)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)

    wall = median_ms(call, runs)
    return wall, statistics.median(cpu[1:])


def heaviest_imports(limit: int = 6) -> list[tuple[str, float]]:
    """The modules that take longest to import (cumulative) when ``migration-kg --help`` starts."""
    code = "import sys; sys.argv = ['migration-kg', '--help']; from migration_kg.cli.main import main"
    completed = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True,
                               check=False)
    rows = []
    for line in completed.stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \|(\s*)(\S+)", line)
        if match and len(match.group(2)) <= 3:
            rows.append((match.group(3), int(match.group(1)) / 1000))
    return sorted(rows, key=lambda row: -row[1])[:limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed runs per query and engine")
    parser.add_argument("--rdflib-runs", type=int, default=5, help="timed runs per query with rdflib (slow)")
    parser.add_argument("--cli-runs", type=int, default=5, help="timed runs of each CLI call")
    parser.add_argument("--dist", type=Path, default=None, help="a built dist/ (default: build into a temp dir)")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        dist = options.dist or build(ROOT, Path(scratch) / "dist").out_dir
        graph_file = dist / "migration-kg.nt"
        load_ox = median_ms(lambda: load_store(dist), 5)
        import rdflib

        load_rdflib = median_ms(lambda: rdflib.Graph().parse(graph_file, format="nt"), 3)
        store = load_store(dist)
        graph = rdflib.Graph().parse(graph_file, format="nt")
        questions = [q for q in list_queries(ROOT / "queries") if not q.needs_network]
        rows = []
        with oxigraph_server(Path(scratch) / "oxigraph") as server:
            server.load_file(graph_file, "application/n-triples")
            for question in questions:
                bindings = bindings_for(question)
                rows.append((
                    question.name,
                    median_ms(lambda q=question, b=bindings: run_embedded(store, q, b), options.runs),
                    median_ms(rdflib_runner(graph, question.text, bindings), options.rdflib_runs),
                    median_ms(lambda q=question, b=bindings: run_endpoint(server.query_url, q, b), options.runs),
                ))
        help_ms = command_ms([CLI, "--help"], options.cli_runs)
        table_ms = command_ms([CLI, "query", "council-member-cities", "--dist", str(dist)], options.cli_runs)
        csv_ms = command_ms([CLI, "query", "council-member-cities", "--dist", str(dist), "--format", "csv"],
                            options.cli_runs)
        turtle_ms = command_ms([CLI, "query", "city-subgraph", "--dist", str(dist)], options.cli_runs)

    print(f"Graph: {len(store)} triples. Loading it: pyoxigraph {load_ox:.1f} ms, rdflib {load_rdflib:.1f} ms.\n")
    print("| query | pyoxigraph (ms) | rdflib (ms) | Oxigraph server (ms) |")
    print("|---|---:|---:|---:|")
    for name, embedded, with_rdflib, served in rows:
        print(f"| {name} | {embedded:.2f} | {with_rdflib:.1f} | {served:.2f} |")
    columns = list(zip(*(row[1:] for row in rows), strict=True))
    print("| **median of medians** | **{:.2f}** | **{:.1f}** | **{:.2f}** |".format(
        *(statistics.median(column) for column in columns)))
    slowest = max(rows, key=lambda row: row[1])
    verdict = "met" if slowest[1] < EMBEDDED_TARGET_MS else "MISSED"
    print(f"\nSlowest embedded query: {slowest[0]} at {slowest[1]:.2f} ms "
          f"(target {EMBEDDED_TARGET_MS:.0f} ms: {verdict}).\n")
    print(f"Load average while measuring: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} CPUs.\n")
    print("| command | wall ms (median) | CPU ms (median) | wall < 500 ms |")
    print("|---|---:|---:|---|")
    for label, (wall, cpu) in (("migration-kg --help", help_ms),
                               ("migration-kg query council-member-cities (table)", table_ms),
                               ("migration-kg query council-member-cities --format csv", csv_ms),
                               ("migration-kg query city-subgraph (Turtle)", turtle_ms)):
        print(f"| `{label}` | {wall:.0f} | {cpu:.0f} | {'met' if wall < CLI_TARGET_MS else 'MISSED'} |")
    print("\nHeaviest imports when `migration-kg --help` starts (cumulative ms, one run):")
    for module, milliseconds in heaviest_imports():
        print(f"- {module}: {milliseconds:.1f}")


if __name__ == "__main__":
    main()
