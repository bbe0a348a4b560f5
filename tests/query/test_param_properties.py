"""Property-based tests (hypothesis) of ``--param`` values: whatever the text, it is bound as one RDF term, as
data, on both paths (embedded substitutions and the endpoint's VALUES clause), and never changes the query."""

from __future__ import annotations

from decimal import Decimal

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from migration_kg.errors import UsageError
from migration_kg.query.portable import bound_text
from migration_kg.query.questions import parse_params, parse_term

BOUNDED = settings(max_examples=200, deadline=1000, derandomize=True)
PIECES = st.sampled_from(['"', "'", "<", ">", "{", "}", "}}", " ", "\n", "\\", "\\u0022", "@en", "^^", "xsd:integer",
                          "<http://example.org/x>", "city:athens", "DROP ALL", "} ; DELETE WHERE { ?s ?p ?o } #",
                          "#", "?x", "$x", "1", "-2.5", "true", "e", "_:b", "\x00", "é", "\u2028"])
VALUES = st.one_of(st.text(max_size=60), st.lists(PIECES, max_size=10).map("".join))
STORE = ox.Store()
STORE.add(ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"),
                  ox.Literal("o"), ox.DefaultGraph()))


@BOUNDED
@given(VALUES)
def test_a_value_is_one_term_bound_as_data_by_values(value: str) -> None:
    """The endpoint path: a VALUES block opening the WHERE clause, written from the parsed term."""
    term = parse_term(value)
    assert isinstance(term, ox.NamedNode | ox.Literal)
    query = bound_text("SELECT ?x (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?x", {"x": term})
    rows = list(STORE.query(query))
    assert len(rows) == 1 and rows[0]["x"] == term and rows[0]["n"].value == "1"


@BOUNDED
@given(VALUES)
def test_a_value_is_the_same_term_through_substitutions(value: str) -> None:
    term = parse_term(value)
    rows = list(STORE.query("SELECT ?x WHERE { ?s ?p ?o }", substitutions={ox.Variable("x"): term}))
    assert len(rows) == 1
    assert same_term(rows[0]["x"], term)


def same_term(found: object, term: object) -> bool:
    """Equal terms; pyoxigraph writes a substituted number in its canonical form ("00" comes back as "0")."""
    if found == term:
        return True
    numeric = ("integer", "decimal")
    return (isinstance(found, ox.Literal) and isinstance(term, ox.Literal) and found.datatype == term.datatype
            and term.datatype.value.rsplit("#", 1)[-1] in numeric and Decimal(found.value) == Decimal(term.value))


@BOUNDED
@given(st.text(max_size=20), VALUES)
def test_param_pairs_parse_or_are_refused_cleanly(name: str, value: str) -> None:
    try:
        parsed = parse_params([f"{name}={value}"])
    except UsageError as error:
        assert "--param expects NAME=VALUE" in str(error)
        return
    assert list(parsed.values()) == [value]


@pytest.mark.parametrize("value", ['"x" } ; DROP ALL ; SELECT * { "', "<http://a> } INSERT DATA { <a> <b> <c> }"])
def test_injection_attempts_are_plain_strings(value: str) -> None:
    term = parse_term(value)
    assert isinstance(term, ox.Literal) and term.value == value
