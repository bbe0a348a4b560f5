"""The hostile pages of test_publish_hardening in Debian's Chromium (issue 15, cases 4 and 5): the page is whole,
no script from a label or an IRI runs, and a ``javascript:`` IRI is text, not a link."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile import HOSTILE_LABEL, render_hostile_site
from playwright.sync_api import Browser

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def hostile_site(dist_dir: Path, project_root: Path) -> dict:
    return render_hostile_site(dist_dir, project_root)


def test_hostile_pages_stay_whole_and_run_nothing(browser: Browser, hostile_site, tmp_path: Path) -> None:
    pages = {name: text for name, text in hostile_site.items() if name.endswith(".html")
             and isinstance(text, str) and ("\\u003c!--\\u003cscript" in text or "javascript:" in text)}
    assert "id/city/montreal.html" in pages
    for name, text in hostile_site.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        for name in sorted(pages)[:20]:
            page.goto((tmp_path / name).as_uri())
            assert page.locator("main").inner_text().strip(), name
            assert page.locator("footer").count() == 1, name
        page.goto((tmp_path / "id/city/montreal.html").as_uri())
        assert HOSTILE_LABEL.split("<")[0].strip() in page.locator("main h1").inner_text()
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        assert hrefs and not [href for href in hrefs if href.lower().startswith(("javascript:", "data:"))]
        assert "javascript:alert(document.domain)" in page.content()
        assert dialogs == []
    finally:
        context.close()
