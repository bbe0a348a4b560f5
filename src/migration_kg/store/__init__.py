"""Triple stores: loading ``dist/`` into a SPARQL store over HTTP, bulk-load dumps, a local Oxigraph server."""
