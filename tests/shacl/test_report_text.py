"""The validation report as text: every result once, told apart by its constraint component, identical ones
folded with their count, and no empty value shown as ("")."""

from __future__ import annotations

from pathlib import Path

from migration_kg.pipeline.api import validate
from migration_kg.shacl.validation import ValidationReport, Violation

SHAPE = "https://w3id.org/migration-kg/shapes#BilingualLabelShape"


def blocks(text: str) -> list[str]:
    return [block for block in text.split("\n\n") if block.startswith("- ")]


def test_results_of_one_check_are_told_apart_and_no_empty_value_is_shown(project_root: Path,
                                                                          fixtures_dir: Path) -> None:
    fixture = fixtures_dir / "shapes" / "BilingualLabelShape" / "invalid-two-french.ttl"
    report = validate([fixture], project_root)
    text = report.to_text()
    assert len(blocks(text)) == len(set(blocks(text))) == len(report.violations) == 4
    assert f"check:   {SHAPE} (QualifiedMaxCountConstraintComponent)" in text
    assert f"check:   {SHAPE} (UniqueLangConstraintComponent)" in text
    assert '("")' not in text and 'value:   ""' not in text
    assert "message: Entity without an English label\n" in text


def test_identical_results_are_shown_once_with_their_count() -> None:
    twice = Violation(focus="https://example.org/a", focus_label="A", path="rdfs:label", message="two labels",
                      severity="http://www.w3.org/ns/shacl#Violation", source=SHAPE,
                      component="http://www.w3.org/ns/shacl#QualifiedMinCountConstraintComponent")
    text = ValidationReport(violations=[twice, twice]).to_text()
    assert text.count("- A <https://example.org/a>") == 1
    assert "  results: 2 (one per property shape of the check)" in text
    assert "SHACL and quality-control violations: 2" in text
