"""``migration-kg query``: listing, output formats, ASK exit codes, endpoint failures and credentials."""

from __future__ import annotations

import contextlib
import csv
import http.server
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from query_expectations import load_expected
from rdflib.compare import isomorphic
from servers import http_server, misbehaving_server, refused_url

from migration_kg.cli.main import main
from migration_kg.query.questions import find_query, list_queries

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "queries"
SECRET = "s3cr3t-Token-value"


def run(runner, *args: str, env: dict[str, str] | None = None):
    return runner.invoke(main, ["query", "--project", str(ROOT), *args], env=env, catch_exceptions=False)


def expected_rows(name: str):
    return load_expected(find_query(name, ROOT / "queries")).rows


def solutions(text: str, results_format: ox.QueryResultsFormat) -> list[tuple]:
    """Rows of serialized SPARQL results, parsed back with Oxigraph."""
    parsed = ox.parse_query_results(text, format=results_format)
    variables = [variable.value for variable in parsed.variables]
    return [tuple(solution[name] for name in variables) for solution in parsed]


def one_error_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    assert lines[0].startswith("error: ")
    return lines[0]


def test_list_shows_every_question_with_its_english_title(runner):
    result = run(runner, "--list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    questions = list_queries(ROOT / "queries")
    assert len(lines) == len(questions) >= 20
    assert any(line.startswith("council-funders") and
               "Who funds the council, and which people are the funders linked to?" in line for line in lines)
    assert any(line.startswith("wikidata-population") and "[needs: network]" in line for line in lines)
    assert f"{len(questions)} questions" in result.stderr


def test_list_in_french(runner):
    result = run(runner, "--list", "--lang", "fr")
    assert result.exit_code == 0
    assert "Qui finance le conseil, et à quelles personnes ses bailleurs sont-ils liés ?" in result.stdout
    assert "Who funds" not in result.stdout


def test_default_output_is_a_readable_table(runner, dist_dir):
    result = run(runner, "council-member-cities", "--dist", str(dist_dir))
    assert result.exit_code == 0, result.output
    assert "Which cities lead the Council of Cities on Migration" in result.stdout
    for text in ("city:montreal", "Montréal", "Athènes", "Royaume-Uni", "Jordanie", "8 rows"):
        assert text in result.stdout


def test_json_is_sparql_results_json(runner, dist_dir):
    result = run(runner, "council-member-cities", "--dist", str(dist_dir), "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["head"]["vars"][0] == "city"
    assert solutions(result.stdout, ox.QueryResultsFormat.JSON) == expected_rows("council-member-cities")


def test_tsv_parses_back_to_the_same_terms(runner, dist_dir):
    result = run(runner, "council-funders", "--dist", str(dist_dir), "--format", "tsv")
    assert result.exit_code == 0
    assert solutions(result.stdout, ox.QueryResultsFormat.TSV) == expected_rows("council-funders")


def test_csv_has_a_header_and_one_line_per_row(runner, dist_dir):
    result = run(runner, "council-purposes", "--dist", str(dist_dir), "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["purpose_en", "purpose_fr", "modality_en", "quote"]
    assert rows[1:] == [[term.value for term in row] for row in expected_rows("council-purposes")]


def test_markdown_table(runner, dist_dir):
    result = run(runner, "quote-for-fact", "--dist", str(dist_dir), "--format", "markdown")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "| subject | predicate | object | quote | start | end | source | modality_en |"
    assert lines[1] == "|---|---|---|---|---|---|---|---|"
    assert len(lines) == 2 + len(expected_rows("quote-for-fact"))
    assert ("| city:montreal | schema:containedInPlace | country:canada | MONTRÉAL, Canada | 3850 | 3866 | "
            "work:la-presse-2018-12-07-plante-marrakech | Reported |") in lines


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize("query", ["city-subgraph", str(FIXTURES / "describe-council.rq")])
@pytest.mark.parametrize(("output_format", "syntax"), [("turtle", "turtle"), ("jsonld", "json-ld")])
def test_graph_answers_parse_back_with_rdflib(runner, dist_dir, query, output_format, syntax):
    result = run(runner, query, "--dist", str(dist_dir), "--format", output_format)
    assert result.exit_code == 0, result.output
    graph = rdflib.Graph().parse(data=result.stdout, format=syntax)
    if query == "city-subgraph":
        expected = rdflib.Graph().parse(Path(__file__).parents[1] / "fixtures/queries/expected/city-subgraph.ttl")
        assert isomorphic(graph, expected)
    else:
        council = rdflib.URIRef("https://w3id.org/migration-kg/id/organization/council-of-cities-on-migration")
        assert set(graph.subjects()) == {council}
        assert (council, rdflib.URIRef("https://schema.org/foundingDate"),
                rdflib.Literal("2018-12-08", datatype=rdflib.XSD.date)) in graph


def test_ask_prints_true_and_exits_0_or_false_and_exits_1(runner, dist_dir):
    yes = run(runner, "montreal-leads-council", "--dist", str(dist_dir))
    assert (yes.exit_code, yes.stdout) == (0, "true\n")
    no = run(runner, "montreal-leads-council", "--dist", str(dist_dir), "--param", "city=city:marrakech")
    assert (no.exit_code, no.stdout) == (1, "false\n")
    as_json = run(runner, "article-lists-city", "--dist", str(dist_dir), "--format", "json")
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout) == {"head": {}, "boolean": False}


@pytest.mark.parametrize("value", ['x" } ; DROP ALL ; #', "<http://a> } INSERT DATA {"])
def test_breakout_parameter_is_plain_data(runner, dist_dir, value):
    result = run(runner, "quote-for-fact", "--dist", str(dist_dir), "--param", f"subject={value}", "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["subject,predicate,object,quote,start,end,source,modality_en"]


@pytest.mark.parametrize(("args", "message"), [
    (("council-funders", "--format", "turtle"), "--format turtle does not apply to a SELECT query"),
    (("city-subgraph", "--format", "csv"), "--format csv does not apply to a CONSTRUCT query"),
    (("council-funder",), "did you mean council-funders"),
    (("quote-for-fact", "--param", "sujet=city:athens"), "has no variable ?sujet"),
    (("quote-for-fact", "--param", "subject"), "--param expects NAME=VALUE"),
    ((), "give a query name"),
])
def test_usage_errors_exit_2(runner, dist_dir, args, message):
    result = run(runner, *args, "--dist", str(dist_dir))
    assert result.exit_code == 2
    assert message in one_error_line(result)


def test_missing_dist_says_to_build(runner, tmp_path):
    result = run(runner, "council-funders", "--dist", str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert "run `migration-kg build` first" in one_error_line(result)


def test_syntax_error_names_file_line_and_column(runner, dist_dir):
    path = FIXTURES / "syntax-error.rq"
    result = run(runner, str(path), "--dist", str(dist_dir))
    assert result.exit_code == 2
    assert one_error_line(result).startswith(f"error: {path}:5:")


@pytest.mark.server
def test_endpoint_answer_matches_the_expected_rows(runner, oxigraph):
    result = run(runner, "leading-cities-disagreement", "--endpoint", oxigraph.query_url, "--format", "json")
    assert result.exit_code == 0, result.output
    assert solutions(result.stdout, ox.QueryResultsFormat.JSON) == expected_rows("leading-cities-disagreement")


@pytest.mark.server
@pytest.mark.parametrize(("mode", "code", "message"), [
    ("hang", 4, "did not answer within 1 s (--timeout)"),
    ("error500", 5, "answered HTTP 500: internal error"),
    ("html", 6, "answered text/html, not SPARQL results"),
    ("malformed-json", 6, "answered malformed application/sparql-results+json"),
])
def test_misbehaving_endpoint_gives_one_line_and_its_exit_code(runner, mode, code, message):
    with misbehaving_server(mode) as server:
        result = run(runner, "council-funders", "--endpoint", server.url, "--timeout", "1")
    assert result.exit_code == code
    line = one_error_line(result)
    assert server.url in line and message in line


@pytest.mark.server
def test_refused_connection_exits_3(runner):
    url = refused_url()
    result = run(runner, "council-funders", "--endpoint", url)
    assert result.exit_code == 3
    assert one_error_line(result) == f"error: cannot reach {url}: Connection refused"


@pytest.mark.server
def test_rate_limited_endpoint_is_retried_after_the_pause_it_asks_for(runner):
    with misbehaving_server("too-many-requests", failures_before_success=1, retry_after=0) as server:
        result = run(runner, "council-funders", "--endpoint", server.url, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert len(server.requests) == 2
    with misbehaving_server("unavailable", retry_after=0) as server:
        result = run(runner, "council-funders", "--endpoint", server.url)
    assert result.exit_code == 5
    assert "answered HTTP 503 Service Unavailable after 3 attempts" in one_error_line(result)


@contextlib.contextmanager
def recording_endpoint() -> Iterator[tuple[str, list[dict[str, str]]]]:
    """A SPARQL endpoint on 127.0.0.1 that records each request's headers and answers no rows."""
    seen: list[dict[str, str]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *_args: object) -> None:
            return

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen.append(dict(self.headers.items()))
            body = b'{"head": {"vars": ["funder"]}, "results": {"bindings": []}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    with http_server(Handler) as port:
        yield f"http://127.0.0.1:{port}/sparql", seen


@pytest.mark.server
def test_credentials_come_from_the_environment_and_are_never_printed(runner):
    with recording_endpoint() as (url, seen):
        token = run(runner, "council-funders", "--endpoint", url, "--format", "csv",
                    env={"MIGRATION_KG_SPARQL_TOKEN": SECRET})
        basic = run(runner, "council-funders", "--endpoint", url,
                    env={"MIGRATION_KG_SPARQL_USER": "reader", "MIGRATION_KG_SPARQL_PASSWORD": SECRET})
    assert (token.exit_code, basic.exit_code) == (0, 0)
    assert seen[0]["Authorization"] == f"Bearer {SECRET}"
    assert seen[1]["Authorization"].startswith("Basic ")
    assert seen[0]["Accept"].startswith("application/sparql-results+json")
    assert SECRET not in token.output + basic.output


def test_credentials_in_the_url_are_refused_without_echoing_them(runner):
    result = run(runner, "council-funders", "--endpoint", f"http://reader:{SECRET}@127.0.0.1:9/sparql")
    assert result.exit_code == 2
    line = one_error_line(result)
    assert "credentials in the endpoint URL are refused" in line
    assert SECRET not in result.output


def test_half_set_credentials_are_a_usage_error(runner):
    result = run(runner, "council-funders", "--endpoint", "http://127.0.0.1:9/sparql",
                 env={"MIGRATION_KG_SPARQL_USER": "reader", "MIGRATION_KG_SPARQL_PASSWORD": ""})
    assert result.exit_code == 2
    assert "set both MIGRATION_KG_SPARQL_USER and MIGRATION_KG_SPARQL_PASSWORD" in one_error_line(result)


def test_unreachable_service_in_an_embedded_query_exits_3(runner, dist_dir, tmp_path):
    """The federated question with its SERVICE pointed at a closed local port: nothing leaves the machine."""
    text = (ROOT / "queries" / "wikidata-population.rq").read_text(encoding="utf-8")
    local = tmp_path / "local-population.rq"
    local.write_text(text.replace("https://query.wikidata.org/sparql", refused_url()), encoding="utf-8")
    result = run(runner, str(local), "--dist", str(dist_dir))
    assert result.exit_code == 3
    assert "a SERVICE endpoint of local-population cannot be reached" in one_error_line(result)


def test_a_latin1_query_file_is_exit_2_with_one_line(dist_dir, tmp_path):
    import subprocess
    import sys

    path = tmp_path / "latin1.rq"
    path.write_bytes("# requête en Latin-1\nSELECT * WHERE { ?s ?p ?o } LIMIT 1\n".encode("latin-1"))
    result = subprocess.run([sys.executable, "-m", "migration_kg", "query", str(path), "--dist", str(dist_dir)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2
    assert result.stderr.strip() == (f"error: {path}:1:7: the query is not UTF-8 (byte 0xea); save it as UTF-8")


def test_a_query_without_prefixes_runs_and_says_so(dist_dir, tmp_path):
    import subprocess
    import sys

    path = tmp_path / "plain.rq"
    path.write_text("SELECT ?label WHERE { city:montreal rdfs:label ?label } ORDER BY ?label\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "migration_kg", "query", str(path), "--dist", str(dist_dir),
                             "--format", "csv"], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["label", "Montreal", "Montréal"]
    assert result.stderr.strip() == (f"note: {path} uses city:, rdfs: without PREFIX lines; the project's "
                                     "declarations were added")
