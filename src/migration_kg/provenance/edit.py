"""Editing a Turtle data file in place: its header comment is kept, its triples are written canonically.

The data files are written in rdflib's Turtle layout (subjects sorted, one predicate a line) under a header
of comment lines, so a file can be read, changed and written back with a diff limited to what changed. A
file in another layout is written back in that layout; one with comments after its header is refused, since
they would be lost, unless the caller accepts that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from migration_kg.errors import InputError
from migration_kg.files import write_file_atomically
from migration_kg.graph.load import load_graph


@dataclass
class DataFile:
    """A Turtle data file as a header (its leading comment lines) and a graph."""

    path: Path
    header: str
    graph: Graph
    #: False when the file has comments after its header, which writing it back would lose.
    canonical: bool = True
    reformat: bool = False

    @classmethod
    def read(cls, path: Path, reformat: bool = False) -> DataFile:
        """Parse ``path``; writing it back is refused later if it would reformat it, unless ``reformat``."""
        if path.suffix != ".ttl":
            raise InputError("only Turtle (.ttl) data files can be edited", path)
        text = path.read_text(encoding="utf-8")
        data = cls(path, _header(text), load_graph([path]), reformat=reformat)
        data.canonical = not any(_has_comment(line) for line in text.splitlines()[len(data.header.splitlines()):])
        return data

    def render(self) -> str:
        body = self.graph.serialize(format="turtle").lstrip("\n")
        return (self.header + "\n\n" if self.header else "") + body

    def write(self) -> Path:
        if not self.canonical and not self.reformat:
            raise InputError("this file has comments after its header, which writing it back would lose; "
                             "pass --reformat to accept that", self.path)
        return write_file_atomically(self.path, self.render())


def _header(text: str) -> str:
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    return "\n".join(lines)


_STRINGS_AND_IRIS = re.compile(r'"""(?:.|\n)*?"""|"(?:[^"\\]|\\.)*"|<[^>\s]*>')


def _has_comment(line: str) -> bool:
    """Whether a Turtle line holds a comment (a ``#`` outside strings and IRIs)."""
    return "#" in _STRINGS_AND_IRIS.sub("", line)
