"""Wards, boroughs and the small-area lookups that carry figures up to wards.

In: the Config. Out: a :class:`Geography` holding the ward layer (one row per mapped unit, with its
borough), the boroughs, per small-area geography a lookup ``code -> ward, weight``, and which
ward codes are merged into one unit (the ward-to-borough lookup, read once).
:func:`aggregate_to_wards` sums weighted columns of a small-area table into wards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from storymap.config import Config
from storymap.data.sources import display_path, read_boundaries, read_table, source_path
from storymap.data.validate import TableSpec, check_table
from storymap.errors import ConfigError, DataError, ProblemList, did_you_mean, quoted_list
from storymap.lazy import module

np = module("numpy")
pd = module("pandas")

# West, south, east, north (EPSG:4326) of the United Kingdom with a margin: GSS codes (E05…,
# W05…, S13…, N08…) name areas in it, so a boundary elsewhere is a mistake (or swapped axes).
UK_EXTENT = (-9.0, 49.0, 2.5, 61.5)

if TYPE_CHECKING:  # geopandas is imported by what reads or unpickles the shapes, not by this
    import geopandas as gpd


@dataclass
class Geography:
    wards: gpd.GeoDataFrame  # index: ward code; columns: name, borough_code, borough_name, geometry
    boroughs: pd.DataFrame  # index: borough code; columns: name
    lookups: dict[str, pd.DataFrame]  # geography key -> columns code, ward, weight
    # ward code (as lookups use it) -> mapped unit code (:func:`ward_merge_map`), read once
    merge: dict[str, str] = field(default_factory=dict)
    # merged borough code -> {"wards": wards merged into it, lookup key: its small areas}
    merged: dict[str, dict[str, int]] = field(default_factory=dict)

    def borough_of(self, ward_code: str) -> str:
        return str(self.wards.at[ward_code, "borough_code"])

    def without_shapes(self) -> Geography:
        """The wards and boroughs without their geometry (nor lookups, though with what
        :func:`merged_units` counted from them): what pages that only name and count wards
        need, unpickled without geopandas."""
        wards = pd.DataFrame(self.wards.drop(columns="geometry"))
        return Geography(wards, self.boroughs, {}, self.merge, self.merged)


def load_geography(config: Config) -> Geography:
    wards = load_wards(config)
    merge = ward_merge_map(config, wards)
    lookups = {key: load_lookup(config, key, wards, merge) for key in config.geography.lookups}
    boroughs = (
        wards[["borough_code", "borough_name"]]
        .drop_duplicates()
        .set_index("borough_code")
        .rename(columns={"borough_name": "name"})
        .sort_values("name")
    )
    return Geography(
        wards=wards,
        boroughs=boroughs,
        lookups=lookups,
        merge=merge,
        merged=merged_units(config, merge, lookups),
    )


def merged_units(
    config: Config, merge: dict[str, str], lookups: dict[str, pd.DataFrame]
) -> dict[str, dict[str, int]]:
    """Each borough mapped as one unit (``geography.merge_boroughs``): how many wards were merged
    into it, and per lookup how many small areas (neighbourhoods) it holds. Counted here, where
    the lookups are, so pages given the geography without them still tell the true counts."""
    out = {}
    for code in config.geography.merge_boroughs:
        counts = {"wards": sum(1 for ward, unit in merge.items() if unit == code and ward != code)}
        for key, lookup in lookups.items():
            counts[key] = int(lookup.loc[lookup["ward"] == code, "code"].nunique())
        out[code] = counts
    return out


def load_wards(config: Config) -> gpd.GeoDataFrame:
    layer = config.geography.wards
    cols = [layer.code, layer.name, layer.borough_code, layer.borough_name]
    gdf = read_boundaries(config, layer.source, cols)
    shown = display_path(config, source_path(config, layer.source))
    p = ProblemList()
    empty = gdf.geometry.is_empty | gdf.geometry.isna()
    if empty.any():
        p.add(
            f"{shown}: features {quoted_list(gdf.loc[empty, layer.code])} have empty geometry. "
            "Restore the boundaries."
        )
    invalid = ~empty & ~gdf.geometry.is_valid
    if invalid.any():
        p.add(
            f"{shown}: features {quoted_list(gdf.loc[invalid, layer.code])} have invalid geometry "
            "(e.g. self-intersections). Repair them, e.g. with shapely.make_valid, and save again."
        )
    for problem in extent_problems(gdf, layer.code, shown):
        p.add(problem)
    dup = gdf[layer.code].duplicated(keep=False)
    if dup.any():
        p.add(f"{shown}: ward codes {quoted_list(gdf.loc[dup, layer.code].unique())} appear twice.")
    p.raise_if_any(DataError)
    gdf = gdf.rename(
        columns={
            layer.code: "code",
            layer.name: "name",
            layer.borough_code: "borough_code",
            layer.borough_name: "borough_name",
        }
    )
    gdf = _keep_area(config, gdf)
    return gdf.set_index("code").sort_index()


def extent_problems(gdf: gpd.GeoDataFrame, code: str, shown: str) -> list[str]:
    """Features outside the valid range of EPSG:4326, or outside the United Kingdom (where
    GSS-coded areas lie), naming swapped longitude and latitude as such."""
    bounds = gdf.geometry.bounds
    codes = gdf[code]
    finite = np.isfinite(bounds.to_numpy()).all(axis=1) | gdf.geometry.is_empty.to_numpy()
    x0, y0, x1, y1 = (bounds[c] for c in ("minx", "miny", "maxx", "maxy"))
    invalid = ~finite | (x0 < -180) | (x1 > 180) | (y0 < -90) | (y1 > 90)
    west, south, east, north = UK_EXTENT
    away = ~invalid & ((x0 < west) | (x1 > east) | (y0 < south) | (y1 > north))
    swapped = away & (y0 >= west) & (y1 <= east) & (x0 >= south) & (x1 <= north)
    away &= ~swapped
    out = []
    if invalid.any():
        out.append(
            f"{shown}: features {quoted_list(codes[invalid])} have coordinates outside the valid "
            "range of EPSG:4326 (longitude -180 to 180, latitude -90 to 90), or not numbers. "
            "Check the file's coordinate system and restore the boundaries."
        )
    if swapped.any():
        out.append(
            f"{shown}: features {quoted_list(codes[swapped])} have longitude and latitude "
            f"swapped (x from {x0[swapped].min():.2f} to {x1[swapped].max():.2f}, which are "
            "latitudes in the United Kingdom). GeoJSON gives longitude first; swap the axes, "
            "e.g. with shapely.ops.transform(lambda x, y: (y, x), geometry)."
        )
    if away.any():
        out.append(
            f"{shown}: features {quoted_list(codes[away])} lie outside the United Kingdom "
            f"(longitude {west:g} to {east:g}, latitude {south:g} to {north:g}), where areas "
            "with GSS codes are. Check their coordinates; restore the boundaries."
        )
    return out


def _keep_area(config: Config, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    wanted = config.site.area.boroughs
    if wanted == "all":
        return gdf
    known = dict(zip(gdf["borough_name"], gdf["borough_code"], strict=False))
    codes = set(known.values())
    p = ProblemList()
    for i, b in enumerate(wanted):
        if b not in known and b not in codes:
            p.add(
                f"{config.path.name}: site.area.boroughs[{i}]: '{b}' is not a borough of the ward "
                f"layer.{did_you_mean(b, known)} (boroughs: {quoted_list(sorted(known), 40)}). "
                "Fix the spelling or use codes."
            )
    p.raise_if_any(DataError)
    keep = {known.get(b, b) for b in wanted}
    return gdf[gdf["borough_code"].isin(keep)].copy()


def check_focus_boroughs(config: Config, geo: Geography) -> None:
    """Every name in site.focus_boroughs is a borough on the map (by name or code)."""
    names = list(geo.boroughs["name"])
    lower = {n.lower() for n in names} | {c.lower() for c in geo.boroughs.index}
    p = ProblemList()
    for i, b in enumerate(config.site.focus_boroughs):
        if b.lower() not in lower:
            p.add(
                f"{config.path.name}: site.focus_boroughs[{i}]: '{b}' is not a borough of "
                f"{config.site.area.name}.{did_you_mean(b, names)} Use the names as the ONS "
                f"writes them (boroughs: {quoted_list(sorted(names), 40)})."
            )
    p.raise_if_any(ConfigError)


def ward_merge_map(config: Config, wards: gpd.GeoDataFrame) -> dict[str, str]:
    """Ward code (as lookups use it) -> mapped unit code, merging wards of merged boroughs."""
    spec = config.geography.ward_boroughs
    table = read_table(config, spec.source, [spec.ward, spec.borough])
    merged = set(config.geography.merge_boroughs)
    mapping = {
        w: (b if b in merged else w)
        for w, b in zip(table[spec.ward].str.strip(), table[spec.borough].str.strip(), strict=True)
    }
    for code in wards.index:
        mapping.setdefault(code, code)
    return mapping


def load_lookup(
    config: Config, key: str, wards: gpd.GeoDataFrame, merge: dict[str, str]
) -> pd.DataFrame:
    spec = config.geography.lookups[key]
    cols = [spec.code, spec.ward] + ([spec.weight] if spec.weight else [])
    shown = display_path(config, source_path(config, spec.source))
    table = read_table(config, spec.source, cols)
    table = check_table(
        table,
        shown,
        TableSpec(
            code_column=spec.code,
            code_prefixes=spec.prefixes,
            unique_codes=spec.weight is None,
            numbers=[spec.weight] if spec.weight else [],
            code_kind=spec.level_name,
        ),
    )
    ward_codes = table[spec.ward].str.strip().map(lambda c: merge.get(c, c))
    unknown = ~ward_codes.isin(wards.index)
    if unknown.any() and config.site.area.boroughs == "all":
        raise DataError(
            f"{shown} rows {quoted_list([str(i + 2) for i in table.index[unknown]], 8)}: "
            "ward codes "
            f"{quoted_list(ward_codes[unknown].unique(), 6)} match no ward in boundaries "
            f"'{config.geography.wards.source}'. Check the file uses December 2022 ward codes."
        )
    out = pd.DataFrame(
        {
            "code": table[spec.code],
            "ward": ward_codes,
            "weight": table[spec.weight] if spec.weight else 1.0,
        }
    )
    return out[~unknown].reset_index(drop=True)


def aggregate_to_wards(
    table: pd.DataFrame, code_column: str, lookup: pd.DataFrame, columns: list[str]
) -> pd.DataFrame:
    """Sum ``columns`` of a small-area table into wards, each row scaled by its lookup weight.

    Rows whose code is not in the lookup are dropped here; callers check coverage first with
    :func:`unmatched_codes`. A NaN stays NaN only if every contribution to that ward is NaN.
    """
    joined = table[[code_column, *columns]].merge(
        lookup, left_on=code_column, right_on="code", how="inner"
    )
    weighted = joined[columns].mul(joined["weight"], axis=0)
    weighted["ward"] = joined["ward"].to_numpy()
    return weighted.groupby("ward").sum(min_count=1)


def unmatched_codes(table: pd.DataFrame, code_column: str, lookup: pd.DataFrame) -> pd.Index:
    """Row labels of ``table`` whose code is not in the lookup."""
    return table.index[~table[code_column].isin(lookup["code"])]
