"""What the site needs from the built graph, indexed in one pass over ``dist/migration-kg.nt``.

The file is sorted, so each subject's lines stand together: the index keeps where they are (byte offset and
length) and reads them back when a page needs them, and holds in memory only what pages look up across
entities: labels, types, the statements that point at each entity, a few properties read graph-wide (dates,
memberships, funders) and the figures of the VoID description. Terms stay in their N-Triples form
(:mod:`migration_kg.graph.ntriples`) until a page turns them into rdflib terms.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from migration_kg.graph.ntriples import line_of, literal_parts, read_runs
from migration_kg.namespaces import ID_BASE

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE = f"<{_RDF}type>"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
SKOS_PREF_LABEL = "<http://www.w3.org/2004/02/skos/core#prefLabel>"
MKG_CLAIM = "<https://w3id.org/migration-kg/ontology#Claim>"
OWL_SAME_AS = "<http://www.w3.org/2002/07/owl#sameAs>"
WIKIDATA = "<http://www.wikidata.org/entity/"
#: The triples of a claim that describe the claimed statement rather than the claim.
CLAIM_STATEMENT_NT = (f"<{_RDF}subject>", f"<{_RDF}predicate>", f"<{_RDF}object>")
#: Properties read across the whole graph (the timeline's dates, memberships for the map, funders).
INDEXED_PREDICATES = frozenset(f"<{iri}>" for iri in (
    "https://schema.org/startDate", "https://schema.org/endDate", "https://schema.org/foundingDate",
    "https://schema.org/datePublished", "http://www.w3.org/ns/org#organization", "https://schema.org/funder"))
_OWN = "<" + ID_BASE


@dataclass
class Statistics:
    """Figures about the whole graph, for the VoID description."""

    triples: int = 0
    subjects: int = 0
    #: subjects that are entities of ours (IRIs under /id/)
    entities: int = 0
    objects: int = 0
    wikidata_links: int = 0
    #: class (N-Triples) -> number of subjects typed with it
    classes: dict[str, int] = field(default_factory=dict)
    #: property (N-Triples) -> number of triples
    properties: dict[str, int] = field(default_factory=dict)


_CLAIM_FIELDS = (f"<{_RDF}subject>", f"<{_RDF}predicate>", f"<{_RDF}object>", "<http://www.w3.org/ns/prov#wasDerivedFrom>",
                 "<https://w3id.org/migration-kg/ontology#quoteStart>")


def _claim_row(claim: str, split: list[tuple[str, str, str]]) -> tuple:
    """A claim's statement, source and start offset: the first value of each, in file order."""
    first: dict[str, str] = {}
    for predicate, value, _line in split:
        if predicate in _CLAIM_FIELDS and predicate not in first:
            first[predicate] = sys.intern(value) if value[0] == "<" else value
    return (claim, *(first.get(name) for name in _CLAIM_FIELDS))


def _is_wikidata(value: str) -> bool:
    """Whether an object names a Wikidata item (an IRI, or a literal holding one, as the VoID count had it)."""
    if value[0] == "<":
        return value.startswith(WIKIDATA)
    return value[0] == '"' and literal_parts(value)[0].startswith(WIKIDATA[1:])


class GraphIndex:
    """The index of one sorted N-Triples file (see the module docstring); ``close`` releases the file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: int | None = None
        self._temporary = False
        #: subject -> where its lines are: offset << 32 | length (a tuple of those if the file is not sorted)
        self.blocks: dict[str, int | tuple[int, ...]] = {}
        #: class -> the subjects typed with it, in file order
        self.typed: dict[str, dict[str, None]] = defaultdict(dict)
        #: subject -> labels by language (rdfs:label, else skos:prefLabel), the last of a language winning
        self.labels: dict[str, dict[str, str]] = {}
        #: subject -> its rdfs:label lines (for the documents of the entities that link to it)
        self.label_lines: dict[str, tuple[str, ...]] = {}
        #: object -> (subject, predicate) of each statement of another entity pointing at it (claims, types and
        #: the claimed statement's parts left out), in file order
        self.incoming: dict[str, list[tuple[str, str]]] = defaultdict(list)
        #: (claim, subject, predicate, object, source, start offset) of each mkg:Claim, the first value of each
        #: in file order (N-Triples; None where the claim has none)
        self.claims: list[tuple[str, str | None, str | None, str | None, str | None, str | None]] = []
        self.own_subjects: list[str] = []
        self._indexed: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.statistics = Statistics()

    @classmethod
    def read(cls, path: Path) -> GraphIndex:
        index = cls(path)
        index._scan()
        return index

    @classmethod
    def of_graph(cls, graph: Graph) -> GraphIndex:
        """The index of an rdflib graph, written as sorted N-Triples to a temporary file (removed by ``close``)."""
        handle, name = tempfile.mkstemp(prefix="migration-kg-site-", suffix=".nt")
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.writelines(sorted({line_of(s, p, o) for s, p, o in graph}))
        index = cls.read(Path(name))
        index._temporary = True
        return index

    def _scan(self) -> None:
        objects: set[str] = set()
        properties: Counter[str] = Counter()
        intern = sys.intern
        statement_parts = set(CLAIM_STATEMENT_NT)
        triples = links = 0
        for subject, lines, offset, length in read_runs(self.path):
            ranges = self.blocks.get(subject)
            if ranges is None:
                self.blocks[subject] = offset << 32 | length
                if subject.startswith(_OWN):
                    self.own_subjects.append(subject)
            else:
                self.blocks[subject] = (*(ranges if isinstance(ranges, tuple) else (ranges,)), offset << 32 | length)
            split = []
            types = []
            for line in lines:
                predicate_start = line.index(" ") + 1
                predicate_end = line.index(" ", predicate_start)
                predicate = intern(line[predicate_start:predicate_end])
                value = line[predicate_end + 1:line.rindex(" .")]
                split.append((predicate, value, line))
                objects.add(value)
                properties[predicate] += 1
                if predicate == RDF_TYPE:
                    types.append(intern(value) if value[0] == "<" else value)
                elif predicate == OWL_SAME_AS and _is_wikidata(value):
                    links += 1
            triples += len(lines)
            for cls in types:
                self.typed[cls][subject] = None
            is_claim = subject in self.typed.get(MKG_CLAIM, ())
            if is_claim and ranges is None:
                self.claims.append(_claim_row(subject, split))
            self._read_labels(subject, split)
            for predicate, value, _line in split:
                if predicate in INDEXED_PREDICATES:
                    self._indexed[predicate].append((subject, value))
                if (not is_claim and value[0] == "<" and predicate != RDF_TYPE
                        and predicate not in statement_parts):
                    self.incoming[intern(value)].append((subject, predicate))
        classes = {cls: len(subjects) for cls, subjects in self.typed.items()}
        self.statistics = Statistics(triples=triples, subjects=len(self.blocks), entities=len(self.own_subjects),
                                     objects=len(objects),
                                     wikidata_links=links, classes=classes, properties=dict(properties))

    def _read_labels(self, subject: str, split: list[tuple[str, str, str]]) -> None:
        label_lines = [line for predicate, _value, line in split if predicate == RDFS_LABEL]
        if label_lines:
            self.label_lines[subject] = (*self.label_lines.get(subject, ()), *label_lines)
        for wanted in (RDFS_LABEL, SKOS_PREF_LABEL):
            found: dict[str, str] = {}
            for predicate, value, _line in split:
                if predicate == wanted and value[0] == '"':
                    text, language, _datatype = literal_parts(value)
                    found[language or ""] = text
            if found:
                self.labels[subject] = found
                return

    # ---------------------------------------------------------------- reading back

    def lines(self, subject: str) -> list[str]:
        """The N-Triples lines of ``subject`` (each with its line end), in file order."""
        ranges = self.blocks.get(subject)
        if ranges is None:
            return []
        if self._handle is None:
            self._handle = os.open(self.path, os.O_RDONLY)
        text = "".join(os.pread(self._handle, where & 0xFFFFFFFF, where >> 32).decode("utf-8")
                       for where in (ranges if isinstance(ranges, tuple) else (ranges,)))
        return [line + "\n" for line in text.split("\n") if line.strip()]

    def pairs(self, subject: str) -> list[tuple[str, str]]:
        """(predicate, object) of each statement of ``subject``, in N-Triples form, in file order."""
        found = []
        for line in self.lines(subject):
            start = line.index(" ") + 1
            end = line.index(" ", start)
            found.append((line[start:end], line[end + 1:line.rindex(" .")]))
        return found

    def by_predicate(self, predicate: str) -> list[tuple[str, str]]:
        """(subject, object) of an indexed property, grouped by object in order of first appearance."""
        found = self._indexed.get(predicate, [])
        first: dict[str, int] = {}
        for position, (_subject, value) in enumerate(found):
            first.setdefault(value, position)
        return sorted(found, key=lambda pair: first[pair[1]])

    def close(self) -> None:
        if self._handle is not None:
            os.close(self._handle)
            self._handle = None
        if self._temporary:
            self.path.unlink(missing_ok=True)
            self._temporary = False

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_handle"] = None
        return state
