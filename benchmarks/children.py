"""Running one benchmarked command as a child: its wall time, exit code, output and its own peak memory."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time


def timed_child(args: list[str], timeout: float, *, keep_stdout: bool = False) -> dict:
    """Run ``args``; seconds, exit code, stderr (and stdout if asked) and peak resident MB, from the child's own
    rusage (reaped with ``wait4``). A child still running after ``timeout`` is killed: ``seconds`` is then None."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(args, stdout=out if keep_stdout else subprocess.DEVNULL, stderr=err)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                os.wait4(process.pid, 0)
                return {"seconds": None, "note": f"stopped after {timeout:.0f} s"}
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        result = {"seconds": seconds, "exit": os.waitstatus_to_exitcode(status), "peak_mb": usage.ru_maxrss / 1024,
                  "stderr": err.read().decode(errors="replace")}
        if keep_stdout:
            result["stdout"] = out.read().decode(errors="replace")
        return result
