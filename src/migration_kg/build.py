"""Stage 5: the whole pipeline - load, validate, serialize - writing ``dist/`` atomically."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from .errors import InputError, NotConformingError
from .jsonld import Context
from .load import load_graph
from .project import Project
from .serialize import FORMATS, serialize
from .validation import ValidationReport, validate_graph

GRAPH_STEM = "migration-kg"

Progress = Callable[[str], None]


@dataclass
class LoadedProject:
    """The parsed sources of a project."""

    project: Project
    ontology: Graph
    data: Graph
    shapes: Graph
    context: Context


@dataclass
class BuildResult:
    """What a build produced: the validated graph, its report and the files written."""

    out_dir: Path
    report: ValidationReport
    triples: int
    files: list[Path] = field(default_factory=list)


def load_context(path: Path) -> Context:
    """Read the JSON-LD context file; a JSON error names the file and line."""
    try:
        return Context(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise InputError("JSON-LD context file is missing", path) from None
    except json.JSONDecodeError as error:
        raise InputError(f"invalid JSON: {error.msg}", path, error.lineno, error.colno) from None


def load_project(project: Project, progress: Progress | None = None) -> LoadedProject:
    """Parse the ontology, data, shapes and JSON-LD context of ``project``."""
    step = progress or (lambda _message: None)
    step("parsing ontology")
    ontology = load_graph(project.ontology_files())
    step("parsing data")
    data = load_graph(project.data_files())
    step("parsing shapes")
    shapes = load_graph(project.shapes_files())
    return LoadedProject(project, ontology, data, shapes, load_context(project.context_file))


def write_atomically(out_dir: Path, files: dict[str, str | bytes]) -> list[Path]:
    """Write ``files`` into a fresh directory beside ``out_dir``, then swap it in place of ``out_dir``.

    If anything fails before the swap, ``out_dir`` is untouched; the swap itself is two renames.
    """
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    try:
        for name, content in sorted(files.items()):
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, str):
                target.write_text(content, encoding="utf-8", newline="\n")
            else:
                target.write_bytes(content)
        old = None
        if out_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
            os.rmdir(old)
            os.replace(out_dir, old)
        try:
            os.replace(staging, out_dir)
        except OSError:
            if old is not None:
                os.replace(old, out_dir)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return [out_dir / name for name in sorted(files)]


def render_outputs(loaded: LoadedProject, report: ValidationReport) -> dict[str, str | bytes]:
    """Every file of ``dist/``, by name."""
    files: dict[str, str | bytes] = {}
    for fmt in FORMATS.values():
        files[GRAPH_STEM + fmt.suffix] = serialize(loaded.data, fmt.name, loaded.context)
    project = loaded.project
    for name, sources in (("ontology.ttl", project.ontology_files()), ("shapes.ttl", project.shapes_files())):
        files[name] = serialize(load_graph(sources), "turtle", loaded.context) if len(sources) != 1 \
            else sources[0].read_bytes()
    files["context.jsonld"] = project.context_file.read_bytes()
    files["validation-report.ttl"] = serialize(report.to_graph(), "turtle", loaded.context)
    files["validation-report.txt"] = report.to_text()
    return files


def build(project_root: Path | str = ".", out_dir: Path | str | None = None,
          progress: Progress | None = None) -> BuildResult:
    """Load, validate and write the knowledge graph; raise NotConformingError (dist/ untouched) if invalid."""
    step = progress or (lambda _message: None)
    project = Project.at(project_root)
    target = Path(out_dir) if out_dir is not None else project.root / "dist"
    loaded = load_project(project, step)
    step("validating (SHACL and quality-control queries)")
    report = validate_graph(loaded.data, loaded.shapes, loaded.ontology, project.qc_files())
    if not report.conforms:
        error = NotConformingError(f"the data does not conform: {len(report.violations)} violations")
        error.report = report  # type: ignore[attr-defined]
        raise error
    step("writing outputs")
    files = write_atomically(target, render_outputs(loaded, report))
    return BuildResult(out_dir=target, report=report, triples=len(loaded.data), files=files)


def write_file_atomically(path: Path, content: str) -> Path:
    """Write one file through a temporary file in the same directory and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
