"""Stage 1: parse RDF files into one rdflib graph; a syntax error names the file, line and column."""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from migration_kg.errors import InputError
from migration_kg.graph.limits import check_source
from migration_kg.graph.verbatim import Rewrites, scan_rewrites
from migration_kg.namespaces import bind_prefixes

_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
}
#: The syntax names of :func:`migration_kg.graph.limits.check_source`, by RDF format.
_SYNTAX = {ox.RdfFormat.TURTLE: "turtle", ox.RdfFormat.N_TRIPLES: "ntriples", ox.RdfFormat.RDF_XML: "rdfxml",
           ox.RdfFormat.JSON_LD: "jsonld"}
_POSITION = re.compile(r"line (\d+) column (\d+)")


class _IllTypedLiteralNoise(logging.Filter):
    """rdflib logs a traceback for every ill-typed literal it converts (``"aldi"^^xsd:integer``); such literals
    are kept as written and reported by validation, so that log line is only noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to convert Literal lexical form to value")


logging.getLogger("rdflib.term").addFilter(_IllTypedLiteralNoise())
warnings.filterwarnings("ignore", message="Parsing weird boolean", category=UserWarning)


def rdf_format(path: Path) -> ox.RdfFormat:
    """The RDF syntax of ``path``, from its suffix."""
    try:
        return _FORMATS[path.suffix]
    except KeyError:
        raise InputError(f"unknown RDF file type {path.suffix!r} (use one of {', '.join(_FORMATS)})", path) from None


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> URIRef | BNode | Literal:
    """Convert one pyoxigraph term into the equivalent rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    if datatype == "http://www.w3.org/2001/XMLSchema#string":
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(datatype), normalize=False)  # the lexical form as written


def checked_format(path: Path) -> ox.RdfFormat:
    """The RDF syntax of ``path``, once the file passed the input limits (size, line length, depth, no DTD)."""
    if not path.is_file():
        raise InputError("no such file", path)
    syntax = rdf_format(path)
    check_source(path, _SYNTAX[syntax])
    return syntax


def parse_file(path: Path, base_iri: str | None = None) -> Iterable[ox.Triple]:
    """Parse one file with pyoxigraph, turning a syntax error into an InputError with its position."""
    syntax = checked_format(path)
    try:
        return list(ox.parse(path=str(path), format=syntax, base_iri=base_iri))
    except SyntaxError as error:
        raise _syntax_error(error, path) from None
    except (OSError, ValueError) as error:
        raise InputError(f"cannot read: {error}", path) from None


def _syntax_error(error: SyntaxError, path: Path) -> InputError:
    message = str(error)
    match = _POSITION.search(message)
    line = int(match.group(1)) if match else getattr(error, "lineno", None)
    column = int(match.group(2)) if match else None
    first_line = message.split(" (", 1)[0] if match else message
    return InputError(f"syntax error: {first_line}", path, line, column)


def load_store(paths: Iterable[Path], store: ox.Store | None = None, base_iri: str | None = None,
               checked: bool = False) -> ox.Store:
    """Bulk-load every file of ``paths`` into the default graph of an in-memory pyoxigraph store.

    The fast path for large data: parsing and indexing happen in Rust, with no Python object per triple.
    Relative IRIs are an error unless ``base_iri`` is given. Each file passes the input limits first, unless
    ``checked`` says that the caller did that already.
    """
    store = ox.Store() if store is None else store
    for path in map(Path, paths):
        syntax = rdf_format(path) if checked else checked_format(path)
        try:
            store.bulk_load(path=str(path), format=syntax, base_iri=base_iri)
        except SyntaxError as error:
            raise _syntax_error(error, path) from None
        except (OSError, ValueError) as error:
            raise InputError(f"cannot read: {error}", path) from None
    return store


def load_dataset(paths: Iterable[Path], base_iri: str | None = None) -> ox.Dataset:
    """Every file of ``paths`` in the default graph of a pyoxigraph Dataset, which keeps every term as written."""
    return ox.Dataset(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                      for path in paths for t in parse_file(Path(path), base_iri))


def load_data(paths: Iterable[Path], base_iri: str | None = None) -> tuple[ox.Store, ox.Dataset | None, Rewrites]:
    """The data files bulk-loaded into a store, with what the store holds in another form than the files.

    The files are scanned for such literals (:func:`migration_kg.graph.verbatim.scan_rewrites`) on a second
    thread while the store loads them (loading releases the GIL). When the store changes some datatype
    (xsd:byte to xsd:integer...), the data exactly as written is returned too, in a Dataset, for the writers.
    """
    paths = [Path(path) for path in paths]
    for path in paths:  # the input limits, before the scan below reads any file
        checked_format(path)
    with ThreadPoolExecutor(max_workers=1) as pool:
        scanning = pool.submit(scan_rewrites, paths, lambda path: parse_file(path, base_iri))
        store = load_store(paths, base_iri=base_iri, checked=True)
        rewrites = scanning.result()
    faithful = load_dataset(paths, base_iri) if rewrites.changes_datatypes else None
    return store, faithful, rewrites


def store_to_graph(store: ox.Store | ox.Dataset, leave_out: Iterable[ox.Quad] = (),
                   rewrites: Rewrites | None = None) -> Graph:
    """The default graph of ``store`` (without the quads of ``leave_out``) as an rdflib graph; with
    ``rewrites``, literals as the data wrote them."""
    skipped = set(leave_out)
    written = rewrites.written if rewrites else {}
    graph = bind_prefixes(Graph())
    quads = store if isinstance(store, ox.Dataset) else store.quads_for_pattern(None, None, None, ox.DefaultGraph())
    for quad in quads:
        if quad not in skipped:
            graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate),
                       to_rdflib(written.get(quad.object, quad.object) if written else quad.object)))
    return graph


def load_graph(paths: Iterable[Path], base_iri: str | None = None) -> Graph:
    """Read every file of ``paths`` into one graph bound to the project's prefixes, literals exactly as written."""
    graph = bind_prefixes(Graph())
    for path in paths:
        for triple in parse_file(Path(path), base_iri):
            graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
    return graph


def from_rdflib(term: URIRef | BNode | Literal) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Convert one rdflib term into the equivalent pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype is not None:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def to_store(graph: Graph) -> ox.Store:
    """An in-memory pyoxigraph store holding ``graph`` in its default graph, for fast SPARQL."""
    store = ox.Store()
    store.bulk_extend(
        ox.Quad(from_rdflib(s), from_rdflib(p), from_rdflib(o), ox.DefaultGraph()) for s, p, o in graph)
    return store
