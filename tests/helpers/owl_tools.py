"""OWL tools for the tests: the OWL API (Debian's libowlapi-java, what Protégé is built on) with its OWL 2 DL
profile checker, and the HermiT reasoner as owlready2 runs it."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

JAVA_DIR = Path("/usr/share/java")
#: The OWL API and the jars it needs, from libowlapi-java and its dependencies (unversioned links); the rdf4j
#: jars are added by glob (the OWL API finds no parser without them).
OWLAPI_JARS = (
    "owlapi-distribution", "guava", "caffeine", "atinject-jsr330-api", "jsr305", "hppcrt", "commons-io",
    "commons-codec", "commons-rdf-api", "slf4j-api", "slf4j-nop", "xz", "jackson-core", "jackson-databind",
    "jackson-annotations", "httpclient", "httpcore",
)
LOADER_SOURCE = Path(__file__).resolve().parent / "OwlApiLoad.java"


@dataclass
class Loaded:
    """What the OWL API made of one document."""

    document: str
    ontology_iri: str = ""
    version_iri: str = ""
    axioms: int = 0
    format: str = ""
    in_dl: bool = False
    violations: list[str] = field(default_factory=list)
    error: str = ""


def owlapi_classpath() -> str:
    jars = [JAVA_DIR / f"{name}.jar" for name in OWLAPI_JARS]
    rdf4j = sorted(p for p in JAVA_DIR.glob("rdf4j-*.jar") if not p.stem.rsplit("-", 1)[-1][:1].isdigit())
    missing = [jar.name for jar in jars if not jar.is_file()] + ([] if rdf4j else ["rdf4j-*.jar"])
    if missing or shutil.which("java") is None:
        raise RuntimeError(f"the OWL API or Java is missing ({', '.join(missing) or 'java'}): "
                           "run scripts/install-system-packages")
    return ":".join(str(jar) for jar in [*jars, *rdf4j])


def owlapi_load(documents: list[str], timeout: float = 300) -> dict[str, Loaded]:
    """Load every document IRI with the OWL API in one JVM and check it against the OWL 2 DL profile."""
    completed = subprocess.run(["java", "-cp", owlapi_classpath(), str(LOADER_SOURCE), *documents],
                               capture_output=True, text=True, timeout=timeout, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"the OWL API did not run: {completed.stderr.strip()[-2000:]}")
    found = {document: Loaded(document) for document in documents}
    for line in completed.stdout.splitlines():
        kind, document, *rest = line.split("\t")
        loaded = found[document]
        if kind == "LOADED":
            loaded.ontology_iri, loaded.version_iri, axioms, loaded.format, in_dl = rest
            loaded.axioms, loaded.in_dl = int(axioms), in_dl == "true"
        elif kind == "VIOLATION":
            loaded.violations.append(rest[0])
        elif kind == "ERROR":
            loaded.error = rest[0]
    return found


def hermit_classify(ontology_file: Path) -> tuple[list[str], list[str]]:
    """Load an RDF/XML or N-Triples ontology with owlready2 and classify it with HermiT.

    Returns the classes owlready2 found and those HermiT proved unsatisfiable; raises if HermiT fails.
    """
    import owlready2

    world = owlready2.World()
    ontology = world.get_ontology(ontology_file.resolve().as_uri()).load()
    with ontology:
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    classes = sorted(cls.iri for cls in world.classes())
    unsatisfiable = sorted(cls.iri for cls in world.inconsistent_classes())
    return classes, unsatisfiable
