"""Independent SHACL engines for the tests: Apache Jena SHACL (Debian's libapache-jena-java, in one JVM for many
cases), rudof (pyrudof) and pyshacl, each read into the same comparable records."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Literal, Node, URIRef
from rdflib.namespace import RDF

SH = "http://www.w3.org/ns/shacl#"
JAVA_DIR = Path("/usr/share/java")
#: The jars Jena SHACL needs from Debian's libapache-jena-java and its dependencies (unversioned links).
JENA_JARS = (
    "jena-arq", "jena-base", "jena-core", "jena-iri", "jena-shacl",
    "commons-cli", "commons-codec", "commons-compress", "commons-csv", "commons-io", "commons-lang3",
    "dexx.collection", "gson", "guava", "httpclient", "httpcore", "jackson-core", "jackson-databind",
    "jackson-annotations", "jakarta.json-api", "jsonld-java", "protobuf", "slf4j-api", "slf4j-nop", "thrift",
    "titanium-json-ld", "jcl-over-slf4j",
)
BATCH_SOURCE = Path(__file__).resolve().parent / "JenaShaclBatch.java"
#: Blank-node shapes renamed for rudof (see name_shapes) are IRIs under this prefix.
SKOLEM = "urn:x-mkg-test:shape:"


@dataclass(frozen=True)
class Case:
    """One validation: a shapes file and the data files merged into one data graph."""

    name: str
    shapes: Path
    data: tuple[Path, ...]


Record = tuple[str, str, str, str, str, str]


def _term(node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, BNode):
        return "_:"
    return node.n3()


def path_text(graph: Graph, path: Node | None) -> str:
    """A SHACL property path written out (blank-node paths by their structure, so that engines compare)."""
    if path is None or isinstance(path, URIRef):
        return _term(path)
    if (path, RDF.first, None) in graph:
        return "(" + " / ".join(path_text(graph, step) for step in graph.items(path)) + ")"
    for name in ("inversePath", "zeroOrMorePath", "oneOrMorePath", "zeroOrOnePath", "alternativePath"):
        inner = graph.value(path, URIRef(SH + name))
        if inner is not None:
            return f"{name}({path_text(graph, inner)})"
    return "_:path"


def named_shape(shapes: Graph, shape: Node | None) -> str:
    """The IRI of the named shape that holds ``shape`` (property shapes and SPARQL constraints are blank nodes)."""
    seen = set()
    while (isinstance(shape, BNode) or str(shape).startswith(SKOLEM)) and shape not in seen:
        seen.add(shape)
        owner = None
        for predicate in ("property", "sparql", "node", "qualifiedValueShape", "not"):
            owner = next(shapes.subjects(URIRef(SH + predicate), shape), None)
            if owner is not None:
                break
        if owner is None:
            members = [s for s in shapes.subjects(RDF.first, shape)]
            owner = _list_owner(shapes, members[0]) if members else None
        shape = owner
    return str(shape) if isinstance(shape, URIRef) and not str(shape).startswith(SKOLEM) else "_:"


def _list_owner(shapes: Graph, cell: Node) -> Node | None:
    while True:
        previous = next(shapes.subjects(RDF.rest, cell), None)
        if previous is None:
            return next((s for p in ("or", "and", "xone") for s in shapes.subjects(URIRef(SH + p), cell)), None)
        cell = previous


def report_records(report: Graph, shapes: Graph) -> Counter[Record]:
    """The top-level results of a SHACL validation report graph as comparable records (a multiset)."""
    found: Counter[Record] = Counter()
    for top in report.subjects(RDF.type, URIRef(SH + "ValidationReport")):
        for result in report.objects(top, URIRef(SH + "result")):
            value = report.value(result, URIRef(SH + "value"))
            found[(
                _term(report.value(result, URIRef(SH + "focusNode"))),
                path_text(report, report.value(result, URIRef(SH + "resultPath"))),
                _term(value),
                named_shape(shapes, report.value(result, URIRef(SH + "sourceShape"))),
                str(report.value(result, URIRef(SH + "sourceConstraintComponent"))),
                str(report.value(result, URIRef(SH + "resultSeverity"))),
            )] += 1
    return found


def conforms(report: Graph) -> bool | None:
    top = next(report.subjects(RDF.type, URIRef(SH + "ValidationReport")), None)
    value = report.value(top, URIRef(SH + "conforms")) if top is not None else None
    return value.value if isinstance(value, Literal) else None


# ---------------------------------------------------------------- pyshacl

def pyshacl_report(case: Case, ontology: Graph | None = None) -> tuple[Graph, Graph]:
    """pyshacl's report graph and the shapes graph it read, without inference (and without the ontology)."""
    from pyshacl import validate

    data = Graph()
    for path in case.data:
        data.parse(path)
    shapes = Graph().parse(case.shapes)
    _conforms, report, _text = validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none",
                                        advanced=True, allow_warnings=False)
    return report, shapes


# ---------------------------------------------------------------- rudof

def name_shapes(shapes: Graph) -> Graph:
    """The shapes graph with its blank-node shapes renamed to IRIs under SKOLEM (lists and paths stay blank).

    rudof relabels blank nodes when it writes a report; with IRIs its sh:sourceShape can be traced back.
    """
    nodes = set(shapes.subjects(URIRef(SH + "path"), None))
    for predicate in ("property", "node", "qualifiedValueShape", "not", "sparql"):
        nodes |= set(shapes.objects(None, URIRef(SH + predicate)))
    for predicate in ("or", "and", "xone"):
        for members in shapes.objects(None, URIRef(SH + predicate)):
            nodes |= set(shapes.items(members))
    renamed = {node: URIRef(SKOLEM + str(node)) for node in nodes if isinstance(node, BNode)}
    named = Graph()
    for s, p, o in shapes:
        named.add((renamed.get(s, s), p, renamed.get(o, o)))  # type: ignore[arg-type]
    return named


def rudof_report(case: Case) -> tuple[Graph, Graph]:
    """rudof's report graph (strict reading) and the shapes graph it ran, with its shapes named (see name_shapes)."""
    import pyrudof

    shapes = name_shapes(Graph().parse(case.shapes))
    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    for index, path in enumerate(case.data):
        rudof.read_data(str(path), reader_mode=pyrudof.ReaderMode.Strict, merge=index > 0)
    rudof.read_shacl(shapes.serialize(format="nt"), format=pyrudof.ShaclFormat.NTriples,
                     reader_mode=pyrudof.ReaderMode.Strict)
    rudof.validate_shacl()
    triples = rudof.serialize_shacl_validation_results(format=pyrudof.ResultShaclValidationFormat.NTriples)
    return Graph().parse(data=triples, format="nt"), shapes


# ---------------------------------------------------------------- Jena

def jena_classpath(work: Path) -> str:
    """Jena's jars, plus the shaded xerces message files put where its classes look for them.

    Debian's jena-core relocates xerces' classes to the package ``xerces`` but leaves their ``.properties``
    resources under ``org/apache/jena/ext/xerces``; without them on the class path Jena fails at start-up
    ("internal error" in XSSimpleTypeDecl).
    """
    missing = [name for name in JENA_JARS if not (JAVA_DIR / f"{name}.jar").is_file()]
    if missing or shutil.which("java") is None:
        raise RuntimeError(f"Jena or Java is missing ({', '.join(missing) or 'java'}): "
                           "run scripts/install-system-packages")
    resources = work / "xerces-resources"
    prefix = "org/apache/jena/ext/xerces/"
    with zipfile.ZipFile(JAVA_DIR / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith(prefix) and name.endswith(".properties"):
                target = resources / "xerces" / name.removeprefix(prefix)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    return ":".join([*(str(JAVA_DIR / f"{name}.jar") for name in JENA_JARS), str(resources)])


def jena_reports(cases: list[Case], work: Path, timeout: float = 600) -> dict[str, Graph | str]:
    """Jena SHACL's report (with the shapes graph) for every case, in one JVM; a refused case gives its error."""
    work.mkdir(parents=True, exist_ok=True)
    classpath = jena_classpath(work)
    outputs = {case.name: work / f"case-{index:04d}.nt" for index, case in enumerate(cases)}
    manifest = work / "manifest.tsv"
    manifest.write_text("".join(
        "\t".join([str(outputs[case.name]), str(case.shapes), *map(str, case.data)]) + "\n" for case in cases),
        encoding="utf-8")
    completed = subprocess.run(["java", "-cp", classpath, str(BATCH_SOURCE), str(manifest)],
                               capture_output=True, text=True, timeout=timeout, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"Jena SHACL did not run: {completed.stderr.strip()[-2000:]}")
    found: dict[str, Graph | str] = {}
    for name, output in outputs.items():
        error = output.with_name(output.name + ".error")
        found[name] = error.read_text(encoding="utf-8") if error.is_file() else Graph().parse(output, format="nt")
    return found
