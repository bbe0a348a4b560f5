"""The Python API that the CLI is a thin layer over: ``build`` and ``validate``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from migration_kg.pipeline.build import BuildResult, Progress, load_project, validate_loaded
from migration_kg.pipeline.build import build as _build
from migration_kg.project import Project
from migration_kg.shacl.validation import ValidationReport


def build(project_root: Path | str = ".", out_dir: Path | str | None = None,
          progress: Progress | None = None, engine: str = "fast",
          sources: Sequence[Path | str] | None = None) -> BuildResult:
    """Build ``dist/`` from the project at ``project_root``; see :func:`migration_kg.pipeline.build.build`."""
    return _build(project_root, out_dir, progress, engine, sources)


def validate(files: Sequence[Path | str] = (), project_root: Path | str = ".",
             progress: Progress | None = None, engine: str = "fast",
             sources: Sequence[Path | str] | None = None, endpoint: str | None = None,
             graphs: Sequence[str] = (), timeout: float = 600.0) -> ValidationReport:
    """Validate the project's data, or ``files`` instead when given, against its shapes, QC queries and texts.

    ``engine`` is the SHACL engine: ``fast`` (the default) or ``pyshacl`` (the reference); both report the same.
    ``sources`` are the folders of source texts that quotes are checked against (default: ``$MIGRATION_KG_SOURCES``
    or PROJECT/sources, and always PROJECT/texts). With ``endpoint`` (a SPARQL query URL), what the store holds
    in its default graph, or in the union of ``graphs``, is validated there, by queries, each given ``timeout``
    seconds (see :mod:`migration_kg.pipeline.remote`).
    """
    if endpoint is not None:
        from migration_kg.pipeline.remote import refuse_mixed, validate_endpoint

        refuse_mixed(files, engine)
        return validate_endpoint(endpoint, graphs, project_root, progress, sources, timeout)
    project = Project.at(project_root)
    loaded = load_project(project, progress, [Path(f) for f in files] if files else None)
    return validate_loaded(loaded, engine, sources)
