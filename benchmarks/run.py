"""Time every stage of the pipeline on synthetic data at several sizes, against the floor and the baseline, and
print one table (``benchmarks/scale_table.py`` renders it; ``--doc docs/scale.md`` writes it into the doc).

For each size the synthetic project is generated (``benchmarks/generate.py``, cached under ``--work``). Runs are
interleaved across sizes and repeated ``--repeats`` times where they are cheap; the table gives medians (and the
highest peak memory). Each measurement runs in a fresh process:
  * the stages of ``build`` one by one (load, SHACL with the fast engine, the QC queries, both as the build runs
    them, each syntax alone and all four in one pass), with the process's peak memory after each stage;
  * ``migration-kg build`` as a cold command, then again while ``python -c 'while 1: pass'`` keeps one core busy
    (pinned with ``taskset -c 1``); the ``dist/`` of every run must be byte-identical;
  * the floor: pyoxigraph's own bulk load of the data files, then its own four dumps (N-Triples, Turtle, RDF/XML,
    JSON-LD), no validation;
  * ``publish`` (cold, ``--no-build``), ``load`` into an in-memory Oxigraph server, and every question of
    ``queries/`` embedded (median of five runs each after a warm-up; the slowest, and how many miss 50 ms / 200 ms);
  * at ``--baseline-sizes``, what a user would otherwise write: rdflib parse, pyshacl validate, rdflib serialize;
  * with ``--virtuoso 10000000``: ``benchmarks/bench_virtuoso.py`` (bulk load into Virtuoso, ``validate --endpoint``).
Results accumulate in ``--results FILE`` (JSON): ``--only GROUP,...`` re-measures some groups and keeps the rest.

    python benchmarks/run.py [--sizes 10000,100000,1000000] [--only build,busy,...] [--doc docs/scale.md]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from children import timed_child
from scale_table import GROUPS, render, write_doc

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
_SCRIPT = Path(sys.executable).parent / "migration-kg"
CLI = [str(_SCRIPT)] if _SCRIPT.is_file() else [sys.executable, "-m", "migration_kg"]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_command(args: list[str], timeout: float) -> dict:
    """Run a command; its wall time and peak memory, or a note saying how it failed.

    Linux carries a process's peak over fork and exec, so this process must stay small: it never reads a whole
    output file (see :func:`digest`)."""
    result = timed_child(args, timeout)
    if result["seconds"] is not None and result["exit"]:
        lines = result["stderr"].strip().splitlines()
        return {"seconds": None, "note": f"exit {result['exit']}: {lines[-1] if lines else ''}"[:120]}
    return {key: result[key] for key in ("seconds", "peak_mb", "note") if key in result}


# ---------------------------------------------------------------------------------------------- workers


def stage_worker(project: Path) -> dict:
    """The stages of build, timed one by one in this (fresh) process."""
    from concurrent.futures import ThreadPoolExecutor

    from migration_kg.graph.serialize import FORMATS, write_formats
    from migration_kg.pipeline.build import load_project
    from migration_kg.project import Project
    from migration_kg.shacl.validation import _qc_result, fast_violations, validate_store

    stages: dict[str, dict] = {}

    def timed(name: str, action):
        start = time.perf_counter()
        value = action()
        stages[name] = {"seconds": time.perf_counter() - start, "peak_mb": peak_mb()}
        return value

    loaded = timed("load: parse into a store", lambda: load_project(Project.at(project)))
    qc_files = loaded.project.qc_files()
    with ThreadPoolExecutor(2) as pool:
        timed("validate: SHACL, fast engine", lambda: fast_violations(
            loaded.store, loaded.shapes, None, pool, loaded.rewrites))
    timed("validate: QC queries", lambda: [_qc_result(loaded.store, path) for path in qc_files])
    timed("validate: both, as build runs them", lambda: validate_store(
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
    return {"triples": loaded.triples, "stages": stages}


def floor_worker(project: Path) -> dict:
    """pyoxigraph alone: bulk-load the data files, then its own four dumps to files (no validation, no sorting)."""
    import pyoxigraph as ox

    out = Path(tempfile.mkdtemp(prefix="mkg-bench-floor-"))
    try:
        start = time.perf_counter()
        store = ox.Store()
        for path in sorted((project / "data").glob("*.ttl")):
            store.bulk_load(path=path, format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
        parsed = time.perf_counter() - start
        stages = {"floor: pyoxigraph parse (bulk load)": {"seconds": parsed, "peak_mb": peak_mb()}}
        start = time.perf_counter()
        for name, fmt in (("nt", ox.RdfFormat.N_TRIPLES), ("ttl", ox.RdfFormat.TURTLE),
                          ("rdf", ox.RdfFormat.RDF_XML), ("jsonld", ox.RdfFormat.JSON_LD)):
            store.dump(out / f"graph.{name}", format=fmt, from_graph=ox.DefaultGraph())
        dumped = time.perf_counter() - start
        stages["floor: pyoxigraph four dumps"] = {"seconds": dumped, "peak_mb": peak_mb()}
        stages["FLOOR (parse + four dumps)"] = {"seconds": parsed + dumped, "peak_mb": peak_mb()}
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return {"stages": stages}


def questions_worker(project: Path, dist: Path) -> dict:
    """Every offline question of queries/ on the built graph, embedded: median of five runs after a warm-up."""
    from migration_kg.query.questions import bindings_for, list_queries, load_store, run_embedded

    start = time.perf_counter()
    store = load_store(dist)
    loading = time.perf_counter() - start
    times = {}
    for question in (q for q in list_queries(project / "queries") if not q.needs_network):
        bindings = bindings_for(question)
        run_embedded(store, question, bindings)
        runs = []
        for _ in range(5):
            start = time.perf_counter()
            run_embedded(store, question, bindings)
            runs.append(time.perf_counter() - start)
        times[question.name] = statistics.median(runs)
    return {"loading": loading, "questions": times, "peak_mb": peak_mb()}


def baseline_worker(project: Path) -> dict:
    """What a user would otherwise write: rdflib parse, pyshacl validate, rdflib serialize."""
    from pyshacl import validate
    from rdflib import Graph

    stages: dict[str, dict] = {}
    start = time.perf_counter()

    def step(name: str) -> None:
        nonlocal start
        stages[name] = {"seconds": time.perf_counter() - start, "peak_mb": peak_mb()}
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
    return {"stages": stages}


WORKERS = {"stage": stage_worker, "floor": floor_worker, "baseline": baseline_worker}


def run_worker(kind: str, timeout: float, *paths: Path) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as result:
        outcome = run_command([sys.executable, __file__, "--worker", kind, *map(str, paths), "--result", result.name],
                              timeout)
        if outcome["seconds"] is None:
            return {"stages": {}, "note": outcome.get("note", "failed")}
        found = json.loads(Path(result.name).read_text(encoding="utf-8"))
        found["process_peak_mb"] = outcome["peak_mb"]
        return found


# ---------------------------------------------------------------------------------------------- commands


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def digest(directory: Path) -> str:
    """One SHA-256 over every file of a directory (names and bytes), to compare outputs of runs."""
    total = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        with path.open("rb") as stream:  # in pieces: this process stays small (a child's peak starts from it)
            one = hashlib.file_digest(stream, "sha256").digest()
        total.update(str(path.relative_to(directory)).encode() + b"\0" + one)
    return total.hexdigest()


def build_once(project: Path, cap: float, busy: bool) -> dict:
    """A cold ``migration-kg build`` into a fresh directory (with one core kept busy when ``busy``)."""
    out = Path(tempfile.mkdtemp(prefix="mkg-bench-build-")) / "dist"
    spinner = subprocess.Popen(["taskset", "-c", "1", sys.executable, "-c", "while 1: pass"]) if busy else None
    try:
        time.sleep(0.3 if busy else 0)
        result = run_command([*CLI, "-q", "build", "--project", str(project), "--out", str(out)], cap)
    finally:
        if spinner is not None:
            spinner.kill()
            spinner.wait()
    if out.is_dir():
        result["digest"] = digest(out)
    shutil.rmtree(out.parent, ignore_errors=True)
    return result


def publish_once(project: Path, dist: Path, cap: float) -> dict:
    site = Path(tempfile.mkdtemp(prefix="mkg-bench-site-"))
    try:
        return run_command([*CLI, "-q", "publish", "--project", str(project), "--dist", str(dist), "--out",
                            str(site / "site"), "--no-build", "--issued", "2026-01-01"], cap)
    finally:
        shutil.rmtree(site, ignore_errors=True)


def load_oxigraph(dist: Path, cap: float) -> dict:
    server = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if not server:
        return {"seconds": None, "note": "no oxigraph binary"}
    port = free_port()
    process = subprocess.Popen([server, "serve", "--bind", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.0)
        return run_command([*CLI, "-q", "load", "--dist", str(dist), "--store", "oxigraph", "--endpoint",
                            f"http://127.0.0.1:{port}"], cap)
    finally:
        process.terminate()
        process.wait(timeout=30)


def questions(project: Path, dist: Path, cap: float) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as result:
        outcome = run_command([sys.executable, __file__, "--worker", "questions", str(project), str(dist),
                               "--result", result.name], cap)
        if outcome["seconds"] is None:
            return {"note": outcome.get("note", "failed")}
        return json.loads(Path(result.name).read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------- plan


def prepare(size: int, work: Path) -> Path:
    project = work / f"synthetic-{size}"
    if not (project / "manifest.json").is_file():
        subprocess.run([sys.executable, str(BENCH / "generate.py"), "--triples", str(size), "--out", str(project)],
                       check=True, stdout=subprocess.DEVNULL)
    for part in ("queries", "shapes", "ontology"):  # today's, so that a change to them is measured
        shutil.rmtree(project / part)
        shutil.copytree(ROOT / part, project / part)
    return project


def measure(args: argparse.Namespace, results: dict, save) -> None:
    """Run the chosen groups, interleaved across sizes, ``--repeats`` times where cheap; save after each step."""
    sizes = [int(s) for s in args.sizes.split(",") if s]
    only = set(args.only.split(",")) if args.only else set(GROUPS)
    projects = {size: prepare(size, args.work) for size in sizes}
    entry = {size: results["sizes"].setdefault(str(size), {}) for size in sizes}
    for size in sizes:
        for group in only & {"stages", "build", "busy", "floor"}:
            entry[size][group] = []
    for round_ in range(args.repeats):
        for size in sizes:
            project = projects[size]
            if "stages" in only:
                found = run_worker("stage", args.cap, project)
                entry[size]["stages"].append(found.get("stages", {}))
                entry[size]["triples"] = found.get("triples", entry[size].get("triples"))
            if "build" in only:
                entry[size]["build"].append(build_once(project, args.cap, busy=False))
            if "busy" in only and (size >= args.busy_from):
                entry[size]["busy"].append(build_once(project, args.cap, busy=True))
            if "floor" in only:
                entry[size]["floor"].append(run_worker("floor", args.cap, project).get("stages", {}))
            save()
            print(f"round {round_ + 1}, {size:,}: done", file=sys.stderr, flush=True)
    for size in sizes:
        project, dist = projects[size], projects[size] / "dist"
        if only & {"publish", "load", "questions"} and not dist.is_dir():
            run_command([*CLI, "-q", "build", "--project", str(project), "--out", str(dist)], args.cap)
        if "load" in only:
            entry[size]["load"] = load_oxigraph(dist, args.command_cap)
        if "questions" in only:
            entry[size]["questions"] = questions(project, dist, args.command_cap)
        if "baseline" in only and size in {int(s) for s in args.baseline_sizes.split(",") if s}:
            entry[size]["baseline"] = run_worker("baseline", args.cap, project)
        if "publish" in only:
            entry[size]["publish"] = publish_once(project, dist, args.command_cap)
        save()
        print(f"{size:,}: commands done", file=sys.stderr, flush=True)
    if "seed" in only:
        results["seed"] = measure_seed(args.repeats)
    if "virtuoso" in only and args.virtuoso_result:
        results["virtuoso"] = [json.loads(path.read_text(encoding="utf-8")) for path in args.virtuoso_result]
    elif "virtuoso" in only and args.virtuoso:
        out = args.work / "virtuoso.json"
        subprocess.run([sys.executable, str(BENCH / "bench_virtuoso.py"), "--triples", str(args.virtuoso),
                        "--max-rows", str(args.virtuoso_max_rows), "--work", str(args.work), "--json", str(out)],
                       check=False, stdout=subprocess.DEVNULL)
        if out.is_file():
            results["virtuoso"] = [json.loads(out.read_text(encoding="utf-8"))]
    save()


def measure_seed(repeats: int) -> dict:
    """The seed project: cold build, cold publish and --help, medians."""
    work = Path(tempfile.mkdtemp(prefix="mkg-bench-seed-"))
    try:
        dist = work / "dist"
        builds = [run_command([*CLI, "-q", "build", "--project", str(ROOT), "--out", str(dist)], 120)
                  for _ in range(max(repeats, 3))]
        publishes = [publish_once(ROOT, dist, 120) for _ in range(max(repeats, 3))]
        helps = [run_command([*CLI, "--help"], 60) for _ in range(max(repeats, 3))]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"build": builds, "publish": publishes, "help": helps}


def machine() -> dict:
    import platform

    import pyoxigraph

    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.machine())
    memory = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))) / 1024 / 1024
    return {"cpu": model, "cores": os.cpu_count(), "memory_gb": round(memory), "python": platform.python_version(),
            "pyoxigraph": pyoxigraph.__version__, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--only", default="", help=f"groups to (re)measure, comma-separated: {','.join(GROUPS)}")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved runs of the cheap groups (medians)")
    parser.add_argument("--baseline-sizes", default="10000,100000",
                        help="sizes at which to run the rdflib + pyshacl baseline (it took 1,347 s at 1M)")
    parser.add_argument("--busy-from", type=int, default=0, help="smallest size of the busy-core builds")
    parser.add_argument("--virtuoso", type=int, default=0, help="also bulk-load this many triples into Virtuoso")
    parser.add_argument("--virtuoso-max-rows", type=int, default=10_000_000,
                        help="Virtuoso's ResultSetMaxRows for --virtuoso (its default, 10,000, cuts answers short)")
    parser.add_argument("--virtuoso-result", type=Path, action="append", default=[],
                        help="take Virtuoso figures from this bench_virtuoso.py --json file (repeatable) instead")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "mkg-bench")
    parser.add_argument("--cap", type=float, default=1800, help="seconds after which a build or baseline stops")
    parser.add_argument("--command-cap", type=float, default=600, help="seconds for publish, load or questions")
    parser.add_argument("--results", type=Path, help="JSON file of results: read if present, updated as runs end")
    parser.add_argument("--render", action="store_true", help="only print the table of --results")
    parser.add_argument("--doc", type=Path, help="write the table into this Markdown file, between its markers")
    parser.add_argument("--note", action="append", default=[], help="a line to print under the table")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        found = questions_worker(*args.paths) if args.worker == "questions" else WORKERS[args.worker](*args.paths)
        args.result.write_text(json.dumps(found), encoding="utf-8")
        return
    results = {"sizes": {}}
    if args.results and args.results.is_file():
        results = json.loads(args.results.read_text(encoding="utf-8"))

    def save() -> None:
        if args.results:
            args.results.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")

    if not args.render:
        results["machine"] = machine()
        results.setdefault("commands", []).append(" ".join(["python", "benchmarks/run.py", *(argv or sys.argv[1:])]))
        measure(args, results, save)
    table = render(results, args.note)
    print(table)
    if args.doc:
        write_doc(args.doc, table)


if __name__ == "__main__":
    main()
