"""Shared by the browser tests: how Debian's Chromium is launched (headless, no sandbox, nothing fetched in the
background) and where screenshots go (test-artifacts/screenshots/, git-ignored)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"


def shot(page: Page, name: str, full_page: bool = False) -> Path:
    """Save a screenshot of ``page`` as test-artifacts/screenshots/``name`` and check that it shows something."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=full_page)
    assert path.stat().st_size > 10_000
    return path


shot.folder = SCREENSHOTS  # type: ignore[attr-defined]
