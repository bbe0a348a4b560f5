"""N-Triples lines as the build writes them, read without a Python object per triple.

``dist/migration-kg.nt`` is canonical N-Triples (Oxigraph's term forms, one triple a line, lines sorted), so a
line splits at its first two spaces into subject, predicate and object, and the lines of one subject stand
together. :func:`subject_runs` walks a file subject by subject, :func:`term` turns one N-Triples term into the
rdflib term that parsing the line with pyoxigraph and :func:`migration_kg.graph.load.to_rdflib` would give.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from rdflib import BNode, Literal, URIRef

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.DOTALL)
_SIMPLE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}

Node = URIRef | BNode | Literal


def split(line: str) -> tuple[str, str, str]:
    """Subject, predicate and object of one N-Triples line (with or without its line end)."""
    subject, predicate, rest = line.split(" ", 2)
    return subject, predicate, rest[:rest.rindex(" .")]


def _unescape(match: re.Match[str]) -> str:
    short, long, char = match.groups()
    if short or long:
        return chr(int(short or long, 16))
    return _SIMPLE[char]


def literal_parts(text: str) -> tuple[str, str | None, str | None]:
    """A literal's lexical form, language tag and datatype IRI (None where absent) from its N-Triples form."""
    end = text.rindex('"')
    body = text[1:end]
    if "\\" in body:
        body = _ESCAPE.sub(_unescape, body)
    rest = text[end + 1:]
    if not rest:
        return body, None, None
    if rest[0] == "@":
        return body, rest[1:], None
    return body, None, rest[3:-1]


def term(text: str) -> Node:
    """The rdflib term for one N-Triples term, literals kept exactly as written."""
    first = text[0]
    if first == "<":
        iri = text[1:-1]
        return URIRef(_ESCAPE.sub(_unescape, iri) if "\\" in iri else iri)
    if first == "_":
        return BNode(text[2:])
    body, language, datatype = literal_parts(text)
    if language is not None:
        return Literal(body, lang=language)
    if datatype is None or datatype == XSD_STRING:
        return Literal(body)
    return Literal(body, datatype=URIRef(datatype), normalize=False)


def iri_text(node: URIRef | str) -> str:
    """An IRI in N-Triples form."""
    return f"<{node}>"


def nt_text(node: Node) -> str:
    """Any rdflib term in the N-Triples form the build writes (Oxigraph's)."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, BNode):
        return f"_:{node}"
    from migration_kg.graph.load import from_rdflib

    return str(from_rdflib(node))


_IRI_ESCAPES = {char: f"\\u{ord(char):04X}" for char in '<>"{}|^`\\ '}
_LITERAL_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def _escaped(text: str, table: dict[str, str]) -> str:
    return "".join(table.get(char) or (f"\\u{ord(char):04X}" if ord(char) < 0x20 or char == "\x7f" else char)
                   for char in text)


def line_of(subject: Node, predicate: Node, value: Node) -> str:
    """One N-Triples line for rdflib terms, escaped as Oxigraph writes them (IRIs that are not valid IRIs too)."""
    return f"{encode(subject)} {encode(predicate)} {encode(value)} .\n"


def encode(node: Node) -> str:
    """An rdflib term in N-Triples form (the inverse of :func:`term`)."""
    if isinstance(node, URIRef):
        return "<" + _escaped(str(node), _IRI_ESCAPES) + ">"
    if isinstance(node, BNode):
        return f"_:{node}"
    text = '"' + _escaped(str(node), _LITERAL_ESCAPES) + '"'
    if node.language:
        return f"{text}@{node.language}"
    if node.datatype is not None and str(node.datatype) != XSD_STRING:
        return f"{text}^^{encode(node.datatype)}"
    return text


def subject_runs(lines: Iterable[str]) -> Iterator[tuple[str, list[str]]]:
    """(subject, its lines) for each run of lines that share a subject, in order; blank lines are skipped."""
    current: str | None = None
    run: list[str] = []
    for line in lines:
        if not line or line == "\n":
            continue
        subject = line[:line.index(" ")]
        if subject != current:
            if current is not None:
                yield current, run
            current, run = subject, []
        run.append(line)
    if current is not None:
        yield current, run


def read_runs(path: Path) -> Iterator[tuple[str, list[str], int, int]]:
    """(subject, its lines, byte offset, byte length) for each subject of a sorted N-Triples file."""
    offset = 0
    with path.open("rb") as stream:
        current: str | None = None
        run: list[str] = []
        start = 0
        for raw in stream:
            line = raw.decode("utf-8")
            if line.strip():
                subject = line[:line.index(" ")]
                if subject != current:
                    if current is not None:
                        yield current, run, start, offset - start
                    current, run, start = subject, [], offset
                run.append(line)
            offset += len(raw)
        if current is not None:
            yield current, run, start, offset - start
