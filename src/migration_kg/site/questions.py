"""The questions page: the example SPARQL queries, editable and run in the browser against a SPARQL endpoint.

The page sends the query with ``fetch`` (SPARQL 1.1 Protocol, POST form) to the site's own ``/sparql`` (what
``migration-kg serve`` answers) or to the endpoint chosen at publish time, and ``assets/query.js`` shows the
answer as a table whose IRIs of ours link to their pages. No script comes from elsewhere.
"""

from __future__ import annotations

import re

from migration_kg.namespaces import BASE, ID_BASE
from migration_kg.site.frame import page
from migration_kg.site.html import bi, esc, json_for_script, relative
from migration_kg.site.i18n import current_language, site_root
from migration_kg.site.index import ExampleQuery

FROM_PAGE = "query.html"
TITLE = ("Ask the graph: questions in SPARQL", "Interroger le graphe : questions en SPARQL")
SCRIPT = "assets/query.js"
#: The endpoint the page uses unless publish was given another: the site's own /sparql, relative to its root.
DEFAULT_ENDPOINT = "sparql"


def editor_text(query: ExampleQuery) -> str:
    """The query as the editor shows it: the header lines that the page shows as the question left out. Each
    parameter's default is already bound in the published text, by a VALUES block that opens the WHERE clause
    (see :func:`migration_kg.site.index.published_text`), a form every store accepts."""
    lines = query.text.splitlines(keepends=True)
    skip = 0
    while skip < len(lines) and re.match(r"#\s*(title|purpose)(-[a-z]+)?\s*:", lines[skip]):
        skip += 1
    return "".join(lines[skip:])


def _examples(queries: list[ExampleQuery]) -> str:
    language = current_language()
    items = []
    for query in queries:
        purpose = query.meta.get(f"purpose-{language}") or query.meta.get("purpose-en", "")
        needs = query.meta.get("needs")
        note = (f' <span class="badge">{bi("needs", "requiert")} {esc(needs)}</span>' if needs else "")
        items.append(f'<li id="{esc(query.slug)}"><button type="button" class="load-example" '
                     f'data-example="{esc(query.slug)}" aria-describedby="{esc(query.slug)}-purpose">'
                     f'{esc(query.title(language))}</button>{note}'
                     f'<p class="purpose" id="{esc(query.slug)}-purpose">{esc(purpose)}</p></li>')
    return '<ol class="examples">' + "".join(items) + "</ol>"


def query_page(queries: list[ExampleQuery], endpoint: str | None = None) -> str:
    """The page in the language being written; ``endpoint`` is an absolute URL, or None for the site's /sparql."""
    texts = {query.slug: editor_text(query) for query in queries}
    first = texts[queries[0].slug] if queries else "SELECT * WHERE { ?s ?p ?o } LIMIT 10\n"
    configured = endpoint or site_root(FROM_PAGE) + DEFAULT_ENDPOINT
    settings = {"ids": ID_BASE, "ontology": BASE + "ontology#", "examples": texts}
    body = f"""<h1>{bi(*TITLE)}</h1>
<p class="lede">{bi("Pick a question, change it if you like, and run it: the answer comes from the SPARQL endpoint "
                    "below, and every entity in it links to its page.",
                    "Choisissez une question, modifiez-la si vous le souhaitez, puis exécutez-la : la réponse vient "
                    "du point d'accès SPARQL ci-dessous, et chaque entité de la réponse renvoie à sa page.")}</p>
<form id="query-form" class="query-form">
<p><label for="query-text">{bi("SPARQL query", "Requête SPARQL")}</label></p>
<textarea id="query-text" name="query" rows="16" spellcheck="false">{esc(first)}</textarea>
<p class="endpoint-row"><label for="query-endpoint">{bi("Endpoint", "Point d'accès")}</label>
<input type="text" inputmode="url" id="query-endpoint" name="endpoint" value="{esc(configured)}"
 data-default="{esc(configured)}" aria-describedby="endpoint-help">
<button type="submit" id="query-run">{bi("Run the query", "Exécuter la requête")}</button></p>
<p id="endpoint-help" class="muted">{bi("migration-kg serve answers at /sparql; any SPARQL 1.1 endpoint that "
                                        "allows this site (CORS) works too.",
                                        "migration-kg serve répond à /sparql ; tout point d'accès SPARQL 1.1 qui "
                                        "autorise ce site (CORS) convient aussi.")}</p>
</form>
<div id="query-error" class="query-error" role="alert"></div>
<p id="query-status" class="search-status" role="status" aria-live="polite"></p>
<div id="query-results" class="query-results"></div>
<section aria-labelledby="examples-title"><h2 id="examples-title">{bi("Example questions", "Questions exemples")}
 <span class="count">({len(queries)})</span></h2>
<p>{bi("Each button puts its question in the editor above.",
       "Chaque bouton place sa question dans l'éditeur ci-dessus.")}
<a href="{esc(relative(FROM_PAGE, "index.html#sparql"))}">{bi("The same questions as files",
                                                              "Les mêmes questions en fichiers")}</a></p>
{_examples(queries)}
</section>
<noscript><p>{bi("Running queries here needs JavaScript.",
                 "L'exécution des requêtes ici demande JavaScript.")}</p></noscript>
<script type="application/json" id="query-settings">{json_for_script(settings)}</script>"""
    return page(FROM_PAGE, TITLE, body, scripts=(SCRIPT,))
