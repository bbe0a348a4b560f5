"""Load synthetic graphs of ~100k and ~1M triples into Oxigraph by each path and print a table.

Data: ``benchmarks/generate.py`` (the project's own shapes of data: cities, people, memberships, claims...),
converted to one N-Triples file. Paths, each into a fresh Oxigraph (on disk unless marked in-memory):

- ``graph-store staged``: ``migration-kg load`` (chunked Graph Store POSTs into a staging graph, then MOVE);
- ``graph-store direct``: ``migration-kg load --direct`` (chunked POSTs straight into the graph, not atomic);
- ``update staged``: ``migration-kg load --protocol update`` (INSERT DATA batches, then MOVE);
- ``bulk file``: ``migration-kg dump`` then ``oxigraph load`` into a stopped store's directory.

Each step runs as its own process, so peak memory (max RSS) is measured per step, for our command and for the
server (VmHWM). Usage::

    python benchmarks/bench_load.py [--sizes 100000,1000000] [--paths all] [--work DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
OXIGRAPH = str(BIN / "oxigraph") if (BIN / "oxigraph").exists() else "oxigraph"
MIGRATION_KG = [sys.executable, "-m", "migration_kg"]
PATHS = ("graph-store staged", "graph-store direct", "update staged", "bulk file",
         "graph-store staged, in-memory", "graph-store direct, in-memory")


@dataclass
class Row:
    triples: int
    path: str
    seconds: float
    our_peak_mb: float
    server_peak_mb: float | None

    @property
    def rate(self) -> float:
        return self.triples / self.seconds


def make_data(size: int, work: Path) -> Path:
    """An N-Triples file of about ``size`` generated triples (cached in ``work``)."""
    target = work / f"synthetic-{size}.nt"
    if target.exists():
        return target
    project = work / f"project-{size}"
    subprocess.run([sys.executable, str(HERE / "generate.py"), "--triples", str(size), "--out", str(project)],
                   check=True, stdout=subprocess.DEVNULL)
    convert = ("import glob, sys, pyoxigraph as ox\n"
               "with open(sys.argv[2], 'wb') as out:\n"
               "    for f in sorted(glob.glob(sys.argv[1] + '/data/*.ttl')):\n"
               "        quads = ox.parse(path=f, format=ox.RdfFormat.TURTLE)\n"
               "        ox.serialize(quads, out, format=ox.RdfFormat.N_TRIPLES)\n")
    subprocess.run([sys.executable, "-c", convert, str(project), str(target)], check=True)
    shutil.rmtree(project)
    return target


def count_lines(path: Path) -> int:
    with path.open("rb") as stream:
        return sum(1 for line in stream if line.strip())


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_measured(command: list[str]) -> tuple[float, float]:
    """Run ``command``; its wall time in seconds and its peak RSS in MB."""
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {process.stderr.read().decode()[-500:]}")
    return elapsed, usage.ru_maxrss / 1024


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@contextlib.contextmanager
def oxigraph(location: Path | None) -> Iterator[tuple[str, subprocess.Popen]]:
    """An Oxigraph server (on disk at ``location``, or in memory) on a free port."""
    port = free_port()
    command = [OXIGRAPH, "serve", "--bind", f"127.0.0.1:{port}"]
    if location is not None:
        command += ["--location", str(location)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    try:
        yield base, process
    finally:
        process.terminate()
        process.wait()


def bench_server_path(path: str, data: Path, triples: int, work: Path) -> Row:
    in_memory = path.endswith("in-memory")
    location = None if in_memory else work / "db"
    if location is not None:
        shutil.rmtree(location, ignore_errors=True)
    options = {"graph-store staged": [], "graph-store direct": ["--direct"],
               "update staged": ["--protocol", "update"]}[path.split(",")[0]]
    with oxigraph(location) as (base, server):
        seconds, ours = run_measured([*MIGRATION_KG, "-q", "load", "--dist", str(data), "--store", "oxigraph",
                                      "--endpoint", base, *options])
        server_peak = peak_mb(server.pid)
    return Row(triples, path, seconds, ours, server_peak)


def bench_bulk(data: Path, triples: int, work: Path) -> Row:
    location = work / "db"
    shutil.rmtree(location, ignore_errors=True)
    dump = work / "bulk.nq.gz"
    dump_seconds, dump_peak = run_measured([*MIGRATION_KG, "-q", "dump", "--dist", str(data), "--out", str(dump)])
    load_seconds, load_peak = run_measured([OXIGRAPH, "load", "--location", str(location), "--file", str(dump)])
    return Row(triples, "bulk file (dump + oxigraph load)", dump_seconds + load_seconds, dump_peak, load_peak)


def selected_paths(text: str, parser: argparse.ArgumentParser) -> tuple[str, ...]:
    """The paths named in a comma-separated list, where a name that holds a comma ("graph-store staged,
    in-memory") is read whole: at each place, the longest run of parts that makes a known name."""
    parts = [part.strip() for part in text.split(",")]
    chosen, start = [], 0
    while start < len(parts):
        for end in range(len(parts), start, -1):
            name = ", ".join(parts[start:end])
            if name in PATHS:
                chosen.append(name)
                start = end
                break
        else:
            parser.error(f"unknown path {parts[start]!r} (known: {'; '.join(PATHS)})")
    return tuple(chosen)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated triple counts")
    parser.add_argument("--paths", default="all", help=f"comma-separated, from: {'; '.join(PATHS)} (a name "
                        "that holds a comma is read whole)")
    parser.add_argument("--path", action="append", default=[], choices=PATHS, help="one path (repeatable)")
    parser.add_argument("--work", type=Path, default=None, help="working directory (default: a temporary one)")
    args = parser.parse_args(argv)
    paths = tuple(args.path) or (PATHS if args.paths == "all" else selected_paths(args.paths, parser))
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-load-"))
    work.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    header = (f"| {'triples':>9} | {'path':<34} | {'seconds':>7} | {'triples/s':>9} | {'ours MB':>7} "
              f"| {'server MB':>9} |")
    print(header)
    print("|" + "|".join("-" * (len(cell)) for cell in header.split("|")[1:-1]) + "|")
    for size in (int(s) for s in args.sizes.split(",")):
        data = make_data(size, work)
        triples = count_lines(data)
        for path in paths:
            row = bench_bulk(data, triples, work) if path == "bulk file" else \
                bench_server_path(path, data, triples, work)
            rows.append(row)
            server = f"{row.server_peak_mb:,.0f}" if row.server_peak_mb is not None else "-"
            print(f"| {row.triples:>9,} | {row.path:<34} | {row.seconds:>7.1f} | {row.rate:>9,.0f} | "
                  f"{row.our_peak_mb:>7,.0f} | {server:>9} |", flush=True)
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
