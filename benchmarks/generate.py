"""Write a synthetic migration-kg project (ontology, shapes, queries and generated data) of a chosen size.

The data uses the project's own ontology: countries, cities, people, offices, terms of office, city networks,
memberships, declarations with themed commitments, funding, conferences, and one claim per fact with its
source, modality and quote; claims taken from the synthetic news article carry character offsets into its
text, which is written beside the data. Labels come in French and English. Everything is drawn from one
seeded random generator, so the same arguments always give the same bytes.

With ``--violations``, a few deliberate errors are planted at fixed places; ``manifest.json`` lists each
one with the focus node and the checks (SHACL shape or quality-control query) expected to report it.

    python benchmarks/generate.py --triples 100000 --out /tmp/mkg-100k [--violations]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ID = "https://w3id.org/migration-kg/id/"
SHAPES = "https://w3id.org/migration-kg/shapes#"
QC = "https://w3id.org/migration-kg/qc/"
ARTICLE = "work:synthetic-article"
ARTICLE_DATE = "2018-12-07"
PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
    "org": "http://www.w3.org/ns/org#",
    "wd": "http://www.wikidata.org/entity/",
    "mkg": "https://w3id.org/migration-kg/ontology#",
    **{kind.replace("-", ""): f"{ID}{kind}/" for kind in (
        "city", "country", "person", "organization", "event", "work", "commitment", "membership", "mandate",
        "post", "funding", "value", "claim", "source", "theme", "modality", "role", "purpose", "party-type")},
}
SYLLABLES = ("ka", "lo", "ra", "vi", "mon", "tre", "sa", "ber", "lin", "do", "na", "te", "ri", "pa", "gu", "el",
             "mar", "sol", "zen", "qui", "bo", "an", "for", "mi")
GIVEN = ("Amina", "Bruno", "Chloé", "Diego", "Élise", "Farid", "Greta", "Hugo", "Inès", "Jonas", "Karim", "Léa")
THEMES = ("legal-status", "education", "health-care", "children", "disinformation", "racism", "public-safety",
          "exploitation", "cooperation")
MODALITIES = ("reported", "planned", "intended")
PURPOSES = ("international-voice", "shared-challenges", "advising-administrations")


def literal(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    """A Turtle literal with escapes; a language tag or a datatype (prefixed name) when given."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"' + (f"@{lang}" if lang else "") + (f"^^{datatype}" if datatype else "")


@dataclass
class Planted:
    """One deliberate error: what it is, its focus node, and the checks expected to report it."""

    name: str
    focus: str
    checks: list[str]


@dataclass
class World:
    """The triples being generated, grouped by file and subject, plus the article text and the plantings."""

    rng: random.Random
    plant: bool
    files: dict[str, dict[str, list[tuple[str, str]]]] = field(default_factory=dict)
    article: list[str] = field(default_factory=list)
    article_length: int = 0
    triples: int = 0
    claims: int = 0
    planted: list[Planted] = field(default_factory=list)

    def add(self, file: str, subject: str, predicate: str, obj: str) -> None:
        self.files.setdefault(file, {}).setdefault(subject, []).append((predicate, obj))
        self.triples += 1

    def entity(self, file: str, subject: str, types: tuple[str, ...], en: str | None, fr: str | None) -> None:
        for rdf_type in types:
            self.add(file, subject, "a", rdf_type)
        if en is not None:
            self.add(file, subject, "rdfs:label", literal(en, "en"))
        if fr is not None:
            self.add(file, subject, "rdfs:label", literal(fr, "fr"))

    def sentence(self, text: str) -> int:
        """Append a sentence to the synthetic article; return its start offset (in code points)."""
        start = self.article_length
        self.article.append(text)
        self.article_length += len(text) + 1
        return start

    def quote(self, sentence: tuple[str, int], fragment: str) -> tuple[str, int]:
        """``fragment`` of an article sentence given as (text, start), with its own start offset."""
        text, start = sentence
        return fragment, start + text.index(fragment)

    def fact(self, subject: str, predicate: str, obj: str, file: str, quote: tuple[str, int] | None,
             source: str | None = None, modality: str = "reported", claimed_object: str | None = None) -> str:
        """State a fact and the claim that supports it; ``quote`` is (text, offset) within the article."""
        self.add(file, subject, predicate, obj)
        self.claims += 1
        claim = f"claim:c{self.claims:07d}"
        self.add("claims", claim, "a", "mkg:Claim")
        self.add("claims", claim, "rdf:subject", subject)
        self.add("claims", claim, "rdf:predicate", "rdf:type" if predicate == "a" else predicate)
        self.add("claims", claim, "rdf:object", claimed_object or obj)
        self.add("claims", claim, "mkg:modality", f"modality:{modality}")
        if quote is not None:
            text, start = quote
            self.add("claims", claim, "prov:wasDerivedFrom", ARTICLE)
            self.add("claims", claim, "dcterms:date", literal(ARTICLE_DATE, datatype="xsd:date"))
            self.add("claims", claim, "mkg:quote", literal(text, "fr"))
            self.add("claims", claim, "mkg:quoteStart", str(start))
            self.add("claims", claim, "mkg:quoteEnd", str(start + len(text)))
        else:
            self.add("claims", claim, "prov:wasDerivedFrom", source or "source:registry-0000")
            self.add("claims", claim, "mkg:quote", literal(f"{subject} {predicate} {obj}", "en"))
        return claim


def name(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(syllables)).capitalize()


def vocabularies(world: World) -> None:
    """Concept schemes: commitment themes, claim modalities, membership roles, network purposes, party types."""
    schemes = {"commitment-themes": THEMES, "modalities": MODALITIES, "membership-roles": ("leading-member",),
               "council-purposes": PURPOSES, "party-types": ("state",)}
    prefixes = {"commitment-themes": "theme", "modalities": "modality", "membership-roles": "role",
                "council-purposes": "purpose", "party-types": "partytype"}
    for scheme, concepts in schemes.items():
        iri = f"<{ID}scheme/{scheme}>"
        world.entity("vocabularies", iri, ("skos:ConceptScheme",), f"Scheme {scheme}", f"Schéma {scheme}")
        for concept in concepts:
            node = f"{prefixes[scheme]}:{concept}"
            world.entity("vocabularies", node, ("skos:Concept",), concept.replace("-", " "),
                         concept.replace("-", " ") + " (fr)")
            world.add("vocabularies", node, "skos:inScheme", iri)
            world.add("vocabularies", node, "skos:definition", literal(f"Definition of {concept}.", "en"))
            world.add("vocabularies", node, "skos:definition", literal(f"Définition de {concept}.", "fr"))


def sources(world: World, count: int) -> list[str]:
    """The synthetic news article (its text is written later), its publisher, and web pages."""
    world.entity("sources", "organization:synthetic-press", ("schema:NewsMediaOrganization", "schema:Organization"),
                 "Synthetic Press", "Presse synthétique")
    world.entity("sources", ARTICLE, ("prov:Entity", "schema:NewsArticle"), "Synthetic article",
                 "Article synthétique")
    for predicate, obj in (("schema:datePublished", literal(ARTICLE_DATE, datatype="xsd:date")),
                           ("schema:inLanguage", literal("fr")), ("schema:publisher", "organization:synthetic-press")):
        world.add("sources", ARTICLE, predicate, obj)
    pages = []
    for index in range(count):
        page = f"source:registry-{index:04d}"
        world.entity("sources", page, ("prov:Entity", "schema:WebPage"), f"Registry page {index}",
                     f"Page de registre {index}")
        world.add("sources", page, "schema:url",
                  literal(f"https://registry.example.org/page/{index}", datatype="xsd:anyURI"))
        pages.append(page)
    return pages


def country(world: World, index: int) -> str:
    node = f"country:k{index:05d}"
    label = name(world.rng, 3)
    world.entity("places", node, ("schema:Country",), label, label)
    qid = f"wd:Q{9_000_000 + index}"
    if world.plant and index == 1:
        qid = "wd:Q9000000"
        world.planted.append(Planted("duplicate-wikidata-link", f"{ID}country/k00001",
                                     [QC + "duplicate-wikidata-link-violation"]))
        world.planted.append(Planted("duplicate-wikidata-link", f"{ID}country/k00000",
                                     [QC + "duplicate-wikidata-link-violation"]))
    world.fact(node, "owl:sameAs", qid, "places", None, source=f"source:registry-{index % 50:04d}")
    return node


def city(world: World, index: int, land: str, network: str, pages: list[str]) -> None:
    """A city with its mayor, term of office, membership of a network, share of newcomers, all claimed."""
    rng, plant = world.rng, world.plant
    slug = f"c{index:05d}"
    node, label = f"city:{slug}", name(rng, 3)
    page = pages[index % len(pages)]
    text = f"{label.upper()} — La ville de {label} rejoint le réseau ; son maire s'engage."
    sentence = (text, world.sentence(text))
    missing_en = plant and index == 1
    world.entity("places", node, ("schema:City",), None if missing_en else label, label)
    if missing_en:
        world.planted.append(Planted("missing-english-label", f"{ID}city/{slug}",
                                     [SHAPES + "BilingualLabelShape", QC + "missing-english-label-violation"]))
    world.fact(node, "schema:containedInPlace", land, "places", world.quote(sentence, f"La ville de {label}"))
    if plant and index == 11:
        world.fact(node, "schema:containedInPlace", "country:k00000", "places", None, source=page)
        world.planted.append(Planted("city-in-two-countries", f"{ID}city/{slug}", [SHAPES + "CityShape"]))
    world.fact(node, "owl:sameAs", f"wd:Q{5_000_000 + index}", "places", None, source=page)
    if plant and index == 9:
        world.add("places", node, "schema:alternateName", literal(f"{label}-la-Neuve", "fr"))
        world.planted.append(Planted("unsupported-statement", f"{ID}city/{slug}",
                                     [QC + "unsupported-statement-violation"]))
    share = f"value:{slug}-newcomer-share"
    world.fact(node, "mkg:newcomerShare", share, "places", None, source=page)
    world.entity("places", share, ("schema:QuantitativeValue",), f"Share of newcomers in {label}",
                 f"Part des nouveaux arrivants à {label}")
    amount = "1.5" if plant and index == 6 else f"0.{rng.randint(1, 99):02d}"
    if plant and index == 6:
        world.planted.append(Planted("share-above-one", f"{ID}value/{slug}-newcomer-share", [SHAPES + "ShareShape"]))
    world.fact(share, "schema:value", literal(amount, datatype="xsd:decimal"), "places", None, source=page)
    world.add("places", share, "mkg:approximate", literal("true", datatype="xsd:boolean"))

    person, given, family = f"person:p{index:05d}", rng.choice(GIVEN), name(rng, 2)
    world.entity("people", person, ("schema:Person",), f"{given} {family}", f"{given} {family}")
    wikidata = f"wd:Q{7_000_000 + index}"
    if plant and index == 4:
        wikidata = f"<http://www.wikidata.org/wiki/Q{7_000_000 + index}>"
        world.planted.append(Planted("malformed-wikidata-link", f"{ID}person/p{index:05d}",
                                     [SHAPES + "WikidataLinkShape"]))
    world.fact(person, "owl:sameAs", wikidata, "people", None, source=page)
    post = f"post:mayor-of-{slug}"
    world.entity("people", post, ("org:Post",), f"Mayor of {label}", f"Maire de {label}")
    world.add("people", post, "mkg:jurisdiction", node)
    mandate = f"mandate:{slug}"
    world.entity("people", mandate, ("mkg:Mandate",), f"{given} {family}, Mayor of {label}",
                 f"{given} {family}, maire de {label}")
    mayor_quote = world.quote(sentence, "son maire s'engage")
    world.fact(mandate, "mkg:holder", person, "people", mayor_quote)
    world.fact(mandate, "mkg:office", post, "people", mayor_quote)
    year = 2000 + rng.randint(0, 17)
    begin = literal(f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", datatype="xsd:date")
    if index % 7 == 3:
        begin = literal(f"{year}-{rng.randint(1, 12):02d}", datatype="xsd:gYearMonth")
    if plant and index == 8:
        begin = literal(f"{year}-03-01")
        world.planted.append(Planted("untyped-start-date", f"{ID}mandate/{slug}",
                                     [SHAPES + "MandateShape"]))
    world.fact(mandate, "schema:startDate", begin, "people", None, source=page)
    if index % 3 == 0 or (plant and index == 2):
        end = f"{year + rng.randint(1, 5)}-06-30"
        if plant and index == 2:
            end = f"{year - 1}-06-30"
            world.planted.append(Planted("term-ends-before-start", f"{ID}mandate/{slug}",
                                         [SHAPES + "MandateShape"]))
        world.fact(mandate, "schema:endDate", literal(end, datatype="xsd:date"), "people", None, source=page)

    membership = f"membership:{slug}"
    world.entity("organizations", membership, ("org:Membership",), f"{label} in the network",
                 f"{label} dans le réseau")
    member = "country:k00000" if plant and index == 7 else node
    if plant and index == 7:
        world.planted.append(Planted("member-not-a-city", f"{ID}membership/{slug}", [SHAPES + "MembershipShape"]))
    claim = world.fact(membership, "org:member", member, "organizations", world.quote(sentence, label.upper()))
    if plant and index == 3:
        world.files["claims"][claim][-1] = ("mkg:quoteEnd", str(sentence[1] + len(label) + 1))
        world.planted.append(Planted("quote-offsets", f"{ID}claim/{claim.split(':')[1]}",
                                     [QC + "quote-offsets-violation"]))
    world.fact(membership, "org:organization", network, "organizations", world.quote(sentence, "rejoint le réseau"))
    world.fact(membership, "org:role", "role:leading-member", "organizations", None, source=page)
    world.fact(membership, "schema:startDate", literal(f"{2018 + index % 3}-12-08", datatype="xsd:date"),
               "organizations", None, source=page)


def network(world: World, index: int, first_city: str, pages: list[str]) -> str:
    """A city network with a purpose, its declaration and themed commitments, a funder and a conference."""
    rng, plant = world.rng, world.plant
    node, label = f"organization:network-{index:04d}", f"Network {name(rng, 2)}"
    page = pages[index % len(pages)]
    world.entity("organizations", node, ("mkg:CityNetwork", "org:Organization", "schema:Organization"),
                 label, f"Réseau {label[8:]}")
    world.fact(node, "org:purpose", f"purpose:{rng.choice(PURPOSES)}", "organizations", None, source=page)
    declaration = f"work:declaration-{index:04d}"
    world.entity("organizations", declaration, ("mkg:Declaration",), f"Declaration of {label}",
                 f"Déclaration du {label}")
    text = f"Les villes du {label} adoptent une déclaration de soutien au Pacte."
    sentence = (text, world.sentence(text))
    world.fact(declaration, "mkg:supports", "work:global-compact", "organizations",
               world.quote(sentence, "une déclaration de soutien au Pacte"))
    for number in range(rng.randint(3, 9)):
        commitment = f"commitment:d{index:04d}-{number:02d}"
        world.entity("organizations", commitment, ("mkg:Commitment",), f"Commitment {number} of {label}",
                     f"Engagement {number} du {label}")
        world.fact(commitment, "schema:isPartOf", declaration, "organizations", None, source=page)
        theme = f"theme:{rng.choice(THEMES)}"
        if plant and index == 0 and number == 1:
            theme = "modality:reported"
            world.planted.append(Planted("theme-outside-scheme", f"{ID}commitment/d0000-01",
                                         [SHAPES + "CommitmentShape", QC + "commitment-without-theme-violation"]))
        world.fact(commitment, "mkg:theme", theme, "organizations", None, source=page)
    funder = f"organization:funder-{index:04d}"
    world.entity("organizations", funder, ("schema:GovernmentOrganization", "schema:Organization"),
                 f"Fund {index}", f"Fonds {index}")
    grant = f"funding:grant-{index:04d}"
    world.entity("organizations", grant, ("schema:Grant",), f"Funding of {label}", f"Financement du {label}")
    world.fact(grant, "schema:funder", funder, "organizations", None, source=page)
    world.fact(grant, "schema:fundedItem", node, "organizations", None, source=page)
    event = f"event:conference-{index:04d}"
    world.entity("organizations", event, ("mkg:Conference",), f"Conference of {label}", f"Conférence du {label}")
    text = f"Le {label} tiendra sa conférence demain."
    quote = world.quote((text, world.sentence(text)), "tiendra sa conférence demain")
    world.fact(event, "schema:location", first_city, "organizations", quote, modality="planned")
    world.fact(event, "schema:eventStatus", "schema:EventScheduled", "organizations", quote, modality="planned")
    world.fact(event, "schema:startDate", literal(f"2019-0{1 + index % 9}-15", datatype="xsd:date"),
               "organizations", quote, modality="planned")
    if plant and index == 0:
        orphan = "source:registry-orphan"
        world.entity("sources", orphan, ("prov:Entity", "schema:WebPage"), "Orphan page", "Page orpheline")
        world.planted.append(Planted("source-without-address", f"{ID}source/registry-orphan",
                                     [SHAPES + "SourceShape"]))
    return node


def generate(triples: int, seed: int = 7, plant: bool = False) -> World:
    """Generate about ``triples`` data triples (never fewer than 12 cities)."""
    world = World(random.Random(seed), plant)
    vocabularies(world)
    pages = sources(world, 50)
    world.entity("organizations", "work:global-compact", ("mkg:InternationalAgreement",), "Global Compact",
                 "Pacte mondial")
    world.fact("work:global-compact", "mkg:signatoryType", "partytype:state", "organizations", None,
               source=pages[0])
    index, land, net = 0, "", ""
    while index < 12 or world.triples < triples:
        if index % 10 == 0:
            land = country(world, index // 10)
        if index % 25 == 0:
            net = network(world, index // 25, f"city:c{index:05d}", pages)
        city(world, index, land, net, pages)
        index += 1
    return world


def write_turtle(path: Path, subjects: dict[str, list[tuple[str, str]]]) -> None:
    used = sorted(PREFIXES)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.writelines(f"@prefix {prefix}: <{PREFIXES[prefix]}> .\n" for prefix in used)
        for subject, pairs in subjects.items():
            body = " ;\n    ".join(f"{predicate} {obj}" for predicate, obj in pairs)
            out.write(f"\n{subject} {body} .\n")


def write_project(world: World, out: Path) -> dict:
    """Write the project (copies of ontology, shapes and queries; generated data) and its manifest."""
    if out.exists():
        shutil.rmtree(out)
    for part in ("ontology", "shapes", "queries"):
        shutil.copytree(ROOT / part, out / part)
    (out / "data").mkdir(parents=True)
    text = "\n".join(world.article) + "\n"
    (out / "source").mkdir()
    (out / "source" / "synthetic-article.txt").write_text(text, encoding="utf-8", newline="\n")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    world.add("sources", ARTICLE, "mkg:sha256", literal(digest))
    for file, subjects in sorted(world.files.items()):
        write_turtle(out / "data" / f"{file}.ttl", subjects)
    manifest = {
        "triples": world.triples, "claims": world.claims, "article": "source/synthetic-article.txt",
        "planted": [{"name": p.name, "focus": p.focus, "checks": p.checks} for p in world.planted],
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=10_000, help="approximate number of data triples")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--violations", action="store_true", help="plant the deliberate errors")
    parser.add_argument("--out", type=Path, required=True, help="project directory to (re)create")
    args = parser.parse_args(argv)
    manifest = write_project(generate(args.triples, args.seed, args.violations), args.out)
    print(f"wrote {manifest['triples']} data triples ({manifest['claims']} claims, "
          f"{len(manifest['planted'])} planted violations) to {args.out}")


if __name__ == "__main__":
    main()
