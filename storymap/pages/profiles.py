"""Profile pages: one for every ward and every borough.

In: the Config, Geography and IndicatorResults. Out: :class:`~storymap.pages.page.Page` objects,
grouped by borough in the navigation (``boroughs/<slug>.md`` and ``wards/<borough slug>/<ward
code>.md``), plus the data downloads page. Ward pages show counts of older residents, every
indicator with its rank, decile and band, a dot strip comparing ward, borough and the whole area, a
plain-English summary, a locator map and sources. Borough pages show a sortable ward table, a
choropleth and the comparison with the whole area. Graphics come from :mod:`storymap.pages.svg`;
every data string is escaped. """

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

from storymap.config import Config, chapter_slug
from storymap.figures.geography import Geography
from storymap.figures.indicators import IndicatorResult, format_value
from storymap.pages.borough_parts import borough_comparison, borough_map, borough_table
from storymap.pages.downloads import (
    Downloads,
    download_paths,
    downloads_markdown,
    rounded,
    slug,
    write_downloads,
)
from storymap.pages.page import Page
from storymap.pages.share import share_image_path, share_meta
from storymap.pages.svg import locator
from storymap.pages.ward_parts import (
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
from storymap.pages.wayfinding import write_wayfinding

SECTION = "Wards and boroughs"
RISK_INDEX = "risk_index"
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

    def borough_slug(self, code: str) -> str:
        return slug(self.figures.borough_name[code])

    def borough_path(self, code: str) -> str:
        return f"boroughs/{self.borough_slug(code)}.md"

    def ward_path(self, code: str) -> str:
        return f"wards/{self.borough_slug(self.figures.ward_borough[code])}/{code}.md"


def profile_pages(
    config: Config, geo: Geography, results: dict[str, IndicatorResult]
) -> list[Page]:
    """Borough pages, each followed by its wards' pages (by name), then the downloads page."""
    ctx = Profiles(
        config, geo, results, download_paths(config, geo), borough_shapes(geo),
        Figures(results, geo, config.site.area.name), sources_list(config, results),
    )
    names = geo.wards["name"].astype(str)
    duplicated = set(names[names.duplicated(keep=False)])
    pages: list[Page] = []
    for code, name in geo.boroughs["name"].items():
        name = str(name)
        pages.append(
            Page(ctx.borough_path(code), f"{name} overview", borough_page(ctx, code), SECTION,
                 subsection=name, meta=_borough_share(ctx, code, name))
        )
        wards = geo.wards[geo.wards["borough_code"] == code].sort_values("name")
        for ward in wards.index:
            title = str(wards.at[ward, "name"])
            if title in duplicated:
                title = f"{title} ({name})"
            pages.append(Page(ctx.ward_path(ward), title, ward_page(ctx, ward), SECTION,
                              subsection=name, meta=_ward_share(ctx, ward, name)))
    pages.append(
        Page("downloads.md", "Data downloads", downloads_markdown(config, results, ctx.downloads))
    )
    return pages


def _ward_share(ctx: Profiles, code: str, borough: str) -> dict:
    name = ctx.figures.ward_name[code]
    return share_meta(share_image_path("ward", code),
                      f"Map: {name} (dark) among the wards of {borough} (mid grey)",
                      ward_summary(ctx.figures, code))


def _borough_share(ctx: Profiles, code: str, name: str) -> dict:
    area = ctx.config.site.area.name
    n = int((ctx.geo.wards["borough_code"] == code).sum())
    return share_meta(share_image_path("borough", code), f"Map: {name} (dark) in {area}",
                      f"{name}, {area}: how its {n} ward{'s' if n != 1 else ''} compare on the "
                      "risk of digital exclusion among residents aged 65 and over.")


def _heading(name: str) -> str:
    """A markdown H1 whose text is the escaped name (no markdown syntax can leak in)."""
    return "# " + "".join(f"\\{c}" if c in "\\`*_{}[]()#+-.!|" else c for c in e(name))


def _aka(name: str) -> str:
    alts = aliases(name)
    if not alts:
        return ""
    return f'<p class="storymap-aka">Also known as: {e("; ".join(alts))}</p>\n\n'


def _download_links(ctx: Profiles, prefix: str, borough: str | None) -> str:
    csv_path, geojson_path = ctx.downloads.for_borough(borough)
    return (
        f'<p class="storymap-download">Download the data behind this map: '
        f'<a href="{e(prefix + csv_path)}">CSV (spreadsheet)</a> · '
        f'<a href="{e(prefix + geojson_path)}">GeoJSON (map data)</a> · '
        f'<a href="{e(prefix)}downloads.html">data dictionary</a></p>'
    )


def _story_links(ctx: Profiles, prefix: str) -> str:
    """The story's chapters as links from a page ``prefix`` below the site root (made once)."""
    if prefix not in ctx.story_links:
        items = "".join(
            f'<li><a href="{e(prefix + chapter_slug(ch))}.html">{e(ch.title)}</a></li>'
            for ch in ctx.config.chapters
        )
        ctx.story_links[prefix] = f"## In the story\n\n<ul>{items}</ul>\n"
    return ctx.story_links[prefix]


def _risk_line(ctx: Profiles, code: str) -> str:
    res = ctx.results.get(RISK_INDEX)
    if res is None:
        return ""
    row = ctx.figures.ward[RISK_INDEX][code]
    band = row["band"]
    value = format_value(rounded(row["value"], res.spec.decimals + 2), res.spec)
    return (
        f'<p class="storymap-risk"><strong>{e(res.spec.label)}: {e(value)}</strong>, '
        f"risk band {e(str(band))} (of {len(res.breaks)}; higher is more at risk), "
        f"rank {int(row['rank'])} of {len(ctx.geo.wards)}.</p>\n\n"
    )


def ward_page(ctx: Profiles, code: str) -> str:
    geo, prefix = ctx.geo, "../../"
    name = str(geo.wards.at[code, "name"])
    borough = geo.borough_of(code)
    borough_name = str(geo.boroughs.at[borough, "name"])
    area = ctx.config.site.area.name
    shapes = ctx.shapes[borough]
    label = f"Locator map: {name} (dark, outlined) among the wards of {borough_name}"
    f = ctx.figures
    strips = "".join(indicator_strip(f, ind, code) for ind in ctx.results)
    parts = [
        _heading(name) + "\n\n",
        f'<p class="storymap-kind">Ward in <a href="{prefix}{e(ctx.borough_path(borough)[:-3])}'
        f'.html">{e(borough_name)}</a>, {e(area)}. Ward code <code>{e(code)}</code>.</p>\n\n',
        _aka(name),
        _risk_line(ctx, code),
        f'<p class="storymap-summary">{e(ward_summary(f, code))}</p>\n\n',
        "## Older residents\n\n",
        people_table(f, code) + "\n\n",
        "## Indicators\n\n",
        comparison_rows(f, code) + "\n\n",
        f'<div class="storymap-strips">{strips}</div>\n\n',
        "## Where it is\n\n",
        '<figure class="storymap-locator-figure">'
        + locator(shapes.paths, shapes.names, code, shapes.projection, label)
        + f"<figcaption>{e(label)}.</figcaption></figure>\n"
        + _download_links(ctx, prefix, borough)
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
    parts = [
        _heading(name) + "\n\n",
        f'<p class="storymap-kind">Borough of {e(area)} with {n} '
        f"ward{'s' if n != 1 else ''} on this site.</p>\n\n",
        _aka(name),
        f"## How {e(name)} compares with {e(area)}\n\n",
        borough_comparison(ctx.figures, code) + "\n\n",
        "## Map\n\n",
        borough_map(ctx.config, ctx.figures, ctx.shapes[code], name) + "\n",
        _download_links(ctx, prefix, code) + "\n\n",
        "## Wards\n\n",
        borough_table(ctx.figures, code, lambda w: prefix + ctx.ward_path(w)[:-3] + ".html")
        + "\n\n",
        f'<script src="{prefix}assets/storymap/sortable.js" defer></script>\n\n',
        _story_links(ctx, prefix) + "\n",
        "## Sources\n\n" + ctx.sources + "\n",
    ]
    return "".join(parts)


def write_profile_files(
    config: Config, geo: Geography, results: dict[str, IndicatorResult], docs: Path
) -> Downloads:
    """The files profile pages use: the downloads (sortable.js comes with the map assets)."""
    return write_downloads(config, geo, results, docs)


def write_profiles(
    config: Config, geo: Geography, results: dict[str, IndicatorResult], folder: Path
) -> list[Page]:
    """Ward and borough pages after the A–Z page; their download files, the search's place and
    postcode files and the link-preview images are written into ``folder``."""
    write_profile_files(config, geo, results, folder)
    return write_wayfinding(config, geo, folder, SECTION) + profile_pages(config, geo, results)
