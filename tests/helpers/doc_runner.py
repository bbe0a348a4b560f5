"""Run the commands of one documentation block, the way a person at a terminal would, and report what each printed.

Started by tests/docs/test_examples.py as ``unshare --net python doc_runner.py SPEC RESULT`` where it can (root):
the block then has a loopback network of its own, so the ports the docs name (7878, 8766, 8890) never clash with
another test run, and nothing can leave the machine. Servers the block starts (``migration-kg serve``,
``sparql-server``, ``oxigraph serve``, ``scripts/start-virtuoso``), written with or without ``&``, run in the
background until their port answers, and are stopped when the block ends (with Ctrl-C where the docs show it).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shlex
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

from processes import default_sigint

READY_TIMEOUT = 120.0
COMMAND_TIMEOUT = 600.0
WIKIDATA_FIXTURE_PORT = 7878


def bring_loopback_up() -> None:
    """Set ``lo`` up in a fresh network namespace (what ``ip link set lo up`` does)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH", b"lo", 0)
        flags = struct.unpack("16sH", fcntl.ioctl(sock, 0x8913, request))[1]  # SIOCGIFFLAGS
        fcntl.ioctl(sock, 0x8914, struct.pack("16sH", b"lo", flags | 0x1))  # SIOCSIFFLAGS, IFF_UP


def _option(words: list[str], name: str) -> str | None:
    for index, word in enumerate(words):
        if word == name and index + 1 < len(words):
            return words[index + 1]
        if word.startswith(name + "="):
            return word.split("=", 1)[1]
    return None


def server_port(command: str) -> int | None:
    """The port a server command listens on, or None if the command is not one of the servers we know."""
    try:
        words = [word for word in shlex.split(command, comments=True) if word != "&"]
    except ValueError:
        return None
    if not words:
        return None
    program = Path(words[0]).name
    if program == "migration-kg" and "serve" in words[1:3]:
        return int(_option(words, "--port") or 8000)
    if program == "migration-kg" and "sparql-server" in words[1:3]:
        return int((_option(words, "--bind") or "127.0.0.1:7878").rsplit(":", 1)[1])
    if program == "oxigraph" and words[1:2] == ["serve"]:
        return int((_option(words, "--bind") or "localhost:7878").rsplit(":", 1)[1])
    if program == "start-virtuoso":
        positional = [word for word in words[1:] if not word.startswith("-")]
        return int(positional[1]) if len(positional) > 1 else 8890
    return None


def _listening(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        return True
    return False


class Session:
    """The working directory, the environment and the servers started so far."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.workdir = workdir
        self.env = env
        self.servers: list[tuple[subprocess.Popen, Path]] = []
        self.status = 0

    def start_server(self, command: str, port: int, log: Path) -> tuple[subprocess.Popen | None, str]:
        """Start ``command`` in the background; wait until ``port`` answers (and, for scripts/start-virtuoso,
        until it says it is ready: it grants the update right after Virtuoso starts listening). (process, problem)."""
        ready_text = b"Virtuoso ready" if "start-virtuoso" in command else b""
        text = command.rstrip().removesuffix("&").rstrip()
        with log.open("wb") as stream:
            process = subprocess.Popen(["bash", "-c", text], cwd=self.workdir, env=self.env, stdout=stream,
                                       stderr=subprocess.STDOUT, start_new_session=True,
                                       preexec_fn=default_sigint)
        self.servers.append((process, log))
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if _listening(port) and ready_text in log.read_bytes():
                return process, ""
            if process.poll() is not None:
                return None, f"the server stopped with code {process.returncode}"
            time.sleep(0.1)
        return None, f"nothing answered on port {port} within {READY_TIMEOUT:g} s"

    def run(self, command: str, interrupted: bool = False) -> dict:
        """Run one command; a server runs in the background (stopped with Ctrl-C when ``interrupted``)."""
        port = server_port(command)
        if port is not None:
            log = self.workdir.parent / f"server-{len(self.servers)}.log"
            process, problem = self.start_server(command, port, log)
            if problem or process is None:
                return {"command": command, "status": -1, "output": log.read_text(errors="replace") + problem}
            if not interrupted:
                return {"command": command, "status": 0, "output": "", "background": True}
            time.sleep(0.5)
            os.killpg(process.pid, signal.SIGINT)
            try:
                status = process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                status = process.wait()
            output = log.read_text(errors="replace")
            return {"command": command, "status": status, "output": "^C\n".join(_split_at_stop(output))}
        try:
            # `$?` is the previous command's status, as in the terminal the docs show
            result = subprocess.run(["bash", "-c", f"(exit {self.status}); {command}"], cwd=self.workdir,
                                    env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    timeout=COMMAND_TIMEOUT, check=False, start_new_session=True)
        except subprocess.TimeoutExpired as error:
            return {"command": command, "status": -1, "output": f"timed out after {error.timeout:g} s"}
        self.status = result.returncode
        return {"command": command, "status": result.returncode, "output": result.stdout.decode("utf-8", "replace")}

    def stop(self) -> None:
        for process, _ in reversed(self.servers):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


def _split_at_stop(output: str) -> list[str]:
    """A server's output cut where it says it stopped, to line up with the ``^C`` line of the docs."""
    lines = output.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if "stopped" in line.lower():
            return ["".join(lines[:index]), "".join(lines[index:])]
    return [output]


def main(spec_path: str, result_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    if spec.get("isolated"):
        bring_loopback_up()
    session = Session(Path(spec["workdir"]), spec["env"])
    results: list[dict] = []
    setup: list[dict] = []
    try:
        for command in spec["setup"]:
            outcome = session.run(command)
            setup.append(outcome)
            if outcome["status"] != 0:
                break
        else:
            for command in spec["commands"]:
                results.append(session.run(command["text"], command["interrupted"]))
    finally:
        session.stop()
        Path(result_path).write_text(json.dumps({"setup": setup, "results": results}), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
