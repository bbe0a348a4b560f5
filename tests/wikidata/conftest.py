"""Fixtures of the Wikidata tests: a real Oxigraph loaded with real Wikidata RDF and our items in that shape,
and a local search API over the same items."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT.parent / "shared" / "reference" / "wikidata-rdf"
REAL_SHAPE = ROOT / "tests" / "fixtures" / "wikidata" / "real-shape"
#: Real Wikidata RDF (wikimedia/wikidata-query-rdf, see ../shared/reference/README.md) and our items in its shape.
REAL_SHAPE_FILES = (REFERENCE / "RdfRepositoryUpdaterIntegrationTest.Q42-munged.ttl", REFERENCE / "small_dump.ttl",
                    REAL_SHAPE / "items.ttl")


@pytest.fixture(scope="session")
def real_shape_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The query URL of a real ``oxigraph serve`` holding the real-shape Wikidata fixture."""
    from servers import oxigraph_server

    missing = [str(p) for p in REAL_SHAPE_FILES if not p.is_file()]
    if missing:
        pytest.fail(f"reference Wikidata RDF missing: {missing}")
    with oxigraph_server(tmp_path_factory.mktemp("wikidata-real-shape")) as server:
        for path in REAL_SHAPE_FILES:
            server.load_file(path, "text/turtle")
        yield server.query_url


@pytest.fixture(scope="session")
def search_server() -> Iterator[object]:
    """A local wbsearchentities API over the labels and aliases of the real-shape fixture."""
    from wikidata_search import search_api

    with search_api(REAL_SHAPE_FILES) as server:
        yield server
