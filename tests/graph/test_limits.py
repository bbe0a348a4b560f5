"""Small files that used to exhaust the machine (issue 15, cases 2 and 3) now fail fast with a clear message.

Every build here runs in a child process with a memory cap and a time limit (tests/helpers/bounded.py), so a
regression fails the test instead of eating the shared machine.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from bounded import migration_kg
from rdflib import Graph
from rdflib.compare import isomorphic

from migration_kg.errors import InputError
from migration_kg.graph.canon import MAX_GENERAL, canonical_labels
from migration_kg.graph.jsonld import Context
from migration_kg.graph.limits import Limits, check_source
from migration_kg.graph.load import load_graph
from migration_kg.graph.serialize import FORMATS

EX = "http://example.org/"


def nested_turtle(depth: int) -> str:
    """A few kilobytes of Turtle: blank nodes nested ``depth`` deep."""
    return f"@prefix ex: <{EX}> .\nex:root ex:p " + "[ ex:p " * depth + '"leaf"' + " ]" * depth + " .\n"


def billion_laughs(levels: int = 9) -> str:
    """About a kilobyte of RDF/XML whose one entity expands to 5 * 10**levels bytes."""
    entities = '<!ENTITY a0 "laugh">\n' + "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">\n' for i in range(1, levels + 1))
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n{entities}]>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">\n'
            f'<rdf:Description rdf:about="{EX}s"><ex:p>&a{levels};</ex:p></rdf:Description>\n</rdf:RDF>\n')


def _relabelled(path: Path, fmt: ox.RdfFormat) -> list[str]:
    dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                         for t in ox.parse(path=str(path), format=fmt))
    return sorted(str(quad) for quad in canonical_labels(dataset))


def _leftovers(project: Path) -> list[str]:
    return sorted(path.name for path in project.iterdir() if path.name.startswith(".dist"))


@pytest.mark.parametrize("depth", [1_000, 20_000, 100_000])
def test_deeply_nested_blank_nodes_fail_fast_and_leave_nothing(project_copy: Path, depth: int) -> None:
    """Case 2: 1,000 deep never finished, 20,000 took 23.6 GB, 100,000 segfaulted; each left a staging folder."""
    (project_copy / "data" / "nested.ttl").write_text(nested_turtle(depth), encoding="utf-8")
    outcome = migration_kg("build", "--project", str(project_copy), memory_mb=2048, timeout=60)
    assert not outcome.timed_out
    assert outcome.returncode == 2, outcome.stderr
    assert "nested.ttl:2: brackets nested deeper than the limit of 100" in outcome.stderr
    assert "MIGRATION_KG_MAX_DEPTH" in outcome.stderr
    assert "Traceback" not in outcome.stderr
    assert not (project_copy / "dist").exists()
    assert _leftovers(project_copy) == []


def test_deep_nesting_allowed_on_purpose_builds_in_linear_time(project_copy: Path) -> None:
    """Raising the limit, 20,000 levels build under a 2 GiB cap in well under a minute: labelling is linear."""
    (project_copy / "data" / "nested.ttl").write_text(nested_turtle(20_000), encoding="utf-8")
    outcome = migration_kg("build", "--project", str(project_copy), memory_mb=2048, timeout=90,
                           env={"MIGRATION_KG_MAX_DEPTH": "50000"})
    assert not outcome.timed_out
    assert outcome.returncode == 0, outcome.stderr
    # rdflib's isomorphism test is itself superlinear here: compare the two syntaxes after relabelling.
    turtle, ntriples = (_relabelled(project_copy / "dist" / name, fmt) for name, fmt in (
        ("migration-kg.ttl", ox.RdfFormat.TURTLE), ("migration-kg.nt", ox.RdfFormat.N_TRIPLES)))
    assert turtle == ntriples
    assert sum(1 for line in ntriples if line.startswith("_:")) == 20_000
    assert _leftovers(project_copy) == []


def test_billion_laughs_is_refused_before_the_parser(project_copy: Path) -> None:
    """Case 3: a 1 KB RDF/XML file took 6.2 GB or aborted with a Rust backtrace (exit 134) under a cap."""
    laughs = project_copy / "data" / "laughs.rdf"
    laughs.write_text(billion_laughs(), encoding="utf-8")
    assert laughs.stat().st_size < 1200
    outcome = migration_kg("build", "--project", str(project_copy), memory_mb=1024, timeout=60)
    assert not outcome.timed_out
    assert outcome.returncode == 2, outcome.stderr
    assert "laughs.rdf:2:" in outcome.stderr and "DOCTYPE declaration (refused" in outcome.stderr
    assert "panicked" not in outcome.stderr and "Traceback" not in outcome.stderr
    assert _leftovers(project_copy) == [] and not (project_copy / "dist").exists()


@pytest.mark.parametrize("text, expected", [
    ('<!DOCTYPE x SYSTEM "file:///etc/passwd"><x/>', "DOCTYPE declaration"),
    ("<a>" * 150 + "</a>" * 150, "elements nested deeper than the limit of 100"),
    ("<a><b></a>", "syntax error: mismatched tag"),
])
def test_rdfxml_precheck(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "x.rdf"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=expected) as caught:
        check_source(path, "rdfxml")
    assert caught.value.path == str(path) and caught.value.line == 1


def test_jsonld_depth_and_line_length_and_size(tmp_path: Path) -> None:
    deep = tmp_path / "deep.jsonld"
    deep.write_text('{"@id": "http://example.org/s", "x": ' + "[" * 300 + "]" * 300 + "}", encoding="utf-8")
    with pytest.raises(InputError, match="nested deeper than the limit of 100"):
        check_source(deep, "jsonld")
    quoted = tmp_path / "quoted.jsonld"  # brackets inside strings open nothing
    quoted.write_text('{"@id": "http://example.org/s", "x": "' + "[{" * 300 + '"}', encoding="utf-8")
    check_source(quoted, "jsonld")
    lines = tmp_path / "lines.nt"
    lines.write_text(f'<{EX}s> <{EX}p> "short" .\n<{EX}s> <{EX}p> "{"x" * 500}" .\n', encoding="utf-8")
    with pytest.raises(InputError, match="line longer than the limit of 100 bytes") as caught:
        check_source(lines, "ntriples", Limits(max_line_length=100))
    assert caught.value.line == 2
    with pytest.raises(InputError, match=r"larger than the limit of 100 .*MIGRATION_KG_MAX_FILE_SIZE"):
        check_source(lines, "ntriples", Limits(max_file_size=100))


def test_limits_from_the_environment() -> None:
    limits = Limits.from_env({"MIGRATION_KG_MAX_FILE_SIZE": "3M", "MIGRATION_KG_MAX_LINE_LENGTH": "10KiB",
                              "MIGRATION_KG_MAX_DEPTH": "7"})
    assert limits == Limits(3 << 20, 10 << 10, 7)
    from migration_kg.errors import UsageError

    with pytest.raises(UsageError, match="MIGRATION_KG_MAX_DEPTH"):
        Limits.from_env({"MIGRATION_KG_MAX_DEPTH": "-1"})


def test_turtle_comments_escapes_and_strings_do_not_count(tmp_path: Path) -> None:
    path = tmp_path / "tricky.ttl"
    path.write_text(f'@prefix ex: <{EX}> .\n# [[[[ ((((\nex:s ex:p "[[[[[", """((((\n[[[[""", <{EX}[x> .\n'
                    + "ex:s ex:q " + "[ ex:p " * 100 + "1" + " ]" * 100 + " .\n", encoding="utf-8")
    check_source(path, "turtle")
    with pytest.raises(InputError, match="nested deeper"):
        check_source(path, "turtle", Limits(max_depth=99))


def _tree() -> str:
    return f"""@prefix ex: <{EX}> .
        ex:a ex:p [ ex:q [ ex:r 1 ] ; ex:q [ ex:r 1 ] ] , [ ex:q ( 1 2 [ ex:r 2 ] ) ] .
        [ ex:r 3 ] ex:s [ ex:r 3 ] ."""


def test_tree_labels_are_stable_and_keep_the_graph(tmp_path: Path) -> None:
    texts = []
    for _ in range(2):
        dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                             for t in ox.parse(_tree(), format=ox.RdfFormat.TURTLE))
        labelled = canonical_labels(dataset)
        texts.append(sorted(str(quad) for quad in labelled))
    assert texts[0] == texts[1]
    original = Graph().parse(data=_tree(), format="turtle")
    path = tmp_path / "tree.ttl"
    path.write_text(_tree(), encoding="utf-8")
    context = Context.from_file(Path(__file__).resolve().parents[2] / "ontology" / "context.jsonld")
    written = FORMATS["ntriples"].write(load_graph([path]), context)
    assert written == FORMATS["ntriples"].write(load_graph([path]), context)
    assert isomorphic(Graph().parse(data=written, format="nt"), original)


def test_shared_blank_nodes_fall_back_to_rdfc_and_are_refused_beyond_the_bound() -> None:
    def shared(count: int) -> ox.Dataset:
        quads = []
        for index in range(count):
            node = ox.BlankNode(f"n{index}")
            quads.append(ox.Quad(ox.NamedNode(EX + "a"), ox.NamedNode(EX + "p"), node, ox.DefaultGraph()))
            quads.append(ox.Quad(ox.NamedNode(EX + "b"), ox.NamedNode(EX + "p"), node, ox.DefaultGraph()))
        return ox.Dataset(quads)

    small = canonical_labels(shared(3))
    assert {quad.object.value for quad in small} == {"c14n0", "c14n1", "c14n2"}
    with pytest.raises(InputError, match=f"beyond {MAX_GENERAL}"):
        canonical_labels(shared(MAX_GENERAL + 1))
