"""Profile pages: one for every ward and every borough.

In: the Config, Geography, IndicatorResults and the stages' figures for the index, help points and
neighbourhoods (storymap.figures). Out: :class:`~storymap.pages.page.Page` objects,
grouped by borough in the navigation (``boroughs/<slug>.md`` and ``wards/<borough slug>/<ward
code>.md``), plus the data downloads page. Ward pages show counts of older residents, every
indicator with its rank, decile and band, a dot strip comparing ward, borough and the whole area, a
plain-English summary, a locator map and sources. Borough pages show a sortable ward table, a
choropleth and the comparison with the whole area. Graphics come from
:mod:`storymap.pages.maps.svg`;
every data string is escaped."""

from __future__ import annotations

import functools
import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from storymap.config import Config
from storymap.figures.format import format_value, ordinal
from storymap.figures.geography import Geography
from storymap.figures.indicators import IndicatorResult
from storymap.figures.riskindex import RANGE_SHARE, IndexResult, firm_runs
from storymap.pages.downloads.files import (
    Downloads,
    download_paths,
    download_tables,
    downloads_markdown,
    write_downloads,
)
from storymap.pages.maps.svg import locator, point_marks
from storymap.pages.page import Page
from storymap.pages.palette import palette_for
from storymap.pages.places.borough import borough_comparison, borough_map, borough_table
from storymap.pages.places.boroughs import borough_index
from storymap.pages.places.help import (
    HelpLookup,
    borough_help_section,
    borough_marks,
    borough_points_list,
    ward_help_section,
    ward_marks,
)
from storymap.pages.places.neighbourhoods import NeighbourhoodPages, neighbourhood_pages
from storymap.pages.places.share import borough_share, ward_share
from storymap.pages.places.ward import (
    BoroughShapes,
    Figures,
    aliases,
    borough_shapes,
    comparison_rows,
    indicator_strip,
    people_table,
    sources_list,
    ward_summary,
)
from storymap.pages.places.wayfinding import write_wayfinding
from storymap.pages.stack import label_cells
from storymap.pages.urls import (
    DOWNLOADS,
    METHOD,
    borough_doc,
    chapter_doc,
    html_path,
    slug,
    ward_doc,
)

if TYPE_CHECKING:
    from storymap.figures.help import HelpResult
    from storymap.figures.neighbourhoods import Neighbourhoods

SECTION = "Wards and boroughs"
e = html.escape


@dataclass
class Profiles:
    """Everything the profile pages share."""

    config: Config
    geo: Geography
    results: dict[str, IndicatorResult]
    downloads: Downloads
    shapes: dict[str, BoroughShapes]
    figures: Figures
    sources: str
    story_links: dict[str, str] = field(default_factory=dict)  # page prefix -> links
    neighbourhoods: NeighbourhoodPages | None = None
    help: HelpResult | None = None

    @functools.cached_property
    def help_lookup(self) -> HelpLookup | None:
        if self.help is None:
            return None
        return HelpLookup(self.help, dict(self.geo.wards["borough_code"].astype(str).items()))

    def borough_slug(self, code: str) -> str:
        return slug(self.figures.borough_name[code])

    def borough_path(self, code: str) -> str:
        return borough_doc(self.figures.borough_name[code])

    def ward_path(self, code: str) -> str:
        return ward_doc(self.figures.borough_name[self.figures.ward_borough[code]], code)

    def borough_href(self, code: str) -> str:
        """The borough page's address from the site root."""
        return html_path(self.borough_path(code))

    def ward_href(self, code: str) -> str:
        """The ward page's address from the site root."""
        return html_path(self.ward_path(code))


def profile_pages(
    config: Config,
    geo: Geography,
    results: dict[str, IndicatorResult],
    index: IndexResult | None = None,
    neighbourhoods: NeighbourhoodPages | None = None,
    help_: HelpResult | None = None,
) -> list[Page]:
    """The index of boroughs, then borough pages, each followed by its wards' pages (by name),
    then the downloads page."""
    ctx = Profiles(
        config,
        geo,
        results,
        download_paths(config, geo),
        borough_shapes(geo),
        Figures(results, geo, config.site.area.name, index),
        sources_list(config, results),
        neighbourhoods=neighbourhoods,
        help=help_,
    )
    names = geo.wards["name"].astype(str)
    duplicated = set(names[names.duplicated(keep=False)])
    counts = geo.wards["borough_code"].value_counts()
    pages: list[Page] = [
        borough_index(
            config.site.area.name,
            [
                (str(name), ctx.borough_path(code), int(counts.get(code, 0)))
                for code, name in geo.boroughs["name"].items()
            ],
            SECTION,
        )
    ]
    for code, name in geo.boroughs["name"].items():
        name = str(name)
        pages.append(
            Page(
                ctx.borough_path(code),
                f"{name} overview",
                label_cells(borough_page(ctx, code)),
                SECTION,
                subsection=name,
                meta=borough_share(ctx.config.site.area.name, ctx.geo, code, name),
            )
        )
        wards = geo.wards[geo.wards["borough_code"] == code].sort_values("name")
        for ward in wards.index:
            title = str(wards.at[ward, "name"])
            if title in duplicated:
                title = f"{title} ({name})"
            pages.append(
                Page(
                    ctx.ward_path(ward),
                    title,
                    label_cells(ward_page(ctx, ward)),
                    SECTION,
                    subsection=name,
                    meta=ward_share(ctx.figures, ward, name),
                )
            )
    tables = download_tables(config, geo, results, index, help_)
    pages.append(
        Page(DOWNLOADS, "Data downloads", downloads_markdown(config, tables, ctx.downloads))
    )
    return pages


def _heading(name: str) -> str:
    """A markdown H1 whose text is the escaped name (no markdown syntax can leak in)."""
    return "# " + "".join(f"\\{c}" if c in "\\`*_{}[]()#+-.!|" else c for c in e(name))


def _aka(name: str) -> str:
    alts = aliases(name)
    if not alts:
        return ""
    return f'<p class="storymap-aka">Also known as: {e("; ".join(alts))}</p>\n\n'


def _download_links(ctx: Profiles, prefix: str, borough: str, ward: str | None = None) -> str:
    """A ward page offers its own figures first, then its borough's; a borough page its own."""
    csv_path, geojson_path = ctx.downloads.for_borough(borough)
    bname = e(ctx.figures.borough_name[borough])
    own = ""
    if ward is not None:
        own = (
            f'<a href="{e(prefix + ctx.downloads.for_ward(ward))}">this ward\'s figures '
            "(CSV)</a> · "
        )
    return (
        f'<p class="storymap-download">Download the data: {own}'
        f'<a href="{e(prefix + csv_path)}">every ward of {bname} (CSV)</a> · '
        f'<a href="{e(prefix + geojson_path)}">GeoJSON (map data)</a> · '
        f'<a href="{e(prefix + ctx.downloads.workbook)}">workbook (Excel)</a> · '
        f'<a href="{e(prefix + html_path(DOWNLOADS))}">what the columns mean</a></p>'
    )


def _story_links(ctx: Profiles, prefix: str) -> str:
    """The story's chapters as links from a page ``prefix`` below the site root (made once)."""
    if prefix not in ctx.story_links:
        items = "".join(
            f'<li><a href="{e(prefix + html_path(chapter_doc(ch)))}">{e(ch.title)}</a></li>'
            for ch in ctx.config.chapters
        )
        ctx.story_links[prefix] = f"## In the story\n\n<ul>{items}</ul>\n"
    return ctx.story_links[prefix]


def rank_spread(rob: dict) -> str:
    """Where a ward's index rank falls under the reweightings, saying what the range covers:
    'between 3rd and 9th in 9 of 10 of them (2nd to 12th in all)'; 'all of them' only when it
    is all of them."""
    low, high = int(rob["rank_p05"]), int(rob["rank_p95"])
    best, worst = int(rob["rank_best"]), int(rob["rank_worst"])
    share = "{} of {}".format(*RANGE_SHARE)
    if best == worst:
        return f"{ordinal(best)} in all of them"
    middle = f"between {ordinal(low)} and {ordinal(high)}" if low != high else ordinal(low)
    return f"{middle} in at least {share} of them ({ordinal(best)} to {ordinal(worst)} in all)"


def _risk_line(ctx: Profiles, code: str, prefix: str) -> str:
    """The index for the ward: its score, band and rank, and how far they hold under other
    reasonable weights (the method page's robustness runs)."""
    robust = ctx.figures.robust
    if robust is None or robust.index_id not in ctx.results:
        return ""
    res = ctx.results[robust.index_id]
    row, rob = ctx.figures.ward[res.id][code], robust.rows[code]
    value = format_value(row["value"], res.spec)
    band, k = int(row["band"]), len(res.breaks)
    kept, runs, need = int(rob["kept"]), robust.runs, firm_runs(robust.runs, robust.threshold)
    if robust.firm(code):
        firm = (
            f"Its band is firm: it stays in band {band} in {kept:,} of them ({need:,} make a "
            "band firm)."
        )
    else:
        firm = (
            f"Its band is not firm: it stays in band {band} in only {kept:,} of them ({need:,} "
            "make a band firm), so read it as “around here”."
        )
    return (
        f'<p class="storymap-risk"><strong>{e(res.spec.label)}: {e(value)}</strong> out of 10 '
        f"(higher is more at risk): band {band} of {k} (1 = most at risk), "
        f"{e(ctx.figures.rank(res.id, code))}. Under {runs:,} other reasonable weightings its "
        f"rank is {rank_spread(rob)}. {e(firm)} "
        f'<a href="{prefix}{html_path(METHOD)}">How the index is built</a>.</p>\n\n'
    )


def ward_page(ctx: Profiles, code: str) -> str:
    geo, prefix = ctx.geo, "../../"
    name = str(geo.wards.at[code, "name"])
    borough = geo.borough_of(code)
    borough_name = str(geo.boroughs.at[borough, "name"])
    area = ctx.config.site.area.name
    shapes = ctx.shapes[borough]
    label = f"Locator map: {name} (dark, outlined) among the wards of {borough_name}"
    marks = ward_marks(ctx.help_lookup, code, shapes.projection)
    dots = (
        f"; white dots: its nearest help point{'s' if len(marks) != 1 else ''}"
        " (listed under “Where to get help nearby”)"
        if marks
        else ""
    )
    f = ctx.figures
    strips = "".join(indicator_strip(f, ind, code) for ind in ctx.results)
    parts = [
        _heading(name) + "\n\n",
        f'<p class="storymap-kind">Ward in <a href="{prefix}{e(ctx.borough_href(borough))}">'
        f"{e(borough_name)}</a>, {e(area)}. Ward code <code>{e(code)}</code>.</p>\n\n",
        _aka(name),
        _risk_line(ctx, code, prefix),
        f'<p class="storymap-summary">{e(ward_summary(f, code))}</p>\n\n',
        ward_help_section(ctx.help_lookup, code, area),
        "## Older residents\n\n",
        people_table(f, code) + "\n\n",
        "## Indicators\n\n",
        comparison_rows(f, code) + "\n\n",
        f'<div class="storymap-strips">{strips}</div>\n\n',
        ctx.neighbourhoods.ward_section(code, prefix) if ctx.neighbourhoods else "",
        "## Where it is\n\n",
        '<figure class="storymap-locator-figure">'
        + locator(
            shapes.paths,
            shapes.names,
            code,
            shapes.projection,
            label,
            point_marks(shapes.projection, marks),
        )
        + f"<figcaption>{e(label)}{e(dots)}.</figcaption></figure>\n"
        + _download_links(ctx, prefix, borough, code)
        + "\n\n",
        _story_links(ctx, prefix) + "\n",
        "## Sources\n\n" + ctx.sources + "\n",
    ]
    return "".join(parts)


def borough_page(ctx: Profiles, code: str) -> str:
    geo, prefix = ctx.geo, "../"
    name = str(geo.boroughs.at[code, "name"])
    area = ctx.config.site.area.name
    n = int((geo.wards["borough_code"] == code).sum())
    help_points = borough_marks(ctx.help_lookup, code, ctx.shapes[code].projection)
    marks = [(float(p["easting"]), float(p["northing"]), str(p["name"])) for p in help_points]
    parts = [
        _heading(name) + "\n\n",
        f'<p class="storymap-kind">Borough of {e(area)} with {n} '
        f"ward{'s' if n != 1 else ''} on this site.</p>\n\n",
        _aka(name),
        f"## How {e(name)} compares with {e(area)}\n\n",
        borough_comparison(ctx.figures, code) + "\n\n",
        "## Map\n\n",
        borough_map(ctx.config, ctx.figures, ctx.shapes[code], name, marks) + "\n",
        borough_points_list(help_points, name),
        _download_links(ctx, prefix, code) + "\n\n",
        borough_help_section(
            ctx.help_lookup,
            code,
            name,
            lambda w: (str(geo.wards.at[w, "name"]), geo.borough_of(w)),
            lambda w: prefix + ctx.ward_href(w),
        ),
        "## Wards\n\n",
        borough_table(ctx.figures, code, lambda w: prefix + ctx.ward_href(w)) + "\n\n",
        ctx.neighbourhoods.borough_section(code, prefix, lambda w: prefix + ctx.ward_href(w))
        if ctx.neighbourhoods
        else "",
        f'<script src="{prefix}assets/storymap/sortable.js" defer></script>\n\n',
        _story_links(ctx, prefix) + "\n",
        "## Sources\n\n" + ctx.sources + "\n",
    ]
    return "".join(parts)


def write_profile_files(
    config: Config,
    geo: Geography,
    results: dict[str, IndicatorResult],
    docs: Path,
    index: IndexResult | None = None,
    help_: HelpResult | None = None,
) -> Downloads:
    """The files profile pages use: the downloads (sortable.js comes with the map assets)."""
    return write_downloads(config, geo, results, docs, index, help_)


def write_profiles(
    config: Config,
    geo: Geography,
    results: dict[str, IndicatorResult],
    folder: Path,
    index: IndexResult | None = None,
    help_: HelpResult | None = None,
    neighbourhoods: Neighbourhoods | None = None,
) -> list[Page]:
    """Ward and borough pages and the downloads page; the shape files and CSVs of the
    ``neighbourhoods`` (storymap.figures.neighbourhoods) they show are written into ``folder``."""
    slugs = {str(c): slug(str(n)) for c, n in geo.boroughs["name"].items()}
    nb = neighbourhood_pages(
        config, geo, results, neighbourhoods, folder, slugs, palette_for(config)
    )
    return profile_pages(config, geo, results, index, nb, help_)


def write_place_files(
    config: Config,
    geo: Geography,
    results: dict[str, IndicatorResult],
    folder: Path,
    index: IndexResult | None = None,
    help_: HelpResult | None = None,
) -> list[Page]:
    """The "All places A–Z" page; the downloads, the search's place and postcode files and the
    link-preview images are written into ``folder``. (The build makes these in a second process
    while it renders the chapters and profile pages: :mod:`storymap.engine.fork`.)"""
    write_profile_files(config, geo, results, folder, index, help_)
    return write_wayfinding(config, geo, folder, SECTION, help_)
