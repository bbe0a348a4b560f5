"""link check (old fixture: CLI, formats, cache), suggest (search API + real-shape items), accept and enrich
(old fixture, whose enrichment values it holds) against real local servers. The checks themselves on Wikidata's
real shapes are in test_check_real_shape.py."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS

from migration_kg.cli.main import main
from migration_kg.errors import InputError
from migration_kg.namespaces import MKG, WD
from migration_kg.pipeline.build import build
from migration_kg.wikidata.accept import accept_mappings
from migration_kg.wikidata.check import check_links
from migration_kg.wikidata.client import WikidataClient
from migration_kg.wikidata.enrich import enrich_links
from migration_kg.wikidata.ours import OurGraph, normalise, similarity
from migration_kg.wikidata.sssom import parse_metadata, read_sssom, sssom_text
from migration_kg.wikidata.suggest import suggest_links

pytestmark = pytest.mark.server

ID = "https://w3id.org/migration-kg/id/"
WDT = "http://www.wikidata.org/prop/direct/"
DATE_TIME = URIRef("http://www.w3.org/2001/XMLSchema#dateTime")


@pytest.fixture(scope="module")
def our_graph(project_root: Path, fixtures_dir: Path) -> OurGraph:
    return OurGraph.load(project_root, [fixtures_dir / "wikidata" / "our-graph.ttl"])


@pytest.fixture(scope="module")
def verdicts(our_graph: OurGraph, wikidata_endpoint: str) -> dict[tuple[str, str], str]:
    rows = check_links(our_graph, WikidataClient(endpoint=wikidata_endpoint, cache_dir=None))
    return {(row.entity, row.check): row.verdict for row in rows}


# ---------------------------------------------------------------- helpers


def test_normalise_and_similarity_ignore_case_accents_and_punctuation() -> None:
    assert normalise("  Montréal, QC ") == "montreal qc"
    assert similarity(["Aki-Sawyerr"], ["aki sawyerr"])[0] == 1.0
    assert similarity(["Freetown"], ["Nowhere Bay", "Freetown"]) == (1.0, "Freetown", "Freetown")
    assert similarity(["Freetown"], ["Nowhere Bay"])[0] < 0.3


# ---------------------------------------------------------------- link check


def test_old_fixture_planted_problems_are_still_reported(verdicts: dict[tuple[str, str], str]) -> None:
    wrong = sorted(key for key, verdict in verdicts.items() if verdict == "wrong")
    assert wrong == [("city:athens", "mayor on 2018-12-07"), ("city:bristol", "item"), ("city:freetown", "label"),
                     ("city:kampala", "type"), ("city:marrakech", "country")]
    assert verdicts[("city:milan", "item")] == "warning"


def test_mayor_at_another_date(our_graph: OurGraph, wikidata_endpoint: str) -> None:
    rows = check_links(our_graph, WikidataClient(endpoint=wikidata_endpoint, cache_dir=None), "2012-06-01")
    athens = next(row for row in rows if row.entity == "city:athens" and row.check == "mayor on 2012-06-01")
    assert athens.verdict == "ok"


def test_cli_check_exits_1_and_writes_csv_and_json(runner, project_root: Path, fixtures_dir: Path,
                                                  wikidata_endpoint: str, tmp_path: Path) -> None:
    base = ["link", "check", "--project", str(project_root), "--graph", str(fixtures_dir / "wikidata/our-graph.ttl"),
            "--endpoint", wikidata_endpoint, "--cache-dir", str(tmp_path / "cache")]
    result = runner.invoke(main, [*base, "--format", "csv", "--output", str(tmp_path / "report.csv")])
    assert result.exit_code == 1, result.output
    assert "5 wrong" in result.output and "5 HTTP requests, 0 answers from the cache" in result.output
    with (tmp_path / "report.csv").open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert list(rows[0]) == ["entity", "label", "qid", "check", "ours", "wikidata", "verdict"]
    assert {"entity": "city:bristol", "label": "Bristol", "qid": "Q99000404", "check": "item", "ours": "Q99000404",
            "wikidata": "no such item", "verdict": "wrong"} in rows
    again = runner.invoke(main, [*base, "--format", "json", "--output", str(tmp_path / "report.json")])
    assert again.exit_code == 1
    assert "0 HTTP requests, 5 answers from the cache" in again.output
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert {"entity": "city:marrakech", "check": "country", "verdict": "wrong"}.items() <= next(
        r for r in report if r["entity"] == "city:marrakech" and r["check"] == "country").items()
    table = runner.invoke(main, [*base, "--format", "table"])
    assert table.exit_code == 1 and "Wikidata link check" in table.output and "no such item" in table.output


def test_cli_check_exits_0_when_no_link_is_wrong(runner, project_root: Path, wikidata_endpoint: str,
                                                 tmp_path: Path) -> None:
    good = tmp_path / "good.ttl"
    good.write_text("""
@prefix city: <https://w3id.org/migration-kg/id/city/> .
@prefix country: <https://w3id.org/migration-kg/id/country/> .
@prefix schema: <https://schema.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix wd: <http://www.wikidata.org/entity/> .
country:canada a schema:Country ; rdfs:label "Canada"@en , "Canada"@fr ; owl:sameAs wd:Q16 .
city:montreal a schema:City ; rdfs:label "Montreal"@en , "Montréal"@fr ; schema:containedInPlace country:canada ;
    owl:sameAs wd:Q340 .
""", encoding="utf-8")
    result = runner.invoke(main, ["link", "check", "--project", str(project_root), "--graph", str(good),
                                  "--endpoint", wikidata_endpoint, "--no-cache", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "city:montreal,Montreal,Q340,country,Canada (Q16),Canada (Q16),ok" in result.output
    assert ("checked 2 links with 7 checks (7 ok, 0 wrong, 0 warning, 0 not-comparable); "
            "0 links with a wrong check") in result.output


def test_cli_check_refuses_a_bad_date(runner, project_root: Path, wikidata_endpoint: str) -> None:
    result = runner.invoke(main, ["link", "check", "--project", str(project_root), "--endpoint", wikidata_endpoint,
                                  "--no-cache", "--date", "7 December 2018"])
    assert result.exit_code == 2
    assert "error: --date must be YYYY-MM-DD, not '7 December 2018'" in result.output


# ---------------------------------------------------------------- link suggest and SSSOM


@pytest.fixture(scope="module")
def suggestions(project_root: Path, real_shape_endpoint: str, search_server) -> list:
    ours = OurGraph.load(project_root)
    return suggest_links(ours, WikidataClient(endpoint=real_shape_endpoint, search_api=search_server.url,
                                              cache_dir=None))


def test_suggestions_are_ranked_with_their_reasons(suggestions: list) -> None:
    plante = [s for s in suggestions if s.subject == "person:valerie-plante"]
    assert [s.qid for s in plante] == ["Q99000101", "Q99000103"]
    best, namesake = plante
    assert best.confidence == 1.0 and namesake.confidence == 0.4
    assert best.predicate == "skos:exactMatch" and best.justification == "semapv:CompositeMatching"
    assert best.reasons == ["search 'Valérie Plante' (en) matched label 'Valérie Plante' (mul)",
                            "search 'Valérie Plante' (fr) matched label 'Valérie Plante' (mul)",
                            "label 'Valérie Plante' ~ 'Valérie Plante' (similarity 1.00)",
                            "type matches: human (Q5)", "country matches (Q16)",
                            "position held: Mayor of Montreal (Q177645)",
                            "term overlaps ours (from 2017-11-16 to 2025-11-13)"]
    assert "country differs: ours Q16, Wikidata Q142" in namesake.reasons


def test_offices_are_found_by_name_and_confirmed_by_type(suggestions: list) -> None:
    offices = {(s.subject, s.qid, s.predicate, s.confidence) for s in suggestions if s.subject.startswith("post:")}
    assert offices == {("post:mayor-of-bristol", "Q99000022", "skos:exactMatch", 0.7),
                       ("post:mayor-of-milan", "Q99000023", "skos:exactMatch", 0.7),
                       ("post:minister-of-immigration-canada", "Q99000021", "skos:exactMatch", 0.7)}


def test_suggestions_filter_out_wrong_types_and_skip_linked_entities(suggestions: list) -> None:
    assert "Q99000104" not in {s.qid for s in suggestions}
    assert not any(s.subject in ("city:montreal", "person:ahmed-hussen") for s in suggestions)
    (untyped,) = [s for s in suggestions if s.subject == "person:yvonne-aki-sawyerr"]
    assert (untyped.qid, untyped.predicate, untyped.justification, untyped.confidence) == (
        "Q99000105", "skos:closeMatch", "semapv:LexicalMatching", 0.5)


def test_sssom_output_parses_as_yaml_and_tsv(suggestions: list, tmp_path: Path) -> None:
    path = tmp_path / "mappings.sssom.tsv"
    path.write_text(sssom_text(suggestions, today="2024-05-01"), encoding="utf-8")
    header = [line[2:] for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    metadata = yaml.safe_load("\n".join(header))
    assert metadata["mapping_set_id"] == "https://w3id.org/migration-kg/mappings/wikidata-suggestions-2024-05-01"
    assert metadata["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert metadata["curie_map"]["wikidata"] == "http://www.wikidata.org/entity/"
    assert metadata["curie_map"]["person"] == ID + "person/"
    assert metadata["extension_definitions"][0]["slot_name"] == "review"
    assert parse_metadata([line[1:] for line in path.read_text().splitlines() if line.startswith("#")], path) \
        == metadata
    _meta, rows = read_sssom(path)
    first = rows[0]
    assert (first["subject_id"], first["predicate_id"], first["object_id"], first["confidence"]) == (
        "person:valerie-plante", "skos:exactMatch", "wikidata:Q99000101", "1.00")
    assert first["mapping_justification"] == "semapv:CompositeMatching" and first["mapping_date"] == "2024-05-01"
    assert first["mapping_tool"] == "migration-kg link suggest" and "position held" in first["comment"]
    assert first["review"] == "" and first["_line"] == str(len(header) + 2)


def test_cli_suggest_writes_the_file(runner, project_root: Path, real_shape_endpoint: str, search_server,
                                     tmp_path: Path) -> None:
    out = tmp_path / "out.sssom.tsv"
    result = runner.invoke(main, ["link", "suggest", "--project", str(project_root), "--endpoint", real_shape_endpoint,
                                  "--search-api", search_server.url, "--no-cache", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "wrote 6 candidate mappings for 5 entities" in result.output
    assert "search 'Valérie Plante' (en) matched label 'Valérie Plante' (mul)" in out.read_text()
    assert len(search_server.requests) >= 2 * 40  # one search per name and language, then SPARQL to confirm
    assert "person:valerie-plante\tValérie Plante\tskos:exactMatch\twikidata:Q99000101" in out.read_text()


# ---------------------------------------------------------------- link accept


def _review(path: Path, qid: str, reviewer: str = "Test Reviewer", predicate: str | None = None) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    columns = next(line for line in lines if line.startswith("subject_id")).split("\t")
    for index, line in enumerate(lines):
        cells = line.split("\t")
        if len(cells) == len(columns) and cells[columns.index("object_id")] == f"wikidata:{qid}":
            cells[columns.index("reviewer_label")] = reviewer
            cells[columns.index("review")] = "accepted"
            if predicate:
                cells[columns.index("predicate_id")] = predicate
            lines[index] = "\t".join(cells)
    path.write_text("\n".join(lines), encoding="utf-8")


@pytest.fixture()
def reviewed(project_copy: Path, suggestions: list) -> Path:
    path = project_copy / "mappings.sssom.tsv"
    path.write_text(sssom_text(suggestions, today="2024-05-01"), encoding="utf-8")
    _review(path, "Q99000101")
    return path


def test_accept_writes_links_that_pass_the_build(runner, project_copy: Path, reviewed: Path) -> None:
    result = runner.invoke(main, ["link", "accept", "--project", str(project_copy), str(reviewed)])
    assert result.exit_code == 0, result.output
    assert "wrote 1 link to" in result.output
    graph = Graph().parse(project_copy / "data" / "wikidata-links-accepted.ttl")
    plante = URIRef(ID + "person/valerie-plante")
    assert (plante, OWL.sameAs, WD.Q99000101) in graph
    claim = URIRef(ID + "claim/person-valerie-plante-wikidata-q99000101")
    source = URIRef(ID + "source/sssom-wikidata-suggestions-2024-05-01")
    assert (claim, RDF.type, MKG.Claim) in graph and (claim, RDF.subject, plante) in graph
    assert (claim, PROV.wasDerivedFrom, source) in graph
    assert "accepted by Test Reviewer" in str(graph.value(claim, RDFS.comment))
    assert {str(label) for label in graph.objects(source, RDFS.label)} == {
        "Reviewed SSSOM mapping set mappings.sssom.tsv", "Jeu de correspondances SSSOM révisé mappings.sssom.tsv"}
    built = build(project_copy, project_copy / "dist")
    assert built.report.conforms
    again = runner.invoke(main, ["link", "accept", "--project", str(project_copy), str(reviewed)])
    assert again.exit_code == 0 and "skipped (already linked)" in again.output


def test_accept_close_match_and_min_confidence(project_copy: Path, reviewed: Path) -> None:
    _review(reviewed, "Q99000105", predicate="skos:closeMatch")
    result = accept_mappings(project_copy, reviewed, min_confidence=0.6)
    assert result.written == [("person:valerie-plante", "skos:exactMatch", "wikidata:Q99000101")]
    assert [reason for _line, reason in result.skipped] == ["confidence 0.50 below 0.60"]
    result = accept_mappings(project_copy, reviewed)
    assert result.written == [("person:yvonne-aki-sawyerr", "skos:closeMatch", "wikidata:Q99000105")]
    graph = Graph().parse(result.path)
    assert (URIRef(ID + "person/yvonne-aki-sawyerr"), SKOS.closeMatch, WD.Q99000105) in graph
    assert build(project_copy, project_copy / "dist").report.conforms


@pytest.mark.parametrize(("edit", "message"), [
    (lambda p: _review(p, "Q99000103", reviewer=""), "an accepted row needs reviewer_id or reviewer_label"),
    (lambda p: (_review(p, "Q99000103"), _review(p, "Q99000101")), "is already linked to"),
    (lambda p: p.write_text(p.read_text().replace("wikidata:Q99000101", "wikidata:P31")), "is not a Wikidata item"),
    (lambda p: p.write_text(p.read_text().replace("skos:exactMatch", "skos:broadMatch", 1)),
     "must be skos:exactMatch or skos:closeMatch"),
])
def test_accept_refuses_bad_rows_with_file_and_line(runner, project_copy: Path, reviewed: Path, edit,
                                                     message: str) -> None:
    edit(reviewed)
    before = sorted(p.name for p in (project_copy / "data").iterdir())
    result = runner.invoke(main, ["link", "accept", "--project", str(project_copy), str(reviewed)])
    assert result.exit_code == 2, result.output
    assert message in result.output and f"{reviewed}:" in result.output
    assert sorted(p.name for p in (project_copy / "data").iterdir()) == before


def test_accept_refuses_a_file_that_is_not_sssom(project_copy: Path, tmp_path: Path) -> None:
    path = tmp_path / "notes.tsv"
    path.write_text("# mapping_set_id: \"x\"\nsubject\tobject\nperson:valerie-plante\tQ1\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"notes.tsv:2: not an SSSOM table: missing column\(s\) object_id, "
                                         r"predicate_id, subject_id"):
        accept_mappings(project_copy, path)
    assert not (project_copy / "data" / "wikidata-links-accepted.ttl").exists()


def test_accept_refuses_a_qid_linked_elsewhere(project_copy: Path, reviewed: Path) -> None:
    text = reviewed.read_text().replace("wikidata:Q99000101", "wikidata:Q340")
    reviewed.write_text(text)
    with pytest.raises(InputError, match="wikidata:Q340 is already linked from city:montreal"):
        accept_mappings(project_copy, reviewed)


# ---------------------------------------------------------------- link enrich


def test_enrich_writes_a_snapshot_with_provenance_that_builds(runner, project_copy: Path,
                                                              wikidata_endpoint: str) -> None:
    result = runner.invoke(main, ["link", "enrich", "--project", str(project_copy), "--endpoint", wikidata_endpoint,
                                  "--cache-dir", str(project_copy / ".cache")])
    assert result.exit_code == 0, result.output
    graph = Graph().parse(project_copy / "data" / "wikidata-enrichment.ttl")
    montreal = URIRef(ID + "city/montreal")
    assert list(graph.objects(montreal, URIRef(WDT + "P1082"))) == [Literal(1000002)]
    assert (montreal, URIRef(WDT + "P856"), URIRef("https://example.org/montreal")) in graph
    claim = URIRef(ID + "claim/city-montreal-wikidata-p1082-1")
    assert graph.value(claim, URIRef("http://www.wikidata.org/prop/qualifier/P585")) == Literal(
        "2021-01-01T00:00:00Z", datatype=DATE_TIME)
    assert 'pq:P585 "2021-01-01T00:00:00Z"^^xsd:dateTime' in (project_copy / "data/wikidata-enrichment.ttl").read_text()
    assert graph.value(claim, PROV.generatedAtTime).datatype == DATE_TIME
    assert graph.value(claim, PROV.wasDerivedFrom) == URIRef(ID + "source/wikidata-q340")
    assert build(project_copy, project_copy / "dist").report.conforms


def test_enrich_api_touches_no_file(project_root: Path, wikidata_endpoint: str) -> None:
    data_before = sorted(p.name for p in (project_root / "data").iterdir())
    graph = enrich_links(OurGraph.load(project_root), WikidataClient(endpoint=wikidata_endpoint, cache_dir=None))
    assert (URIRef(ID + "city/montreal"), URIRef(WDT + "P625"), None) in graph
    assert sorted(p.name for p in (project_root / "data").iterdir()) == data_before
