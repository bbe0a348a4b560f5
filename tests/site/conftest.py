"""Fixtures shared by the browser tests of the site: one headless Chromium per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browsing import ARGS, CHROMIUM
from playwright.sync_api import Browser, sync_playwright


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium driven by Playwright, started with the flags that keep it off the network."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()
