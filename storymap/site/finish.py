"""Finishing touches on a built site: each page's CSP, a small search index, a reproducible sitemap.

In: a folder of freshly built files and the pages they were built from (and each page as MkDocs
writes it, for its Content-Security-Policy: storymap.output.csp). Out: the same folder with
``search/search_index.json`` cut down to the story and reference pages (one entry per page and
section, each text said once; ward and borough pages are found through ``search/places/``) and
``sitemap.xml``/``sitemap.xml.gz`` the same bytes from the same inputs.
"""

from __future__ import annotations

import gzip
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from storymap.config import Config
from storymap.output.csp import extra_image_origins, secure_page
from storymap.output.htmlcheck import Checker, Rules, raise_if_refused
from storymap.pages.page import Page
from storymap.pages.urls import html_path
from storymap.site.mkdocs import INDEX_LEFT_OUT


def finish_site(site: Path, pages: list[Page]) -> None:
    """Make the built site small to search and the same bytes from the same inputs.

    - The search index keeps the story and reference pages, in the order of ``pages`` whether
      MkDocs built every page or only the changed ones; ward and borough pages are left out
      (the place index, one small file per letter, finds them, so a search's bytes do not grow
      with the number of wards).
    - Without SOURCE_DATE_EPOCH, the sitemap has no <lastmod> (the build date) and
      sitemap.xml.gz no gzip time stamp; with it, MkDocs writes that date.
    """
    _slim_search_index(site / "search" / "search_index.json", pages)
    write_titles(site / "search")
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
    sections keep theirs. Ward, borough and A–Z pages are left out."""
    if not path.is_file():
        return
    index = json.loads(path.read_text("utf-8"))
    order = {html_path(p.path): i for i, p in enumerate(pages)}
    docs: list[dict] = []
    page_doc: dict = {}
    for doc in index["docs"]:
        page, _, anchor = doc["location"].partition("#")
        if page.startswith(INDEX_LEFT_OUT):
            continue
        if not anchor:
            page_doc = {**doc, "text": ""}
            docs.append(page_doc)
        elif page_doc.get("location") == page and not page_doc["text"] and docs[-1] is page_doc:
            page_doc["text"] = doc.get("text", "")  # the title's own section
        else:
            docs.append(doc)
    for doc in docs:
        doc["text"] = re.sub(r"\s+([,.;:!?)])", r"\1", doc.get("text", ""))  # "Camden , London"
    docs.sort(key=lambda d: order.get(d["location"].partition("#")[0], len(order)))
    index["docs"] = docs
    path.write_text(json.dumps(index, separators=(",", ":"), ensure_ascii=False), "utf-8")


def write_titles(folder: Path) -> None:
    """``titles.json`` beside MkDocs' ``search_index.json`` in ``folder``: each entry's page,
    heading anchor and title, without the text. A name search answers from it and the place
    files (about 1.5 KB gzip, against 27 KB for the whole index); the
    whole index is fetched only when a query names no place, or the reader asks for the text
    of every page (search.js). Written anew with the index, so the two cannot disagree."""
    if not (folder / "search_index.json").is_file():
        return
    index = json.loads((folder / "search_index.json").read_text("utf-8"))
    pages: list[str] = []
    docs: list[list] = []
    for doc in index["docs"]:
        page, _, anchor = doc["location"].partition("#")
        if page not in pages:
            pages.append(page)
        docs.append([pages.index(page), anchor, doc.get("title") or ""])
    text = json.dumps({"pages": pages, "docs": docs}, ensure_ascii=False, separators=(",", ":"))
    (folder / "titles.json").write_text(text, "utf-8")


@dataclass
class Finishing:
    """What is done to freshly built files: ``page(text, path)`` gives a built page its CSP and
    checks it as a browser would parse it (storymap.output.htmlcheck; MkDocs' plugin calls it as
    each page is written); ``check()`` then refuses the pages found wanting, together;
    ``folder(path)`` makes the search index and the sitemap in a folder small and
    reproducible."""

    page: Callable[[str, str], str]
    check: Callable[[], None]
    folder: Callable[[Path], None]


def finisher(config: Config, pages: list[Page]) -> Finishing:
    origins, rules = extra_image_origins(config), Rules(config)
    checker = Checker(rules)

    def page(text: str, where: str) -> str:
        secured = secure_page(text, where, origins)
        checker.add(secured, where)
        return secured

    return Finishing(
        page=page,
        check=lambda: raise_if_refused(config, pages, checker.found()),
        folder=lambda folder: finish_site(folder, pages),
    )
