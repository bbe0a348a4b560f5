"""Questions that give the same answer on every store we name: parameters bound in a form each one accepts, and
answers brought back to the standard form where a store writes them its own way.

Measured on Virtuoso 7.2 (Debian's virtuoso-opensource-7, server 07.20.3229): a ``VALUES`` clause after ``ASK``
is a syntax error (SP030) and after ``CONSTRUCT`` "BINDINGS is not supported at top level" (SP031), while a
``VALUES`` block inside the WHERE clause works everywhere; ``ASK`` comes back as a one-column table
``__ASK_RETVAL`` (one row when true, none when false); stored booleans come back as ``"1"^^xsd:boolean``; and the
value of a boolean expression (``BIND(?a = ?b AS ?same)``, ``BOUND(?x)``, ``true``) as ``xsd:integer`` 1 or 0.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph as ox

from migration_kg.sparqltext import with_values

XSD_BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
ASK_COLUMN = "__ASK_RETVAL"
TRUE = ox.Literal("true", datatype=XSD_BOOLEAN)
FALSE = ox.Literal("false", datatype=XSD_BOOLEAN)

#: Expressions whose value is a boolean (rdflib's names for them in a parsed query's algebra).
_BOOLEAN_EXPRESSIONS = {
    "RelationalExpression", "ConditionalAndExpression", "ConditionalOrExpression", "UnaryNot", "Builtin_BOUND",
    "Builtin_EXISTS", "Builtin_NOTEXISTS", "Builtin_isIRI", "Builtin_isBLANK", "Builtin_isLITERAL",
    "Builtin_isNUMERIC", "Builtin_sameTerm", "Builtin_REGEX", "Builtin_CONTAINS", "Builtin_STRSTARTS",
    "Builtin_STRENDS", "Builtin_LANGMATCHES",
}


def bound_text(text: str, bindings: Mapping[str, ox.NamedNode | ox.BlankNode | ox.Literal]) -> str:
    """``text`` with ``bindings`` as a VALUES block opening its WHERE clause, each term written in its escaped
    N-Triples form (never the user's raw text)."""
    return with_values(text, {name: str(term) for name, term in bindings.items()})


def boolean_variables(text: str) -> frozenset[str]:
    """The variables that a query binds to the value of a boolean expression (``BIND(?a = ?b AS ?same)``,
    ``(BOUND(?x) AS ?known)``, ``true``), found in rdflib's algebra of the query; empty if rdflib cannot read it."""
    from rdflib import Literal
    from rdflib.plugins.sparql import algebra, parser
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        query = algebra.translateQuery(parser.parseQuery(text))
    except Exception:  # rdflib's parser lacks a few of Oxigraph's extensions; then nothing is converted
        return frozenset()
    found: set[str] = set()

    def is_boolean(expression: object) -> bool:
        if isinstance(expression, Literal):
            return expression.datatype is not None and str(expression.datatype) == XSD_BOOLEAN.value
        if isinstance(expression, CompValue) and expression.name == "Builtin_IF":
            return is_boolean(expression.get("arg2")) and is_boolean(expression.get("arg3"))
        return isinstance(expression, CompValue) and expression.name in _BOOLEAN_EXPRESSIONS

    def walk(node: object) -> None:
        if isinstance(node, CompValue):
            if node.name == "Extend" and is_boolean(node.get("expr")):
                found.add(str(node["var"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list | tuple):
            for value in node:
                walk(value)

    walk(query.algebra)
    return frozenset(found)


def as_boolean(term: ox.NamedNode | ox.BlankNode | ox.Literal | None, expected: bool
               ) -> ox.NamedNode | ox.BlankNode | ox.Literal | None:
    """A boolean in canonical form: ``"1"^^xsd:boolean`` becomes ``true``; in a column that holds booleans
    (``expected``), ``1``/``0`` typed ``xsd:integer`` too."""
    if not isinstance(term, ox.Literal):
        return term
    datatype = term.datatype.value
    if datatype == XSD_BOOLEAN.value or (expected and datatype == XSD_INTEGER):
        if term.value in ("1", "true"):
            return TRUE
        if term.value in ("0", "false"):
            return FALSE
    return term


def ask_table_boolean(variables: tuple[str, ...], rows: list[tuple]) -> bool | None:
    """The answer of an ASK that a store wrote as a ``__ASK_RETVAL`` table; None for any other table."""
    if variables != (ASK_COLUMN,):
        return None
    return any(row[0] is not None and row[0].value not in ("0", "false") for row in rows)
