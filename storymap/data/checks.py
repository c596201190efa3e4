"""Checks on every input table before any join, gathered across all tables.

In: the Config. Out: a :class:`CheckReport` listing, per table, what was checked, the problems and
the accepted warnings; :func:`check_inputs` raises one DataError naming every problem in every table
(file, rows, codes and the fix) instead of stopping at the first table.

Besides the per-table checks of :mod:`storymap.data.validate` (code format, duplicates, blanks,
numbers, counts, numerators within denominators, ranges), it checks joins: every code of an
indicator's table is in the lookup of its declared geography (and, if the codes match another lookup
better, says which vintage they look like), every ward gets a value, and lookups name December 2022
wards."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from storymap.config import WARD_LAYER_PREFIXES, Config, IndicatorSection
from storymap.data.sources import (
    display_path,
    read_boundaries,
    read_inputs_table,
    read_table,
    source_path,
)
from storymap.data.validate import TableSpec, table_problems
from storymap.data.weighttotals import check_weight_totals, decimal_places
from storymap.errors import DataError, StorymapError, quoted_list
from storymap.lazy import module

pd = module("pandas")


@dataclass
class TableCheck:
    what: str  # e.g. "indicator pct_65_plus" or "lookup lsoa21"
    file: str
    rows: int = 0
    checks: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class CheckReport:
    tables: list[TableCheck]

    @property
    def problems(self) -> list[str]:
        return [p for t in self.tables for p in t.problems]

    @property
    def warnings(self) -> list[str]:
        return [w for t in self.tables for w in t.warnings]


def check_inputs(config: Config) -> CheckReport:
    """Audit every input table; raise one DataError listing all problems, else return the report."""
    report = audit_inputs(config)
    if report.problems:
        raise DataError(report.problems)
    return report


def audit_inputs(config: Config) -> CheckReport:
    tables: list[TableCheck] = []
    wards, in_area = _check_wards(config, tables)
    merge = _check_ward_boroughs(config, tables, wards, in_area)
    lookups = {
        key: _check_lookup(config, key, tables, wards, merge) for key in config.geography.lookups
    }
    for spec in config.indicators:
        _check_indicator(config, spec, tables, wards, lookups)
    _comparison_inputs(config, tables)
    return CheckReport(tables)


def _shown(config: Config, source: str) -> str:
    return display_path(config, source_path(config, source))


def _rows(index: pd.Index) -> str:
    return quoted_list([str(i + 2) for i in index], 8)


def _read(
    config: Config, source: str, columns: list[str], check: TableCheck
) -> pd.DataFrame | None:
    try:
        table = read_table(config, source, columns)
    except StorymapError as exc:
        check.problems.extend(exc.problems)
        return None
    check.rows = len(table)
    return table


def _check_wards(config: Config, tables: list[TableCheck]) -> tuple[set[str], set[str] | None]:
    """The ward layer checked: its ward codes, and the codes of the boroughs the site covers
    (``site.area.boroughs``, by name or code; None for all of them)."""
    layer = config.geography.wards
    check = TableCheck("ward boundaries", _shown(config, layer.source))
    tables.append(check)
    wanted = config.site.area.boroughs
    columns = [layer.code, layer.borough_code] + ([layer.borough_name] if wanted != "all" else [])
    try:
        gdf = read_boundaries(config, layer.source, columns)
    except StorymapError as exc:
        check.problems.extend(exc.problems)
        return set(), None
    in_area = None
    if wanted != "all":
        names = gdf[layer.borough_name].astype(str).str.strip()
        codes = gdf[layer.borough_code].astype(str).str.strip()
        in_area = set(codes[names.isin(wanted) | codes.isin(wanted)])
    check.rows = len(gdf)
    table = pd.DataFrame(gdf[[layer.code, layer.borough_code]])
    _, problems = table_problems(table, check.file, TableSpec(layer.code, WARD_LAYER_PREFIXES))
    check.problems += problems
    check.checks.append("ward codes are E05… (or E09… for merged boroughs) and unique")
    return set(table[layer.code].astype(str).str.strip()), in_area


def _check_ward_boroughs(
    config: Config, tables: list[TableCheck], wards: set[str], in_area: set[str] | None = None
) -> dict:
    spec = config.geography.ward_boroughs
    check = TableCheck("ward to borough lookup", _shown(config, spec.source))
    tables.append(check)
    table = _read(config, spec.source, [spec.ward, spec.borough], check)
    if table is None:
        return {}
    table, problems = table_problems(table, check.file, TableSpec(spec.ward, ("E05", "W05")))
    check.problems += problems
    merged = set(config.geography.merge_boroughs)
    merge = {
        w: (b if b in merged else w)
        for w, b in zip(table[spec.ward], table[spec.borough].str.strip(), strict=True)
    }
    told = merged if in_area is None else merged & in_area  # not a City the area leaves out
    if told:
        n = sum(1 for b in merge.values() if b in told)
        check.warnings.append(
            f"{n} wards of {quoted_list(sorted(told))} are merged into one unit per borough, "
            "because the small-area lookups give some of them no neighbourhood of their own."
        )
    _ward_vintage(check, table, spec.ward, table[spec.ward].map(merge), wards, config)
    check.checks.append("ward codes unique and all in the December 2022 ward layer")
    return merge


def _ward_vintage(
    check: TableCheck, table, column, codes: pd.Series, wards: set[str], config
) -> None:
    """Ward codes that match no ward of the layer; say if they look older than the layer."""
    if not wards or config.site.area.boroughs != "all":
        return
    unknown = ~codes.isin(wards)
    if not unknown.any():
        return
    bad = list(codes[unknown].unique())
    newest = max(int(c[1:]) for c in wards if re.match(r"^E05\d{6}$", c)) if wards else 0
    older = [c for c in bad if re.match(r"^E05\d{6}$", c) and int(c[1:]) < newest]
    hint = (
        f" {len(older)} of them look like ward codes from before the December 2022 boundary "
        "changes (e.g. 2018 wards): use a lookup to December 2022 wards (WD22CD)."
        if older
        else " Check the file uses December 2022 ward codes (WD22CD)."
    )
    check.problems.append(
        f"{check.file} rows {_rows(table.index[unknown])}: {column} {quoted_list(bad, 6)} match no "
        f"ward in '{config.geography.wards.source}' ({int(unknown.sum())} rows).{hint}"
    )


def _check_lookup(config, key, tables, wards, merge) -> pd.DataFrame | None:
    spec = config.geography.lookups[key]
    check = TableCheck(f"lookup {key}", _shown(config, spec.source))
    tables.append(check)
    cols = [spec.code, spec.ward] + ([spec.weight] if spec.weight else [])
    table = _read(config, spec.source, cols, check)
    if table is None:
        return None
    tspec = TableSpec(
        spec.code,
        spec.prefixes,
        unique_codes=spec.weight is None,
        code_kind=spec.level_name,
        unique_hint=(
            "A lookup without weights gives each area to one ward (best fit): keep one row per "
            f"code, or name a weight column (geography.lookups.{key}.weight) to share an area "
            "between wards."
        ),
    )
    if spec.weight:
        tspec.numbers, tspec.ranges = [spec.weight], {spec.weight: (0.0, 1.001)}
    places = decimal_places(table[spec.weight]) if spec.weight else 0  # before conversion
    table, problems = table_problems(table, check.file, tspec)
    check.problems += problems
    ward_codes = table[spec.ward].str.strip().map(lambda c: merge.get(c, c))
    _ward_vintage(check, table, spec.ward, ward_codes, wards, config)
    prefixes = "/".join(spec.prefixes)
    check.checks.append(
        f"{spec.code} {prefixes}… codes ({spec.level_name}), wards all December 2022 wards"
    )
    if spec.weight and not problems:
        check_weight_totals(check, table, spec, key, places)
    return pd.DataFrame({"code": table[spec.code], "ward": ward_codes})


def _code_level(config: Config, spec: IndicatorSection) -> tuple[tuple[str, ...], str]:
    """The code prefixes and the kind of area an indicator's file must have, by its geography."""
    lookup = config.geography.lookups.get(spec.geography)
    if lookup is None:
        return WARD_LAYER_PREFIXES, "ward (December 2022)"
    return lookup.prefixes, lookup.level_name


def _indicator_spec(config: Config, spec: IndicatorSection, code: str) -> TableSpec:
    nums, dens = spec.numerator_columns, spec.denominator_columns
    filt = spec.numerator_filter.column if spec.numerator_filter else None
    ranges = {}
    if spec.value and (spec.valid_range or spec.unit == "percent"):
        ranges[spec.value] = spec.valid_range or (0.0, 100.0)
    prefixes, kind = _code_level(config, spec)
    return TableSpec(
        code_column=code,
        code_prefixes=prefixes,
        code_kind=kind,
        counts=list(dict.fromkeys([*nums, *dens])),
        numbers=[c for c in (spec.value, filt) if c],
        not_above=[(nums[0], dens[0])] if len(nums) == 1 and len(dens) == 1 else [],
        ranges=ranges,
    )


def _check_indicator(config, spec: IndicatorSection, tables, wards, lookups) -> None:
    source = config.sources[spec.source]
    code = source.code_column or ""
    check = TableCheck(f"indicator {spec.id}", _shown(config, spec.source))
    tables.append(check)
    tspec = _indicator_spec(config, spec, code)
    cols = [code, *tspec.counts, *tspec.numbers]
    table = _read(config, spec.source, list(dict.fromkeys(cols)), check)
    if table is None:
        return
    table, problems = table_problems(table, check.file, tspec)
    check.problems += problems
    check.checks.append(_describe_checks(tspec))
    nums, dens = spec.numerator_columns, spec.denominator_columns
    if nums and dens and (len(nums) > 1 or len(dens) > 1) and not problems:
        above = table[nums].sum(axis=1) > table[dens].sum(axis=1)
        if above.any():
            check.problems.append(
                f"{check.file} rows {_rows(table.index[above])}: "
                f"{' + '.join(nums)} is larger than {' + '.join(dens)}. "
                "A numerator cannot exceed its denominator; check the columns."
            )
    _check_join(config, spec, check, table, code, wards, lookups)
    if spec.weight:
        _check_weights(config, spec, check, table, code)


def _check_weights(config, spec: IndicatorSection, check: TableCheck, table, code: str) -> None:
    weight = spec.weight
    wcode = config.sources[weight.source].code_column or ""
    wtable = _read_quiet(config, weight.source, [wcode, weight.column], check)
    if wtable is None:
        return
    prefixes, kind = _code_level(config, spec)
    wtable, problems = table_problems(
        wtable,
        _shown(config, weight.source),
        TableSpec(wcode, prefixes, counts=[weight.column], code_kind=kind),
    )
    check.problems += problems
    missing = ~table[code].isin(set(wtable[wcode]))
    if missing.any():
        check.problems.append(
            f"{check.file} rows {_rows(table.index[missing])}: {code} "
            f"{quoted_list(table.loc[missing, code].unique(), 6)} have no weight in source "
            f"'{weight.source}' ({weight.column}). Check both files use the same areas (the same "
            "level and vintage of codes)."
        )
    check.checks.append(f"every code has a weight in '{weight.source}'")


def _read_quiet(config, source: str, columns: list[str], check: TableCheck):
    try:
        return read_table(config, source, columns)
    except StorymapError as exc:
        check.problems.extend(exc.problems)
        return None


def _comparison_inputs(config: Config, tables: list[TableCheck]) -> None:
    """Accepted warning: the inputs of the published index we compare with, and their dates."""
    index = config.index
    if not index or not index.compare_with or not index.compare_with.inputs_table:
        return
    path = config.resolve(index.compare_with.inputs_table)
    check = TableCheck(f"inputs of {index.compare_with.indicator}", display_path(config, path))
    tables.append(check)
    try:
        table = read_inputs_table(config)
        england = table["Geographical area"].str.contains("England")
        dated = table.loc[england, ["Indicator", "Date of data"]].drop_duplicates()
    except (OSError, ValueError, KeyError) as exc:
        check.problems.append(f"{check.file}: cannot be read as the inputs table ({exc}).")
        return
    check.rows = len(table)
    old = dated[dated["Date of data"].str.contains(r"11|2011|2018|2019|2020", regex=True)]
    items = [f"{r['Indicator']} ({r['Date of data']})" for _, r in old.iterrows()]
    check.checks.append("inputs and dates listed")
    if items:
        check.warnings.append(
            f"'{index.compare_with.indicator}' (GMCA DERI v1.6) is built partly from older inputs: "
            f"{quoted_list(items, 8)}. It is used only for comparison; accepted."
        )


def _describe_checks(tspec: TableSpec) -> str:
    parts = [f"{tspec.code_column} {'/'.join(tspec.code_prefixes)}… codes, unique"]
    if tspec.counts:
        parts.append(f"counts ≥ 0 ({', '.join(tspec.counts)})")
    if tspec.numbers:
        parts.append(f"numbers ({', '.join(tspec.numbers)})")
    if tspec.not_above:
        parts.append("numerators ≤ denominators")
    parts += [f"{c} within {lo:g} to {hi:g}" for c, (lo, hi) in tspec.ranges.items()]
    return "; ".join(parts) + "; no blanks"


def _check_join(config, spec, check: TableCheck, table, code, wards, lookups) -> None:
    """Codes all match the declared lookup (else: which vintage they look like); wards covered."""
    if spec.geography == "ward":
        lookup = pd.DataFrame({"code": sorted(wards), "ward": sorted(wards)})
    else:
        lookup = lookups.get(spec.geography)
    if lookup is None or not wards:
        return
    codes = table[code]
    unmatched = ~codes.isin(set(lookup["code"]))
    if unmatched.any() and config.site.area.boroughs == "all":
        check.problems.append(
            f"{check.file} rows {_rows(table.index[unmatched])}: {code} "
            f"{quoted_list(codes[unmatched].unique(), 6)} match no area in the '{spec.geography}' "
            f"lookup ({int(unmatched.sum())} of {len(codes)} rows)."
            + _vintage_hint(config, spec, codes, lookups)
        )
    covered = set(lookup.loc[lookup["code"].isin(set(codes)), "ward"])
    missing = sorted(wards - covered)
    if missing and config.site.area.boroughs == "all":
        check.problems.append(
            f"indicator '{spec.id}' ({check.file}): {len(missing)} ward(s) get no value: "
            f"{quoted_list(missing, 8)}. No code in the file maps to them through the "
            f"'{spec.geography}' lookup; restore their rows or fix the lookup."
        )
    check.checks.append(f"every code in the '{spec.geography}' lookup; every ward gets a value")


def _vintage_hint(config: Config, spec: IndicatorSection, codes: pd.Series, lookups) -> str:
    present = set(codes)
    rates = {
        key: len(present & set(lk["code"])) / max(len(present), 1)
        for key, lk in lookups.items()
        if lk is not None
    }
    declared = rates.get(spec.geography, 0.0)
    best = max(rates, key=lambda k: rates[k]) if rates else spec.geography
    if best == spec.geography or rates[best] <= declared:
        return " Check the codes and the file's geography."
    title = config.sources[config.geography.lookups[best].source].title
    return (
        f" The file's codes match the '{best}' lookup ({title}) better: {rates[best]:.0%} of them "
        f"against {declared:.0%} for the declared '{spec.geography}'. This looks like a vintage "
        f"mismatch: set geography: {best} for indicator '{spec.id}', or use a file with "
        f"{spec.geography} codes."
    )
