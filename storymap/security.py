"""A Content-Security-Policy for every built page, with the page's inline scripts allowed by hash.

In: the folder of a freshly built site (before it is swapped in) and the Config. Out: every
``.html`` file carries, as the first element after ``<meta charset>``, a
``<meta http-equiv="Content-Security-Policy">`` that allows nothing from another origin:

    default-src 'self'; script-src 'self' 'sha256-…' …; style-src 'self' 'unsafe-inline';
    img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self';
    object-src 'none'; base-uri 'self'; form-action 'self'

Inline scripts (Folium's per-map script; the site's theme has none) are allowed by the SHA-256 of
their exact text, computed here per page, so ``'unsafe-inline'`` is never needed for scripts: a
script injected through a data file or a chapter has no matching hash and does not run, and inline
event handlers (``onerror=``) and ``javascript:`` URLs are blocked outright. Styles keep
``'unsafe-inline'`` because the markup uses ``style=`` attributes (map heights, SVG sizes); styles
cannot run code. If the config names a basemap, its tile origin is added to ``img-src`` — the one
third-party origin, chosen by the site's owner.

Only scripts storymap wrote are hashed: map scripts registered with :func:`trust` as Folium renders
them and, if ``site.allow_raw_html_scripts`` is on, the chapters' own scripts. Any other inline
script in a page means a value escaped nowhere on its way in: the build stops with an Error naming
the page, and the previous site is kept.

:func:`nav_text` escapes page titles for MkDocs, whose theme inserts nav labels as HTML.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from storymap.config import Config
from storymap.errors import StorymapError

SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
CHARSET = re.compile(r"<meta\s+charset=[^>]*>", re.IGNORECASE)
HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)
NOT_JS = re.compile(r"""\btype\s*=\s*["']?(application/(ld\+)?json|text/template)""", re.I)
EXISTING = re.compile(r'<meta http-equiv="Content-Security-Policy"[^>]*>\s*', re.IGNORECASE)


ENTITY_START = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_TRUSTED: set[str] = set()
_RECORDING: list[set[str]] = []  # open recording_trust() blocks


def nav_text(title: str) -> str:
    """A page title as MkDocs nav text (which the theme treats as HTML): <, > and anything that
    would read as an entity are escaped; a plain '&' is left as it is (valid HTML text)."""
    return ENTITY_START.sub("&amp;", title).replace("<", "&lt;").replace(">", "&gt;")


def _normal(script: str) -> str:
    """The script without blank lines or trailing spaces (Markdown trims those in raw HTML)."""
    return "\n".join(line.rstrip() for line in script.splitlines() if line.strip())


def trust(script: str) -> str:
    """Record ``script`` (an inline script storymap wrote) as allowed to run; returns it."""
    _TRUSTED.add(_normal(script))
    for recorded in _RECORDING:
        recorded.add(_normal(script))
    return script


@contextmanager
def recording_trust() -> Iterator[set[str]]:
    """Collect the scripts :func:`trust` records inside the block (they stay trusted after it),
    so a cached page can trust the same scripts again without being rendered."""
    _RECORDING.append(set())
    try:
        yield _RECORDING[-1]
    finally:
        _RECORDING.pop()


def trust_inline_scripts(html_text: str) -> None:
    """Trust every inline script in ``html_text`` (a chapter whose config allows raw scripts)."""
    for attrs, body in SCRIPT.findall(html_text):
        if not re.search(r"\bsrc\s*=", attrs, re.IGNORECASE):
            trust(body)


def is_trusted(body: str) -> bool:
    return _normal(body.strip()) in _TRUSTED


def inline_scripts(page: str) -> list[str]:
    """The text of each inline JavaScript element of ``page`` (not src=, not JSON data)."""
    return [
        body
        for attrs, body in SCRIPT.findall(page)
        if not re.search(r"\bsrc\s*=", attrs, re.IGNORECASE) and not NOT_JS.search(attrs)
    ]


def script_hashes(page: str) -> list[str]:
    """CSP source expressions ('sha256-…') for each trusted inline script of ``page``."""
    hashes = []
    for body in inline_scripts(page):
        if is_trusted(body):
            digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
            hashes.append(f"'sha256-{digest}'")
    return list(dict.fromkeys(hashes))


def extra_image_origins(config: Config) -> list[str]:
    """Origins of the configured basemap's tiles (none by default)."""
    basemap = config.maps.basemap
    if basemap is None:
        return []
    parts = urlsplit(basemap.url.replace("{s}", "*"))
    return [f"{parts.scheme}://{parts.netloc}"] if parts.scheme and parts.netloc else []


def policy(hashes: list[str], image_origins: list[str] | None = None) -> str:
    scripts = " ".join(["'self'", *hashes])
    images = " ".join(["'self'", "data:", *(image_origins or [])])
    return (
        f"default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; "
        f"img-src {images}; font-src 'self'; connect-src 'self'; worker-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'"
    )


def add_policy(page: str, image_origins: list[str] | None = None) -> str:
    """``page`` with its CSP meta element (replacing any earlier one)."""
    page = EXISTING.sub("", page)
    meta = (
        f'<meta http-equiv="Content-Security-Policy" '
        f'content="{policy(script_hashes(page), image_origins)}">'
    )
    anchor = CHARSET.search(page) or HEAD.search(page)
    if anchor is None:  # not a full page (a fragment): nothing to protect it with
        return page
    return page[: anchor.end()] + "\n" + meta + page[anchor.end() :]


def secure_site(config: Config, site: Path) -> int:
    """Add the CSP to every HTML page under ``site``; returns the number of pages changed.

    Raises StorymapError if a page holds an inline script storymap did not write."""
    origins = extra_image_origins(config)
    changed = 0
    for path in sorted(site.rglob("*.html")):
        text = path.read_text("utf-8")
        strange = [b for b in inline_scripts(text) if not is_trusted(b)]
        if strange:
            shown = " ".join(strange[0].split())[:80]
            raise StorymapError(
                f"{path.relative_to(site).as_posix()}: the built page holds a script storymap did "
                f"not write ({shown!r}). A value from a data file or chapter reached the page "
                "unescaped; the site was not replaced. Find the value in the data and report "
                "this as a bug."
            )
        secured = add_policy(text, origins)
        if secured != text:
            path.write_text(secured, "utf-8")
            changed += 1
    return changed
