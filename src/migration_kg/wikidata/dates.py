"""Comparing our dates with Wikidata's at the precision each side states; an unknown value decides nothing."""

from __future__ import annotations

from migration_kg.wikidata.answers import TimeValue, period_bounds


def span(value: TimeValue | str) -> tuple[str, str]:
    """First and last day a date may mean: ours (``2016``, ``2016-05``, ``2016-05-07``) or Wikidata's."""
    return value.bounds() if isinstance(value, TimeValue) else period_bounds(value)


def covers(start: TimeValue | str | None, end: TimeValue | str | None, when: str) -> bool | None:
    """Was a term from ``start`` to ``end`` running on the day ``when``? None if an unknown value leaves it open.

    A missing start or end is an open end; at coarse precision a term covers ``when`` unless it surely ended
    before or began after it.
    """
    if _unknown(start) and _unknown(end):
        return None
    if start is not None and not _unknown(start) and span(start)[0] > when:
        return False
    if end is not None and not _unknown(end) and span(end)[1] < when:
        return False
    if _unknown(start) or _unknown(end):
        return None
    return True


def agree(ours: str | None, theirs: TimeValue | None) -> bool | None:
    """Do two dates agree at the coarser precision? True if one side is silent, None if theirs is unknown."""
    if ours is None or theirs is None:
        return True
    if theirs.unknown:
        return None
    low, high = span(ours)
    their_low, their_high = theirs.bounds()
    return low <= their_high and their_low <= high


def _unknown(value: TimeValue | str | None) -> bool:
    return isinstance(value, TimeValue) and value.unknown
