"""`build` proves every quote it can; `source add`, `quote find` and `quote fill` author claims without counting."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from migration_kg.cli.main import main

ARTICLE = "work:la-presse-2018-12-07-plante-marrakech"
SUMMARY = re.compile(r"(\d+) quotes checked, (\d+) unchecked \(text not available\)")


def snapshot(directory: Path) -> dict[str, bytes]:
    return {str(path.relative_to(directory)): path.read_bytes() for path in sorted(directory.rglob("*"))
            if path.is_file()}


def test_build_says_how_many_quotes_it_checked(runner: CliRunner, project_root: Path, tmp_path: Path) -> None:
    result = runner.invoke(main, ["build", "--project", str(project_root), "--out", str(tmp_path / "dist")])
    assert result.exit_code == 0, result.output
    checked, unchecked = map(int, SUMMARY.search(result.output).groups())
    assert checked >= 125
    report = (tmp_path / "dist" / "validation-report.txt").read_text(encoding="utf-8")
    assert f"Quotes: {checked} quotes checked, {unchecked} unchecked (text not available)" in report


def test_without_the_texts_the_quotes_are_counted_unchecked(runner: CliRunner, project_root: Path,
                                                            tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(main, ["validate", "--project", str(project_root), "--sources", str(empty)])
    assert result.exit_code == 0, result.output
    _checked, unchecked = map(int, SUMMARY.search(result.output).groups())
    assert unchecked >= 125


def test_a_quote_off_by_one_fails_the_build_and_leaves_dist_untouched(runner: CliRunner, project_copy: Path) -> None:
    dist = project_copy / "dist"
    assert runner.invoke(main, ["build", "--project", str(project_copy)]).exit_code == 0
    before = snapshot(dist)
    places = project_copy / "data" / "places.ttl"
    text = places.read_text(encoding="utf-8")
    places.write_text(text.replace("mkg:quoteEnd 3962 ;\n    mkg:quoteStart 3946 .",
                                   "mkg:quoteEnd 3963 ;\n    mkg:quoteStart 3947 ."), encoding="utf-8")
    result = runner.invoke(main, ["build", "--project", str(project_copy)])
    assert result.exit_code == 1, result.output
    assert "kampala-country" in result.output
    assert SUMMARY.search(result.output)
    assert snapshot(dist) == before
    report = project_copy / "report.ttl"
    checked = runner.invoke(main, ["validate", "--project", str(project_copy), "--report", str(report)])
    assert checked.exit_code == 1
    assert ("the quote 'KAMPALA, Ouganda' is not verbatim at its offsets: at 3947-3963 the text has "
            "'AMPALA, Ouganda\\\\n'; the words stand at 3946-3962") in report.read_text(encoding="utf-8")


def test_a_quote_not_in_the_article_fails_validate(runner: CliRunner, project_copy: Path) -> None:
    compact = project_copy / "data" / "compact.ttl"
    text = compact.read_text(encoding="utf-8")
    compact.write_text(text.replace('"auquel le Canada compte adhérer"@fr', '"auquel le Canada compte adhérer…"@fr'),
                       encoding="utf-8")
    result = runner.invoke(main, ["validate", "--project", str(project_copy)])
    assert result.exit_code == 1
    assert "canada-intends-to-adhere" in result.output
    assert "does not conform" in result.output


def test_quote_find_prints_offsets_or_the_nearest_match(runner: CliRunner, project_root: Path) -> None:
    found = runner.invoke(main, ["quote", "find", "--project", str(project_root), ARTICLE, "KAMPALA, Ouganda"])
    assert (found.exit_code, found.output) == (0, "3946\t3962\n")
    several = runner.invoke(main, ["quote", "find", "--project", str(project_root), ARTICLE, "Valérie Plante"])
    assert several.output.splitlines()[:2] == ["0\t14", "585\t599"]
    missing = runner.invoke(main, ["quote", "find", "--project", str(project_root), ARTICLE, "Kampala, Ouganda"])
    assert missing.exit_code == 1
    assert "nearest at 3946-3962" in missing.output
    assert "K[-ampala-]{+AMPALA+}, Ouganda" in missing.output


def test_a_new_source_and_its_claims_end_to_end(runner: CliRunner, project_copy: Path, tmp_path: Path) -> None:
    release = tmp_path / "release.txt"
    release.write_text("Marrakech, 8 December 2018. Mayors launched a council on migration today.\n",
                       encoding="utf-8")
    private = tmp_path / "private"
    added = runner.invoke(main, ["source", "add", "--project", str(project_copy), str(release),
                                 "--url", "https://example.org/release", "--title", "Example release",
                                 "--published", "2018-12-08", "--id", "example-release", "--sources", str(private)])
    assert added.exit_code == 0, added.output
    assert "registered <https://w3id.org/migration-kg/id/source/example-release>" in added.output
    claims = project_copy / "data" / "example-claims.ttl"
    claims.write_text("""# Claims from the example release.

@prefix claim: <https://w3id.org/migration-kg/id/claim/> .
@prefix mkg: <https://w3id.org/migration-kg/ontology#> .
@prefix modality: <https://w3id.org/migration-kg/id/modality/> .
@prefix organization: <https://w3id.org/migration-kg/id/organization/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix schema: <https://schema.org/> .
@prefix source: <https://w3id.org/migration-kg/id/source/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

claim:example-founding a mkg:Claim ;
    rdf:object "2018-12-08"^^xsd:date ;
    rdf:predicate schema:foundingDate ;
    rdf:subject organization:council-of-cities-on-migration ;
    prov:wasDerivedFrom source:example-release ;
    mkg:modality modality:reported ;
    mkg:quote "Mayors launched a council on migration today"@en .
""", encoding="utf-8")
    sources = ["--sources", str(private), "--sources", str(Path(__file__).parents[3] / "shared" / "seeds")]
    refused = runner.invoke(main, ["build", "--project", str(project_copy), *sources])
    assert refused.exit_code == 1
    assert "example-founding" in refused.output and "quote-verbatim" in refused.output
    filled = runner.invoke(main, ["quote", "fill", "--project", str(project_copy), *sources])
    assert filled.exit_code == 0, filled.output
    assert "set 28-72 (was none) <https://w3id.org/migration-kg/id/claim/example-founding>" in filled.output
    built = runner.invoke(main, ["build", "--project", str(project_copy), *sources])
    assert built.exit_code == 0, built.output
    checked, _unchecked = map(int, SUMMARY.search(built.output).groups())
    assert checked >= 126
