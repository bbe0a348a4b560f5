"""Bulk-load files: the built graph as gzipped N-Quads, every triple in the named graph, streamed line by line.

Stores load such a file offline far faster than over HTTP: ``oxigraph load``, Virtuoso's ``ld_dir`` and
``rdf_loader_run``, Jena's ``tdb2.tdbloader`` and QLever's index builder all read N-Quads, gzipped or not.
"""

from __future__ import annotations

import gzip
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from migration_kg.errors import InputError, OutputError
from migration_kg.files import umask
from migration_kg.namespaces import DATASET_IRI
from migration_kg.store.http import sparql_iri
from migration_kg.store.load import scan, source_file

DUMP_NAME = "migration-kg.nq.gz"


@dataclass(frozen=True)
class DumpResult:
    """The file written, its graph and its size."""

    path: Path
    graph: str | None  # None: the default graph
    quads: int
    bytes: int

    @property
    def where(self) -> str:
        return "the default graph" if self.graph is None else f"<{self.graph}>"


def default_output(source: Path | str) -> Path:
    """Where ``dump`` writes by default: ``migration-kg.nq.gz`` beside the N-Triples file it reads."""
    return source_file(source).with_name(DUMP_NAME)


def dump(source: Path | str = "dist", out: Path | str | None = None, graph: str | None = DATASET_IRI,
         level: int = 6) -> DumpResult:
    """Write ``source`` (dist/ or an N-Triples file) as gzipped N-Quads in ``graph`` (None: the default graph,
    which every store queries without further setting); atomic (temp file, rename)."""
    path = source_file(source)
    scan(path, blank_nodes=True)
    graph_term = b" " + sparql_iri(graph).encode("utf-8") if graph is not None else b""
    target = Path(out) if out is not None else default_output(source)
    if target.suffixes[-2:] != [".nq", ".gz"]:
        raise InputError("the dump is gzipped N-Quads: name it *.nq.gz", target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as error:
        raise OutputError(target, error) from error
    quads = 0
    try:
        with os.fdopen(handle, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=level,
                                                           mtime=0, filename="") as stream, path.open("rb") as lines:
            for line in lines:
                stripped = line.strip()
                if not stripped or stripped.startswith(b"#"):
                    continue
                stream.write(stripped[:-1].rstrip() + graph_term + b" .\n")
                quads += 1
        os.chmod(temporary, 0o666 & ~umask())
        os.replace(temporary, target)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise OutputError(target, error) from error
        raise
    return DumpResult(target, graph, quads, target.stat().st_size)
