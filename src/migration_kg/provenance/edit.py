"""Editing a Turtle data file in place: its header comment is kept, its triples are written canonically.

The data files are written in rdflib's Turtle layout (subjects sorted, one predicate a line) under a header
of comment lines, so a file can be read, changed and written back with a diff limited to what changed. A
file in any other layout (comments between the triples, say) is refused rather than reformatted silently.
"""

from __future__ import annotations

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
    #: Whether writing the file back unchanged would give the same text (else writing it reformats it).
    canonical: bool = True
    reformat: bool = False

    @classmethod
    def read(cls, path: Path, reformat: bool = False) -> DataFile:
        """Parse ``path``; writing it back is refused later if it would reformat it, unless ``reformat``."""
        if path.suffix != ".ttl":
            raise InputError("only Turtle (.ttl) data files can be edited", path)
        text = path.read_text(encoding="utf-8")
        data = cls(path, _header(text), load_graph([path]), reformat=reformat)
        data.canonical = data.render() == _normalised(text)
        return data

    def render(self) -> str:
        body = self.graph.serialize(format="turtle").strip()
        return (self.header + "\n\n" if self.header else "") + body + "\n"

    def write(self) -> Path:
        if not self.canonical and not self.reformat:
            raise InputError("this file is not in the canonical Turtle layout (rdflib's, under a header comment), "
                             "so writing it back would reformat it; pass --reformat to accept that", self.path)
        return write_file_atomically(self.path, self.render())


def _header(text: str) -> str:
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    return "\n".join(lines)


def _normalised(text: str) -> str:
    header = _header(text)
    body = text[len(header):].strip()
    return (header + "\n\n" if header else "") + body + "\n"
