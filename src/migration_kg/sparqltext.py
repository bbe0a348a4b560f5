"""SPARQL query text as text: the prefixes it uses and declares, the header comments of our query files, and the
opening brace of its WHERE clause, where a ``VALUES`` block binds parameters in a form every store accepts.

Nothing here parses SPARQL fully; a small tokenizer skips comments, strings and IRIs, which is all these tasks
need. (Virtuoso 7.2 refuses a ``VALUES`` clause after ``ASK`` or ``CONSTRUCT``, but takes one inside the WHERE
clause, which SPARQL 1.1 defines for every query form.)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from itertools import pairwise

_TOKEN = re.compile(r'''
    (?P<comment>\#[^\n]*)
  | (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
               |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<variable>[?$]\w+)
  | (?P<prefix>(?:[^\W\d_][\w.-]*)?:)
  | (?P<word>[^\W\d]\w*)
  | (?P<open>\{)
  | (?P<close>\})
  | (?P<other>\S)
  | \s+
''', re.VERBOSE | re.DOTALL)
_PARAM = re.compile(r"^#\s*param:\s*(\w+)\s*=\s*(.+?)\s*$")


def _tokens(text: str) -> list[tuple[str, str, int]]:
    """(kind, text, offset) of every token but white space."""
    return [(match.lastgroup, match.group(), match.start()) for match in _TOKEN.finditer(text)
            if match.lastgroup is not None]


def declared_prefixes(text: str) -> set[str]:
    """The prefixes declared by ``PREFIX name: <iri>`` in the query's prologue (``""`` for the empty prefix)."""
    declared = set()
    tokens = _tokens(text)
    for (kind, word, _), (next_kind, name, _) in pairwise(tokens):
        if kind == "word" and word.upper() == "PREFIX" and next_kind == "prefix":
            declared.add(name[:-1])
    return declared


def used_prefixes(text: str) -> set[str]:
    """The prefixes of the prefixed names (``org:member``, ``xsd:date``) the query uses."""
    used = set()
    tokens = _tokens(text)
    for index, (kind, name, _) in enumerate(tokens):
        after_prefix = index > 0 and tokens[index - 1][0] == "word" and tokens[index - 1][1].upper() == "PREFIX"
        if kind == "prefix" and not after_prefix:
            used.add(name[:-1])
    return used


def add_prefixes(text: str, known: Mapping[str, str]) -> tuple[str, list[str]]:
    """``text`` with a ``PREFIX`` line for every prefix it uses without declaring, among ``known`` (name ->
    namespace), put before its first line; and the names added, sorted. Unknown prefixes are left alone."""
    missing = sorted((used_prefixes(text) - declared_prefixes(text)) & set(known))
    if not missing:
        return text, []
    lines = "".join(f"PREFIX {name}: <{known[name]}>\n" for name in missing)
    return lines + text, missing


def undeclared_prefixes(text: str) -> list[str]:
    """The prefixes ``text`` uses without declaring them, sorted."""
    return sorted(used_prefixes(text) - declared_prefixes(text))


def _short_construct(tokens: list[tuple[str, str, int]]) -> bool | None:
    """For a CONSTRUCT query, whether it is the short form ``CONSTRUCT WHERE { ... }``; None for other forms."""
    forms = [(i, word.upper()) for i, (kind, word, _) in enumerate(tokens)
             if kind == "word" and word.upper() in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")]
    if not forms or forms[0][1] != "CONSTRUCT":
        return None
    following = tokens[forms[0][0] + 1] if forms[0][0] + 1 < len(tokens) else ("", "", 0)
    return following[0] == "word" and following[1].upper() == "WHERE"


def where_clause_start(text: str) -> int:
    """The offset just after the ``{`` that opens the query's WHERE clause (``CONSTRUCT`` templates skipped)."""
    tokens = _tokens(text)
    skip_template = _short_construct(tokens) is False
    depth = 0
    for kind, _, offset in tokens:
        if kind == "open":
            if depth == 0:
                if not skip_template:
                    return offset + 1
                skip_template = False
            depth += 1
        elif kind == "close":
            depth -= 1
    raise ValueError("the query has no WHERE clause")


def values_block(bindings: Mapping[str, str]) -> str:
    """A ``VALUES`` block binding each variable to a term written in SPARQL syntax (``<iri>``, ``"text"@fr``)."""
    names = sorted(bindings)
    if len(names) == 1:
        return f"VALUES ?{names[0]} {{ {bindings[names[0]]} }}"
    return (f"VALUES ({' '.join('?' + name for name in names)}) "
            f"{{ ({' '.join(bindings[name] for name in names)}) }}")


def with_values(text: str, bindings: Mapping[str, str], comment: str = "") -> str:
    """``text`` with a ``VALUES`` block for ``bindings`` as the first line of its WHERE clause.

    The block joins first, so the query means what it would with the variables replaced by the values.
    """
    if not bindings:
        return text
    if _short_construct(_tokens(text)):  # CONSTRUCT WHERE allows triples only: a trailing VALUES clause instead
        return f"{text.rstrip()}\n{values_block(bindings)}\n"
    start = where_clause_start(text)
    rest = text[start:]
    note = f"  # {comment}" if comment else ""
    if not rest.lstrip(" \t").startswith("\n"):
        note += "\n "
    return f"{text[:start]}\n  {values_block(bindings)}{note}{rest}"


def header_params(text: str) -> dict[str, str]:
    """The defaults declared in a query file's header comments, ``# param: NAME = VALUE``, as written."""
    params = {}
    for line in text.splitlines():
        if match := _PARAM.match(line):
            params[match.group(1)] = match.group(2)
    return params
