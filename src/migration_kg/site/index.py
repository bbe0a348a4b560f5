"""The home page: what the dataset is, its size, its pictures, its entities, downloads, queries, licence, citation."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from migration_kg.files import read_text
from migration_kg.namespaces import BASE, PREFIXES
from migration_kg.site.basemap import SOURCE_NOTE, SOURCE_NOTE_FR
from migration_kg.site.diagram import NetworkLayout
from migration_kg.site.frame import page
from migration_kg.site.html import bi, entity_link, esc, relative, ui
from migration_kg.site.i18n import choose, current_language, localized_file
from migration_kg.site.model import SiteGraph, kind_of
from migration_kg.site.release import DESCRIPTION, TITLE, ReleaseFile
from migration_kg.site.terms import KIND_TITLES
from migration_kg.sparqltext import header_params, where_clause_start, with_values

#: Kinds listed on the home page, in this order; claims are reached from the pages that cite them.
LISTED_KINDS = ("city", "organization", "person", "event", "work", "commitment", "country", "place", "post",
                "mandate", "membership", "funding", "value", "theme", "purpose", "role", "modality", "party-type",
                "scheme", "source")

MAP_TITLE = ("Where the council's member cities are", "Où sont les villes membres du conseil")
NETWORK_TITLE = ("How the entities connect", "Comment les entités sont reliées")


@dataclass(frozen=True)
class ExampleQuery:
    """A SPARQL file from queries/ with the titles and purposes written in its header comments."""

    name: str
    text: str
    meta: dict[str, str]

    @classmethod
    def read(cls, path: Path) -> ExampleQuery:
        text = published_text(read_text(path, "query"))
        meta = {}
        for line in text.splitlines():
            if not line.startswith("#"):
                break
            key, _, value = line[1:].partition(":")
            if value:
                meta[key.strip()] = value.strip()
        return cls(path.name, text, meta)

    @property
    def slug(self) -> str:
        """The file name without ``.rq``: the question's anchor on the query page."""
        return self.name.removesuffix(".rq")

    def title(self, language: str) -> str:
        return self.meta.get(f"title-{language}") or self.meta.get("title") or self.name


def published_text(text: str) -> str:
    """A query file as published: its ``# param:`` defaults bound in a VALUES block, so that the query pasted
    into any store answers the question its title asks (our CLI binds them with ``--param``)."""
    bindings = {}
    if text[where_clause_start(text):].lstrip().upper().startswith("VALUES"):
        return text  # published already (a file read back from site/queries/)
    for name, value in header_params(text).items():
        prefix, _, local = value.partition(":")
        namespace = PREFIXES.get(prefix) if not value.startswith(("<", '"')) else None
        bindings[name] = f"<{namespace}{local}>" if namespace is not None else value
    return with_values(text, bindings, "the default: change it to ask about another")


@dataclass(frozen=True)
class IndexFacts:
    """Figures shown on the home page."""

    triples: int
    entities: int
    claims: int
    sources: int
    version: str
    issued: str


def _figures(facts: IndexFacts) -> str:
    items = ((facts.triples, ("triples", "triplets")), (facts.entities, ("entities", "entités")),
             (facts.claims, ("claims with their quote", "affirmations avec leur citation")),
             (facts.sources, ("sources", "sources")))
    return '<ul class="figures">' + "".join(
        f'<li><span class="figure">{number}</span> {bi(*words)}</li>' for number, words in items) + "</ul>"


def _entity_lists(site: SiteGraph) -> str:
    by_kind: dict[str, list] = {}
    for node in site.described_entities():
        by_kind.setdefault(kind_of(str(node)), []).append(node)
    sections = []
    for kind in [*LISTED_KINDS, *sorted(set(by_kind) - set(LISTED_KINDS))]:
        nodes = by_kind.get(kind)
        if not nodes:
            continue
        language = current_language()
        nodes = sorted(nodes, key=lambda n: (site.label(n, language).lower(), str(n)))
        items = "".join(f"<li>{entity_link(site, 'index.html', node)}</li>" for node in nodes)
        title = KIND_TITLES.get(kind, (kind, kind))
        sections.append(f'<section class="kind" aria-labelledby="kind-{esc(kind)}"><h3 id="kind-{esc(kind)}">'
                        f'{bi(*title)} <span class="count">({len(nodes)})</span></h3><ul class="entity-list">'
                        f"{items}</ul></section>")
    return '<div class="kinds">' + "".join(sections) + "</div>"


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} kB"
    return f"{size} B"


def _downloads(files: list[ReleaseFile]) -> str:
    rows = "".join(
        f'<tr><td><a href="{esc(relative("index.html", f.path))}">{esc(Path(f.path).name)}</a></td>'
        f"<td><code>{esc(f.media_type)}</code></td><td class=\"num\">{_size(f.size)}</td>"
        f'<td><code class="hash" title="{f.sha256}">{f.sha256[:16]}&hellip;</code></td></tr>'
        for f in files)
    return (f'<table class="downloads"><thead><tr><th scope="col">{bi("File", "Fichier")}</th><th scope="col">'
            f'{bi("Media type", "Type de média")}</th><th scope="col">{bi("Size", "Taille")}</th><th scope="col">'
            f"SHA-256</th></tr></thead><tbody>{rows}</tbody></table>"
            f'<p>{bi("Release description:", "Description de la version :")} '
            + " · ".join(f'<a href="{esc(relative("index.html", path))}">{name}</a>'
                         for path, name in (("dataset.html", bi("dataset", "jeu de données")), ("void.ttl", "VoID"),
                                            ("dcat.ttl", "DCAT"), ("SHA256SUMS", "SHA256SUMS"),
                                            ("ontology.html", ui("ontology"))))
            + "</p>")


def _queries(queries: list[ExampleQuery]) -> str:
    if not queries:
        none = bi("This release has no example queries.", "Cette version ne contient aucune requête exemple.")
        return f"<p>{none}</p>"
    items = []
    run = bi("Run it in your browser", "L'exécuter dans le navigateur")
    for query in queries:
        purpose = bi(query.meta.get("purpose-en", ""), query.meta.get("purpose-fr", query.meta.get("purpose-en", "")))
        needs = query.meta.get("needs")
        note = f' <span class="badge">{bi("needs: " + needs, "requiert : " + needs)}</span>' if needs else ""
        items.append(f'<details class="query"><summary>{bi(query.title("en"), query.title("fr"))}{note}</summary>'
                     f'<p>{purpose}</p><pre><code class="sparql">{esc(query.text)}</code></pre>'
                     f'<p><a href="{esc(relative("index.html", "queries/" + query.name))}">'
                     f"<code>{esc(query.name)}</code></a> · "
                     f'<a href="{esc(relative("index.html", "query.html#" + query.slug))}">{run}</a></p></details>')
    return "".join(items)


def _network_note(drawn: int, candidates: int) -> str:
    """Said under the diagram when it draws only the best connected of its entities."""
    if candidates <= drawn:
        return ""
    return " " + bi(f"Only the {drawn} best connected of {candidates} such entities are drawn.",
                    f"Seules les {drawn} mieux reliées de ces {candidates} entités sont dessinées.")


def index_page(site: SiteGraph, facts: IndexFacts, map_svg: str, map_caption: str, network_svg: str,
               files: list[ReleaseFile], queries: list[ExampleQuery], credits: tuple[str, str],
               network: NetworkLayout | None = None) -> str:
    """The home page of the site; ``map_caption`` is HTML, ``credits`` the data sources of the pictures;
    ``network`` the diagram's layout (to say when it leaves entities out)."""
    note = _network_note(len(network.nodes), network.candidates) if network is not None else ""
    article = next((n for n in site.described_entities() if kind_of(str(n)) == "work"
                    and "la-presse" in str(n)), None)
    article_link = entity_link(site, "index.html", article) if article is not None else ""
    citation = choose(f"migration-kg contributors ({facts.issued[:4]}). {TITLE[0]}. Version {facts.version}. "
                      f"{BASE} — data licensed CC BY 4.0.",
                      f"Contributeurs de migration-kg ({facts.issued[:4]}). {TITLE[1]}. Version {facts.version}. "
                      f"{BASE} — données sous licence CC BY 4.0.")
    network_file = relative("index.html", localized_file("network.svg"))
    body = f"""<section class="hero">
<h1>{bi(*TITLE)}</h1>
<p class="lede">{bi(*DESCRIPTION)}</p>
<p>{bi("Source article:", "Article source :")} {article_link}</p>
{_figures(facts)}
</section>
<section aria-labelledby="map"><h2 id="map">{bi(*MAP_TITLE)}</h2>
<figure class="picture">
{map_svg}
<figcaption>{map_caption}</figcaption>
</figure>
</section>
<section aria-labelledby="network"><h2 id="network">{bi(*NETWORK_TITLE)}</h2>
<figure class="picture">
{network_svg}
<figcaption><p>{bi("Cities, the council, its funders, countries, events and texts; a line joins two entities "
                   "that a fact links, directly or through a membership or a funding. Click a circle to open its "
                   "page.", "Villes, conseil, bailleurs de fonds, pays, événements et textes ; un trait relie deux "
                   "entités liées par un fait, directement ou par une adhésion ou un financement. Cliquez sur un "
                   "cercle pour ouvrir sa page.")}{note} <a href="{esc(network_file)}">network.svg</a></p></figcaption>
</figure>
</section>
<section aria-labelledby="browse"><h2 id="browse">{bi("Browse the entities", "Parcourir les entités")}</h2>
{_entity_lists(site)}
</section>
<section aria-labelledby="downloads"><h2 id="downloads">{ui("downloads")}</h2>
<p>{bi(f"Version {facts.version}, issued {facts.issued}.",
       f"Version {facts.version}, publiée le {facts.issued}.")}</p>
{_downloads(files)}
</section>
<section aria-labelledby="sparql"><h2 id="sparql">{bi("Example SPARQL queries", "Exemples de requêtes SPARQL")}</h2>
<p>{bi("Run them on the downloaded graph, on the endpoint of",
       "Exécutez-les sur le graphe téléchargé, sur le point d'accès de")}
<code>migration-kg serve</code> {bi("at", "à")} <code>/sparql</code>, {bi("or", "ou")}
<a href="{esc(relative("index.html", "query.html"))}">{bi("edit and run them on the questions page",
                                                        "modifiez-les et exécutez-les sur la page des questions")}</a>.
</p>
{_queries(queries)}
</section>
<section aria-labelledby="cite"><h2 id="cite">{ui("cite")}</h2>
<blockquote class="citation"><p>{esc(citation)}</p></blockquote>
<p>{bi("Quotes are short extracts of their sources, each cited with its position; the source texts stay with "
       "their publishers.", "Les citations sont de courts extraits de leurs sources, chacun cité avec sa position ; "
       "les textes sources restent la propriété de leurs éditeurs.")}</p>
</section>
<section aria-labelledby="licence"><h2 id="licence">{bi("Licence", "Licence")}</h2>
<p>{bi("Data: Creative Commons Attribution 4.0 (CC BY 4.0). Code: MIT.",
       "Données : Creative Commons Attribution 4.0 (CC BY 4.0). Code : MIT.")}
<a rel="license external" href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a></p>
<p class="muted">{bi(SOURCE_NOTE, SOURCE_NOTE_FR)}</p>
<p class="muted">{bi(*credits)}</p>
</section>"""
    return page("index.html", TITLE, body, description=choose(*DESCRIPTION))
