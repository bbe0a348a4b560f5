"""Stage 2: validate a graph against the SHACL shapes and the quality-control queries.

Two SHACL engines give the same results: ``fast`` (the default, :mod:`migration_kg.shacl.engine`, SPARQL on
pyoxigraph) and ``pyshacl`` (the reference).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Node, URIRef
from rdflib.namespace import RDF, RDFS

from migration_kg.errors import UsageError
from migration_kg.files import read_text
from migration_kg.graph.load import from_rdflib, to_rdflib, to_store
from migration_kg.graph.verbatim import Rewrites, rewrites_of
from migration_kg.namespaces import PREFIXES, SH, bind_prefixes
from migration_kg.shacl.qc import QcResult, query_title, run_qc, run_query

if TYPE_CHECKING:
    from migration_kg.shacl.engine import ShaclResult
    from migration_kg.shacl.tasks import QueryStore

ENGINES = ("fast", "pyshacl")

QC_SHAPE_BASE = "https://w3id.org/migration-kg/qc/"
SPARQL_COMPONENT = str(SH.SPARQLConstraintComponent)
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


@dataclass(frozen=True)
class Violation:
    """One validation result, with a readable label for its focus node.

    The text fields are for people and for comparing engines; the term fields carry the RDF terms themselves,
    exactly as in the data and the shapes (a literal focus node, a blank-node path, a language-tagged message),
    and the results that explain a sh:node failure (``details``), for writing a SHACL report graph
    (:mod:`migration_kg.shacl.report`). They are left out of equality: blank-node labels differ between engines.
    """

    focus: str
    focus_label: str
    path: str
    message: str
    severity: str
    source: str
    value: str = ""
    component: str = ""
    focus_node: Node | None = field(default=None, compare=False)
    path_node: Node | None = field(default=None, compare=False)
    value_node: Node | None = field(default=None, compare=False)
    source_shape: Node | None = field(default=None, compare=False)
    source_constraint: Node | None = field(default=None, compare=False)
    messages: tuple[Literal, ...] = field(default=(), compare=False)
    details: tuple[Violation, ...] = field(default=(), compare=False)

    def sort_key(self) -> tuple[str, ...]:
        return (self.focus, self.path, self.source, self.message, self.value, self.component, self.severity,
                self.focus_label)

    @property
    def focus_ref(self) -> str:
        """The focus node as people read it: ``<iri>``, or the literal in Turtle syntax."""
        return self.focus if isinstance(self.focus_node, Literal) else f"<{self.focus}>"


@dataclass
class ValidationReport:
    """What ``validate`` found: SHACL results and quality-control rows, as RDF and as text."""

    violations: list[Violation] = field(default_factory=list)
    qc_results: list[QcResult] = field(default_factory=list)
    #: "N quotes checked, M unchecked (text not available)", once quotes were checked against source texts.
    quote_summary: str = ""
    #: The shapes graph and the data the results came from: the report graph copies blank nodes from them.
    shapes: Graph | None = field(default=None, repr=False, compare=False)
    data: Graph | QueryStore | None = field(default=None, repr=False, compare=False)

    @property
    def conforms(self) -> bool:
        return not self.violations

    def to_graph(self) -> Graph:
        """The report as a standard SHACL validation report graph (quality-control rows included)."""
        from migration_kg.shacl.report import report_graph

        graph = report_graph(self.violations, self.shapes, self.conforms, self.data)
        if self.quote_summary:
            report = next(graph.subjects(RDF.type, SH.ValidationReport))
            graph.add((report, RDFS.comment, Literal(self.quote_summary, lang="en")))
        return graph

    def to_text(self) -> str:
        """The report for people: one block per problem, naming the entity by its label."""
        lines = [f"Conforms: {'yes' if self.conforms else 'no'}",
                 f"SHACL and quality-control violations: {len(self.violations)}"]
        if self.quote_summary:
            lines.append(f"Quotes: {self.quote_summary}")
        blocks: list[list[str]] = []
        for violation in self.violations:
            block = [f"- {violation.focus_label} {violation.focus_ref}"]
            if violation.path:
                block.append(f"  path:    {violation.path}")
            block.append(f"  message: {violation.message}")
            if violation.value:
                block.append(f"  value:   {violation.value}")
            component = violation.component.rsplit("#", 1)[-1]
            block.append(f"  check:   {violation.source}" + (f" ({component})" if component else ""))
            blocks.append(block)
        # Two property shapes of one check can report the same thing; say so once, with how many times.
        for index, block in enumerate(blocks):
            if index and block == blocks[index - 1]:
                continue
            repeats = sum(1 for _ in itertools.takewhile(lambda other, b=block: other == b, blocks[index:]))
            lines.append("")
            lines.extend(block)
            if repeats > 1:
                lines.append(f"  results: {repeats} (one per property shape of the check)")
        if self.qc_results:
            lines.append("")
            lines.append("Quality-control queries:")
            for result in self.qc_results:
                verdict = "pass" if result.passed else f"FAIL ({len(result.rows)} rows)"
                lines.append(f"  {result.name}: {verdict}")
        return "\n".join(lines) + "\n"


def label_of(graph: Graph | QueryStore, node: Node) -> str:
    """An English label if there is one, else a French one, else any other, else the IRI itself.

    Among several labels in one language the smallest text wins, so that the choice never depends on order.
    """
    if isinstance(node, Literal):
        return str(node)
    if isinstance(graph, Graph):
        pairs = [(lit.language, str(lit)) for lit in graph.objects(node, RDFS.label) if isinstance(lit, Literal)]
    else:
        pairs = [(term.language, term.value) for term in (
            quad.object for quad in graph.quads_for_pattern(from_rdflib(node), ox.NamedNode(str(RDFS.label)), None,
                                                              ox.DefaultGraph())) if isinstance(term, ox.Literal)]
    labels: dict[str | None, str] = {}
    for language, text in sorted(pairs, key=lambda pair: (pair[0] or "", pair[1]), reverse=True):
        labels[language] = text
    if labels.get("en") or labels.get("fr"):
        return labels.get("en") or labels["fr"]
    return min(labels.values()) if labels else str(node)


def _namespaces(data: Graph | QueryStore) -> object:
    return data.namespace_manager if isinstance(data, Graph) else bind_prefixes(Graph()).namespace_manager


def default_message(component: str, path: str) -> str:
    """The message of a result whose shape has no sh:message (the same text whichever engine found it)."""
    local = component.rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
    parameter = "sparql" if local == "SPARQL" else local[:1].lower() + local[1:]
    return f"fails sh:{parameter}" + (f" on {path}" if path else "")


def _message(messages: Iterable[str], component: str, path: str) -> str:
    unique = sorted({str(message) for message in messages})
    return "; ".join(unique) if unique else default_message(component, path)


def focus_text(term: Node) -> str:
    """The focus node as text: an IRI or blank-node label, or a literal in Turtle syntax."""
    return term.n3() if isinstance(term, Literal) else str(term)


def shacl_violations(data: Graph, shapes: Graph, ontology: Graph, engine: str = "fast") -> list[Violation]:
    """Run the SHACL engine ``engine`` (``fast`` or ``pyshacl``, the reference) and return its results, sorted."""
    if engine == "fast":
        store, rewrites = _fast_store(data, ontology)
        return fast_violations(store, shapes, data, rewrites=rewrites)
    if engine != "pyshacl":
        raise UsageError(f"unknown SHACL engine {engine!r} (use one of {', '.join(ENGINES)})")
    from pyshacl import validate as pyshacl_validate  # heavy import, only when validating

    _conforms, report, _text = pyshacl_validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True, allow_warnings=False)
    top_level = [r for node in report.subjects(RDF.type, SH.ValidationReport) for r in report.objects(node, SH.result)]
    # nested sh:detail results explain a top-level one: they are kept as its details, not counted again
    return sorted((_from_pyshacl(report, result, data, shapes) for result in top_level), key=Violation.sort_key)


def _from_pyshacl(report: Graph, result: Node, data: Graph, shapes: Graph) -> Violation:
    focus = report.value(result, SH.focusNode)
    path = report.value(result, SH.resultPath)
    value = report.value(result, SH.value)
    component = str(report.value(result, SH.sourceConstraintComponent))
    path_text = path.n3(data.namespace_manager) if isinstance(path, URIRef) else ""
    validators = [v for kind in ("validator", "nodeValidator", "propertyValidator")
                  for v in shapes.objects(report.value(result, SH.sourceConstraintComponent), SH[kind])]
    explained = any((node, SH.message, None) in shapes for node in (
        report.value(result, SH.sourceShape), report.value(result, SH.sourceConstraint), *validators)
        if node is not None)
    literals = tuple(sorted(m for m in report.objects(result, SH.resultMessage) if isinstance(m, Literal)))
    messages = list(literals) if explained else []
    return Violation(
        focus=focus_text(focus),
        focus_label=label_of(data, focus),
        path=path_text,
        message=_message(messages, component, path_text),
        severity=str(report.value(result, SH.resultSeverity)),
        source=_shape_name(report.value(result, SH.sourceShape), shapes),
        value=value.n3(data.namespace_manager) if value is not None else "",
        component=component,
        focus_node=focus, path_node=path, value_node=value, source_shape=report.value(result, SH.sourceShape),
        source_constraint=report.value(result, SH.sourceConstraint), messages=tuple(sorted(messages)),
        details=tuple(sorted((_from_pyshacl(report, d, data, shapes) for d in report.objects(result, SH.detail)),
                             key=Violation.sort_key)),
    )


def fast_violations(store: QueryStore, shapes: Graph, data: Graph | QueryStore | None = None,
                    executor: Executor | None = None, rewrites: Rewrites | None = None) -> list[Violation]:
    """Run the fast engine on ``store`` (data and ontology in its default graph); labels come from ``data``.

    ``rewrites`` names the literals that the store holds in another form than the data (see graph.verbatim).
    """
    from migration_kg.shacl.engine import validate_store  # imported here: only validation needs it

    labels = store if data is None else data
    names = _namespaces(labels)
    results = validate_store(store, shapes, executor, rewrites)
    found = [_from_fast(result, shapes, labels, names) for result in results]
    return sorted(_with_details(store, shapes, found, labels, names, rewrites), key=Violation.sort_key)


NODE_COMPONENT = str(SH.NodeConstraintComponent)


def _with_details(store: QueryStore, shapes: Graph, found: list[Violation], labels: Graph | QueryStore,
                  names: object, rewrites: Rewrites | None = None, depth: int = 0) -> list[Violation]:
    """Each sh:node result with the results that explain it (sh:detail), found as pyshacl finds them: by
    validating the value against the node shape. Only that shape runs, targeted at those values."""
    from migration_kg.shacl.engine import validate_store

    pairs = {(shape, v.value_node) for v in found if v.component == NODE_COMPONENT and v.value_node is not None
             for shape in shapes.objects(v.source_shape, SH.node)}
    if not pairs or depth > 8:
        return found
    targeted = Graph()
    targeted += ((s, p, o) for s, p, o in shapes if p not in TARGETS)
    for shape, value in pairs:
        targeted.add((shape, SH.targetNode, value))
    nested = [_from_fast(result, targeted, labels, names)
              for result in validate_store(store, targeted, None, rewrites)]
    nested = _with_details(store, shapes, nested, labels, names, rewrites, depth + 1)
    owners = {prop: shape for shape, _value in pairs for prop in shapes.objects(shape, SH.property)}
    by_pair: dict[tuple[Node, Node | None], list[Violation]] = {}
    for result in nested:
        owner = owners.get(result.source_shape, result.source_shape)
        by_pair.setdefault((owner, result.focus_node), []).append(result)
    return [replace(v, details=tuple(sorted((d for shape in shapes.objects(v.source_shape, SH.node)
                                             for d in by_pair.get((shape, v.value_node), ())),
                                            key=Violation.sort_key)))
            if v.component == NODE_COMPONENT else v for v in found]


def _from_fast(result: ShaclResult, shapes: Graph, labels: Graph | QueryStore, names: object) -> Violation:
    focus = to_rdflib(result.focus)
    path_text = result.path.n3(names) if isinstance(result.path, URIRef) else ""  # type: ignore[arg-type]
    value = to_rdflib(result.value) if result.value is not None else None
    return Violation(
        focus=focus_text(focus),
        focus_label=label_of(labels, focus),
        path=path_text,
        message=_message(result.messages, result.component, path_text),
        severity=result.severity,
        source=_shape_name(result.shape, shapes),
        value=value.n3(names) if value is not None else "",  # type: ignore[arg-type]
        component=result.component,
        focus_node=focus, path_node=result.path, value_node=value, source_shape=result.shape,
        source_constraint=result.constraint, messages=result.messages,
    )


def _fast_store(data: Graph, ontology: Graph) -> tuple[ox.Store, Rewrites]:
    """A store with ``data`` and ``ontology`` for the fast engine, and the literals it holds in another form."""
    rewrites = rewrites_of(from_rdflib(value) for value in set(data.objects()) if isinstance(value, Literal))
    store = to_store(data)
    add_ontology(store, ontology)
    return store, rewrites


def add_ontology(store: ox.Store, ontology: Graph | Iterable[ox.Triple]) -> set[ox.Quad]:
    """Add the ontology's triples to the store's default graph; return those that were not there already."""
    triples = ((from_rdflib(s), from_rdflib(p), from_rdflib(o)) for s, p, o in ontology) \
        if isinstance(ontology, Graph) else ((t.subject, t.predicate, t.object) for t in ontology)
    added = {ox.Quad(s, p, o, ox.DefaultGraph()) for s, p, o in triples}
    added = {quad for quad in added if quad not in store}
    store.extend(added)
    return added


def _shape_name(shape: Node | None, shapes: Graph) -> str:
    """The named node shape behind a result (property shapes are blank nodes inside one)."""
    if isinstance(shape, BNode):
        owner = next(shapes.subjects(SH.property, shape), None) or next(shapes.subjects(SH.sparql, shape), None)
        if owner is not None:
            shape = owner
    return str(shape)


def qc_violations(results: list[QcResult], data: Graph | QueryStore) -> list[Violation]:
    """One violation per row that a quality-control query returned."""
    found = []
    names = _namespaces(data)
    for result in results:
        for row in result.rows:
            cells = dict(zip(result.variables, row, strict=True))
            entity = cells.get("entity", row[0] if row else "")
            focus = entity.strip("<>")
            value = "" if cells.get("value", "") == '""' else cells.get("value", "")  # an empty literal: no value
            if ":" in focus and "://" not in focus:
                focus = str(names.expand_curie(focus))  # type: ignore[attr-defined]
            message = f"{result.title}" + (f" ({value})" if value else "")
            found.append(Violation(
                focus=focus,
                focus_label=label_of(data, URIRef(focus)),
                path=cells.get("property", ""),
                message=message,
                severity=str(SH.Violation),
                source=QC_SHAPE_BASE + result.name,
                value=value,
                component=SPARQL_COMPONENT,
                focus_node=URIRef(focus), path_node=_qc_term(cells.get("property", ""), names),
                value_node=_qc_term(cells.get("value", ""), names), source_shape=URIRef(QC_SHAPE_BASE + result.name),
                messages=(Literal(message),),
            ))
    return found


def _qc_term(text: str, names: object) -> Node | None:
    """A cell of a QC row (Turtle syntax, prefixed names allowed) as the RDF term it names, a literal with its
    lexical form as written; an empty literal, like an empty cell, is no value."""
    if not text or text == '""':
        return None
    prefixes = "".join(f"@prefix {prefix}: <{namespace}> .\n" for prefix, namespace in PREFIXES.items())
    try:
        (quad,) = ox.parse(f"{prefixes}<urn:x-qc:s> <urn:x-qc:p> {text} .", format=ox.RdfFormat.TURTLE)
    except (SyntaxError, ValueError):  # a cell that is no RDF term (free text) stays text
        return Literal(text)
    return to_rdflib(quad.object)


def validate_graph(data: Graph, shapes: Graph, ontology: Graph, qc_files: list[Path],
                   engine: str = "fast") -> ValidationReport:
    """Validate ``data`` (with ``ontology`` for class hierarchy) against the shapes and every QC query."""
    if engine == "fast":
        store, rewrites = _fast_store(data, ontology)
        return validate_store(store, shapes, qc_files, data, rewrites)
    qc_results = run_qc(data + ontology, qc_files)
    violations = shacl_violations(data, shapes, ontology, engine) + qc_violations(qc_results, data)
    return ValidationReport(violations=violations, qc_results=qc_results, shapes=shapes, data=data)


def validate_store(store: QueryStore, shapes: Graph, qc_files: list[Path], data: Graph | QueryStore | None = None,
                   rewrites: Rewrites | None = None) -> ValidationReport:
    """Validate a store holding data and ontology in its default graph with the fast engine and the QC queries.

    ``rewrites`` names the literals that the store holds in another form than the data (``graph.load.load_data``
    finds them), so that results name the terms as written. The queries run on two threads (Oxigraph
    releases the GIL while it evaluates a query).
    """
    labels = store if data is None else data
    with ThreadPoolExecutor(max_workers=2) as pool:
        pending = [pool.submit(_qc_result, store, path, rewrites) for path in qc_files]
        shacl = fast_violations(store, shapes, labels, pool, rewrites)
        qc_results = [future.result() for future in pending]
    return ValidationReport(violations=shacl + qc_violations(qc_results, labels), qc_results=qc_results,
                            shapes=shapes, data=labels)


def _qc_result(store: QueryStore, path: Path, rewrites: Rewrites | None = None) -> QcResult:
    """One quality-control query run on ``store``, its rows written as :func:`migration_kg.shacl.qc.run_qc` does
    (literals as the data writes them, given the ``rewrites``)."""
    answer = run_query(store, path)
    names = bind_prefixes(Graph()).namespace_manager
    variables = tuple(variable.value for variable in answer.variables)
    written = rewrites.as_written if rewrites else (lambda term: term)
    rows = sorted(tuple("" if solution[v] is None else to_rdflib(written(solution[v])).n3(names) for v in variables)
                  for solution in answer)
    return QcResult(name=path.name.removesuffix(".rq"), path=path, title=query_title(read_text(path, "query")),
                    variables=variables, rows=tuple(rows))
