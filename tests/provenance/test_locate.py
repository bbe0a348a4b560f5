"""Finding words in a text: exact occurrences in code points, the nearest match, and how it differs."""

from __future__ import annotations

from migration_kg.provenance.locate import difference, locate, nearest, occurrences


def test_occurrences_are_counted_in_code_points_end_exclusive() -> None:
    text = "😀 Marrakech, au Maroc; Marrakech"
    assert [(m.start, m.end) for m in occurrences(text, "Marrakech")] == [(2, 11), (23, 32)]
    assert text[2:11] == "Marrakech"
    assert occurrences(text, "") == []


def test_overlapping_occurrences_are_all_found() -> None:
    assert [m.start for m in occurrences("aaaa", "aa")] == [0, 1, 2]


def test_locate_prefers_the_occurrence_nearest_to_stale_offsets() -> None:
    text = "le Pacte ... le Pacte ... le Pacte"
    assert locate(text, "le Pacte").start == 0
    assert locate(text, "le Pacte", near=14).start == 13
    assert locate(text, "absent") is None


def test_nearest_finds_a_quote_with_a_missing_accent(article_text: str) -> None:
    words = "Les administrations comptent employer tous les moyens necessaires"
    match = nearest(article_text, words)
    assert match is not None and not match.exact
    assert match.distance == 1
    assert article_text[match.start:match.end] == "Les administrations comptent employer tous les moyens nécessaires"
    assert difference(words, match.found) == (
        "Les administrations comptent employer tous les moyens n[-e-]{+é+}cessaires")


def test_nearest_is_exact_when_the_words_are_there(article_text: str) -> None:
    match = nearest(article_text, "KAMPALA, Ouganda")
    assert (match.start, match.end, match.exact) == (3946, 3962, True)


def test_nearest_in_a_long_text_finds_the_right_place(article_text: str) -> None:
    long_text = "x" * 200_000 + article_text
    match = nearest(long_text, "fermer les yeux sur les demandes de renvoi")
    assert match is not None
    assert match.found == "fermer l'oeil sur les demandes de renvoi"
    assert match.start == 200_000 + article_text.index("fermer l'oeil")


def test_nothing_in_common_gives_no_match() -> None:
    assert nearest("abc", "xyz") is None
