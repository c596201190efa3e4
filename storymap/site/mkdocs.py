"""The only module that knows MkDocs: turns rendered pages into a static site.

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
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config as mkdocs_load_config
from mkdocs.exceptions import MkDocsException

from storymap.config import Config
from storymap.errors import StorymapError
from storymap.pages.page import Page
from storymap.site.csp import nav_text

PACKAGE = Path(__file__).resolve().parent.parent  # the storymap package folder
THEME_DIR = PACKAGE / "theme"  # the page templates (main.html, 404.html)
# Site-wide files copied from storymap/assets into every site: the stylesheet, theme.js (shows
# the search box, scrollable tables) and search.js (search and location, loaded on first use).
THEME_FILES = {"assets/storymap/theme.css": "theme.css",
               "assets/storymap/theme.js": "theme.js",
               "assets/storymap/search.js": "search.js",  # loaded when search is first used
               "assets/storymap/nojs.css": "nojs.css"}
THEME_CSS = "assets/storymap/theme.css"
# Pages left out of MkDocs' search index: places are found through the sharded place index
# (storymap.pages.places, search/places/<letter>.json) instead.
INDEX_LEFT_OUT = ("wards/", "boroughs/", "places.html")


def mkdocs_config(
    config: Config, pages: list[Page], styles: list[str], docs: Path, out: Path
) -> dict:
    nav: list[dict] = []
    sections: dict[str, list[dict]] = {}
    for page in pages:
        if page.section is None:
            nav.append({nav_text(page.title): page.path})
        else:
            if page.section not in sections:
                sections[page.section] = []
                nav.append({nav_text(page.section): sections[page.section]})
            group = sections[page.section]
            if page.subsection is not None:
                key = f"{page.section}\0{page.subsection}"
                if key not in sections:
                    sections[key] = []
                    group.append({nav_text(page.subsection): sections[key]})
                group = sections[key]
            group.append({nav_text(page.title): page.path})
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
        "nav": nav,
        "markdown_extensions": ["attr_list", "md_in_html", "tables", "toc", "admonition"],
        "plugins": ["search"],
    }


def write_site(config: Config, pages: list[Page], styles: list[str], docs: Path, out: Path) -> None:
    """Write ``pages`` into ``docs`` and build the site into ``out``."""
    write_docs(pages, docs)
    run_mkdocs(mkdocs_yaml(config, pages, styles, docs, out), docs.parent / "mkdocs.yml")


def write_docs(pages: list[Page], docs: Path) -> None:
    """Write each page's markdown (with its front matter) into ``docs``."""
    for rel, name in THEME_FILES.items():
        (docs / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PACKAGE / "assets" / name, docs / rel)
    for page in pages:
        target = docs / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        front = _front_matter(page)
        target.write_text(front + page.markdown, encoding="utf-8")


def _front_matter(page: Page) -> str:
    """YAML front matter: ``hide: [toc]`` for wide pages and the page's own ``meta``."""
    meta = {**({"hide": ["toc"]} if page.wide else {}), **(page.meta or {})}
    if not meta:
        return ""
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n\n"


def mkdocs_yaml(config: Config, pages: list[Page], styles: list[str], docs: Path, out: Path) -> str:
    settings = mkdocs_config(config, pages, styles, docs, out)
    return yaml.safe_dump(settings, sort_keys=False, allow_unicode=True)


def run_mkdocs(settings: str, config_file: Path, dirty: bool = False) -> None:
    """Build with MkDocs from ``settings`` (YAML); ``dirty`` rebuilds only changed pages."""
    config_file.write_text(settings, "utf-8")
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    try:
        cfg = mkdocs_load_config(config_file=str(config_file))
        mkdocs_build(cfg, dirty=dirty)
    except (MkDocsException, OSError) as exc:
        raise StorymapError(f"the site generator (MkDocs) failed: {exc}") from None


def html_path(docs_rel: str) -> str:
    """The site path MkDocs writes a docs page to ("wards/x/E05.md" -> "wards/x/E05.html")."""
    return docs_rel[:-3] + ".html" if docs_rel.endswith(".md") else docs_rel
