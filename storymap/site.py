"""The only module that knows MkDocs: turns rendered pages into a static site.

In: the Config, the rendered pages (docs-relative path, title, markdown) and the shared styles. Out:
a complete static site in ``site_dir`` (MkDocs with storymap's own light theme in
``storymap/theme``: no web fonts, no third-party requests, plain ``.html`` URLs so it also works
from a folder on disk).
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config as mkdocs_load_config
from mkdocs.exceptions import MkDocsException

from storymap.config import Config
from storymap.errors import StorymapError
from storymap.security import nav_text


@dataclass
class Page:
    path: str  # relative to the docs folder, e.g. "chapters/introduction.md"
    title: str
    markdown: str
    section: str | None = None  # nav section; None for top-level pages
    wide: bool = False  # give the content the full width (no table of contents column)
    subsection: str | None = None  # nested group inside the section, e.g. a borough's wards


PACKAGE = Path(__file__).resolve().parent
THEME_DIR = PACKAGE / "theme"  # the page templates (main.html, 404.html)
# Site-wide files copied from storymap/assets into every site: the stylesheet, and theme.js (the
# search box, scrollable tables).
THEME_FILES = {"assets/storymap/theme.css": "theme.css",
               "assets/storymap/theme.js": "theme.js"}
THEME_CSS = "assets/storymap/theme.css"
# Pages whose bodies are left out of the search index (their titles and first line stay).
INDEX_TITLES_ONLY = ("wards/", "boroughs/")


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
        front = "---\nhide:\n  - toc\n---\n\n" if page.wide else ""
        target.write_text(front + page.markdown, encoding="utf-8")


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


def finish_site(site: Path, pages: list[Page]) -> None:
    """Make the built site small to search and the same bytes from the same inputs.

    - The search index keeps every page's title, but only the first paragraph of ward and
      borough pages (700 bodies would make it megabytes), in the order of ``pages`` whether
      MkDocs built every page or only the changed ones.
    - Without SOURCE_DATE_EPOCH, the sitemap has no <lastmod> (the build date) and
      sitemap.xml.gz no gzip time stamp; with it, MkDocs writes that date.
    """
    _slim_search_index(site / "search" / "search_index.json", pages)
    sitemap = site / "sitemap.xml"
    if sitemap.is_file():
        text = sitemap.read_text("utf-8")
        if "SOURCE_DATE_EPOCH" not in os.environ:
            text = re.sub(r"\s*<lastmod>[^<]*</lastmod>", "", text)
            sitemap.write_text(text, "utf-8")
        epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0") or 0)
        with open(site / "sitemap.xml.gz", "wb") as raw:
            with gzip.GzipFile("sitemap.xml", mode="wb", fileobj=raw, mtime=epoch) as gz:
                gz.write(text.encode("utf-8"))


def _slim_search_index(path: Path, pages: list[Page]) -> None:
    """One entry per page and per section (heading) of a page, each text said once.

    MkDocs writes each page's whole text, then each of its sections' text again. Here a page keeps
    the text before its second heading (its title's section, merged into it), and its other
    sections keep theirs. Ward and borough pages keep only their first sentences (e.g. "Ward in
    Camden, London. Ward code E05013660."), enough to find them by name, borough or code."""
    if not path.is_file():
        return
    index = json.loads(path.read_text("utf-8"))
    order = {html_path(p.path): i for i, p in enumerate(pages)}
    docs: list[dict] = []
    page_doc: dict = {}
    for doc in index["docs"]:
        page, _, anchor = doc["location"].partition("#")
        if not anchor:
            page_doc = {**doc, "text": ""}
            docs.append(page_doc)
        elif page_doc.get("location") == page and not page_doc["text"] and docs[-1] is page_doc:
            page_doc["text"] = doc.get("text", "")  # the title's own section
        elif not page.startswith(INDEX_TITLES_ONLY):
            docs.append(doc)
    for doc in docs:
        doc["text"] = re.sub(r"\s+([,.;:!?)])", r"\1", doc.get("text", ""))  # "Camden , London"
        if doc["location"].startswith(INDEX_TITLES_ONLY):
            doc["text"] = _lead(doc["text"])
    docs.sort(key=lambda d: order.get(d["location"].partition("#")[0], len(order)))
    index["docs"] = docs
    path.write_text(json.dumps(index, separators=(",", ":"), ensure_ascii=False), "utf-8")


def _lead(text: str, limit: int = 160) -> str:
    """The first sentences of ``text``, up to about ``limit`` characters."""
    out = ""
    for sentence in re.split(r"(?<=[.!?])\s+", text.strip()):
        if out and len(out) + len(sentence) > limit:
            break
        out = f"{out} {sentence}".strip()
    return out


def html_path(docs_rel: str) -> str:
    """The site path MkDocs writes a docs page to ("wards/x/E05.md" -> "wards/x/E05.html")."""
    return docs_rel[:-3] + ".html" if docs_rel.endswith(".md") else docs_rel
