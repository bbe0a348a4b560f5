"""link check against Wikidata as the query service really holds it: real RDF (Q42, a dump with a redirect) and our
items written in that shape, served by a real Oxigraph (see tests/wikidata/conftest.py)."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest
from rdflib import OWL, Graph

from migration_kg.cli.main import main
from migration_kg.wikidata.answers import TimeValue
from migration_kg.wikidata.check import CheckRow, check_links
from migration_kg.wikidata.client import WikidataClient
from migration_kg.wikidata.dates import agree, covers
from migration_kg.wikidata.ours import OurGraph
from migration_kg.wikidata.queries import fetch_items, fetch_statements

pytestmark = pytest.mark.server

ID = "https://w3id.org/migration-kg/id/"
WD = "http://www.wikidata.org/entity/"
PLANTED = Path(__file__).resolve().parents[1] / "fixtures" / "wikidata" / "real-shape" / "our-graph.ttl"


@pytest.fixture(scope="module")
def rows(project_root: Path, real_shape_endpoint: str) -> list[CheckRow]:
    ours = OurGraph.load(project_root, [PLANTED])
    return check_links(ours, WikidataClient(endpoint=real_shape_endpoint, cache_dir=None))


def _row(rows: list[CheckRow], entity: str, check: str) -> CheckRow:
    return next(r for r in rows if r.entity == entity and r.check == check)


def test_every_planted_problem_is_reported_and_nothing_else(rows: list[CheckRow]) -> None:
    wrong = sorted((r.entity, r.check) for r in rows if r.verdict == "wrong")
    assert wrong == [("city:amman", "mayor on 2018-12-07"), ("city:bristol", "item"), ("city:kampala", "type"),
                     ("city:marrakech", "country")]
    assert sorted((r.entity, r.check) for r in rows if r.verdict == "warning") == [("city:milan", "item")]
    assert sorted((r.entity, r.check) for r in rows if r.verdict == "not-comparable") == [
        ("city:kampala", "country"), ("person:giorgos-kaminis", "position held"),
        ("person:test-mayor-a", "position held")]


def test_names_only_in_mul_or_a_regional_variant_are_read(rows: list[CheckRow]) -> None:
    assert _row(rows, "city:freetown", "label").verdict == "ok"
    assert "Freetown@mul" in _row(rows, "city:freetown", "label").wikidata
    for person in ("person:ahmed-hussen", "person:marvin-rees", "person:giuseppe-sala"):
        assert _row(rows, person, "label").verdict == "ok", person


def test_dates_compare_at_wikidatas_precision_and_unknown_values_decide_nothing(rows: list[CheckRow]) -> None:
    rees = _row(rows, "person:marvin-rees", "position held")
    assert rees.verdict == "ok" and "from 2016 " in rees.wikidata + " "
    hussen = _row(rows, "person:ahmed-hussen", "position held")
    assert hussen.verdict == "ok" and "from 2017-01 to unknown" in hussen.wikidata
    athens = _row(rows, "city:athens", "mayor on 2018-12-07")
    assert athens.verdict == "ok" and "Test Predecessor" not in athens.wikidata


def test_deprecated_statements_are_ignored_and_preferred_rank_wins(rows: list[CheckRow]) -> None:
    montreal = _row(rows, "city:montreal", "country")
    assert montreal.verdict == "ok" and "Q142" not in montreal.wikidata
    amman = _row(rows, "city:amman", "country")
    assert amman.verdict == "ok" and "Q810" in amman.wikidata and "Q99000303" not in amman.wikidata
    milan = _row(rows, "city:milan", "mayor on 2018-12-07")
    assert milan.verdict == "ok" and "Q99000301" not in milan.wikidata


def test_a_start_date_from_another_source_counts(rows: list[CheckRow]) -> None:
    sala = _row(rows, "person:giuseppe-sala", "position held")
    assert sala.verdict == "ok" and "other start date we record (2016-06-20)" in sala.wikidata


def test_the_real_item_q42_passes(rows: list[CheckRow]) -> None:
    for check in ("item", "type", "label"):
        assert _row(rows, "person:douglas-adams", check).verdict == "ok"


def test_redirects_in_the_real_dump_are_reported(real_shape_endpoint: str) -> None:
    items = fetch_items(WikidataClient(endpoint=real_shape_endpoint, cache_dir=None), ["Q6825", "Q42", "Q31"])
    assert items["Q6825"].redirect == "Q26709563"
    assert items["Q42"].label() == "Douglas Adams" and "Douglas Noël Adams" in items["Q42"].names(with_aliases=True)
    assert items["Q42"].exists and items["Q31"].exists and items["Q31"].labels == {}


def test_statements_of_the_real_q42_carry_rank_and_precision(real_shape_endpoint: str) -> None:
    residences = fetch_statements(WikidataClient(endpoint=real_shape_endpoint, cache_dir=None), ["Q42"], "P551")["Q42"]
    by_value = {s.value: s for s in residences}
    assert by_value["Q909993"].rank == "preferred" and by_value["Q909993"].start == TimeValue(
        "1957-01-01T00:00:00Z", 9)
    assert str(by_value["Q909993"].start) == "1957"
    assert by_value["Q159288"].rank == "normal" and by_value["Q159288"].end == TimeValue("2001-05-11T00:00:00Z", 11)


def test_date_helpers() -> None:
    year, unknown = TimeValue("2016-01-01T00:00:00Z", 9), TimeValue(None)
    assert agree("2016-05", year) and agree("2016-05-07", year) and not agree("2017-01-10", year)
    assert agree("2019-11-20", unknown) is None and agree(None, year)
    assert covers(year, None, "2018-12-07") is True and covers(year, unknown, "2018-12-07") is None
    assert covers(TimeValue("2019-01-01T00:00:00Z", 9), unknown, "2018-12-07") is False
    assert TimeValue("2016-02-01T00:00:00Z", 10).bounds() == ("2016-02-01", "2016-02-29")


def _linked_entities(project_root: Path) -> set[str]:
    """The CURIEs (``city:montreal``) of every entity of data/ that has an owl:sameAs link to a Wikidata item."""
    data = Graph()
    for path in sorted((project_root / "data").glob("*.ttl")):
        data.parse(path, format="turtle")
    return {str(s).removeprefix(ID).replace("/", ":", 1) for s, o in data.subject_objects(OWL.sameAs)
            if str(o).startswith(WD) and str(s).startswith(ID)}


def test_our_own_data_has_no_wrong_link(runner, project_root: Path, real_shape_endpoint: str, tmp_path: Path) -> None:
    result = runner.invoke(main, ["link", "check", "--project", str(project_root), "--endpoint", real_shape_endpoint,
                                  "--no-cache", "--format", "csv", "--output", str(tmp_path / "report.csv")])
    assert result.exit_code == 0, result.output
    with (tmp_path / "report.csv").open(encoding="utf-8") as stream:
        report = list(csv.DictReader(stream))
    linked = _linked_entities(project_root)
    assert {r["entity"] for r in report} == linked and len(linked) > 20
    verdicts = Counter(r["verdict"] for r in report)
    assert set(verdicts) == {"ok", "not-comparable"}
    assert (f"checked {len(linked)} links with {len(report)} checks ({verdicts['ok']} ok, 0 wrong, 0 warning, "
            f"{verdicts['not-comparable']} not-comparable); 0 links with a wrong check") in result.output
    for row in (r for r in report if r["verdict"] == "not-comparable"):  # only where our side has no QID
        assert "(no QID)" in row["ours"] or row["wikidata"] == "(our office has no QID)", row
    not_ok = {(r["entity"], r["check"]) for r in report if r["verdict"] != "ok"}
    assert ("city:montreal", "mayor on 2018-12-07") in not_ok  # our Valérie Plante has no QID yet
    assert ("city:los-angeles", "mayor on 2018-12-07") in not_ok  # nor has our Eric Garcetti
    for entity, checks in (("city:los-angeles", ("item", "type", "label", "country")),
                           ("person:george-soros", ("item", "type", "label"))):
        assert {r["check"] for r in report if r["entity"] == entity and r["verdict"] == "ok"} == set(checks), entity


def test_cli_planted_graph_exits_1_with_its_summary(runner, project_root: Path, real_shape_endpoint: str,
                                                    tmp_path: Path) -> None:
    base = ["link", "check", "--project", str(project_root), "--graph", str(PLANTED), "--endpoint",
            real_shape_endpoint, "--cache-dir", str(tmp_path / "cache"), "--format", "json"]
    result = runner.invoke(main, base)
    assert result.exit_code == 1, result.output
    assert ("checked 25 links with 88 checks (80 ok, 4 wrong, 1 warning, 3 not-comparable); "
            "4 links with a wrong check") in result.output
    again = runner.invoke(main, base)
    assert again.exit_code == 1 and " 0 HTTP requests" in again.output
