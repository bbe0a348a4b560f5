"""Writing a large store's default graph from Oxigraph's own N-Triples dump, without a Python object per triple
where the store can do the work.

Oxigraph writes every term of its dump exactly as :mod:`migration_kg.graph.blocks` writes it, so sorting the
dump's lines gives our N-Triples file byte for byte; the system's ``sort`` sorts them on disk, so they are never
held in memory whole. The sorted lines are then cut into chunks of subjects, each chunk put in the order the other
writers want (a subject's rdf:type statements first) and parsed back by pyoxigraph in one call: Turtle and
RDF/XML are Oxigraph's serializations of those chunks, JSON-LD is written by :mod:`migration_kg.graph.jsonld`
from the same parsed statements.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

import pyoxigraph as ox

from migration_kg.graph import jsonld
from migration_kg.graph.blocks import RDF_TYPE, blocks_of_lines
from migration_kg.graph.writers import CHUNK, OxigraphWriter

_TYPE = f" {RDF_TYPE} "
#: Memory that ``sort`` may use before it spills to files (the build's peak stays well under a gigabyte at 1M).
SORT_BUFFER = "64M"


@contextlib.contextmanager
def sorted_lines(store: ox.Store, leave_out: Iterable[ox.Quad] = ()) -> Iterator[SortedLines]:
    """The default graph's N-Triples lines, sorted, without those of ``leave_out``: a file in a temporary
    directory (removed afterwards), read as often as the writers need, never held in memory whole."""
    skipped = frozenset(f"{quad.subject} {quad.predicate} {quad.object} .\n".encode() for quad in leave_out)
    with tempfile.TemporaryDirectory(prefix="mkg-dump-") as scratch:
        dump, ordered = Path(scratch) / "dump.nt", Path(scratch) / "sorted.nt"
        with dump.open("wb") as stream:
            store.dump(stream, ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        _sort_file(dump, ordered, Path(scratch))
        dump.unlink()
        yield SortedLines(ordered, skipped)


class SortedLines:
    """The lines of a sorted N-Triples file, less the ``skipped`` ones, each time it is iterated."""

    def __init__(self, path: Path, skipped: frozenset[bytes]) -> None:
        self.path, self.skipped = path, skipped

    def __iter__(self) -> Iterator[bytes]:
        with self.path.open("rb", buffering=1 << 20) as stream:
            if self.skipped:
                yield from (line for line in stream if line not in self.skipped)
            else:
                yield from stream


def _sort_file(source: Path, target: Path, scratch: Path) -> None:
    """Sort the lines of ``source`` by their bytes into ``target``: with the system's ``sort`` in the C locale
    (a bounded buffer, spilling to ``scratch``), else in Python. Both give the same order: no line of the dump is
    a proper prefix of another (each ends with its object and " ."), so the newline never decides a comparison."""
    sort = shutil.which("sort")
    if sort is not None:
        completed = subprocess.run([sort, "-S", SORT_BUFFER, "-T", str(scratch), "-o", str(target), str(source)],
                                   env={**os.environ, "LC_ALL": "C"}, capture_output=True, check=False)
        if completed.returncode == 0:
            return
    with source.open("rb") as stream:
        lines = stream.readlines()
    lines.sort()
    with target.open("wb") as stream:
        stream.writelines(lines)


def _chunks(lines: Iterable[bytes], subjects: int = CHUNK) -> Iterator[list[str]]:
    """Runs of whole subjects' lines (as text), ``subjects`` subjects at a time, each subject's types first."""
    chunk: list[str] = []
    types: list[str] = []
    others: list[str] = []
    current = None
    count = 0
    for raw in lines:
        line = raw.decode("utf-8")
        subject = line[:line.index(" ")]
        if subject != current:
            if current is not None:
                chunk += types
                chunk += others
                types, others = [], []
                count += 1
                if count == subjects:
                    yield chunk
                    chunk, count = [], 0
            current = subject
        (types if line.startswith(_TYPE, len(subject)) else others).append(line)
    chunk += types
    chunk += others
    if chunk:
        yield chunk


def write_native(lines: Iterable[bytes], streams: dict[str, TextIO], context: jsonld.Context | None,
                 prefixes: dict[str, str]) -> None:
    """Write the sorted ``lines`` in each named syntax (a key of serialize.FORMATS) to its stream."""
    ntriples = streams.get("ntriples")
    if ntriples is not None:
        for raw in lines:
            ntriples.write(raw.decode("utf-8"))
    oxigraph = [OxigraphWriter(streams[name], syntax, prefixes)
                for name, syntax in (("turtle", ox.RdfFormat.TURTLE), ("rdfxml", ox.RdfFormat.RDF_XML))
                if name in streams]
    json_writer = jsonld.JsonLdWriter(streams["jsonld"], context) if "jsonld" in streams and context else None
    if not oxigraph and json_writer is None:
        return
    for chunk in _chunks(lines):
        quads = list(ox.parse("".join(chunk).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES))
        for writer in oxigraph:
            writer.write_statements(quads)
        if json_writer is not None:
            for block in blocks_of_lines(chunk, quads):
                json_writer.block(block)
    for writer in oxigraph:
        writer.close()
    if json_writer is not None:
        json_writer.close()
