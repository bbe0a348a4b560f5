"""Finding a quote in a text: every exact occurrence, or the nearest approximate match and how it differs.

Offsets count Unicode code points from 0, end exclusive, like the Web Annotation TextPositionSelector.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher


@dataclass(frozen=True)
class Match:
    """Where a quote (or the text nearest to it) sits in a source text."""

    start: int
    end: int
    found: str
    #: Edits (insertions, deletions, substitutions) that turn the quote into ``found``; 0 for an exact match.
    distance: int = 0

    @property
    def exact(self) -> bool:
        return self.distance == 0


def occurrences(text: str, quote: str) -> list[Match]:
    """Every place where ``quote`` stands verbatim in ``text`` (overlapping ones included)."""
    if not quote:
        return []
    found = []
    start = text.find(quote)
    while start != -1:
        found.append(Match(start, start + len(quote), quote))
        start = text.find(quote, start + 1)
    return found


def locate(text: str, quote: str, near: int | None = None) -> Match | None:
    """The exact occurrence of ``quote`` (the one closest to offset ``near`` if several), else None."""
    exact = occurrences(text, quote)
    if not exact:
        return None
    if near is None:
        return exact[0]
    return min(exact, key=lambda match: (abs(match.start - near), match.start))


def nearest(text: str, quote: str) -> Match | None:
    """The substring of ``text`` with the fewest edits from ``quote`` (an exact occurrence if there is one).

    The longest common block anchors a window of the text, inside which an approximate substring search
    (Sellers' algorithm) finds the best span; so a long text costs no more than a short one.
    """
    if not quote or not text:
        return None
    exact = locate(text, quote)
    if exact is not None:
        return exact
    matcher = SequenceMatcher(None, text, quote, autojunk=False)
    block = matcher.find_longest_match(0, len(text), 0, len(quote))
    if block.size == 0:
        return None
    margin = len(quote) + 16
    low = max(0, block.a - block.b - margin)
    high = min(len(text), block.a + (len(quote) - block.b) + margin)
    distance, start, end = _best_span(text[low:high], quote)
    return Match(low + start, low + end, text[low + start:low + end], distance)


def _best_span(window: str, quote: str) -> tuple[int, int, int]:
    """(edits, start, end) of the span of ``window`` closest to ``quote``: the start is free, like the end."""
    columns = len(window)
    previous = [0] * (columns + 1)
    starts = list(range(columns + 1))
    for row, letter in enumerate(quote, start=1):
        current = [row] + [0] * columns
        current_starts = [0] + [0] * columns
        for column in range(1, columns + 1):
            substitution = previous[column - 1] + (window[column - 1] != letter)
            deletion = previous[column] + 1
            insertion = current[column - 1] + 1
            best = min(substitution, deletion, insertion)
            current[column] = best
            if best == substitution:
                current_starts[column] = starts[column - 1]
            elif best == deletion:
                current_starts[column] = starts[column]
            else:
                current_starts[column] = current_starts[column - 1]
        previous, starts = current, current_starts
    end = min(range(columns + 1), key=lambda column: (previous[column], abs(column - starts[column] - len(quote))))
    return previous[end], starts[end], end


def difference(expected: str, found: str) -> str:
    """``found`` written against ``expected``: ``[-removed-]`` and ``{+added+}`` where they differ."""
    parts = []
    opcodes = SequenceMatcher(None, expected, found, autojunk=False).get_opcodes()
    for operation, a_start, a_end, b_start, b_end in opcodes:
        if operation == "equal":
            parts.append(expected[a_start:a_end])
            continue
        if a_end > a_start:
            parts.append(f"[-{expected[a_start:a_end]}-]")
        if b_end > b_start:
            parts.append(f"{{+{found[b_start:b_end]}+}}")
    return "".join(parts)


def excerpt(text: str, start: int, end: int) -> str:
    """What ``text`` holds between two offsets, safe for any offsets (out of range reads as empty)."""
    start, end = max(0, start), max(0, end)
    return text[start:end]
