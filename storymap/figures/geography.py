"""Wards, boroughs and the small-area lookups that carry figures up to wards.

In: the Config. Out: a :class:`Geography` holding the ward layer (one row per mapped unit, with its
borough), the boroughs, and per small-area geography a lookup ``code -> ward, weight``.
:func:`aggregate_to_wards` sums weighted columns of a small-area table into wards.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from storymap.config import Config
from storymap.data.sources import display_path, read_boundaries, read_table, source_path
from storymap.data.validate import TableSpec, check_table
from storymap.errors import DataError, ProblemList, quoted_list

if TYPE_CHECKING:  # geopandas is imported by what reads or unpickles the shapes, not by this
    import geopandas as gpd


@dataclass
class Geography:
    wards: gpd.GeoDataFrame  # index: ward code; columns: name, borough_code, borough_name, geometry
    boroughs: pd.DataFrame  # index: borough code; columns: name
    lookups: dict[str, pd.DataFrame]  # geography key -> columns code, ward, weight

    def borough_of(self, ward_code: str) -> str:
        return str(self.wards.at[ward_code, "borough_code"])

    def without_shapes(self) -> Geography:
        """The wards and boroughs without their geometry (nor lookups): what pages that only name
        and count wards need, unpickled without geopandas."""
        return Geography(pd.DataFrame(self.wards.drop(columns="geometry")), self.boroughs, {})


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
    return Geography(wards=wards, boroughs=boroughs, lookups=lookups)


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


def _keep_area(config: Config, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    wanted = config.site.area.boroughs
    if wanted == "all":
        return gdf
    known = dict(zip(gdf["borough_name"], gdf["borough_code"], strict=False))
    codes = set(known.values())
    unknown = [b for b in wanted if b not in known and b not in codes]
    if unknown:
        raise DataError(
            f"{config.path.name}: site.area.boroughs: {quoted_list(unknown)} not found in the ward "
            f"layer (boroughs: {quoted_list(sorted(known), 40)}). Fix the spelling or use codes."
        )
    keep = {known.get(b, b) for b in wanted}
    return gdf[gdf["borough_code"].isin(keep)].copy()


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
            code_prefixes=("E01", "W01"),
            unique_codes=spec.weight is None,
            numbers=[spec.weight] if spec.weight else [],
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
