"""The query API: every question's exact answer, embedded and on a real Oxigraph server; safe parameters."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from query_expectations import EXPECTED_DIR, expected_path, load_expected, offline_queries

from migration_kg.errors import InputError, UsageError
from migration_kg.query.questions import (
    bindings_for,
    find_query,
    list_queries,
    load_store,
    parse_params,
    parse_term,
    query_form,
    read_query,
    run_embedded,
    run_endpoint,
)

ROOT = Path(__file__).resolve().parents[2]
QUERIES_DIR = ROOT / "queries"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "queries"
QUESTIONS = list_queries(QUERIES_DIR)
OFFLINE = offline_queries(QUERIES_DIR)
XSD = "http://www.w3.org/2001/XMLSchema#"
CITY = "https://w3id.org/migration-kg/id/city/"
BREAKOUTS = ['x" } ; DROP ALL ; #', "<http://a> } INSERT DATA {", '"x" } ; DROP ALL ; #"',
             "<http://a>\n} ; CLEAR DEFAULT ; SELECT * {", "city:montreal> } INSERT DATA { <a> <b> <c> } #"]


@pytest.fixture(scope="module")
def store(dist_dir: Path) -> ox.Store:
    return load_store(dist_dir)


def test_enough_questions_are_found_and_each_has_an_expected_answer():
    assert len(QUESTIONS) >= 20
    assert len(OFFLINE) == len(QUESTIONS) - 1
    assert {expected_path(q).name for q in OFFLINE} == {p.name for p in EXPECTED_DIR.iterdir()}
    assert not any(path.parent.name == "qc" for path in (q.path for q in QUESTIONS))


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.name)
def test_every_question_is_documented_in_both_languages_and_ordered(question):
    for lang in ("en", "fr"):
        assert question.titles.get(lang), f"{question.name} lacks title-{lang}"
        assert question.purposes.get(lang), f"{question.name} lacks purpose-{lang}"
    if question.form == "SELECT":
        assert re.search(r"^ORDER BY ", question.text, re.MULTILINE), f"{question.name} has no ORDER BY"


def test_every_form_and_parameterised_questions_are_covered():
    forms = {q.form for q in QUESTIONS}
    assert {"SELECT", "ASK", "CONSTRUCT"} <= forms
    assert {q.name: dict(q.defaults) for q in QUESTIONS if q.defaults} == {
        "article-lists-city": {"city": "city:amman"},
        "city-subgraph": {"city": "city:montreal"},
        "montreal-leads-council": {"city": "city:montreal"},
        "quote-for-fact": {"subject": "city:montreal"},
    }


@pytest.mark.parametrize("question", OFFLINE, ids=lambda q: q.name)
def test_embedded_answer_is_exactly_the_expected_one(store, question):
    result = run_embedded(store, question, bindings_for(question))
    expected = load_expected(question)
    assert result.form == expected.form
    assert result.variables == expected.variables
    assert result.rows == expected.rows
    assert result.boolean == expected.boolean
    assert result.triples == expected.triples


@pytest.mark.server
@pytest.mark.parametrize("question", OFFLINE, ids=lambda q: q.name)
def test_oxigraph_server_gives_the_same_answer(store, oxigraph, question):
    embedded = run_embedded(store, question, bindings_for(question))
    served = run_endpoint(oxigraph.query_url, question, bindings_for(question), timeout=30)
    assert (served.variables, served.rows, served.boolean, served.triples) == \
        (embedded.variables, embedded.rows, embedded.boolean, embedded.triples)


def _values(result, column):
    index = result.variables.index(column)
    return [row[index].value if row[index] is not None else None for row in result.rows]


def test_answers_state_the_articles_facts(store):
    """A few answers spelled out, so that a regenerated expectation cannot silently turn false."""
    def run(name, **params):
        question = find_query(name, QUERIES_DIR)
        return run_embedded(store, question, bindings_for(question, params))

    cities = run("council-member-cities")
    assert _values(cities, "city_fr") == ["Amman", "Athènes", "Bristol", "Freetown", "Kampala", "Los Angeles",
                                          "Milan", "Montréal"]
    assert _values(cities, "country_fr")[-1] == "Canada"
    disagreement = run("leading-cities-disagreement")
    assert [(r[0].value, r[1].value) for r in disagreement.rows if r[1].value == "false"] == [("Amman", "false")]
    assert sum(r[1].value == "true" for r in disagreement.rows) == 7
    funders = run("council-funders")
    assert {(r[1].value, r[3].value if r[3] else None) for r in funders.rows} == {
        ("Government of Switzerland", None), ("Open Society Foundations", "https://schema.org/founder"),
        ("Open Society Foundations", "https://w3id.org/migration-kg/ontology#linkedPerson")}
    assert run("montreal-leads-council").boolean is True
    assert run("montreal-leads-council", city="city:marrakech").boolean is False
    assert run("article-lists-city").boolean is False
    assert run("article-lists-city", city="city:kampala").boolean is True
    events = run("events-in-marrakech")
    assert ("Presentation of the cities' declaration to the States", "2018-12-10") in \
        zip(_values(events, "event_en"), _values(events, "start"), strict=True)


def test_city_subgraph_is_self_contained(store):
    question = find_query("city-subgraph", QUERIES_DIR)
    result = run_embedded(store, question, bindings_for(question, {"city": "city:athens"}))
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    labelled = {(t.subject.value, t.object.language) for t in result.triples if t.predicate == label}
    mentioned = {term.value for t in result.triples for term in (t.subject, t.object)
                 if isinstance(term, ox.NamedNode) and "/migration-kg/id/" in term.value
                 and "/id/claim/" not in term.value}
    assert CITY + "athens" in mentioned
    assert {iri for iri in mentioned if (iri, "en") not in labelled or (iri, "fr") not in labelled} == set()
    claims = {t.subject for t in result.triples if t.object.value.endswith("#Claim")}
    about = {(t.subject, t.object.value) for t in result.triples if t.predicate.value.endswith(("#subject", "#object"))}
    assert len(claims) == 3
    assert {claim for claim, value in about if value == CITY + "athens"} == claims


def test_federated_query_needs_the_network_and_lists_the_graphs_member_city_links(store):
    from rdflib.plugins.sparql import prepareQuery

    question = find_query("wikidata-population", QUERIES_DIR)
    assert question.needs_network and question.form == "SELECT"
    assert "SERVICE <https://query.wikidata.org/sparql>" in question.text
    prepareQuery(question.text)
    listed = set(re.findall(r"wd:(Q\d+)", question.text.split("SERVICE", 1)[1]))
    linked = {s["q"].value.rsplit("/", 1)[1] for s in store.query(
        "SELECT ?q WHERE { ?m <http://www.w3.org/ns/org#member> ?c . ?c <http://www.w3.org/2002/07/owl#sameAs> ?q }")}
    assert listed == linked


@pytest.mark.parametrize(("text", "expected"), [
    ("<https://w3id.org/migration-kg/id/city/athens>", ox.NamedNode(CITY + "athens")),
    ("city:athens", ox.NamedNode(CITY + "athens")),
    ("schema:City", ox.NamedNode("https://schema.org/City")),
    ('"Montréal"@fr', ox.Literal("Montréal", language="fr")),
    ('"2018-12-07"^^xsd:date', ox.Literal("2018-12-07", datatype=ox.NamedNode(XSD + "date"))),
    ('"6"^^<http://www.w3.org/2001/XMLSchema#integer>', ox.Literal("6", datatype=ox.NamedNode(XSD + "integer"))),
    ('"say \\"hi\\""', ox.Literal('say "hi"')),
    ("6", ox.Literal("6", datatype=ox.NamedNode(XSD + "integer"))),
    ("0.67", ox.Literal("0.67", datatype=ox.NamedNode(XSD + "decimal"))),
    ("true", ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))),
    ("Montréal", ox.Literal("Montréal")),
    ("unknown:prefix", ox.Literal("unknown:prefix")),
    ('"x"^^nope:type', ox.Literal('"x"^^nope:type')),
    *[(text, ox.Literal(text)) for text in BREAKOUTS],
])
def test_parse_term(text, expected):
    assert parse_term(text) == expected


def test_bound_text_escapes_every_breakout_attempt():
    from migration_kg.query.portable import bound_text

    bindings = {"b": parse_term(BREAKOUTS[0]), "a": parse_term("city:athens")}
    text = bound_text("SELECT ?x WHERE { ?x ?a ?b }", bindings)
    values = f'VALUES (?a ?b) {{ (<{CITY}athens> "x\\" }} ; DROP ALL ; #") }}'
    assert text == f"SELECT ?x WHERE {{\n  {values}\n  ?x ?a ?b }}"
    for value in BREAKOUTS:
        query = bound_text("SELECT ?x WHERE { ?x ?p ?o }", {"x": parse_term(value)})
        assert list(ox.Store().query(query)) == []


@pytest.mark.parametrize("text", BREAKOUTS)
def test_breakout_values_are_data_embedded(store, text):
    question = find_query("quote-for-fact", QUERIES_DIR)
    before = len(store)
    assert run_embedded(store, question, bindings_for(question, {"subject": text})).rows == []
    assert len(store) == before


@pytest.mark.server
@pytest.mark.parametrize("text", BREAKOUTS)
def test_breakout_values_are_data_on_a_server(store, oxigraph, text):
    count = find_query(str(FIXTURES / "count-triples.rq"), QUERIES_DIR)
    before = run_endpoint(oxigraph.query_url, count).rows
    question = find_query("quote-for-fact", QUERIES_DIR)
    assert run_endpoint(oxigraph.query_url, question, bindings_for(question, {"subject": text})).rows == []
    size = ox.Literal(str(len(store)), datatype=ox.NamedNode(XSD + "integer"))
    assert run_endpoint(oxigraph.query_url, count).rows == before == [(size,)]


def test_unknown_parameter_and_bad_param_syntax_are_usage_errors():
    question = find_query("quote-for-fact", QUERIES_DIR)
    with pytest.raises(UsageError, match=r"no variable \?sujet"):
        bindings_for(question, {"sujet": "city:athens"})
    with pytest.raises(UsageError, match="NAME=VALUE"):
        parse_params(["subject"])
    with pytest.raises(UsageError, match="NAME=VALUE"):
        parse_params(["a b=c"])
    assert parse_params(["?subject=city:athens", "predicate=x=y"]) == {"subject": "city:athens", "predicate": "x=y"}


def test_syntax_error_names_file_line_and_column(store):
    question = read_query(FIXTURES / "syntax-error.rq")
    with pytest.raises(InputError) as caught:
        run_embedded(store, question)
    assert re.fullmatch(r".*syntax-error\.rq:5:\d+: SPARQL syntax error: .+", str(caught.value))
    assert (caught.value.line, caught.value.path) == (5, str(FIXTURES / "syntax-error.rq"))


def test_syntax_error_is_caught_before_reaching_an_endpoint():
    question = read_query(FIXTURES / "syntax-error.rq")
    with pytest.raises(InputError, match=r"syntax-error\.rq:5:"):
        run_endpoint("http://127.0.0.1:9/never-called", question)


def test_missing_graph_says_to_build(tmp_path):
    with pytest.raises(InputError, match="run `migration-kg build` first"):
        load_store(tmp_path)


def test_find_query_by_name_or_file_and_suggests_close_names():
    assert find_query("council-funders", QUERIES_DIR).path == QUERIES_DIR / "council-funders.rq"
    assert find_query(str(FIXTURES / "count-triples.rq"), QUERIES_DIR).name == "count-triples"
    with pytest.raises(UsageError, match="did you mean council-funders"):
        find_query("council-funder", QUERIES_DIR)
    with pytest.raises(InputError, match="no such query file"):
        find_query("missing.rq", QUERIES_DIR)


@pytest.mark.parametrize(("text", "form"), [
    ("# SELECT in a comment\nPREFIX a: <http://a/#x>\nBASE <http://b/>\n  construct { } WHERE { }", "CONSTRUCT"),
    ("ASK {}", "ASK"),
    ("PREFIX : <http://a/>\nDESCRIBE :x", "DESCRIBE"),
    ("prefix x: <http://x/> select * {}", "SELECT"),
])
def test_query_form(text, form):
    assert query_form(text) == form


def test_an_update_is_not_a_query():
    with pytest.raises(UsageError, match="not a SPARQL query"):
        query_form("PREFIX a: <http://a/>\nINSERT DATA { <a> <b> <c> }")


README_QUERY = """SELECT ?city ?country WHERE {
  ?m org:organization organization:council-of-cities-on-migration ; org:member ?c .
  ?c rdfs:label ?city ; schema:containedInPlace ?k . ?k rdfs:label ?country .
  FILTER (LANG(?city) = "en" && LANG(?country) = "en")
} ORDER BY ?city
"""


def test_a_query_without_prefix_lines_gets_the_projects_declarations(store, tmp_path):
    path = tmp_path / "no-prefixes.rq"
    path.write_text(README_QUERY, encoding="utf-8")
    question = find_query(str(path), QUERIES_DIR)
    assert question.added_prefixes == ("org", "organization", "rdfs", "schema")
    rows = run_embedded(store, question).rows
    assert {row[0].value for row in rows} == {"Amman", "Athens", "Bristol", "Freetown", "Kampala", "Los Angeles",
                                              "Milan", "Montreal"}


def test_syntax_errors_count_lines_as_the_user_wrote_them_and_are_never_cut(store, tmp_path):
    path = tmp_path / "bad.rq"
    path.write_text("# a comment\nSELECT ?x WHERE {\n  ?x rdfs:label ?y .\n  ?x undeclared:thing ?z .\n}\n",
                    encoding="utf-8")
    question = find_query(str(path), QUERIES_DIR)
    assert question.added_prefixes == ("rdfs",)
    with pytest.raises(InputError) as caught:
        run_embedded(store, question)
    message = str(caught.value)
    assert caught.value.line == 4 and message.startswith(f"{path}:4:")
    assert "undeclared prefix undeclared:" in message and "\n" not in message and "…" not in message
    assert "['" not in message  # Oxigraph's character classes are summed up, not pasted


def test_a_latin1_query_is_an_input_error_naming_line_and_column(tmp_path):
    path = tmp_path / "latin1.rq"
    path.write_bytes("# requête\nSELECT * WHERE { ?s ?p ?o }\n".encode("latin-1"))
    with pytest.raises(InputError) as caught:
        find_query(str(path), QUERIES_DIR)
    assert (caught.value.line, caught.value.column) == (1, 7)
    assert "not UTF-8 (byte 0xea)" in str(caught.value)


@pytest.mark.parametrize(("text", "booleans"), [
    ("SELECT ?same WHERE { BIND (1 = 1 AS ?same) }", {"same"}),
    ("SELECT (BOUND(?x) AS ?known) (STR(?x) AS ?text) WHERE { OPTIONAL { ?x ?p ?o } }", {"known"}),
    ("SELECT ?flag WHERE { BIND (IF(?a, true, false) AS ?flag) }", {"flag"}),
    ("SELECT ?n WHERE { BIND (1 + 1 AS ?n) }", set()),
])
def test_boolean_columns_are_found_in_the_query(text, booleans):
    from migration_kg.query.portable import boolean_variables

    assert boolean_variables(text) == booleans


def test_virtuoso_style_answers_come_back_standard():
    """What Virtuoso 7.2 sends: ASK as a __ASK_RETVAL table, booleans as 1/0 (typed integer when computed)."""
    import json

    from migration_kg.query.questions import parse_answer

    def typed(value, datatype):
        return {"type": "typed-literal", "datatype": XSD + datatype, "value": value}

    def table(variables, *rows):
        return json.dumps({"head": {"vars": variables}, "results": {"bindings": list(rows)}}).encode()

    kind = "application/sparql-results+json"
    true_ask = table(["__ASK_RETVAL"], {"__ASK_RETVAL": typed("1", "integer")})
    assert parse_answer("u", "ASK", true_ask, kind).boolean is True
    assert parse_answer("u", "ASK", table(["__ASK_RETVAL"]), kind).boolean is False
    answer = table(["same", "n", "stored"], {"same": typed("0", "integer"), "n": typed("1", "integer"),
                                             "stored": typed("1", "boolean")})
    query = "SELECT ?same ?n ?stored WHERE { BIND (1 = 2 AS ?same) BIND (1 AS ?n) ?s ?p ?stored }"
    row = parse_answer("u", "SELECT", answer, kind, query).rows[0]
    assert [str(term) for term in row] == [f'"false"^^<{XSD}boolean>', f'"1"^^<{XSD}integer>',
                                           f'"true"^^<{XSD}boolean>']
