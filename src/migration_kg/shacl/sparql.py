"""Rewrite a SHACL-SPARQL ``sh:select`` so that one run covers every focus node (https://www.w3.org/TR/shacl/#sparql-constraints).

SHACL pre-binds ``$this`` to one focus node per run. Joining a pattern that binds ``?this`` to all focus nodes
as the first element of the WHERE group gives the same rows, provided ``$this`` is only used where that join
is seen: in the WHERE group itself and in the ``EXISTS`` / ``NOT EXISTS`` groups of its filters (which see the
current row). Queries that use ``$this`` anywhere else, or use what SHACL forbids there (MINUS, VALUES,
SERVICE, sub-queries), are refused with :class:`~migration_kg.shacl.shapes.UnsupportedShaclFeature`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from migration_kg.shacl.shapes import UnsupportedShaclFeature

_TOKEN = re.compile(r'''
    (?P<comment>\#[^\n]*)
  | (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
      |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_]+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<open>\{) | (?P<close>\}) | (?P<other>\S)
''', re.X | re.S)
_FORBIDDEN = {"MINUS", "VALUES", "SERVICE"}


class Token(NamedTuple):
    kind: str
    text: str
    start: int
    end: int


def tokens(text: str) -> Iterator[Token]:
    """The tokens of a SPARQL query, without comments and blanks."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind != "comment":
            yield Token(kind, match.group(), match.start(), match.end())


def _unsupported(feature: str) -> Exception:
    return UnsupportedShaclFeature(feature)


def insert_focus(query: str, focus: str) -> tuple[str, bool]:
    """``query`` with ``focus`` joined first in its WHERE group, and whether it projected ``$this`` itself."""
    found = list(tokens(query))
    words = [(i, t) for i, t in enumerate(found) if t.kind == "word" and (i == 0 or found[i - 1].text != ":")]
    selects = [i for i, t in words if t.text.upper() == "SELECT"]
    if len(selects) != 1:
        raise _unsupported("a SPARQL constraint with a sub-query (or without SELECT)")
    for _, token in words:
        if token.text.upper() in _FORBIDDEN:
            raise _unsupported(f"{token.text.upper()} in a SPARQL constraint")
    select = selects[0]
    where = next((i for i in range(select, len(found)) if found[i].kind == "open"), None)
    if where is None:
        raise _unsupported("a SPARQL constraint without a WHERE group")
    projection = found[select + 1:where]
    this_projected = any(t.kind == "var" and t.text[1:] == "this" for t in projection) or \
        any(t.text == "*" for t in projection)
    _check_this(found, where)
    insert_at = found[select].end
    if projection and projection[0].kind == "word" and projection[0].text.upper() in ("DISTINCT", "REDUCED"):
        insert_at = projection[0].end
    head = query[:insert_at] + ("" if this_projected else " ?this") + query[insert_at:found[where].end]
    return f"{head} {focus} {query[found[where].end:]}", this_projected


def _check_this(found: list[Token], where: int) -> None:
    """Refuse ``$this`` outside the WHERE group and its EXISTS groups, and the variables pyshacl cannot bind."""
    stack: list[str] = []
    used = False
    for index in range(where, len(found)):
        token = found[index]
        if token.kind == "open":
            previous = found[index - 1].text.upper() if index > where else ""
            kind = "where" if index == where else "exists" if previous == "EXISTS" else "group"
            stack.append(kind if kind != "exists" or all(k in ("where", "exists") for k in stack) else "group")
        elif token.kind == "close" and stack:
            stack.pop()
        elif token.kind == "var":
            name = token.text[1:]
            if name in ("shapesGraph", "currentShape"):
                raise _unsupported(f"${name} in a SPARQL constraint")
            if name == "this":
                used = True
                if index > 0 and found[index - 1].text.upper() == "AS":
                    raise _unsupported("a SPARQL constraint that binds $this with AS")
                if any(kind == "group" for kind in stack):
                    raise _unsupported("$this inside a nested group, OPTIONAL, UNION or GRAPH of a SPARQL constraint")
    if not used:
        raise _unsupported("a SPARQL constraint that does not use $this")

