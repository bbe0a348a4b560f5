"""The batched questions the link commands put to the query service, read as Wikidata really stores items.

Labels are read in French, English and the language-independent ``mul``, then their regional variants
(``fr-ca``, ``en-gb``…), in that order of preference. Statements come with their rank, and their dates with the
precision of their value node; deprecated statements are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from migration_kg.wikidata.answers import ENTITY, Row, TimeValue, qid, time_value
from migration_kg.wikidata.client import WikidataClient

PREFIXES = """PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX p: <http://www.wikidata.org/prop/>
PREFIX ps: <http://www.wikidata.org/prop/statement/>
PREFIX psv: <http://www.wikidata.org/prop/statement/value/>
PREFIX pq: <http://www.wikidata.org/prop/qualifier/>
PREFIX pqv: <http://www.wikidata.org/prop/qualifier/value/>
PREFIX wikibase: <http://wikiba.se/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""
#: Label languages in order of preference; regional variants of these come after them.
LABEL_LANGUAGES = ("fr", "en", "mul")
#: A SPARQL filter keeping the labels in LABEL_LANGUAGES and their regional variants.
LABEL_FILTER = ("LANGMATCHES(LANG({v}), \"fr\") || LANGMATCHES(LANG({v}), \"en\") || "
                "LANGMATCHES(LANG({v}), \"mul\")")


def language_rank(tag: str) -> tuple[int, str]:
    """Sort key of a language tag: fr, en, mul first, then their regional variants, then anything else."""
    tag = tag.lower()
    if tag in LABEL_LANGUAGES:
        return (LABEL_LANGUAGES.index(tag), tag)
    base = tag.split("-", 1)[0]
    if base in LABEL_LANGUAGES:
        return (len(LABEL_LANGUAGES) + LABEL_LANGUAGES.index(base), tag)
    return (2 * len(LABEL_LANGUAGES), tag)


def preferred_label(labels: dict[str, str], default: str = "") -> str:
    """The label in the most preferred language, or ``default``."""
    return labels[min(labels, key=language_rank)] if labels else default


@dataclass
class Item:
    """What the linking checks need to know about one Wikidata item."""

    qid: str
    exists: bool = False
    redirect: str | None = None
    labels: dict[str, list[str]] = field(default_factory=dict)
    aliases: dict[str, list[str]] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    classes: set[str] = field(default_factory=set)

    @property
    def target(self) -> str:
        """The item to read facts from: the redirect target of a merged item, else the item itself."""
        return self.redirect or self.qid

    def label(self) -> str:
        """The label in the most preferred language (fr, en, mul, then variants), else the QID."""
        return preferred_label({lang: names[0] for lang, names in self.labels.items() if names}, self.target)

    def names(self, with_aliases: bool = False) -> list[str]:
        """Every label (and alias) in the languages read, most preferred language first."""
        buckets = [self.labels, self.aliases] if with_aliases else [self.labels]
        return [name for bucket in buckets for lang in sorted(bucket, key=language_rank) for name in bucket[lang]]


@dataclass(frozen=True)
class Statement:
    """One statement of a property: its value (None if "unknown value"), rank and time qualifiers."""

    value: str | None
    label: str = ""
    rank: str = "normal"
    start: TimeValue | None = None
    end: TimeValue | None = None
    point_in_time: TimeValue | None = None
    time: TimeValue | None = None

    def describe(self) -> str:
        """The statement in words: its label, QID, dates and rank if preferred."""
        words = ([f"from {self.start}"] if self.start else []) + ([f"to {self.end}"] if self.end else [])
        name = f"{self.label or self.value} ({self.value})" if self.value else "(unknown value)"
        rank = " [preferred]" if self.rank == "preferred" else ""
        return f"{name} {' '.join(words) or '(no dates)'}{rank}"


def best_rank(statements: Sequence[Statement]) -> list[Statement]:
    """The statements Wikidata ranks best: the preferred ones if any, else all (deprecated are never read)."""
    preferred = [s for s in statements if s.rank == "preferred"]
    return preferred or list(statements)


def fetch_items(client: WikidataClient, qids: Iterable[str], classes: Sequence[str] = ()) -> dict[str, Item]:
    """Existence, redirect, labels and aliases (fr, en, mul and variants), direct types and which of ``classes``
    each item is an instance of (P31/P279*), in two batched queries."""
    items = {q: Item(q) for q in sorted(set(qids))}
    if not items:
        return items
    rows = client.select_values(PREFIXES + """SELECT ?item ?redirect ?exists ?property ?label WHERE {
  VALUES ?item { {values} }
  OPTIONAL { ?item owl:sameAs ?redirect . FILTER (STRSTARTS(STR(?redirect), STR(wd:Q))) }
  BIND (COALESCE(?redirect, ?item) AS ?target)
  BIND (EXISTS { ?target ?anyProperty ?anyValue } AS ?exists)
  OPTIONAL {
    VALUES ?property { rdfs:label skos:altLabel }
    ?target ?property ?label . FILTER (""" + LABEL_FILTER.format(v="?label") + """)
  }
}""", (ENTITY + q for q in items), required=("item", "exists"))
    for row in rows:
        item = items.get(qid(row["item"].value))
        if item is None:  # not an item we asked about
            continue
        item.exists = item.exists or row["exists"].value in ("true", "1")
        if "redirect" in row:
            item.redirect = qid(row["redirect"].value)
        if "label" in row and "property" in row:
            bucket = item.labels if row["property"].value.endswith("#label") else item.aliases
            names = bucket.setdefault((row["label"].lang or "").lower(), [])
            if row["label"].value not in names:
                names.append(row["label"].value)
    targets: dict[str, list[Item]] = {}
    for item in items.values():
        if item.exists:
            targets.setdefault(item.target, []).append(item)
    if not targets:
        return items
    class_values = " ".join(f"wd:{c}" for c in sorted(set(classes))) or "wd:Q35120"
    rows = client.select_values(PREFIXES + """SELECT DISTINCT ?item ?type ?typeLabel ?class WHERE {
  VALUES ?item { {values} }
  { ?item wdt:P31 ?type .
    OPTIONAL { ?type rdfs:label ?typeLabel . FILTER (""" + LABEL_FILTER.format(v="?typeLabel") + """) } }
  UNION
  { VALUES ?class { """ + class_values + """ } ?item wdt:P31/wdt:P279* ?class . }
}""", (ENTITY + t for t in targets), required=("item",))
    type_labels: dict[tuple[str, str], dict[str, str]] = {}
    for row in rows:
        for item in targets.get(qid(row["item"].value), ()):
            if "type" in row:
                labels = type_labels.setdefault((item.qid, qid(row["type"].value)), {})
                if "typeLabel" in row:
                    labels.setdefault((row["typeLabel"].lang or "").lower(), row["typeLabel"].value)
            if "class" in row:
                item.classes.add(qid(row["class"].value))
    for (item_qid, type_qid), labels in type_labels.items():
        items[item_qid].types[type_qid] = _english_first(labels)
    return items


def fetch_statements(client: WikidataClient, qids: Iterable[str], prop: str) -> dict[str, list[Statement]]:
    """Every non-deprecated statement of ``prop`` on each item, with rank and dated qualifiers, in one query."""
    rows = client.select_values(PREFIXES + f"""SELECT ?item ?statement ?value ?valueLabel ?rank
    ?time ?timePrecision ?start ?startPrecision ?end ?endPrecision ?at ?atPrecision WHERE {{
  VALUES ?item {{ {{values}} }}
  ?item p:{prop} ?statement . ?statement ps:{prop} ?value .
  OPTIONAL {{ ?statement wikibase:rank ?rank }}
  FILTER (!BOUND(?rank) || ?rank != wikibase:DeprecatedRank)
  OPTIONAL {{ ?statement psv:{prop} [ wikibase:timeValue ?time ; wikibase:timePrecision ?timePrecision ] }}
  OPTIONAL {{ ?statement pq:P580 ?start .
             OPTIONAL {{ ?statement pqv:P580 [ wikibase:timePrecision ?startPrecision ] }} }}
  OPTIONAL {{ ?statement pq:P582 ?end .
             OPTIONAL {{ ?statement pqv:P582 [ wikibase:timePrecision ?endPrecision ] }} }}
  OPTIONAL {{ ?statement pq:P585 ?at .
             OPTIONAL {{ ?statement pqv:P585 [ wikibase:timePrecision ?atPrecision ] }} }}
  OPTIONAL {{ ?value rdfs:label ?valueLabel . FILTER ({LABEL_FILTER.format(v="?valueLabel")}) }}
}}""", (ENTITY + q for q in qids), required=("item", "statement", "value"))
    grouped: dict[tuple[str, str], tuple[Row, dict[str, str]]] = {}
    for row in rows:
        key = (qid(row["item"].value), row["statement"].value)
        _first, labels = grouped.setdefault(key, (row, {}))
        if "valueLabel" in row:
            labels.setdefault((row["valueLabel"].lang or "").lower(), row["valueLabel"].value)
    found: dict[str, list[Statement]] = {}
    for (item, _statement), (row, labels) in sorted(grouped.items()):
        value = row["value"]
        statement = Statement(
            value=None if value.unknown else qid(value.value), label=preferred_label(labels),
            rank="preferred" if "rank" in row and row["rank"].value.endswith("PreferredRank") else "normal",
            start=time_value(row.get("start"), row.get("startPrecision")),
            end=time_value(row.get("end"), row.get("endPrecision")),
            point_in_time=time_value(row.get("at"), row.get("atPrecision")),
            time=time_value(value, row.get("timePrecision"))
            if "timePrecision" in row or (value.datatype or "").endswith("#dateTime") else None)
        statements = found.setdefault(item, [])
        if statement not in statements:
            statements.append(statement)
    return found


def _english_first(labels: dict[str, str]) -> str:
    """A class label for an English report: English if there is one, else the preferred language."""
    return labels.get("en") or preferred_label(labels)


#: What ``link enrich`` fetches: Wikidata property -> what it is.
ENRICHMENT_PROPERTIES = {"P1082": "population", "P625": "coordinate location", "P856": "official website",
                         "P571": "inception"}


def fetch_enrichment(client: WikidataClient, qids: Iterable[str]) -> tuple[dict[str, dict[str, list[Row]]], str]:
    """Population (with point in time), coordinates, official website and inception of each item, and when
    they were retrieved."""
    unique = sorted(set(qids))
    found: dict[str, dict[str, list[Row]]] = {}
    retrieved = ""
    for start in range(0, len(unique), 200):
        values = " ".join(f"wd:{q}" for q in unique[start:start + 200])
        answer = client.answer(PREFIXES + """SELECT ?item ?property ?value ?time WHERE {
  VALUES ?item { """ + values + """ }
  {
    ?item p:P1082 ?statement . ?statement ps:P1082 ?value .
    FILTER NOT EXISTS { ?statement wikibase:rank wikibase:DeprecatedRank }
    OPTIONAL { ?statement pq:P585 ?time }
    BIND ("P1082" AS ?property)
  }
  UNION { ?item wdt:P625 ?value . BIND ("P625" AS ?property) }
  UNION { ?item wdt:P856 ?value . BIND ("P856" AS ?property) }
  UNION { ?item wdt:P571 ?value . BIND ("P571" AS ?property) }
}""", required=("item", "property", "value"))
        retrieved = max(retrieved, answer.retrieved)
        for row in answer.rows:
            found.setdefault(qid(row["item"].value), {}).setdefault(row["property"].value, []).append(row)
    return found, retrieved
