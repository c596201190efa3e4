"""The download tables: one row per ward, borough or the whole area, with headers people read.

In: the Config, Geography, IndicatorResults and (optionally) the IndexResult. Out:
:class:`Table` objects: a DataFrame whose column names are plain headers with units ("Residents
aged 65 and over (%)", "Aged 65+: rank in London (1 = most at risk)") and, per column, a
:class:`Column` with its machine id (``pct_65_plus_rank``, the GeoJSON property name), meaning,
unit, source and licence, which :func:`dictionary` lists.

Values keep their full precision (settled to 12 significant figures, as the site ranks them);
counts of people are whole numbers; ranks, deciles and bands run the same way (1 = most at risk).
"""

from __future__ import annotations

from dataclasses import dataclass

from storymap.config import Config
from storymap.errors import ConfigError
from storymap.figures.format import in_sentence, possessive, shown
from storymap.figures.geography import Geography
from storymap.figures.indicators import IndicatorResult
from storymap.figures.riskindex import IndexResult, firm_runs
from storymap.lazy import module

pd = module("pandas")

UNIT_HEADER = {"percent": "%", "score": "score", "count": "people"}
UNIT_MEANING = {"percent": "percent (0 to 100)", "score": "score", "count": "people"}


@dataclass(frozen=True)
class Column:
    id: str  # machine id: the GeoJSON property, and the dictionary's key
    header: str  # what the CSV and the workbook show
    meaning: str
    unit: str
    source: str = ""
    licence: str = ""
    places: int | None = None  # decimals a spreadsheet shows (None: text, 0: whole numbers)


@dataclass
class Table:
    """A download table: ``frame``'s columns are the headers of ``columns``, in order."""

    frame: pd.DataFrame
    columns: list[Column]

    def by_id(self) -> pd.DataFrame:
        """The same table with machine ids as column names (GeoJSON properties)."""
        return self.frame.set_axis([c.id for c in self.columns], axis=1)


def whole(values) -> list[int | None]:
    """Counts of people as whole numbers, rounded once (half away from zero)."""
    out = []
    for v in values:
        figure = shown(v, 0)
        out.append(None if figure is None else int(figure))
    return out


def _provenance(config: Config, spec) -> tuple[str, str]:
    srcs = [config.sources[s] for s in spec.source_ids if s in config.sources]
    source = "; ".join(f"{s.title} ({s.publisher}), {s.vintage}" for s in srcs)
    return source, "; ".join(dict.fromkeys(s.licence for s in srcs))


WHO = ("residents", "people", "households", "adults")


def count_labels(spec) -> tuple[str, str]:
    """What a ratio's two counts are, in words: the config's ``numerator_label`` and
    ``denominator_label``, or from the label ("Residents aged 85 and over" -> "residents aged 85
    and over", "all residents"), or "people in the group" and "all people the share is of"."""
    first = spec.label.split()[0].lower() if spec.label.split() else ""
    who = first if first in WHO else ""
    num = spec.numerator_label or (in_sentence(spec.label) if who else "people in the group")
    den = spec.denominator_label or (f"all {who}" if who else "all people the share is of")
    return num, den


def value_header(spec) -> str:
    """'Residents aged 65 and over (%)'; a label that already names its unit keeps it."""
    unit = "score, 0 to 10" if spec.aggregate == "index" else UNIT_HEADER[spec.unit]
    if spec.unit == "score" and "score" in spec.label.lower() and spec.aggregate != "index":
        return spec.label
    return f"{spec.label} ({unit})"


def _code_columns(config: Config, level: str) -> list[Column]:
    wards = config.sources.get(config.geography.wards.source)
    src, lic = (f"{wards.title} ({wards.publisher})", wards.licence) if wards else ("", "")
    borough = [
        Column(
            "borough_code",
            "Borough code",
            "ONS local authority code (December 2022)",
            "text",
            src,
            lic,
        ),
        Column("borough_name", "Borough", "Borough (local authority) name", "text", src, lic),
    ]
    if level == "borough":
        return borough
    if level == "area":
        return [Column("area", "Area", "The whole area the site covers", "text")]
    return [
        Column(
            "ward_code",
            "Ward code",
            "ONS ward code (December 2022); the merged City of London uses its borough code",
            "text",
            src,
            lic,
        ),
        Column("ward_name", "Ward", "Ward name", "text", src, lic),
        *borough,
    ]


def _indicator_columns(config: Config, res: IndicatorResult, level: str, n: int) -> list[Column]:
    spec, area = res.spec, config.site.area.name
    source, licence = _provenance(config, spec)
    digits = 0 if spec.unit == "count" else spec.decimals
    what = f"{spec.label}. {spec.description}".strip()

    def col(suffix: str, header: str, meaning: str, unit: str, places: int | None = 0) -> Column:
        return Column(f"{spec.id}{suffix}", header, meaning, unit, source, licence, places)

    out = [col("", value_header(spec), what, UNIT_MEANING[spec.unit], digits)]
    if level == "ward":
        k = len(res.breaks)
        out += [
            col(
                "_rank",
                f"{spec.short}: rank in {area} (1 = most at risk)",
                f"Rank among {possessive(area)} {n} wards, 1 = most at risk; wards showing the "
                "same figure share a rank",
                "rank",
            ),
            col(
                "_decile",
                f"{spec.short}: decile (1 = most at risk)",
                "Tenth of the wards by figure, 1 = the most at-risk tenth; wards showing the same "
                "figure share a decile, so a figure many wards share can make a tenth of its own",
                "decile (1 to 10)",
            ),
            col(
                "_band",
                f"{spec.short}: map band (1 = most at risk)",
                f"Colour band of the maps, 1 = most at risk, {k} = least",
                f"band (1 to {k})",
            ),
        ]
    elif level == "borough":
        out.append(
            col(
                "_borough_rank",
                f"{spec.short}: rank of {n} boroughs (1 = most at risk)",
                f"Rank among the {n} boroughs, 1 = most at risk",
                "rank",
            )
        )
    if spec.aggregate == "ratio":
        num, den = count_labels(spec)
        out += [
            col(
                "_numerator",
                f"{spec.short}: {num} (people)",
                f"Numerator of {spec.short}: {num}, whole people",
                "people",
            ),
            col(
                "_denominator",
                f"{spec.short}: {den} (people)",
                f"Denominator of {spec.short}: {den}, whole people",
                "people",
            ),
        ]
    return out


def _robustness_columns(config: Config, ix: IndexResult) -> list[Column]:
    spec, cfg = ix.result.spec, ix.section.robustness
    source, licence = _provenance(config, spec)
    runs = f"{cfg.runs} reweightings (each weight times {1 - cfg.spread:g} to {1 + cfg.spread:g})"
    return [
        Column(
            f"{spec.id}_rank_best",
            f"{spec.short}: best rank under other weights",
            f"5th percentile of the ward's rank over {runs}",
            "rank",
            source,
            licence,
            0,
        ),
        Column(
            f"{spec.id}_rank_worst",
            f"{spec.short}: worst rank under other weights",
            f"95th percentile of the ward's rank over {runs}",
            "rank",
            source,
            licence,
            0,
        ),
        Column(
            f"{spec.id}_band_kept",
            f"{spec.short}: reweightings keeping its band (of {cfg.runs:,})",
            f"How many of the {runs} keep the ward in its band; "
            f"{firm_runs(cfg.runs, cfg.stable_share):,} or more make a firm band",
            f"reweightings (0 to {cfg.runs:,})",
            source,
            licence,
            0,
        ),
        Column(
            f"{spec.id}_band_firm",
            f"{spec.short}: band firm under other weights",
            f"Whether the ward's band is firm: kept in at least "
            f"{firm_runs(cfg.runs, cfg.stable_share):,} of the {runs}, as the site counts",
            "yes or no",
            source,
            licence,
            None,
        ),
    ]


def ward_table(
    config: Config,
    geo: Geography,
    results: dict[str, IndicatorResult],
    index: IndexResult | None = None,
) -> Table:
    """One row per ward: codes, names, then each indicator's figures, rank, decile and band."""
    wards = geo.wards
    data: dict[str, list] = {
        "ward_code": wards.index.astype(str).tolist(),
        "ward_name": wards["name"].astype(str).tolist(),
        "borough_code": wards["borough_code"].astype(str).tolist(),
        "borough_name": wards["borough_name"].astype(str).tolist(),
    }
    columns = _code_columns(config, "ward")
    for ind_id, res in results.items():
        rows = res.wards.loc[wards.index]
        columns += _indicator_columns(config, res, "ward", len(wards))
        data[ind_id] = rows["value"].astype(float).tolist()
        data[f"{ind_id}_rank"] = rows["rank"].astype(int).tolist()
        data[f"{ind_id}_decile"] = rows["decile"].astype(int).tolist()
        data[f"{ind_id}_band"] = [res.band(int(c)) for c in rows["cls"]]
        if res.spec.aggregate == "ratio":
            data[f"{ind_id}_numerator"] = whole(rows["numerator"])
            data[f"{ind_id}_denominator"] = whole(rows["denominator"])
        if index is not None and ind_id == index.result.spec.id:
            rob = index.robustness.loc[wards.index]
            columns += _robustness_columns(config, index)
            data[f"{ind_id}_rank_best"] = rob["rank_p05"].astype(int).tolist()
            data[f"{ind_id}_rank_worst"] = rob["rank_p95"].astype(int).tolist()
            data[f"{ind_id}_band_kept"] = rob["kept"].astype(int).tolist()
            data[f"{ind_id}_band_firm"] = ["yes" if f else "no" for f in rob["firm"]]
    return table_of(data, columns)


def borough_table(config: Config, geo: Geography, results: dict[str, IndicatorResult]) -> Table:
    """One row per borough: each indicator's figure and the borough's rank among boroughs."""
    codes = list(geo.boroughs.index)
    data: dict[str, list] = {
        "borough_code": [str(c) for c in codes],
        "borough_name": geo.boroughs["name"].astype(str).tolist(),
    }
    columns = _code_columns(config, "borough")
    for ind_id, res in results.items():
        rows = res.boroughs.loc[codes]
        columns += _indicator_columns(config, res, "borough", len(codes))
        data[ind_id] = rows["value"].astype(float).tolist()
        data[f"{ind_id}_borough_rank"] = rows["rank"].astype(int).tolist()
        if res.spec.aggregate == "ratio":
            data[f"{ind_id}_numerator"] = whole(rows["numerator"])
            data[f"{ind_id}_denominator"] = whole(rows["denominator"])
    return table_of(data, columns)


def area_table(config: Config, results: dict[str, IndicatorResult]) -> Table:
    """One row: the whole area's figures."""
    data: dict[str, list] = {"area": [config.site.area.name]}
    columns = _code_columns(config, "area")
    for ind_id, res in results.items():
        columns += _indicator_columns(config, res, "area", 1)
        data[ind_id] = [float(res.area["value"])]
        if res.spec.aggregate == "ratio":
            data[f"{ind_id}_numerator"] = whole([res.area["numerator"]])
            data[f"{ind_id}_denominator"] = whole([res.area["denominator"]])
    return table_of(data, columns)


def table_of(data: dict[str, list], columns: list[Column]) -> Table:
    headers = [c.header for c in columns]
    if len(set(headers)) != len(headers):
        twice = sorted({h for h in headers if headers.count(h) > 1})
        raise ConfigError(
            f"site_config.yml: indicators: the download headers {twice} would "
            "appear twice. Give those indicators different short_label: values."
        )
    frame = pd.DataFrame({c.header: data[c.id] for c in columns})
    return Table(frame, columns)


def dictionary(tables: list[tuple[str, Table]]) -> pd.DataFrame:
    """Every column of the tables: where it appears, its header, machine id, meaning, unit,
    source and licence."""
    seen: dict[str, list] = {}
    for level, table in tables:
        for c in table.columns:
            if c.id in seen:
                seen[c.id][0] += f", {level}"
                continue
            seen[c.id] = [level, c.header, c.id, c.meaning, c.unit, c.source, c.licence]
    return pd.DataFrame(
        list(seen.values()),
        columns=[
            "Tables",
            "Column",
            "Id (GeoJSON property)",
            "Meaning",
            "Unit",
            "Source",
            "Licence",
        ],
    )
