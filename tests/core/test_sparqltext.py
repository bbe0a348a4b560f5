"""sparqltext: prefixes used and declared, and the VALUES block that opens the WHERE clause of any query form."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from migration_kg.sparqltext import add_prefixes, declared_prefixes, used_prefixes, where_clause_start, with_values


def test_prefixes_in_strings_iris_and_comments_are_not_uses():
    text = ('PREFIX a: <http://a/>\n# b:c in a comment\nSELECT * WHERE { ?s a:p "d:e" ; <http://f/g:h> ?o ; '
            'x:y "1"^^xsd:int }')
    assert declared_prefixes(text) == {"a"}
    assert used_prefixes(text) == {"a", "x", "xsd"}
    completed, added = add_prefixes(text, {"xsd": "http://www.w3.org/2001/XMLSchema#", "q": "http://q/"})
    assert added == ["xsd"] and completed.startswith("PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\nPREFIX a:")


@pytest.mark.parametrize(("text", "rows"), [
    ("SELECT ?s WHERE { ?s ?p ?o }", 1),
    ("PREFIX e: <http://e/>\nSELECT (COUNT(*) AS ?n) { ?s e:p ?o } GROUP BY ?s", 1),
    ("ASK { ?s ?p ?o }", None),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", 1),
    ("CONSTRUCT WHERE { ?s ?p ?o }", 1),
    ("DESCRIBE ?s WHERE { ?s ?p ?o }", 1),
    ('SELECT * WHERE { ?s ?p "{" } VALUES ?o { "}" }', 0),
])
def test_a_values_block_opens_the_where_clause_of_every_form(text, rows):
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.Literal("x")))
    store.add(ox.Quad(ox.NamedNode("http://e/b"), ox.NamedNode("http://e/p"), ox.Literal("y")))
    bound = with_values(text, {"s": "<http://e/a>"}, "a note")
    if text.startswith("CONSTRUCT WHERE"):  # its WHERE clause may hold triples only
        assert bound.endswith("}\nVALUES ?s { <http://e/a> }\n")
    else:
        assert bound[where_clause_start(text):].startswith("\n  VALUES ?s { <http://e/a> }  # a note")
    answer = store.query(bound)
    if rows is None:
        assert bool(answer)
    else:
        assert len(list(answer)) == rows
