"""The Python API that the CLI is a thin layer over: ``build`` and ``validate``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rdflib import Graph

from .build import BuildResult, Progress, load_project
from .build import build as _build
from .load import load_graph
from .project import Project
from .validation import ValidationReport, validate_graph


def build(project_root: Path | str = ".", out_dir: Path | str | None = None,
          progress: Progress | None = None) -> BuildResult:
    """Build ``dist/`` from the project at ``project_root``; see :func:`migration_kg.build.build`."""
    return _build(project_root, out_dir, progress)


def validate(files: Sequence[Path | str] = (), project_root: Path | str = ".",
             progress: Progress | None = None) -> ValidationReport:
    """Validate the project's data, or ``files`` instead when given, against its shapes and QC queries."""
    project = Project.at(project_root)
    loaded = load_project(project, progress)
    data: Graph = load_graph([Path(f) for f in files]) if files else loaded.data
    return validate_graph(data, loaded.shapes, loaded.ontology, project.qc_files())
