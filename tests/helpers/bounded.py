"""Run a command in a child process that cannot eat the machine: a cap on its address space and a time limit.

Resource-exhaustion tests go through here, so that a regression fails the test instead of swapping the shared
machine: the child gets ``memory_mb`` of address space (``RLIMIT_AS``) and is killed after ``timeout`` seconds.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Outcome:
    """How a bounded child ended: exit code (negative: killed by that signal), output, and peak memory."""

    returncode: int
    stdout: str
    stderr: str
    timed_out: bool
    peak_rss_mb: float


def _limit(memory_mb: int) -> None:
    cap = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def run_bounded(args: Sequence[str], *, memory_mb: int = 2048, timeout: float = 120.0, cwd: Path | None = None,
                env: Mapping[str, str] | None = None) -> Outcome:
    """Run ``args`` with at most ``memory_mb`` MiB of address space and ``timeout`` seconds."""
    environment = {**os.environ, **(env or {})}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    process = subprocess.Popen(list(args), cwd=cwd, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, preexec_fn=lambda: _limit(memory_mb))
    try:
        stdout, stderr = process.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
        timed_out = True
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return Outcome(process.returncode, stdout, stderr, timed_out, max(peak, before) / 1024)


def migration_kg(*args: str, **options: object) -> Outcome:
    """``migration-kg ARGS`` (this checkout's package) as a bounded child."""
    return run_bounded([sys.executable, "-m", "migration_kg", *args], **options)  # type: ignore[arg-type]
