"""Asking the graph questions: the SPARQL files of ``queries/``, embedded on pyoxigraph or on a remote endpoint."""
