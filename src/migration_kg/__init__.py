"""migration-kg: a linked-data knowledge graph of what a news report says about cities and the
UN Global Compact for Migration, with the pipeline that builds, validates and publishes it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from migration_kg.pipeline.api import build, validate

__all__ = ["__version__", "build", "validate"]


def __getattr__(name: str) -> Any:
    """Import the API lazily, so that ``migration-kg --help`` starts fast."""
    if name in ("build", "validate"):
        from migration_kg.pipeline import api

        return getattr(api, name)
    raise AttributeError(name)
