"""JSON-LD output compacted with the project's published context, written directly and deterministically.

The writer walks the graph itself instead of running the JSON-LD compaction algorithm: our context only
uses prefixes, plain term definitions, ``@type`` coercion and language maps, which map one-to-one onto
triples, so every value lands under the term whose definition it satisfies and everything else falls back
to a compact IRI key with a full value object. The result expands back to exactly the same triples.
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from dataclasses import dataclass
from json.encoder import encode_basestring as _string  # type: ignore[attr-defined]
from pathlib import Path
from typing import Any, TextIO

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, XSD

from migration_kg.errors import InputError
from migration_kg.graph.blocks import Block, TripleSource, make_block

Term = ox.NamedNode | ox.BlankNode | ox.Literal
_UNTYPED = (str(XSD.string), str(RDF.langString))
_TYPE = str(RDF.type)


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
        self._compacted: dict[str, str] = {}
        self._dumped: dict[str, str] = {}

    def dumped(self, indent: str) -> str:
        """The context object as JSON at the first nesting level, indented by ``indent`` (written once)."""
        found = self._dumped.get(indent)
        if found is None:
            found = self._dumped[indent] = _dump(self.document["@context"], 1, indent)
        return found

    def header(self) -> str:
        """The start of a JSON-LD file with this context embedded, up to its ``@graph`` array."""
        return '{\n  "@context": ' + self.dumped("  ") + ',\n  "@graph": ['

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
        found = self._compacted.get(iri)
        if found is None:
            found = iri
            for prefix, namespace in self._by_length:
                if iri.startswith(namespace) and len(iri) > len(namespace):
                    local = iri[len(namespace):]
                    if "/" not in local and "#" not in local and not local.startswith("//"):
                        found = f"{prefix}:{local}"
                        break
            if len(self._compacted) < 200_000:
                self._compacted[iri] = found
        return found


def _node_id(node: Term, context: Context) -> str:
    return f"_:{node.value}" if isinstance(node, ox.BlankNode) else context.compact_iri(node.value)


def _datatype(value: ox.Literal) -> str:
    """The datatype IRI, or "" for simple and language-tagged strings (as rdflib leaves them untyped)."""
    datatype = value.datatype.value
    return "" if datatype in _UNTYPED or value.language else datatype


def _value_object(value: Term, context: Context) -> dict[str, str]:
    if not isinstance(value, ox.Literal):
        return {"id": _node_id(value, context)}
    if value.language:
        return {"@value": value.value, "@language": value.language}
    if _datatype(value):
        return {"@value": value.value, "type": context.compact_iri(value.datatype.value)}
    return {"@value": value.value}


def _fits(term: TermDefinition, value: Term) -> bool:
    if term.coercion == "@id":
        return not isinstance(value, ox.Literal)
    if not isinstance(value, ox.Literal):
        return False
    if term.language_map:
        return bool(value.language)
    if term.coercion is not None:
        return not value.language and value.datatype.value == term.coercion
    return not value.language and not _datatype(value)


def _compact_values(term: TermDefinition, values: list[Term], context: Context) -> Any:
    if term.language_map:
        by_language: dict[str, list[str]] = defaultdict(list)
        for value in values:
            by_language[value.language].append(value.value)  # type: ignore[union-attr,index]
        return {lang: texts[0] if len(texts) == 1 else texts for lang, texts in sorted(by_language.items())}
    if term.coercion == "@id":
        written = [_node_id(value, context) for value in values]
    else:
        written = [value.value for value in values]
    return written[0] if len(written) == 1 else written


def _term_values(term: TermDefinition, values: list[Term], context: Context) -> Any:
    """Values under a term without a language map: coerced ones in short form, the others as explicit objects."""
    written: list[Any] = []
    for value in values:
        if not _fits(term, value):
            written.append(_value_object(value, context))
        elif term.coercion == "@id":
            written.append(_node_id(value, context))
        else:
            written.append(value.value)
    return written[0] if len(written) == 1 else written


def _sort_key(value: Term) -> tuple:
    if isinstance(value, ox.Literal):
        return (1, value.value, value.language or "", _datatype(value))
    return (0, value.value, "", "")


def node_from_block(block: Block, context: Context) -> dict[str, Any]:
    """One subject and its properties, compacted with ``context``."""
    node: dict[str, Any] = {"id": _node_id(block.subject, context)}
    grouped: list[tuple[str, list[Term]]] = []
    last = None
    for predicate_nt, _o, quad in block.pairs:  # sorted by predicate: each one's values are together
        if predicate_nt != last:
            grouped.append((predicate_nt[1:-1], []))
            last = predicate_nt
        grouped[-1][1].append(quad.object)
    entries: dict[str, Any] = {}
    for predicate, group in grouped:
        if predicate == _TYPE:
            compacted = [context.compact_iri(t) for t in sorted(v.value for v in group)]
            node["type"] = compacted[0] if len(compacted) == 1 else compacted
            continue
        values = group if len(group) == 1 else sorted(group, key=_sort_key)
        term = context.terms.get(predicate)
        if term is not None and not term.language_map:
            entries[term.name] = _term_values(term, values, context)
            continue
        fitting = [v for v in values if term is not None and _fits(term, v)]
        rest = [v for v in values if not (term is not None and _fits(term, v))]
        if fitting:
            entries[term.name] = _compact_values(term, fitting, context)  # type: ignore[union-attr]
        if rest:
            written = [_value_object(v, context) for v in rest]
            entries[context.compact_iri(predicate)] = written[0] if len(written) == 1 else written
    node.update(sorted(entries.items()))
    return node


def node_object(graph: Graph, subject: URIRef | BNode, context: Context) -> dict[str, Any]:
    """One subject of ``graph`` and its properties, compacted with ``context``."""
    from migration_kg.graph.load import from_rdflib

    node = from_rdflib(subject)
    quads = [ox.Quad(node, from_rdflib(p), from_rdflib(o), ox.DefaultGraph())  # type: ignore[arg-type]
             for p, o in graph.predicate_objects(subject)]
    return node_from_block(make_block(node, quads), context)


def to_jsonld(graph: Graph, context: Context) -> dict[str, Any]:
    """The whole graph as one compacted JSON-LD document, subjects in the order of :mod:`migration_kg.graph.blocks`.

    The context is embedded (it is the same object as the published ``context.jsonld``), so the file
    parses offline with any JSON-LD processor.
    """
    return json.loads(dumps(graph, context))


def dumps(graph: Graph, context: Context) -> str:
    """Serialize ``graph`` as compact, deterministic JSON-LD text."""
    out = io.StringIO()
    writer = JsonLdWriter(out, context)
    for block in TripleSource(graph):
        writer.block(block)
    writer.close()
    return out.getvalue()


class JsonLdWriter:
    """Writes the document one node at a time, byte for byte as ``json.dumps(document, indent=2)`` would."""

    def __init__(self, out: TextIO, context: Context) -> None:
        self.out = out
        self.context = context
        self.count = 0
        out.write(context.header())

    def block(self, block: Block) -> None:
        self.node(node_from_block(block, self.context))

    def node(self, node: dict[str, Any]) -> None:
        """Write one node object, as made by :func:`node_from_block`."""
        self.out.write((",\n    " if self.count else "\n    ") + _dump(node, 2))
        self.count += 1

    def close(self) -> None:
        self.out.write("\n  ]\n}\n" if self.count else "]\n}\n")


def _dump(value: Any, level: int, indent: str = "  ") -> str:
    """``value`` as json.dumps(indent=len(indent), ensure_ascii=False) writes it at nesting ``level`` (C string
    escaping)."""
    if isinstance(value, str):
        return _string(value)
    inner, outer = "\n" + indent * (level + 1), "\n" + indent * level
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = (f"{_string(key)}: {_dump(item, level + 1, indent)}" for key, item in value.items())
        return "{" + inner + ("," + inner).join(items) + outer + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        return "[" + inner + ("," + inner).join(_dump(item, level + 1, indent) for item in value) + outer + "]"
    return json.dumps(value)


def dump_document(nodes: list[dict[str, Any]], context: Context, indent: str) -> str:
    """The document ``{"@context": ..., "@graph": nodes}`` as ``json.dumps(document, indent=len(indent),
    ensure_ascii=False)`` writes it."""
    return ("{\n" + indent + '"@context": ' + context.dumped(indent) + ",\n" + indent + '"@graph": '
            + _dump(nodes, 1, indent) + "\n}")


def load_context(path: Path) -> Context:
    """Read the JSON-LD context file; a JSON error names the file and line."""
    try:
        return Context(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise InputError("JSON-LD context file is missing", path) from None
    except json.JSONDecodeError as error:
        raise InputError(f"invalid JSON: {error.msg}", path, error.lineno, error.colno) from None
