"""The published site as a person uses it, in headless Chromium (Debian's, driven by Playwright).

Scenarios: walk from the map to Montréal, switch to French and on to a funder; open the French Montréal page by
its own address; search "athenes" and land on Athènes; follow the presentation of the declaration from the
timeline to its quote; change a question on the questions page and run it against `serve`. Screenshots are saved
to test-artifacts/screenshots/ for a person to look at. The accessibility checks (axe-core) are in
test_accessibility.py.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browsing import shot
from playwright.sync_api import Browser, Page, expect

from migration_kg.site.labels import overlaps, text_box, text_width

pytestmark = pytest.mark.server


def _open(browser: Browser, locale: str = "en-GB", width: int = 1280) -> Page:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale=locale)
    page = context.new_page()
    page.requests = []  # type: ignore[attr-defined]
    page.errors = []  # type: ignore[attr-defined]
    page.on("request", lambda request: page.requests.append(request.url))  # type: ignore[attr-defined]
    page.on("pageerror", lambda error: page.errors.append(str(error)))  # type: ignore[attr-defined]
    return page


@pytest.fixture()
def page(browser: Browser, site_server) -> Iterator[Page]:
    page = _open(browser)
    yield page
    _stayed_home(page, site_server.url)
    page.context.close()


@pytest.fixture()
def french_page(browser: Browser, site_server) -> Iterator[Page]:
    page = _open(browser, locale="fr-CA")
    yield page
    _stayed_home(page, site_server.url)
    page.context.close()


def _stayed_home(page: Page, base: str) -> None:
    """No script error, and no request beyond this machine (a test may point the questions page elsewhere)."""
    assert page.errors == []  # type: ignore[attr-defined]
    strays = [url for url in page.requests  # type: ignore[attr-defined]
              if not url.startswith(base) and urlsplit(url).hostname != "127.0.0.1"]
    assert strays == [], "the site fetched something from elsewhere"


def test_journalist_walks_from_the_map_to_a_funder(page: Page, site_server) -> None:
    base = site_server.url
    page.goto(base + "/")
    expect(page.locator("h1")).to_contain_text("cities and the UN Global Compact for Migration", use_inner_text=True)
    world_map = page.locator("svg.world-map")
    network = page.locator("svg.network")
    expect(world_map).to_be_visible()
    expect(network).to_be_visible()
    assert world_map.locator("a.marker").count() >= 7
    assert network.locator("a.node").count() >= 30
    assert world_map.bounding_box()["width"] > 800
    shot(page, "01-index.png")
    world_map.screenshot(path=str(shot.folder / "02-map.png"))
    network.screenshot(path=str(shot.folder / "03-network.png"))

    page.locator('svg.world-map a[data-city="montreal"]').click()
    expect(page).to_have_url(base + "/id/city/montreal.html")
    heading = page.locator("h1")
    expect(heading).to_have_text("Montreal", use_inner_text=True)
    shot(page, "04-montreal-en.png", full_page=True)

    page.get_by_role("link", name="Français").click()
    expect(page).to_have_url(base + "/fr/id/city/montreal.html")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(heading).to_have_text("Montréal", use_inner_text=True)
    assert page.title() == "Montréal"
    expect(page.locator("h2#facts")).to_have_text("Faits", use_inner_text=True)
    quote = page.locator("blockquote.quote", has_text="MONTRÉAL, Canada").first
    expect(quote).to_be_visible()
    expect(quote).to_have_attribute("lang", "fr")
    card = page.locator("li.claim-card", has=quote).first
    expect(card.locator(".offsets")).to_contain_text("3850", use_inner_text=True)
    expect(card.locator(".modality")).to_have_text("Rapporté", use_inner_text=True)
    shot(page, "05-montreal-fr.png", full_page=True)

    page.locator('a[href="../organization/council-of-cities-on-migration.html"]').first.click()
    expect(page).to_have_url(base + "/fr/id/organization/council-of-cities-on-migration.html")
    expect(heading).to_have_text("Conseil des villes sur les migrations", use_inner_text=True)
    shot(page, "06-council-fr.png", full_page=True)

    page.locator('a[href="government-of-switzerland.html"]').first.click()
    expect(page).to_have_url(base + "/fr/id/organization/government-of-switzerland.html")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(heading).not_to_be_empty()
    shot(page, "07-funder-fr.png", full_page=True)


def test_the_french_montreal_page_has_its_own_address(french_page: Page, site_server) -> None:
    base = site_server.url
    response = french_page.goto(base + "/fr/id/city/montreal.html")
    assert response is not None and response.status == 200
    expect(french_page.locator("html")).to_have_attribute("lang", "fr")
    expect(french_page.locator("h1")).to_have_text("Montréal", use_inner_text=True)
    alternates = french_page.locator('link[rel="alternate"][hreflang]')
    hreflangs = {alternates.nth(i).get_attribute("hreflang"): alternates.nth(i).get_attribute("href")
                 for i in range(alternates.count())}
    assert hreflangs == {"en": "https://w3id.org/migration-kg/id/city/montreal.html",
                         "fr": "https://w3id.org/migration-kg/fr/id/city/montreal.html",
                         "x-default": "https://w3id.org/migration-kg/id/city/montreal.html"}
    canonical = french_page.locator('link[rel="canonical"]').get_attribute("href")
    assert canonical == "https://w3id.org/migration-kg/fr/id/city/montreal.html"
    expect(french_page.locator(".site-nav")).to_contain_text("Chronologie", use_inner_text=True)
    shot(french_page, "11-montreal-fr-own-address.png")

    french_page.goto(base + "/")
    expect(french_page).to_have_url(base + "/fr/")
    expect(french_page.locator("h1")).to_contain_text("Pacte mondial", use_inner_text=True)
    french_page.goto(base + "/id/city/montreal")
    expect(french_page).to_have_url(base + "/fr/id/city/montreal.html")


def test_search_athenes_lands_on_athenes(french_page: Page, site_server) -> None:
    base = site_server.url
    french_page.goto(base + "/fr/id/city/montreal.html")
    box = french_page.get_by_role("combobox", name="Rechercher dans les entités")
    box.click()
    box.press_sequentially("athenes")
    options = french_page.get_by_role("option")
    expect(options.first).to_contain_text("Athènes", use_inner_text=True)
    expect(box).to_have_attribute("aria-expanded", "true")
    shot(french_page, "12-search-suggestions-fr.png")
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "site-search-option-0")
    box.press("Enter")
    expect(french_page).to_have_url(base + "/fr/id/city/athens.html")
    expect(french_page.locator("h1")).to_have_text("Athènes", use_inner_text=True)

    box = french_page.get_by_role("combobox", name="Rechercher dans les entités")
    box.fill("MONTREAL")
    box.press("Enter")
    expect(french_page).to_have_url(base + "/fr/search.html?q=MONTREAL")
    results = french_page.locator("#search-results li a")
    expect(results.first).to_have_text("Montréal", use_inner_text=True)
    expect(french_page.locator("#search-status")).to_contain_text("correspond", use_inner_text=True)
    shot(french_page, "13-search-page-fr.png")
    results.first.click()
    expect(french_page).to_have_url(base + "/fr/id/city/montreal.html")


def test_search_page_finds_by_alternate_name_in_english(page: Page, site_server) -> None:
    page.goto(site_server.url + "/search.html")
    field = page.get_by_label("Name of a city, country, person, organization, event…")
    field.fill("mayors migration")
    field.press("Enter")
    expect(page.locator("#search-results li").first).to_be_visible()
    first = page.locator("#search-results li a").first
    expect(first).to_have_attribute("href", "id/organization/council-of-cities-on-migration.html")
    shot(page, "14-search-page-en.png")


def test_timeline_leads_from_the_presentation_to_its_quote(page: Page, site_server) -> None:
    base = site_server.url
    page.goto(base + "/timeline.html")
    expect(page.locator("h1")).to_contain_text("Timeline", use_inner_text=True)
    entry = page.locator('li.entry[data-entity="id/event/presentation-of-cities-declaration.html"]')
    expect(entry).to_have_count(1)
    expect(entry.locator(".status")).to_contain_text("Planned")
    expect(entry).to_have_class("entry status-planned")
    day = page.locator("li.day", has=entry)
    expect(day.locator("h3 time")).to_have_attribute("datetime", "2018-12-10")
    founded = page.locator('li.entry[data-entity="id/organization/council-of-cities-on-migration.html"]')
    expect(founded.locator(".status")).to_contain_text("Reported")
    shot(page, "15-timeline-en.png", full_page=True)
    entry.scroll_into_view_if_needed()
    shot(page, "16-timeline-presentation.png")

    entry.locator("a.claim-link").first.click()
    expect(page).to_have_url(base + "/id/claim/presentation-date.html")
    expect(page.locator("h1")).to_contain_text(
        "Presentation of the cities' declaration to the States \u2014 start date \u2014 10 December 2018",
        use_inner_text=True)
    quote = page.locator("#quote ~ ul blockquote.quote, section[aria-labelledby=quote] blockquote.quote").first
    expect(quote).to_have_text("la déclaration des villes lundi", use_inner_text=True)
    shot(page, "17-claim-presentation.png")


def test_french_timeline_tells_planned_from_reported(french_page: Page, site_server) -> None:
    french_page.goto(site_server.url + "/fr/timeline.html")
    entry = french_page.locator('li.entry[data-entity="id/event/presentation-of-cities-declaration.html"]')
    expect(entry.locator(".status")).to_contain_text("Prévu")
    expect(entry.locator("a").first).to_have_attribute("href", "id/event/presentation-of-cities-declaration.html")
    shot(french_page, "18-timeline-fr.png")


CHANGED = ("ORDER BY STR(?city_en)", "ORDER BY DESC(STR(?city_en))\nLIMIT 2")


def test_a_changed_question_runs_against_serve(french_page: Page, site_server) -> None:
    base = site_server.url
    french_page.goto(base + "/fr/query.html")
    french_page.locator('button[data-example="council-member-cities"]').click()
    editor = french_page.get_by_label("Requête SPARQL")
    text = editor.input_value()
    assert CHANGED[0] in text and "# title-en" not in text
    editor.fill(text.replace(*CHANGED))
    french_page.get_by_role("button", name="Exécuter la requête").click()
    table = french_page.locator("#query-results table")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(french_page.locator("#query-status")).to_contain_text("2 lignes", use_inner_text=True)
    expect(table.locator("thead th").first).to_have_text("?city")
    first = table.locator("tbody tr").first
    expect(first).to_contain_text("Montréal", use_inner_text=True)
    expect(first.locator("a").first).to_have_attribute("href", "../fr/id/city/montreal.html")
    shot(french_page, "19-query-fr.png", full_page=True)
    first.locator("a").first.click()
    expect(french_page).to_have_url(base + "/fr/id/city/montreal.html")


def test_a_broken_question_shows_the_endpoints_message(page: Page, site_server) -> None:
    page.goto(site_server.url + "/query.html")
    page.get_by_label("SPARQL query").fill("SELECT ?x WHERE { ?x ?y }")
    page.get_by_role("button", name="Run the query").click()
    error = page.get_by_role("alert")
    expect(error).to_contain_text("answered 400", use_inner_text=True)
    expect(error.locator("pre")).to_contain_text("bad query", use_inner_text=True)
    shot(page, "20-query-error.png")
    page.get_by_label("Endpoint").fill("http://127.0.0.1:9/sparql")
    page.get_by_role("button", name="Run the query").click()
    expect(error).to_contain_text("Could not reach the endpoint", use_inner_text=True)


def test_language_switch_works_from_a_file_without_any_server(browser: Browser, site_dir: Path) -> None:
    page = _open(browser, locale="fr-FR")
    page.goto((site_dir / "fr" / "id" / "person" / "valerie-plante.html").as_uri())
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("h2#cited-by")).to_have_text("Cité par", use_inner_text=True)
    page.get_by_role("link", name="English").click()
    expect(page.locator("h2#cited-by")).to_have_text("Linked from", use_inner_text=True)
    assert page.url == (site_dir / "id" / "person" / "valerie-plante.html").as_uri()
    box = page.get_by_role("combobox", name="Search the entities")
    box.fill("athènes")
    expect(page.get_by_role("option").first).to_contain_text("Athens", use_inner_text=True)
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_ontology_page_reads_in_both_languages(page: Page, site_server) -> None:
    page.goto(site_server.url + "/ontology.html")
    expect(page.locator("article#Claim h3")).to_contain_text("claim", use_inner_text=True)
    page.get_by_role("link", name="Français").click()
    expect(page).to_have_url(site_server.url + "/fr/ontology.html")
    expect(page.locator("article#Claim h3")).to_contain_text("affirmation", use_inner_text=True)
    shot(page, "08-ontology-fr.png")


LABEL_BOXES = """svg => [...svg.querySelectorAll("text.node-label, text.city-label")].map(text => {
  const box = text.getBBox();
  const shown = [...text.childNodes].filter(node => node.nodeType === Node.TEXT_NODE).map(node => node.data).join("");
  return {text: shown, x: +text.getAttribute("x"), y: +text.getAttribute("y"),
          anchor: text.getAttribute("text-anchor") || "start",
          bold: parseInt(getComputedStyle(text).fontWeight) >= 600, size: parseFloat(getComputedStyle(text).fontSize),
          box: [box.x, box.y, box.x + box.width, box.y + box.height]};
})"""


@pytest.mark.parametrize("language", ["en", "fr"])
def test_rendered_labels_do_not_overlap_and_fit_their_estimates(page: Page, site_server, language: str) -> None:
    page.goto(site_server.url + ("/" if language == "en" else "/fr/"))
    for selector, at_least in (("svg.network", 30), ("svg.world-map", 7)):
        labels = page.locator(selector).evaluate(LABEL_BOXES)
        assert len(labels) >= at_least
        for first, second in itertools.combinations(labels, 2):
            assert not overlaps(first["box"], second["box"]), f"{first['text']!r} overlaps {second['text']!r}"
        for label in labels:
            width = text_width(label["text"], label["size"], label["bold"])
            estimate = text_box(label["x"], label["y"], label["anchor"], width, label["size"])
            left, top, right, bottom = label["box"]
            assert left >= estimate[0] - 0.5 and top >= estimate[1] - 0.5, label
            assert right <= estimate[2] + 0.5 and bottom <= estimate[3] + 0.5, label
    if language == "fr":
        page.locator("svg.network").screenshot(path=str(shot.folder / "09-network-fr.png"))
        page.locator("svg.world-map").screenshot(path=str(shot.folder / "10-map-fr.png"))


def test_a_cut_diagram_label_shows_its_full_name_on_hover(page: Page, site_server) -> None:
    page.goto(site_server.url + "/")
    cut = page.locator("svg.network text.node-label", has=page.locator("title")).first
    full = cut.locator("title").text_content()
    shown = cut.evaluate("t => [...t.childNodes].filter(n => n.nodeType === Node.TEXT_NODE).map(n => n.data).join('')")
    assert shown.endswith("…") and full.startswith(shown[:-1].rstrip()) and len(full) > len(shown)
    cut.hover()
    shot(page, "21-network-hover.png")
