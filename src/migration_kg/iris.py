"""The project's base IRIs and well-known endpoints as plain strings: cheap to import at CLI start-up."""

BASE = "https://w3id.org/migration-kg/"
ONTOLOGY_IRI = BASE + "ontology"
DATASET_IRI = BASE + "dataset"
CONTEXT_IRI = BASE + "ns/context.jsonld"
ID_BASE = BASE + "id/"
WIKIDATA_QUERY_SERVICE = "https://query.wikidata.org/sparql"
