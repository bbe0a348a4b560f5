"""A local HTTP server that answers like Wikidata's ``wbsearchentities`` API, over the labels of Turtle files.

Like the real one it matches the search text as a prefix of a label or alias, ignoring case and accents, in the
requested language and its fallbacks (``fr`` → ``mul`` → ``en``; ``en`` → ``mul``; a regional variant first falls
back to its base language), and answers in the real JSON shape (``searchinfo``, ``search`` entries with ``id``,
``concepturi``, ``display``, ``label``, ``match``, ``aliases``; ``success``). Errors come back as the API's
``{"error": {"code", "info"}}`` object with status 200, as the real API does.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import unicodedata
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS
from servers import http_server

ENTITY = "http://www.wikidata.org/entity/"
SCHEMA_DESCRIPTION = URIRef("http://schema.org/description")


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a name, as the search index compares them."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def fallbacks(language: str) -> list[str]:
    """The language fallback chain of the search API for ``language``."""
    chain = [language]
    if "-" in language:
        chain.append(language.split("-", 1)[0])
    for extra in ("mul", "en"):
        if extra not in chain:
            chain.append(extra)
    return chain


@dataclass
class SearchIndex:
    """Labels, aliases and descriptions of every item in some Turtle files."""

    terms: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    descriptions: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def of(cls, paths: Sequence[Path]) -> SearchIndex:
        graph = Graph()
        for path in paths:
            graph.parse(path, format="turtle")
        index = cls()
        for kind, predicate in (("label", RDFS.label), ("alias", SKOS.altLabel)):
            for subject, value in graph.subject_objects(predicate):
                if str(subject).startswith(ENTITY + "Q") and isinstance(value, Literal):
                    index.terms.setdefault(str(subject)[len(ENTITY):], []).append(
                        (kind, value.language or "", str(value)))
        for subject, value in graph.subject_objects(SCHEMA_DESCRIPTION):
            if isinstance(value, Literal):
                index.descriptions.setdefault(str(subject)[len(ENTITY):], {})[value.language or ""] = str(value)
        return index

    def search(self, text: str, language: str, limit: int) -> list[dict[str, object]]:
        """Entries in the real API's shape, best matches (exact, then prefix; labels before aliases) first."""
        wanted = fold(text.strip())
        chain = fallbacks(language)
        found = []
        for qid, terms in sorted(self.terms.items()):
            matches = [(kind, lang, value) for kind, lang, value in terms
                       if lang in chain and fold(value).startswith(wanted)]
            if not wanted or not matches:
                continue
            kind, lang, value = min(matches, key=lambda m: (fold(m[2]) != wanted, m[0] != "label",
                                                             chain.index(m[1])))
            labels = {lg: v for k, lg, v in terms if k == "label"}
            label_language = next((lg for lg in chain if lg in labels), None)
            entry: dict[str, object] = {
                "id": qid, "title": qid, "pageid": int(qid[1:]) % 100000, "concepturi": ENTITY + qid,
                "repository": "wikidata", "url": f"//www.wikidata.org/wiki/{qid}",
                "display": {"label": {"value": labels[label_language], "language": label_language}}
                if label_language else {},
                "label": labels[label_language] if label_language else value,
                "match": {"type": kind, "language": lang, "text": value}}
            description = self.descriptions.get(qid, {})
            if description_language := next((lg for lg in chain if lg in description), None):
                entry["description"] = description[description_language]
            if kind == "alias":
                entry["aliases"] = [value]
            found.append((fold(value) != wanted, kind != "label", qid, entry))
        found.sort(key=lambda f: f[:3])
        return [entry for *_key, entry in found[:limit]]


@dataclass
class SearchServer:
    """A running search API: its URL and the query strings it received."""

    url: str = ""
    requests: list[dict[str, str]] = field(default_factory=list)


@contextlib.contextmanager
def search_api(paths: Sequence[Path]) -> Iterator[SearchServer]:
    """Serve ``wbsearchentities`` over the items of ``paths`` on a free 127.0.0.1 port for the block."""
    index = SearchIndex.of(paths)
    state = SearchServer()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *_args: object) -> None:
            return

        def do_GET(self) -> None:
            params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
            params["User-Agent"] = self.headers.get("User-Agent", "")
            state.requests.append(params)
            if params.get("action") != "wbsearchentities" or "search" not in params or "language" not in params:
                body = {"error": {"code": "badvalue", "info": "Unrecognized or missing parameter."}}
            else:
                limit = int(params.get("limit", "7"))
                body = {"searchinfo": {"search": params["search"]},
                        "search": index.search(params["search"], params["language"], limit), "success": 1}
            payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    with http_server(Handler) as port:
        state.url = f"http://127.0.0.1:{port}/w/api.php"
        yield state
