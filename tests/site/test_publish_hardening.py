"""Published pages that untrusted labels and IRIs cannot hijack (issue 15, cases 4 and 5), and a publish that
validates what it publishes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import hostile
import html5lib
import pytest
from rdflib import Graph, URIRef

from migration_kg.cli.main import main
from migration_kg.site.frame import page
from migration_kg.site.html import json_for_script, safe_href, unlink_unsafe

MONTREAL = URIRef(hostile.MONTREAL)
HOSTILE_LABEL = hostile.HOSTILE_LABEL
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="module")
def hostile_site(dist_dir: Path, project_root: Path) -> dict[str, str | bytes]:
    return hostile.render_hostile_site(dist_dir, project_root)


def _strings(value: object) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(_strings(item) for item in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_strings(item) for item in value)) if value else set()
    return {value} if isinstance(value, str) else set()


def _pages(files: dict[str, str | bytes]) -> dict[str, str]:
    return {name: text for name, text in files.items() if name.endswith(".html") and isinstance(text, str)}


def test_a_label_cannot_swallow_the_page(hostile_site) -> None:
    """Case 4: ``<!--<script>`` in a label made browsers swallow the rest of the page (18 pages blank)."""
    touched = {name: text for name, text in _pages(hostile_site).items() if "<!--&lt;script" in text
               or "\\u003c!--\\u003cscript" in text}
    assert len(touched) >= 5
    for name, text in touched.items():
        script = text.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
        assert not set(script) & {"<", ">", "&", "\u2028", "\u2029"}, name
        assert HOSTILE_LABEL in _strings(json.loads(script)), name
        tree = html5lib.parse(text)  # the HTML5 parsing algorithm, as browsers run it
        main = tree.find(f".//{XHTML}main")
        assert main is not None and "".join(main.itertext()).strip(), name
        assert tree.find(f".//{XHTML}footer") is not None, name
        assert not [img for img in tree.iter(f"{XHTML}img") if img.get("onerror")], name


def test_only_http_https_and_mailto_become_links(hostile_site) -> None:
    """Case 5: a ``javascript:`` IRI became a clickable href that ran script in Chromium."""
    montreal = hostile_site["id/city/montreal.html"]
    tree = html5lib.parse(montreal)
    hrefs = [anchor.get("href") for anchor in tree.iter(f"{XHTML}a")]
    assert hrefs and all(safe_href(href) for href in hrefs)
    assert "javascript:alert(document.domain)" in "".join(tree.find(f".//{XHTML}main").itertext()) or \
        any("javascript:alert(document.domain)" in (span.get("title") or "") for span in tree.iter(f"{XHTML}span"))
    for text in _pages(hostile_site).values():
        assert 'href="javascript:' not in text and 'href="java\tscript:' not in text


@pytest.mark.parametrize("href, safe", [
    ("https://example.org/", True), ("http://x", True), ("mailto:a@b.c", True), ("../id/city/x.html", True),
    ("#main", True), ("javascript:alert(1)", False), ("JaVaScRiPt:alert(1)", False), (" javascript:x", False),
    ("java\tscript:x", False), ("java\nscript:x", False), ("\x01javascript:x", False), ("data:text/html,x", False),
    ("vbscript:x", False), ("file:///etc/passwd", False),
])
def test_safe_href(href: str, safe: bool) -> None:
    assert safe_href(href) is safe
    rendered = unlink_unsafe(f'<p><a class="x" href="{href}">label</a></p>')
    assert ("<a " in rendered) is safe and "label" in rendered


def test_page_frame_unlinks_unsafe_hrefs_in_any_body() -> None:
    document = page("index.html", ("t", "t"), '<a href="javascript:alert(1)">x</a> <a href="https://ok">y</a>')
    assert 'href="javascript:' not in document and '<a href="https://ok">y</a>' in document


def test_json_for_script_escapes_what_could_end_the_element() -> None:
    text = json_for_script({"label": "</script><!--<script>&\u2028\u2029"})
    assert not set(text) & {"<", ">", "&", "\u2028", "\u2029"}
    assert json.loads(text) == {"label": "</script><!--<script>&\u2028\u2029"}


def _broken_dist(dist_dir: Path, tmp_path: Path, line: str) -> Path:
    copy = tmp_path / "dist"
    shutil.copytree(dist_dir, copy)
    with (copy / "migration-kg.nt").open("a", encoding="utf-8") as stream:
        stream.write(line + "\n")
    return copy


@pytest.mark.parametrize("line", [
    f"<{MONTREAL}> <http://www.w3.org/2000/01/rdf-schema#seeAlso> <javascript:alert(document.domain)> .",
    "<https://w3id.org/migration-kg/id/city/nowhere> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
    "<https://schema.org/City> .",
])
def test_publish_refuses_a_graph_that_validate_rejects(runner, project_root: Path, dist_dir: Path, tmp_path: Path,
                                                       line: str) -> None:
    """Case 5: a graph that ``validate`` rejects was published with exit 0."""
    broken = _broken_dist(dist_dir, tmp_path, line)
    validated = runner.invoke(main, ["validate", "--project", str(project_root), str(broken / "migration-kg.nt")])
    assert validated.exit_code == 1
    out = tmp_path / "site"
    result = runner.invoke(main, ["publish", "--project", str(project_root), "--dist", str(broken), "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "does not conform" in result.stderr and "nothing published" in result.stderr
    assert not out.exists()


def test_publish_says_it_validated(runner, project_root: Path, dist_dir: Path, tmp_path: Path) -> None:
    result = runner.invoke(main, ["publish", "--project", str(project_root), "--dist", str(dist_dir),
                                  "--out", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    assert "validated migration-kg.nt: conforms" in result.stdout
    assert Graph().parse(tmp_path / "site" / "download" / "migration-kg.nt", format="nt")
