"""Writing the site into its staging directory, and keeping what the previous publish already wrote.

Every file's SHA-256 goes into ``.publish-manifest`` (``sha256sum`` format, so ``sha256sum -c`` checks a whole
site). When a site is already in place, a file whose new hash is the one its manifest records, and whose bytes on
disk are still those bytes (a file edited by hand since is not trusted), is hard-linked from there instead of
written again; so a publish after a small change rewrites only the files whose content changed, and says how many,
and the result is the same as a full publish. Several processes may write into one staging directory, each with
its own :class:`SiteWriter`; their manifest lines are gathered at the end.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from itertools import pairwise
from pathlib import Path

MANIFEST = ".publish-manifest"
_PARTS = ".publish-manifest.parts"
_CHUNK = 1 << 20


def read_manifest(site: Path) -> dict[str, str]:
    """Path -> SHA-256 of each file of a published site (empty if it has no manifest)."""
    try:
        text = (site / MANIFEST).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    found = {}
    for line in text.splitlines():
        digest, _, path = line.partition("  ")
        if len(digest) == 64 and path:
            found[path] = digest
    return found


def _same_bytes(path: Path, content: bytes) -> bool:
    try:
        if path.is_symlink() or path.stat().st_size != len(content):
            return False
        return path.read_bytes() == content
    except OSError:
        return False


def _same_file(path: Path, source: Path) -> bool:
    try:
        if path.is_symlink() or path.stat().st_size != source.stat().st_size:
            return False
        with path.open("rb") as one, source.open("rb") as other:
            while True:
                left, right = one.read(_CHUNK), other.read(_CHUNK)
                if left != right:
                    return False
                if not left:
                    return True
    except OSError:
        return False


def _write_new(target: str, data: bytes) -> None:
    """Create ``target`` with ``data`` (mode 0666 less the umask) in as few system calls as Python allows."""
    handle = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view):]
    finally:
        os.close(handle)


class SiteWriter:
    """Writes files under ``staging``, reusing the unchanged files of ``previous`` (the site being replaced), and
    notes each file's hash in a part of the manifest (``part`` names it when several writers share ``staging``)."""

    def __init__(self, staging: Path, previous: Path | None = None, part: str = "main",
                 manifest: dict[str, str] | None = None) -> None:
        self.staging = staging
        self.previous = previous
        #: the previous site's manifest (path -> SHA-256); read from ``previous`` unless given
        self.manifest = manifest if manifest is not None else (read_manifest(previous) if previous else {})
        self.rewritten = 0
        self.unchanged = 0
        self._root = os.fspath(staging)
        self._folders: set[str] = {""}
        parts = staging / _PARTS
        parts.mkdir(exist_ok=True)
        self._lines = (parts / part).open("w", encoding="utf-8", newline="\n")

    def _target(self, path: str) -> str:
        """Where ``path`` goes in the staging directory (its folder made on first use; plain strings, as this runs
        once per file)."""
        folder = path.rpartition("/")[0]
        if folder not in self._folders:
            os.makedirs(os.path.join(self._root, folder), exist_ok=True)
            self._folders.add(folder)
        return os.path.join(self._root, path)

    def add(self, path: str, content: str | bytes | Path) -> None:
        """Write one file (text as UTF-8; a Path is copied)."""
        if path == MANIFEST or path.startswith(_PARTS):
            raise ValueError(f"the site cannot hold a file named {path}")
        target = self._target(path)
        if isinstance(content, Path):
            hasher = hashlib.sha256()
            with content.open("rb") as stream:
                while chunk := stream.read(_CHUNK):
                    hasher.update(chunk)
            digest = hasher.hexdigest()
            if not self._kept(path, digest, lambda old: _same_file(old, content)):
                shutil.copyfile(content, target)
                self.rewritten += 1
        else:
            data = content.encode("utf-8") if isinstance(content, str) else content
            digest = hashlib.sha256(data).hexdigest()
            if not self._kept(path, digest, lambda old: _same_bytes(old, data)):
                _write_new(target, data)
                self.rewritten += 1
        self._lines.write(f"{digest}  {path}\n")

    def _kept(self, path: str, digest: str, same: object) -> bool:
        """Link the previous site's file if its manifest gives it this content's hash and it still holds it."""
        if self.previous is None or self.manifest.get(path) != digest:
            return False
        old = self.previous / path
        if not same(old):  # type: ignore[operator]
            return False
        try:
            os.link(old, os.path.join(self._root, path))
        except OSError:
            return False
        self.unchanged += 1
        return True

    def close(self) -> tuple[int, int]:
        """Finish this writer's part of the manifest; (files rewritten, files kept)."""
        self._lines.close()
        return self.rewritten, self.unchanged


def finish_manifest(staging: Path) -> list[str]:
    """Gather every writer's part into ``.publish-manifest``, sorted by path; the paths (a path twice is an error)."""
    parts = staging / _PARTS
    lines = []
    for part in sorted(parts.iterdir()):
        lines.extend(part.read_text(encoding="utf-8").splitlines(keepends=True))
    shutil.rmtree(parts)
    lines.sort(key=lambda line: line[66:])
    names = [line[66:-1] for line in lines]
    for before, after in pairwise(names):
        if before == after:
            raise ValueError(f"the site would hold {before} twice")
    with (staging / MANIFEST).open("w", encoding="utf-8", newline="\n") as stream:
        stream.writelines(lines)
    return names
