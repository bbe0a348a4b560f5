"""Exit codes a script can trust: 1 is only ever a verdict; an internal failure exits 70, an I/O failure 74,
Ctrl-C 130, each with one line on stderr (the traceback only with -v); and the README's table lists every code
the program can return."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from processes import default_sigint

from migration_kg import errors

CLI = [sys.executable, "-m", "migration_kg"]
# The real CLI in a child Python with one function of the pipeline replaced by a failing one: a fault injected
# where a bug would be, to see what a user would see.
FAULTY = """
import sys
import migration_kg.pipeline.build as build
def broken(*args, **kwargs):
    raise {error}
build.write_graph_files = broken
from migration_kg.cli.main import main
sys.argv = ["migration-kg", *sys.argv[1:]]
main()
"""


def run(*args: str, error: str | None = None, **options) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", FAULTY.format(error=error), *args] if error else [*CLI, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False, **options)


def readme_codes(readme: Path) -> set[int]:
    """Every code in the first column of the README's exit-code table ("3, 4, 5, 6", "10 to 15")."""
    section = readme.read_text(encoding="utf-8").split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    codes: set[int] = set()
    for line in section.splitlines():
        cell = line.split("|")[1].strip() if line.startswith("|") else ""
        if match := re.fullmatch(r"(\d+) to (\d+)", cell):
            codes.update(range(int(match.group(1)), int(match.group(2)) + 1))
        elif re.fullmatch(r"\d+(, \d+)*", cell):
            codes.update(int(code) for code in cell.split(", "))
    return codes


def test_the_readme_table_lists_every_exit_code_and_no_other(project_root):
    defined = {value for name, value in vars(errors).items() if name.startswith("EXIT_")}
    assert readme_codes(project_root / "README.md") == defined


def test_an_internal_failure_exits_70_with_one_line_and_the_traceback_only_with_v(project_root, tmp_path):
    quiet = run("build", "--project", str(project_root), "--out", str(tmp_path / "dist"),
                error="KeyError('.gz')")
    assert quiet.returncode == 70
    assert quiet.stderr.strip().splitlines() == [
        "error: internal error (KeyError: '.gz'); run with -v for the traceback, and please report it"]
    verbose = run("-v", "build", "--project", str(project_root), "--out", str(tmp_path / "dist"),
                  error="KeyError('.gz')")
    assert verbose.returncode == 70 and "Traceback (most recent call last)" in verbose.stderr
    assert not (tmp_path / "dist").exists() and list(tmp_path.iterdir()) == []


def test_running_out_of_memory_exits_70(project_root, tmp_path):
    result = run("-q", "build", "--project", str(project_root), "--out", str(tmp_path / "dist"),
                 error="MemoryError()")
    assert (result.returncode, result.stderr.strip()) == (70, "error: out of memory")


def test_standard_output_on_a_full_disk_exits_74(dist_dir):
    with open("/dev/full", "w") as full:
        result = subprocess.run([*CLI, "query", "council-funders", "--dist", str(dist_dir), "--format", "csv"],
                                stdout=full, stderr=subprocess.PIPE, text=True, timeout=120, check=False)
    assert result.returncode == 74
    assert result.stderr.strip() == "error: cannot write to standard output: No space left on device"


def test_a_closed_pipe_is_quiet(dist_dir):
    """`migration-kg query ... | head -0`: the reader is gone before the answer is written."""
    process = subprocess.Popen([*CLI, "query", "labels-en-fr", "--dist", str(dist_dir), "--format", "csv"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None
    process.stdout.close()
    stderr = process.communicate(timeout=60)[1].decode()
    assert (process.returncode, stderr) == (74, "")


def test_ctrl_c_exits_130_and_leaves_no_staging_folder(tmp_path):
    from synthetic import generator

    project = tmp_path / "project"
    generator().main(["--triples", "60000", "--out", str(project)])
    process = subprocess.Popen([*CLI, "build", "--project", str(project)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, preexec_fn=default_sigint)
    deadline = time.monotonic() + 120
    while not list(project.glob(".dist.new-*")) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines()[-1] == "error: interrupted"
    assert list(project.glob(".dist*")) == []


@pytest.mark.parametrize("mode", ["verdict", "usage"])
def test_one_stays_a_verdict(project_root, fixtures_dir, mode):
    if mode == "verdict":
        result = run("validate", "--project", str(project_root), str(fixtures_dir / "cli" / "user-data-invalid.ttl"))
        assert result.returncode == 1
    else:
        result = run("build", "--no-such-option")
        assert result.returncode == 2
