"""build(config) runs the stages in order; check(config) runs all but the writing.

    config ─► data checks ─► geography ─► indicators ─► map assets ─► chapters ─► profiles
           ─► site (MkDocs) ─► page weight ─► swap into out/

Each stage takes its result from the stage cache (storymap.stagecache) while the inputs it reads
are unchanged, so a rebuild redoes only what changed: after one chapter is edited, that chapter is
rendered, MkDocs rebuilds its page (storymap.sitecache) and the page-weight check measures only
the pages that changed (storymap.weightcache). The site is built in a temporary folder beside
``out`` and swapped in only when every stage has succeeded; new cache entries are kept only then
too, so a failed or interrupted build leaves the previous site and cache as they were.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from storymap.chapters import ChapterContext, render_chapter
from storymap.config import Config, chapter_slug
from storymap.datachecks import CheckReport, check_inputs
from storymap.errors import StorymapError
from storymap.geography import Geography, load_geography
from storymap.indicators import IndicatorResult, compute_indicators
from storymap.maps import MapAssets, palette_for, write_map_assets
from storymap.method import checks_page, method_page
from storymap.outdir import check_output_dir, clean_leftovers, swap_in, work_folder
from storymap.riskindex import IndexResult, compute_index
from storymap.security import recording_trust, secure_site, trust
from storymap.site import Page, finish_site
from storymap.sitecache import publish_site
from storymap.stagecache import Keys, StageCache
from storymap.staticmap import StaticMaps
from storymap.weight import PageWeight, check_weights, summary
from storymap.weightcache import WeightMemo

Report = Callable[[str], None]
T = TypeVar("T")
ABOUT = "About the data"

# What each cached stage reads from the config, besides the data files and storymap's own code.
CHECKS_READ = ("sources", "geography", "indicators", "index", "site.area")
GEOGRAPHY_READ = ("sources", "geography", "site.area")
INDICATORS_READ = ("sources", "geography", "indicators", "index", "maps", "site.area")
ALL = ("*",)  # chapters and profile pages may use any of it


@dataclass
class BuildResult:
    out: Path
    pages: int
    maps: int
    timings: dict[str, float] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)  # stage -> "cached", "1 of 10 rendered"
    made: list[str] = field(default_factory=list)  # stage cache entries made afresh, in order
    reused: list[str] = field(default_factory=list)  # stage cache entries read from the cache


class Stages:
    """Times each stage, notes what it took from the cache, and reports it as it finishes."""

    def __init__(self, report: Report | None, cache: StageCache):
        self.report = report or (lambda _msg: None)
        self.cache = cache
        self.timings: dict[str, float] = {}
        self.notes: dict[str, str] = {}
        self._current = ""

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        self._current = name
        made, reused = len(self.cache.made), len(self.cache.reused)
        start = time.perf_counter()
        yield
        self.timings[name] = time.perf_counter() - start
        if len(self.cache.made) == made and len(self.cache.reused) > reused:
            self.notes.setdefault(name, "cached")
        note = f", {self.notes[name]}" if name in self.notes else ""
        self.report(f"{name} ({self.timings[name]:.1f} s{note})")

    def note(self, text: str) -> None:
        self.notes[self._current] = text

    def result(self, out: Path, pages: int, maps: int) -> BuildResult:
        cache = self.cache
        return BuildResult(out, pages, maps, self.timings, self.notes, cache.made, cache.reused)


def build(config: Config, out: Path, report: Report | None = None) -> BuildResult:
    out = check_output_dir(config, out)
    keys, stages = Keys(config), Stages(report, StageCache(config))
    cache = stages.cache
    try:
        checks, geo, results, index = compute(config, stages, keys)
        with work_folder(out) as work:
            docs, site = work / "docs", work / "site"
            with stages.stage("write map geometry and data"):
                assets = cache.get_files("map-assets", keys.of(INDICATORS_READ),
                                         lambda d: write_map_assets(config, geo, results, d),
                                         docs, work)
            with stages.stage("render chapters"):
                static = static_maps(config, geo, cache, keys)
                pages, n_maps, files = render_pages(config, geo, results, assets, static, index,
                                                    checks, cache, keys)
                write_files(docs, files)
                stages.note(f"{sum(n.startswith('chapter-') for n in cache.made)} of "
                            f"{len(config.chapters) + 1} chapters rendered")
            with stages.stage("ward and borough pages, downloads"):
                pages += retrusted(cache.get_files(
                    "profiles", keys.of(ALL),
                    with_trust(lambda d: profiles(config, geo, results, d)), docs, work))
            with stages.stage("build site"):
                done = publish_site(config, pages, assets.styles, docs, site,
                                    finisher(config, pages))
                stages.note(f"MkDocs rebuilt {done['written']} of {done['pages']} pages"
                            if done["dirty"] else "MkDocs built every page")
            with stages.stage("check page weight"):
                stages.report(summary(weigh(config, site, stages, keys)))
            cache.commit()
            swap_in(site, out)
    finally:
        cache.discard()
    return stages.result(out, len(pages), n_maps)


def compute(
    config: Config, stages: Stages, keys: Keys
) -> tuple[CheckReport, Geography, dict[str, IndicatorResult], IndexResult]:
    """The stages every command shares: check the inputs, read the geography, compute figures."""
    cache = stages.cache
    with stages.stage("check input data"):
        checks = cache.get("checks", keys.of(CHECKS_READ), lambda: check_inputs(config))
    with stages.stage("read boundaries and lookups"):
        geo = cache.get("geography", keys.of(GEOGRAPHY_READ), lambda: load_geography(config))
    with stages.stage("compute indicators and risk index"):
        results, index = cache.get("indicators", keys.of(INDICATORS_READ),
                                   lambda: indicators(config, geo))
    return checks, geo, results, index


def check(config: Config, report: Report | None = None) -> BuildResult:
    """Validate config, data and chapters without writing a site (nor the stage cache)."""
    stages = Stages(report, StageCache(config, writable=False))
    checks, geo, results, index = compute(config, stages, Keys(config))
    with stages.stage("render chapters"):
        pages, n_maps, _files = render_pages(
            config, geo, results, None, None, index=index, checks=checks
        )
    return stages.result(Path(), len(pages), n_maps)


def indicators(config: Config, geo: Geography) -> tuple[dict[str, IndicatorResult], IndexResult]:
    results = compute_indicators(config, geo)
    return results, compute_index(config, geo, results)


def static_maps(
    config: Config, geo: Geography, cache: StageCache, keys: Keys
) -> Callable[[], StaticMaps]:
    """The static map maker, made (or read from the cache) when a chapter first needs it."""
    palette = palette_for(config)
    externals = {"geo": geo, "palette": palette}  # the running build's own, not pickled
    return functools.cache(lambda: cache.get("static-maps", keys.of(GEOGRAPHY_READ),
                                             lambda: StaticMaps(geo, palette), externals))


def profiles(
    config: Config, geo: Geography, results: dict[str, IndicatorResult], folder: Path
) -> list[Page]:
    """Ward and borough pages; their download files are written into ``folder``."""
    from storymap.profiles import profile_pages, write_profile_files

    write_profile_files(config, geo, results, folder)
    return profile_pages(config, geo, results)


def finisher(config: Config, pages: list[Page]) -> Callable[[Path], None]:
    """What is done to freshly built files in a folder: each page gets its CSP, then the search
    index and the sitemap are made small and reproducible."""

    def finish(folder: Path) -> None:
        secure_site(config, folder)
        finish_site(folder, pages)

    return finish


def weigh(config: Config, site: Path, stages: Stages, keys: Keys) -> list[PageWeight]:
    """Check every page's weight, measuring afresh only what changed since the last build."""
    _found, stored = stages.cache.load("page-weight", keys.code)
    memo = WeightMemo(stored)
    weights = check_weights(config, site, memo)
    stages.cache.store("page-weight", keys.code, memo.stored())
    stages.note(f"{memo.parsed} of {len(weights)} pages measured afresh")
    return weights


def with_trust(make: Callable[..., T]) -> Callable[..., tuple[T, list[str]]]:
    """``make`` returning, with its value, the inline scripts it marked as storymap's own, so
    the value can be kept in the cache and the scripts trusted again when it is reused."""

    def run(*args: object) -> tuple[T, list[str]]:
        with recording_trust() as scripts:
            value = make(*args)
        return value, sorted(scripts)

    return run


def retrusted(made: tuple[T, list[str]]) -> T:
    """The value of a :func:`with_trust` function, its scripts trusted (again)."""
    value, scripts = made
    for script in scripts:
        trust(script)
    return value


@dataclass
class Chapter:
    """A rendered chapter: its page, the files it uses and its number of maps."""

    page: Page
    files: dict[str, str]
    maps: int


def render_pages(
    config: Config,
    geo: Geography,
    results: dict[str, IndicatorResult],
    assets: MapAssets | None,
    static: Callable[[], StaticMaps] | None,
    index: IndexResult | None = None,
    checks: CheckReport | None = None,
    cache: StageCache | None = None,
    keys: Keys | None = None,
) -> tuple[list[Page], int, dict[str, str]]:
    """Markdown pages, the number of maps, and extra files (docs path -> text) they use. With a
    ``cache``, a chapter is rendered only if its file or anything else it reads changed."""
    pages: list[Page] = []
    files: dict[str, str] = {}
    n_maps = 0
    entries = [("index", config.home, "Home", None)] + [
        (chapter_slug(ch), ch.file, ch.title, "The story") for ch in config.chapters
    ]
    for entry in entries:
        make = functools.partial(render_one, config, geo, results, assets, static, entry)
        if cache is None or keys is None:
            chapter = make()
        else:
            key = keys.of(ALL, chapter_bytes(config, entry[1]), entry, assets)
            chapter = retrusted(cache.get(f"chapter-{entry[0]}", key, with_trust(make)))
        pages.append(chapter.page)
        files.update(chapter.files)
        n_maps += chapter.maps
    if index is not None:
        markdown = method_page(config, geo, index)
        pages.append(Page("method.md", "How the risk index is built", markdown, ABOUT))
    if checks is not None:
        pages.append(Page("data-checks.md", "Data checks", checks_page(config, checks), ABOUT))
    return pages, n_maps, files


def render_one(
    config: Config,
    geo: Geography,
    results: dict[str, IndicatorResult],
    assets: MapAssets | None,
    static: Callable[[], StaticMaps] | None,
    entry: tuple[str, str, str, str | None],
) -> Chapter:
    """One chapter (or the home page): ``entry`` is its slug, file, title and nav section."""
    slug, file, title, section = entry
    ctx = ChapterContext(config, geo, results, assets, "", slug, static() if static else None)
    markdown = render_chapter(config, file, ctx, extra={"chapters": chapter_links(config)})
    wide = any(m.map_id.endswith("_story") for m in ctx.maps)
    page = Page(f"{slug}.md", title, markdown, section, wide)
    return Chapter(page, dict(ctx.files), len(ctx.maps))


def chapter_bytes(config: Config, file: str) -> bytes:
    path = config.resolve(file)
    return path.read_bytes() if path.is_file() else b"(missing)"


def write_files(docs: Path, files: dict[str, str]) -> None:
    for rel, text in sorted(files.items()):
        target = docs / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def chapter_links(config: Config) -> list[dict[str, str]]:
    return [{"title": ch.title, "href": f"{chapter_slug(ch)}.html"} for ch in config.chapters]


__all__ = ["build", "check", "BuildResult", "StorymapError", "check_output_dir", "clean_leftovers",
           "swap_in"]
