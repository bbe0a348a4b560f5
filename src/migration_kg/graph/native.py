"""Writing a large store's default graph from Oxigraph's own N-Triples dump, without a Python object per triple
where the store can do the work.

Oxigraph writes every term of its dump exactly as :mod:`migration_kg.graph.blocks` writes it, so sorting the
dump's lines gives our N-Triples file byte for byte. The sorted lines are then cut into chunks of subjects, each
chunk put in the order the other writers want (a subject's rdf:type statements first) and parsed back by
pyoxigraph in one call: Turtle and RDF/XML are Oxigraph's serializations of those chunks, JSON-LD is written by
:mod:`migration_kg.graph.jsonld` from the same parsed statements.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from typing import TextIO

import pyoxigraph as ox

from migration_kg.graph import jsonld
from migration_kg.graph.blocks import RDF_TYPE, Block
from migration_kg.graph.writers import CHUNK, OxigraphWriter

_TYPE = f" {RDF_TYPE} "


def sorted_lines(store: ox.Store, leave_out: Iterable[ox.Quad] = ()) -> list[bytes]:
    """The default graph's N-Triples lines, sorted, without those of ``leave_out``."""
    with tempfile.TemporaryFile() as scratch:
        store.dump(scratch, ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        scratch.seek(0)
        lines = scratch.readlines()
    skipped = {f"{quad.subject} {quad.predicate} {quad.object} .\n".encode() for quad in leave_out}
    if skipped:
        lines = [line for line in lines if line not in skipped]
    lines.sort()
    return lines


def _chunks(lines: list[bytes], subjects: int = CHUNK) -> Iterator[list[str]]:
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


def _blocks(lines: list[str], quads: list[ox.Quad]) -> list[Block]:
    """Subject blocks of lines (a subject's lines together) and their parsed statements."""
    blocks: list[Block] = []
    current = None
    for line, quad in zip(lines, quads, strict=True):
        subject, predicate, rest = line.split(" ", 2)
        if subject != current:
            blocks.append(Block(quad.subject, subject, []))  # type: ignore[arg-type]
            current = subject
        blocks[-1].pairs.append((predicate, rest[:-3], quad))
    return blocks


def write_native(lines: list[bytes], streams: dict[str, TextIO], context: jsonld.Context | None,
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
            for block in _blocks(chunk, quads):
                json_writer.block(block)
    for writer in oxigraph:
        writer.close()
    if json_writer is not None:
        json_writer.close()
