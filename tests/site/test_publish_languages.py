"""Each page in each language at its own address: French pages under fr/, language alternates and canonical
links, links that stay in the reader's language, and no English interface text in any French page."""

from __future__ import annotations

import re
from pathlib import Path

import html5lib
import pytest

from migration_kg.site.diagram import GROUPS
from migration_kg.site.index import MAP_TITLE, NETWORK_TITLE
from migration_kg.site.search import TITLE as SEARCH_TITLE
from migration_kg.site.terms import KIND_TITLES, TERM_LABELS, UI
from migration_kg.site.timeline import STATUS
from migration_kg.site.timeline import TITLE as TIMELINE_TITLE

BASE = "https://w3id.org/migration-kg/"
#: Elements whose text is not interface text: code, quotes, scripts. Text in another language (``lang``) and the
#: names of entities (links to their pages, values of facts) are data, also skipped: an English news headline
#: keeps its English title on a French page.
SKIPPED = {"code", "pre", "script", "style", "textarea", "blockquote", "title"}
DATA_CLASSES = {"value", "source", "all-labels", "relation-summary", "iri", "name", "external"}
#: English interface strings that are French words as well.
FRENCH_TOO = {"place"}
#: Short English words that no French interface text contains.
ENGLISH_WORDS = re.compile(r"\b(the|of|and|with|from|this|these|which|is|are|was|has|have|for|by|its|their|"
                           r"to|in|on|or|not|no|yes|at|as)\b")


def _english_interface() -> set[str]:
    """Every English interface string that differs from its French counterpart."""
    pairs = [*UI.values(), *KIND_TITLES.values(), *TERM_LABELS.values(), *STATUS.values(),
             *((en, fr) for en, fr, _colour in GROUPS.values()), MAP_TITLE, NETWORK_TITLE, SEARCH_TITLE,
             TIMELINE_TITLE]
    return {en for en, fr in pairs if en != fr and len(en) >= 4} - FRENCH_TOO


def _french_text(element, inherited: str = "fr") -> list[str]:
    """The text of an element that is in French by its lang attribute, skipping code, quotes and scripts."""
    language = element.get("lang") or inherited
    classes = set((element.get("class") or "").split())
    entity = element.tag == "a" and "/id/" in "/" + (element.get("href") or "") and element.get("hreflang") is None
    if element.tag in SKIPPED or not language.startswith("fr") or entity or classes & DATA_CLASSES:
        return [element.tail or ""] if inherited.startswith("fr") else []
    parts = [element.text or ""]
    for child in element:
        parts += _french_text(child, language)
    if inherited.startswith("fr"):
        parts.append(element.tail or "")
    return parts


def _french_pages(site_dir: Path) -> list[Path]:
    return sorted((site_dir / "fr").rglob("*.html"))


def test_every_page_exists_in_both_languages(site_dir: Path) -> None:
    english = {p.relative_to(site_dir) for p in site_dir.rglob("*.html")
               if p.relative_to(site_dir).parts[0] != "fr"}
    french = {p.relative_to(site_dir / "fr") for p in _french_pages(site_dir)}
    assert len(english) > 340
    assert english == french
    for name in ("index.html", "timeline.html", "search.html", "query.html", "ontology.html"):
        assert Path(name) in french


@pytest.mark.parametrize(("path", "own", "other"), [
    ("id/city/montreal.html", "id/city/montreal.html", "fr/id/city/montreal.html"),
    ("fr/id/city/montreal.html", "fr/id/city/montreal.html", "id/city/montreal.html"),
    ("index.html", "", "fr/"),
    ("fr/index.html", "fr/", ""),
])
def test_pages_name_their_canonical_address_and_both_languages(site_dir: Path, path: str, own: str,
                                                               other: str) -> None:
    tree = html5lib.parse((site_dir / path).read_bytes(), namespaceHTMLElements=False)
    links = {(link.get("rel"), link.get("hreflang")): link.get("href") for link in tree.iter("link")}
    assert links[("canonical", None)] == BASE + own
    english, french = (own, other) if not path.startswith("fr/") else (other, own)
    assert links[("alternate", "en")] == BASE + english
    assert links[("alternate", "fr")] == BASE + french
    assert links[("alternate", "x-default")] == BASE + english
    assert tree.get("lang") == ("fr" if path.startswith("fr/") else "en")


def test_french_pages_link_to_french_pages_and_shared_files(site_dir: Path) -> None:
    page = site_dir / "fr" / "id" / "city" / "montreal.html"
    tree = html5lib.parse(page.read_bytes(), namespaceHTMLElements=False)
    for anchor in tree.iter("a"):
        href = anchor.get("href")
        if href is None or re.match(r"^[a-z]+:", href) or href.startswith("#"):
            continue
        target = (page.parent / href.split("#")[0]).resolve()
        inside_fr = (site_dir / "fr").resolve() in target.parents
        if target.suffix == ".html":
            assert inside_fr == (anchor.get("hreflang") != "en"), href
        else:
            assert not inside_fr, href
    assert tree.find(".//link[@type='text/turtle']").get("href") == "../../../id/city/montreal.ttl"


def english_in_french(site_dir: Path) -> list[tuple[str, str]]:
    """(page, what was found) for every English interface string or English word in a French page's own text."""
    english = _english_interface()
    found = []
    for path in _french_pages(site_dir):
        tree = html5lib.parse(path.read_bytes(), namespaceHTMLElements=False)
        text = " ".join(" ".join(_french_text(tree.find("body"))).split())
        name = path.relative_to(site_dir).as_posix()
        for phrase in english:
            if re.search(rf"(?<![\w:=-]){re.escape(phrase)}(?![\w:=-])", text):
                found.append((name, phrase))
        for match in ENGLISH_WORDS.finditer(text):
            found.append((name, text[max(0, match.start() - 40):match.end() + 40]))
    return found


def test_no_english_interface_text_in_any_french_page(site_dir: Path) -> None:
    assert {"Linked from", "Evidence from the sources", "Timeline", "Search the entities"} <= _english_interface()
    assert len(_french_pages(site_dir)) > 340
    assert english_in_french(site_dir) == []


def test_the_scan_sees_english_where_it_is(site_dir: Path, tmp_path: Path) -> None:
    page = (site_dir / "fr" / "timeline.html").read_text(encoding="utf-8")
    broken = tmp_path / "fr" / "timeline.html"
    broken.parent.mkdir()
    broken.write_text(page.replace("<h2 id=\"dated\">Faits datés", "<h2 id=\"dated\">Timeline", 1)
                      .replace("</main>", "<p>Voir the end</p></main>"), encoding="utf-8")
    found = english_in_french(tmp_path)
    assert ("fr/timeline.html", "Timeline") in found
    assert any("Voir the end" in what for _page, what in found)
    assert len(found) == 2
