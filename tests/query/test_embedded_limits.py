"""Embedded ``query`` with limits (issue 15, case 8): a time limit, and a clear message for a result too large to
hold instead of a ``MemoryError`` traceback. Greedy queries run in bounded child processes."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from bounded import migration_kg

from migration_kg.cli.main import main
from migration_kg.errors import ResultTooLargeError
from migration_kg.query import embedded
from migration_kg.query.embedded import run_limited
from migration_kg.query.questions import load_store, read_query

ROOT = Path(__file__).resolve().parents[2]
#: The graph crossed with itself three times: billions of rows, never finished in a test's time.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }\n"
#: The graph crossed with itself and sorted: held whole, millions of rows.
HUGE = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f\n"


def query_file(tmp_path: Path, text: str, name: str = "greedy") -> Path:
    path = tmp_path / f"{name}.rq"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_embedded_query_stops_at_its_time_limit(runner, dist_dir: Path, tmp_path: Path) -> None:
    """Before: no time limit at all."""
    started = time.monotonic()
    result = runner.invoke(main, ["query", "--project", str(ROOT), "--dist", str(dist_dir),
                                  str(query_file(tmp_path, ENDLESS)), "--timeout", "1"])
    assert result.exit_code == 4, result.output
    assert "ran longer than the 1 s limit (--timeout)" in result.stderr
    assert time.monotonic() - started < 20


def test_a_result_over_the_size_limit_is_a_clear_error(runner, dist_dir: Path, tmp_path: Path,
                                                       monkeypatch) -> None:
    monkeypatch.setattr(embedded, "DEFAULT_MAX_BYTES", 1 << 20)
    result = runner.invoke(main, ["query", "--project", str(ROOT), "--dist", str(dist_dir),
                                  str(query_file(tmp_path, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 100000\n"))])
    assert result.exit_code == 7, result.output
    assert "too large to hold (over 1 MiB as SPARQL JSON" in result.stderr and "LIMIT" in result.stderr
    assert "Traceback" not in result.output


def test_out_of_memory_is_a_clear_error_not_a_traceback(dist_dir: Path, tmp_path: Path) -> None:
    """Before: a huge result ended in a MemoryError traceback. Here the whole command has 1.5 GiB."""
    outcome = migration_kg("query", "--project", str(ROOT), "--dist", str(dist_dir),
                           str(query_file(tmp_path, HUGE)), "--format", "csv", memory_mb=1536, timeout=240)
    assert not outcome.timed_out
    assert outcome.returncode in (4, 7), outcome.stderr[-2000:]
    assert "Traceback" not in outcome.stderr and "MemoryError" not in outcome.stderr
    assert outcome.stderr.startswith("error: ")


def test_the_limited_runner_gives_the_same_answers(dist_dir: Path) -> None:
    store = load_store(dist_dir)
    for path in sorted((ROOT / "queries").glob("*.rq"))[:8]:
        question = read_query(path)
        if question.needs_network:
            continue
        from migration_kg.query.questions import run_embedded

        assert run_limited(store, question) == run_embedded(store, question), path.name


def test_syntax_errors_still_name_the_file_line_and_column(dist_dir: Path, tmp_path: Path) -> None:
    from migration_kg.errors import InputError

    path = query_file(tmp_path, "SELECT * WHERE {\n  ?s ?p\n}\n", "broken")
    with pytest.raises(InputError, match=r"broken\.rq:\d+:\d+: SPARQL syntax error"):
        run_limited(load_store(dist_dir), read_query(path))


def test_too_large_errors_are_their_own_kind() -> None:
    assert ResultTooLargeError("x").exit_code == 7
