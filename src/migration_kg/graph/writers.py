"""Block writers for N-Triples, Turtle and RDF/XML: deterministic and streaming, one subject block at a time.

N-Triples is written here, one triple a line (the blocks come sorted, so the lines are sorted). Turtle and
RDF/XML are written by Oxigraph's serializers, fed the sorted triples of a few thousand subjects at a time;
the file header (prefixes or XML namespaces, in sorted order) is written once, here, and each chunk's own
header is dropped.
"""

from __future__ import annotations

from typing import TextIO

import pyoxigraph as ox

from migration_kg.graph.blocks import Block

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
ITS = "http://www.w3.org/2005/11/its"
CHUNK = 2000


class NTriplesWriter:
    """N-Triples, one triple a line."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def block(self, block: Block) -> None:
        subject = block.subject_nt
        self.out.write("".join(f"{subject} {pair[0]} {pair[1]} .\n" for pair in block.pairs))

    def close(self) -> None:
        """Nothing to end: the format has no footer."""


class OxigraphWriter:
    """Turtle or RDF/XML by Oxigraph, with ``prefixes``; rdf:type statements come first in each subject."""

    def __init__(self, out: TextIO, rdf_format: ox.RdfFormat, prefixes: dict[str, str]) -> None:
        self.out = out
        self.format = rdf_format
        self.prefixes = dict(sorted(prefixes.items()))
        self.statements: list[ox.Triple] | list[ox.Quad] = []
        self.subjects = 0
        if rdf_format == ox.RdfFormat.TURTLE:
            out.write("".join(f"@prefix {prefix}: <{ns}> .\n" for prefix, ns in self.prefixes.items()))
        else:
            declared = sorted({**self.prefixes, "rdf": RDF, "its": ITS}.items())
            out.write('<?xml version="1.0" encoding="UTF-8"?>\n<rdf:RDF'
                      + "".join(f'\n    xmlns:{prefix}="{ns}"' for prefix, ns in declared) + ">\n")

    def block(self, block: Block) -> None:
        # Turtle is written as TriG of default-graph quads (the same text), which saves making triples.
        self.statements.extend(block.quads() if self.format == ox.RdfFormat.TURTLE else block.triples())  # type: ignore[arg-type]
        self.subjects += 1
        if self.subjects >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.statements:
            return
        self.write_statements(self.statements)
        self.statements, self.subjects = [], 0

    def write_statements(self, statements: list[ox.Triple] | list[ox.Quad]) -> None:
        """Serialize whole subjects' statements (each subject's types first) after what was written so far."""
        if not statements:
            return
        syntax = ox.RdfFormat.TRIG if self.format == ox.RdfFormat.TURTLE else self.format
        data = ox.serialize(statements, format=syntax, prefixes=self.prefixes)
        if self.format == ox.RdfFormat.TURTLE:  # drop the prefix lines: one per prefix
            start = 0
            for _ in self.prefixes:
                start = data.index(b"\n", start) + 1
            body = data[start:]
        else:  # drop the XML declaration, the <rdf:RDF ...> line and the closing </rdf:RDF>
            start = data.index(b"\n", data.index(b"\n<rdf:RDF") + 1) + 1
            body = data[start:data.rindex(b"</rdf:RDF>")]
        self.out.write(body.decode("utf-8"))

    def close(self) -> None:
        self.flush()
        if self.format == ox.RdfFormat.RDF_XML:
            self.out.write("</rdf:RDF>\n")
