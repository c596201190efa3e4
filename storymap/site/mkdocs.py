"""MkDocs' settings and its build: turns rendered pages into a static site.

In: the Config, the rendered pages (docs-relative path, title, markdown) and the shared styles. Out:
a complete static site in ``site_dir`` (MkDocs with storymap's own light theme in
``storymap/theme``: no web fonts, no third-party requests, plain ``.html`` URLs so it also works
from a folder on disk).
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import yaml

from storymap.config import Config
from storymap.errors import StorymapError
from storymap.output.csp import nav_text
from storymap.pages.about.statement import footer_html
from storymap.pages.maps.assets import copy_css, copy_js
from storymap.pages.page import Page
from storymap.pages.urls import ACCESSIBILITY, BOROUGHS, PLACES, WARDS, html_path

PACKAGE = Path(__file__).resolve().parent.parent  # the storymap package folder
THEME_DIR = PACKAGE / "theme"  # the page templates (main.html, 404.html)
# Site-wide files copied from storymap/assets into every site: the stylesheet, theme.js (shows
# the search box, scrollable tables) and search.js (search and location, loaded on first use).
THEME_FILES = {
    "assets/storymap/theme.css": "theme.css",
    "assets/storymap/theme.js": "theme.js",
    "assets/storymap/search.js": "search.js",  # loaded when search is first used
    "assets/storymap/locate.js": "locate.js",  # loaded when "Use my location" is first pressed
    "assets/storymap/postcode.js": "postcode.js",  # loaded at the first postcode query
    "assets/storymap/nojs.css": "nojs.css",
}
THEME_CSS = "assets/storymap/theme.css"
# Pages left out of MkDocs' search index: places are found through the sharded place index
# (storymap.pages.places.search, search/places/<letter>.json) instead.
INDEX_LEFT_OUT = (WARDS, BOROUGHS, html_path(PLACES))


def mkdocs_config(
    config: Config, pages: list[Page], styles: list[str], docs: Path, out: Path
) -> dict:
    nav: list[dict] = []
    sections: dict[str, list[dict]] = {}
    for page in pages:
        if page.section is not None and page.subsection is not None:
            continue  # in its group's own navigation (storymap.site.mdplugin), not the site's
        if page.section is None:
            nav.append({nav_text(page.title): page.path})
        else:
            if page.section not in sections:
                sections[page.section] = []
                nav.append({nav_text(page.section): sections[page.section]})
            sections[page.section].append({nav_text(page.title): page.path})
    return {
        "site_name": config.site.title,
        "site_description": config.site.description,
        "site_url": config.site.url or "",
        "docs_dir": str(docs),
        "site_dir": str(out),
        "use_directory_urls": False,
        "theme": {
            "name": None,  # storymap's own templates (storymap/theme), nothing from another theme
            "custom_dir": str(THEME_DIR),
            "language": config.site.language,
            "static_templates": ["404.html"],
            "search_index_only": True,  # theme.js searches the index; no lunr, no worker
        },
        "extra_css": [*styles, THEME_CSS],
        "copyright": config.site.attribution,
        "extra": {
            "feedback": footer_html(config),
            # the theme links these pages on every page: their addresses come from urls.py
            "places_page": html_path(PLACES),
            "accessibility_page": html_path(ACCESSIBILITY),
        },
        "nav": nav,
        "markdown_extensions": ["attr_list", "md_in_html", "tables", "toc", "admonition"],
        "plugins": ["search"],
    }


def write_theme_files(folder: Path) -> None:
    """The theme's own files (stylesheets, theme.js), into ``folder`` of site files."""
    for rel, name in THEME_FILES.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).unlink(missing_ok=True)  # a new file, never one linked from the last site
        if name.endswith(".css"):
            copy_css(PACKAGE / "assets" / name, folder / rel)
        elif name.endswith(".js"):
            copy_js(PACKAGE / "assets" / name, folder / rel)
        else:
            shutil.copyfile(PACKAGE / "assets" / name, folder / rel)


def page_source(page: Page) -> str:
    """The page's markdown as MkDocs reads it, with its front matter."""
    return front_matter(page) + page.markdown


def front_matter(page: Page) -> str:
    """The page's settings for the theme: ``hide: [toc]`` for a wide page, ``styles`` for the
    stylesheets only it needs, and the page's own ``meta``."""
    meta: dict = {}
    if page.wide:
        meta["hide"] = ["toc"]
    if page.styles:
        meta["styles"] = list(page.styles)
    meta.update(page.meta or {})  # e.g. description and share_image for link previews
    if not meta:
        return ""
    return "---\n" + dump_yaml(meta) + "---\n\n"


def mkdocs_yaml(config: Config, pages: list[Page], styles: list[str], docs: Path, out: Path) -> str:
    settings = mkdocs_config(config, pages, styles, docs, out)
    return dump_yaml(settings)


# libyaml's emitter where PyYAML has it (its wheels do): 10x faster than the pure-Python one, which
# spent 0.6 s of a one-chapter rebuild writing 728 pages' front matter
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dump_yaml(value: object) -> str:
    return yaml.dump(value, Dumper=_DUMPER, sort_keys=False, allow_unicode=True)


def run_mkdocs(
    settings: str,
    config_file: Path,
    pages: list[Page],
    texts: dict[str, str],
    changed: set[str],
    dirty: bool = False,
    secure=None,
    compiled: Path | None = None,
) -> set[str]:
    """Build with MkDocs from ``settings`` (YAML) and storymap's plugins for ``pages``, whose
    text (markdown with front matter, by docs path) is ``texts``; ``dirty`` rebuilds only the
    ``changed`` pages and those whose output is missing; ``secure(html, path)`` finishes each
    page as it is written; ``compiled`` keeps the theme's compiled templates for the next
    build. Returns the site paths of the pages written."""
    # MkDocs, Python-Markdown and storymap's plugins are imported only when a site is built
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config as mkdocs_load_config
    from mkdocs.exceptions import MkDocsException

    from storymap.site.mdplugin import AfterSearch, Storymap

    config_file.write_text(settings, "utf-8")
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    try:
        cfg = mkdocs_load_config(config_file=str(config_file))
        plugin = Storymap(pages, INDEX_LEFT_OUT, nav_text, secure, compiled, texts, changed)
        cfg.plugins["storymap"] = plugin
        cfg.plugins["storymap-after-search"] = AfterSearch(plugin)
        mkdocs_build(cfg, dirty=dirty)
    except (MkDocsException, OSError) as exc:
        raise StorymapError(f"the site generator (MkDocs) failed: {exc}") from None
    return plugin.written
