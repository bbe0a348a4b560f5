"""Shared fixtures: the project's paths, the source article, one build of dist/ per session, servers."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from migration_kg.pipeline.build import BuildResult, build

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def article_path() -> Path:
    """The source article: $MIGRATION_KG_ARTICLE, else ../shared/seeds/article-fr.txt beside the checkout."""
    override = os.environ.get("MIGRATION_KG_ARTICLE")
    return Path(override) if override else ROOT.parent / "shared" / "seeds" / "article-fr.txt"


#: Every build and validation in the tests checks the article's quotes against its text, as CI does.
os.environ.setdefault("MIGRATION_KG_SOURCES", str(article_path().parent))


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def article_text() -> str:
    path = article_path()
    if not path.is_file():
        pytest.fail(f"the source article is missing at {path}; set MIGRATION_KG_ARTICLE")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """One build of the real project into a temporary dist/, shared by the whole session."""
    return build(ROOT, tmp_path_factory.mktemp("build") / "dist")


@pytest.fixture(scope="session")
def dist_dir(built: BuildResult) -> Path:
    return built.out_dir


@pytest.fixture()
def project_copy(tmp_path: Path) -> Path:
    """A private copy of the project's sources, safe to break."""
    target = tmp_path / "project"
    for name in ("ontology", "data", "shapes", "queries", "texts"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, target / name)
    return target


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def oxigraph(tmp_path_factory: pytest.TempPathFactory, dist_dir: Path) -> Iterator[object]:
    """A real Oxigraph server on 127.0.0.1, loaded with the built graph in its default graph."""
    from servers import oxigraph_server

    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as server:
        server.load_file(dist_dir / "migration-kg.nt", "application/n-triples")
        yield server


@pytest.fixture(scope="session")
def wikidata_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The query URL of a real Oxigraph server on 127.0.0.1 loaded with the Wikidata-shaped test fixture."""
    from servers import oxigraph_server

    with oxigraph_server(tmp_path_factory.mktemp("wikidata-oxigraph")) as server:
        server.load_file(FIXTURES / "wikidata" / "fixture.ttl", "text/turtle")
        yield server.query_url


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory, dist_dir: Path) -> Path:
    """One published site/ from the session's dist/, shared by the publish, serve and browser tests."""
    from migration_kg.site.publish import publish

    return publish(ROOT, dist_dir, tmp_path_factory.mktemp("publish") / "site", issued="2026-11-26").out_dir


@pytest.fixture(scope="session")
def site_server(site_dir: Path) -> Iterator[object]:
    """`migration-kg serve` on 127.0.0.1 (a free port) in a background thread, SPARQL time limit 3 s."""
    from servers import running_in_thread

    from migration_kg.site.server import make_server

    with running_in_thread(make_server(site_dir, "127.0.0.1", 0, timeout=3.0)) as server:
        yield server
