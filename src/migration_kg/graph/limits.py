"""Input limits checked before any parser sees a file: size, line length, nesting depth, no DTD in RDF/XML.

A small file can exhaust the machine: blank nodes nested thousands deep overflow a recursive parser, and XML
entity declarations expand a kilobyte into gigabytes ("billion laughs"). Every RDF source is scanned here first,
in one linear pass that does not hold the file in memory, and refused with its name, line and the limit it breaks.
The limits come from the environment (:data:`ENV_MAX_FILE_SIZE`, :data:`ENV_MAX_LINE`, :data:`ENV_MAX_DEPTH`).
"""

from __future__ import annotations

import mmap
import os
import re
import xml.parsers.expat
from dataclasses import dataclass
from pathlib import Path

from migration_kg.errors import InputError, UsageError

ENV_MAX_FILE_SIZE = "MIGRATION_KG_MAX_FILE_SIZE"
ENV_MAX_LINE = "MIGRATION_KG_MAX_LINE_LENGTH"
ENV_MAX_DEPTH = "MIGRATION_KG_MAX_DEPTH"
DEFAULT_MAX_FILE_SIZE = 2 << 30
DEFAULT_MAX_LINE = 16 << 20
DEFAULT_MAX_DEPTH = 100
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
_CHUNK = 1 << 20
#: Turtle/TriG/N3 tokens that may hold brackets without opening anything: strings, IRIs, comments.
_TURTLE_TOKENS = re.compile(
    rb'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    rb'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^>\s]*>|(?<!\\)#[^\n]*|[\[\]()]', re.DOTALL)
_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_OPENERS = frozenset(b"[({")


@dataclass(frozen=True)
class Limits:
    """How large an input may be: bytes per file, bytes per line, nesting depth of brackets or XML elements."""

    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    max_line_length: int = DEFAULT_MAX_LINE
    max_depth: int = DEFAULT_MAX_DEPTH

    @classmethod
    def from_env(cls, environ: os._Environ[str] | dict[str, str] | None = None) -> Limits:
        """The limits set in the environment, else the defaults."""
        env = os.environ if environ is None else environ
        return cls(_size(env, ENV_MAX_FILE_SIZE, DEFAULT_MAX_FILE_SIZE), _size(env, ENV_MAX_LINE, DEFAULT_MAX_LINE),
                   _size(env, ENV_MAX_DEPTH, DEFAULT_MAX_DEPTH))


def _size(env: os._Environ[str] | dict[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip().upper().removesuffix("B").removesuffix("I")
    if not raw:
        return default
    match = re.fullmatch(r"(\d+)\s*([KMG]?)", raw)
    if not match or int(match.group(1)) < 1:
        raise UsageError(f"{name}={env[name]!r}: give a positive number, optionally with K, M or G")
    return int(match.group(1)) * _UNITS[match.group(2)]


def check_source(path: Path, syntax: str, limits: Limits | None = None) -> None:
    """Refuse ``path`` (of ``syntax``: turtle, ntriples, rdfxml or jsonld) if it breaks a limit; read it once."""
    limits = limits or Limits.from_env()
    try:
        size = path.stat().st_size
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}", path) from None
    if size > limits.max_file_size:
        raise InputError(f"file of {size:,} bytes is larger than the limit of {limits.max_file_size:,} "
                         f"(set {ENV_MAX_FILE_SIZE} to allow more)", path)
    if size == 0:
        return
    if syntax == "rdfxml":
        _check_xml(path, limits)
        return
    _check_lines(path, limits.max_line_length)
    if syntax in ("turtle", "jsonld"):
        _check_depth(path, _TURTLE_TOKENS if syntax == "turtle" else _JSON_TOKENS, limits.max_depth)


def _check_lines(path: Path, limit: int) -> None:
    """Refuse a line longer than ``limit`` bytes, reading in chunks no larger than the limit."""
    run = 0
    line = 1
    with path.open("rb") as stream:
        while chunk := stream.read(min(_CHUNK, limit)):
            first = chunk.find(b"\n")
            if first < 0:
                run += len(chunk)
            else:
                run += first
            if run > limit:
                raise InputError(f"line longer than the limit of {limit:,} bytes (set {ENV_MAX_LINE} to allow more)",
                                 path, line)
            if first >= 0:
                line += chunk.count(b"\n")
                run = len(chunk) - chunk.rfind(b"\n") - 1


def _check_depth(path: Path, tokens: re.Pattern[bytes], limit: int) -> None:
    """Refuse brackets nested deeper than ``limit`` (strings, IRIs and comments skipped)."""
    with path.open("rb") as stream, mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as text:
        if all(text.find(bytes([opener])) < 0 for opener in _OPENERS):
            return
        depth = 0
        for match in tokens.finditer(text):  # type: ignore[call-overload]
            token = match.group()
            if len(token) != 1:
                continue
            if token[0] in _OPENERS:
                depth += 1
                if depth > limit:
                    line = text[:match.start()].count(b"\n") + 1
                    raise InputError(f"brackets nested deeper than the limit of {limit} (set {ENV_MAX_DEPTH} to "
                                     "allow more)", path, line)
            else:
                depth = max(0, depth - 1)


class _Refused(Exception):
    """Raised from an expat handler to stop at the first forbidden construct."""


def _check_xml(path: Path, limits: Limits) -> None:
    """Refuse a DOCTYPE or entity declaration (as defusedxml does) and elements nested deeper than the limit."""
    parser = xml.parsers.expat.ParserCreate()
    depth = 0

    def refuse(what: str) -> None:
        raise _Refused(f"{what} (refused: entity expansion can exhaust memory; RDF/XML needs no DTD)")

    def start(_name: str, _attributes: object) -> None:
        nonlocal depth
        depth += 1
        if depth > limits.max_depth:
            raise _Refused(f"elements nested deeper than the limit of {limits.max_depth} "
                           f"(set {ENV_MAX_DEPTH} to allow more)")

    def end(_name: str) -> None:
        nonlocal depth
        depth -= 1

    parser.StartDoctypeDeclHandler = lambda *_args: refuse("DOCTYPE declaration")
    parser.EntityDeclHandler = lambda *_args: refuse("ENTITY declaration")
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _Refused as refused:
        raise InputError(str(refused), path, parser.CurrentLineNumber, parser.CurrentColumnNumber + 1) from None
    except xml.parsers.expat.ExpatError as error:
        message = xml.parsers.expat.ErrorString(error.code)
        raise InputError(f"syntax error: {message}", path, error.lineno, error.offset + 1) from None
