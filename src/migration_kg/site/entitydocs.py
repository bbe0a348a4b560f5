"""Each entity's RDF documents (Turtle, JSON-LD, N-Triples) and the JSON-LD that its page embeds.

A document is a handful of N-Triples lines taken from the built graph (:meth:`SiteGraph.document_lines`); they
are parsed once, cut into subject blocks, and handed to the same block writers that write ``dist/``, so a
document is byte for byte what serializing it as a graph of its own gives, without building one.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import URIRef

from migration_kg.graph import jsonld
from migration_kg.graph.blocks import Block, TripleSource, blocks_of_lines
from migration_kg.graph.serialize import FORMATS, write_formats
from migration_kg.graph.writers import NTriplesWriter, OxigraphWriter
from migration_kg.namespaces import PREFIXES
from migration_kg.site.html import script_safe
from migration_kg.site.model import SiteGraph

#: File suffix -> syntax of an entity's documents.
DOCUMENT_SUFFIXES = {".ttl": "turtle", ".jsonld": "jsonld", ".nt": "ntriples"}
_NAMESPACES = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
_XSD_STRING = "<http://www.w3.org/2001/XMLSchema#string>"
_LANG_STRING = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#langString>"


@dataclass(frozen=True)
class Documents:
    """One entity's documents by file suffix, and the ``<script>`` element that carries its JSON-LD in its page."""

    files: dict[str, str]
    script: str


def _blocks(lines: list[str]) -> list[Block]:
    """Subject blocks of sorted N-Triples lines (as :class:`TripleSource` makes them from a graph)."""
    quads = list(ox.parse("".join(lines).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES))
    return blocks_of_lines(lines, quads)


def _namespaces_used(blocks: list[Block]) -> dict[str, str]:
    """The project's prefixes that some IRI of the blocks starts with (a literal's datatype included)."""
    iris = set()
    for block in blocks:
        if block.subject_nt[0] == "<":
            iris.add(block.subject_nt)
        for predicate, value, _quad in block.pairs:
            iris.add(predicate)
            if value[0] == "<":
                iris.add(value)
            elif value[0] == '"':
                iris.add(_datatype(value))
    used: set[str] = set()
    for iri in iris:
        found = _PREFIXES_OF.get(iri)
        if found is None:
            if len(_PREFIXES_OF) >= 100_000:
                _PREFIXES_OF.clear()
            found = _PREFIXES_OF[iri] = frozenset(prefix for prefix, ns in _NAMESPACES.items()
                                                  if iri.startswith(ns, 1))
        used |= found
    return {prefix: ns for prefix, ns in _NAMESPACES.items() if prefix in used}


#: IRI (N-Triples) -> the prefixes whose namespace it starts with.
_PREFIXES_OF: dict[str, frozenset[str]] = {}


def _datatype(literal: str) -> str:
    """A literal's datatype IRI in N-Triples form, from the literal's N-Triples form."""
    end = literal.rindex('"')
    if end == len(literal) - 1:
        return _XSD_STRING
    return _LANG_STRING if literal[end + 1] == "@" else literal[end + 3:]


def _script(document: str) -> str:
    """The JSON-LD in a ``<script>`` element, as :func:`migration_kg.site.html.json_for_script` writes it."""
    return '<script type="application/ld+json">\n' + script_safe(document) + "\n</script>\n"


def entity_documents(site: SiteGraph, node: URIRef, context: jsonld.Context) -> Documents:
    """The documents of one entity: its triples, the triples pointing at it, its claims and linked labels."""
    lines = site.document_lines(node)
    if any("_:" in line for line in lines):
        return _through_a_graph(lines, context)
    blocks = _blocks(lines)
    turtle, ntriples, jsonld_text = io.StringIO(), io.StringIO(), io.StringIO()
    writers = [OxigraphWriter(turtle, ox.RdfFormat.TURTLE, _namespaces_used(blocks)), NTriplesWriter(ntriples)]
    json_writer = jsonld.JsonLdWriter(jsonld_text, context)
    nodes = []
    for block in blocks:
        for writer in writers:
            writer.block(block)
        nodes.append(jsonld.node_from_block(block, context))
        json_writer.node(nodes[-1])
    for writer in (*writers, json_writer):
        writer.close()
    files = {".ttl": turtle.getvalue(), ".jsonld": jsonld_text.getvalue(), ".nt": ntriples.getvalue()}
    return Documents(files, _script(jsonld.dump_document(nodes, context, " ")))


def _through_a_graph(lines: list[str], context: jsonld.Context) -> Documents:
    """Documents with blank nodes, which are relabelled as a graph of their own would relabel them."""
    import json

    source = TripleSource(ox.Dataset(ox.parse("".join(lines).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)))
    source.small = True
    files = {}
    for suffix, name in DOCUMENT_SUFFIXES.items():
        out = io.StringIO()
        write_formats(source, {name: out}, context)
        files[suffix] = out.getvalue()
    document = json.loads(files[".jsonld"])
    return Documents(files, _script(jsonld.dump_document(document["@graph"], context, " ")))


__all__ = ["DOCUMENT_SUFFIXES", "FORMATS", "Documents", "entity_documents"]
