"""Offsets are filled in or repaired from the quotes, writing the data file back with only those lines changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from migration_kg.errors import InputError
from migration_kg.provenance.fill import fill_offsets, source_text

KAMPALA = """    mkg:quote "KAMPALA, Ouganda"@fr ;
    mkg:quoteEnd 3962 ;
    mkg:quoteStart 3946 .

claim:los-angeles-country"""


def test_missing_and_shifted_offsets_are_restored_byte_for_byte(project_copy: Path) -> None:
    places = project_copy / "data" / "places.ttl"
    original = places.read_text(encoding="utf-8")
    assert KAMPALA in original
    broken = original.replace(KAMPALA, KAMPALA.replace('    mkg:quoteEnd 3962 ;\n    mkg:quoteStart 3946 .', '.')
                              .replace('"@fr ;\n.', '"@fr .'))
    broken = broken.replace("mkg:quoteEnd 3944 ;\n    mkg:quoteStart 3930 .",
                            "mkg:quoteEnd 3945 ;\n    mkg:quoteStart 3931 .")
    assert broken != original
    places.write_text(broken, encoding="utf-8")

    preview = fill_offsets(project_copy, write=False)
    assert places.read_text(encoding="utf-8") == broken
    changes = {change.claim.rsplit("/", 1)[-1]: (change.old, change.new) for change in preview.changes}
    assert changes == {"kampala-country": (None, (3946, 3962)), "athens-country": ((3931, 3945), (3930, 3944))}

    result = fill_offsets(project_copy)
    assert result.written == [places]
    assert result.problems == []
    assert places.read_text(encoding="utf-8") == original


def test_ambiguous_and_absent_words_are_reported_and_left_alone(project_copy: Path) -> None:
    extra = project_copy / "data" / "extra.ttl"
    extra.write_text("""# Claims written by hand, without offsets.

@prefix claim: <https://w3id.org/migration-kg/id/claim/> .
@prefix mkg: <https://w3id.org/migration-kg/ontology#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix work: <https://w3id.org/migration-kg/id/work/> .

claim:ambiguous mkg:quote "Valérie Plante"@fr ;
    prov:wasDerivedFrom work:la-presse-2018-12-07-plante-marrakech .

claim:paraphrased mkg:quote "Valerie Plante sera a Marrakech"@fr ;
    prov:wasDerivedFrom work:la-presse-2018-12-07-plante-marrakech .
""", encoding="utf-8")
    before = extra.read_text(encoding="utf-8")
    result = fill_offsets(project_copy, [extra])
    messages = {problem.claim.rsplit("/", 1)[-1]: problem.message for problem in result.problems}
    assert messages["ambiguous"].startswith("the words occur 5 times (0-14, 585-599,")
    assert "nearest at 0-31" in messages["paraphrased"]
    assert result.changes == [] and result.written == []
    assert extra.read_text(encoding="utf-8") == before


def test_comments_after_the_header_are_not_lost_silently(project_copy: Path) -> None:
    handmade = project_copy / "data" / "handmade.ttl"
    handmade.write_text("""@prefix mkg: <https://w3id.org/migration-kg/ontology#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<https://w3id.org/migration-kg/id/claim/x> mkg:quote "KAMPALA, Ouganda"@fr ;   # a comment
  prov:wasDerivedFrom <https://w3id.org/migration-kg/id/work/la-presse-2018-12-07-plante-marrakech> .
""", encoding="utf-8")
    with pytest.raises(InputError, match="comments after its header"):
        fill_offsets(project_copy, [handmade])
    result = fill_offsets(project_copy, [handmade], reformat=True)
    assert [change.new for change in result.changes] == [(3946, 3962)]
    assert "mkg:quoteStart 3946" in handmade.read_text(encoding="utf-8")


def test_a_source_is_found_by_file_or_by_its_node(project_root: Path, article_text: str, tmp_path: Path) -> None:
    name, text = source_text(project_root, "work:la-presse-2018-12-07-plante-marrakech")
    assert text == article_text and name.endswith("plante-marrakech>")
    with pytest.raises(InputError, match="no text with SHA-256"):
        source_text(project_root, "work:la-presse-2018-12-07-plante-marrakech", [tmp_path])
