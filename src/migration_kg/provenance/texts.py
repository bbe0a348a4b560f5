"""Source texts: local copies of what the claims quote, each matched to its source node by SHA-256.

Texts we may not redistribute (the article) live in a git-ignored folder (``sources/`` by default, or
``--sources DIR``, or ``$MIGRATION_KG_SOURCES``); texts whose licence lets the project keep them live in
``texts/`` and are always searched. A file's name does not matter: only the digest of its bytes does.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from migration_kg.errors import InputError

ENV_SOURCES = "MIGRATION_KG_SOURCES"
DEFAULT_SOURCES = "sources"
OPEN_TEXTS = "texts"
#: Files larger than this are not source texts (they would only slow the index down).
MAX_TEXT_BYTES = 50 * 1024 * 1024


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode_text(data: bytes, path: Path | str) -> str:
    """The text of a source file: UTF-8, strictly; offsets count its code points."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"not UTF-8 text (byte {error.start}): a source text must be UTF-8", path) from None


def sources_folders(project_root: Path | str, given: Sequence[Path | str] | None = None) -> list[Path]:
    """Where the git-ignored source texts are: ``given``, else ``$MIGRATION_KG_SOURCES``, else PROJECT/sources."""
    root = Path(project_root)
    if given:
        return [Path(folder) for folder in given]
    from_env = os.environ.get(ENV_SOURCES, "")
    if from_env.strip():
        return [Path(part) for part in from_env.split(os.pathsep) if part.strip()]
    return [root / DEFAULT_SOURCES]


@dataclass
class SourceTexts:
    """The source texts found in some folders, looked up by the SHA-256 of their bytes."""

    folders: list[Path]
    _index: dict[str, Path] | None = field(default=None, repr=False)

    @classmethod
    def at(cls, project_root: Path | str, given: Sequence[Path | str] | None = None) -> SourceTexts:
        """The texts of a project: the sources folders (see :func:`sources_folders`) and PROJECT/texts."""
        return cls([*sources_folders(project_root, given), Path(project_root) / OPEN_TEXTS])

    def index(self) -> dict[str, Path]:
        """Every readable file of the folders by digest (the first found wins, in folder then name order)."""
        if self._index is None:
            found: dict[str, Path] = {}
            for folder in self.folders:
                if not folder.is_dir():
                    continue
                for path in sorted(folder.rglob("*")):
                    if path.name.startswith(".") or not path.is_file() or path.stat().st_size > MAX_TEXT_BYTES:
                        continue
                    found.setdefault(sha256_of(path.read_bytes()), path)
            self._index = found
        return self._index

    def path_for(self, digest: str) -> Path | None:
        return self.index().get(digest.strip().lower())

    def text_for(self, digest: str) -> str | None:
        """The text whose bytes have this SHA-256, or None when no folder holds it."""
        path = self.path_for(digest)
        return None if path is None else decode_text(path.read_bytes(), path)

    def describe(self) -> str:
        return ", ".join(str(folder) for folder in self.folders)
