"""Text alternatives for a map view, generated from the data at build time.

In: indicator results, the geography and a view (indicator, focus). Out: a short plain-English
summary (highest and lowest wards, how the focus compares with the whole area) and an HTML table of
the areas in view with sort buttons (the table works without JavaScript; sorting is done by
assets/sortable.js).
"""

from __future__ import annotations

import html

from storymap.figures.geography import Geography
from storymap.figures.indicators import IndicatorResult, format_value


def _named(geo: Geography, code: str) -> str:
    return f"{geo.wards.at[code, 'name']} ({geo.wards.at[code, 'borough_name']})"


def compare(value: float, other: float, spec) -> str:
    if round(value, spec.decimals) == round(other, spec.decimals):
        return "the same as"
    return "higher than" if value > other else "lower than"


def view_summary(
    area_name: str, geo: Geography, res: IndicatorResult, focus_kind: str, focus: str | None
) -> str:
    spec = res.spec
    fmt = lambda v: format_value(v, spec)  # noqa: E731
    area_value = res.area["value"]
    if focus_kind == "ward" and focus:
        borough = geo.wards.at[focus, "borough_code"]
        value = res.wards.at[focus, "value"]
        return (
            f"{spec.label}: {_named(geo, focus)} {fmt(value)}, ranked "
            f"{int(res.wards.at[focus, 'rank'])} of {len(res.wards)} wards in {area_name} "
            f"(1 = most at risk); {geo.boroughs.at[borough, 'name']} "
            f"{fmt(res.boroughs.at[borough, 'value'])}; {area_name} {fmt(area_value)}."
        )
    if focus_kind == "borough" and focus:
        wards = res.wards.loc[geo.wards.index[geo.wards["borough_code"] == focus]]
        name = str(geo.boroughs.at[focus, "name"])
        value = res.boroughs.at[focus, "value"]
        lead = (
            f"{spec.label} in {name}: {fmt(value)}, {compare(value, area_value, spec)} "
            f"{area_name} as a whole ({fmt(area_value)})."
        )
    else:
        wards = res.wards
        lead = f"{spec.label} across {area_name}: {fmt(area_value)}."
    ordered = wards["value"].sort_values()
    hi, lo = ordered.index[-1], ordered.index[0]
    return (
        f"{lead} Highest ward: {_named(geo, hi)}, {fmt(ordered[hi])}. "
        f"Lowest: {_named(geo, lo)}, {fmt(ordered[lo])}."
    )


def view_table(
    area_name: str, geo: Geography, res: IndicatorResult, focus_kind: str, focus: str | None
) -> str:
    """Wards of the borough in view (boroughs when the whole area is in view)."""
    spec = res.spec
    e = html.escape
    if focus_kind == "area" or not focus:
        caption = f"{spec.short}: boroughs of {area_name} (open a borough's page for its wards)"
        rows = [
            (str(geo.boroughs.at[code, "name"]), res.boroughs.at[code, "value"], None)
            for code in geo.boroughs.index
        ]
        first = "Borough"
    else:
        borough = focus if focus_kind == "borough" else geo.wards.at[focus, "borough_code"]
        codes = geo.wards.index[geo.wards["borough_code"] == borough]
        caption = f"{spec.short}: wards of {geo.boroughs.at[borough, 'name']}"
        rows = [
            (str(geo.wards.at[c, "name"]), res.wards.at[c, "value"], int(res.wards.at[c, "rank"]))
            for c in codes
        ]
        first = "Ward"
    rows.sort(key=lambda r: -r[1])
    body = "".join(
        f'<tr><th scope="row">{e(name)}</th>'
        f'<td data-sort="{value:.6g}">{e(format_value(value, spec))}</td>'
        + (f'<td data-sort="{rank}">{rank}</td>' if rank is not None else "")
        + "</tr>"
        for name, value, rank in rows
    )
    headers = [first, spec.short] + ([f"Rank in {area_name}"] if rows and rows[0][2] else [])
    head = "".join(
        f'<th scope="col" data-sort-type="{"text" if i == 0 else "number"}">'
        f'<button type="button" class="sort">{e(h)}</button></th>'
        for i, h in enumerate(headers)
    )
    return (
        f'<table class="storymap-table storymap-sortable"><caption>{e(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )
