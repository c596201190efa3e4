"""The ``site:`` section (title, area, attribution) and the ``chapters:`` list.

In: YAML mappings. Out: :class:`SiteSection`, :class:`ChapterSection`, and
:func:`chapter_slug`, the web address a chapter is written to; ``GENERATED``, the addresses
of the pages and folders the build writes itself, which no chapter may take.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field

from storymap.config.base import Model


class AreaSection(Model):
    """Which part of the ward layer the site covers."""

    name: str = Field("London", description="Name of the whole area, used in prose and tables.")
    boroughs: Literal["all"] | list[str] = Field(
        "all", description="'all', or borough names or codes to keep."
    )


class SiteSection(Model):
    title: str = Field(description="Site title, shown on every page.")
    description: str = Field("", description="One sentence for search engines and the home page.")
    language: str = Field("en", description="Language code for the pages' lang attribute.")
    url: str | None = Field(None, description="Public URL of the published site, if known.")
    area: AreaSection = Field(AreaSection(), description="The whole area the site covers.")
    focus_boroughs: list[str] = Field(
        default_factory=list, description="The project boroughs the story focuses on."
    )
    attribution: str = Field(description="Combined attribution shown in every page footer.")
    allow_raw_html_scripts: bool = Field(
        False, description="Allow <script> in chapter markdown (off: chapters are refused)."
    )
    contact: str | None = Field(
        None,
        description="Email address or web page readers can use for questions, feedback and "
        "accessibility problems; shown in every footer and in the accessibility statement.",
    )
    organisation: str | None = Field(
        None, description="Who runs the site, named in the accessibility statement."
    )
    repo_url: str | None = Field(
        None,
        description="The project's repository (e.g. https://github.com/ORG/REPO): pages made "
        "from a chapter get an 'Edit this page' link to their file there.",
    )
    edit_uri: str = Field(
        "edit/main/",
        description="Path from repo_url to a file's edit page: edit/BRANCH/ on GitHub, "
        "-/edit/BRANCH/ on GitLab; add the project's folder if it is not the repository's top.",
    )


class ChapterSection(Model):
    file: str = Field(description="Markdown file of the chapter, relative to site_config.yml.")
    title: str = Field(description="Chapter title, shown in its heading and the navigation.")
    slug: str | None = Field(
        None,
        pattern=r"^[a-z0-9][a-z0-9-]*$",
        description="Web address of the chapter (lower-case letters, digits, hyphens); "
        "made from the title when left out.",
    )


# Addresses the build writes itself, at the top of the site: a chapter may take none of them
# (its page, ``SLUG.html``, or its images, ``img/SLUG/``, would replace or mix with them).
# tests/test_hardening3.py checks that every top-level name of a built site is a chapter's or here.
GENERATED = {
    "index": "the home page (index.html)",
    "404": "the page-not-found page (404.html)",
    "method": "the page on how the risk index is built (method.html)",
    "data-checks": "the data checks page (data-checks.html)",
    "accessibility": "the accessibility statement (accessibility.html)",
    "places": "the A-Z of places (places.html)",
    "downloads": "the data downloads (downloads.html and downloads/)",
    "wards": "the ward pages (wards/)",
    "boroughs": "the borough pages (boroughs/)",
    "assets": "the site's scripts and styles (assets/)",
    "img": "the site's images (img/)",
    "search": "the search's files (search/)",
    "sitemap": "the sitemap (sitemap.xml)",
    "share": "the link-preview images (img/share/)",
}


def chapter_slug(chapter: ChapterSection) -> str:
    if chapter.slug:
        return chapter.slug
    stem = Path(chapter.file).stem
    stem = re.sub(r"^\d+[-_]", "", stem)
    return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "chapter"
