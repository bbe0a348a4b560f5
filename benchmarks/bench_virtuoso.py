"""Validation where the data lives, at ten million triples: bulk-load a synthetic project into Virtuoso, then run
``migration-kg validate --endpoint`` on it; time both, measure our process's peak memory, and check that every
planted violation is reported.

The project comes from ``benchmarks/generate.py --violations`` (generated under ``--work`` if missing). Virtuoso is
Debian's ``virtuoso-opensource-7`` started as ``tests/helpers/virtuoso.py`` starts it (its own directory, both
ports on 127.0.0.1, ``virtuoso-t -f``), with two settings changed for a graph of this size: 2.7 GB of buffers
(the package's default is 80 MB; Virtuoso's own guide sizes them to the memory of the machine) and no limit on a
query's execution time (the default 60 s would cut an answer short without an error). ``ResultSetMaxRows`` stays
at the package's 10,000 unless ``--max-rows`` says otherwise: Virtuoso cuts longer answers short silently.

The data files are cut into pieces of about a million triples (whole subject blocks, with the prefixes) and
loaded by Virtuoso's bulk loader (``ld_dir``, then ``rdf_loader_run`` on two threads) into one named graph with
the ontology; then ``checkpoint``. Then ``migration-kg validate --endpoint URL --graph IRI`` runs as a cold
command, and the same validation runs once more through the Python API (``migration_kg.validate(endpoint=...,
graphs=...)``, what the command calls) to compare the reported (focus node, check) pairs with the manifest's.
The server is stopped at the end.

    python benchmarks/bench_virtuoso.py [--triples 10000000] [--work DIR] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from children import timed_child

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
GRAPH = "https://w3id.org/migration-kg/dataset"
_SCRIPT = Path(sys.executable).parent / "migration-kg"
CLI = [str(_SCRIPT)] if _SCRIPT.is_file() else [sys.executable, "-m", "migration_kg"]
PIECE = 1_000_000

_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
ServerThreads = 10
CheckpointInterval = 60
NumberOfBuffers = 340000
MaxDirtyBuffers = 250000
DirsAllowed = ., {dir}, {data}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
MaxClientConnections = 5
ServerThreads = 5

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 0
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def isql(port: int, statements: str, timeout: float = 7200) -> str:
    """Run SQL as dba through ``isql-vt``; raise on an error line (isql exits 0 even when a statement fails)."""
    result = subprocess.run(["isql-vt", f"127.0.0.1:{port}", "dba", "dba"], input=statements, capture_output=True,
                            text=True, timeout=timeout, check=False)
    output = result.stdout + result.stderr
    if result.returncode or "*** Error" in output:
        raise RuntimeError(f"isql-vt failed:\n{output[-2000:]}")
    return output


def split_turtle(source: Path, out: Path, prefixes: str, lines_per_triple: float) -> list[Path]:
    """Cut a generated Turtle file into pieces of about PIECE triples, at blank lines between subject blocks."""
    pieces: list[Path] = []
    budget = int(PIECE * lines_per_triple)
    with source.open(encoding="utf-8") as stream:
        chunk: list[str] = []
        for line in stream:
            if line.startswith("@prefix"):
                continue
            chunk.append(line)
            if line == "\n" and len(chunk) >= budget:
                pieces.append(_write_piece(out, source.stem, len(pieces), prefixes, chunk))
                chunk = []
        if any(line.strip() for line in chunk):
            pieces.append(_write_piece(out, source.stem, len(pieces), prefixes, chunk))
    return pieces


def _write_piece(out: Path, stem: str, index: int, prefixes: str, lines: list[str]) -> Path:
    path = out / f"{stem}-{index:03d}.ttl"
    path.write_text(prefixes + "".join(lines), encoding="utf-8")
    return path


def prepare_files(project: Path, out: Path) -> int:
    """The data files in pieces and the ontology, in ``out`` for the bulk loader; the number of files."""
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    for path in sorted((project / "data").glob("*.ttl")):
        text_head = path.open(encoding="utf-8").read(4096)
        prefixes = "".join(line + "\n" for line in text_head.splitlines() if line.startswith("@prefix"))
        count += len(split_turtle(path, out, prefixes, lines_per_triple=1.1))
    for path in sorted((project / "ontology").glob("*.ttl")):
        shutil.copyfile(path, out / f"ontology-{path.name}")
        count += 1
    return count


def wait_ready(url: str, process: subprocess.Popen, directory: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (directory / "virtuoso.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"virtuoso-t exited with {process.returncode}:\n{log}")
        try:
            with urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.3)
    raise RuntimeError(f"Virtuoso not ready at {url} after {timeout} s")


_PAIRS = """\
import json, sys, time
from pathlib import Path
from migration_kg import validate
start = time.perf_counter()
report = validate(project_root=sys.argv[1], endpoint=sys.argv[2], graphs=[sys.argv[3]], sources=[sys.argv[4]])
print(json.dumps({"seconds": time.perf_counter() - start, "conforms": report.conforms,
                  "pairs": sorted({(v.focus, v.source) for v in report.violations}),
                  "violations": len(report.violations), "quotes": report.quote_summary}))
"""


def run(project: Path, work: Path, timeout: float, max_rows: int = 10_000) -> dict:
    manifest = json.loads((project / "manifest.json").read_text(encoding="utf-8"))
    directory = work / "virtuoso"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    files = work / "virtuoso-load"
    shutil.rmtree(files, ignore_errors=True)
    result: dict = {"triples": manifest["triples"], "planted": len(manifest["planted"]), "claims": manifest["claims"],
                    "result_set_max_rows": max_rows}
    start = time.perf_counter()
    result["files"] = prepare_files(project, files)
    result["split_seconds"] = time.perf_counter() - start
    http_port, sql_port = free_port(), free_port()
    (directory / "virtuoso.ini").write_text(_INI.format(dir=directory, data=files, sql_port=sql_port,
                                                        http_port=http_port, max_rows=max_rows), encoding="utf-8")
    url = f"http://127.0.0.1:{http_port}/sparql"
    server = subprocess.Popen(["virtuoso-t", "-f", "-c", str(directory / "virtuoso.ini")], cwd=directory,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(url, server, directory)
        start = time.perf_counter()
        isql(sql_port, f"ld_dir('{files}', '*.ttl', '{GRAPH}');\n")
        loaders = [subprocess.Popen(["isql-vt", f"127.0.0.1:{sql_port}", "dba", "dba", "exec=rdf_loader_run();"],
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(2)]
        outputs = [loader.communicate(timeout=timeout)[0] for loader in loaders]
        if any("*** Error" in output for output in outputs):
            raise RuntimeError("rdf_loader_run failed:\n" + "\n".join(outputs)[-2000:])
        isql(sql_port, "checkpoint;\n")
        result["load_seconds"] = time.perf_counter() - start
        errors = isql(sql_port, "select count(*) from DB.DBA.LOAD_LIST where ll_error is not null;\n")
        result["load_errors"] = _first_number(errors)
        count = isql(sql_port, f"sparql select count(*) from <{GRAPH}> where {{ ?s ?p ?o }};\n")
        result["store_triples"] = _first_number(count)
        result["server_mb_after_load"] = _rss_mb(server.pid)
        cli = timed_child([*CLI, "-q", "validate", "--project", str(project), "--endpoint", url, "--graph", GRAPH,
                              "--sources", str(project / "source")], timeout)
        result["validate"] = {key: cli.get(key) for key in ("seconds", "exit", "peak_mb", "note")}
        result["validate"]["last_lines"] = (cli.get("stderr", "") or "").strip().splitlines()[-2:]
        pairs = timed_child([sys.executable, "-c", _PAIRS, str(project), url, GRAPH, str(project / "source")],
                            timeout, keep_stdout=True)
        if pairs.get("exit") == 0:
            found = json.loads(pairs["stdout"].strip().splitlines()[-1])
            expected = {(item["focus"], check) for item in manifest["planted"] for check in item["checks"]}
            reported = {tuple(pair) for pair in found["pairs"]}
            result["api"] = {"seconds": found["seconds"], "peak_mb": pairs["peak_mb"], "conforms": found["conforms"],
                             "violations": found["violations"], "quotes": found["quotes"],
                             "expected_pairs": len(expected), "found": len(expected & reported),
                             "missing": sorted(expected - reported), "extra": sorted(reported - expected)}
        else:
            result["api"] = {"note": (pairs.get("stderr") or pairs.get("note") or "")[-500:]}
        result["server_mb_peak"] = _peak_mb(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=120)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return result


def _first_number(output: str) -> int | None:
    """The first line of isql output that is a number (the value of a one-cell answer)."""
    return next((int(line) for line in output.splitlines() if line.strip().isdigit()), None)


def _rss_mb(pid: int) -> float | None:
    return _status_field(pid, "VmRSS")


def _peak_mb(pid: int) -> float | None:
    return _status_field(pid, "VmHWM")


def _status_field(pid: int, name: str) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=10_000_000)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "mkg-bench")
    parser.add_argument("--timeout", type=float, default=3600,
                        help="seconds allowed for the load and for each validation")
    parser.add_argument("--max-rows", type=int, default=10_000,
                        help="Virtuoso's ResultSetMaxRows (10,000 is the Debian package's default)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    if not (shutil.which("virtuoso-t") and shutil.which("isql-vt")):
        parser.error("Virtuoso is not installed: run scripts/install-system-packages")
    project = args.work / f"synthetic-{args.triples}-violations"
    if not (project / "manifest.json").is_file():
        subprocess.run([sys.executable, str(BENCH / "generate.py"), "--triples", str(args.triples), "--violations",
                        "--out", str(project)], check=True, stdout=subprocess.DEVNULL)
    result = run(project, args.work, args.timeout, args.max_rows)
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
