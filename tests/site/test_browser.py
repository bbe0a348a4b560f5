"""The published site as a person uses it, in headless Chromium (Debian's, driven by Playwright).

Scenario: open the home page, see the map and the diagram, click through to Montréal, switch to French,
read a provenance quote, follow the link to the council and then to a funder. Screenshots are saved to
test-artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from migration_kg.site.labels import overlaps, text_box, text_width

pytestmark = pytest.mark.server

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser: Browser, site_server) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.requests = []  # type: ignore[attr-defined]
    page.errors = []  # type: ignore[attr-defined]
    page.on("request", lambda request: page.requests.append(request.url))  # type: ignore[attr-defined]
    page.on("pageerror", lambda error: page.errors.append(str(error)))  # type: ignore[attr-defined]
    yield page
    context.close()


def shot(page: Page, name: str, full_page: bool = False) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=full_page)
    assert path.stat().st_size > 10_000
    return path


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
    world_map.screenshot(path=str(SCREENSHOTS / "02-map.png"))
    network.screenshot(path=str(SCREENSHOTS / "03-network.png"))

    page.locator('svg.world-map a[data-city="montreal"]').click()
    expect(page).to_have_url(base + "/id/city/montreal.html")
    heading = page.locator("h1")
    expect(heading).to_have_text("Montreal", use_inner_text=True)
    shot(page, "04-montreal-en.png", full_page=True)

    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(heading).to_have_text("Montréal", use_inner_text=True)
    expect(page.get_by_role("button", name="Français")).to_have_attribute("aria-pressed", "true")
    assert page.title() == "Montréal"
    expect(page.locator("h2#facts")).to_have_text("Faits", use_inner_text=True)

    quote = page.locator("blockquote.quote", has_text="MONTRÉAL, Canada").first
    expect(quote).to_be_visible()
    expect(quote).to_have_attribute("lang", "fr")
    card = page.locator("li.claim-card", has=quote).first
    expect(card.locator(".offsets")).to_contain_text("3850", use_inner_text=True)
    expect(card.locator(".modality")).to_be_visible()
    shot(page, "05-montreal-fr.png", full_page=True)

    page.locator('a[href="../organization/council-of-cities-on-migration.html"]').first.click()
    expect(page).to_have_url(base + "/id/organization/council-of-cities-on-migration.html")
    expect(heading).to_have_text("Conseil des villes sur les migrations", use_inner_text=True)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    shot(page, "06-council-fr.png", full_page=True)

    page.locator('a[href="government-of-switzerland.html"]').first.click()
    expect(page).to_have_url(base + "/id/organization/government-of-switzerland.html")
    expect(heading).not_to_be_empty()
    shot(page, "07-funder-fr.png", full_page=True)

    assert page.errors == []  # type: ignore[attr-defined]
    assert all(url.startswith(base) for url in page.requests), "the site fetched something from elsewhere"


def test_language_switch_works_from_a_file_without_any_server(browser: Browser, site_dir: Path) -> None:
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.goto((site_dir / "id" / "person" / "valerie-plante.html").as_uri())
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("h2#cited-by")).to_have_text("Cité par", use_inner_text=True)
    page.get_by_role("button", name="English").click()
    expect(page.locator("h2#cited-by")).to_have_text("Linked from", use_inner_text=True)
    context.close()


def test_ontology_page_reads_in_both_languages(page: Page, site_server) -> None:
    page.goto(site_server.url + "/ontology.html")
    term = page.locator("article#Claim h3")
    expect(term).to_contain_text("claim", use_inner_text=True)
    page.get_by_role("button", name="Français").click()
    expect(term).to_contain_text("affirmation", use_inner_text=True)
    shot(page, "08-ontology-fr.png")


LABEL_BOXES = """svg => [...svg.querySelectorAll("text.bi:not(.legend)")].map(text => {
  const box = text.getBBox();
  const shown = [...text.querySelectorAll("tspan")].find(span => getComputedStyle(span).display !== "none");
  return {text: shown.textContent, x: +text.getAttribute("x"), y: +text.getAttribute("y"),
          anchor: text.getAttribute("text-anchor") || "start",
          bold: parseInt(getComputedStyle(text).fontWeight) >= 600, size: parseFloat(getComputedStyle(text).fontSize),
          box: [box.x, box.y, box.x + box.width, box.y + box.height]};
})"""


@pytest.mark.parametrize("language", ["English", "Français"])
def test_rendered_labels_do_not_overlap_and_fit_their_estimates(page: Page, site_server, language: str) -> None:
    page.goto(site_server.url + "/")
    page.get_by_role("button", name=language).click()
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
    if language == "Français":
        page.locator("svg.network").screenshot(path=str(SCREENSHOTS / "09-network-fr.png"))
        page.locator("svg.world-map").screenshot(path=str(SCREENSHOTS / "10-map-fr.png"))
