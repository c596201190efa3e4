"""build(config) runs the stages in order; check(config) runs all but the writing.

    config ─► data checks ─► geography ─► indicators ─► map assets ─► chapters ─► profiles
           ─► site (MkDocs) ─► page weight ─► swap into out/

Each stage's result comes from the build's store (storymap.site.cache) while the inputs it reads
are unchanged, so a rebuild redoes only what changed: after one chapter is edited, that chapter
is rendered, MkDocs rebuilds its page (storymap.site.incremental) and the page-weight check
measures only the pages that changed. The site is built in a temporary folder beside ``out`` and
swapped in only when every stage has succeeded; new cache entries are kept only then too, so a
failed or interrupted build leaves the previous site and cache as they were.
"""

from __future__ import annotations

import functools
from pathlib import Path

from storymap.config import Config
from storymap.data.checks import CheckReport, check_inputs
from storymap.errors import StorymapError
from storymap.figures.geography import Geography, load_geography
from storymap.figures.indicators import IndicatorResult, compute_indicators
from storymap.figures.riskindex import IndexResult, compute_index
from storymap.pages.maps import palette_for, write_map_assets
from storymap.pages.profiles import write_profiles
from storymap.pages.staticmap import StaticMaps
from storymap.pages.story import render_pages, write_files
from storymap.site.finish import finisher
from storymap.site.incremental import publish_site
from storymap.site.outdir import check_output_dir, clean_leftovers, swap_in, work_folder
from storymap.site.stages import BuildResult, Report, Stages
from storymap.site.weight import summary
from storymap.site.weightmemo import weigh

# What each cached stage reads from the config, besides the data files and storymap's own code.
CHECKS_READ = ("sources", "geography", "indicators", "index", "site.area")
GEOGRAPHY_READ = ("sources", "geography", "site.area")
INDICATORS_READ = ("sources", "geography", "indicators", "index", "maps", "site.area")
ALL = ("*",)  # chapters and profile pages may use any of it


def build(config: Config, out: Path, report: Report | None = None) -> BuildResult:
    out = check_output_dir(config, out)
    with Stages(config, report) as run:
        checks, geo, results, index = compute(config, run)
        with work_folder(out) as work:
            docs, site = work / "docs", work / "site"
            with run.stage("write map geometry and data"):
                assets = run.cached_files("map-assets", INDICATORS_READ,
                                          lambda d: write_map_assets(config, geo, results, d),
                                          docs, work)
            with run.stage("render chapters"):
                palette = palette_for(config)  # the running build's own, not pickled
                static = functools.cache(lambda: run.cached(
                    "static-maps", GEOGRAPHY_READ, lambda: StaticMaps(geo, palette),
                    externals={"geo": geo, "palette": palette}))
                reuse = lambda name, parts, make: run.cached(name, ALL, make, *parts)  # noqa: E731
                pages, n_maps, files = render_pages(config, geo, results, assets, static, index,
                                                    checks, reuse)
                write_files(docs, files)
                run.note(f"{sum(n.startswith('chapter-') for n in run.store.made)} of "
                         f"{len(config.chapters) + 1} chapters rendered")
            with run.stage("ward and borough pages, downloads"):
                pages += run.cached_files("profiles", ALL,
                                          lambda d: write_profiles(config, geo, results, d, index),
                                          docs, work)
            with run.stage("build site"):
                done = publish_site(config, pages, assets.styles, docs, site, run.store,
                                    run.keys.code, finisher(config, pages))
                run.note(f"MkDocs rebuilt {done['written']} of {done['pages']} pages"
                         if done["dirty"] else "MkDocs built every page")
            with run.stage("check page weight"):
                run.report(summary(weigh(config, site, run)))
            run.commit()
            swap_in(site, out)
    return run.result(out, len(pages), n_maps)


def compute(
    config: Config, run: Stages
) -> tuple[CheckReport, Geography, dict[str, IndicatorResult], IndexResult | None]:
    """The stages every command shares: check the inputs, read the geography, compute figures."""
    with run.stage("check input data"):
        checks = run.cached("checks", CHECKS_READ, lambda: check_inputs(config))
    with run.stage("read boundaries and lookups"):
        geo = run.cached("geography", GEOGRAPHY_READ, lambda: load_geography(config))
    with run.stage("compute indicators and risk index"):
        results, index = run.cached("indicators", INDICATORS_READ,
                                    lambda: indicators(config, geo))
    return checks, geo, results, index


def check(config: Config, report: Report | None = None) -> BuildResult:
    """Validate config, data and chapters without writing a site (nor the cache)."""
    with Stages(config, report, writable=False) as run:
        checks, geo, results, index = compute(config, run)
        with run.stage("render chapters"):
            pages, n_maps, _files = render_pages(config, geo, results, None, None, index, checks)
    return run.result(Path(), len(pages), n_maps)


def indicators(
    config: Config, geo: Geography
) -> tuple[dict[str, IndicatorResult], IndexResult | None]:
    results = compute_indicators(config, geo)
    return results, compute_index(config, geo, results)


__all__ = ["build", "check", "BuildResult", "StorymapError", "check_output_dir", "clean_leftovers",
           "swap_in"]
