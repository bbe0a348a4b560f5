"""WCAG 2.1 AA, checked by axe-core (the copy bundled in the PyPI package axe-playwright-python; nothing is
fetched) in Chromium: no serious or critical finding on the home page, an entity page, a claim page, the
timeline, the search page and the questions page, in English and in French, at desktop and phone widths, and
in the states a reader brings them to (suggestions open, a query answered, an error shown). Every report is
saved to test-artifacts/axe/ and every page photographed to test-artifacts/screenshots/."""

from __future__ import annotations

import json

import pytest
from axe_playwright_python.sync_playwright import Axe
from browsing import ARTIFACTS, shot
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.server

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
              "resultTypes": ["violations"]}
PAGES = {
    "index": "index.html",
    "entity": "id/city/montreal.html",
    "claim": "id/claim/kampala-country.html",
    "timeline": "timeline.html",
    "search": "search.html?q=athenes",
    "query": "query.html",
}
BLOCKING = ("serious", "critical")


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


def audit(axe: Axe, page: Page, name: str) -> list[dict]:
    """Run axe-core on the page as it stands, save its report, and return the serious and critical findings."""
    results = axe.run(page, options=WCAG_21_AA).response
    assert results["testEngine"]["name"] == "axe-core"
    folder = ARTIFACTS / "axe"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(results["violations"], indent=1), encoding="utf-8")
    return [{"rule": v["id"], "impact": v["impact"], "where": [n["target"] for n in v["nodes"][:3]]}
            for v in results["violations"] if v["impact"] in BLOCKING]


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("kind", list(PAGES))
@pytest.mark.parametrize("width", [1280, 390])
def test_no_serious_accessibility_finding(browser: Browser, axe: Axe, site_server, kind: str, language: str,
                                         width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB")
    page = context.new_page()
    prefix = "" if language == "en" else "fr/"
    page.goto(f"{site_server.url}/{prefix}{PAGES[kind]}")
    page.wait_for_load_state("networkidle")
    if kind == "search":
        expect(page.locator("#search-results li").first).to_be_visible()
    name = f"{kind}-{language}-{width}"
    assert audit(axe, page, name) == []
    shot(page, f"a11y-{name}.png")
    context.close()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_no_serious_finding_with_suggestions_results_and_errors(browser: Browser, axe: Axe, site_server,
                                                                 language: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    prefix = "" if language == "en" else "fr/"
    page.goto(f"{site_server.url}/{prefix}id/city/montreal.html")
    page.locator("#site-search-q").fill("athe")
    expect(page.get_by_role("option").first).to_be_visible()
    assert audit(axe, page, f"suggestions-{language}") == []
    page.goto(f"{site_server.url}/{prefix}query.html")
    page.locator("#query-run").click()
    expect(page.locator("#query-status")).not_to_be_empty()
    page.locator('button[data-example="council-member-cities"]').click()
    page.locator("#query-run").click()
    expect(page.locator("#query-results table")).to_be_visible()
    assert audit(axe, page, f"query-results-{language}") == []
    page.locator("#query-text").fill("SELECT nothing")
    page.locator("#query-run").click()
    expect(page.locator("#query-error pre")).to_be_visible()
    assert audit(axe, page, f"query-error-{language}") == []
    shot(page, f"a11y-query-error-{language}.png")
    context.close()
