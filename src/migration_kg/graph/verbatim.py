"""Find the literals that an Oxigraph store would not keep as written, without parsing every file in Python.

A store keeps numbers, booleans, dates and durations in canonical form (``"4.0"^^xsd:decimal`` becomes ``"4"``,
``"1"^^xsd:boolean`` becomes ``"true"``) and xsd:byte, xsd:int and the like as xsd:integer. That is fine for
querying values, but a validation report must name the term that is in the data, and two triples that differ
only in such a form would become one. :func:`store_changes` tells whether some file holds such a literal: Turtle
and N-Triples are scanned as text (typed literals and bare numbers), and only the distinct candidates are
checked, by a round trip through a scratch store; other syntaxes, and text the scan cannot read for sure, are
parsed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"
_STRING_TYPES = {XSD + "string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}
_TEXT_SYNTAXES = {".ttl", ".nt"}
_TYPED = re.compile(rb'(?<!")"([^"\\\n]*)"\^\^(?:<([^<>\s]*)>|[A-Za-z0-9_\-]*:([A-Za-z0-9_\-]*))')
_BARE_NUMBER = re.compile(rb'(?<=[\s,(\[])[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?(?=[\s,;)\]]|\.\s|\.$)')
_PROBE = ox.NamedNode("urn:x-migration-kg:probe")


def changed_literals(literals: Iterable[ox.Literal]) -> set[ox.Literal]:
    """Those of ``literals`` that a store would hold differently: a round trip through a scratch store.

    A store only ever gives back canonical forms, so a literal it does not give back was changed.
    """
    candidates = {literal for literal in literals if literal.language is None
                  and literal.datatype.value.startswith(XSD) and literal.datatype.value not in _STRING_TYPES}
    if not candidates:
        return set()
    scratch = ox.Store()
    scratch.extend(ox.Quad(ox.NamedNode(f"urn:x-migration-kg:{index}"), _PROBE, literal)
                   for index, literal in enumerate(candidates))
    kept = {quad.object for quad in scratch}
    return candidates - kept


def _scanned_literals(text: bytes) -> list[ox.Literal] | None:
    """The typed literals and bare numbers of Turtle or N-Triples ``text``; None if the scan may miss one."""
    typed = _TYPED.findall(text)
    if len(typed) != text.count(b"^^"):
        return None  # a typed literal with escapes, or "^^" inside a string or an IRI: parse instead
    found = {(lexical, iri or XSD.encode() + local) for lexical, iri, local in typed}
    literals = []
    for lexical, datatype in found:
        name = datatype.decode(errors="replace")
        local = name.rsplit("#", 1)[-1].rsplit(":", 1)[-1]
        literals.append(ox.Literal(lexical.decode(errors="replace"), datatype=ox.NamedNode(XSD + local)))
    for number in set(_BARE_NUMBER.findall(text)):
        kind = "double" if b"e" in number.lower() else "decimal" if b"." in number else "integer"
        literals.append(ox.Literal(number.decode(), datatype=ox.NamedNode(XSD + kind)))
    return literals


def _parsed_literals(path: Path, base_iri: str | None) -> set[ox.Literal]:
    from migration_kg.graph.load import parse_file

    return {triple.object for triple in parse_file(path, base_iri) if isinstance(triple.object, ox.Literal)}


def store_changes(paths: Iterable[Path], base_iri: str | None = None) -> bool:
    """Whether some literal of the files would be held differently by a store (see the module docstring)."""
    for path in map(Path, paths):
        scanned = _scanned_literals(path.read_bytes()) if path.suffix in _TEXT_SYNTAXES and path.is_file() else None
        if scanned is not None and not changed_literals(scanned):
            continue
        if changed_literals(_parsed_literals(path, base_iri)):
            return True
    return False
