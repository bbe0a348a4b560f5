"""The benchmark scripts' own logic: bench_load's path names, and run.py's one table and the doc it rewrites."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def script(name: str) -> ModuleType:
    """A module of benchmarks/ (not a package), loaded from its path."""
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    key = f"mkg_bench_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, BENCHMARKS / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module  # dataclasses look their module up while the class is made
        spec.loader.exec_module(module)
    return sys.modules[key]


def test_bench_load_reads_path_names_that_hold_a_comma_whole() -> None:
    bench_load = script("bench_load")
    parser = argparse.ArgumentParser()
    chosen = bench_load.selected_paths("graph-store staged, in-memory,bulk file,graph-store staged", parser)
    assert chosen == ("graph-store staged, in-memory", "bulk file", "graph-store staged")
    with pytest.raises(SystemExit):
        bench_load.selected_paths("graph-store staged,on disk", parser)


def _run(seconds: float, peak: float = 100.0, digest: str = "d") -> dict:
    return {"seconds": seconds, "peak_mb": peak, "digest": digest}


def test_one_table_with_medians_exponents_and_targets() -> None:
    table = script("scale_table")
    results = {"machine": {"date": "2026-01-01 00:00 UTC", "cores": 2}, "sizes": {
        "100000": {"triples": 100_000, "build": [_run(4.0), _run(5.0), _run(9.0)],
                   "questions": {"questions": {"a": 0.010, "b": 0.060}, "peak_mb": 90}},
        "1000000": {"triples": 1_000_000, "build": [_run(40.0), _run(50.0), _run(45.0)],
                    "busy": [_run(30.0, 700), _run(20.0, 700), _run(24.0, 700, "other")],
                    "questions": {"questions": {"a": 0.100, "b": 0.150}, "peak_mb": 400}}}}
    text = table.render(results)
    build_row = next(line for line in text.splitlines() if line.startswith("| BUILD: cold `migration-kg build`"))
    assert "5.00 s (4.00-9.00) · 100 MB" in build_row and "45.0 s (40.0-50.0)" in build_row
    assert build_row.endswith("| 0.95 |")  # log(45 / 5) / log(10)
    assert "| 1 of 2 over 50 ms; slowest b 60 ms | **not met** |" in text
    assert "| 0 of 2 over 200 ms; slowest b 150 ms | met |" in text
    assert "| 1M `build` ≤ 25 s, one core busy elsewhere | 24.0 s (20.0-30.0) · 700 MB | met |" in text
    assert "| 1M `build` byte-deterministic | NO (2 kinds) | **not met** |" in text
    assert "not run (1,347 s" in text


def test_the_doc_is_rewritten_between_its_markers(tmp_path: Path) -> None:
    table = script("scale_table")
    doc = tmp_path / "scale.md"
    doc.write_text(f"intro\n{table.BEGIN}\nold table\n{table.END}\nafter\n", encoding="utf-8")
    table.write_doc(doc, "| new |\n")
    assert doc.read_text(encoding="utf-8") == f"intro\n{table.BEGIN}\n\n| new |\n\n{table.END}\nafter\n"
    doc.write_text("no markers\n", encoding="utf-8")
    with pytest.raises(SystemExit):
        table.write_doc(doc, "| new |\n")
