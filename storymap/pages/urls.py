"""Every page's address in one place: where chapters, ward, borough and other pages, and the
download files, live in the site.

In: names and codes (a chapter, a borough's name, a ward's code, the area's name). Out: docs
paths (``wards/camden/E05….md``, what MkDocs reads), the site paths it writes them to
(``….html``, :func:`html_path`), the download files' paths (``downloads/…``) and the slug of a
name.
"""

from __future__ import annotations

import re
import unicodedata

from storymap.config import ChapterSection, chapter_slug

HOME = "index.md"
PLACES = "places.md"  # all places A-Z
DOWNLOADS = "downloads.md"  # the downloads page, with what each column means
METHOD = "method.md"  # how the risk index is built
CHECKS = "data-checks.md"
ACCESSIBILITY = "accessibility.md"
WARDS = "wards/"  # the folder of ward pages, one folder per borough
BOROUGHS = "boroughs/"  # the folder of borough pages
BOROUGH_INDEX = f"{BOROUGHS}index.md"

DOWNLOAD_DIR = "downloads"
DICTIONARY = f"{DOWNLOAD_DIR}/data-dictionary.csv"
SOURCES_FILE = f"{DOWNLOAD_DIR}/sources-and-licences.csv"  # the CSVs' companion


def slug(text: str) -> str:
    """ASCII, lower-case, hyphenated: 'Kensington and Chelsea' -> 'kensington-and-chelsea'."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower().replace("&", "and")).strip("-") or "area"


def page_doc(page_slug: str) -> str:
    """The docs path of a page at the site's top level (a chapter, the home page: "index")."""
    return f"{page_slug}.md"


def chapter_doc(chapter: ChapterSection) -> str:
    """The docs path of a chapter's page."""
    return page_doc(chapter_slug(chapter))


def borough_doc(borough_name: str) -> str:
    """The docs path of a borough's page."""
    return f"{BOROUGHS}{slug(borough_name)}.md"


def ward_doc(borough_name: str, ward_code: str) -> str:
    """The docs path of a ward's page, in its borough's folder."""
    return f"{WARDS}{slug(borough_name)}/{ward_code}.md"


def html_path(docs_rel: str) -> str:
    """The site path MkDocs writes a docs page to ("wards/x/E05.md" -> "wards/x/E05.html")."""
    return docs_rel[:-3] + ".html" if docs_rel.endswith(".md") else docs_rel


def ward_download(ward_code: str) -> str:
    """A ward's own figures (CSV)."""
    return f"{DOWNLOAD_DIR}/wards/{ward_code}.csv"


def borough_download(borough_name: str, suffix: str) -> str:
    """A borough's wards: ``suffix`` "csv" or "geojson"."""
    return f"{DOWNLOAD_DIR}/boroughs/{slug(borough_name)}-wards.{suffix}"


def area_download(area_name: str, name: str) -> str:
    """A file for the whole area: ``name`` "wards.csv", "wards.geojson", "boroughs.csv", or
    "xlsx" (the workbook), "help-points.csv", "help-points.geojson"."""
    sep = "." if name == "xlsx" else "-"
    return f"{DOWNLOAD_DIR}/{slug(area_name)}{sep}{name}"


def neighbourhood_download(borough_slug: str) -> str:
    """A borough's neighbourhoods and their figures (CSV)."""
    return f"{DOWNLOAD_DIR}/neighbourhoods/neighbourhoods-{borough_slug}.csv"
