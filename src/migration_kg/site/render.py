"""Every file of the site, produced one at a time so that ``publish`` can write each as soon as it is made.

Entities come first: for each, its three documents and its page in every language, from one read of its
statements (:mod:`migration_kg.site.documents`, :mod:`migration_kg.site.pages`). Then what spans the graph:
the ontology's page and documents, the map and the network diagram (laid out once, drawn in each language), the
home page, the timeline, the search index, the release description (VoID, DCAT, SHA256SUMS) and the hosting
rules. Downloads are copied from ``dist/`` without being read into memory.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from rdflib import Graph, URIRef

from migration_kg.errors import NotConformingError
from migration_kg.graph.jsonld import Context
from migration_kg.graph.serialize import serialize
from migration_kg.project import Project
from migration_kg.site.basemap import load_countries
from migration_kg.site.claims import claim_page
from migration_kg.site.conneg import htaccess, nginx_conf, w3id_htaccess, w3id_readme
from migration_kg.site.diagram import network_diagram, network_layout
from migration_kg.site.documents import CONTEXT_PATH, dataset_documents, ontology_documents
from migration_kg.site.documents import pages as address_pages
from migration_kg.site.entitydocs import DOCUMENT_SUFFIXES, entity_documents
from migration_kg.site.favicon import SVG as FAVICON_SVG
from migration_kg.site.favicon import favicon_ico
from migration_kg.site.geonames import Located, load_gazetteer, source_note
from migration_kg.site.html import page_path
from migration_kg.site.i18n import LANGUAGE_NAMES, LANGUAGES, in_language, localized_file, writing_in
from migration_kg.site.index import ExampleQuery, IndexFacts, index_page
from migration_kg.site.map import locate_members, map_caption, world_map
from migration_kg.site.model import SiteGraph, kind_of, local_path
from migration_kg.site.ontology import ontology_page
from migration_kg.site.output import SiteWriter
from migration_kg.site.pages import entity_page
from migration_kg.site.questions import query_page
from migration_kg.site.release import (
    ReleaseFile,
    dcat_graph,
    release_description,
    sha256sums,
    validate_release,
    void_graph,
)
from migration_kg.site.search import INDEX_PATH as SEARCH_INDEX
from migration_kg.site.search import search_index, search_page
from migration_kg.site.timeline import timeline_entries, timeline_page

Progress = Callable[[str], None]
#: A file's content, or the path of a file to copy as it is.
Content = str | bytes | Path

RELEASE_SHAPES = Path("shapes") / "release" / "dcat-void-shapes.ttl"
#: From this many entities on, ``workers`` > 1 writes the entities' files in parallel (below, forking costs more).
PARALLEL_FROM = 64


@dataclass
class SiteFigures:
    """What the rendering found out on the way, for the publish result."""

    triples: int = 0
    entities: int = 0
    pages: int = 0
    map_missing: list[URIRef] = field(default_factory=list)
    map_fallbacks: dict[URIRef, str] = field(default_factory=dict)
    kinds: list[str] = field(default_factory=list)


def _asset(name: str) -> bytes:
    return resources.files("migration_kg.site").joinpath("assets", name).read_bytes()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def entity_files(site: SiteGraph, node: URIRef, context: Context) -> Iterator[tuple[str, str]]:
    """One entity's documents and its page in every language."""
    documents = entity_documents(site, node, context)
    stem = local_path(str(node))
    for suffix, text in documents.files.items():
        yield stem + suffix, text
    writer = claim_page if kind_of(str(node)) == "claim" else entity_page
    for language in LANGUAGES:
        with writing_in(language):
            yield in_language(page_path(node), language), writer(site, node, documents.script)


@dataclass
class _Job:
    """What the processes that write entities share (set before they are forked, read-only after)."""

    site: SiteGraph
    context: Context
    staging: Path
    previous: Path | None
    manifest: dict[str, str]


_JOB: _Job | None = None


def _write_entities(first: int, last: int) -> tuple[int, int]:
    """In a worker process: write the files of entities ``first`` to ``last`` (excluded); (rewritten, kept)."""
    job = _JOB
    assert job is not None
    writer = SiteWriter(job.staging, job.previous, f"entities-{first:09d}", job.manifest)
    entities = job.site.entities()
    for node in entities[first:last]:
        for path, content in entity_files(job.site, node, job.context):
            writer.add(path, content)
    return writer.close()


def _chunks(count: int, size: int) -> list[tuple[int, int]]:
    return [(first, min(first + size, count)) for first in range(0, count, size)]


def write_site(site: SiteGraph, context: Context, dist_dir: Path, project: Project, version: str, issued: str,
               writer: SiteWriter, progress: Progress | None = None, endpoint: str | None = None,
               workers: int = 1, site_url: str | None = None) -> SiteFigures:
    """Write every file of the site (see the module docstring) through ``writer``. With ``workers`` > 1 and
    enough entities, the entities' files are written by that many forked processes while this one writes the
    rest. With ``site_url`` (where the site will be hosted), ``w3id/`` holds the rules and README to submit to
    w3id.org."""
    global _JOB
    step = progress or (lambda _message: None)
    entities = site.entities()
    pool = None
    pending = []
    if workers > 1 and len(entities) >= PARALLEL_FROM:
        _JOB = _Job(site, context, writer.staging, writer.previous, writer.manifest)
        # What exists now is shared with the workers page by page until someone writes to it; freezing it keeps
        # the cyclic garbage collector from writing to every object (and so copying every page) in each worker.
        gc.collect()
        gc.freeze()
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
        step(f"writing the documents and pages of {len(entities)} entities in {workers} processes")
        pending = [pool.submit(_write_entities, first, last)
                   for first, last in _chunks(len(entities), max(64, len(entities) // (workers * 16)))]
    try:
        figures = SiteFigures(triples=site.index.statistics.triples, entities=len(site.described_entities()),
                              pages=len(entities) * len(LANGUAGES), kinds=sorted({kind_of(str(n)) for n in entities}))
        for path, content in _global_files(site, context, dist_dir, project, version, issued, step, endpoint,
                                           figures, site_url):
            writer.add(path, content)
            figures.pages += path.endswith(".html")
        if pool is None:
            step(f"writing the documents and pages of {len(entities)} entities")
            for node in entities:
                for path, content in entity_files(site, node, context):
                    writer.add(path, content)
        else:
            for future in pending:
                rewritten, kept = future.result()
                writer.rewritten += rewritten
                writer.unchanged += kept
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
            gc.unfreeze()
            _JOB = None
    return figures


def _global_files(site: SiteGraph, context: Context, dist_dir: Path, project: Project, version: str, issued: str,
                  step: Progress, endpoint: str | None, figures: SiteFigures,
                  site_url: str | None = None) -> Iterator[tuple[str, Content]]:
    """Every file of the site that is not an entity's own: downloads, queries, pictures, home page, release;
    what the map left out goes into ``figures``."""
    downloads = [p for p in sorted(dist_dir.iterdir()) if p.is_file()]
    released = [ReleaseFile(f"download/{p.name}", p.stat().st_size, _sha256(p)) for p in downloads]
    for path in downloads:
        yield f"download/{path.name}", path
    queries = [ExampleQuery.read(p) for p in sorted(project.queries_dir.glob("*.rq"))]
    for query in queries:
        yield f"queries/{query.name}", query.text
    for suffix, fmt in DOCUMENT_SUFFIXES.items():
        yield "ontology" + suffix, serialize(site.ontology, fmt, context)
    yield from ontology_documents(site.ontology, context).items()
    step("laying out the map and the network diagram")
    gazetteer = load_gazetteer()
    countries, located, network = load_countries(), locate_members(site, gazetteer), network_layout(site)
    picture = world_map(site, countries, located)
    figures.map_missing = picture.missing
    figures.map_fallbacks = {city: located.get(city, Located(None, "no country")).reason
                             for city in picture.fallbacks()}
    step("describing the release (VoID, DCAT, SHA256SUMS)")
    statistics = site.index.statistics
    void, dcat = void_graph(statistics, released), dcat_graph(released, version, issued)
    conforms, report = validate_release(void + dcat, project.root / RELEASE_SHAPES)
    if not conforms:
        raise NotConformingError(f"the release description does not conform to {RELEASE_SHAPES}: "
                                 + report.strip().splitlines()[-1])
    void_text, dcat_text = _release_turtle(void), _release_turtle(dcat)
    yield "void.ttl", void_text
    yield "dcat.ttl", dcat_text
    description = release_description(void, dcat)
    yield from dataset_documents(description, context).items()
    yield CONTEXT_PATH, dist_dir / "context.jsonld"
    sums = [*released, *(ReleaseFile(name, len(text.encode()), hashlib.sha256(text.encode()).hexdigest())
                         for name, text in (("void.ttl", void_text), ("dcat.ttl", dcat_text)))]
    yield "SHA256SUMS", sha256sums(sorted(sums, key=lambda f: f.path))
    facts = IndexFacts(triples=statistics.triples, entities=len(site.described_entities()),
                       claims=site.claim_count, sources=site.claim_sources(), version=version, issued=issued)
    credits = source_note(gazetteer.version)
    for language in LANGUAGES:
        step(f"writing the home page, timeline and pictures in {LANGUAGE_NAMES[language]}")
        with writing_in(language):
            yield in_language("ontology.html", language), ontology_page(site)
            shown = world_map(site, countries, located)
            yield localized_file("map.svg"), world_map(site, countries, located, standalone=True).svg
            yield localized_file("network.svg"), network_diagram(site, network, standalone=True)
            caption = map_caption(site, shown, gazetteer.version)
            yield in_language("index.html", language), index_page(
                site, facts, shown.svg, caption, network_diagram(site, network), released, queries, credits,
                network)
            dated, undated = timeline_entries(site)
            yield in_language("timeline.html", language), timeline_page(site, dated, undated)
            yield in_language("search.html", language), search_page()
            yield in_language("query.html", language), query_page(queries, endpoint)
            for path, html in address_pages(site.ontology, description, released).items():
                yield in_language(path, language), html
    yield SEARCH_INDEX, search_index(site)
    for name in ("style.css", "site.js", "query.js"):
        yield f"assets/{name}", _asset(name)
    yield "assets/favicon.svg", FAVICON_SVG
    yield "favicon.ico", favicon_ico()
    yield ".htaccess", htaccess()
    yield "nginx.conf", nginx_conf()
    if site_url is not None:
        yield "w3id/.htaccess", w3id_htaccess(site_url)
        yield "w3id/README.md", w3id_readme(site_url)
    yield "robots.txt", "User-agent: *\nAllow: /\n"


def _release_turtle(graph: Graph) -> str:
    return graph.serialize(format="turtle")


class _InMemory:
    """Collects the files of a site instead of writing them (for :func:`render_site`)."""

    staging = None
    previous = None

    def __init__(self) -> None:
        self.files: dict[str, str | bytes] = {}
        self.rewritten = 0
        self.unchanged = 0

    def add(self, path: str, content: Content) -> None:
        self.files[path] = content.read_bytes() if isinstance(content, Path) else content


def render_site(data: Graph, ontology: Graph, context: Context, dist_dir: Path, project: Project, version: str,
                issued: str, progress: Progress | None = None, endpoint: str | None = None,
                site_url: str | None = None) -> tuple[dict[str, str | bytes], dict]:
    """Every file of the site of an rdflib graph by path, kept in memory, and figures about it (for small graphs
    and tests; ``publish`` writes a large site file by file)."""
    site = SiteGraph(data, ontology)
    files = _InMemory()
    try:
        figures = write_site(site, context, dist_dir, project, version, issued, files,  # type: ignore[arg-type]
                             progress, endpoint, 1, site_url)
    finally:
        site.close()
    return files.files, {"triples": figures.triples, "entities": figures.entities, "pages": figures.pages,
                         "map_missing": figures.map_missing, "map_fallbacks": figures.map_fallbacks,
                         "kinds": figures.kinds}
