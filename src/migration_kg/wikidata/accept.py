"""``link accept``: turn the rows a reviewer accepted in an SSSOM file into links, each with its claim."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS

from migration_kg.errors import InputError
from migration_kg.files import write_file_atomically
from migration_kg.graph.load import load_graph
from migration_kg.namespaces import ENTITY_NAMESPACES, SDO, WD, bind_prefixes
from migration_kg.project import Project
from migration_kg.wikidata.ours import OurGraph, add_claim, local_name, normalise
from migration_kg.wikidata.sssom import CURIE_MAP, read_sssom

ACCEPTED_FILE = "wikidata-links-accepted.ttl"


@dataclass
class AcceptResult:
    """What ``accept`` did: the links written, and the accepted rows it left out with why."""

    path: Path
    written: list[tuple[str, str, str]] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)


def accept_mappings(project_root: Path | str, sssom_path: Path, min_confidence: float = 0.0) -> AcceptResult:
    """Turn the rows a reviewer marked ``accepted`` into links with claims in data/wikidata-links-accepted.ttl."""
    project = Project.at(project_root)
    metadata, rows = read_sssom(sssom_path)
    curie_map = metadata.get("curie_map") if isinstance(metadata.get("curie_map"), dict) else {}
    prefixes = {**CURIE_MAP, **curie_map}  # type: ignore[dict-item]
    target = project.data_dir / ACCEPTED_FILE
    ours = OurGraph.load(project.root)
    out = bind_prefixes(Graph())
    if target.is_file():
        for triple in load_graph([target]):
            out.add(triple)
    result = AcceptResult(target)
    set_id = str(metadata.get("mapping_set_id") or sssom_path.name)
    source = ENTITY_NAMESPACES["source"]["sssom-" + _slug(set_id.rsplit("/", 1)[-1])]
    taken = {str(o): URIRef(str(s)) for s, o in ours.graph.subject_objects(OWL.sameAs)} | \
        {str(o): URIRef(str(s)) for s, o in out.subject_objects(OWL.sameAs)}
    reviewers: set[str] = set()
    for row in rows:
        if row.get("review", "").lower() != "accepted":
            continue
        line = int(row["_line"])
        subject, obj = _expand(row["subject_id"], prefixes, sssom_path, line), \
            _expand(row["object_id"], prefixes, sssom_path, line)
        predicate = {"skos:exactMatch": OWL.sameAs, "skos:closeMatch": SKOS.closeMatch}.get(row["predicate_id"])
        reviewer = row.get("reviewer_label") or row.get("reviewer_id")
        if predicate is None:
            raise InputError(f"predicate_id must be skos:exactMatch or skos:closeMatch, not {row['predicate_id']!r}",
                             sssom_path, line)
        if not re.fullmatch(re.escape(str(WD)) + r"Q[1-9]\d*", str(obj)):
            raise InputError(f"object_id {row['object_id']!r} is not a Wikidata item", sssom_path, line)
        if ours.kind(subject) is None:
            raise InputError(f"subject_id {row['subject_id']!r} is not an entity of this project", sssom_path, line)
        if not reviewer:
            raise InputError("an accepted row needs reviewer_id or reviewer_label", sssom_path, line)
        confidence = float(row.get("confidence") or 0)
        if confidence < min_confidence:
            result.skipped.append((line, f"confidence {confidence:.2f} below {min_confidence:.2f}"))
            continue
        if (subject, predicate, obj) in out or (subject, predicate, obj) in ours.graph:
            result.skipped.append((line, "already linked"))
            continue
        if predicate == OWL.sameAs:
            if (current := ours.qid(subject) or _qid_in(out, subject)) is not None:
                raise InputError(f"{row['subject_id']} is already linked to {current}", sssom_path, line)
            if str(obj) in taken:
                raise InputError(f"{row['object_id']} is already linked from {ours.curie(taken[str(obj)])}",
                                 sssom_path, line)
            taken[str(obj)] = subject
        reviewers.add(reviewer)
        _add_link(out, subject, predicate, obj, source, row, reviewer)
        result.written.append((row["subject_id"], row["predicate_id"], row["object_id"]))
    if result.written:
        _add_sssom_source(out, source, set_id, sssom_path.name, sorted(reviewers))
        from migration_kg.graph.serialize import to_turtle

        write_file_atomically(target, to_turtle(out))
    return result


def _expand(curie: str, prefixes: dict[str, str], path: Path, line: int) -> URIRef:
    """A CURIE (or a full IRI) of the SSSOM file as an IRI; an unknown prefix names the file and line."""
    prefix, _, local = curie.partition(":")
    if curie.startswith(("http://", "https://")):
        return URIRef(curie)
    if prefix not in prefixes or not local:
        raise InputError(f"unknown prefix in {curie!r} (not in curie_map)", path, line)
    return URIRef(prefixes[prefix] + local)


def _qid_in(graph: Graph, node: URIRef) -> str | None:
    """The owl:sameAs target of ``node`` in ``graph``, as an IRI, if any."""
    return next((str(o) for o in graph.objects(node, OWL.sameAs)), None)


def _slug(text: str) -> str:
    """``text`` as a lower-case, hyphenated name for an IRI."""
    return re.sub(r"[^a-z0-9]+", "-", normalise(text)).strip("-") or "mapping-set"


def _add_link(out: Graph, subject: URIRef, predicate: URIRef, obj: URIRef, source: URIRef, row: dict[str, str],
              reviewer: str) -> None:
    """Add one accepted link with a claim derived from the mapping set, saying who accepted it and why."""
    q = str(obj)[len(str(WD)):]
    claim = ENTITY_NAMESPACES["claim"][f"{local_name(subject)}-wikidata-{q.lower()}"]
    add_claim(out, claim, subject, predicate, obj, source)
    comment = (f"SSSOM row {row['subject_id']} {row['predicate_id']} {row['object_id']}: "
               f"{row.get('mapping_justification') or 'semapv:UnspecifiedMatching'}, confidence "
               f"{row.get('confidence') or '?'}, accepted by {reviewer} (semapv:ManualMappingCuration)"
               + (f"; reasons: {row['comment']}" if row.get("comment") else ""))
    out.add((claim, RDFS.comment, Literal(comment, lang="en")))


def _add_sssom_source(out: Graph, source: URIRef, set_id: str, file_name: str, reviewers: list[str]) -> None:
    """Describe the reviewed mapping set as the source of the accepted links, with its reviewers."""
    out.add((source, RDF.type, PROV.Entity))
    out.add((source, RDF.type, SDO.CreativeWork))
    out.add((source, RDF.type, SDO.Dataset))
    out.set((source, RDFS.label, Literal(f"Reviewed SSSOM mapping set {file_name}", lang="en")))
    out.add((source, RDFS.label, Literal(f"Jeu de correspondances SSSOM révisé {file_name}", lang="fr")))
    out.set((source, SDO.identifier, Literal(set_id)))
    for reviewer in reviewers:
        out.add((source, DCTERMS.contributor, Literal(reviewer)))

