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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from storymap.config import Config
from storymap.errors import StorymapError
from storymap.site.outdir import check_output_dir, clean_leftovers, swap_in, work_folder
from storymap.site.stages import BuildResult, Report, Stages, lazy

if TYPE_CHECKING:
    from storymap.data.checks import CheckReport
    from storymap.figures.geography import Geography
    from storymap.figures.indicators import IndicatorResult
    from storymap.figures.riskindex import IndexResult


check_inputs = lazy("storymap.data.checks", "check_inputs")
load_geography = lazy("storymap.figures.geography", "load_geography")
compute_indicators = lazy("storymap.figures.indicators", "compute_indicators")
compute_index = lazy("storymap.figures.riskindex", "compute_index")
palette_for = lazy("storymap.pages.palette", "palette_for")
write_map_assets = lazy("storymap.pages.maps", "write_map_assets")
ward_topology = lazy("storymap.pages.mapgeometry", "ward_topology")
write_profiles = lazy("storymap.pages.profiles", "write_profiles")
write_place_files = lazy("storymap.pages.profiles", "write_place_files")
StaticMaps = lazy("storymap.pages.staticmap", "StaticMaps")
StepImages = lazy("storymap.pages.stepimages", "StepImages")
render_pages = lazy("storymap.pages.story", "render_pages")
write_files = lazy("storymap.pages.story", "write_files")
finisher = lazy("storymap.site.finish", "finisher")
publish_site = lazy("storymap.site.incremental", "publish_site")
summary = lazy("storymap.site.weight", "summary")
weigh = lazy("storymap.site.weightmemo", "weigh")

# What each cached stage reads from the config, besides the data files and storymap's own code.
CHECKS_READ = ("sources", "geography", "indicators", "index", "site.area")
GEOGRAPHY_READ = ("sources", "geography", "site.area")
INDICATORS_READ = ("sources", "geography", "indicators", "index", "maps", "site.area")
ALL = ("*",)  # chapters and profile pages may use any of it


def build(
    config: Config, out: Path, report: Report | None = None, previous: Path | None = None
) -> BuildResult:
    """Build the site into ``out``. Files whose bytes the last finished site (``previous``,
    else ``out`` as it is) already holds are linked from it rather than written again."""
    out = check_output_dir(config, out)
    previous = previous if previous is not None else out
    with Stages(config, report, previous=previous if previous.is_dir() else None) as run:
        inputs = compute(config, run)
        with work_folder(out) as work:
            docs, site = work / "docs", work / "site"  # docs: the site's files beside its pages
            pages, n_maps, styles = _pages(config, run, inputs, docs, work)
            with run.stage("build site"):
                done = publish_site(
                    config,
                    pages,
                    styles,
                    docs,
                    site,
                    run.store,
                    run.keys.code,
                    finisher(config, pages),
                )
                run.note(
                    f"MkDocs rebuilt {done['written']} of {done['pages']} pages"
                    if done["dirty"]
                    else "MkDocs built every page"
                )
            with run.stage("check page weight"):
                run.report(summary(weigh(config, site, run)))
            run.commit()
            swap_in(site, out)
    return run.result(out, len(pages), n_maps)


def _pages(
    config: Config, run: Stages, inputs: Inputs, docs: Path, work: Path
) -> tuple[list, int, list[str]]:
    """Map assets, chapters and profile pages, their files into ``docs``: every page, how many
    maps, and the stylesheets every page uses. The downloads, place files and preview images
    are made in a second process meanwhile (:mod:`storymap.pages.beside`)."""
    geo, results = inputs.geo, lambda: inputs.figures()[0]
    places = run.files_beside(
        "place-files",
        ALL,
        lambda d: write_place_files(config, geo(), results(), d, inputs.figures()[1]),
        docs,
        work,
        prepare=lambda: (geo(), inputs.figures()),
    )  # computed once, before the fork
    try:
        # the wards' shared arcs, found once for the maps and their images, if either is made
        topology = functools.cache(lambda: ward_topology(geo().wards, 0))
        with run.stage("write map geometry and data"):
            assets = run.cached_files(
                "map-assets",
                INDICATORS_READ,
                lambda d: write_map_assets(config, geo(), results(), d, topology()),
                docs,
                work,
            )
        with run.stage("render chapters"):
            palette = palette_for(config)  # the running build's own, not pickled
            static = functools.cache(
                lambda: run.cached(
                    "static-maps",
                    GEOGRAPHY_READ,
                    lambda: StaticMaps(geo(), palette, topology=topology()),
                    externals={"geo": geo(), "palette": palette},
                )
            )
            images = StepImages(run.memo("step-images", INDICATORS_READ), static)
            reuse = lambda name, parts, make: run.cached(name, ALL, make, *parts)  # noqa: E731
            index = (lambda: inputs.figures()[1]) if config.index else None
            pages, n_maps, files = render_pages(
                config, inputs.table, results, assets, lambda: images, index, inputs.checks, reuse
            )
            written = set(files.values())  # step images no longer written are dropped
            images.memo.save(still=lambda v: not isinstance(v, str) or v in written)
            write_files(docs, files)
            run.note(
                f"{sum(n.startswith('chapter-') for n in run.store.made)} of "
                f"{len(config.chapters) + 1} chapters rendered"
            )
        with run.stage("ward and borough pages, downloads"):
            profiles = run.cached_files(
                "profiles",
                ALL,
                lambda d: write_profiles(config, geo(), results(), d, inputs.figures()[1]),
                docs,
                work,
            )
            pages += places.result() + profiles
    finally:
        places.stop()  # still running only if a stage failed
    return pages, n_maps, assets.styles


@dataclass
class Inputs:
    """The stages every command shares, each as a function returning its value: taken from the
    cache (and unpickled only when first asked for) while its inputs are unchanged."""

    checks: Callable[[], CheckReport]
    geo: Callable[[], Geography]  # with the ward shapes
    table: Callable[[], Geography]  # without them: what chapters need, unpickled without geopandas
    figures: Callable[[], tuple[dict[str, IndicatorResult], IndexResult | None]]


def compute(config: Config, run: Stages) -> Inputs:
    """Check the inputs, read the geography, compute the figures."""
    with run.stage("check input data"):
        checks = run.later("checks", CHECKS_READ, lambda: check_inputs(config))
    with run.stage("read boundaries and lookups"):
        geo = run.later("geography", GEOGRAPHY_READ, lambda: load_geography(config))
        table = run.later("ward-table", GEOGRAPHY_READ, lambda: geo().without_shapes())
    # --- help points (issue 24), to be ported by the lead: the team's help-point files are read
    # and checked on every check and build (not cached: the files are not among the cache's
    # inputs), so a bad file stops both with one Error block before anything is written. The
    # ward shapes are read only if a file gives latitude and longitude.
    if config.help.files:
        with run.stage("check help points"):
            lazy("storymap.figures.help", "read_help_points")(config, table(), shapes=geo)
    # --- end of help points
    with run.stage("compute indicators and risk index"):
        figures = run.later("indicators", INDICATORS_READ, lambda: indicators(config, geo()))
    return Inputs(checks, geo, table, figures)


def check(config: Config, report: Report | None = None) -> BuildResult:
    """Validate config, data and chapters without writing a site (nor the cache)."""
    with Stages(config, report, writable=False) as run:
        inputs = compute(config, run)
        results, index = inputs.figures()
        with run.stage("render chapters"):
            pages, n_maps, _files = render_pages(
                config, inputs.table(), results, None, None, index, inputs.checks()
            )
    return run.result(Path(), len(pages), n_maps)


def indicators(
    config: Config, geo: Geography
) -> tuple[dict[str, IndicatorResult], IndexResult | None]:
    results = compute_indicators(config, geo)
    return results, compute_index(config, geo, results)


__all__ = [
    "build",
    "check",
    "BuildResult",
    "StorymapError",
    "check_output_dir",
    "clean_leftovers",
    "swap_in",
]
