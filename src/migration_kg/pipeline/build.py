"""Stage 5: the whole pipeline - load, validate, serialize - writing ``dist/`` atomically.

The data is bulk-loaded into an in-memory pyoxigraph store (with the ontology beside it, for class
hierarchies); validation and the four graph syntaxes are computed from that store, streaming each file, so that
a million triples fit in well under a gigabyte. An rdflib graph of the data is only built if asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from migration_kg.errors import NotConformingError, UsageError
from migration_kg.files import write_atomically
from migration_kg.graph.blocks import TripleSource
from migration_kg.graph.jsonld import Context, load_context
from migration_kg.graph.load import load_data, load_graph, store_to_graph
from migration_kg.graph.serialize import FORMATS, serialize, write_formats
from migration_kg.graph.verbatim import Rewrites
from migration_kg.project import Project
from migration_kg.provenance.check import check_quotes, quote_violations
from migration_kg.provenance.texts import SourceTexts
from migration_kg.shacl.validation import (
    ENGINES,
    ValidationReport,
    add_ontology,
    validate_graph,
    validate_store,
)

GRAPH_STEM = "migration-kg"

Progress = Callable[[str], None]


@dataclass
class LoadedProject:
    """The parsed sources of a project; the data sits in ``store`` together with the ontology's triples."""

    project: Project
    ontology: Graph
    shapes: Graph
    context: Context
    store: ox.Store
    #: The ontology's triples that were added to the store's default graph (not part of the data).
    ontology_added: set[ox.Quad] = field(default_factory=set)
    #: The data exactly as written, kept only when the store changes some datatype (see graph.verbatim).
    faithful: ox.Dataset | None = None
    #: The literals that the store holds in another form than the data.
    rewrites: Rewrites = field(default_factory=Rewrites)

    @cached_property
    def data(self) -> Graph:
        """The data alone as an rdflib graph, built on first use (at a million triples it takes a while)."""
        if self.faithful is not None:
            return store_to_graph(self.faithful)
        return store_to_graph(self.store, self.ontology_added, self.rewrites)

    @cached_property
    def triples(self) -> int:
        return len(self.store) - len(self.ontology_added)

    def data_source(self) -> TripleSource:
        """The data alone, block by block, for the writers."""
        if self.faithful is not None:
            return TripleSource(self.faithful)
        return TripleSource(self.store, self.ontology_added)


@dataclass
class BuildResult:
    """What a build produced: the validated graph, its report and the files written."""

    out_dir: Path
    report: ValidationReport
    triples: int
    files: list[Path] = field(default_factory=list)


def load_project(project: Project, progress: Progress | None = None,
                 data_files: list[Path] | None = None) -> LoadedProject:
    """Parse the ontology, data (or ``data_files`` instead), shapes and JSON-LD context of ``project``."""
    step = progress or (lambda _message: None)
    step("parsing ontology")
    ontology = load_graph(project.ontology_files())
    step("parsing data")
    files = project.data_files() if data_files is None else data_files
    store, faithful, rewrites = load_data(files)
    added = add_ontology(store, ontology)
    step("parsing shapes")
    shapes = load_graph(project.shapes_files())
    return LoadedProject(project, ontology, shapes, load_context(project.context_file), store, added, faithful,
                         rewrites)


def validate_loaded(loaded: LoadedProject, engine: str = "fast",
                    sources: Sequence[Path | str] | None = None) -> ValidationReport:
    """Validate a loaded project's data: the SHACL engine ``engine``, every QC query, and every quote.

    Quotes are checked against the source texts found in ``sources`` (see
    :func:`migration_kg.provenance.texts.sources_folders`) and the project's ``texts/``.
    """
    if engine not in ENGINES:
        raise UsageError(f"unknown SHACL engine {engine!r} (use one of {', '.join(ENGINES)})")
    qc_files = loaded.project.qc_files()
    if engine == "fast":
        report = validate_store(loaded.store, loaded.shapes, qc_files, rewrites=loaded.rewrites)
    else:
        report = validate_graph(loaded.data, loaded.shapes, loaded.ontology, qc_files, engine)
    quotes = check_quotes(loaded.store, SourceTexts.at(loaded.project.root, sources))
    report.violations.extend(quote_violations(quotes, loaded.store))
    report.quote_summary = quotes.summary
    return report


def write_graph_files(loaded: LoadedProject, directory: Path, source: TripleSource | None = None) -> list[str]:
    """Stream the data (or ``source``, made from it) in every syntax of FORMATS into ``directory``, in one pass;
    return the file names."""
    names = {fmt.name: GRAPH_STEM + fmt.suffix for fmt in FORMATS.values()}
    source = source or loaded.data_source()
    streams = {fmt: (directory / name).open("w", encoding="utf-8", newline="\n", buffering=1 << 20)
               for fmt, name in names.items()}
    try:
        write_formats(source, streams, loaded.context)  # type: ignore[arg-type]
    finally:
        for stream in streams.values():
            stream.close()
    return sorted(names.values())


def render_outputs(loaded: LoadedProject, report: ValidationReport) -> dict[str, str | bytes]:
    """The files of ``dist/`` other than the data graph's (see :func:`write_graph_files`), by name."""
    files: dict[str, str | bytes] = {}
    project = loaded.project
    for name, sources in (("ontology.ttl", project.ontology_files()), ("shapes.ttl", project.shapes_files())):
        files[name] = serialize(load_graph(sources), "turtle", loaded.context) if len(sources) != 1 \
            else sources[0].read_bytes()
    files["context.jsonld"] = project.context_file.read_bytes()
    files["validation-report.ttl"] = serialize(report.to_graph(), "turtle", loaded.context)
    files["validation-report.txt"] = report.to_text()
    return files


def _raise_if_not_conforming(report: ValidationReport) -> None:
    if not report.conforms:
        error = NotConformingError(
            f"the data does not conform: {len(report.violations)} violations; {report.quote_summary}")
        error.report = report  # type: ignore[attr-defined]
        raise error


def build(project_root: Path | str = ".", out_dir: Path | str | None = None,
          progress: Progress | None = None, engine: str = "fast",
          sources: Sequence[Path | str] | None = None) -> BuildResult:
    """Load, validate and write the knowledge graph; raise NotConformingError (dist/ untouched) if invalid.

    The graph is written into the staging directory while it is validated (on a second thread: Oxigraph
    evaluates queries without holding the GIL); if it does not conform, the staging directory is dropped.

    ``engine`` is the SHACL engine: ``fast`` (SPARQL on pyoxigraph) or ``pyshacl`` (the reference).
    ``sources`` are the folders of source texts that quotes are checked against (default: see
    :func:`migration_kg.provenance.texts.sources_folders`).
    """
    step = progress or (lambda _message: None)
    project = Project.at(project_root)
    target = Path(out_dir) if out_dir is not None else project.root / "dist"
    loaded = load_project(project, step)
    step("validating (SHACL, quality-control queries and quotes) while writing the outputs")
    # Blank nodes are labelled (and may be refused) before the staging folder exists, so a failure leaves none.
    source = loaded.data_source()
    found: list[ValidationReport] = []

    def write(staging: Path) -> list[str]:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="validate") as pool:
            checking = pool.submit(validate_loaded, loaded, engine, sources)
            try:
                names = write_graph_files(loaded, staging, source)
            except Exception:
                _raise_if_not_conforming(checking.result())  # the more useful error, if there is one
                raise
            report = checking.result()
        found.append(report)
        _raise_if_not_conforming(report)
        outputs = render_outputs(loaded, report)
        for name, content in sorted(outputs.items()):
            if isinstance(content, str):
                (staging / name).write_text(content, encoding="utf-8", newline="\n")
            else:
                (staging / name).write_bytes(content)
        return [*names, *outputs]

    files = write_atomically(target, {}, write)
    return BuildResult(out_dir=target, report=found[0], triples=loaded.triples, files=files)
