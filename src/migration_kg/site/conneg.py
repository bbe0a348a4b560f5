"""Content negotiation for entity IRIs (RFC 9110 section 12.5.1), shared by ``serve`` and the hosting rules.

A request for an entity IRI such as ``/id/city/montreal`` is answered with 303 See Other to the document
that best fits its Accept header: ``montreal.html``, ``.ttl``, ``.jsonld`` or ``.nt`` (Cool URIs for the
Semantic Web, section 4.3). The same choice is written out as Apache and nginx rules for static hosts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from migration_kg.site.langneg import (
    apache_language_headers,
    apache_language_rules,
    nginx_home_location,
    nginx_language_map,
)

#: Media type -> document suffix, in the server's order of preference for ties.
DOCUMENT_TYPES: dict[str, str] = {
    "text/html": ".html",
    "text/turtle": ".ttl",
    "application/ld+json": ".jsonld",
    "application/n-triples": ".nt",
}

#: Paths that name a thing rather than a document: entity IRIs and the ontology IRI.
THING_PATH = re.compile(r"^/(id/[a-z0-9-]+/[a-z0-9-]+|ontology)$")


@dataclass(frozen=True)
class MediaRange:
    """One element of an Accept header."""

    type: str
    subtype: str
    quality: float

    def specificity(self, media_type: str) -> int:
        """How closely this range names ``media_type``: 2 exact, 1 type/*, 0 */*, -1 no match."""
        main, _, sub = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 0
        if self.type == main and self.subtype == "*":
            return 1
        if self.type == main and self.subtype == sub:
            return 2
        return -1


def parse_accept(header: str) -> list[MediaRange]:
    """The media ranges of an Accept header; malformed elements are skipped, a bad q counts as 0."""
    ranges = []
    for element in header.split(","):
        parts = [part.strip() for part in element.split(";")]
        media = parts[0].lower()
        if media.count("/") != 1:
            continue
        main, sub = media.split("/")
        if not main or not sub or (main == "*" and sub != "*"):
            continue
        quality = 1.0
        for parameter in parts[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value.strip())
                except ValueError:
                    quality = 0.0
                if not 0.0 <= quality <= 1.0:
                    quality = 0.0
        ranges.append(MediaRange(main, sub, quality))
    return ranges


def negotiate(accept: str | None, offers: tuple[str, ...] | list[str] = tuple(DOCUMENT_TYPES)) -> str | None:
    """The offered media type the client prefers, or None when none is acceptable (answer 406).

    Each offer takes the quality of the most specific range that matches it; the highest quality wins and
    ties go to the earlier offer. No Accept header (or an empty one) means anything is acceptable.
    """
    if accept is None or not accept.strip():
        return offers[0] if offers else None
    ranges = parse_accept(accept)
    if not ranges:
        return offers[0] if offers else None
    best, best_quality = None, 0.0
    for offer in offers:
        matches = [(r.specificity(offer), r.quality) for r in ranges if r.specificity(offer) >= 0]
        if not matches:
            continue
        quality = max(matches)[1]
        if quality > best_quality:
            best, best_quality = offer, quality
    return best


# ---------------------------------------------------------------- rules for static hosts

_THING_REGEX = "(id/[a-z0-9-]+/[a-z0-9-]+|ontology)"
#: Order the static rules test Accept in: RDF types before HTML, so that a client naming an RDF syntax gets it.
_RULE_ORDER = ("text/turtle", "application/ld+json", "application/n-triples", "text/html")


def _regex(media_type: str) -> str:
    """A media type as a regular expression that Apache and nginx read alike."""
    return media_type.replace("+", "\\+").replace(".", "\\.")


def htaccess() -> str:
    """Apache rules (mod_rewrite, mod_mime, mod_headers) for a site/ served as the document root."""
    lines = [
        "# Content negotiation for migration-kg (written by `migration-kg publish`).",
        "# Entity IRIs such as /id/city/montreal answer 303 See Other to montreal.html, .ttl, .jsonld or .nt.",
        "# Apache cannot weigh q-values here: a client that names an RDF syntax in Accept gets that syntax,",
        "# anyone else gets the HTML page. `migration-kg serve` does full q-value negotiation.",
        "# Needs AllowOverride FileInfo Options; if site/ is not served at /, change RewriteBase.",
        "Options -MultiViews -Indexes",
        "DirectoryIndex index.html",
        "AddType text/turtle .ttl",
        "AddType application/ld+json .jsonld",
        "AddType application/n-triples .nt",
        "AddType application/rdf+xml .rdf",
        "AddType application/sparql-query .rq",
        "AddType image/svg+xml .svg",
        "AddType image/x-icon .ico",
        "AddCharset utf-8 .html .ttl .jsonld .nt .rdf .txt .rq .css .js .svg",
        "",
        "RewriteEngine On",
        "RewriteBase /",
        "",
    ]
    lines += apache_language_rules(_THING_REGEX, [t for t in _RULE_ORDER if DOCUMENT_TYPES[t] != ".html"])
    for media_type in _RULE_ORDER:
        suffix = DOCUMENT_TYPES[media_type]
        pattern = _regex(media_type)
        lines += [
            f"# {media_type}",
            f"RewriteCond %{{HTTP_ACCEPT}} {pattern}",
            f"RewriteCond %{{REQUEST_FILENAME}}{suffix} -f",
            f"RewriteRule ^{_THING_REGEX}$ $1{suffix} [R=303,L,E=VARY_ACCEPT:1]",
            "",
        ]
    lines += [
        "# No Accept header, or only */*: the page.",
        "RewriteCond %{REQUEST_FILENAME}.html -f",
        f"RewriteRule ^{_THING_REGEX}$ $1.html [R=303,L,E=VARY_ACCEPT:1]",
        "",
        "<IfModule mod_headers.c>",
        "  Header always append Vary Accept env=VARY_ACCEPT",
        *apache_language_headers(),
        "</IfModule>",
        "",
    ]
    return "\n".join(lines)


def nginx_conf() -> str:
    """An nginx snippet: a map for the http {} block and a server {} block that serves site/."""
    map_lines = "\n".join(
        f"    ~*{_regex(media_type)}  {DOCUMENT_TYPES[media_type][1:]};"
        for media_type in _RULE_ORDER)
    return f"""# Content negotiation for migration-kg (written by `migration-kg publish`).
# Entity IRIs such as /id/city/montreal answer 303 See Other to montreal.html, .ttl, .jsonld or .nt.
# nginx cannot weigh q-values here: a client that names an RDF syntax in Accept gets that syntax,
# anyone else gets the HTML page. `migration-kg serve` does full q-value negotiation.
# Put the map in the http {{}} block; adapt `listen` and `root` in the server block.

map $http_accept $mkg_suffix {{
    default  html;
{map_lines}
}}

{nginx_language_map()}
# The French page for French-first readers asking for HTML.
map "$mkg_suffix:$mkg_language" $mkg_page_language {{
    default  "";
    html:fr/  fr/;
}}

server {{
    listen 8080;
    root /srv/migration-kg/site;
    index index.html;
    absolute_redirect off;
    charset utf-8;
    charset_types text/css text/plain text/turtle application/n-triples application/ld+json
                  application/rdf+xml application/sparql-query application/javascript image/svg+xml;

    types {{
        text/html html;
        text/css css;
        application/javascript js;
        image/svg+xml svg;
        image/x-icon ico;
        text/plain txt;
        text/turtle ttl;
        application/ld+json jsonld;
        application/n-triples nt;
        application/rdf+xml rdf;
        application/sparql-query rq;
    }}

    # A named capture: evaluating the map runs its regexes, which would overwrite $1.
    location ~ "^/(?<mkg_thing>{_THING_REGEX[1:-1]})$" {{
        add_header Vary "Accept, Accept-Language" always;
        if (!-f $document_root/$mkg_thing.$mkg_suffix) {{
            return 404;
        }}
        return 303 /$mkg_page_language$mkg_thing.$mkg_suffix;
    }}

{nginx_home_location()}
    location / {{
        try_files $uri $uri/ =404;
    }}
}}
"""
