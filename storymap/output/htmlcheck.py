"""Check what is built, not what is written: every finished page is parsed as a browser would.

In: the Config, a folder of freshly finished pages and the pages they came from. Out: nothing, or
a StorymapError naming, for each offending page, the chapter file it was made from (or that it was
made from the data), what was found and the fix. The build stops before the site is swapped in,
so the previous site is kept.

Pages are parsed with Lexbor (the ``selectolax`` package), an HTML5 parser that follows the
WHATWG specification, so entities are decoded, attributes split and foreign (SVG, MathML)
content read exactly as in a browser, however the markup got there: raw HTML in a chapter,
``{: onclick=… }`` attribute lists, a Jinja comment splitting a word, entity-encoded URLs or a
value from a data file. Checking a whole built site of 726 pages (25 MB) this way takes about
1.3 s here (parsing alone 0.7 s; ``bench/bench_htmlcheck.py`` prints both); html5lib, in pure
Python, took 1.3 s to parse only 60 of the pages (about 16 s for the site, extrapolated).

A page is refused if it holds:

- an event-handler attribute (``onclick``, ``onerror``, SVG's ``onbegin``…);
- a ``javascript:``, ``vbscript:`` or ``data:`` URL in a link, a source or an SVG animation value
  (the site's own empty icon, ``<link rel="icon" href="data:,">``, aside);
- ``<iframe>``, ``<frame>``, ``<object>``, ``<embed>``, ``<applet>``, ``<portal>`` or ``<base>``;
- a ``<meta http-equiv>`` other than the one Content-Security-Policy storymap adds;
- a form (``action``, ``formaction``) that sends to another host;
- a resource (image, script, stylesheet, media, CSS ``url()``, ``ping``) from another host than
  the site's own, unless the config allows that host (``maps.basemap.url``'s tile host).

Links (``<a href>``) to other sites are fine: they load nothing until the reader follows them.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from storymap.config import Config
from storymap.engine.fork import Beside, can_fork
from storymap.errors import StorymapError
from storymap.output.csp import extra_image_origins, policy
from storymap.pages.page import Page
from storymap.pages.urls import HOME, chapter_doc, html_path

FORBIDDEN_TAGS = {
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "portal",
    "fencedframe",
    "base",
}
URL_ATTRS = {
    "href",
    "xlink:href",
    "src",
    "action",
    "formaction",
    "data",
    "poster",
    "cite",
    "background",
    "longdesc",
    "manifest",
    "icon",
    "codebase",
    "lowsrc",
    "dynsrc",
}
LOADED_ATTRS = {
    "src",
    "data",
    "poster",
    "background",
    "icon",
    "codebase",
    "lowsrc",
    "dynsrc",
    "manifest",
}
SVG_LOADS_HREF = {"image", "use", "feimage", "script", "pattern", "filter", "mpath"}
ANIMATION = {"set", "animate", "animatetransform", "animatemotion"}
NAVIGATION_RELS = {
    "canonical",
    "alternate",
    "next",
    "prev",
    "author",
    "license",
    "help",
    "search",
    "bookmark",
    "me",
    "nofollow",
    "noopener",
    "noreferrer",
}
# Attributes of the site's own markup that can hold neither script nor a URL (skipped quickly).
PLAIN_ATTRS = {
    "class",
    "id",
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "cx",
    "cy",
    "r",
    "d",
    "fill",
    "stroke",
    "stroke-width",
    "stroke-linejoin",
    "font-size",
    "text-anchor",
    "scope",
    "role",
    "width",
    "height",
    "viewbox",
    "xmlns",
    "title",
    "alt",
    "lang",
    "aria-label",
    "aria-hidden",
    "aria-current",
    "aria-live",
    "data-code",
    "data-sort",
    "data-sort-type",
    "tabindex",
    "type",
    "name",
    "for",
    "charset",
}
BAD_SCHEMES = ("javascript", "vbscript", "data", "livescript")
SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
STRIPPED = re.compile(r"[\t\n\r]")
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""", re.IGNORECASE)
MAX_LISTED = 12
C0_AND_SPACE = "".join(map(chr, range(33)))


def scheme_of(url: str) -> str:
    """The URL's scheme as a browser reads it: tabs and newlines anywhere are dropped, leading
    spaces and control characters too; '' for a relative URL."""
    if ":" not in url:
        return ""  # no scheme without a colon: a relative URL (most of a site's)
    cleaned = STRIPPED.sub("", url).lstrip(C0_AND_SPACE).lower()
    match = SCHEME.match(cleaned)
    return match.group(1) if match else ""


class Rules:
    """What the config allows: its own site's host and the basemap's tile hosts."""

    def __init__(self, config: Config):
        self.origins = extra_image_origins(config)
        self.policy = policy(self.origins)
        hosts = [urlsplit(o).hostname or "" for o in self.origins]
        own = urlsplit(config.site.url or "").hostname
        self.hosts = [h for h in [*hosts, own] if h]

    def allowed_host(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        for allowed in self.hosts:
            if allowed.startswith("*."):
                if host.endswith(allowed[1:]):
                    return True
            elif host == allowed:
                return True
        return False

    def foreign(self, url: str) -> str | None:
        """The other host (or scheme) ``url`` loads from, or None if it is the site's own."""
        cleaned = STRIPPED.sub("", url).strip()
        scheme = scheme_of(cleaned)
        if scheme and scheme not in ("http", "https"):
            return f"{scheme}:"
        if scheme or cleaned.startswith(("//", "\\\\", "/\\", "\\/")):
            host = urlsplit(cleaned.replace("\\", "/")).hostname or ""
            return None if self.allowed_host(host) else (host or cleaned[:40])
        return None


def page_problems(text: str, rules: Rules) -> list[str]:
    """What is wrong with one built page (empty: nothing)."""
    found: list[str] = []
    policies = 0
    for node in LexborHTMLParser(text).root.traverse(include_text=False):
        tag = (node.tag or "").lower()
        raw = node.attributes
        if tag in FORBIDDEN_TAGS:
            found.append(f"a <{tag}> element")
        if tag == "style":
            found += _css_problems("a <style> element", node.text(deep=True), rules)
        if not raw:
            continue
        attrs = {k.lower(): v or "" for k, v in raw.items()}
        for name, value in attrs.items():
            if name in PLAIN_ATTRS:
                continue
            if name.startswith("on") and len(name) > 2:
                found.append(f"an event handler {name}= on <{tag}>")
            elif name in URL_ATTRS or name.endswith(":href"):
                found += _url_problems(tag, name, value, attrs, rules)
            elif name in ("srcset", "imagesrcset"):
                for url in _srcset(value):
                    found += _url_problems(tag, "src", url, attrs, rules)
            elif name == "ping":
                found += [
                    f"ping= sending clicks to {host}"
                    for host in filter(None, map(rules.foreign, value.split()))
                ]
            elif name == "style":
                found += _css_problems(f"a style= on <{tag}>", value, rules)
            elif tag in ANIMATION and name in ("to", "from", "values", "by"):
                for part in value.split(";"):
                    if scheme_of(part) in BAD_SCHEMES:
                        found.append(f"an SVG <{tag}> setting a {scheme_of(part)}: URL")
        if tag == "meta" and "http-equiv" in attrs:
            equiv = attrs["http-equiv"].strip().lower()
            if equiv == "content-security-policy" and attrs.get("content") == rules.policy:
                policies += 1
            else:
                found.append(f'<meta http-equiv="{attrs["http-equiv"][:40]}">')
    if policies > 1:
        found.append("a second Content-Security-Policy")
    return list(dict.fromkeys(found))


def _url_problems(
    tag: str, name: str, value: str, attrs: dict[str, str], rules: Rules
) -> list[str]:
    scheme = scheme_of(value)
    rels = set(attrs.get("rel", "").lower().split())
    if scheme in BAD_SCHEMES:
        if tag == "link" and "icon" in rels and value.strip() == "data:,":
            return []  # the theme's empty icon, which spares a request for /favicon.ico
        return [f"a {scheme}: URL in {name}= on <{tag}>"]
    if name in ("action", "formaction"):
        other = rules.foreign(value)
        return [f"a form sending to {other}"] if other else []
    loads = (
        name in LOADED_ATTRS
        or (tag == "link" and not rels <= NAVIGATION_RELS)
        or (name.endswith("href") and tag in SVG_LOADS_HREF)
    )
    other = rules.foreign(value) if loads else None
    return [f"<{tag} {name}=…> loading from {other}"] if other else []


def _srcset(value: str) -> list[str]:
    return [part.strip().split()[0] for part in value.split(",") if part.strip()]


def _css_problems(where: str, css: str, rules: Rules) -> list[str]:
    out = []
    for match in CSS_URL.finditer(css):
        url = match.group(1) or match.group(2)
        if scheme_of(url) in ("javascript", "vbscript"):
            out.append(f"{where} with a {scheme_of(url)}: URL")
        elif scheme_of(url) != "data" and rules.foreign(url):
            out.append(f"{where} loading from {rules.foreign(url)}")
    return out


def page_sources(config: Config, pages: list[Page]) -> dict[str, str]:
    """Built page path -> the file it was made from, for the pages made from chapter files."""
    sources = {html_path(HOME): config.home}
    sources.update({html_path(chapter_doc(ch)): ch.file for ch in config.chapters})
    return {
        html_path(p.path): sources[html_path(p.path)] for p in pages if html_path(p.path) in sources
    }


def check_built_pages(config: Config, folder: Path, pages: list[Page]) -> int:
    """Check every page under ``folder``; raise StorymapError listing each refused page. Returns
    the number of pages checked."""
    rules = Rules(config)
    paths = sorted(folder.rglob("*.html"))
    found = {}
    for path in paths:
        problems = page_problems(path.read_text("utf-8", errors="replace"), rules)
        if problems:
            found[path.relative_to(folder).as_posix()] = problems
    raise_if_refused(config, pages, found)
    return len(paths)


def raise_if_refused(config: Config, pages: list[Page], found: dict[str, list[str]]) -> None:
    """Raise StorymapError naming each page of ``found`` (site path -> what is wrong with it)
    and the file it was made from, if any."""
    sources = page_sources(config, pages)
    problems: list[str] = []
    for rel, items in sorted(found.items()):
        what = "; ".join(items[:4]) + (f"; and {len(items) - 4} more" if len(items) > 4 else "")
        if rel in sources:
            problems.append(
                f"{sources[rel]}: the built page {rel} holds {what}. Chapters may not run script, "
                "load from other hosts or send forms elsewhere, however the markup is written "
                "(raw HTML, {: … } attribute lists, entities or a value from a data file). "
                "Remove it; the site was not replaced."
            )
        else:
            problems.append(
                f"{rel}: the built page holds {what}. This page is made from the data files and "
                f"{config.path.name}, so a value in them (a name, a title, the attribution) holds "
                "markup. Remove it there; the site was not replaced."
            )
    if problems:
        shown = problems[:MAX_LISTED]
        if len(problems) > MAX_LISTED:
            shown.append(f"… and {len(problems) - MAX_LISTED} more pages like these.")
        raise StorymapError(shown)


class Checker:
    """Checks built pages as MkDocs writes them (:func:`page_problems`). The first ``INLINE``
    pages of a round are checked here; from then on (a cold build's hundreds of pages) they are
    sent to a second process that checks them while MkDocs goes on, where forking is safe
    (:mod:`storymap.engine.fork`). :meth:`found` ends the round and returns the problems of
    every page checked so far, by page."""

    INLINE = 40

    def __init__(self, rules: Rules):
        self.rules = rules
        self.problems: dict[str, list[str]] = {}
        self.count = 0
        self.beside: Beside | None = None

    def add(self, text: str, where: str) -> None:
        self.count += 1
        if self.beside is None and self.count > self.INLINE and can_fork():
            self.beside = Beside(functools.partial(_check_pages, self.rules), inbox=True)
        if self.beside is not None:
            self.beside.send((text, where))
            return
        problems = page_problems(text, self.rules)
        if problems:
            self.problems[where] = problems

    def found(self) -> dict[str, list[str]]:
        if self.beside is not None:
            beside, self.beside = self.beside, None
            try:
                self.problems.update(beside.result())
            finally:
                beside.stop()
        self.count = 0
        return self.problems


def _check_pages(rules: Rules, items) -> dict[str, list[str]]:
    """The second process: check each page sent, and give back the problems by page."""
    found: dict[str, list[str]] = {}
    for text, where in items:
        problems = page_problems(text, rules)
        if problems:
            found[where] = problems
    return found
