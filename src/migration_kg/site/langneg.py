"""Language negotiation (RFC 9110 section 12.5.4, RFC 4647 basic filtering) for the site's two languages.

``serve`` weighs the reader's ``Accept-Language`` with its q-values: ``/`` answers 302 Found to ``/fr/`` when
French is preferred (and the English home page otherwise), and an entity IRI negotiated to HTML goes to the
French page. Static hosts cannot weigh q-values in a rewrite rule, so the Apache and nginx rules below treat
French as preferred when a French range comes before any English one in the header (browsers list the
reader's languages in order of preference).
"""

from __future__ import annotations

from migration_kg.site.i18n import DEFAULT_LANGUAGE, LANGUAGES
from migration_kg.site.qvalues import quality_value

#: French is listed before any English range: ``fr``, ``fr-CA``, ``de, fr;q=0.8, en;q=0.5`` but not
#: ``en-GB, fr``. Anchored at the start; each earlier element must not be an English range. The same
#: PCRE pattern is read by Apache's mod_rewrite and nginx's map.
FRENCH_FIRST = r"^(\s*(?!en\b)(?!en-)[^,]*,)*\s*fr(-[a-z0-9]+)*\s*(;\s*q=(1|0\.0*[1-9][0-9]*)\s*)?(,|$)"


def parse_accept_language(header: str) -> list[tuple[str, float]]:
    """The language ranges of an Accept-Language header with their q-values; malformed elements skipped."""
    ranges = []
    for element in header.split(","):
        parts = [part.strip() for part in element.split(";")]
        tag = parts[0].lower()
        if not tag or not all(piece.isalnum() or piece == "*" for piece in tag.split("-")):
            continue
        quality = quality_value(parts[1:])
        ranges.append((tag, quality))
    return ranges


def _matches(language_range: str, language: str) -> int:
    """How closely a range names a language: 2 exact or a subtag of it (``fr-ca`` ~ ``fr``), 1 ``*``, 0 not."""
    if language_range == "*":
        return 1
    if language_range == language or language_range.startswith(language + "-"):
        return 2
    return 0


def negotiate_language(header: str | None, offers: tuple[str, ...] = LANGUAGES) -> str:
    """The offered language the reader prefers; the default (English) when none is named or acceptable."""
    if not header or not header.strip():
        return DEFAULT_LANGUAGE
    best, best_quality = DEFAULT_LANGUAGE, 0.0
    ranges = parse_accept_language(header)
    for offer in offers:
        matches = [(_matches(tag, offer), quality) for tag, quality in ranges if _matches(tag, offer)]
        if not matches:
            continue
        quality = max(matches)[1]
        if quality > best_quality:
            best, best_quality = offer, quality
    return best


def apache_language_rules(thing_regex: str, rdf_types: list[str]) -> list[str]:
    """mod_rewrite rules: ``/`` to ``fr/`` and an entity's HTML to its French page for French-first readers."""
    rdf = "|".join(media.replace("+", "\\+").replace(".", "\\.") for media in rdf_types)
    return [
        "# Readers who list French before English: / goes to fr/, and an entity IRI asked for as HTML",
        "# (Accept names no RDF syntax) goes to its French page.",
        f'RewriteCond %{{HTTP:Accept-Language}} "{FRENCH_FIRST}" [NC]',
        "RewriteRule ^$ fr/ [R=302,L,E=VARY_LANGUAGE:1]",
        "RewriteRule ^$ - [E=VARY_LANGUAGE:1]",
        f'RewriteCond %{{HTTP_ACCEPT}} !({rdf})',
        f'RewriteCond %{{HTTP:Accept-Language}} "{FRENCH_FIRST}" [NC]',
        "RewriteCond %{REQUEST_FILENAME}.html -f",
        f"RewriteRule ^{thing_regex}$ fr/$1.html [R=303,L,E=VARY_ACCEPT:1,E=VARY_LANGUAGE:1]",
        "",
    ]


def apache_language_headers() -> list[str]:
    """The Vary header for answers that depend on Accept-Language (set by the rules above)."""
    return ["  Header always append Vary Accept-Language env=VARY_LANGUAGE",
            "  Header always append Vary Accept-Language env=REDIRECT_VARY_LANGUAGE"]


def nginx_language_map() -> str:
    """An nginx map (for the http {} block): ``fr/`` for French-first readers, empty otherwise."""
    return f'map $http_accept_language $mkg_language {{\n    default  "";\n    "~*{FRENCH_FIRST}"  fr/;\n}}\n'


def nginx_home_location() -> str:
    """An nginx location for ``/``: 302 to ``/fr/`` for French-first readers, else the English home page."""
    return """    location = / {
        add_header Vary Accept-Language always;
        if ($mkg_language) {
            return 302 /$mkg_language;
        }
        rewrite ^ /index.html break;
    }
"""
