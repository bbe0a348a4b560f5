"""A real Virtuoso server for tests: Debian's ``virtuoso-opensource-7-bin``, on free loopback ports, in a temp dir.

The fixture writes its own ``virtuoso.ini`` (every file inside one directory, both ports on 127.0.0.1), starts
``virtuoso-t -f`` as a child process, waits until the HTTP endpoint answers, grants SPARQL_UPDATE to the anonymous
"SPARQL" user through ``isql-vt`` and stops the server at the end. ``isql-vt`` exits 0 even when a statement fails,
so its output is checked for error lines.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from servers import free_port

DBA_PASSWORD = "dba"  # the password of a fresh Virtuoso database; the server listens on 127.0.0.1 only
_ISQL_ERROR = re.compile(r"^\*\*\* Error|^Virtuoso \w+ Error|Error [A-Z0-9]+:", re.MULTILINE)

_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
ServerThreads = 10
CheckpointInterval = 60
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = ., {dir}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
MaxClientConnections = 5
ServerThreads = 5

[SPARQL]
ResultSetMaxRows = 10000
MaxQueryExecutionTime = 60
"""


def virtuoso_available() -> bool:
    """True when ``virtuoso-t`` and ``isql-vt`` are on PATH (``scripts/install-system-packages`` installs them)."""
    return bool(shutil.which("virtuoso-t") and shutil.which("isql-vt"))


@dataclass
class VirtuosoServer:
    """A running ``virtuoso-t -f`` with its directory, ports and endpoints."""

    directory: Path
    http_port: int
    sql_port: int
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def sparql_url(self) -> str:
        return f"{self.base}/sparql"

    @property
    def auth_sparql_url(self) -> str:
        return f"{self.base}/sparql-auth"

    @property
    def graph_store_url(self) -> str:
        return f"{self.base}/sparql-graph-crud"

    def start(self, timeout: float = 60.0) -> None:
        """Start the server in the foreground as a child process and wait until /sparql answers."""
        self.process = subprocess.Popen(
            ["virtuoso-t", "-f", "-c", str(self.directory / "virtuoso.ini")], cwd=self.directory,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = (self.directory / "virtuoso.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"virtuoso-t exited with {self.process.returncode}:\n{log}")
            try:
                with urllib.request.urlopen(f"{self.sparql_url}?query=ASK%7B%7D", timeout=2):
                    return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.2)
        raise RuntimeError(f"Virtuoso not ready on port {self.http_port} after {timeout} s")

    def stop(self, kill: bool = False) -> None:
        """Stop the server: SIGKILL when ``kill`` (a crash), else SIGTERM; wait for the process to end."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def isql(self, statements: str) -> str:
        """Run SQL through ``isql-vt`` as dba; raise on any error line (isql itself exits 0 on errors)."""
        result = subprocess.run(
            ["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", DBA_PASSWORD],
            input=statements, capture_output=True, text=True, timeout=120, check=False)
        output = result.stdout + result.stderr
        if result.returncode != 0 or _ISQL_ERROR.search(output):
            raise RuntimeError(f"isql-vt failed:\n{output[-2000:]}")
        return output


@contextlib.contextmanager
def virtuoso_server(directory: Path) -> Iterator[VirtuosoServer]:
    """A fresh Virtuoso with its own configuration in ``directory``, writable by anonymous SPARQL; stopped after."""
    if not virtuoso_available():
        raise RuntimeError("Virtuoso is not installed: run scripts/install-system-packages "
                           "(Debian package virtuoso-opensource-7-bin)")
    directory.mkdir(parents=True, exist_ok=True)
    server = VirtuosoServer(directory=directory, http_port=free_port(), sql_port=free_port())
    (directory / "virtuoso.ini").write_text(
        _INI.format(dir=directory, sql_port=server.sql_port, http_port=server.http_port), encoding="utf-8")
    server.start()
    try:
        server.isql('GRANT SPARQL_UPDATE TO "SPARQL";\n')
        yield server
    finally:
        server.stop()
