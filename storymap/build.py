"""build(config) runs the stages in order; check(config) runs all but the writing.

    config ─► data checks ─► geography ─► indicators and risk index ─► map assets ─► chapters
           ─► ward and borough pages ─► site (MkDocs) ─► page weight ─► swap into out/

Each stage is a plain function called through the build's runner (storymap.engine.runner) with
the inputs it needs: the parts of the config it may read (storymap.config.view), the data files,
earlier stages' values. Its result comes from the build's store while those inputs and the code
are unchanged, so a rebuild redoes only what changed: after one chapter is edited, that chapter
is rendered, MkDocs rebuilds its page (storymap.site.incremental) and the page-weight check
measures only the pages that changed. The site is built in a temporary folder beside ``out`` and
swapped in only when every stage has succeeded; new cache entries are kept only then too, so a
failed or interrupted build leaves the previous site and cache as they were.

Importing this module imports none of the heavy libraries (pandas, GeoPandas, mapclassify,
MkDocs): each is imported where it is first used (storymap.lazy), so a rebuild whose stages all
come from the cache never pays for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from storymap.config import Config
from storymap.config.view import ConfigView, only
from storymap.data.checks import CheckReport, check_inputs
from storymap.data.files import DataFiles, data_files
from storymap.engine.outdir import (
    check_output_dir,
    clean_leftovers,
    swap_in,
    work_folder,
    write_marker,
)
from storymap.engine.runner import BuildResult, Later, Report, Stages
from storymap.errors import StorymapError
from storymap.figures.geography import Geography, load_geography
from storymap.figures.help import HelpResult, compute_help
from storymap.figures.helppoints import read_help_points
from storymap.figures.indicators import IndicatorResult, compute_indicators
from storymap.figures.neighbourhoods import Neighbourhoods, compute_neighbourhoods
from storymap.figures.riskindex import IndexResult, compute_index
from storymap.output.weight import summary
from storymap.output.weightmemo import weigh
from storymap.pages.maps.assets import write_map_assets
from storymap.pages.maps.geometry import ward_topology
from storymap.pages.maps.static import StaticMaps
from storymap.pages.palette import palette_for
from storymap.pages.places.profiles import write_place_files, write_profiles
from storymap.pages.story.render import render_pages, write_files
from storymap.pages.story.stepimages import StepImages
from storymap.site.finish import finisher
from storymap.site.incremental import publish_site

# The parts of the config each stage is handed (and so its cache key covers).
CHECKS = ("sources", "geography", "indicators", "index", "site.area")
GEOGRAPHY = ("sources", "geography", "site.area")
FIGURES = ("sources", "geography", "indicators", "index", "maps", "site.area")
HELP = ("sources", "geography", "help", "neighbourhoods", "site.area")
NEIGHBOURHOODS = ("sources", "geography", "indicators", "maps", "neighbourhoods", "site.area")
EVERYTHING = ("*",)  # chapters and ward and borough pages may use any of it

Figures = tuple[dict[str, IndicatorResult], IndexResult | None]


@dataclass
class Inputs:
    """What every command computes first, each a stage value: from the cache (and unpickled
    only when first asked for) while its inputs are unchanged."""

    files: DataFiles
    config: ConfigView  # all of it, with the data files: what chapters and pages may read
    checks: Later[CheckReport]
    geo: Later[Geography]  # with the ward shapes
    table: Later[Geography]  # without them: what chapters need, unpickled without geopandas
    figures: Later[Figures]
    help: Later[HelpResult]  # the help points and how far each ward's postcodes are from help


def build(
    config: Config, out: Path, report: Report | None = None, previous: Path | None = None
) -> BuildResult:
    """Build the site into ``out``. Files whose bytes the last finished site (``previous``,
    else ``out`` as it is) already holds are linked from it rather than written again."""
    out = check_output_dir(config.root, out, read_files(config))
    previous = previous if previous is not None else out
    with Stages(config.root, report, previous=previous if previous.is_dir() else None) as run:
        inputs = compute(config, run)
        with work_folder(out) as work:
            docs, site = work / "docs", work / "site"  # docs: the site's files beside its pages
            pages, n_maps, styles = write_pages(config, run, inputs, docs, work)
            with run.stage("build site"):
                done = publish_site(
                    config, pages, styles, docs, site, run.store, run.code, finisher(config, pages)
                )
                run.note(
                    f"MkDocs rebuilt {done['written']} of {done['pages']} pages"
                    if done["dirty"]
                    else "MkDocs built every page"
                )
            with run.stage("check page weight"):
                run.report(summary(weigh(config, site, run)))
            run.commit()
            write_marker(site)
            swap_in(site, out)
    return run.result(out, len(pages), n_maps)


def read_files(config: Config) -> list[tuple[Path, str]]:
    """The files a build reads (the config, home page, chapters and data files), each with how
    an Error about ``--out`` names it: no output folder may hold one."""
    root = config.root.resolve()

    def shown(path: Path) -> str:
        return str(path.relative_to(root)) if root in path.parents else str(path)

    found = [(config.path.resolve(), f"the config {config.path.name}")]
    found.append((config.resolve(config.home), f"the home page {config.home}"))
    found += [(config.resolve(c.file), f"the chapter {c.file}") for c in config.chapters]
    for path in data_files(config):
        found.append((path.resolve(), f"the data file {shown(path.resolve())}"))
    return found


def compute(config: Config, run: Stages) -> Inputs:
    """Check the inputs, read the geography, compute the figures."""
    files = DataFiles.of(config)
    with run.stage("check input data"):
        checks = run.later("checks", check_inputs, only(config, *CHECKS, files=files))
    with run.stage("read boundaries and lookups"):
        geo = run.later("geography", load_geography, only(config, *GEOGRAPHY, files=files))
        table = run.later("ward-table", Geography.without_shapes, geo)
    if config.help.files:
        # the team's help-point files are checked on every check and build (not cached), so a
        # bad file stops both with one Error block before anything is written; the ward shapes
        # are read only if a file gives latitude and longitude
        with run.stage("check help points"):
            read_help_points(config, table(), shapes=geo)
    with run.stage("compute indicators and risk index"):
        figures = run.later("indicators", indicators, only(config, *FIGURES, files=files), geo)
    with run.stage("find the nearest help"):
        help_ = run.later("help", help_figures, only(config, *HELP, files=files), geo, figures)
    return Inputs(files, only(config, *EVERYTHING, files=files), checks, geo, table, figures, help_)


def indicators(config: Config, geo: Geography) -> Figures:
    """Each indicator's figures, and the risk index made of them (if the config has one)."""
    results = compute_indicators(config, geo)
    return results, compute_index(config, geo, results)


def help_figures(config: Config, geo: Geography, figures: Figures) -> HelpResult:
    """The help points, each postcode's distance to the nearest, and the library closures in
    the highest-risk wards on the index."""
    return compute_help(config, geo, figures[1])


def write_pages(
    config: Config, run: Stages, inputs: Inputs, docs: Path, work: Path
) -> tuple[list, int, list[str]]:
    """Map assets, chapters and profile pages, their files into ``docs``: every page, how many
    maps, and the stylesheets every page uses. The downloads, place files and preview images
    are made in a second process meanwhile (storymap.engine.fork)."""
    geo, figures, everything = inputs.geo, inputs.figures, inputs.config
    results = Later(figures.key, lambda: figures()[0])
    index = Later(figures.key, lambda: figures()[1])
    places = run.beside(
        "place-files", place_files, everything, geo, figures, inputs.help, dest=docs, scratch=work
    )
    try:
        # the wards' shared arcs, found once for the maps and their images, if either is made
        topology = Later(geo.key, lambda: ward_topology(geo().wards, 0))
        with run.stage("write map geometry and data"):
            assets = run.files(
                "map-assets",
                map_assets,
                only(config, *FIGURES, files=inputs.files),
                geo,
                results,
                topology,
                inputs.help,
                dest=docs,
                scratch=work,
            )
        with run.stage("render chapters"):
            palette = palette_for(config)  # the running build's own, not pickled

            def static_maps(_config: ConfigView, geo: Geography, topology) -> StaticMaps:
                return StaticMaps(geo, palette, topology=topology)

            static = Later(
                geo.key,
                lambda: run.value(
                    "static-maps",
                    static_maps,
                    only(config, *GEOGRAPHY, files=inputs.files),
                    geo,
                    topology,
                    externals={"geo": geo(), "palette": palette},
                ),
            )
            memo = run.memo("step-images", only(config, *FIGURES, files=inputs.files))
            images = StepImages(memo, static)

            def reuse(name: str, parts: tuple, make):
                return run.value(name, lambda *_inputs: make(), everything, *parts)

            pages, n_maps, files = render_pages(
                config,
                inputs.table,
                results,
                assets,
                lambda: images,
                index if config.index else None,
                inputs.checks,
                reuse,
                inputs.help,
            )
            written = set(files.values())  # step images no longer written are dropped
            images.memo.save(still=lambda v: not isinstance(v, str) or v in written)
            write_files(docs, files)
            run.note(
                f"{sum(n.startswith('chapter-') for n in run.store.made)} of "
                f"{len(config.chapters) + 1} chapters rendered"
            )
        with run.stage("ward and borough pages, downloads"):
            # the neighbourhoods' figures: a stage of their own, made only if the pages are
            nb_inputs = (only(config, *NEIGHBOURHOODS, files=inputs.files), geo, results)
            neighbourhoods = Later(
                run.key("neighbourhoods", nb_inputs),
                lambda: run.value("neighbourhoods", neighbourhood_figures, *nb_inputs),
            )
            profiles = run.files(
                "profiles",
                profile_files,
                everything,
                geo,
                figures,
                inputs.help,
                neighbourhoods,
                dest=docs,
                scratch=work,
            )
            pages += places.result() + profiles
    finally:
        places.stop()  # still running only if a stage failed
    return pages, n_maps, assets.styles


def map_assets(config: Config, geo: Geography, results, topology, help_: HelpResult, folder: Path):
    """The maps' geometry and data files, and the help points' file."""
    return write_map_assets(config, geo, results, folder, topology, help_)


def place_files(
    config: Config, geo: Geography, figures: Figures, help_: HelpResult, folder: Path
) -> list:
    """The downloads, place files (postcode answers with the nearest help) and preview images
    (made beside the other pages)."""
    return write_place_files(config, geo, figures[0], folder, figures[1], help_)


def neighbourhood_figures(
    config: Config, geo: Geography, results: dict[str, IndicatorResult]
) -> Neighbourhoods | None:
    """The neighbourhoods' figures and shapes, if the config has a neighbourhoods section."""
    return compute_neighbourhoods(config, geo, results)


def profile_files(
    config: Config,
    geo: Geography,
    figures: Figures,
    help_: HelpResult,
    neighbourhoods: Neighbourhoods | None,
    folder: Path,
) -> list:
    """The ward and borough pages, with the neighbourhoods' sections."""
    return write_profiles(config, geo, figures[0], folder, figures[1], help_, neighbourhoods)


def check(config: Config, report: Report | None = None) -> BuildResult:
    """Validate config, data and chapters without writing a site (nor the cache)."""
    with Stages(config.root, report, writable=False) as run:
        inputs = compute(config, run)
        results, index = inputs.figures()
        with run.stage("render chapters"):
            pages, n_maps, _files = render_pages(
                config,
                inputs.table(),
                results,
                None,
                None,
                index,
                inputs.checks(),
                None,
                inputs.help,
            )
    return run.result(Path(), len(pages), n_maps)


__all__ = [
    "build",
    "check",
    "BuildResult",
    "StorymapError",
    "check_output_dir",
    "clean_leftovers",
    "swap_in",
]
