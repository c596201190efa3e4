"""Indicator values for wards, boroughs and the whole area, with ranks and class breaks.

In: the Config and the Geography. Out: one :class:`IndicatorResult` per configured indicator.

Counts are summed from small areas to wards (scaled by lookup weights), then rates are recomputed
from the summed numerator and denominator: never an average of rates. Scores are averaged weighted
by population. Boroughs and the whole area are summed from wards the same way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from storymap.config import Config, IndicatorSection
from storymap.data.sources import display_path, read_table, source_path
from storymap.data.validate import TableSpec, check_table
from storymap.errors import DataError, quoted_list
from storymap.figures.format import format_value as format_value  # re-exported
from storymap.figures.format import places, shown
from storymap.figures.geography import Geography, aggregate_to_wards, unmatched_codes
from storymap.lazy import module

np = module("numpy")
pd = module("pandas")

# Significant figures a computed value keeps (see settle).
SETTLED_FIGURES = 12


@dataclass
class IndicatorResult:
    spec: IndicatorSection
    wards: pd.DataFrame  # index ward code: numerator, denominator, value, rank, decile, cls
    boroughs: pd.DataFrame  # index borough code: numerator, denominator, value
    area: pd.Series  # numerator, denominator, value for the whole area
    breaks: list[float]  # upper bound of each class, lowest class first
    method: str = "quantiles"  # how the classes were made (maps.classification, index.banding)
    benchmark: pd.Series | None = None  # numerator, denominator, value of spec.benchmark's area

    @property
    def id(self) -> str:
        return self.spec.id

    def risk_class(self, cls: int) -> int:
        """Colour index (0 = least at risk) for a value class (0 = lowest values)."""
        k = len(self.breaks)
        return cls if self.spec.direction == "higher_is_more_risk" else k - 1 - cls

    def band(self, cls: int) -> int:
        """Band number for a value class, run like ranks and deciles: 1 = most at risk."""
        return len(self.breaks) - self.risk_class(cls)

    def tied(self, rank: int) -> int:
        """How many wards share ``rank`` (1 when none ties with another)."""
        return int((self.wards["rank"] == rank).sum())

    def borough_rank(self, code: str) -> tuple[int, int]:
        """A borough's rank among the boroughs (1 = most at risk; ties share the best rank),
        and how many boroughs share it."""
        rank = int(self.boroughs.at[code, "rank"])
        return rank, int((self.boroughs["rank"] == rank).sum())


def compute_indicators(config: Config, geo: Geography) -> dict[str, IndicatorResult]:
    return {spec.id: compute_indicator(config, spec, geo) for spec in config.indicators}


def compute_indicator(config: Config, spec: IndicatorSection, geo: Geography) -> IndicatorResult:
    sums = ward_sums(config, spec, geo)
    wards = sums.reindex(geo.wards.index)
    wards["value"] = _value(spec, wards["numerator"], wards["denominator"])
    _require_coverage(config, spec, geo, wards)
    result = summarise(spec, wards, geo, config.maps.classification, config.maps.classes)
    result.benchmark = benchmark(config, spec)
    return result


def benchmark(config: Config, spec: IndicatorSection) -> pd.Series | None:
    """The indicator for its ``benchmark:`` area (e.g. England and Wales), from that area's row,
    computed as for wards (a ratio of the same columns)."""
    bench = spec.benchmark
    if bench is None:
        return None
    code = config.sources[bench.source].code_column or ""
    shown = display_path(config, source_path(config, bench.source))
    nums, dens = spec.numerator_columns, spec.denominator_columns
    table = read_table(config, bench.source, list(dict.fromkeys([code, *nums, *dens])))
    rows = table[table[code].astype(str).str.strip() == bench.code]
    if rows.empty:
        raise DataError(
            f"{shown}: no row has code '{bench.code}' (the benchmark of indicator '{spec.id}'). "
            f"Fix the code in {config.path.name} or the file (codes: "
            f"{quoted_list(table[code].astype(str), 6)})."
        )
    # national codes (K04…, E92…) are not the small-area codes check_table expects: check the
    # counts here
    counts = rows[list(dict.fromkeys([*nums, *dens]))].apply(pd.to_numeric, errors="coerce")
    bad = [c for c in counts.columns if counts[c].isna().any() or (counts[c] < 0).any()]
    if bad:
        raise DataError(
            f"{shown} rows {quoted_list([str(i + 2) for i in rows.index], 4)}: {quoted_list(bad)} "
            "must be counts (whole numbers, not negative). Fix the file."
        )
    rows = counts
    num, den = float(rows[nums].sum(axis=1).sum()), float(rows[dens].sum(axis=1).sum())
    return pd.Series(
        {"numerator": num, "denominator": den, "value": settle(_value(spec, num, den))}
    )


def summarise(
    spec: IndicatorSection, wards: pd.DataFrame, geo: Geography, method: str, k: int
) -> IndicatorResult:
    """Boroughs and area from ward numerators and denominators; ward ranks, deciles, classes."""
    wards = wards.copy()
    wards["value"] = settle(wards["value"])
    wards["borough_code"] = geo.wards["borough_code"]
    grouped = wards.groupby("borough_code")[["numerator", "denominator"]].sum(min_count=1)
    grouped["value"] = settle(_value(spec, grouped["numerator"], grouped["denominator"]))
    total = wards[["numerator", "denominator"]].sum(min_count=1)
    area = pd.Series(
        {
            "numerator": total["numerator"],
            "denominator": total["denominator"],
            "value": float(settle(_value(spec, total["numerator"], total["denominator"]))),
        }
    )
    wards = wards.drop(columns="borough_code")
    shown = shown_values(wards["value"].to_numpy(), spec)
    wards["rank"] = shown_ranks(shown, spec).astype(int)
    # 1 = most at risk; boroughs without a figure have none (NaN)
    grouped["rank"] = shown_ranks(shown_values(grouped["value"].to_numpy(), spec), spec)
    wards["decile"] = deciles(shown, spec)
    breaks = class_breaks(shown, method, k)
    wards["cls"] = classify(shown, breaks)
    return IndicatorResult(
        spec=spec, wards=wards, boroughs=grouped, area=area, breaks=breaks, method=method
    )


def shown_ranks(shown: np.ndarray, spec) -> np.ndarray:
    """The one rule for ranks: 1 = most at risk, from the figures as shown (``shown_values``),
    so areas showing the same figure share a rank, the best of theirs ("joint 524th"), and the
    next area's rank counts them all. NaN (no figure) stays NaN."""
    ascending = spec.direction != "higher_is_more_risk"
    return pd.Series(shown).rank(ascending=ascending, method="min").to_numpy()


def deciles(shown: np.ndarray, spec) -> np.ndarray:
    """The one rule for deciles: the areas cut into ten by :func:`class_breaks` (quantiles) on
    the figures as shown, the rule that makes the maps' bands, numbered like ranks (1 = the most
    at-risk tenth). Areas showing the same figure share a decile, and no decile is left empty
    while there are ten distinct figures: the 156 wards showing 0.0% income deprivation are
    decile 10, not 8 (a decile from the best rank of a tie gave them 8 and left 9 and 10 empty).
    With fewer than ten distinct figures there are as many deciles as figures."""
    breaks = class_breaks(shown, "quantiles", 10)
    cls = classify(shown, breaks)
    k = len(breaks)
    return (k - cls if spec.direction == "higher_is_more_risk" else cls + 1).astype(int)


def settle(values):
    """``values`` kept to 12 significant figures, so figures that are equal compare equal.

    A ward's share is a ratio of sums of population-weighted counts, and the same share reached
    from different counts (100% of 812 people and 100% of 1,337) can differ in the 15th or 16th
    significant figure, floating-point noise that would rank 76 wards at 100% as 1st, 8th and
    71st. Ties are ranked together (``method="min"``), so noise must not break them. Real
    differences between London's ward figures are far larger: the closest two distinct values of
    any indicator differ by about 7 in 10 million (relative), noise by under 1 in 10 million
    million; 12 significant figures keeps the first and drops the second. Downloads carry these
    settled values, so a reader's own ranking of the CSV agrees with the site's.
    """
    if np.isscalar(values):
        return float(f"{float(values):.{SETTLED_FIGURES}g}") if np.isfinite(values) else values
    array = np.asarray(values, dtype=float)
    out = np.array([float(f"{v:.{SETTLED_FIGURES}g}") for v in array.ravel()]).reshape(array.shape)
    return pd.Series(out, index=values.index) if isinstance(values, pd.Series) else out


def _value(spec: IndicatorSection, numerator, denominator):
    if spec.aggregate == "ratio":
        return 100 * numerator / denominator
    if spec.aggregate in ("weighted_mean", "index"):
        return numerator / denominator
    return numerator


def ward_sums(config: Config, spec: IndicatorSection, geo: Geography) -> pd.DataFrame:
    """Per ward: numerator and denominator (for a mean: weighted sum and weight; for a sum: NaN)."""
    table, code, lookup = area_sums(config, spec, geo)
    sums = aggregate_to_wards(table, code, lookup, ["_num", "_den"])
    return sums.rename(columns={"_num": "numerator", "_den": "denominator"})


def area_sums(
    config: Config, spec: IndicatorSection, geo: Geography
) -> tuple[pd.DataFrame, str, pd.DataFrame]:
    """The indicator's table, checked, with per small area ``_num`` and ``_den`` (as
    :func:`ward_sums` adds them up); its code column; the lookup that carries it to wards."""
    source = config.sources[spec.source]
    code = source.code_column or ""
    shown = display_path(config, source_path(config, spec.source))
    filter_col = spec.numerator_filter.column if spec.numerator_filter else None
    nums, dens = spec.numerator_columns, spec.denominator_columns
    counts = list(dict.fromkeys([*nums, *dens]))
    wanted = list(dict.fromkeys(c for c in (*counts, spec.value, filter_col) if c))
    table = read_table(config, spec.source, [code, *wanted])
    table = check_table(
        table,
        shown,
        TableSpec(
            code_column=code,
            counts=counts,
            numbers=[c for c in (spec.value, filter_col) if c],
            not_above=[(nums[0], dens[0])] if len(nums) == 1 and len(dens) == 1 else [],
        ),
    )
    lookup = _lookup_for(spec, geo)
    _require_codes_match(config, spec, shown, table, code, lookup)

    if spec.aggregate == "ratio":
        num, den = table[nums].sum(axis=1), table[dens].sum(axis=1)
        above = num > den
        if above.any():
            raise DataError(
                f"{shown} rows {quoted_list([str(i + 2) for i in table.index[above]], 8)}: "
                f"{' + '.join(nums)} is larger than {' + '.join(dens)}. A numerator cannot exceed "
                f"its denominator; check the columns of indicator '{spec.id}'."
            )
        if spec.numerator_filter:
            keep = table[spec.numerator_filter.column].isin(spec.numerator_filter.values)
            num = num.where(keep, 0.0)
        table = table.assign(_num=num, _den=den)
    elif spec.aggregate == "weighted_mean":
        weights = _weights(config, spec)
        w = table[code].map(weights)
        missing = w.isna()
        if missing.any():
            raise DataError(
                f"{shown} rows {quoted_list([str(i + 2) for i in table.index[missing]], 8)}: codes "
                f"{quoted_list(table.loc[missing, code].unique(), 5)} have no weight in source "
                f"'{spec.weight.source if spec.weight else ''}'. Check both files use the same "
                "areas (the same level and vintage of codes)."
            )
        w = w.where(table[spec.value].notna(), 0.0)
        table = table.assign(_num=table[spec.value] * w, _den=w)
    else:
        table = table.assign(_num=table[spec.value], _den=math.nan)
    return table, code, lookup


def _lookup_for(spec: IndicatorSection, geo: Geography) -> pd.DataFrame:
    if spec.geography == "ward":
        codes = geo.wards.index
        return pd.DataFrame({"code": codes, "ward": codes, "weight": 1.0})
    return geo.lookups[spec.geography]


def _weights(config: Config, spec: IndicatorSection) -> pd.Series:
    if spec.weight is None:
        raise DataError(
            f"{config.path.name}: indicator '{spec.id}': aggregate weighted_mean needs weight: "
            "{source, column} naming the population to weight by."
        )
    wsrc = config.sources[spec.weight.source]
    code = wsrc.code_column or ""
    shown = display_path(config, source_path(config, spec.weight.source))
    table = read_table(config, spec.weight.source, [code, spec.weight.column])
    table = check_table(table, shown, TableSpec(code_column=code, counts=[spec.weight.column]))
    return table.set_index(code)[spec.weight.column]


def _require_codes_match(config, spec, shown, table, code, lookup) -> None:
    bad = unmatched_codes(table, code, lookup)
    if len(bad) and config.site.area.boroughs == "all":
        level = config.geography.lookups.get(spec.geography)
        kind = level.level_name if level else "ward (December 2022)"
        raise DataError(
            f"{shown} rows {quoted_list([str(i + 2) for i in bad], 8)}: codes "
            f"{quoted_list(table.loc[bad, code].unique(), 6)} match no area in the "
            f"'{spec.geography}' lookup ({len(bad)} rows). Check the file's codes are {kind} "
            f"codes, as indicator '{spec.id}' declares (geography: {spec.geography})."
        )


def _require_coverage(config, spec, geo: Geography, wards: pd.DataFrame) -> None:
    empty = wards["value"].isna() | ~np.isfinite(wards["value"].astype(float))
    if empty.any():
        names = [f"{c} {geo.wards.at[c, 'name']}" for c in wards.index[empty]]
        raise DataError(
            f"indicator '{spec.id}' (source '{spec.source}'): {int(empty.sum())} ward(s) get no "
            f"value: {quoted_list(names, 6)}. Check the lookup '{spec.geography}' covers them "
            "and the source has figures for their areas."
        )


def shown_values(values: np.ndarray, spec) -> np.ndarray:
    """Each value as pages show it (:func:`storymap.figures.format.shown`: rounded once to the
    places shown, none for counts). Classes are built from these, so two areas shown with the
    same figure always share a colour."""
    digits = places(spec)
    values = np.asarray(values, dtype=float)
    scaled = np.abs(values) * 10.0**digits
    whole = np.floor(scaled + 0.5)
    # where the value is not within a hair of a half, that float rounding is the exact
    # rounding, and whole / 10**digits is the float nearest the shown figure, as float(shown())
    # gives it; near a half, and beyond 2**52, shown() decides, from the exact value
    with np.errstate(invalid="ignore"):
        fraction = scaled - np.floor(scaled)
        sure = (np.abs(fraction - 0.5) > 1e-6) & (scaled < 2.0**52)
        out = np.copysign(whole / 10.0**digits, values) + 0.0  # -0.0 shows as 0.0
    out[~np.isfinite(values)] = np.nan
    for i in np.flatnonzero(~sure & np.isfinite(values)):
        figure = shown(values[i], digits)
        out[i] = float(figure)
    return out


def class_breaks(values: np.ndarray, method: str, k: int) -> list[float]:
    """Upper bounds of ``k`` classes, lowest first (fewer if the data has fewer distinct values).

    Each bound is a value in the data, and areas with the same value always share a class, so no
    two classes start at the same value. Quantiles: classes of about equal counts, each class
    closed where the running count comes nearest to an equal share of the areas still to place
    (a value shared by more areas than that is a class of its own). Natural breaks: Fisher-Jenks.
    """
    values = values[np.isfinite(values)]
    distinct, counts = np.unique(values, return_counts=True)
    if len(distinct) <= k:
        return [float(v) for v in distinct]
    if method == "natural_breaks":
        import mapclassify  # slow to import (scipy, scikit-learn): only when asked for

        return [float(b) for b in np.unique(mapclassify.FisherJenks(values, k=k).bins)]
    cumulative = np.cumsum(counts)
    ends, placed, last = [], 0, -1
    for j in range(k - 1):
        target = placed + (cumulative[-1] - placed) / (k - j)
        lo, hi = last + 1, len(distinct) - (k - j)  # leave a value for every class still to come
        last = lo + int(np.argmin(np.abs(cumulative[lo : hi + 1] - target)))
        ends.append(float(distinct[last]))
        placed = cumulative[last]
    return [*ends, float(distinct[-1])]


def classify(values: np.ndarray, breaks: list[float]) -> np.ndarray:
    """Class of each value: the first class whose upper bound it does not exceed."""
    return np.searchsorted(np.asarray(breaks), values, side="left").clip(0, len(breaks) - 1)
