"""Which literals an Oxigraph store holds in another form than the data, found without parsing every file in Python.

A store keeps numbers, booleans, dates and durations in canonical form (``"4.0"^^xsd:decimal`` becomes ``"4"``,
``"1"^^xsd:boolean`` becomes ``"true"``), and xsd:byte, xsd:int and the like as xsd:integer. That is right for
comparing values, but a validation report must name the term that is in the data, and a check on the lexical
form or the datatype must see the data's. :func:`scan_rewrites` finds these literals: Turtle and N-Triples are
scanned as text (typed literals and bare numbers; a file the scan cannot read for sure is parsed), other
syntaxes are parsed, and the distinct candidates go once through a scratch store, which gives back each one's
stored form. The result, :class:`Rewrites`, maps each stored form back to the form written in the data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"
_TEXT_SYNTAXES = {".ttl", ".nt"}
_DATATYPE = re.compile(rb'\s*(?:<([^<>\s]*)>|([A-Za-z0-9_\-]*):([A-Za-z0-9_\-]*))')
_PREFIX = re.compile(rb'(?:@prefix|PREFIX|prefix)[ \t]+([A-Za-z0-9_\-]*):[ \t]*<([^<>\s]*)>')
_BARE = re.compile(rb'(?<=[\s,(\[])(?:[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|true|false)'
                   rb'(?=[\s,;)\]]|\.\s|\.$)')
_PROBE = ox.NamedNode("urn:x-migration-kg:probe")


@dataclass(frozen=True)
class Rewrites:
    """Literals that a store holds in another form than the data: the stored form and the written one."""

    written: dict[ox.Literal, ox.Literal] = field(default_factory=dict)
    #: Stored forms that stand for several forms of the data (such as "4.0" and "4.00"): which one a stored
    #: triple came from is lost.
    ambiguous: frozenset[ox.Literal] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.written or self.ambiguous)

    @property
    def changes_datatypes(self) -> bool:
        """Whether some literal is stored with another datatype (xsd:byte as xsd:integer, ...)."""
        return any(stored.datatype != written.datatype for stored, written in self.written.items()) or \
            any(stored.datatype.value not in _NATIVE for stored in self.ambiguous)

    def as_written(self, term: ox.NamedNode | ox.BlankNode | ox.Literal) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        return self.written.get(term, term) if isinstance(term, ox.Literal) else term


_NATIVE = {XSD + name for name in ("integer", "decimal", "double", "float", "boolean", "date", "dateTime", "time",
                                   "duration", "dayTimeDuration", "yearMonthDuration", "gYear", "gYearMonth",
                                   "gMonth", "gMonthDay", "gDay")}
#: Datatypes that a store parses into values (the others it keeps as written): the native ones and those it
#: maps onto them.
_PARSED = _NATIVE | {XSD + name for name in (
    "byte", "short", "int", "long", "unsignedByte", "unsignedShort", "unsignedInt", "unsignedLong", "negativeInteger",
    "positiveInteger", "nonNegativeInteger", "nonPositiveInteger", "dateTimeStamp")}
_DAY = r"[1-9][0-9]{3}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
#: Lexical forms that a store keeps as they are (a quick test that spares most literals the round trip; a
#: test checks each pattern against the store).
CANONICAL = {XSD + name: re.compile(pattern) for name, pattern in (
    ("integer", r"-?[1-9][0-9]*|0"),
    ("decimal", r"-?[1-9][0-9]*(?:\.[0-9]*[1-9])?|-?0\.[0-9]*[1-9]|0"),
    ("boolean", r"true|false"),
    ("date", _DAY),
    ("dateTime", _DAY + r"T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:Z|[+-](?:0[0-9]|1[0-3]):[0-5][0-9])?"),
    ("gYear", r"[1-9][0-9]{3}"),
    ("gYearMonth", r"[1-9][0-9]{3}-(?:0[1-9]|1[0-2])"),
)}


def stored_forms(literals: Iterable[ox.Literal]) -> dict[ox.Literal, ox.Literal]:
    """For each typed literal of ``literals`` that a store would hold differently, the form it would hold."""
    candidates = [literal for literal in set(literals) if literal.language is None and
                  literal.datatype.value in _PARSED and not _kept(literal)]
    if not candidates:
        return {}
    scratch = ox.Store()
    scratch.extend(ox.Quad(ox.NamedNode(f"urn:x-migration-kg:{index}"), _PROBE, literal)
                   for index, literal in enumerate(candidates))
    found = {}
    for quad in scratch:
        literal = candidates[int(quad.subject.value.rsplit(":", 1)[1])]
        if quad.object != literal:
            found[literal] = quad.object
    return found


def _kept(literal: ox.Literal) -> bool:
    canonical = CANONICAL.get(literal.datatype.value)
    return canonical is not None and canonical.fullmatch(literal.value) is not None


def rewrites_of(literals: Iterable[ox.Literal]) -> Rewrites:
    """The :class:`Rewrites` for data holding ``literals`` (each distinct form once is enough)."""
    forms = {literal for literal in literals if literal.language is None and literal.datatype.value in _PARSED}
    stored = stored_forms(forms)
    if not stored:
        return Rewrites()
    sources: dict[ox.Literal, set[ox.Literal]] = {}
    for form, target in stored.items():
        sources.setdefault(target, set()).add(form)
    ambiguous = {target for target, written in sources.items() if len(written) > 1 or target in forms}
    written = {target: next(iter(forms_of)) for target, forms_of in sources.items() if target not in ambiguous}
    return Rewrites(written, frozenset(ambiguous))


def _scanned_literals(text: bytes) -> list[ox.Literal] | None:
    """The typed literals and bare numbers of Turtle or N-Triples ``text``; None if the scan may miss one."""
    prefixes = {prefix: namespace.decode(errors="replace") for prefix, namespace in _PREFIX.findall(text)}
    typed = set()
    pieces = text.split(b"^^")
    for left, right in pairwise(pieces):
        stripped = left.rstrip()
        if not stripped.endswith(b'"'):
            if stripped.endswith(b"'"):
                return None  # a single-quoted typed literal: parse instead
            continue  # "^^" inside a string, an IRI or a comment
        close = len(stripped) - 1
        slashes = close - len(stripped[:close].rstrip(b"\\"))
        if slashes % 2:
            continue  # an escaped quote: "^^" inside a string
        opening = stripped.rfind(b'"', 0, close)
        lexical = stripped[opening + 1:close]
        if slashes or opening < 0 or b"\\" in lexical or b"\n" in lexical or stripped[opening - 1:opening] == b'"':
            return None  # escapes or a long string: parse instead
        datatype = _DATATYPE.match(right)
        if datatype is None or (not datatype.group(1) and datatype.group(2) not in prefixes):
            return None
        iri, prefix, local = datatype.groups()
        typed.add((lexical, iri.decode(errors="replace") if iri else prefixes[prefix] + local.decode(errors="replace")))
    literals = [ox.Literal(lexical.decode(errors="replace"), datatype=ox.NamedNode(iri)) for lexical, iri in typed]
    for word in set(_BARE.findall(text)):
        kind = "boolean" if word in (b"true", b"false") else "double" if b"e" in word.lower() else \
            "decimal" if b"." in word else "integer"
        literals.append(ox.Literal(word.decode(), datatype=ox.NamedNode(XSD + kind)))
    return literals


Parse = Callable[[Path], Iterable[ox.Triple]]


def _parsed_literals(path: Path, parse: Parse) -> set[ox.Literal]:
    return {triple.object for triple in parse(path) if isinstance(triple.object, ox.Literal)}


def scan_rewrites(paths: Iterable[Path], parse: Parse) -> Rewrites:
    """The :class:`Rewrites` of the data files (see the module docstring); ``parse`` reads a file exactly.

    A scanned file may yield a few false candidates (a number inside a string); should that make a stored
    form look ambiguous, the files are parsed to make sure.
    """
    paths = [Path(path) for path in paths]
    literals: list[ox.Literal] = []
    for path in paths:
        scanned = _scanned_literals(path.read_bytes()) if path.suffix in _TEXT_SYNTAXES else None
        literals.extend(scanned if scanned is not None else _parsed_literals(path, parse))
    found = rewrites_of(literals)
    if found.ambiguous:
        found = rewrites_of(literal for path in paths for literal in _parsed_literals(path, parse))
    return found
