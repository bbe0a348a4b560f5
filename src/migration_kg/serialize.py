"""Stage 4: write a graph in every published syntax, deterministically (same graph, same bytes).

``FORMATS`` is the one table of output syntaxes; the CLI's ``--format`` choices come from it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Graph, Literal, URIRef

from . import jsonld
from .namespaces import PREFIXES, bind_prefixes


@dataclass(frozen=True)
class Format:
    """One output syntax: its name, file suffix, media type and writer."""

    name: str
    suffix: str
    media_type: str
    write: Callable[[Graph, jsonld.Context], str]


def to_turtle(graph: Graph, _context: jsonld.Context | None = None) -> str:
    """Turtle with the project's prefixes; rdflib's writer sorts subjects and predicates."""
    return bind_prefixes(_sorted_copy(graph)).serialize(format="turtle")


def to_ntriples(graph: Graph, _context: jsonld.Context | None = None) -> str:
    """N-Triples, one triple a line, lines sorted."""
    lines = sorted(line for line in graph.serialize(format="nt").splitlines() if line.strip())
    return "\n".join(lines) + "\n"


_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def _split_predicate(iri: str, extra: dict[str, str]) -> tuple[str, str]:
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(str(item[1]))):
        namespace = str(namespace)
        if iri.startswith(namespace) and _NCNAME.match(iri[len(namespace):]):
            return prefix, iri[len(namespace):]
    match = re.match(r"^(.*[/#])([A-Za-z_][A-Za-z0-9_.-]*)$", iri)
    if not match:
        raise ValueError(f"predicate {iri} cannot be written as an XML element name in RDF/XML")
    namespace, local = match.groups()
    prefix = next((p for p, n in extra.items() if n == namespace), None) or f"ns{len(extra) + 1}"
    extra[prefix] = namespace
    return prefix, local


def to_rdfxml(graph: Graph, _context: jsonld.Context | None = None) -> str:
    """RDF/XML, one rdf:Description per subject, subjects and properties in sorted order."""
    extra: dict[str, str] = {}
    used: set[str] = {"rdf"}
    body: list[str] = []
    for subject in sorted(set(graph.subjects()), key=lambda s: (isinstance(s, BNode), str(s))):
        attribute = "rdf:nodeID" if isinstance(subject, BNode) else "rdf:about"
        about = f"{attribute}={quoteattr(str(subject))}"
        body.append(f"  <rdf:Description {about}>")
        properties = sorted(graph.predicate_objects(subject), key=lambda po: (str(po[0]), _value_key(po[1])))
        for predicate, value in properties:
            prefix, local = _split_predicate(str(predicate), extra)
            used.add(prefix)
            element = f"{prefix}:{local}"
            if isinstance(value, URIRef):
                body.append(f"    <{element} rdf:resource={quoteattr(str(value))}/>")
            elif isinstance(value, BNode):
                body.append(f"    <{element} rdf:nodeID={quoteattr(str(value))}/>")
            else:
                attributes = ""
                if value.language:
                    attributes = f" xml:lang={quoteattr(value.language)}"
                elif value.datatype is not None:
                    attributes = f" rdf:datatype={quoteattr(str(value.datatype))}"
                body.append(f"    <{element}{attributes}>{escape(str(value))}</{element}>")
        body.append("  </rdf:Description>")
    namespaces = {prefix: str(PREFIXES[prefix]) for prefix in used if prefix in PREFIXES} | extra
    declarations = "\n".join(f"    xmlns:{prefix}={quoteattr(ns)}" for prefix, ns in sorted(namespaces.items()))
    header = '<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF\n' + declarations + ">\n"
    return header + "\n".join(body) + "\n</rdf:RDF>\n"


def to_jsonld(graph: Graph, context: jsonld.Context) -> str:
    """Compacted JSON-LD with the project's context embedded."""
    return jsonld.dumps(graph, context)


def _value_key(value: URIRef | BNode | Literal) -> tuple[str, str, str]:
    if isinstance(value, Literal):
        return (str(value), value.language or "", str(value.datatype or ""))
    return (str(value), "", "")


def _sorted_copy(graph: Graph) -> Graph:
    """A copy whose triples were inserted in sorted order, so that writers iterate deterministically."""
    copy = Graph()
    for triple in sorted(graph, key=lambda t: (str(t[0]), str(t[1]), _value_key(t[2]))):
        copy.add(triple)
    return copy


FORMATS: dict[str, Format] = {
    "turtle": Format("turtle", ".ttl", "text/turtle", to_turtle),
    "jsonld": Format("jsonld", ".jsonld", "application/ld+json", to_jsonld),
    "ntriples": Format("ntriples", ".nt", "application/n-triples", to_ntriples),
    "rdfxml": Format("rdfxml", ".rdf", "application/rdf+xml", to_rdfxml),
}


def serialize(graph: Graph, format_name: str, context: jsonld.Context) -> str:
    """Write ``graph`` in the syntax named ``format_name`` (a key of FORMATS)."""
    return FORMATS[format_name].write(graph, context)


__all__ = ["FORMATS", "Format", "serialize", "to_jsonld", "to_ntriples", "to_rdfxml", "to_turtle"]
