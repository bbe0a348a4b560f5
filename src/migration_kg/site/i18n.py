"""The site's two languages: which one a page is being written in, and where each language's pages live.

English pages sit at the site's root (``id/city/montreal.html``), French pages under ``fr/``
(``fr/id/city/montreal.html``); data files, pictures, downloads and assets are shared by both. Page writers
name every page by its English path and write text through :func:`choose`; while :func:`writing_in` is active,
both follow the language being written, so the same writer produces either language.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}

_current: ContextVar[str] = ContextVar("migration_kg_site_language", default=DEFAULT_LANGUAGE)


@contextmanager
def writing_in(language: str) -> Iterator[str]:
    """Write pages in ``language`` until the block ends."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown site language {language!r}; expected one of {', '.join(LANGUAGES)}")
    token = _current.set(language)
    try:
        yield language
    finally:
        _current.reset(token)


def current_language() -> str:
    """The language of the page being written."""
    return _current.get()


def choose(english: str, french: str) -> str:
    """The text of the language being written."""
    return french if current_language() == "fr" else english


def is_page(path: str) -> bool:
    """Whether a site path names an HTML page (which exists once per language) rather than a shared file."""
    return path.split("#", 1)[0].endswith(".html")


def in_language(path: str, language: str) -> str:
    """The site path of an English page's version in ``language``; shared files keep their path."""
    if language == DEFAULT_LANGUAGE or not is_page(path):
        return path
    return f"{language}/{path}"


def localized_file(path: str) -> str:
    """A file written once per language (a standalone picture): under the language's folder except in English."""
    language = current_language()
    return path if language == DEFAULT_LANGUAGE else f"{language}/{path}"


def relative_path(from_page: str, target: str, *, to_language: str | None = None) -> str:
    """A relative link from an (English-named) page being written to a site path, in the right language.

    ``to_language`` links to another language's version of ``target`` (the language switch); by default a page
    links to pages of its own language and to shared files.
    """
    language = current_language()
    # A link depends on the folder of the page it is written in, not on the page: pages of a folder share them.
    key = (language, from_page.rpartition("/")[0] if from_page.endswith(".html") else from_page, target,
           to_language)
    found = _LINKS.get(key)
    if found is None:
        if len(_LINKS) >= _MAX_LINKS:
            _LINKS.clear()
        found = _LINKS[key] = _relative_path(from_page, target, language, to_language)
    return found


_LINKS: dict[tuple[str, str, str, str | None], str] = {}
_MAX_LINKS = 50_000


def _relative_path(from_page: str, target: str, language: str, to_language: str | None) -> str:
    fragment = ""
    if "#" in target:
        target, fragment = target.split("#", 1)
        fragment = "#" + fragment
    if not target:
        return fragment
    source = in_language(from_page, language)
    destination = in_language(target, to_language or language)
    return _relpath(destination, source) + fragment


@lru_cache(maxsize=1 << 12)
def _parts(path: str) -> tuple[str, ...] | None:
    """The components of a site path; None unless the path is plain (no empty, ``.`` or ``..`` component)."""
    parts = tuple(path.split("/"))
    return None if any(part in ("", ".", "..") for part in parts) else parts


def _relpath(destination: str, source: str) -> str:
    """``posixpath.relpath(destination, dirname(source) or ".")``, by string work for plain site paths."""
    start, target = _parts(source), _parts(destination)
    if start is None or target is None:
        return posixpath.relpath(destination, posixpath.dirname(source) or ".")
    start = start[:-1]
    common = 0
    for mine, theirs in zip(start, target, strict=False):
        if mine != theirs:
            break
        common += 1
    return "/".join([".."] * (len(start) - common) + list(target[common:])) or "."


def site_root(from_page: str) -> str:
    """The relative path from the page being written to the site's root folder, ending in '/' (or '')."""
    depth = in_language(from_page, current_language()).count("/")
    return "../" * depth
