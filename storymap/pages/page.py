"""A page of the site as the pages stage makes it: where it goes, its title, its markdown.

In: nothing. Out: the :class:`Page` record that :mod:`storymap.pages` produces and
:mod:`storymap.site` turns into HTML.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Page:
    path: str  # relative to the docs folder, e.g. "wards/camden/E05013660.md"
    title: str
    markdown: str
    section: str | None = None  # nav section; None for top-level pages
    wide: bool = False  # give the content the full width (no table of contents column)
    subsection: str | None = None  # nested group inside the section, e.g. a borough's wards
    styles: tuple[str, ...] = ()  # site paths of stylesheets only this page needs (a map's)
    meta: dict | None = None  # front matter for the theme, e.g. description, share_image
