"""Reading text sources strictly as UTF-8, and writing outputs atomically: a whole directory swapped in at
once, or one file through a rename.

Every command that writes goes through here, so that a failure or a kill never leaves a half-written output, and
readers never see a moment without one: on Linux the new directory and the old one trade places in one
``renameat2(RENAME_EXCHANGE)``. Outputs get the usual modes (0755 directories, 0644 files, less what the umask
takes away), and staging folders that a killed run left behind are removed by the next run.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from migration_kg.errors import InputError, OutputError

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
#: errno values meaning "this system or file system cannot exchange": fall back to two renames.
_NO_EXCHANGE = {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV}
_STAGING = re.compile(r"^\.(?P<name>.+)\.(?:new|old)-(?:(?P<pid>\d+)-)?[^/]*$")


def read_text(path: Path, what: str = "file") -> str:
    """The text of a UTF-8 file; a file in another encoding is an InputError naming the line and column of the
    first byte that is not UTF-8."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read {what}: {error.strerror or error}", path) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[:error.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
        raise InputError(f"the {what} is not UTF-8 (byte 0x{data[error.start]:02x}); save it as UTF-8",
                         path, line, column) from None


def umask() -> int:
    """The process's umask (read without changing it for longer than a moment)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def exchange(first: Path, second: Path) -> bool:
    """Swap two existing paths in one system call; False where the system or the file system cannot."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in _NO_EXCHANGE:
        return False
    raise OSError(code, os.strerror(code), str(first), None, str(second))


def swap_in(staging: Path, out_dir: Path) -> None:
    """Put ``staging`` in place of ``out_dir``; the old content ends up at ``staging`` (to be removed).

    Where ``out_dir`` exists, one atomic exchange; without it, one rename. Only where exchanging is impossible
    (old kernels, some network file systems) are there two renames with a moment in between.
    """
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    if exchange(staging, out_dir):
        return
    aside = staging.with_name(staging.name.replace(".new-", ".old-", 1))
    os.rename(out_dir, aside)
    try:
        os.rename(staging, out_dir)
    except OSError:
        os.rename(aside, out_dir)
        raise
    os.rename(aside, staging)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def _locked(directory: Path, blocking: bool = True) -> Iterator[bool]:
    """Hold an exclusive lock on ``directory`` for the block; yields False if ``blocking`` is off and it is taken."""
    handle = os.open(directory, os.O_RDONLY)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(handle)


def remove_stale_staging(out_dir: Path) -> list[Path]:
    """Remove the staging folders of ``out_dir`` (``.NAME.new-*``, ``.NAME.old-*``) left by runs that died.

    A folder counts as stale when the process named in it is gone and nobody holds its lock; returns what went.
    """
    removed = []
    if not out_dir.parent.is_dir():
        return removed
    for entry in out_dir.parent.iterdir():
        match = _STAGING.match(entry.name)
        if not match or match.group("name") != out_dir.name or not entry.is_dir() or entry.is_symlink():
            continue
        pid = match.group("pid")
        if pid is not None and int(pid) != os.getpid() and _process_alive(int(pid)):
            continue
        try:
            with _locked(entry, blocking=False) as free:
                if not free:
                    continue
        except OSError:
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def write_atomically(out_dir: Path, files: dict[str, str | bytes],
                     extra: Callable[[Path], Iterable[str]] | None = None) -> list[Path]:
    """Write ``files`` into a fresh directory beside ``out_dir``, then swap it in place of ``out_dir``.

    ``extra``, if given, writes more files into that directory itself (streaming large ones) and returns their
    names. If anything fails before the swap, ``out_dir`` is untouched and an OutputError names it.
    """
    out_dir = out_dir.resolve()
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(out_dir)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-{os.getpid()}-", dir=out_dir.parent))
    except OSError as error:
        raise OutputError(out_dir, error) from error
    try:
        with _locked(staging):
            os.chmod(staging, 0o777 & ~umask())
            for name, content in sorted(files.items()):
                target = staging / name
                target.parent.mkdir(parents=True, exist_ok=True)
                if isinstance(content, str):
                    target.write_text(content, encoding="utf-8", newline="\n")
                else:
                    target.write_bytes(content)
            names = [*files, *(extra(staging) if extra is not None else [])]
            swap_in(staging, out_dir)
    except OSError as error:
        raise OutputError(out_dir, error) from error
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [out_dir / name for name in sorted(names)]


def write_file_atomically(path: Path, content: str | bytes) -> Path:
    """Write one file through a temporary file in the same directory and a rename; mode 0644 less the umask."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as error:
        raise OutputError(path, error) from error
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content.encode("utf-8") if isinstance(content, str) else content)
        os.chmod(temporary, 0o666 & ~umask())
        os.replace(temporary, path)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise OutputError(path, error) from error
        raise
    return path
