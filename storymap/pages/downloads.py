"""Data downloads: the ward table as CSV and GeoJSON, for the whole area and for each borough.

In: the Config, Geography and IndicatorResults. Out: files under ``docs/downloads/`` and the
:class:`Downloads` index of their site-relative paths and sizes. The ward table has one row per
ward; each indicator gives ``<id>`` (the value, rounded exactly as the maps' data script rounds it),
``<id>_rank``, ``<id>_decile``, ``<id>_band`` and, for rates, ``<id>_numerator`` and
``<id>_denominator``. :func:`dictionary` describes every column (meaning, unit, source, licence).

CSVs are UTF-8 with a byte-order mark (so Excel reads accents and apostrophes correctly), every
text field quoted, codes kept as text, and CRLF line ends.
"""

from __future__ import annotations

import csv
import html
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from storymap.config import Config
from storymap.figures.geography import Geography
from storymap.figures.indicators import IndicatorResult

DOWNLOAD_DIR = "downloads"
COUNT_DECIMALS = 2
UNITS = {"percent": "percent (0 to 100)", "score": "score", "count": "people"}


def slug(text: str) -> str:
    """ASCII, lower-case, hyphenated: 'Kensington and Chelsea' -> 'kensington-and-chelsea'."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower().replace("&", "and")).strip("-") or "area"


def rounded(value: float, decimals: int) -> float | None:
    """The value as published in downloads, pages and the maps' data script."""
    return None if value is None or not np.isfinite(value) else round(float(value), decimals)


@dataclass
class Downloads:
    """Site-relative paths of the download files and their sizes in bytes."""

    csv: str
    geojson: str
    dictionary: str
    boroughs: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (csv, geojson)
    borough_names: list[str] = field(default_factory=list)
    sizes: dict[str, int] = field(default_factory=dict)

    def for_borough(self, code: str | None) -> tuple[str, str]:
        return self.boroughs[code] if code in self.boroughs else (self.csv, self.geojson)


def download_paths(config: Config, geo: Geography) -> Downloads:
    area = slug(config.site.area.name)
    boroughs = {
        str(code): (
            f"{DOWNLOAD_DIR}/boroughs/{slug(name)}-wards.csv",
            f"{DOWNLOAD_DIR}/boroughs/{slug(name)}-wards.geojson",
        )
        for code, name in geo.boroughs["name"].items()
    }
    return Downloads(
        csv=f"{DOWNLOAD_DIR}/{area}-wards.csv",
        geojson=f"{DOWNLOAD_DIR}/{area}-wards.geojson",
        dictionary=f"{DOWNLOAD_DIR}/data-dictionary.csv",
        boroughs=boroughs,
        borough_names=[str(n) for n in geo.boroughs["name"]],
    )


def ward_table(geo: Geography, results: dict[str, IndicatorResult]) -> pd.DataFrame:
    """One row per ward: codes, names, then each indicator's published figures."""
    wards = geo.wards
    table = pd.DataFrame(
        {
            "ward_code": wards.index.astype(str),
            "ward_name": wards["name"].astype(str).to_numpy(),
            "borough_code": wards["borough_code"].astype(str).to_numpy(),
            "borough_name": wards["borough_name"].astype(str).to_numpy(),
        }
    )
    for ind_id, res in results.items():
        rows = res.wards.loc[wards.index]
        decimals = res.spec.decimals + 2
        table[ind_id] = [rounded(v, decimals) for v in rows["value"]]
        table[f"{ind_id}_rank"] = rows["rank"].astype(int).to_numpy()
        table[f"{ind_id}_decile"] = rows["decile"].astype(int).to_numpy()
        table[f"{ind_id}_band"] = [res.risk_class(int(c)) + 1 for c in rows["cls"]]
        if res.spec.aggregate == "ratio":
            for part in ("numerator", "denominator"):
                table[f"{ind_id}_{part}"] = [rounded(v, COUNT_DECIMALS) for v in rows[part]]
    return table


def dictionary(config: Config, results: dict[str, IndicatorResult]) -> pd.DataFrame:
    """column, meaning, unit, source, licence for every column of the ward table."""
    wards = config.sources.get(config.geography.wards.source)
    base_source = f"{wards.title} ({wards.publisher})" if wards else ""
    base_licence = wards.licence if wards else ""
    rows = [
        ("ward_code", "ONS ward code (December 2022); the merged City of London uses its "
         "borough code", "text"),
        ("ward_name", "Ward name", "text"),
        ("borough_code", "ONS local authority code (December 2022)", "text"),
        ("borough_name", "Borough (local authority) name", "text"),
    ]
    out = [(c, m, u, base_source, base_licence) for c, m, u in rows]
    k = config.maps.classes
    for ind_id, res in results.items():
        spec = res.spec
        srcs = [config.sources[s] for s in getattr(spec, "source_ids", [spec.source])
                if s in config.sources]
        source = "; ".join(f"{s.title} ({s.publisher}), {s.vintage}" for s in srcs)
        licence = "; ".join(dict.fromkeys(s.licence for s in srcs))
        out += [
            (ind_id, f"{spec.label}. {spec.description}".strip(), UNITS[spec.unit], source,
             licence),
            (f"{ind_id}_rank", f"Rank among {config.site.area.name}'s wards, 1 = most at risk "
             f"({spec.short})", "rank", source, licence),
            (f"{ind_id}_decile", f"Decile of that rank, 1 = the most at-risk tenth ({spec.short})",
             "decile (1 to 10)", source, licence),
            (f"{ind_id}_band", f"Map colour band, 1 = least at risk, {k} = most ({spec.short})",
             f"band (1 to {k})", source, licence),
        ]
        if spec.aggregate == "ratio":
            out += [
                (f"{ind_id}_numerator",
                 f"Numerator of {spec.short}: {' + '.join(spec.numerator_columns)}", "people",
                 source, licence),
                (f"{ind_id}_denominator",
                 f"Denominator of {spec.short}: {' + '.join(spec.denominator_columns)}",
                 "people", source, licence),
            ]
    return pd.DataFrame(out, columns=["column", "meaning", "unit", "source", "licence"])


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse(text: object) -> object:
    """A text cell a spreadsheet would run as a formula (=, +, -, @ first) gets a leading '."""
    return "'" + text if isinstance(text, str) and text.startswith(FORMULA_START) else text


def write_csv(table: pd.DataFrame, path: Path) -> int:
    """Write ``table`` for spreadsheets; text cells cannot start a formula (CSV injection)."""
    table = table.copy()
    for col in [c for c in table.columns if not pd.api.types.is_numeric_dtype(table[c])]:
        table[col] = table[col].map(defuse)
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(
        path, index=False, encoding="utf-8-sig", quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n"
    )
    return path.stat().st_size


def _coords(coords, decimals: int = 6):
    if isinstance(coords[0], int | float):
        return [round(coords[0], decimals), round(coords[1], decimals)]
    return [_coords(c, decimals) for c in coords]


def write_geojson(table: pd.DataFrame, geo: Geography, path: Path) -> int:
    """A FeatureCollection (WGS 84) with the ward table's columns as properties."""
    features = []
    records = table.replace({np.nan: None}).to_dict(orient="records")
    for record in records:
        geom = geo.wards.geometry[record["ward_code"]].__geo_interface__
        geometry = {"type": geom["type"], "coordinates": _coords(geom["coordinates"])}
        features.append({"type": "Feature", "id": record["ward_code"], "properties": record,
                         "geometry": geometry})
    text = json.dumps({"type": "FeatureCollection", "features": features},
                      ensure_ascii=False, separators=(",", ":"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path.stat().st_size


def write_downloads(
    config: Config, geo: Geography, results: dict[str, IndicatorResult], docs: Path
) -> Downloads:
    """Write every download file into ``docs``; return their paths and sizes."""
    paths = download_paths(config, geo)
    table = ward_table(geo, results)
    sizes = paths.sizes
    sizes[paths.csv] = write_csv(table, docs / paths.csv)
    sizes[paths.geojson] = write_geojson(table, geo, docs / paths.geojson)
    sizes[paths.dictionary] = write_csv(dictionary(config, results), docs / paths.dictionary)
    for code, (csv_path, geojson_path) in paths.boroughs.items():
        part = table[table["borough_code"] == code].reset_index(drop=True)
        sizes[csv_path] = write_csv(part, docs / csv_path)
        sizes[geojson_path] = write_geojson(part, geo, docs / geojson_path)
    return paths


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 1_000_000 else f"{max(n // 1000, 1)} kB"


def downloads_markdown(config: Config, results: dict[str, IndicatorResult],
                       paths: Downloads) -> str:
    """The downloads page: every file, how to open it, and the data dictionary as a table."""
    e = html.escape
    area = e(config.site.area.name)
    rows = "".join(
        "<tr>" + "".join(f"<td>{e(str(v))}</td>" for v in row) + "</tr>"
        for row in dictionary(config, results).itertuples(index=False)
    )
    boroughs = "".join(
        f'<li>{e(name)}: <a href="{e(csv_path)}">CSV</a> · <a href="{e(gj)}">GeoJSON</a></li>'
        for name, (csv_path, gj) in zip(paths.borough_names, paths.boroughs.values(), strict=True)
    )
    return (
        "# Data downloads\n\n"
        f"<p>The figures behind every map, one row per ward of {area}. The CSV files open in "
        "Excel and other spreadsheets (UTF-8, codes kept as text); the GeoJSON files hold the "
        "same table with each ward's boundary, for GIS software.</p>\n\n"
        f'<ul><li>All of {area}: <a href="{e(paths.csv)}">CSV</a> · '
        f'<a href="{e(paths.geojson)}">GeoJSON</a></li>'
        f'<li><a href="{e(paths.dictionary)}">Data dictionary (CSV)</a></li></ul>\n\n'
        f"## Each borough\n\n<ul>{boroughs}</ul>\n\n"
        "## Data dictionary\n\n"
        '<table class="storymap-dictionary"><thead><tr><th scope="col">Column</th>'
        '<th scope="col">Meaning</th><th scope="col">Unit</th><th scope="col">Source</th>'
        f'<th scope="col">Licence</th></tr></thead><tbody>{rows}</tbody></table>\n\n'
        f"<p>{e(config.site.attribution)}</p>\n"
    )
