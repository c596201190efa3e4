"""A Content-Security-Policy for every built page; no page may hold an inline script.

In: the folder of a freshly built site (before it is swapped in) and the Config. Out: every
``.html`` file carries, as the first element after ``<meta charset>``, a
``<meta http-equiv="Content-Security-Policy">`` that allows nothing from another origin:

    default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';
    img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self';
    object-src 'none'; base-uri 'self'; form-action 'self'

Every script storymap writes is a file of the site (maps are set up by ``storymap.js`` from
their elements' ``data-map`` settings; chapters' own scripts, where the config allows them, are
moved into files by :mod:`storymap.pages.story.chapters`), so the policy needs no hashes and no
``'unsafe-inline'`` for scripts: an injected script or inline event handler does not run. Styles
keep ``'unsafe-inline'`` because the markup uses ``style=`` attributes (map heights, SVG sizes);
styles cannot run code. If the config names a basemap, its tile origin, rebuilt from the parsed
address, is added to ``img-src``: the one third-party origin, chosen by the site's owner.

An inline script found in a built page (JSON data blocks aside) means a value escaped nowhere on
its way in: the build stops with an Error naming the page, and the previous site is kept.

:func:`nav_text` escapes page titles for MkDocs, whose theme inserts nav labels as HTML.
"""

from __future__ import annotations

import re

from storymap.config import Config
from storymap.config.maps import tile_url
from storymap.errors import StorymapError

SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
CHARSET = re.compile(r"<meta\s+charset=[^>]*>", re.IGNORECASE)
HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)
NOT_JS = re.compile(r"""\btype\s*=\s*["']?(application/(ld\+)?json|text/template)""", re.I)
EXISTING = re.compile(r'<meta http-equiv="Content-Security-Policy"[^>]*>\s*', re.IGNORECASE)
ENTITY_START = re.compile(r"&(?=#?[A-Za-z0-9]+;)")


def nav_text(title: str) -> str:
    """A page title as MkDocs nav text (which the theme treats as HTML): <, > and anything that
    would read as an entity are escaped; a plain '&' is left as it is (valid HTML text)."""
    return ENTITY_START.sub("&amp;", title).replace("<", "&lt;").replace(">", "&gt;")


def inline_scripts(page: str) -> list[str]:
    """The text of each inline JavaScript element of ``page`` (not src=, not JSON data)."""
    return [
        body
        for attrs, body in SCRIPT.findall(page)
        if not re.search(r"\bsrc\s*=", attrs, re.IGNORECASE) and not NOT_JS.search(attrs)
    ]


def extra_image_origins(config: Config) -> list[str]:
    """Origins of the configured basemap's tiles (none by default), rebuilt from the parsed
    address (:func:`~storymap.config.maps.tile_url`): never the text as written, so nothing
    but one origin can reach the policy."""
    basemap = config.maps.basemap
    if basemap is None:
        return []
    parsed = tile_url(basemap.url)
    return [] if isinstance(parsed, str) else [parsed.origin]


def policy(image_origins: list[str] | None = None) -> str:
    images = " ".join(["'self'", "data:", *(image_origins or [])])
    return (
        f"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        f"img-src {images}; font-src 'self'; connect-src 'self'; worker-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'"
    )


def add_policy(page: str, image_origins: list[str] | None = None) -> str:
    """``page`` with its CSP meta element (replacing any earlier one)."""
    page = EXISTING.sub("", page)
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy(image_origins)}">'
    anchor = CHARSET.search(page) or HEAD.search(page)
    if anchor is None:  # not a full page (a fragment): nothing to protect it with
        return page
    return page[: anchor.end()] + "\n" + meta + page[anchor.end() :]


def secure_page(text: str, where: str, image_origins: list[str] | None = None) -> str:
    """``text`` (the built page ``where``) with its CSP; StorymapError if it holds an inline
    script."""
    strange = inline_scripts(text)
    if strange:
        shown = " ".join(strange[0].split())[:80]
        raise StorymapError(
            f"{where}: the built page holds an inline script "
            f"({shown!r}), which its Content-Security-Policy would block. A value from a data "
            "file or chapter reached the page unescaped; the site was not replaced. Find the "
            "value in the data or chapter and remove the markup."
        )
    return add_policy(text, image_origins)
