"""Atomic outputs for real: dist/ is exchanged in one system call (never a moment without it), staging folders
of killed builds are removed by the next build, modes follow the umask, and a full or read-only disk is an I/O
failure (exit 74) that leaves the previous output as it was."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mounts import remount, tmpfs

from migration_kg import files
from migration_kg.files import remove_stale_staging, swap_in, write_atomically

CLI = [sys.executable, "-m", "migration_kg"]


def run_cli(*args: str, umask: int | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    preexec = (lambda: os.umask(umask)) if umask is not None else None
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300, cwd=cwd,
                          preexec_fn=preexec, check=False)


def snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def modes(directory: Path) -> set[tuple[str, int]]:
    found = {("dir", stat.S_IMODE(directory.stat().st_mode))}
    for path in directory.rglob("*"):
        found.add(("dir" if path.is_dir() else "file", stat.S_IMODE(path.stat().st_mode)))
    return found


@pytest.mark.parametrize(("mask", "expected"), [(0o022, {("dir", 0o755), ("file", 0o644)}),
                                                (0o027, {("dir", 0o750), ("file", 0o640)})])
def test_build_output_modes_follow_the_umask_and_bytes_do_not_change(project_root, dist_dir, tmp_path, mask,
                                                                     expected):
    out = tmp_path / "dist"
    result = run_cli("-q", "build", "--project", str(project_root), "--out", str(out), umask=mask)
    assert result.returncode == 0, result.stderr
    assert modes(out) == expected
    assert snapshot(out) == snapshot(dist_dir)


def test_the_swap_is_one_exchange_and_no_reader_ever_misses_the_output(tmp_path):
    out = tmp_path / "dist"
    write_atomically(out, {"a.txt": "0"})
    watcher = subprocess.Popen(
        [sys.executable, "-c",
         "import os, sys\nchecks = misses = 0\nwhile not os.path.exists(sys.argv[2]):\n"
         "    checks += 1\n    misses += not os.path.exists(sys.argv[1])\nprint(checks, misses)",
         str(out / "a.txt"), str(tmp_path / "stop")], stdout=subprocess.PIPE, text=True)
    renames = []
    original = os.rename

    def spy(*args, **kwargs):
        renames.append(args)
        return original(*args, **kwargs)

    try:
        os.rename = spy
        for number in range(300):
            write_atomically(out, {"a.txt": str(number)})
    finally:
        os.rename = original
        (tmp_path / "stop").touch()
    checks, misses = map(int, watcher.communicate(timeout=30)[0].split())
    assert renames == []  # each of the 300 swaps was a renameat2(RENAME_EXCHANGE), no rename pair
    assert checks > 1000 and misses == 0
    assert (out / "a.txt").read_text() == "299"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".dist.")] == []


def test_without_exchange_the_fallback_still_swaps(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "exchange", lambda first, second: False)
    out = tmp_path / "dist"
    write_atomically(out, {"a.txt": "old"})
    write_atomically(out, {"a.txt": "new"})
    assert (out / "a.txt").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]


def test_swap_in_without_a_previous_output_is_one_rename(tmp_path):
    staging = tmp_path / ".dist.new-1-x"
    staging.mkdir()
    (staging / "f").write_text("x")
    swap_in(staging, tmp_path / "dist")
    assert (tmp_path / "dist" / "f").read_text() == "x" and not staging.exists()


def test_a_killed_build_leaves_a_staging_folder_that_the_next_build_removes(tmp_path):
    from synthetic import generator

    project = tmp_path / "project"
    generator().main(["--triples", "60000", "--out", str(project)])
    out = project / "dist"
    process = subprocess.Popen([*CLI, "-q", "build", "--project", str(project)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not list(project.glob(".dist.new-*")) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    left = list(project.glob(".dist.new-*"))
    assert len(left) == 1 and not out.exists(), "the build should have been killed while writing"
    assert left[0].name.startswith(f".dist.new-{process.pid}-")
    result = run_cli("-q", "build", "--project", str(project))
    assert result.returncode == 0, result.stderr
    assert list(project.glob(".dist.*")) == [] and (out / "migration-kg.nt").is_file()


def test_staging_folders_of_live_runs_are_left_alone(tmp_path):
    out = tmp_path / "dist"
    alive = tmp_path / f".dist.new-{os.getppid()}-abc"
    dead_pid = _dead_pid()
    dead = tmp_path / f".dist.new-{dead_pid}-abc"
    old_style = tmp_path / ".dist.old-k2j4_x"
    other = tmp_path / f".site.new-{dead_pid}-abc"
    for folder in (alive, dead, old_style, other):
        folder.mkdir()
    assert sorted(p.name for p in remove_stale_staging(out)) == sorted([dead.name, old_style.name])
    assert alive.exists() and other.exists()


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


@pytest.mark.server
def test_a_full_disk_is_exit_74_and_leaves_the_previous_dist_whole(project_root, tmp_path):
    with tmpfs(tmp_path / "disk", "1500k") as disk:
        out = disk / "dist"
        first = run_cli("-q", "build", "--project", str(project_root), "--out", str(out))
        assert first.returncode == 0, first.stderr
        before = snapshot(out)
        second = run_cli("build", "--project", str(project_root), "--out", str(out))
        assert second.returncode == 74
        assert second.stderr.strip().splitlines()[-1] == f"error: cannot write {out}: No space left on device"
        assert "Traceback" not in second.stderr
        assert snapshot(out) == before
        assert sorted(p.name for p in disk.iterdir()) == ["dist"]


@pytest.mark.server
def test_a_full_disk_with_nothing_there_before_leaves_nothing(project_root, tmp_path):
    with tmpfs(tmp_path / "disk", "64k") as disk:
        result = run_cli("build", "--project", str(project_root), "--out", str(disk / "dist"))
        assert result.returncode == 74, result.stderr
        assert "No space left on device" in result.stderr and len(result.stderr.strip().splitlines()) == 1
        assert list(disk.iterdir()) == []


@pytest.mark.server
def test_a_read_only_output_is_exit_74_and_the_traceback_comes_only_with_v(project_root, tmp_path):
    with tmpfs(tmp_path / "disk", "4m") as disk:
        out = disk / "dist"
        assert run_cli("-q", "build", "--project", str(project_root), "--out", str(out)).returncode == 0
        before = snapshot(out)
        remount(disk, "ro")
        quiet = run_cli("build", "--project", str(project_root), "--out", str(out))
        verbose = run_cli("-v", "build", "--project", str(project_root), "--out", str(out))
        dump = run_cli("dump", "--dist", str(out))
        remount(disk, "rw")
        assert snapshot(out) == before
    assert quiet.returncode == verbose.returncode == dump.returncode == 74
    assert quiet.stderr.strip() == f"error: cannot write {out}: Read-only file system"
    assert "Traceback" not in quiet.stderr and "Traceback" in verbose.stderr
    assert dump.stderr.strip() == f"error: cannot write {out / 'migration-kg.nq.gz'}: Read-only file system"
