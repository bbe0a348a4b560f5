"""Time every stage of the pipeline on synthetic data at several sizes, against the rdflib + pyshacl baseline.

For each size the synthetic project is generated (``benchmarks/generate.py``, cached under ``--work``), then:
  * the stages of ``build`` run one by one in a fresh process (load, SHACL with the fast engine, the QC
    queries, both as the build runs them, each syntax alone and all four in one pass), reporting time and the
    process's peak memory after each stage;
  * ``migration-kg build`` runs end to end as a cold command (the headline number);
  * ``publish``, ``load`` into an in-memory Oxigraph server and the ``queries/`` questions run when those
    commands exist (they are added by other parts of the project; skipped with a note otherwise);
  * at the sizes given by ``--baseline-sizes``, the baseline a user would otherwise write: rdflib parse,
    pyshacl validate and rdflib serialize (Turtle, N-Triples, JSON-LD), in a fresh process.
It prints one table per size, the growth exponent of each stage between sizes, and the targets.

    python benchmarks/run.py [--sizes 10000,100000,1000000] [--baseline-sizes 10000,100000] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
_SCRIPT = Path(sys.executable).parent / "migration-kg"
CLI = [str(_SCRIPT)] if _SCRIPT.is_file() else [sys.executable, "-m", "migration_kg"]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_command(args: list[str], timeout: float, env: dict[str, str] | None = None) -> dict:
    """Run a command; its wall time, exit code and peak memory (from its own rusage)."""
    start = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            process.kill()
            os.wait4(process.pid, 0)
            return {"seconds": None, "note": f"stopped after {timeout:.0f} s"}
        time.sleep(0.02)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode(errors="replace").strip().splitlines() if process.stderr else []
    result = {"seconds": seconds, "peak_mb": usage.ru_maxrss / 1024}
    if process.returncode:
        result["note"] = f"exit {process.returncode}: {error[-1] if error else ''}"[:120]
    return result


# ---------------------------------------------------------------------------------------------- workers


def stage_worker(project: Path) -> dict:
    """The stages of build, timed one by one in this (fresh) process."""
    from concurrent.futures import ThreadPoolExecutor

    from migration_kg.graph.serialize import FORMATS, write_formats
    from migration_kg.pipeline.build import load_project
    from migration_kg.shacl.validation import _qc_result, fast_violations, validate_store

    stages = []

    def timed(name: str, action):
        start = time.perf_counter()
        value = action()
        stages.append({"stage": name, "seconds": time.perf_counter() - start, "peak_mb": peak_mb()})
        return value

    from migration_kg.project import Project

    loaded = timed("load: parse into a store", lambda: load_project(Project.at(project)))
    qc_files = loaded.project.qc_files()
    with ThreadPoolExecutor(2) as pool:
        shacl = timed("validate: SHACL, fast engine", lambda: fast_violations(
            loaded.store, loaded.shapes, None, pool, loaded.rewrites))
    qc = timed("validate: QC queries", lambda: [_qc_result(loaded.store, path) for path in qc_files])
    report = timed("validate: both, as build runs them", lambda: validate_store(
        loaded.store, loaded.shapes, qc_files, rewrites=loaded.rewrites))
    out = Path(tempfile.mkdtemp(prefix="mkg-bench-out-"))
    try:
        for fmt in FORMATS.values():
            with (out / f"g{fmt.suffix}").open("w", encoding="utf-8") as stream:
                timed(f"serialize: {fmt.name}", lambda s=stream, f=fmt: write_formats(
                    loaded.data_source(), {f.name: s}, loaded.context))
        streams = {fmt.name: (out / f"all{fmt.suffix}").open("w", encoding="utf-8") for fmt in FORMATS.values()}
        timed("serialize: all four, one pass", lambda: write_formats(loaded.data_source(), streams, loaded.context))
        for stream in streams.values():
            stream.close()
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return {"triples": loaded.triples, "stages": stages,
            "violations": len(shacl) + sum(len(r.rows) for r in qc), "conforms": report.conforms}


def baseline_worker(project: Path) -> dict:
    """What a user would otherwise write: rdflib parse, pyshacl validate, rdflib serialize."""
    from pyshacl import validate
    from rdflib import Graph

    stages = []
    start = time.perf_counter()

    def step(name: str) -> None:
        nonlocal start
        stages.append({"stage": name, "seconds": time.perf_counter() - start, "peak_mb": peak_mb()})
        start = time.perf_counter()

    data = Graph()
    for path in sorted((project / "data").glob("*.ttl")):
        data.parse(path, format="turtle")
    ontology, shapes = Graph(), Graph()
    for path in sorted((project / "ontology").glob("*.ttl")):
        ontology.parse(path, format="turtle")
    for path in sorted((project / "shapes").glob("*.ttl")):
        shapes.parse(path, format="turtle")
    step("baseline: rdflib parse")
    validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True)
    step("baseline: pyshacl validate")
    for syntax in ("turtle", "nt", "json-ld"):
        data.serialize(format=syntax)
        step(f"baseline: rdflib serialize {syntax}")
    return {"triples": len(data), "stages": stages}


def run_worker(kind: str, project: Path, timeout: float) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as result:
        outcome = run_command([sys.executable, __file__, f"--{kind}-worker", str(project), "--result", result.name],
                              timeout)
        if outcome["seconds"] is None or "note" in outcome:
            return {"stages": [], "note": outcome.get("note", "failed")}
        found = json.loads(Path(result.name).read_text(encoding="utf-8"))
        found["peak_mb"] = outcome["peak_mb"]
        return found


# ---------------------------------------------------------------------------------------------- commands


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def commands() -> set[str]:
    from migration_kg.cli.main import main

    return set(main.commands)


def other_commands(project: Path, dist: Path, cap: float) -> list[dict]:
    """publish, load into Oxigraph and the questions of queries/, when the commands exist."""
    found, rows = commands(), []
    if "publish" in found:
        site = Path(tempfile.mkdtemp(prefix="mkg-bench-site-"))
        rows.append({"stage": "publish (cold command)", **run_command(
            [*CLI, "-q", "publish", "--project", str(project), "--dist", str(dist), "--out", str(site / "site"),
             "--no-build", "--issued", "2026-01-01"], cap)})
        shutil.rmtree(site, ignore_errors=True)
    else:
        rows.append({"stage": "publish", "seconds": None, "note": "no publish command yet"})
    server = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if "load" in found and server:
        port = free_port()
        process = subprocess.Popen([server, "serve", "--bind", f"127.0.0.1:{port}"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(1.0)
            rows.append({"stage": "load into Oxigraph (in-memory server)", **run_command(
                [*CLI, "-q", "load", "--dist", str(dist), "--store", "oxigraph",
                 "--endpoint", f"http://127.0.0.1:{port}"], cap)})
        finally:
            process.terminate()
            process.wait(timeout=30)
    else:
        rows.append({"stage": "load into Oxigraph", "seconds": None, "note": "no load command or oxigraph binary"})
    if "query" in found:
        rows.append(queries_row(project, dist, cap))
    else:
        rows.append({"stage": "queries", "seconds": None, "note": "no query command yet"})
    return rows


def queries_row(project: Path, dist: Path, cap: float) -> dict:
    """Every offline question of queries/, in one process: the load of dist/ and the queries."""
    script = ("import sys, time, json\n"
              "from pathlib import Path\n"
              "from migration_kg.query.questions import list_queries, load_store, run_embedded, bindings_for\n"
              "t = time.perf_counter(); store = load_store(Path(sys.argv[2])); load = time.perf_counter() - t\n"
              "qs = [q for q in list_queries(Path(sys.argv[1]) / 'queries') if not q.needs_network]\n"
              "t = time.perf_counter()\n"
              "for q in qs: run_embedded(store, q, bindings_for(q))\n"
              "print(json.dumps([load, time.perf_counter() - t, len(qs)]))\n")
    outcome = subprocess.run([sys.executable, "-c", script, str(project), str(dist)], capture_output=True,
                             text=True, timeout=cap, check=False)
    if outcome.returncode:
        return {"stage": "queries", "seconds": None, "note": outcome.stderr.strip().splitlines()[-1][:100]}
    load, seconds, count = json.loads(outcome.stdout)
    return {"stage": "queries: every question of queries/", "seconds": seconds,
            "note": f"{count} questions, after {load:.1f} s loading dist/"}


# ---------------------------------------------------------------------------------------------- report


def prepare(size: int, work: Path) -> Path:
    project = work / f"synthetic-{size}"
    if not (project / "manifest.json").is_file():
        subprocess.run([sys.executable, str(BENCH / "generate.py"), "--triples", str(size), "--out", str(project)],
                       check=True, stdout=subprocess.DEVNULL)
    for query in sorted((project / "queries" / "qc").glob("*.rq")):
        shutil.copyfile(ROOT / "queries" / "qc" / query.name, query)
    return project


def show(rows: list[dict], triples: int, title: str) -> None:
    print(f"\n{title}\n")
    print(f"| {'stage':<52} | {'seconds':>8} | {'triples/s':>10} | {'peak MB':>8} |")
    print(f"|{'-' * 54}|{'-' * 10}:|{'-' * 11}:|{'-' * 9}:|")
    for row in rows:
        seconds = row.get("seconds")
        rate = f"{triples / seconds:,.0f}" if seconds else ""
        peak = f"{row['peak_mb']:.0f}" if row.get("peak_mb") else ""
        text = f"{seconds:.2f}" if seconds is not None else row.get("note", "")
        stage = f"{row['stage']} ({row['note']})" if seconds is not None and row.get("note") else row["stage"]
        print(f"| {stage:<52} | {text:>8} | {rate:>10} | {peak:>8} |")


def exponents(results: dict[int, dict]) -> None:
    sizes = sorted(results)
    print("\nGrowth exponent k in time ~ triples^k between sizes (1 is linear)\n")
    print("| stage | " + " | ".join(f"{a:,} -> {b:,}" for a, b in pairwise(sizes)) + " |")
    print("|---|" + "---:|" * (len(sizes) - 1))
    names = [row["stage"] for row in results[sizes[-1]]["rows"] if row.get("seconds")]
    for name in names:
        cells = []
        for a, b in pairwise(sizes):
            ta, tb = (next((r.get("seconds") for r in results[s]["rows"] if r["stage"] == name), None) for s in (a, b))
            na, nb = results[a]["triples"], results[b]["triples"]
            cells.append(f"{math.log(tb / ta) / math.log(nb / na):.2f}" if ta and tb else "")
        print(f"| {name} | " + " | ".join(cells) + " |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--baseline-sizes", default="10000,100000",
                        help="sizes at which to run the rdflib + pyshacl baseline (it takes ~750 s at 1M)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "mkg-bench")
    parser.add_argument("--cap", type=float, default=900, help="seconds after which a build or baseline is stopped")
    parser.add_argument("--command-cap", type=float, default=300,
                        help="seconds after which publish, load or the queries are stopped")
    parser.add_argument("--only-build", action="store_true", help="skip publish, load, queries and the baseline")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--stage-worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--baseline-worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    for kind, project in (("stage", args.stage_worker), ("baseline", args.baseline_worker)):
        if project is not None:
            found = stage_worker(project) if kind == "stage" else baseline_worker(project)
            args.result.write_text(json.dumps(found), encoding="utf-8")
            return
    seed = {"seed build (cold `migration-kg build`)": run_seed_build(), "--help (cold)": run_help()}
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores")
    for name, seconds in seed.items():
        print(f"{name}: {seconds:.2f} s (median of 5)")
    results: dict[int, dict] = {}
    baseline_sizes = {int(s) for s in args.baseline_sizes.split(",") if s}
    for size in (int(s) for s in args.sizes.split(",")):
        project = prepare(size, args.work)
        staged = run_worker("stage", project, args.cap)
        dist = project / "dist"
        build = run_command([*CLI, "-q", "build", "--project", str(project), "--out", str(dist)], args.cap)
        rows = [*staged["stages"], {"stage": "BUILD (cold `migration-kg build`)", **build}]
        if dist.is_dir() and not args.only_build:
            rows += other_commands(project, dist, args.command_cap)
        if size in baseline_sizes and not args.only_build:
            baseline = run_worker("baseline", project, args.cap)
            rows += baseline["stages"]
            total = sum(row["seconds"] for row in baseline["stages"])
            rows.append({"stage": "BASELINE total (rdflib + pyshacl + rdflib)", "seconds": total,
                         "peak_mb": baseline.get("peak_mb")} if baseline["stages"] else
                        {"stage": "BASELINE", "seconds": None, "note": baseline.get("note")})
            if baseline["stages"] and build.get("seconds"):
                rows.append({"stage": f"ratio baseline / build: {total / build['seconds']:.1f}x", "seconds": None,
                             "note": ""})
        else:
            rows.append({"stage": "BASELINE", "seconds": None, "note": "not run at this size"})
        triples = staged.get("triples") or size
        results[size] = {"triples": triples, "rows": rows}
        show(rows, triples, f"{triples:,} triples ({size:,} asked)")
    if len(results) > 1:
        exponents(results)
    if args.json:
        args.json.write_text(json.dumps({"seed": seed, "results": results}, indent=2) + "\n",
                             encoding="utf-8")


def run_seed_build() -> float:
    out = Path(tempfile.mkdtemp(prefix="mkg-bench-seed-"))
    times = [run_command([*CLI, "-q", "build", "--project", str(ROOT), "--out", str(out / "dist")], 120)["seconds"]
             for _ in range(5)]
    shutil.rmtree(out, ignore_errors=True)
    return sorted(times)[2]


def run_help() -> float:
    return sorted(run_command([*CLI, "--help"], 60)["seconds"] for _ in range(5))[2]


if __name__ == "__main__":
    main()
