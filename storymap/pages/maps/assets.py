"""Maps: the shared geometry and data assets, and the HTML of each live map that uses them.

In: the Geography and the IndicatorResults. Out:
- :func:`write_map_assets` writes, once for the whole site, the simplified ward geometry
  (topology-aware, so neighbouring wards keep shared edges) and every indicator's ward figures as
  two small, content-hashed scripts in the compact form of :mod:`storymap.pages.maps.codec`, which
  ``storymap.js`` decodes, plus Leaflet from the pip-installed ``xstatic-leaflet``.
- :func:`map_fragment` returns the HTML of one map: an element that ``storymap.js`` turns into a
  Leaflet map whose only layer is the project's ward choropleth (drawn from the shared assets), a
  caption that says in words what the map shows, an HTML legend and the source line. No tiles
  unless the config names a basemap, and no inline script.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from storymap.config import Config
from storymap.config.maps import tile_url
from storymap.figures.format import places
from storymap.figures.geography import Geography
from storymap.figures.helppoints import ATTRIBUTION
from storymap.figures.indicators import IndicatorResult, shown_values
from storymap.pages.downloads.files import download_paths
from storymap.pages.helptext import help_payload
from storymap.pages.maps.alt import view_summary
from storymap.pages.maps.codec import encode_indicator, front_coded
from storymap.pages.maps.files import MapFiles, write_map_files
from storymap.pages.maps.legend import how_made, legend_classes, legend_list
from storymap.pages.palette import colours
from storymap.pages.urls import DOWNLOADS, html_path, slug

if TYPE_CHECKING:
    from storymap.figures.help import HelpResult

ASSET_DIR = "assets/storymap"
PACKAGE_ASSETS = Path(__file__).resolve().parents[2] / "assets"


@dataclass
class MapAssets:
    """Site-relative URLs of the shared scripts and styles, in load order: ``styles`` for every
    page (legends, tables, figures), ``map_styles`` only for pages with a live map; ``files``,
    the map's geometry and data (storymap.pages.maps.files)."""

    scripts: list[str]
    styles: list[str]
    files: MapFiles
    map_styles: tuple[str, ...] = ()

    def tags(
        self, prefix: str, indicator: str | None, wards: bool = False, more: list[str] | None = None
    ) -> str:
        """The elements a page with a map needs: a preload of each file its first view fetches
        (the index marked for storymap.js, which finds the rest from it; ``more``: other files
        it shows), then the scripts."""
        e = html.escape
        out = []
        for path in self.files.first_view(indicator, wards) + (more or []):
            mark = ' data-storymap="index"' if path == self.files.index else ""
            out.append(
                f'<link rel="preload" href="{e(prefix + path)}" as="fetch" '
                f'type="application/json" crossorigin="anonymous"{mark}>\n'
            )
        out += [f'<script src="{e(prefix + src)}" defer></script>\n' for src in self.scripts]
        return "".join(out)


CSS_COMMENT = re.compile(r"/\*.*?\*/\n?", re.S)


def copy_css(src: Path, dest: Path) -> None:
    """A stylesheet into the site without its comments (notes for developers: every page would
    pay for them; about 1.9 KB gzip of the two stylesheets)."""
    text = CSS_COMMENT.sub("", src.read_text("utf-8"))
    dest.write_text("".join(line for line in text.splitlines(True) if line.strip()), "utf-8")


def script_text(src: Path) -> str:
    """One of the project's scripts as the site ships it: without comments and spaces (notes
    for developers: a reader would pay for them; about a third of each script's gzip bytes),
    by rjsmin, which keeps strings, regular expressions and ``/*!`` comments as they are."""
    import rjsmin

    return rjsmin.jsmin(src.read_text("utf-8")) + "\n"


def copy_js(src: Path, dest: Path) -> None:
    """A script into the site as :func:`script_text` gives it."""
    dest.write_text(script_text(src), "utf-8")


def write_map_assets(
    config: Config,
    geo: Geography,
    results: dict[str, IndicatorResult],
    docs: Path,
    topology=None,
    help_: HelpResult | None = None,
) -> MapAssets:
    """Leaflet, storymap's scripts and styles and the map files into ``docs``; ``topology``:
    the wards' unsimplified shared arcs, if the build made them already; ``help_``: the help
    points, drawn by helppoints.js where a step asks for them."""
    import xstatic.pkg.leaflet as xleaflet

    from storymap.pages.maps.files import level_payloads  # geopandas, topojson: only here

    out = docs / ASSET_DIR
    (out / "leaflet").mkdir(parents=True, exist_ok=True)
    leaflet_src = Path(xleaflet.BASE_DIR)
    for name in ("leaflet.js", "leaflet.css"):
        shutil.copyfile(leaflet_src / name, out / "leaflet" / name)
    shutil.copytree(leaflet_src / "images", out / "leaflet" / "images", dirs_exist_ok=True)
    for name in ("storymap.js", "maplabels.js", "helppoints.js", "sortable.js"):
        copy_js(PACKAGE_ASSETS / name, out / name)
    copy_css(PACKAGE_ASSETS / "storymap.css", out / "storymap.css")
    levels = level_payloads(config, geo, topology)
    data = data_payload(config, geo, results)
    if help_ is not None:
        data["help"] = help_payload(help_, ATTRIBUTION)
    files = write_map_files(levels, data, docs)
    write_map_scripts_list(docs, files.index, [f"{ASSET_DIR}/storymap.js"], files.help)
    return MapAssets(
        scripts=[
            f"{ASSET_DIR}/leaflet/leaflet.js",
            f"{ASSET_DIR}/storymap.js",
            f"{ASSET_DIR}/maplabels.js",
            f"{ASSET_DIR}/helppoints.js",
            f"{ASSET_DIR}/sortable.js",
        ],
        styles=[f"{ASSET_DIR}/storymap.css"],
        files=files,
        map_styles=(f"{ASSET_DIR}/leaflet/leaflet.css",),
    )


def write_map_scripts_list(docs: Path, index: str, scripts: list[str], help_file: str = "") -> None:
    """``search/map-scripts.json``: the map index and the scripts that give
    ``Storymap.locate`` the ward shapes, for "Use my location" on pages without a map
    (search.js marks the index for storymap.js, then loads the scripts, when it is used), and
    the help points' file, for the nearest help to where the reader is."""
    (docs / "search").mkdir(parents=True, exist_ok=True)
    text = json.dumps(
        {"index": index, "scripts": scripts, **({"help": help_file} if help_file else {})}
    )
    (docs / "search" / "map-scripts.json").write_text(text, "utf-8")


def _json(payload: object) -> str:
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    # Safe inside a <script> element too: no tag can be closed or opened by data.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def data_payload(config: Config, geo: Geography, results: dict[str, IndicatorResult]) -> dict:
    """Ward names and codes, and per indicator the figures shown, their ranks and colours, in
    the compact form storymap.js decodes (see storymap.pages.maps.codec)."""
    codes = list(geo.wards.index)
    borough_codes = list(geo.boroughs.index)
    borough_pos = {c: i for i, c in enumerate(borough_codes)}
    indicators = {}
    for ind_id, res in results.items():
        spec = res.spec
        wards = res.wards.loc[codes]
        indicators[ind_id] = {
            "label": spec.label,
            "short": spec.short,
            "unit": spec.unit,
            "decimals": spec.decimals,
            "direction": spec.direction,
            "palette": colours(config, len(res.breaks)),
            **encode_indicator(
                wards["value"].tolist(),
                places(spec),
                wards["rank"].astype(int).tolist(),
                [res.risk_class(int(c)) for c in wards["cls"]],
                len(res.breaks),
                spec.direction == "higher_is_more_risk",
            ),
        }
    return {
        "area": config.site.area.name,
        "wards": {
            "codes": front_coded(codes),
            "names": [str(n) for n in geo.wards["name"]],
            "borough": [borough_pos[b] for b in geo.wards["borough_code"]],
        },
        "boroughs": {
            "codes": borough_codes,
            "names": [str(n) for n in geo.boroughs["name"]],
            "slugs": [slug(str(n)) for n in geo.boroughs["name"]],
        },  # page addresses
        "indicators": indicators,
        "noData": config.maps.no_data_colour,
    }


# ---------------------------------------------------------------------------------------------
# one map


@dataclass
class MapSpec:
    """What one map shows."""

    map_id: str
    indicator: str
    focus: str | None = None  # borough or ward code; None for the whole area
    title: str | None = None
    highlight: list[str] | None = None
    labels: dict | None = None  # place names for storymap.js (StaticMaps.live_labels)
    help: str = ""  # the help points' file (in the map folder), if a step shows them


def map_element(config: Config, spec: MapSpec) -> str:
    """The map's ``<div>``: ``storymap.js`` makes the Leaflet map from its ``data-map`` settings
    (what to draw, and the basemap if the config names one), so the page needs no inline script
    and its Content-Security-Policy can be ``script-src 'self'``."""
    basemap = config.maps.basemap
    settings = {
        "indicator": spec.indicator,
        "focus": spec.focus,
        "highlight": spec.highlight,
        **({"labels": spec.labels} if spec.labels else {}),
        **({"help": spec.help} if spec.help else {}),
        "basemap": {"url": tile_url(basemap.url).url, "attribution": basemap.attribution}
        if basemap
        else None,
    }
    return (
        f'<div class="storymap-leaflet" id="{html.escape(spec.map_id)}" '
        f"data-map='{html.escape(_json(settings))}'></div>"
    )


def map_fragment(
    config: Config,
    geo: Geography,
    results: dict[str, IndicatorResult],
    spec: MapSpec,
    prefix: str = "",
) -> str:
    """One map figure; ``prefix`` leads from the page to the site root (for the download link)."""
    res = results[spec.indicator]
    ind = res.spec
    div = map_element(config, spec)
    title = spec.title or ind.label
    kind = "area" if not spec.focus else ("borough" if spec.focus in geo.boroughs.index else "ward")
    summary = view_summary(config.site.area.name, geo, res, kind, spec.focus)
    e = html.escape
    return (
        f'<figure class="storymap-figure" id="fig-{e(spec.map_id)}">\n'
        f"<figcaption><strong>{e(title)}</strong>. {e(summary)}</figcaption>\n"
        f'<div class="storymap-map" role="region" aria-label="Map: {e(title)}" '
        f'style="height:{e(config.maps.height)}">{div}</div>\n'
        f"{legend_html(config, res)}\n"
        f'<p class="storymap-source">{e(source_line(config, ind))}</p>\n'
        f"{download_line(config, geo, spec.focus, prefix)}\n"
        "</figure>\n"
    )


def download_line(config: Config, geo: Geography, focus: str | None, prefix: str) -> str:
    """Links to the ward table behind a map: the focus borough's, else the whole area's."""
    paths = download_paths(config, geo)
    borough = geo.borough_of(focus) if focus in geo.wards.index else focus
    csv_path, geojson_path = paths.for_borough(borough)
    e = html.escape
    return (
        f'<p class="storymap-download">Download the data behind this map: '
        f'<a href="{e(prefix + csv_path)}">CSV (spreadsheet)</a> · '
        f'<a href="{e(prefix + geojson_path)}">GeoJSON</a> · '
        f'<a href="{e(prefix + html_path(DOWNLOADS))}">data dictionary</a></p>'
    )


def source_line(config: Config, spec) -> str:
    """'Source: title (vintage); publisher. licence.' for each source the figure draws on."""
    parts = []
    for source_id in spec.source_ids:
        src = config.sources[source_id]
        parts.append(f"{src.title} ({src.vintage}); {src.publisher}. {src.licence}.")
    label = "Sources" if len(parts) > 1 else "Source"
    return f"{label}: " + " ".join(parts)


def legend_html(config: Config, res: IndicatorResult, note: str = "") -> str:
    """The map's legend: its classes with true labels and counts, and how they were made;
    ``note``: what the map highlights and why, if anything."""
    spec = res.spec
    palette = colours(config, len(res.breaks))
    items = legend_classes(
        res.breaks, shown_values(res.wards["value"].to_numpy(), spec), spec, res.risk_class
    )
    how = how_made(res.method, len(res.breaks), len(res.wards), config.site.area.name)
    return (
        f'<div class="storymap-legend"><p class="legend-title">{html.escape(spec.short)}: '
        f"Darker colours mean more at risk.</p><ul>{legend_list(items, palette)}</ul>"
        f'<p class="legend-how">{html.escape(how)}.</p>'
        + (f'<p class="legend-focus">{html.escape(note)}</p>' if note else "")
        + "</div>"
    )
