"""pyoxigraph's SPARQL syntax errors in words: one line, never cut, naming the file, line and column.

Oxigraph's parser lists what it expected, character classes of its grammar included
(``['A' ..= 'Z' | 'a' ..= 'z' | ...]``) over several lines; the message keeps the words and sums up the rest, and a
prefix that is not declared is named.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from migration_kg.errors import InputError
from migration_kg.sparqltext import undeclared_prefixes

_POSITION = re.compile(r"error at (\d+):(\d+):\s*")
_ALTERNATIVE = re.compile(r"^\[\s*'?([^'\s])'?\s*\]$")


def _split_alternatives(listing: str) -> list[str]:
    """The items of Oxigraph's "expected one of A, B, [...]" list, split at commas outside brackets and quotes."""
    items, depth, quoted, current = [], 0, False, ""
    for char in listing:
        if char == "'":
            quoted = not quoted
        elif not quoted and char == "[":
            depth += 1
        elif not quoted and char == "]":
            depth -= 1
        if char == "," and depth == 0 and not quoted:
            items.append(current.strip())
            current = ""
        else:
            current += char
    return [item for item in [*items, current.strip()] if item]


def _readable(detail: str, text: str, known: Mapping[str, str]) -> str:
    """Oxigraph's parser message in words: the character classes of its grammar summed up, never cut."""
    detail = " ".join(detail.split())
    if not detail.startswith("expected one of "):
        return detail
    items = _split_alternatives(detail.removeprefix("expected one of "))
    if "Prefix not found" in items:
        unknown = undeclared_prefixes(text)
        names = ", ".join(f"{name}:" for name in unknown) or "a prefix"
        return (f"undeclared prefix {names}; declare it with PREFIX, or use one of the project's prefixes, "
                f"which are declared for you ({', '.join(sorted(known))})")
    words, name_characters = [], False
    for item in items:
        if match := _ALTERNATIVE.match(item):
            words.append(f"'{match.group(1)}'")
        elif item.startswith("["):
            name_characters = True
        else:
            words.append(item)
    if name_characters:
        words.append("the rest of a name")
    if len(words) == 1:
        return f"expected {words[0]}"
    return f"expected one of {', '.join(words[:-1])} or {words[-1]}"


def described(error: SyntaxError, path: Path | str, text: str, offset: int, known: Mapping[str, str]) -> InputError:
    """``error`` as an InputError at the line and column of ``text`` as written: ``offset`` lines of prefix
    declarations had been put before it. ``known`` are the project's prefixes, named when one is missing."""
    message = str(error)
    match = _POSITION.search(message)
    detail = _readable(message[match.end():] if match else message, text, known) if message else "invalid query"
    if not match:
        return InputError(f"SPARQL syntax error: {detail}", path)
    return InputError(f"SPARQL syntax error: {detail}", path, int(match.group(1)) - offset, int(match.group(2)))
