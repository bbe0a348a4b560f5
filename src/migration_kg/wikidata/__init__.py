"""Wikidata: the polite client, and the link commands (check, suggest, accept, enrich) with SSSOM mapping sets."""
