"""The ontology in the OWL tools people use: the OWL API (what Protégé is built on) loads it and finds it in the
OWL 2 DL profile, HermiT (through owlready2) classifies it, and pyLODE documents it with working anchors."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from owl_tools import hermit_classify, owlapi_load
from rdflib import Graph
from rdflib.namespace import OWL, RDF

from migration_kg.namespaces import MKG, ONTOLOGY_IRI

VERSION_IRI = ONTOLOGY_IRI + "/0.1.0"


@pytest.fixture(scope="module")
def ontology_files(project_root: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The ontology as written (Turtle) and as RDF/XML and N-Triples, the syntaxes owlready2 reads."""
    source = project_root / "ontology" / "migration-kg.ttl"
    graph = Graph().parse(source)
    folder = tmp_path_factory.mktemp("ontology")
    files = {"turtle": source, "xml": folder / "ontology.rdf", "nt": folder / "ontology.nt"}
    graph.serialize(files["xml"], format="xml")
    graph.serialize(files["nt"], format="nt", encoding="utf-8")
    return files


def test_owl_api_loads_the_ontology_and_finds_it_in_owl2_dl(ontology_files: dict[str, Path],
                                                             fixtures_dir: Path) -> None:
    not_dl = fixtures_dir / "ontology" / "not-dl.ttl"
    documents = [ontology_files["turtle"].as_uri(), ontology_files["xml"].as_uri(), not_dl.as_uri()]
    loaded = owlapi_load(documents)
    for document in documents[:2]:
        result = loaded[document]
        assert result.error == ""
        assert (result.ontology_iri, result.version_iri) == (ONTOLOGY_IRI, VERSION_IRI)
        assert result.axioms > 300
        assert result.violations == [] and result.in_dl, result.violations
    assert (loaded[documents[0]].format, loaded[documents[1]].format) == ("Turtle", "RDF/XML Syntax")
    # The checker is not vacuous: the axiom the ontology used to have is out of the profile.
    assert not loaded[documents[2]].in_dl
    assert any("reserved vocabulary" in v and "rdf:Statement" in v for v in loaded[documents[2]].violations)


def test_hermit_classifies_the_ontology(ontology_files: dict[str, Path]) -> None:
    classes, unsatisfiable = hermit_classify(ontology_files["nt"])
    assert {str(MKG.Claim), str(MKG.CityNetwork), str(MKG.Mandate)} <= set(classes)
    assert unsatisfiable == []


def test_pylode_documents_every_term_with_working_anchors(ontology_files: dict[str, Path]) -> None:
    """pyLODE, a second documentation renderer, gives every term of ours an anchor, and every link on its page
    lands on an element that exists."""
    import html5lib
    from pylode import OntPub

    page = html5lib.parse(OntPub(ontology=str(ontology_files["turtle"])).make_html(), namespaceHTMLElements=False)
    ids = [element.get("id") for element in page.iter() if element.get("id")]
    links = {element.get("href")[1:] for element in page.iter("a") if (element.get("href") or "").startswith("#")}
    assert links and links <= set(ids), sorted(links - set(ids))
    anchors: dict[str, set[str]] = {}
    for block in page.iter("div"):
        if "entity" in (block.get("class") or "").split():
            iri = next((code.text for code in block.iter("code")), None)
            anchors.setdefault(iri, set()).add(block.get("id"))
    graph = Graph().parse(ontology_files["turtle"])
    own = sorted(str(s) for s in set(graph.subjects(RDF.type)) if str(s).startswith(str(MKG)))
    assert len(own) >= 35
    for term in own:
        assert len(anchors.get(term, ())) == 1 and anchors[term] <= links, f"no single linked anchor for {term}"
    # pyLODE shows a functional property twice (with its kind, then among functional properties) under the same
    # id (RDFLib/pyLODE#148); no other id is repeated.
    repeated = {name for name, count in Counter(ids).items() if count > 1}
    functional = {anchor for p in graph.subjects(RDF.type, OWL.FunctionalProperty) for anchor in anchors[str(p)]}
    assert repeated == functional
