"""Validation: the fast SHACL engine (shapes model, value conditions, SHACL-SPARQL), the report, QC queries."""
