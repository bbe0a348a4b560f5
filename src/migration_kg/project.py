"""Where a project's sources live: ontology, data, shapes and queries, found from one directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from migration_kg.errors import InputError

RDF_SUFFIXES = (".ttl", ".nt", ".jsonld", ".rdf", ".owl", ".xml")


@dataclass(frozen=True)
class Project:
    """The source tree of a knowledge graph: people edit these files, ``build`` reads them."""

    root: Path

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def qc_dir(self) -> Path:
        return self.queries_dir / "qc"

    @property
    def context_file(self) -> Path:
        return self.ontology_dir / "context.jsonld"

    def ontology_files(self) -> list[Path]:
        return _rdf_files(self.ontology_dir)

    def data_files(self) -> list[Path]:
        return _rdf_files(self.data_dir)

    def shapes_files(self) -> list[Path]:
        return _rdf_files(self.shapes_dir)

    def qc_files(self) -> list[Path]:
        return sorted(self.qc_dir.glob("*-violation.rq"))

    @classmethod
    def at(cls, root: Path | str = ".") -> Project:
        """The project rooted at ``root``; fails with a clear message when it is not one."""
        path = Path(root).resolve()
        missing = [name for name in ("ontology", "data", "shapes") if not (path / name).is_dir()]
        if missing:
            raise InputError(
                f"not a migration-kg project: missing {', '.join(missing)}/ "
                "(run from the checkout or pass --project DIR)", path)
        return cls(path)


def _rdf_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*") if p.suffix in RDF_SUFFIXES and p.is_file())
