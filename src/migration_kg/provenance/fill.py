"""Filling in or repairing the offsets of claims from their quotes, so that nobody counts characters by hand.

For every claim whose source text is available, the quote is looked up in the text: a claim without offsets
gets those of the quote's only occurrence; a claim whose offsets are off gets those of the occurrence nearest
to them. A quote that is nowhere in the text, or that occurs several times with no offsets to choose between
them, is reported and left as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import PROV, XSD

from migration_kg.graph.load import load_graph
from migration_kg.namespaces import MKG
from migration_kg.project import Project
from migration_kg.provenance.check import where_it_is
from migration_kg.provenance.edit import DataFile
from migration_kg.provenance.locate import excerpt, locate, occurrences
from migration_kg.provenance.texts import SourceTexts


@dataclass(frozen=True)
class OffsetChange:
    """Offsets set (``old`` is None) or corrected for one claim."""

    path: Path
    claim: str
    quote: str
    old: tuple[int, int] | None
    new: tuple[int, int]


@dataclass(frozen=True)
class OffsetProblem:
    """A claim whose offsets could not be set: the quote is not in the text, or is there more than once."""

    path: Path
    claim: str
    quote: str
    message: str


@dataclass
class FillResult:
    changes: list[OffsetChange] = field(default_factory=list)
    problems: list[OffsetProblem] = field(default_factory=list)
    #: Claims with a quote whose source text is not available.
    unchecked: int = 0
    written: list[Path] = field(default_factory=list)


def source_digests(paths: Sequence[Path]) -> dict[str, str]:
    """The SHA-256 that each source node of ``paths`` carries."""
    graph = load_graph(paths)
    return {str(source): str(digest).strip().lower() for source, digest in graph.subject_objects(MKG.sha256)}


def fill_offsets(project_root: Path | str = ".", files: Sequence[Path | str] = (),
                 sources: Sequence[Path | str] | None = None, write: bool = True,
                 reformat: bool = False) -> FillResult:
    """Set or repair the offsets of the claims in ``files`` (default: every data file of the project).

    With ``write`` false nothing is written: the result says what would change.
    """
    project = Project.at(project_root)
    targets = [Path(f) for f in files] or [path for path in project.data_files() if path.suffix == ".ttl"]
    digests = source_digests([*project.data_files(), *targets])
    texts = SourceTexts.at(project.root, sources)
    result = FillResult()
    for path in targets:
        data = DataFile.read(path, reformat)
        before = len(result.changes)
        for claim in sorted(set(data.graph.subjects(MKG.quote, None))):
            _fill_claim(data, claim, digests, texts, result)  # type: ignore[arg-type]
        if write and len(result.changes) > before:
            result.written.append(data.write())
    return result


def _fill_claim(data: DataFile, claim: URIRef, digests: dict[str, str], texts: SourceTexts,
                result: FillResult) -> None:
    graph = data.graph
    quote = str(graph.value(claim, MKG.quote))
    source = graph.value(claim, PROV.wasDerivedFrom)
    digest = digests.get(str(source), "") if source is not None else ""
    text = texts.text_for(digest) if digest else None
    if text is None:
        result.unchecked += 1
        return
    old = _offsets(graph.value(claim, MKG.quoteStart), graph.value(claim, MKG.quoteEnd))
    if old is not None and excerpt(text, *old) == quote:
        return
    found = occurrences(text, quote)
    if not found:
        result.problems.append(OffsetProblem(data.path, str(claim), quote, where_it_is(text, quote)))
        return
    if len(found) > 1 and old is None:
        places = ", ".join(f"{match.start}-{match.end}" for match in found)
        result.problems.append(OffsetProblem(
            data.path, str(claim), quote,
            f"the words occur {len(found)} times ({places}); quote a few more words so that they occur once"))
        return
    match = locate(text, quote, old[0] if old else None)
    assert match is not None
    graph.set((claim, MKG.quoteStart, Literal(match.start, datatype=XSD.integer)))
    graph.set((claim, MKG.quoteEnd, Literal(match.end, datatype=XSD.integer)))
    result.changes.append(OffsetChange(data.path, str(claim), quote, old, (match.start, match.end)))


def _offsets(start: object, end: object) -> tuple[int, int] | None:
    if start is None or end is None:
        return None
    try:
        return int(str(start)), int(str(end))
    except ValueError:
        return None


def source_text(project_root: Path | str, source: str, sources: Sequence[Path | str] | None = None) -> tuple[str, str]:
    """(name, text) of ``source``: a text file, or a source node (IRI or prefixed name) whose text is available."""
    from migration_kg.errors import InputError, UsageError
    from migration_kg.namespaces import PREFIXES
    from migration_kg.provenance.texts import decode_text

    path = Path(source)
    if path.is_file():
        return str(path), decode_text(path.read_bytes(), path)
    project = Project.at(project_root)
    iri = source.strip("<>")
    prefix, colon, local = iri.partition(":")
    if colon and not local.startswith("//") and prefix in PREFIXES:
        iri = str(PREFIXES[prefix]) + local
    digest = source_digests(project.data_files()).get(iri)
    if digest is None:
        raise UsageError(f"{source}: neither a file nor a source of the project's data with a SHA-256 (mkg:sha256)")
    texts = SourceTexts.at(project.root, sources)
    text = texts.text_for(digest)
    if text is None:
        raise InputError(f"no text with SHA-256 {digest} in {texts.describe()} (set --sources or "
                         f"$MIGRATION_KG_SOURCES)", source)
    return f"<{iri}>", text
