"""The release description: VoID and DCAT conform to their shapes and tell the truth about the files."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, XSD

from migration_kg.site.release import validate_release

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
DCT = Namespace("http://purl.org/dc/terms/")
DATASET = URIRef("https://w3id.org/migration-kg/dataset")
BASE = "https://w3id.org/migration-kg/"
SHAPES = Path("shapes") / "release" / "dcat-void-shapes.ttl"


@pytest.fixture(scope="module")
def void(site_dir: Path) -> Graph:
    return Graph().parse(site_dir / "void.ttl", format="turtle")


@pytest.fixture(scope="module")
def dcat(site_dir: Path) -> Graph:
    return Graph().parse(site_dir / "dcat.ttl", format="turtle")


def test_void_and_dcat_conform_to_the_release_shapes(void: Graph, dcat: Graph, project_root: Path) -> None:
    conforms, report = validate_release(void + dcat, project_root / SHAPES)
    assert conforms, report


def test_release_shapes_report_each_fault_of_a_bad_description(fixtures_dir: Path, project_root: Path) -> None:
    bad = Graph().parse(fixtures_dir / "release" / "bad-release.ttl", format="turtle")
    conforms, report = validate_release(bad, project_root / SHAPES)
    assert not conforms
    paths = set(re.findall(r"Result Path: (\S+)", report))
    assert paths == {"dcterms:title", "dcat:version", "void:triples", "void:objectsTarget", "void:linkPredicate",
                     "dcat:mediaType", "spdx:checksum", "spdx:algorithm", "spdx:checksumValue",
                     "dcterms:publisher", "dcterms:creator", "dcat:contactPoint", "dcterms:language"}
    assert "creator is an agent named by an IRI, not a literal" in report
    assert re.search(r"Focus Node: <https://w3id.org/migration-kg/dataset#catalog>\s+Result Path: dcterms:publisher",
                     report)


def test_void_statistics_match_the_graph(void: Graph, dist_dir: Path) -> None:
    data = Graph().parse(dist_dir / "migration-kg.nt", format="nt")
    entities = {s for s in data.subjects() if str(s).startswith(BASE + "id/")}
    assert void.value(DATASET, VOID.triples) == Literal(len(data), datatype=XSD.integer)
    assert int(void.value(DATASET, VOID.entities)) == len(entities)
    assert int(void.value(DATASET, VOID.classes)) == len(set(data.objects(None, RDF.type)))
    assert int(void.value(DATASET, VOID.properties)) == len(set(data.predicates()))
    linkset = void.value(DATASET, VOID.subset)
    assert (linkset, RDF.type, VOID.Linkset) in void
    assert void.value(linkset, VOID.linkPredicate) == OWL.sameAs
    wikidata_links = [o for o in data.objects(None, OWL.sameAs) if str(o).startswith("http://www.wikidata.org/")]
    assert int(void.value(linkset, VOID.triples)) == len(wikidata_links) > 10
    target = void.value(linkset, VOID.objectsTarget)
    assert str(void.value(target, VOID.uriSpace)) == "http://www.wikidata.org/entity/"
    city_partition = next(p for p in void.objects(DATASET, VOID.classPartition)
                          if void.value(p, VOID["class"]) == URIRef("https://schema.org/City"))
    assert int(void.value(city_partition, VOID.entities)) == len(set(data.subjects(RDF.type,
                                                                                  URIRef("https://schema.org/City"))))


def test_dcat_describes_every_download_with_true_size_and_checksum(dcat: Graph, site_dir: Path) -> None:
    downloads = sorted((site_dir / "download").iterdir())
    distributions = list(dcat.objects(DATASET, DCAT.distribution))
    assert len(distributions) == len(downloads) >= 9
    by_url = {str(dcat.value(d, DCAT.downloadURL)): d for d in distributions}
    media = {".ttl": "text/turtle", ".nt": "application/n-triples", ".jsonld": "application/ld+json",
             ".rdf": "application/rdf+xml", ".txt": "text/plain"}
    for path in downloads:
        distribution = by_url[f"{BASE}download/{path.name}"]
        content = path.read_bytes()
        assert int(dcat.value(distribution, DCAT.byteSize)) == len(content)
        checksum = dcat.value(distribution, SPDX.checksum)
        assert dcat.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(dcat.value(checksum, SPDX.checksumValue)) == hashlib.sha256(content).hexdigest()
        assert str(dcat.value(distribution, DCAT.mediaType)).endswith("/" + media[path.suffix])
        assert dcat.value(distribution, DCT.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert str(dcat.value(DATASET, DCT.issued)) == "2026-11-26"
    assert str(dcat.value(DATASET, DCAT.version)) == "0.1.0"


def test_sha256sums_checks_out(site_dir: Path) -> None:
    lines = (site_dir / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    listed = {}
    for line in lines:
        digest, name = re.fullmatch(r"([0-9a-f]{64})  (\S+)", line).groups()
        listed[name] = digest
    expected = {f"download/{p.name}" for p in (site_dir / "download").iterdir()} | {"void.ttl", "dcat.ttl"}
    assert set(listed) == expected
    for name, digest in listed.items():
        assert hashlib.sha256((site_dir / name).read_bytes()).hexdigest() == digest, name


def test_publish_after_dump_describes_the_bulk_file(project_root: Path, dist_dir: Path, tmp_path: Path) -> None:
    """`migration-kg dump` then `migration-kg publish`: the gzipped N-Quads are a download like the others."""
    import shutil
    import subprocess
    import sys

    dist = tmp_path / "dist"
    shutil.copytree(dist_dir, dist)
    command = [sys.executable, "-m", "migration_kg", "-q"]
    assert subprocess.run([*command, "dump", "--dist", str(dist)], check=False).returncode == 0
    published = subprocess.run([*command, "publish", "--project", str(project_root), "--dist", str(dist),
                                "--out", str(tmp_path / "site"), "--issued", "2026-11-26"],
                               capture_output=True, text=True, check=False)
    assert published.returncode == 0, published.stderr
    site = tmp_path / "site"
    dcat = Graph().parse(site / "dcat.ttl", format="turtle")
    void = Graph().parse(site / "void.ttl", format="turtle")
    distribution = URIRef(f"{DATASET}#distribution-download-migration-kg-nq-gz")
    iana = "https://www.iana.org/assignments/media-types/"
    assert dcat.value(distribution, DCAT.mediaType) == URIRef(iana + "application/n-quads")
    assert dcat.value(distribution, DCAT.compressFormat) == URIRef(iana + "application/gzip")
    assert dcat.value(distribution, DCAT.byteSize) == Literal((dist / "migration-kg.nq.gz").stat().st_size,
                                                               datatype=XSD.nonNegativeInteger)
    assert (DATASET, VOID.dataDump, URIRef(BASE + "download/migration-kg.nq.gz")) in void
    assert (DATASET, VOID.feature, URIRef("http://www.w3.org/ns/formats/N-Quads")) in void
    assert "download/migration-kg.nq.gz" in (site / "SHA256SUMS").read_text(encoding="utf-8")
