"""The code blocks of README.md and docs/*.md, read so that the tests can run each as written.

Every fenced block names its language: ``console`` (``$ command`` lines, each followed by the output it prints),
``sh`` (commands, no output shown), ``sparql`` (a query for ``migration-kg query``), ``python``, ``turtle`` (data
that must parse, and by default be in the built graph), or ``text`` (usage lines, file contents: not run). A
markdown table right after a block is the output its last command (or its query) must print.

An HTML comment on the line before a block tunes how it runs, e.g. ``<!-- doctest: virtuoso exit=0,1 -->``:

- ``skip="why"``: not run (benchmarks that take minutes); the test reports it as skipped with the reason;
- ``virtuoso``: a fresh Virtuoso is started first with ``scripts/start-virtuoso`` (as docs/stores.md shows), on
  the documented ports;
- ``wikidata``: the Wikidata query service is replaced by a real Oxigraph server on 127.0.0.1:7878 loaded with
  real Wikidata RDF and the real-shape fixture (as docs/wikidata.md shows); ``link`` commands are pointed at it;
- ``before="command"``: a command run first, not shown (a server the block talks to); repeatable;
- ``given="path=source"``: a file of the repository copied into the working directory first; repeatable;
- ``no-site-extra``: run where the ``site`` extra's packages cannot be imported;
- ``exit=0,1``: exit codes the commands may end with (by default 0, or any code when the shown output of the
  command has an ``error:`` line);
- ``timings``: durations and rates in the output may differ from the shown ones;
- ``parse-only`` (turtle): the data need not be in the built graph.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

LANGUAGES = ("console", "sh", "sparql", "python", "turtle", "text")
_FENCE = re.compile(r"^```(.*)$")
_MARKER = re.compile(r"^<!--\s*doctest:(.*?)-->\s*$")
_REPEATABLE = ("before", "given")


@dataclass
class Command:
    """One shell command of a block and the output it is shown to print."""

    text: str
    output: list[str] = field(default_factory=list)

    @property
    def interrupted(self) -> bool:
        """A server shown being stopped with Ctrl-C (a ``^C`` line in its output)."""
        return "^C" in self.output


@dataclass
class Block:
    """A fenced code block: where it is, its language, its lines, its marker options and the table after it."""

    path: Path
    line: int
    language: str
    lines: list[str]
    options: dict[str, list[str]] = field(default_factory=dict)
    table: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.path.name}:{self.line}"

    def option(self, name: str) -> str | None:
        values = self.options.get(name)
        return values[-1] if values else None

    def commands(self) -> list[Command]:
        """The commands of a ``console`` or ``sh`` block, with their shown output (continued lines joined)."""
        commands: list[Command] = []
        prompt = self.language == "console"
        continuing = False
        for line in self.lines:
            if continuing:
                commands[-1].text += "\n" + line
                continuing = line.endswith("\\")
            elif prompt and line.startswith("$ "):
                commands.append(Command(line[2:]))
                continuing = line.endswith("\\")
            elif not prompt and line.strip() and not line.lstrip().startswith("#"):
                commands.append(Command(line))
                continuing = line.endswith("\\")
            elif prompt and commands:
                commands[-1].output.append(line)
        return commands


def parse_options(text: str) -> dict[str, list[str]]:
    """``key key=value key="a value"`` as a dict of lists (``before`` and ``given`` may repeat)."""
    options: dict[str, list[str]] = {}
    for token in shlex.split(text):
        key, _, value = token.partition("=")
        options.setdefault(key, []).append(value)
    return options


def read_blocks(path: Path) -> list[Block]:
    """Every fenced block of a markdown file, with its marker and the table that follows it."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        fence = _FENCE.match(lines[index])
        if not fence:
            index += 1
            continue
        start = index
        end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("```"))
        previous = next((lines[i] for i in range(start - 1, -1, -1) if lines[i].strip()), "")
        marker = _MARKER.match(previous)
        block = Block(path, start + 1, fence.group(1).strip(), lines[start + 1:end],
                      parse_options(marker.group(1)) if marker else {})
        after = end + 1
        while after < len(lines) and not lines[after].strip():
            after += 1
        while after < len(lines) and lines[after].startswith("|"):
            block.table.append(lines[after])
            after += 1
        blocks.append(block)
        index = end + 1
    return blocks


def table_rows(lines: list[str]) -> list[list[str]]:
    """The rows of a markdown table (header included, the ``---`` line left out), cells stripped."""
    rows = []
    for line in lines:
        cells = [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        if cells and all(re.fullmatch(r":?-+:?", cell) for cell in cells):
            continue
        rows.append(cells)
    return rows


_TIMINGS = [(re.compile(r"\b\d[\d,]*(\.\d+)? s\b"), "N s"), (re.compile(r"\b\d[\d,]* triples/s\b"), "N triples/s")]


def matches(expected: list[str], actual: list[str], timings: bool = False) -> bool:
    """True when ``actual`` lines are the ``expected`` ones; a line ``...`` stands for any lines (or none)."""
    def clean(lines: list[str]) -> list[str]:
        cleaned = [line.rstrip() for line in lines]
        if timings:
            for pattern, replacement in _TIMINGS:
                cleaned = [pattern.sub(replacement, line) for line in cleaned]
        while cleaned and not cleaned[-1]:
            cleaned.pop()
        return cleaned

    want, got = clean(expected), clean(actual)
    if "..." not in want:
        return want == got
    pattern = "\n".join(".*?" if line == "..." else re.escape(line) for line in want)
    return re.fullmatch(pattern.replace("\n.*?\n", "(?:\n.*?)?\n"), "\n".join(got), re.DOTALL) is not None
