"""Search without a server: a static index of every entity's names, and the search page that reads it.

``search-index.js`` holds, for each entity of ours (claims left out), its page, its kind, its English and
French labels, its alternate names and one search key: all those names folded to lower case without accents
(NFKD, combining marks dropped, œ → oe), so that "athenes" finds Athènes. ``assets/site.js`` folds the
reader's words the same way. The index is a script rather than JSON so that it also loads from ``file://``;
pages load it only when the reader starts to search. It is built in one pass over the entities.
"""

from __future__ import annotations

import json
import re
import unicodedata

from rdflib import Literal
from rdflib.namespace import SKOS

from migration_kg.namespaces import SDO
from migration_kg.site.frame import page
from migration_kg.site.html import bi, esc, page_path, relative, ui
from migration_kg.site.model import SiteGraph, kind_of
from migration_kg.site.terms import KIND_TITLES

INDEX_PATH = "search-index.js"
FROM_PAGE = "search.html"
TITLE = ("Search the entities", "Rechercher dans les entités")

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "ø": "o", "Ø": "o", "ł": "l"})
_SEPARATORS = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Text as the search compares it: lower case, no accents, words separated by single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SEPARATORS.sub(" ", bare.lower()).strip()


def _alternate_names(site: SiteGraph, node: object) -> list[str]:
    names = {str(value) for predicate in (SDO.alternateName, SKOS.altLabel)
             for value in site.objects(node, predicate) if isinstance(value, Literal)}
    return sorted(names)


def search_entries(site: SiteGraph) -> list[dict[str, object]]:
    """One entry per entity of ours except claims: page, kind, labels, alternate names and the search key."""
    entries = []
    for node in site.described_entities():
        labels = site.labels(node)
        english, french = site.label(node, "en"), site.label(node, "fr")
        alternates = [name for name in _alternate_names(site, node) if name not in (english, french)]
        names = dict.fromkeys([english, french, *labels.values(), *alternates])
        entries.append({"p": page_path(node), "k": kind_of(str(node)), "en": english, "fr": french,
                        "alt": alternates, "key": " | ".join(fold(name) for name in names)})
    return entries


def search_index(site: SiteGraph) -> str:
    """The index as a small script that hands its data to the page (deterministic: entities in IRI order)."""
    kinds = {kind: {"en": en, "fr": fr} for kind, (en, fr) in sorted(KIND_TITLES.items())}
    document = {"kinds": kinds, "entities": search_entries(site)}
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return ("/* migration-kg search index, written by `migration-kg publish`. */\n"
            f"window.migrationKgSearch = {text};\n")


_HELP = ("Accents and capitals do not matter; French and English names both work.",
         "Les accents et les majuscules ne comptent pas ; les noms français et anglais fonctionnent.")
_FIELD = ("Name of a city, country, person, organization, event…",
          "Nom d'une ville, d'un pays, d'une personne, d'une organisation, d'un événement…")
_NO_SCRIPT = ("Searching needs JavaScript; every entity is also listed on the home page.",
              "La recherche demande JavaScript ; chaque entité est aussi listée sur la page d'accueil.")


def search_page() -> str:
    """The search page: a search field and the results, found by ``assets/site.js`` in the static index."""
    body = (f"<h1>{bi(*TITLE)}</h1>"
            f'<form class="search-form" role="search" action="" method="get">'
            f'<label for="search-q">{bi(*_FIELD)}</label>'
            f'<div class="search-row"><input type="search" id="search-q" name="q" autocomplete="off" '
            f'spellcheck="false" aria-describedby="search-help">'
            f'<button type="submit">{ui("search")}</button></div>'
            f'<p id="search-help" class="muted">{bi(*_HELP)}</p></form>'
            f'<p id="search-status" class="search-status" role="status" aria-live="polite"></p>'
            f'<ol id="search-results" class="search-results"></ol>'
            f"<noscript><p>{bi(*_NO_SCRIPT)} "
            f'<a href="{esc(relative(FROM_PAGE, "index.html#browse"))}">{ui("home")}</a></p></noscript>')
    return page(FROM_PAGE, TITLE, body)
