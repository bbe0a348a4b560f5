"""Stage 4: write a graph in every published syntax, deterministically (same graph, same bytes).

``FORMATS`` is the one table of output syntaxes; the CLI's ``--format`` choices come from it. Every writer
consumes the subject blocks of :mod:`migration_kg.graph.blocks`, so one pass over a large store can feed all the
syntaxes at once and stream them to files (:func:`write_formats`) without holding any of them in memory.
"""

from __future__ import annotations

import gc
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TextIO

import pyoxigraph as ox
from rdflib import Graph

from migration_kg.graph import jsonld
from migration_kg.graph.blocks import Block, TripleSource
from migration_kg.graph.native import sorted_lines, write_native
from migration_kg.graph.writers import NTriplesWriter, OxigraphWriter
from migration_kg.namespaces import PREFIXES


class BlockWriter(Protocol):
    """Writes one syntax, one subject block at a time, to a text stream."""

    def block(self, block: Block) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Format:
    """One output syntax: its name, file suffix, media type and block writer."""

    name: str
    suffix: str
    media_type: str
    open: Callable[[TextIO, jsonld.Context | None, TripleSource], BlockWriter]

    def write(self, graph: Graph | ox.Store, context: jsonld.Context | None = None) -> str:
        """The whole graph in this syntax, as text."""
        out = io.StringIO()
        write_formats(TripleSource(graph), {self.name: out}, context)
        return out.getvalue()


def to_turtle(graph: Graph, _context: jsonld.Context | None = None) -> str:
    """Turtle with the project's prefixes (those it uses), subjects in a fixed order."""
    return FORMATS["turtle"].write(graph)


def to_ntriples(graph: Graph, _context: jsonld.Context | None = None) -> str:
    """N-Triples, one triple a line, lines sorted."""
    return FORMATS["ntriples"].write(graph)


def to_rdfxml(graph: Graph, _context: jsonld.Context | None = None) -> str:
    """RDF/XML, one element per subject, subjects and properties in a fixed order."""
    return FORMATS["rdfxml"].write(graph)


def to_jsonld(graph: Graph, context: jsonld.Context) -> str:
    """Compacted JSON-LD with the project's context embedded."""
    return FORMATS["jsonld"].write(graph, context)


def _prefixes(source: TripleSource) -> dict[str, str]:
    return source.namespaces_used({prefix: str(namespace) for prefix, namespace in PREFIXES.items()})


FORMATS: dict[str, Format] = {
    "turtle": Format("turtle", ".ttl", "text/turtle",
                     lambda out, _c, source: OxigraphWriter(out, ox.RdfFormat.TURTLE, _prefixes(source))),
    "jsonld": Format("jsonld", ".jsonld", "application/ld+json",
                     lambda out, context, _s: jsonld.JsonLdWriter(out, context)),  # type: ignore[arg-type]
    "ntriples": Format("ntriples", ".nt", "application/n-triples", lambda out, _c, _s: NTriplesWriter(out)),
    "rdfxml": Format("rdfxml", ".rdf", "application/rdf+xml",
                     lambda out, _c, source: OxigraphWriter(out, ox.RdfFormat.RDF_XML, _prefixes(source))),
}


def write_formats(source: TripleSource, streams: dict[str, TextIO], context: jsonld.Context | None) -> None:
    """Write ``source`` in each named syntax to its stream, in one pass over the subject blocks.

    The pass makes millions of short-lived objects and no reference cycles, so Python's cyclic garbage
    collector is paused meanwhile: at a million triples its full collections would double the time.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        if source.native:
            with sorted_lines(source.source, source.left_out()) as lines:  # type: ignore[arg-type]
                write_native(lines, streams, context, dict(sorted(_prefixes(source).items())))
            return
        writers = [FORMATS[name].open(stream, context, source) for name, stream in streams.items()]
        for block in source:
            for writer in writers:
                writer.block(block)
        for writer in writers:
            writer.close()
    finally:
        if collecting:
            gc.enable()


def serialize(graph: Graph | ox.Store, format_name: str, context: jsonld.Context) -> str:
    """Write ``graph`` in the syntax named ``format_name`` (a key of FORMATS)."""
    return FORMATS[format_name].write(graph, context)


__all__ = ["FORMATS", "Format", "serialize", "to_jsonld", "to_ntriples", "to_rdfxml", "to_turtle",
           "write_formats"]
