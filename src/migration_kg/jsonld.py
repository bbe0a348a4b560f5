"""JSON-LD output compacted with the project's published context, written directly and deterministically.

The writer walks the graph itself instead of running the JSON-LD compaction algorithm: our context only
uses prefixes, plain term definitions, ``@type`` coercion and language maps, which map one-to-one onto
triples, so every value lands under the term whose definition it satisfies and everything else falls back
to a compact IRI key with a full value object. The result expands back to exactly the same triples.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

CONTEXT_URL = "https://w3id.org/migration-kg/context.jsonld"


@dataclass(frozen=True)
class TermDefinition:
    """One context term: the predicate it stands for and how its values are written."""

    name: str
    iri: str
    coercion: str | None  # "@id", a datatype IRI, or None
    language_map: bool


class Context:
    """A JSON-LD context reduced to what the writer needs: prefixes and term definitions."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        body = document["@context"]
        self.prefixes: dict[str, str] = {
            key: value for key, value in body.items()
            if isinstance(value, str) and not key.startswith("@") and value.endswith(("/", "#"))
        }
        self.terms: dict[str, TermDefinition] = {}
        for key, value in body.items():
            if isinstance(value, dict) and "@id" in value:
                iri = self.expand(value["@id"])
                coercion = value.get("@type")
                self.terms[iri] = TermDefinition(
                    name=key, iri=iri,
                    coercion=coercion if coercion in (None, "@id") else self.expand(coercion),
                    language_map=value.get("@container") == "@language")
        self._by_length = sorted(self.prefixes.items(), key=lambda item: -len(item[1]))

    @classmethod
    def from_file(cls, path: Path) -> Context:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def expand(self, value: str) -> str:
        prefix, _, local = value.partition(":")
        if prefix in self.prefixes and not local.startswith("//"):
            return self.prefixes[prefix] + local
        return value

    def compact_iri(self, iri: str) -> str:
        """The shortest prefix:local form of ``iri``, or ``iri`` itself."""
        for prefix, namespace in self._by_length:
            if iri.startswith(namespace) and len(iri) > len(namespace):
                local = iri[len(namespace):]
                if "/" not in local and "#" not in local and not local.startswith("//"):
                    return f"{prefix}:{local}"
        return iri


def _node_id(node: URIRef | BNode, context: Context) -> str:
    return f"_:{node}" if isinstance(node, BNode) else context.compact_iri(str(node))


def _value_object(value: URIRef | BNode | Literal, context: Context) -> dict[str, str]:
    if isinstance(value, (URIRef, BNode)):
        return {"id": _node_id(value, context)}
    if value.language:
        return {"@value": str(value), "@language": value.language}
    if value.datatype is not None and value.datatype != XSD.string:
        return {"@value": str(value), "type": context.compact_iri(str(value.datatype))}
    return {"@value": str(value)}


def _fits(term: TermDefinition, value: URIRef | BNode | Literal) -> bool:
    if term.coercion == "@id":
        return isinstance(value, (URIRef, BNode))
    if term.language_map:
        return isinstance(value, Literal) and value.language is not None
    if term.coercion is not None:
        return isinstance(value, Literal) and value.language is None and str(value.datatype) == term.coercion
    return isinstance(value, Literal) and value.language is None and value.datatype in (None, XSD.string)


def _compact_values(term: TermDefinition, values: list, context: Context) -> Any:
    if term.language_map:
        by_language: dict[str, list[str]] = defaultdict(list)
        for value in values:
            by_language[value.language].append(str(value))
        return {lang: texts[0] if len(texts) == 1 else texts for lang, texts in sorted(by_language.items())}
    if term.coercion == "@id":
        written = [_node_id(value, context) for value in values]
    else:
        written = [str(value) for value in values]
    return written[0] if len(written) == 1 else written


def _term_values(term: TermDefinition, values: list, context: Context) -> Any:
    """Values under a term without a language map: coerced ones in short form, the others as explicit objects."""
    written: list[Any] = []
    for value in values:
        if not _fits(term, value):
            written.append(_value_object(value, context))
        elif term.coercion == "@id":
            written.append(_node_id(value, context))
        else:
            written.append(str(value))
    return written[0] if len(written) == 1 else written


def _sort_key(value: URIRef | BNode | Literal) -> tuple:
    if isinstance(value, Literal):
        return (1, str(value), value.language or "", str(value.datatype or ""))
    return (0, str(value), "", "")


def node_object(graph: Graph, subject: URIRef | BNode, context: Context) -> dict[str, Any]:
    """One subject and its properties, compacted with ``context``."""
    node: dict[str, Any] = {"id": _node_id(subject, context)}
    grouped: dict[str, list] = defaultdict(list)
    for predicate, value in graph.predicate_objects(subject):
        grouped[str(predicate)].append(value)
    types = sorted(str(v) for v in grouped.pop(str(RDF.type), []))
    if types:
        compacted = [context.compact_iri(t) for t in types]
        node["type"] = compacted[0] if len(compacted) == 1 else compacted
    entries: dict[str, Any] = {}
    for predicate in sorted(grouped):
        values = sorted(grouped[predicate], key=_sort_key)
        term = context.terms.get(predicate)
        if term is not None and not term.language_map:
            entries[term.name] = _term_values(term, values, context)
            continue
        fitting = [v for v in values if term is not None and _fits(term, v)]
        rest = [v for v in values if not (term is not None and _fits(term, v))]
        if fitting:
            entries[term.name] = _compact_values(term, fitting, context)
        if rest:
            written = [_value_object(v, context) for v in rest]
            entries[context.compact_iri(predicate)] = written[0] if len(written) == 1 else written
    node.update(sorted(entries.items()))
    return node


def to_jsonld(graph: Graph, context: Context) -> dict[str, Any]:
    """The whole graph as one compacted JSON-LD document, subjects in IRI order.

    The context is embedded (it is the same object as the published ``context.jsonld``), so the file
    parses offline with any JSON-LD processor.
    """
    subjects = sorted(set(graph.subjects()), key=lambda s: (isinstance(s, BNode), str(s)))
    return {
        "@context": context.document["@context"],
        "@graph": [node_object(graph, subject, context) for subject in subjects],
    }


def dumps(graph: Graph, context: Context) -> str:
    """Serialize ``graph`` as compact, deterministic JSON-LD text."""
    return json.dumps(to_jsonld(graph, context), ensure_ascii=False, indent=2) + "\n"
