"""Data downloads: the figures behind every map as CSV, GeoJSON and an Excel workbook.

In: the Config, Geography, IndicatorResults and (optionally) the IndexResult. Out: files under
``docs/downloads/`` and the :class:`Downloads` index of their site-relative paths and sizes:

- the ward table of the whole area (CSV, GeoJSON) and of each borough, the borough table (CSV),
  one small CSV per ward (a ward page offers its own figures), and a workbook with a sheet per
  level (:mod:`.workbook`);
- the data dictionary (CSV, and on the downloads page): each column's header, machine id (the
  GeoJSON property), meaning, unit, source and licence.

Headers are plain words with units (:mod:`.tables`); values keep their full precision, counts are
whole people. The attribution goes with every file but never as a row of data (a spreadsheet's
sort would mix it in): the CSVs' companion ``sources-and-licences.csv`` lists each source with
its publisher, date, licence and attribution, and the data dictionary each column's source and
licence; GeoJSON files have ``attribution`` and ``licence`` members; the workbook an About sheet.
CSVs hold data rows only, UTF-8 with a byte-order mark (so Excel reads accents and apostrophes
correctly), every text field quoted, numbers unquoted, codes kept as text, and CRLF line ends.
"""

from __future__ import annotations

import csv
import functools
import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from storymap.config import Config
from storymap.figures.format import format_number
from storymap.figures.geography import Geography
from storymap.figures.helppoints import ATTRIBUTION
from storymap.figures.indicators import IndicatorResult
from storymap.figures.riskindex import IndexResult
from storymap.lazy import module
from storymap.pages.downloads.helptables import (
    HELP_LICENCE,
    HELP_SOURCE,
    help_points_table,
    with_help,
)
from storymap.pages.downloads.tables import Table, area_table, borough_table, dictionary, ward_table
from storymap.pages.urls import (
    DICTIONARY,
    SOURCES_FILE,
    area_download,
    borough_download,
    ward_download,
)

np = module("numpy")
pd = module("pandas")

if TYPE_CHECKING:
    from storymap.figures.help import HelpResult


@dataclass
class Downloads:
    """Site-relative paths of the download files and their sizes in bytes."""

    csv: str
    geojson: str
    dictionary: str
    workbook: str = ""
    borough_csv: str = ""
    boroughs: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (csv, geojson)
    borough_names: list[str] = field(default_factory=list)
    sizes: dict[str, int] = field(default_factory=dict)
    sources: str = SOURCES_FILE  # each source, its licence and attribution (the CSVs' companion)
    help_csv: str = ""  # the help points, if the build has them
    help_geojson: str = ""

    def for_borough(self, code: str | None) -> tuple[str, str]:
        return self.boroughs[code] if code in self.boroughs else (self.csv, self.geojson)

    def for_ward(self, code: str) -> str:
        return ward_download(code)


def download_paths(config: Config, geo: Geography) -> Downloads:
    area = config.site.area.name
    boroughs = {
        str(code): (borough_download(name, "csv"), borough_download(name, "geojson"))
        for code, name in geo.boroughs["name"].items()
    }
    return Downloads(
        csv=area_download(area, "wards.csv"),
        geojson=area_download(area, "wards.geojson"),
        dictionary=DICTIONARY,
        workbook=area_download(area, "xlsx"),
        borough_csv=area_download(area, "boroughs.csv"),
        boroughs=boroughs,
        borough_names=[str(n) for n in geo.boroughs["name"]],
        help_csv=area_download(area, "help-points.csv"),
        help_geojson=area_download(area, "help-points.geojson"),
    )


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse(text: object) -> object:
    """A text cell a spreadsheet would run as a formula (=, +, -, @ first) gets a leading '."""
    return "'" + text if isinstance(text, str) and text.startswith(FORMULA_START) else text


def csv_text(table: pd.DataFrame) -> str:
    """``table`` as CSV for spreadsheets (header, then a line a row, CRLF); text cells cannot
    start a formula (CSV injection)."""
    table = table.copy()
    for col in [c for c in table.columns if not pd.api.types.is_numeric_dtype(table[c])]:
        table[col] = table[col].map(defuse)
    return table.to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")


def csv_lines(text: str, rows: int) -> list[str] | None:
    """The header and each row of a table's :func:`csv_text` (of ``rows`` rows) on its own, so
    a file of some of the rows is written without pandas; None if a cell holds a line break
    (then write each such file from the table)."""
    lines = text.split("\r\n")[:-1]
    return lines if len(lines) == rows + 1 else None


def write_csv(table: pd.DataFrame, path: Path) -> int:
    """Write ``table`` for spreadsheets: its header and its rows, nothing else."""
    return write_csv_text(csv_text(table), path)


def write_csv_text(text: str, path: Path) -> int:
    """Write the CSV ``text`` (from :func:`csv_text`) with a byte-order mark for Excel."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\ufeff" + text).encode("utf-8"))
    return path.stat().st_size


def read_download_csv(path: Path, **options) -> pd.DataFrame:
    """A download CSV read back (as tests and scripts read it)."""
    return pd.read_csv(path, encoding="utf-8-sig", **options)


def sources_table(config: Config, help_: HelpResult | None) -> pd.DataFrame:
    """The downloads' sources, one a row: what it is, who publishes it, its date, licence and
    the attribution its licence asks for; the help points' data too when the files use it."""
    rows = [
        [s.title, s.publisher, s.vintage, s.licence, s.attribution] for s in config.sources.values()
    ]
    if help_ is not None:
        rows.append(["Help points", HELP_SOURCE, "2023 and 2025", HELP_LICENCE, ATTRIBUTION])
    return pd.DataFrame(rows, columns=["Source", "Publisher", "Date", "Licence", "Attribution"])


def _coords(coords, decimals: int = 6):
    if isinstance(coords[0], int | float):
        return [round(coords[0], decimals), round(coords[1], decimals)]
    return [_coords(c, decimals) for c in coords]


def write_geojson(table: pd.DataFrame, geo: Geography, path: Path, config: Config) -> int:
    """A FeatureCollection (WGS 84) with the ward table's columns (machine ids) as properties,
    and the attribution and licence as members of the collection."""
    licences = sorted({s.licence for s in config.sources.values()})
    collection = {
        "type": "FeatureCollection",
        "name": config.site.title,
        "attribution": config.site.attribution,
        "licence": "; ".join(licences),
        "features": [],
    }
    dump = functools.partial(json.dumps, ensure_ascii=False, separators=(",", ":"))
    head = dump(collection)[: -len("[]}")] + "["  # the same text as one json.dumps of it all,
    path.parent.mkdir(parents=True, exist_ok=True)  # written a ward at a time: a whole
    with path.open("w", encoding="utf-8") as out:  # England's coordinates are never held at once
        out.write(head)
        for n, record in enumerate(table.replace({np.nan: None}).to_dict(orient="records")):
            geom = geo.wards.geometry[record["ward_code"]].__geo_interface__
            geometry = {"type": geom["type"], "coordinates": _coords(geom["coordinates"])}
            out.write(
                ("," if n else "")
                + dump(
                    {
                        "type": "Feature",
                        "id": record["ward_code"],
                        "properties": record,
                        "geometry": geometry,
                    }
                )
            )
        out.write("]}")
    return path.stat().st_size


def credit_line(config: Config, help_: HelpResult | None) -> str:
    """The attribution every download carries: the site's, and the help points' data when the
    files hold figures made from it."""
    return config.site.attribution + (f" Help points: {ATTRIBUTION}" if help_ is not None else "")


def download_tables(
    config: Config,
    geo: Geography,
    results: dict[str, IndicatorResult],
    index: IndexResult | None = None,
    help_: HelpResult | None = None,
) -> list[tuple[str, Table]]:
    """The tables of the downloads, each with its sheet's name: wards, boroughs, the whole
    area, and the help points."""
    wards = ward_table(config, geo, results, index)
    levels = [
        ("Wards", wards if help_ is None else with_help(wards, help_)),
        ("Boroughs", borough_table(config, geo, results)),
        (config.site.area.name, area_table(config, results)),
    ]
    if help_ is not None:
        levels.append(("Help points", help_points_table(geo, help_)))
    return levels


def write_points_geojson(table: Table, path: Path, attribution: str) -> int:
    """The help points as a FeatureCollection of points (WGS 84), every column a property."""
    by_id = table.by_id().replace({np.nan: None})
    features = [
        {
            "type": "Feature",
            "properties": record,
            "geometry": {"type": "Point", "coordinates": [record["longitude"], record["latitude"]]},
        }
        for record in by_id.to_dict(orient="records")
    ]
    collection = {
        "type": "FeatureCollection",
        "name": "Help points",
        "attribution": attribution,
        "licence": HELP_LICENCE,
        "features": features,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")), "utf-8")
    return path.stat().st_size


def write_downloads(
    config: Config,
    geo: Geography,
    results: dict[str, IndicatorResult],
    docs: Path,
    index: IndexResult | None = None,
    help_: HelpResult | None = None,
) -> Downloads:
    """Write every download file into ``docs``; return their paths and sizes."""
    paths = download_paths(config, geo)
    credit = credit_line(config, help_)
    levels = download_tables(config, geo, results, index, help_)
    wards, boroughs = levels[0][1], levels[1][1]
    columns = dictionary(levels)
    sizes = paths.sizes
    text = csv_text(wards.frame)
    lines = csv_lines(text, len(wards.frame))
    sizes[paths.csv] = write_csv_text(text, docs / paths.csv)
    sizes[paths.borough_csv] = write_csv(boroughs.frame, docs / paths.borough_csv)
    by_id = wards.by_id()
    sizes[paths.geojson] = write_geojson(by_id, geo, docs / paths.geojson, config)
    sizes[paths.dictionary] = write_csv(columns, docs / paths.dictionary)
    sizes[paths.sources] = write_csv(sources_table(config, help_), docs / paths.sources)
    from storymap.pages.downloads.workbook import workbook_bytes  # openpyxl: only when writing it

    if help_ is not None:
        points = levels[-1][1]
        sizes[paths.help_csv] = write_csv(points.frame, docs / paths.help_csv)
        sizes[paths.help_geojson] = write_points_geojson(points, docs / paths.help_geojson, credit)
    (docs / paths.workbook).write_bytes(workbook_bytes(config, levels, columns, credit))
    sizes[paths.workbook] = (docs / paths.workbook).stat().st_size
    borough_of = by_id["borough_code"]
    for code, (csv_path, geojson_path) in paths.boroughs.items():
        mine = (borough_of == code).to_numpy()
        sizes[csv_path] = (
            write_csv(wards.frame[mine].reset_index(drop=True), docs / csv_path)
            if lines is None
            else write_csv_text(_rows(lines, np.flatnonzero(mine)), docs / csv_path)
        )
        sizes[geojson_path] = write_geojson(
            by_id[mine].reset_index(drop=True), geo, docs / geojson_path, config
        )
    for i, code in enumerate(by_id["ward_code"]):
        path = paths.for_ward(code)
        sizes[path] = (
            write_csv(wards.frame.iloc[[i]], docs / path)
            if lines is None
            else write_csv_text(_rows(lines, [i]), docs / path)
        )
    return paths


def _rows(lines: list[str], rows) -> str:
    """The CSV text of some rows, from :func:`csv_lines` of the whole table."""
    return lines[0] + "\r\n" + "".join(lines[1 + n] + "\r\n" for n in rows)


def _size(n: int) -> str:
    return f"{format_number(n / 1_000_000, 1)} MB" if n >= 1_000_000 else f"{max(n // 1000, 1)} kB"


def downloads_markdown(config: Config, tables: list[tuple[str, Table]], paths: Downloads) -> str:
    """The downloads page: every file, how to open it, and the data dictionary as a table."""
    e = html.escape
    area = e(config.site.area.name)
    rows = "".join(
        "<tr>" + "".join(f"<td>{e(str(v))}</td>" for v in row[1:5]) + "</tr>"
        for row in dictionary(tables).itertuples(index=False)
    )
    boroughs = "".join(
        f'<li>{e(name)}: <a href="{e(csv_path)}">CSV</a> · <a href="{e(gj)}">GeoJSON</a></li>'
        for name, (csv_path, gj) in zip(paths.borough_names, paths.boroughs.values(), strict=True)
    )
    return (
        "# Data downloads\n\n"
        f"<p>The figures behind every map. The workbook opens in Excel with a sheet for the "
        f"wards, one for the boroughs and one for all of {area}, what each column means, and "
        "the sources with their dates and licences. The CSV files open in any spreadsheet "
        "(UTF-8, codes kept as text) and hold only the figures, a row each; the sources, their "
        "licences and the credit each asks for are in a file of their own beside them. The GeoJSON "
        "files hold the ward table with each ward's boundary, for GIS software; their property "
        "names are the ids in the data dictionary.</p>\n\n"
        f'<ul><li><a href="{e(paths.workbook)}">Workbook (Excel)</a>: wards, boroughs and '
        f"{area}</li>"
        f'<li>Every ward of {area}: <a href="{e(paths.csv)}">CSV</a> · '
        f'<a href="{e(paths.geojson)}">GeoJSON</a></li>'
        f'<li>Every borough: <a href="{e(paths.borough_csv)}">CSV</a></li>'
        + (
            f"<li>Help points (public libraries and the team's own): <a href=\""
            f'{e(paths.help_csv)}">CSV</a> · <a href="{e(paths.help_geojson)}">GeoJSON</a></li>'
            if any(name == "Help points" for name, _t in tables)
            else ""
        )
        + f'<li><a href="{e(paths.dictionary)}">Data dictionary (CSV)</a></li>'
        f'<li><a href="{e(paths.sources)}">Sources and licences (CSV)</a></li></ul>\n\n'
        "<p>Each ward's page also offers that ward's own figures as a one-row CSV.</p>\n\n"
        f"## Each borough's wards\n\n<ul>{boroughs}</ul>\n\n"
        "## Data dictionary\n\n"
        "<p>Rank, decile and band 1 are the most at risk. Figures keep their full value in the "
        "files; the site shows them rounded once, to the decimals given.</p>\n\n"
        '<table class="storymap-dictionary"><thead><tr><th scope="col">Column</th>'
        '<th scope="col">Id (GeoJSON)</th><th scope="col">Meaning</th>'
        f'<th scope="col">Unit</th></tr></thead><tbody>{rows}</tbody></table>\n\n'
        f"<p>{e(config.site.attribution)}</p>\n"
        + (
            f"<p>Help points: {e(ATTRIBUTION)}</p>\n"
            if any(name == "Help points" for name, _t in tables)
            else ""
        )
    )
