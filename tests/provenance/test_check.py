"""Quotes are checked against the text whose SHA-256 their source carries; absent texts are counted, not passed."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from migration_kg.graph.load import load_store
from migration_kg.provenance.check import check_quotes, quote_violations
from migration_kg.provenance.texts import ENV_SOURCES, SourceTexts, sha256_of, sources_folders

TEXT = "Le Forum des maires se réunit à Marrakech, au Maroc.\n"


def project_with(tmp_path: Path, claims: str, digest: str) -> ox.Store:
    data = tmp_path / "data.ttl"
    data.write_text(f"""
@prefix mkg: <https://w3id.org/migration-kg/ontology#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix ex: <https://example.org/> .
ex:text mkg:sha256 "{digest}" .
ex:other mkg:sha256 "{'0' * 64}" .
{claims}
""", encoding="utf-8")
    return load_store([data])


@pytest.fixture()
def texts(tmp_path: Path) -> SourceTexts:
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "any-name.txt").write_text(TEXT, encoding="utf-8")
    return SourceTexts([folder])


def test_a_quote_at_its_offsets_passes_and_counts(tmp_path: Path, texts: SourceTexts) -> None:
    store = project_with(tmp_path, """
        ex:good prov:wasDerivedFrom ex:text ; mkg:quote "Marrakech, au Maroc"@fr ; mkg:quoteStart 32 ; mkg:quoteEnd 51 .
        ex:far prov:wasDerivedFrom ex:other ; mkg:quote "whatever"@en .
        ex:nowhere mkg:quote "no source"@en .""", sha256_of(TEXT.encode()))
    check = check_quotes(store, texts)
    assert (check.checked, check.unchecked, check.problems) == (1, 2, [])
    assert check.summary == "1 quotes checked, 2 unchecked (text not available)"
    assert check.missing_texts == ["https://example.org/other"]


def test_off_by_one_offsets_fail_with_what_the_text_has(tmp_path: Path, texts: SourceTexts) -> None:
    store = project_with(tmp_path, """
        ex:shifted prov:wasDerivedFrom ex:text ; mkg:quote "Marrakech, au Maroc"@fr ;
            mkg:quoteStart 33 ; mkg:quoteEnd 52 .""", sha256_of(TEXT.encode()))
    (problem,) = check_quotes(store, texts).problems
    assert problem.claim == "https://example.org/shifted"
    assert "at 33-52 the text has 'arrakech, au Maroc.'" in problem.message
    assert "the words stand at 32-51" in problem.message


def test_words_not_in_the_text_fail_with_the_nearest_match(tmp_path: Path, texts: SourceTexts) -> None:
    store = project_with(tmp_path, """
        ex:paraphrase prov:wasDerivedFrom ex:text ; mkg:quote "Marrakech, au Maroc…"@fr ;
            mkg:quoteStart 32 ; mkg:quoteEnd 52 .""", sha256_of(TEXT.encode()))
    (violation,) = quote_violations(check_quotes(store, texts), store)
    assert violation.focus == "https://example.org/paraphrase"
    assert "the words are nowhere in the text; nearest at 32-52: 'Marrakech, au Maroc[-…-]{+.+}'" in violation.message
    assert violation.source.endswith("/quote-verbatim")


def test_a_quote_without_offsets_fails_when_its_text_is_there(tmp_path: Path, texts: SourceTexts) -> None:
    store = project_with(tmp_path, """
        ex:bare prov:wasDerivedFrom ex:text ; mkg:quote "Forum des maires"@fr .""", sha256_of(TEXT.encode()))
    (problem,) = check_quotes(store, texts).problems
    assert "has no offsets; the words stand at 3-19" in problem.message


def test_offsets_past_the_end_are_reported(tmp_path: Path, texts: SourceTexts) -> None:
    store = project_with(tmp_path, """
        ex:past prov:wasDerivedFrom ex:text ; mkg:quote "Maroc"@fr ; mkg:quoteStart 900 ; mkg:quoteEnd 905 .""",
        sha256_of(TEXT.encode()))
    (problem,) = check_quotes(store, texts).problems
    assert "runs past the end of the text (53 characters)" in problem.message


def test_sources_folder_comes_from_the_option_then_the_environment_then_the_default(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_SOURCES, f"{tmp_path / 'a'}:{tmp_path / 'b'}")
    assert sources_folders(tmp_path, [tmp_path / "given"]) == [tmp_path / "given"]
    assert sources_folders(tmp_path) == [tmp_path / "a", tmp_path / "b"]
    monkeypatch.delenv(ENV_SOURCES)
    assert sources_folders(tmp_path) == [tmp_path / "sources"]
    assert SourceTexts.at(tmp_path).folders == [tmp_path / "sources", tmp_path / "texts"]


def test_every_article_quote_is_checked_against_the_article(project_root: Path, article_text: str) -> None:
    store = load_store(sorted((project_root / "data").glob("*.ttl")))
    check = check_quotes(store, SourceTexts.at(project_root))
    assert check.problems == []
    assert check.checked >= 125
    assert "https://w3id.org/migration-kg/id/work/la-presse-2018-12-07-plante-marrakech" not in check.missing_texts
