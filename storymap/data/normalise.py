"""Turn a publisher's raw download into the tidy table the bundled data uses.

In: a Config, a source id and the raw files ``storymap fetch`` downloaded (ArcGIS GeoJSON or JSON
pages, Nomis API CSV pages, a Nomis bulk CSV, an IoD or DERI CSV, an IoD xlsx). Out: one file with
the bundled file's name and exactly its columns, sorted by area code, so that a build from the
cache reads it through the same code (storymap.data.sources) as the bundled file.

The steps are driven by the source's ``fetch:`` settings in site_config.yml: rename columns
(``columns``; any other column is snake_cased), add ``sums`` and ``percents``, keep only the codes
of ``attributes_from`` and fill missing columns from it, then order the columns as the bundled
file does. Columns the publisher does not provide are left blank.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pyogrio

from storymap.config import Config, FetchSection
from storymap.errors import FetchError
from storymap.lazy import module

gpd = module("geopandas")
pd = module("pandas")


def tidy_source(
    config: Config, source_id: str, url: str, raw: list[Path], out: Path, staged: dict[str, Path]
) -> Path:
    """Write the tidy version of ``raw`` to ``out``; ``staged`` maps source ids fetched earlier
    in this run to their tidy files (used by ``attributes_from``)."""
    source = config.sources[source_id]
    spec = source.fetch or FetchSection()
    where = f"source '{source_id}' ({url})"
    out.parent.mkdir(parents=True, exist_ok=True)
    bundled = config.resolve(source.file)
    if source.format == "codepoint_zip":
        from storymap.data.postcodes import tidy_codepoint

        return tidy_codepoint(config, raw, out, where)
    if source.format == "arcgis_geojson":
        gdf = tidy_features(read_features(raw, where), spec, bundled, where)
        write_geojson(merge_wards(config, gdf), out)
        return out
    table = read_raw(source.format or "csv", raw, spec, where)
    header = bundled_header(bundled)
    table = tidy_table(config, rename(table, spec, header), spec, source.code_column, staged, where)
    for col in header:
        if col not in table.columns:
            table[col] = ""
    table[header].to_csv(out, index=False, lineterminator="\n")
    return out


# ---------------------------------------------------------------------------------------------
# reading each publisher's format


def read_raw(fmt: str, raw: list[Path], spec: FetchSection, where: str) -> pd.DataFrame:
    """One DataFrame of text values from the raw files of a tabular format."""
    try:
        if fmt == "arcgis_json":
            return read_arcgis_json(raw, where)
        if fmt == "xlsx":
            return pd.read_excel(raw[0], sheet_name=spec.sheet or 0, dtype=str).fillna("")
        frames = [read_csv(p, where) for p in raw]
        table = pd.concat(frames, ignore_index=True)
        if fmt == "nomis_api_csv":
            return pivot_nomis(table, where)
        return table
    except FetchError:
        raise
    except Exception as exc:  # pandas and openpyxl raise many kinds for malformed files
        raise FetchError(
            f"{where}: cannot read the download as {fmt} ({type(exc).__name__}: {exc}). Check the "
            "source's url: and format: in the config; the cached copy was kept."
        ) from None


def read_csv(path: Path, where: str = "") -> pd.DataFrame:
    """A CSV file as text columns; a row with fewer or more fields than the header (a file cut
    short, or not this table) is refused rather than filled with blanks."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = csv.reader(fh)
        header = next(rows, [])
        for number, row in enumerate(rows, start=2):
            if row and len(row) != len(header):
                raise FetchError(
                    f"{where or path.name}: line {number} has {len(row)} of the header's "
                    f"{len(header)} columns: the download ends early or is not this table. "
                    "Nothing was installed and the cached copy was kept; try again."
                )
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def read_arcgis_json(raw: list[Path], where: str) -> pd.DataFrame:
    """ArcGIS ``f=json`` pages: each feature's ``attributes`` becomes a row."""
    rows = []
    for page in raw:
        data = json.loads(page.read_text(encoding="utf-8"))
        rows.extend(
            f.get("attributes") or f.get("properties") or {} for f in data.get("features", [])
        )
    if not rows:
        raise FetchError(
            f"{where}: the ArcGIS query returned no features. Check its where= clause."
        )
    return pd.DataFrame(rows).astype(str).replace({"None": "", "nan": ""})


def pivot_nomis(table: pd.DataFrame, where: str) -> pd.DataFrame:
    """Nomis API long CSV (GEOGRAPHY_CODE, one category column, OBS_VALUE) -> one row per area."""
    cols = {c.upper(): c for c in table.columns}
    if "GEOGRAPHY_CODE" not in cols or "OBS_VALUE" not in cols:
        raise FetchError(
            f"{where}: expected GEOGRAPHY_CODE and OBS_VALUE columns from Nomis, found "
            f"{', '.join(table.columns)}. Add select=geography_code,<dimension>_name,obs_value."
        )
    code, value = cols["GEOGRAPHY_CODE"], cols["OBS_VALUE"]
    others = [c for c in table.columns if c not in (code, value)]
    if len(others) != 1:
        raise FetchError(
            f"{where}: expected one category column besides GEOGRAPHY_CODE and OBS_VALUE, found "
            f"{', '.join(others) or 'none'}. Select exactly one dimension's names."
        )
    wide = table.pivot_table(index=code, columns=others[0], values=value, aggfunc="first")
    wide.columns.name = None
    return wide.reset_index()


def read_features(raw: list[Path], where: str) -> gpd.GeoDataFrame:
    """ArcGIS ``f=geojson`` pages -> one GeoDataFrame in EPSG:4326."""
    features = []
    for page in raw:
        features.extend(json.loads(page.read_text(encoding="utf-8")).get("features") or [])
    if not features:
        raise FetchError(
            f"{where}: the ArcGIS query returned no features. Check its where= clause."
        )
    try:
        return gpd.GeoDataFrame.from_features(features, crs="EPSG:4326")
    except Exception as exc:  # shapely raises several kinds for malformed geometry
        raise FetchError(f"{where}: the features cannot be read as GeoJSON ({exc}).") from None


# ---------------------------------------------------------------------------------------------
# tidying


def snake_case(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(name).lower()).strip("_")


def rename(table: pd.DataFrame, spec: FetchSection, header: list[str]) -> pd.DataFrame:
    """Publisher names -> tidy names: the ``columns`` map first, then names already in the
    bundled ``header``, else snake_case."""
    keep = set(header)
    return table.rename(
        columns=lambda c: spec.columns.get(str(c), c if c in keep else snake_case(c))
    )


def tidy_table(
    config: Config,
    table: pd.DataFrame,
    spec: FetchSection,
    code: str | None,
    staged: dict[str, Path],
    where: str,
) -> pd.DataFrame:
    """Derive sums and percents, restrict to and fill from ``attributes_from``, sort by code."""
    for name, parts in spec.sums.items():
        table[name] = numbers(table, parts, where).sum(axis=1).map(plain_number)
    for name, (num, den) in spec.percents.items():
        nums = numbers(table, [num, den], where)
        pct = (100 * nums[num] / nums[den].where(nums[den] != 0)).round(2)
        table[name] = pct.map(lambda v: "" if pd.isna(v) else plain_number(v))
    if spec.attributes_from:
        table = add_attributes(config, table, spec.attributes_from, code, staged, where)
    if code and code in table.columns:
        table = table.sort_values(code, kind="stable")
    if table.empty:
        raise FetchError(f"{where}: no rows left after tidying; is this the right file?")
    return table.reset_index(drop=True)


def numbers(table: pd.DataFrame, columns: list[str], where: str) -> pd.DataFrame:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise FetchError(
            f"{where}: column(s) {', '.join(missing)} not in the download (found "
            f"{', '.join(map(str, table.columns[:20]))}). Fix fetch.columns in the config."
        )
    return table[columns].apply(pd.to_numeric, errors="coerce")


def plain_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def add_attributes(
    config: Config,
    table: pd.DataFrame,
    other: str,
    code: str | None,
    staged: dict[str, Path],
    where: str,
) -> pd.DataFrame:
    """Keep rows whose code is in source ``other``; add the columns only ``other`` has."""
    from storymap.data.sources import source_path

    if other not in config.sources or not code or code not in table.columns:
        raise FetchError(
            f"{where}: fetch.attributes_from '{other}' needs a declared source and the code column "
            f"'{code}' in the download. Fix the config."
        )
    attrs = read_csv(staged.get(other) or source_path(config, other))
    if code not in attrs.columns:
        raise FetchError(f"{where}: attributes_from '{other}' has no '{code}' column.")
    keep = [code, *[c for c in attrs.columns if c not in table.columns]]
    attrs = attrs[keep].drop_duplicates(code)
    return table.merge(attrs, on=code, how="inner")


def bundled_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return next(csv.reader(fh))


def tidy_features(
    gdf: gpd.GeoDataFrame, spec: FetchSection, bundled: Path, where: str
) -> gpd.GeoDataFrame:
    """Rename properties and keep the bundled layer's fields, sorted as the bundled file is."""
    gdf = gdf.rename(columns=lambda c: c if c == "geometry" else spec.columns.get(c, c))
    fields = list(pyogrio.read_info(bundled)["fields"])
    missing = [f for f in fields if f not in gdf.columns]
    if missing:
        raise FetchError(
            f"{where}: field(s) {', '.join(missing)} not in the features (found "
            f"{', '.join(c for c in gdf.columns if c != 'geometry')}). Add them to outFields."
        )
    return gdf[[*fields, "geometry"]].reset_index(drop=True)


def merge_wards(config: Config, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Dissolve the wards of each ``geography.merge_boroughs`` borough into one unit coded by the
    borough (as the bundled ``citymerged`` layer is); a layer already merged is left as it is."""
    layer = config.geography.wards
    if layer.borough_code not in gdf.columns:
        return gdf
    parts = [gdf[~gdf[layer.borough_code].isin(config.geography.merge_boroughs)]]
    for borough in config.geography.merge_boroughs:
        wards = gdf[gdf[layer.borough_code] == borough]
        if len(wards) == 1 or wards.empty:
            parts.append(wards)
            continue
        unit = wards.iloc[[0]].copy()
        unit[layer.code] = borough
        unit[layer.name] = wards[layer.borough_name].iloc[0]
        unit = unit.set_geometry([wards.geometry.union_all()], crs=gdf.crs)
        parts.append(unit)
    merged = pd.concat(parts[1:] + parts[:1], ignore_index=True)
    return gpd.GeoDataFrame(merged, geometry="geometry", crs=gdf.crs)


def write_geojson(gdf: gpd.GeoDataFrame, out: Path) -> None:
    gdf.to_file(out, driver="GeoJSON", COORDINATE_PRECISION=6, RFC7946="YES")
