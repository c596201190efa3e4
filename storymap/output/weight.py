"""Page weight: the bytes a reader's browser downloads to open each page, gzip-compressed.

In: a built site folder and the config's ``budgets:``. Out: a :class:`PageWeight` for every HTML
page, and a :class:`StorymapError` naming each page over its budget.

What a page loads is read from its HTML, as a browser would on opening it: the page itself; the
scripts, stylesheets, icons and images (not ``loading="lazy"`` ones) it names; fonts named by
``@font-face`` or ``@import`` in those stylesheets. What one search fetches (the search code, the
page index named by the search box's ``data-index`` and the largest file of its sharded place
index, see :func:`search_loads`) is loaded only when a reader uses the box if the page runs
``assets/storymap/theme.js``; otherwise it counts as loaded with the page. Every file is
measured gzip-compressed (level 6, as web servers commonly send it).

- *cold*: nothing cached, the page read first.
- *warm*: the page read after another page of the site; a file that any other page also loads
  counts as cached, so what remains is the HTML and files only this page uses.
"""

from __future__ import annotations

import functools
import gzip
import html
import re
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from posixpath import dirname, normpath
from urllib.parse import unquote, urlsplit

from storymap.config import BudgetsSection, Config
from storymap.errors import StorymapError
from storymap.pages.urls import BOROUGHS, WARDS

KB = 1000
LAZY_SEARCH = "assets/storymap/theme.js"
MAP_SCRIPT = re.compile(r"(^|/)assets/storymap/storymap\.js$")  # the live map

NOSCRIPT = re.compile(r"<noscript\b.*?</noscript\s*>", re.I | re.S)
TAG = re.compile(r"<(script|link|img)\b([^>]*)>", re.I)
ATTR = re.compile(r"""([a-zA-Z_:][-\w:.]*)\s*(?:=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")
SEARCH_FORM = re.compile(r'<form\b[^>]*\bdata-index="([^"]+)"[^>]*>')  # the theme's search box
CSS_URL = re.compile(r"""@import\s+(?:url\()?\s*['"]?([^'")\s;]+)|@font-face\s*{[^}]*}""", re.I)
FONT_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""")


@dataclass
class PageWeight:
    page: str  # site-relative path, e.g. "wards/camden/E05013660.html"
    html: int  # gzip bytes of the page itself
    files: dict[str, int] = field(default_factory=dict)  # site path -> gzip bytes, loaded with it
    on_demand: dict[str, int] = field(default_factory=dict)  # loaded when search is opened
    external: list[str] = field(default_factory=list)  # URLs outside the site (should be none)
    warm: int = 0  # gzip bytes with the files other pages share already cached

    @property
    def cold(self) -> int:
        return self.html + sum(self.files.values())

    @property
    def has_map(self) -> bool:
        return any(MAP_SCRIPT.search(f) for f in self.files)

    @property
    def kind(self) -> str:
        if self.page.startswith(WARDS):
            return "ward"
        if self.page.startswith(BOROUGHS):
            return "borough"
        return "map page" if self.has_map else "page"

    def by_type(self) -> dict[str, int]:
        """Cold bytes by kind of file: html, scripts, styles, images, fonts, data."""
        out = {"html": self.html}
        for path, size in self.files.items():
            key = _file_type(path)
            out[key] = out.get(key, 0) + size
        return out


def _file_type(path: str) -> str:
    suffix = Path(path).suffix.lower()
    return {
        ".js": "scripts",
        ".css": "styles",
        ".json": "data",
        ".woff": "fonts",
        ".woff2": "fonts",
        ".ttf": "fonts",
        ".otf": "fonts",
    }.get(suffix, "images")


class _Sizes:
    """gzip sizes of site files, each compressed once (or found in ``memo``)."""

    def __init__(self, site: Path, memo=None):
        self.site = site
        self.memo = memo
        self.cache: dict[str, int | None] = {}

    def __call__(self, rel: str) -> int | None:
        if rel not in self.cache:
            path = self.site / rel
            self.cache[rel] = gz_size(path.read_bytes(), self.memo) if path.is_file() else None
        return self.cache[rel]


def gz_size(data: bytes, memo=None) -> int:
    """gzip bytes of ``data``; a ``memo`` (storymap.output.weightmemo) reuses earlier
    measurements."""
    if memo is not None:
        return memo.gz_size(data, gz_size)
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def _attrs(text: str) -> dict[str, str]:
    return {k.lower(): v.strip("\"'") if v else "" for k, v in ATTR.findall(text)}


def _resolve(base: str, url: str) -> str | None:
    """Site-relative path of ``url`` used in site file ``base``; None for an external URL."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None if parts.scheme not in ("data", "blob") else ""
    path = unquote(parts.path)
    if not path:
        return ""
    # plain strings, not Path: this runs a hundred times a page (0.5 s of a 729-page check)
    joined = path.lstrip("/") if path.startswith("/") else f"{dirname(base) or '.'}/{path}"
    rel = normpath(joined)
    return "" if rel == "." else rel


Largest = dict[str, tuple[str, list[Path]]]  # folder -> (its largest .json file, its .json files)


def page_loads(
    site: Path, page: str, text: str, largest: Largest | None = None
) -> tuple[list[str], list[str], list[str]]:
    """(files loaded with the page, files loaded when search opens, external URLs).
    ``largest``: what one measuring of the site found of the place index's folder so far."""
    files: list[str] = []
    external: list[str] = []

    def add(url: str, base: str = page) -> None:
        rel = _resolve(base, url)
        if rel is None:
            external.append(url)
        elif rel and rel not in files:
            files.append(rel)

    for tag, raw in TAG.findall(NOSCRIPT.sub("", text)):  # <noscript> loads only without JS
        a = _attrs(raw)
        tag = tag.lower()
        if tag == "script" and a.get("src"):
            add(a["src"])
        elif tag == "link" and a.get("href"):
            rel = set(a.get("rel", "").lower().split())
            if rel & {"stylesheet", "icon", "preload", "modulepreload"}:
                add(a["href"])
        elif tag == "img" and a.get("src") and a.get("loading", "").lower() != "lazy":
            add(a["src"])
    for css in [f for f in files if f.endswith(".css")]:
        path = site / css
        if path.is_file():
            for url in _css_loads(path.read_text("utf-8", errors="replace")):
                add(url, css)
    on_demand: list[str] = []
    search = SEARCH_FORM.search(text)
    if search:
        lazy = any(f.endswith(LAZY_SEARCH) for f in files)
        (on_demand if lazy else files).extend(search_loads(site, page, search.group(0), largest))
    return files, on_demand, external


def search_loads(site: Path, page: str, form: str, largest: Largest | None = None) -> list[str]:
    """The files the heaviest place-name search fetches: the search code (``data-script``),
    the pages' titles (``data-titles``; a box without them: the page index, ``data-index``) and
    the largest place file (``data-places``: a name search fetches the one of its first letter)
    and the largest place-name file (``data-names``: the one of its first three letters).
    A postcode search fetches less (the outward-code list and one outward code's file;
    tests/test_places.py holds that), so it is not counted; a query naming no place fetches the
    whole page index, the cost of reading every page's text, which is not a place query's.
    Only the place files are looked at here, so a chapter edit (which changes the page index)
    does not make every page be measured again."""
    a = _attrs(form[len("<form") : -1])
    script = _resolve(page, html.unescape(a.get("data-script", ""))) if a.get("data-script") else ""
    # a name search fetches the pages' titles (data-titles), or, where a search box has none,
    # the whole page index (data-index); the whole index comes only for a query naming no place
    titles = a.get("data-titles") or a.get("data-index", "")
    index = _resolve(page, html.unescape(titles))
    seen = {} if largest is None else largest
    places = _largest(site, page, a.get("data-places"), seen)
    names = _largest(site, page, a.get("data-names"), seen)
    return [f for f in (script, index, places, names) if f]


def _largest(site: Path, page: str, folder: str | None, seen: Largest) -> str:
    """Site path of the .json file in ``folder`` (a URL used on ``page``) largest gzip-compressed,
    or ''."""
    rel = _resolve(page, html.unescape(folder)) if folder else None
    if not rel or not (site / rel).is_dir():
        return ""
    known = seen.get(rel)
    if known is not None:  # every page names the same folder: its files compressed once per
        # measuring, not once per page (7,000 pages: 150 s)
        note = getattr(site, "note_paths", None)  # a memo watching ``site`` notes what the
        if note is not None:  # page's loads depend on, as if they were read again
            note([site / rel, *known[1]])
        return known[0]
    files = sorted((site / rel).glob("*.json"))
    found = [(gz_size(p.read_bytes()), p.name) for p in files]
    largest = f"{rel}/{max(found)[1]}" if found else ""
    seen[rel] = (largest, [Path(p) for p in files])
    return largest


def _css_loads(css: str) -> list[str]:
    urls = []
    for m in CSS_URL.finditer(css):
        if m.group(1):
            urls.append(m.group(1))
        else:
            urls += FONT_URL.findall(m.group(0))
    return urls


def measure_site(site: Path, memo=None) -> list[PageWeight]:
    """The weight of every HTML page in ``site``, sorted by path. A ``memo`` kept from an
    earlier build (storymap.output.weightmemo) skips the work done before on the same bytes."""
    sizes = _Sizes(site, memo)
    largest: Largest = {}  # the place index's folder, as this run found it
    weights: list[PageWeight] = []
    with ThreadPoolExecutor(2) as pool:
        for page, raw, html_size in _html_sizes(site, memo, pool):

            def parse(where: Path = site, page: str = page, raw: bytes = raw) -> tuple[list, ...]:
                return page_loads(where, page, raw.decode("utf-8", "replace"), largest)

            files, on_demand, external = (
                parse() if memo is None else memo.page_loads(site, page, raw, parse)
            )
            weights.append(
                PageWeight(
                    page=page,
                    html=html_size(),
                    files={f: s for f in files if (s := sizes(f)) is not None},
                    on_demand={f: s for f in on_demand if (s := sizes(f)) is not None},
                    external=external,
                )
            )
    users: dict[str, int] = {}
    for w in weights:
        for f in w.files:
            users[f] = users.get(f, 0) + 1
    for w in weights:
        w.warm = w.html + sum(s for f, s in w.files.items() if users[f] == 1)
    return weights


def _html_sizes(site: Path, memo, pool: ThreadPoolExecutor, chunk: int = 64):
    """(site path, bytes, gzip size when called) of each HTML page of ``site``, sorted. The
    pages are read ``chunk`` at a time (not all held at once: 7,000 pages) and those the memo
    does not know are compressed in ``pool`` meanwhile: zlib lets other threads run while it
    compresses, so on two cores the compressing is done beside the reading of pages' loads."""
    paths = sorted(site.rglob("*.html"))
    for start in range(0, len(paths), chunk):
        batch = [
            (p.relative_to(site).as_posix(), p.read_bytes()) for p in paths[start : start + chunk]
        ]
        jobs = [
            pool.submit(gz_size, raw) if memo is None or memo.known_size(raw) is None else None
            for _, raw in batch
        ]
        for (page, raw), job in zip(batch, jobs, strict=True):
            yield page, raw, functools.partial(_size, raw, memo, job)


def _size(raw: bytes, memo, job: Future | None) -> int:
    """The gzip size of ``raw``: ``job``'s, kept in the memo if there is one (which knows it
    already where there is no job)."""
    if memo is None:
        return job.result()
    return memo.gz_size(raw, lambda _data: job.result())


@dataclass
class Limit:
    key: str  # the budgets: key
    what: str
    kb: float


def limits_for(budgets: BudgetsSection, w: PageWeight) -> list[tuple[Limit, int]]:
    """Each budget that applies to page ``w``, with the bytes it is held to."""
    if w.kind == "ward":
        cold = Limit("ward_kb", "read cold, ward pages", budgets.ward_kb)
    elif w.kind == "borough":
        cold = Limit("borough_kb", "read cold, borough pages", budgets.borough_kb)
    elif w.has_map:
        cold = Limit("map_page_kb", "read cold, pages with a map", budgets.map_page_kb)
    else:
        cold = Limit("page_kb", "read cold, other pages without a map", budgets.page_kb)
    out = [
        (cold, w.cold),
        (Limit("cached_kb", "read after another page", budgets.cached_kb), w.warm),
    ]
    if w.on_demand:
        out.append(
            (
                Limit("search_kb", "loaded when search opens", budgets.search_kb),
                sum(w.on_demand.values()),
            )
        )
    return out


def over_budget(budgets: BudgetsSection, weights: list[PageWeight]) -> list[str]:
    """One line per budget broken, naming the pages (at most five) and the heaviest."""
    broken: dict[str, list[tuple[int, PageWeight, Limit]]] = {}
    for w in weights:
        for limit, size in limits_for(budgets, w):
            if size > limit.kb * KB:
                broken.setdefault(limit.key, []).append((size, w, limit))
    lines = []
    for key, items in broken.items():
        items.sort(key=lambda x: (-x[0], x[1].page))
        size, heaviest, limit = items[0]
        names = ", ".join(w.page for _, w, _ in items[:5])
        more = f" and {len(items) - 5} more" if len(items) > 5 else ""
        parts = ", ".join(f"{k} {kb(v)}" for k, v in heaviest.by_type().items())
        lines.append(
            f"page weight: {names}{more}: over the {limit.kb:g} KB budget ({limit.what}; "
            f"budgets.{key} in site_config.yml). Heaviest: {heaviest.page}, {kb(size)} "
            f"gzip ({parts}). Make the page lighter or raise the budget."
        )
    return lines


def kb(size: int) -> str:
    return f"{size / KB:.1f} KB"


def check_weights(config: Config, site: Path, memo=None) -> list[PageWeight]:
    """Measure every page; raise StorymapError listing each budget broken."""
    weights = measure_site(site, memo)
    problems = over_budget(config.budgets, weights)
    if problems:
        raise StorymapError(problems if len(problems) > 1 else problems[0])
    return weights


def summary(weights: list[PageWeight]) -> str:
    """'map page 201.3 KB cold / 8.1 KB warm, ...': the heaviest page of each kind."""
    parts = []
    for kind in ("map page", "page", "ward", "borough"):
        group = [w for w in weights if w.kind == kind]
        if group:
            cold = max(w.cold for w in group)
            warm = max(w.warm for w in group)
            parts.append(f"{kind} {kb(cold)} cold / {kb(warm)} warm")
    search = max((sum(w.on_demand.values()) for w in weights), default=0)
    if search:
        parts.append(f"search {kb(search)} on opening")
    return "heaviest " + ", ".join(parts)
