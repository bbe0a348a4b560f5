"""SSSOM/TSV mapping sets: write suggestions with their YAML metadata block, read reviewed files back."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib.namespace import OWL, SKOS

from migration_kg import __version__
from migration_kg.errors import InputError
from migration_kg.files import read_text
from migration_kg.namespaces import ENTITY_NAMESPACES, WD

if TYPE_CHECKING:
    from migration_kg.wikidata.suggest import Suggestion

SEMAPV = "https://w3id.org/semapv/vocab/"
SSSOM_COLUMNS = ("subject_id", "subject_label", "predicate_id", "object_id", "object_label",
                 "mapping_justification", "confidence", "mapping_tool", "mapping_tool_version", "mapping_date",
                 "comment", "reviewer_id", "reviewer_label", "review")
CURIE_MAP = {"skos": str(SKOS), "semapv": SEMAPV, "owl": str(OWL), "wikidata": str(WD),
             **{prefix: str(ns) for prefix, ns in sorted(ENTITY_NAMESPACES.items())}}


def sssom_text(suggestions: Sequence[Suggestion], today: str | None = None, mapping_set_id: str | None = None) -> str:
    """The suggestions as an SSSOM/TSV mapping set with its YAML metadata block."""
    day = today or date.today().isoformat()
    set_id = mapping_set_id or f"https://w3id.org/migration-kg/mappings/wikidata-suggestions-{day}"
    used = {"skos", "semapv", "wikidata"} | {s.subject.split(":", 1)[0] for s in suggestions}
    header = ["curie_map:"] + [f"  {prefix}: {json.dumps(iri)}" for prefix, iri in CURIE_MAP.items()
                               if prefix in used] + [
        f"mapping_set_id: {json.dumps(set_id)}",
        'mapping_set_description: "Candidate Wikidata items for migration-kg entities that have no link yet; '
        'for review: set review to accepted or rejected."',
        'license: "https://creativecommons.org/licenses/by/4.0/"',
        'mapping_tool: "migration-kg link suggest"',
        f"mapping_date: {json.dumps(day)}",
        "extension_definitions:",
        '  - slot_name: "review"',
        '    property: "https://w3id.org/migration-kg/ontology#reviewDecision"',
        '    type_hint: "http://www.w3.org/2001/XMLSchema#string"',
    ]
    buffer = io.StringIO()
    buffer.write("".join(f"# {line}\n" for line in header))
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(SSSOM_COLUMNS)
    for s in suggestions:
        writer.writerow([s.subject, s.subject_label, s.predicate, f"wikidata:{s.qid}", s.object_label,
                         s.justification, f"{s.confidence:.2f}", "migration-kg link suggest", __version__, day,
                         "; ".join(s.reasons), "", "", ""])
    return buffer.getvalue()


def read_sssom(path: Path) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The metadata block and the rows of an SSSOM/TSV file; errors name the file and line."""
    lines = read_text(path, "SSSOM file").splitlines()
    header = [line[1:] for line in lines if line.startswith("#")]
    body = [line for line in lines if not line.startswith("#")]
    metadata = parse_metadata(header, path)
    reader = csv.DictReader(body, delimiter="\t")
    missing = {"subject_id", "predicate_id", "object_id"} - set(reader.fieldnames or ())
    if missing:
        raise InputError(f"not an SSSOM table: missing column(s) {', '.join(sorted(missing))}", path,
                         len(header) + 1)
    rows = []
    for number, row in enumerate(reader, start=len(header) + 2):
        if None in row:
            raise InputError("more cells than columns (a tab inside a value?)", path, number)
        rows.append({key: (value or "").strip() for key, value in row.items()} | {"_line": str(number)})
    return metadata, rows


def parse_metadata(lines: Sequence[str], path: Path) -> dict[str, Any]:
    """Read the small YAML subset ``sssom_text`` writes: scalars, one-level maps and lists of maps."""
    metadata: dict[str, Any] = {}
    current: str | None = None
    for number, raw in enumerate(lines, start=1):
        line = raw[1:] if raw.startswith(" ") else raw
        if not line.strip():
            continue
        match = re.fullmatch(r"(\s*)(- )?([A-Za-z_][\w-]*):\s*(.*)", line)
        if not match:
            raise InputError(f"metadata line is not 'key: value': {line.strip()!r}", path, number)
        indent, dash, key, value = match.groups()
        scalar = _scalar(value, path, number)
        if not indent and not dash:
            current = key
            metadata[key] = scalar if value else None
        elif current is None:
            raise InputError("indented metadata line before any key", path, number)
        elif dash or isinstance(metadata[current], list):
            entries = metadata[current] if isinstance(metadata[current], list) else []
            if dash:
                entries.append({})
            entries[-1][key] = scalar
            metadata[current] = entries
        else:
            mapping = metadata[current] if isinstance(metadata[current], dict) else {}
            mapping[key] = scalar
            metadata[current] = mapping
    return metadata


def _scalar(value: str, path: Path, line: int) -> str:
    """A metadata value without its quotes; JSON-quoted values are decoded."""
    value = value.strip()
    if value.startswith('"'):
        try:
            return str(json.loads(value))
        except ValueError:
            raise InputError(f"badly quoted metadata value {value!r}", path, line) from None
    return value.strip("'")

