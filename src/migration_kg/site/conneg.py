"""Content negotiation for entity IRIs (RFC 9110 section 12.5.1), shared by ``serve`` and the hosting rules.

A request for an entity IRI such as ``/id/city/montreal`` is answered with 303 See Other to the document
that best fits its Accept header: ``montreal.html``, ``.ttl``, ``.jsonld`` or ``.nt`` (Cool URIs for the
Semantic Web, section 4.3). The ontology (``/ontology``, its version IRIs such as ``/ontology/0.1.0``) is also
offered as RDF/XML, and ``/dataset`` names the release description. A JSON-LD processor that asks the ontology
IRI for a context (``profile="http://www.w3.org/ns/json-ld#context"``) is sent to ``/ns/context.jsonld``.
The same choices are written out as Apache and nginx rules for static hosts; every answer carries
``Access-Control-Allow-Origin: *`` so that scripts on other sites can read the data and the context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from migration_kg.site.langneg import (
    FRENCH_FIRST,
    apache_language_headers,
    apache_language_rules,
    nginx_home_location,
    nginx_language_map,
)
from migration_kg.site.qvalues import quality_value

#: Media type -> document suffix, in the server's order of preference for ties.
DOCUMENT_TYPES: dict[str, str] = {
    "text/html": ".html",
    "text/turtle": ".ttl",
    "application/ld+json": ".jsonld",
    "application/n-triples": ".nt",
    "application/rdf+xml": ".rdf",
}

#: Paths that name a thing rather than a document: entity IRIs, the ontology and its versions, the dataset.
THING_PATH = re.compile(r"^/(id/[a-z0-9-]+/[a-z0-9-]+|ontology(?:/[0-9]+\.[0-9]+\.[0-9]+)?|dataset)$")
#: Where the JSON-LD context lives, and the profile with which a JSON-LD processor asks for a context.
CONTEXT_PATH = "/ns/context.jsonld"
CONTEXT_PROFILE = "http://www.w3.org/ns/json-ld#context"
#: The header that lets any web page read what the site serves (data, context, ontology).
CORS = ("Access-Control-Allow-Origin", "*")


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
        quality = quality_value(parts[1:])
        ranges.append(MediaRange(main, sub, quality))
    return ranges


def wants_context(accept: str | None) -> bool:
    """Whether the Accept header asks for a JSON-LD context (JSON-LD 1.1 Processing Algorithms, section 9.1)."""
    for element in (accept or "").split(","):
        media, *parameters = (part.strip() for part in element.split(";"))
        values = dict(p.partition("=")[::2] for p in parameters)
        if media.lower() == "application/ld+json" and CONTEXT_PROFILE in values.get("profile", "").strip('"').split():
            try:
                return float(values.get("q", "1")) > 0
            except ValueError:
                return False
    return False


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

_THING_REGEX = "(id/[a-z0-9-]+/[a-z0-9-]+|ontology(?:/[0-9]+\\.[0-9]+\\.[0-9]+)?|dataset)"
#: Order the static rules test Accept in: RDF types before HTML, so that a client naming an RDF syntax gets it.
_RULE_ORDER = ("text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml", "text/html")
_CONTEXT_REGEX = "json-ld#context"


def _regex(media_type: str) -> str:
    """A media type as a regular expression that Apache and nginx read alike."""
    return media_type.replace("+", "\\+").replace(".", "\\.")


def _apache_headers() -> list[str]:
    """The mod_headers block that ends both Apache rule sets: Vary for negotiated answers, and CORS."""
    return [
        "<IfModule mod_headers.c>",
        "  Header always append Vary Accept env=VARY_ACCEPT",
        *apache_language_headers(),
        f"  Header always set {CORS[0]} \"{CORS[1]}\"",
        "</IfModule>",
        "",
    ]


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
        "# A JSON-LD processor asking the ontology IRI for a context gets the context.",
        f"RewriteCond %{{HTTP_ACCEPT}} {_CONTEXT_REGEX}",
        f"RewriteRule ^ontology$ {CONTEXT_PATH[1:]} [R=303,L,E=VARY_ACCEPT:1]",
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
        *_apache_headers(),
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

map "$uri $http_accept" $mkg_context {{
    default  0;
    "~^/ontology .*{_CONTEXT_REGEX}"  1;
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
    add_header {CORS[0]} "{CORS[1]}" always;

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
        add_header {CORS[0]} "{CORS[1]}" always;
        if ($mkg_context) {{
            return 303 {CONTEXT_PATH};
        }}
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


# ---------------------------------------------------------------- rules for the w3id.org redirect service

def w3id_htaccess(site_url: str) -> str:
    """Rules for https://w3id.org/migration-kg/ (a folder ``migration-kg/`` in github.com/perma-id/w3id.org).

    w3id.org runs Apache with one .htaccess per folder. These rules negotiate as the static rules do and send each
    IRI to its document on ``site_url``, where ``site/`` is hosted, so any static host will do; every other path
    (home page, downloads, the context) goes to the same path there.
    """
    target = site_url.rstrip("/")
    lines = [
        "# Permanent identifiers https://w3id.org/migration-kg/... (written by `migration-kg publish --site-url`).",
        f"# Each IRI is sent to its document on {target}/, chosen by the Accept header as `migration-kg serve` does",
        "# (without q-values: a client that names an RDF syntax gets that syntax, anyone else the HTML page).",
        "# Contact: see README.md in this folder.",
        "Options -MultiViews",
        "RewriteEngine on",
        "",
        "# A JSON-LD processor asking the ontology IRI for a context gets the context.",
        f"RewriteCond %{{HTTP_ACCEPT}} {_CONTEXT_REGEX}",
        f"RewriteRule ^ontology$ {target}{CONTEXT_PATH} [R=303,NE,L,E=VARY_ACCEPT:1]",
        "",
    ]
    rdf = "|".join(_regex(m) for m in _RULE_ORDER if DOCUMENT_TYPES[m] != ".html")
    lines += [
        "# Readers who list French before English: the home page and an IRI asked for as HTML (Accept names no",
        "# RDF syntax) go to the French pages.",
        f'RewriteCond %{{HTTP:Accept-Language}} "{FRENCH_FIRST}" [NC]',
        f"RewriteRule ^$ {target}/fr/ [R=302,NE,L,E=VARY_LANGUAGE:1]",
        f"RewriteCond %{{HTTP_ACCEPT}} !({rdf})",
        f'RewriteCond %{{HTTP:Accept-Language}} "{FRENCH_FIRST}" [NC]',
        f"RewriteRule ^{_THING_REGEX}$ {target}/fr/$1.html [R=303,NE,L,E=VARY_ACCEPT:1,E=VARY_LANGUAGE:1]",
        "",
    ]
    for media_type in _RULE_ORDER:
        lines += [
            f"# {media_type}",
            f"RewriteCond %{{HTTP_ACCEPT}} {_regex(media_type)}",
            f"RewriteRule ^{_THING_REGEX}$ {target}/$1{DOCUMENT_TYPES[media_type]} [R=303,NE,L,E=VARY_ACCEPT:1]",
            "",
        ]
    lines += [
        "# No Accept header, or only */*: the page.",
        f"RewriteRule ^{_THING_REGEX}$ {target}/$1.html [R=303,NE,L,E=VARY_ACCEPT:1]",
        "",
        "# The home page and every other path (downloads, pages, the context): the same path on the host.",
        f"RewriteRule ^(.*)$ {target}/$1 [R=302,NE,L]",
        "",
        *_apache_headers(),
    ]
    return "\n".join(lines)


def w3id_readme(site_url: str) -> str:
    """The README.md that w3id.org asks for beside the rules: what the identifiers are and who to contact."""
    target = site_url.rstrip("/")
    return f"""# migration-kg

Permanent identifiers for migration-kg, a linked-data knowledge graph of what a news report says about cities and
the UN Global Compact for Migration.

- `https://w3id.org/migration-kg/id/<kind>/<slug>`: the entities of the graph
- `https://w3id.org/migration-kg/ontology` and `https://w3id.org/migration-kg/ontology/<version>`: the ontology
- `https://w3id.org/migration-kg/dataset`: the VoID and DCAT description of the release
- `https://w3id.org/migration-kg/ns/context.jsonld`: the JSON-LD context

The rules in `.htaccess` redirect each identifier to its document on {target}/ (HTML, Turtle, JSON-LD,
N-Triples or RDF/XML, by the Accept header). They are generated by `migration-kg publish --site-url {target}`.

Contact: the migration-kg contributors, {target}/
"""
