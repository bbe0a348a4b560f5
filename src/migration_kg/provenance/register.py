"""Registering a new source: its metadata as a ``schema:CreativeWork``/``prov:Entity``, its text kept locally.

The source node carries the SHA-256 of the text's bytes, which is how the build finds the text again. The
text is copied into the sources folder (git-ignored, for texts we may not redistribute) or, when its licence
allows the project to keep it, into ``texts/`` beside the data.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD

from migration_kg.errors import InputError, UsageError
from migration_kg.namespaces import ENTITY_NAMESPACES, MKG, SDO
from migration_kg.project import Project
from migration_kg.provenance.edit import DataFile
from migration_kg.provenance.fill import source_digests
from migration_kg.provenance.texts import OPEN_TEXTS, decode_text, sha256_of, sources_folders

SOURCES_FILE = "sources.ttl"
_DATE_TYPES = ((re.compile(r"^\d{4}-\d{2}-\d{2}$"), XSD.date), (re.compile(r"^\d{4}-\d{2}$"), XSD.gYearMonth),
               (re.compile(r"^\d{4}$"), XSD.gYear))
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$")


@dataclass(frozen=True)
class RegisteredSource:
    """What ``source add`` did: the source's IRI, the digest of its text, where the text and metadata went."""

    iri: str
    digest: str
    text_path: Path
    data_path: Path
    characters: int


def slug_for(title: str) -> str:
    """A lower-case ASCII slug of a title, for the source's IRI."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return "-".join(slug.split("-")[:10]) or "source"


def published_literal(published: str) -> Literal:
    """A publication date typed by its precision: YYYY-MM-DD, YYYY-MM or YYYY."""
    for pattern, datatype in _DATE_TYPES:
        if pattern.match(published):
            return Literal(published, datatype=datatype)
    raise UsageError(f"--published {published!r}: use YYYY-MM-DD, YYYY-MM or YYYY")


def add_source(project_root: Path | str, file: Path | str, url: str, title: str, published: str,
               licence: str | None = None, language: str = "en", slug: str | None = None,
               keep_in_repository: bool = False, sources: list[Path] | None = None) -> RegisteredSource:
    """Register the text in ``file`` as a source of the project and keep a copy of it.

    ``keep_in_repository`` copies the text into ``texts/`` (only for a licence that allows redistributing it);
    otherwise it goes into the first sources folder (git-ignored).
    """
    project = Project.at(project_root)
    path = Path(file)
    if not path.is_file():
        raise InputError("no such file", path)
    if not re.match(r"^https?://\S+$", url):
        raise UsageError(f"--url {url!r}: give the http(s) address a reader can open")
    if not _LANGUAGE.match(language):
        raise UsageError(f"--language {language!r}: give a BCP 47 tag such as en or fr")
    data = path.read_bytes()
    text = decode_text(data, path)
    digest = sha256_of(data)
    iri = URIRef(str(ENTITY_NAMESPACES["source"]) + (slug or slug_for(title)))
    target = project.data_dir / SOURCES_FILE
    existing = source_digests(project.data_files())
    for source, known in existing.items():
        if known == digest:
            raise UsageError(f"this text is already registered as <{source}>")
    document = DataFile.read(target)
    if (iri, None, None) in document.graph or str(iri) in existing:
        raise UsageError(f"<{iri}> already exists; choose another --id")
    graph = document.graph
    graph.add((iri, RDF.type, PROV.Entity))
    graph.add((iri, RDF.type, SDO.CreativeWork))
    for tag in ("en", "fr"):
        graph.add((iri, RDFS.label, Literal(title, lang=tag)))
    graph.add((iri, SDO.name, Literal(title, lang=language)))
    graph.add((iri, SDO.url, Literal(url, datatype=XSD.anyURI)))
    graph.add((iri, SDO.datePublished, published_literal(published)))
    graph.add((iri, SDO.inLanguage, Literal(language)))
    if licence:
        graph.add((iri, SDO.license, URIRef(licence) if re.match(r"^https?://", licence) else Literal(licence)))
    graph.add((iri, MKG.sha256, Literal(digest)))
    folder = project.root / OPEN_TEXTS if keep_in_repository else sources_folders(project.root, sources)[0]
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / f"{iri.rsplit('/', 1)[-1]}{path.suffix or '.txt'}"
    if copy.exists() and sha256_of(copy.read_bytes()) != digest:
        raise UsageError(f"{copy} exists with another text; choose another --id")
    if copy.resolve() != path.resolve():
        shutil.copyfile(path, copy)
    document.write()
    return RegisteredSource(str(iri), digest, copy, target, len(text))
