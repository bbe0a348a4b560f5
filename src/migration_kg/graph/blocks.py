"""A graph read subject by subject in one fixed order: the common input of every writer in ``serialize``.

Subjects come in the order of their N-Triples form, and each subject's (predicate, object) pairs in the order
of theirs, so that writing the blocks one after another gives sorted N-Triples and every other syntax is
deterministic too, whatever ``PYTHONHASHSEED`` is. The source is an rdflib ``Graph`` or the default graph of a
pyoxigraph ``Store``, read one subject at a time so that a large store is never copied. Blank nodes, whose
labels are arbitrary, are first relabelled by :mod:`migration_kg.graph.canon` (linear for trees of blank nodes).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox
from rdflib import Graph

from migration_kg.graph.canon import canonical_labels, has_blank_nodes
from migration_kg.graph.load import from_rdflib

Term = ox.NamedNode | ox.BlankNode | ox.Literal


RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
#: (predicate N-Triples, object N-Triples, quad): tuples sort by the two strings (never equal within a block).
Pair = tuple[str, str, ox.Quad]


class Block:
    """One subject with all its (predicate, object) pairs, sorted."""

    __slots__ = ("_triples", "pairs", "subject", "subject_nt")

    def __init__(self, subject: Term, subject_nt: str, pairs: list[Pair]) -> None:
        self.subject = subject
        self.subject_nt = subject_nt
        self.pairs = pairs
        self._triples: list[ox.Triple] | None = None

    def quads(self) -> list[ox.Quad]:
        """The block's statements as default-graph quads, rdf:type first."""
        return [pair[2] for pair in self.pairs if pair[0] == RDF_TYPE] + \
            [pair[2] for pair in self.pairs if pair[0] != RDF_TYPE]

    def triples(self) -> list[ox.Triple]:
        """The same as triples (made once, shared by the writers that need them)."""
        if self._triples is None:
            self._triples = [quad.triple for quad in self.quads()]
        return self._triples


def make_block(subject: Term, quads: Iterable[ox.Quad]) -> Block:
    """The block of ``subject``, from its quads (all in the default graph).

    Each quad's text ``<s> <p> o`` is cut into the predicate and object N-Triples forms: one call
    into pyoxigraph per statement instead of one per term (a predicate IRI has no space).
    """
    subject_nt = str(subject)
    skip = len(subject_nt) + 1
    pairs = []
    for quad in quads:
        line = str(quad)
        end = line.index(" ", skip)
        pairs.append((line[skip:end], line[end + 1:], quad))
    pairs.sort()
    return Block(subject, subject_nt, pairs)


class TripleSource:
    """The blocks of one graph, and the namespaces it uses."""

    def __init__(self, source: Graph | ox.Store | ox.Dataset, leave_out: Iterable[ox.Quad] = ()) -> None:
        self._left_out: dict[Term, set[tuple[ox.NamedNode, Term]]] = {}
        for quad in leave_out:
            self._left_out.setdefault(quad.subject, set()).add((quad.predicate, quad.object))
        self.small = isinstance(source, Graph)
        if isinstance(source, Graph):
            source = self._from_graph(source)
        if isinstance(source, ox.Store) and bool(source.query("ASK { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }")):
            source = ox.Dataset(self._quads(source))
        if isinstance(source, ox.Dataset) and has_blank_nodes(source):
            source = canonical_labels(source)
        self.source = source

    @staticmethod
    def _from_graph(graph: Graph) -> ox.Dataset:
        """A Dataset, which keeps every literal as written (a Store would rewrite some, see graph.verbatim)."""
        return ox.Dataset(ox.Quad(from_rdflib(s), from_rdflib(p), from_rdflib(o), ox.DefaultGraph())
                          for s, p, o in graph)

    def _quads(self, store: ox.Store) -> Iterator[ox.Quad]:
        for quad in store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
            if (quad.predicate, quad.object) not in self._left_out.get(quad.subject, ()):
                yield quad

    @property
    def native(self) -> bool:
        """Whether the source is a store that can dump its own N-Triples (see :mod:`migration_kg.graph.native`)."""
        return isinstance(self.source, ox.Store)

    def left_out(self) -> list[ox.Quad]:
        """The statements of the store that are not part of the graph."""
        return [ox.Quad(subject, predicate, value, ox.DefaultGraph())  # type: ignore[arg-type]
                for subject, pairs in self._left_out.items() for predicate, value in pairs]

    def subjects(self) -> list[Term]:
        if isinstance(self.source, ox.Dataset):
            found = {quad.subject for quad in self.source}
        else:
            found = {row["s"] for row in self.source.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o }")}
        return sorted(found, key=str)  # type: ignore[arg-type]

    def namespaces_used(self, namespaces: dict[str, str]) -> dict[str, str]:
        """The entries of ``namespaces`` that some IRI of a small graph starts with (all of them for a store)."""
        if not self.small:
            return namespaces
        iris = set()
        for quad in (self.source if isinstance(self.source, ox.Dataset) else self.source.quads_for_pattern(
                None, None, None, ox.DefaultGraph())):
            for term in (quad.subject, quad.predicate, quad.object):
                if isinstance(term, ox.NamedNode):
                    iris.add(term.value)
                elif isinstance(term, ox.Literal):
                    iris.add(term.datatype.value)
        return {prefix: ns for prefix, ns in namespaces.items() if any(iri.startswith(ns) for iri in iris)}

    def __iter__(self) -> Iterator[Block]:
        for subject in self.subjects():
            if isinstance(self.source, ox.Dataset):
                quads = self.source.quads_for_subject(subject)
            else:
                quads = self.source.quads_for_pattern(subject, None, None, ox.DefaultGraph())
            left_out = self._left_out.get(subject, ())
            block = make_block(subject, (q for q in quads if not left_out or (q.predicate, q.object) not in left_out))
            if block.pairs:
                yield block


def blocks_of_lines(lines: list[str], quads: list[ox.Quad]) -> list[Block]:
    """Subject blocks of sorted N-Triples lines (a subject's lines together), each pair carrying its parsed quad."""
    blocks: list[Block] = []
    current = None
    for line, quad in zip(lines, quads, strict=True):
        subject, predicate, rest = line.split(" ", 2)
        if subject != current:
            blocks.append(Block(quad.subject, subject, []))  # type: ignore[arg-type]
            current = subject
        blocks[-1].pairs.append((predicate, rest[:-3], quad))  # rest ends with " .\n"
    return blocks
