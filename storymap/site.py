"""The only module that knows MkDocs: turns rendered pages into a static site.

In: the Config, the rendered pages (docs-relative path, title, markdown) and the shared styles. Out:
a complete static site in ``site_dir`` (MkDocs with the Material theme, no web fonts, no generator
tag, plain ``.html`` URLs so it also works from a folder on disk).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import yaml
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config as mkdocs_load_config
from mkdocs.exceptions import MkDocsException

from storymap.config import Config
from storymap.errors import StorymapError


@dataclass
class Page:
    path: str  # relative to the docs folder, e.g. "chapters/introduction.md"
    title: str
    markdown: str
    section: str | None = None  # nav section; None for top-level pages
    wide: bool = False  # give the content the full width (no table of contents column)


def mkdocs_config(config: Config, pages: list[Page], styles: list[str], docs: Path, out: Path) -> dict:
    nav: list[dict] = []
    sections: dict[str, list[dict]] = {}
    for page in pages:
        if page.section is None:
            nav.append({page.title: page.path})
        else:
            if page.section not in sections:
                sections[page.section] = []
                nav.append({page.section: sections[page.section]})
            sections[page.section].append({page.title: page.path})
    return {
        "site_name": config.site.title,
        "site_description": config.site.description,
        "site_url": config.site.url or "",
        "docs_dir": str(docs),
        "site_dir": str(out),
        "use_directory_urls": False,
        "theme": {
            "name": "material",
            "font": False,
            "language": config.site.language,
            "features": ["navigation.sections", "navigation.top", "search.highlight"],
            "palette": {"scheme": "default", "primary": "indigo", "accent": "indigo"},
        },
        "extra": {"generator": False},
        "extra_css": styles,
        "copyright": config.site.attribution,
        "nav": nav,
        "markdown_extensions": ["attr_list", "md_in_html", "tables", "toc", "admonition"],
        "plugins": ["search"],
    }


def write_site(config: Config, pages: list[Page], styles: list[str], docs: Path, out: Path) -> None:
    """Write ``pages`` into ``docs`` and build the site into ``out``."""
    for page in pages:
        target = docs / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        front = "---\nhide:\n  - toc\n---\n\n" if page.wide else ""
        target.write_text(front + page.markdown, encoding="utf-8")
    settings = mkdocs_config(config, pages, styles, docs, out)
    config_file = docs.parent / "mkdocs.yml"
    config_file.write_text(yaml.safe_dump(settings, sort_keys=False, allow_unicode=True), "utf-8")
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    try:
        cfg = mkdocs_load_config(config_file=str(config_file))
        mkdocs_build(cfg)
    except (MkDocsException, OSError) as exc:
        raise StorymapError(f"the site generator (MkDocs) failed: {exc}") from None
