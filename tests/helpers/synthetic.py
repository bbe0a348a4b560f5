"""The synthetic-data generator of ``benchmarks/generate.py``, imported for the tests that need its data."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

GENERATOR = Path(__file__).resolve().parents[2] / "benchmarks" / "generate.py"


def generator() -> ModuleType:
    """The generator module (benchmarks/ is not a package, so it is loaded from its path)."""
    if "mkg_generate" not in sys.modules:
        spec = importlib.util.spec_from_file_location("mkg_generate", GENERATOR)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["mkg_generate"] = module
        spec.loader.exec_module(module)
    return sys.modules["mkg_generate"]
