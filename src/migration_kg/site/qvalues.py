"""Quality values ("q=") of HTTP negotiation headers (RFC 9110 section 12.4.2), shared by Accept and Accept-Language."""

from __future__ import annotations

from collections.abc import Iterable


def quality_value(parameters: Iterable[str]) -> float:
    """The q-value among an element's ``name=value`` parameters: 1 if absent, 0 if malformed or out of [0, 1]."""
    quality = 1.0
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value.strip())
            except ValueError:
                quality = 0.0
            if not 0.0 <= quality <= 1.0:
                quality = 0.0
    return quality
