"""The frame around every page: head (title, canonical and language alternates, icon), header, footer.

Each page exists once per language at its own address; the head names both versions (``hreflang``) and
the page's own address as canonical, and the header links to the other language's version of the same page.
"""

from __future__ import annotations

from migration_kg.namespaces import BASE
from migration_kg.site.html import bi, esc, relative, ui, unlink_unsafe
from migration_kg.site.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGE_NAMES,
    LANGUAGES,
    choose,
    current_language,
    in_language,
    relative_path,
    site_root,
)

#: The pages of the site's navigation: (site path, interface key).
NAVIGATION = (("index.html", "home"), ("search.html", "search"), ("timeline.html", "timeline"),
              ("query.html", "questions"), ("ontology.html", "ontology"))


def page_url(path: str, language: str) -> str:
    """The public address of a page in ``language`` (a folder's index.html by its folder)."""
    localized = in_language(path, language)
    if localized.endswith("index.html"):
        localized = localized[: -len("index.html")]
    return BASE + localized


def _language_links(from_page: str) -> str:
    """The head's canonical link and one alternate per language (RFC 8288 hreflang)."""
    language = current_language()
    links = [f'<link rel="canonical" href="{esc(page_url(from_page, language))}">']
    links += [f'<link rel="alternate" hreflang="{lang}" href="{esc(page_url(from_page, lang))}">'
              for lang in LANGUAGES]
    links.append(f'<link rel="alternate" hreflang="x-default" href="{esc(page_url(from_page, DEFAULT_LANGUAGE))}">')
    return "\n".join(links) + "\n"


def _language_switch(from_page: str) -> str:
    language = current_language()
    items = []
    for lang in LANGUAGES:
        name = esc(LANGUAGE_NAMES[lang])
        if lang == language:
            items.append(f'<span class="current" lang="{lang}" aria-current="page">{name}</span>')
        else:
            href = relative_path(from_page, from_page, to_language=lang)
            items.append(f'<a href="{esc(href)}" hreflang="{lang}" lang="{lang}" rel="alternate">{name}</a>')
    return (f'<nav class="lang-switch" aria-label="{bi("Language", "Langue")}">' + "".join(items) + "</nav>")


def _search_box(from_page: str) -> str:
    return (f'<form class="site-search" role="search" action="{esc(relative(from_page, "search.html"))}" '
            f'method="get"><label for="site-search-q" class="visually-hidden">{ui("search_label")}</label>'
            f'<input type="search" id="site-search-q" name="q" autocomplete="off" spellcheck="false" '
            f'placeholder="{bi("City, person, event…", "Ville, personne, événement…")}" '
            f'role="combobox" aria-autocomplete="list" aria-expanded="false" aria-controls="site-search-list">'
            f'<button type="submit">{ui("search")}</button>'
            f'<ul id="site-search-list" class="suggestions" role="listbox" '
            f'aria-label="{ui("suggestions")}" hidden></ul></form>')


def page(from_page: str, title: tuple[str, str], body: str, *, description: str = "", head: str = "",
         scripts: tuple[str, ...] = ()) -> str:
    """A complete HTML document in the language being written, with the site header and footer.

    ``from_page`` is the page's English site path; ``scripts`` are extra site paths of scripts it needs. Links
    in ``body`` whose scheme is not http(s) or mailto are shown as text (see :func:`.html.unlink_unsafe`).
    """
    body = unlink_unsafe(body)
    language = current_language()
    root = relative(from_page, "index.html")
    meta = f'<meta name="description" content="{esc(description)}">\n' if description else ""
    navigation = "\n".join(
        f'<a href="{esc(relative(from_page, path))}"'
        + (' aria-current="page"' if path == from_page else "") + f">{ui(key)}</a>"
        for path, key in NAVIGATION)
    downloads = f'<a href="{esc(relative(from_page, "index.html#downloads"))}">{ui("downloads")}</a>'
    extra = "".join(f'<script src="{esc(relative(from_page, path))}" defer></script>\n' for path in scripts)
    return f"""<!DOCTYPE html>
<html lang="{language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(choose(*title))}</title>
{meta}{_language_links(from_page)}<link rel="icon" href="{esc(relative(from_page, "favicon.ico"))}" sizes="32x32">
<link rel="icon" href="{esc(relative(from_page, "assets/favicon.svg"))}" type="image/svg+xml">
<link rel="stylesheet" href="{esc(relative(from_page, "assets/style.css"))}">
<script src="{esc(relative(from_page, "assets/site.js"))}" defer></script>
{extra}{head}</head>
<body data-root="{esc(site_root(from_page))}">
<a class="skip" href="#main">{ui("skip")}</a>
<header class="site-header">
<div class="wrap header-row">
<a class="brand" href="{esc(root)}">{ui("site")}</a>
{_search_box(from_page)}
{_language_switch(from_page)}
</div>
<div class="wrap">
<nav class="site-nav" aria-label="{ui("navigation")}">
{navigation}
</nav>
</div>
</header>
<main id="main" class="wrap">
{body}
</main>
<footer class="site-footer">
<div class="wrap">
<p>{ui("licence_line")} · <a href="{esc(root)}#cite">{ui("cite")}</a> · {downloads}</p>
</div>
</footer>
</body>
</html>
"""
