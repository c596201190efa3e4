"""Text alternatives for a map view, generated from the data at build time.

In: indicator results, the geography and a view (indicator, focus). Out: a short plain-English
summary (highest and lowest wards, how the focus compares with the whole area) and an HTML table of
the areas in view with sort buttons (the table works without JavaScript; sorting is done by
assets/sortable.js). Figures are formatted once (storymap.figures.format); when several wards
share the highest or lowest figure, the summary says how many and names some ("76 wards have
100.0%, including …"), rather than picking one as "the highest"; shared ranks are told as ties.
"""

from __future__ import annotations

import html

from storymap.figures.extremes import extreme_group
from storymap.figures.format import format_value, ordinal, rank_phrase
from storymap.figures.geography import Geography
from storymap.figures.indicators import IndicatorResult
from storymap.lazy import module

pd = module("pandas")

NAMED_IN_A_TIE = 3


def _named(geo: Geography, code: str) -> str:
    return f"{geo.wards.at[code, 'name']} ({geo.wards.at[code, 'borough_name']})"


def joined(labels: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def compare(value: float, other: float, spec) -> str:
    """How two figures compare as readers see them (equal when shown alike)."""
    if format_value(value, spec) == format_value(other, spec):
        return "the same as"
    return "higher than" if value > other else "lower than"


def extreme_clause(geo: Geography, values: pd.Series, spec, highest: bool) -> str:
    """'Highest ward: Darwin (Bromley), 26.6%.' or, for a tie, 'Highest: 76 wards have 100.0%,
    including A (X), B (Y) and C (Z).'"""
    word = "Highest" if highest else "Lowest"
    group = extreme_group(values, geo.wards["name"], highest)
    figure = format_value(values[group[0]], spec)
    if len(group) == 1:
        return f"{word} ward: {_named(geo, group[0])}, {figure}."
    named = [_named(geo, c) for c in group[:NAMED_IN_A_TIE]]
    lead = "including " if len(group) > NAMED_IN_A_TIE else ""
    return f"{word}: {len(group)} wards have {figure}, {lead}{joined(named)}."


def view_summary(
    area_name: str, geo: Geography, res: IndicatorResult, focus_kind: str, focus: str | None
) -> str:
    spec = res.spec
    fmt = lambda v: format_value(v, spec)  # noqa: E731
    area_value = res.area["value"]
    if focus_kind == "ward" and focus:
        borough = geo.wards.at[focus, "borough_code"]
        value = res.wards.at[focus, "value"]
        rank = int(res.wards.at[focus, "rank"])
        return (
            f"{spec.label}: {_named(geo, focus)} {fmt(value)}, ranked "
            f"{rank_phrase(rank, res.tied(rank), len(res.wards), where='in ' + area_name)} "
            f"(1st = most at risk); {geo.boroughs.at[borough, 'name']} "
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
    values = wards["value"]
    return (
        f"{lead} {extreme_clause(geo, values, spec, True)} "
        f"{extreme_clause(geo, values, spec, False)}"
    )


def _rank_cell(res: IndicatorResult, rank: int) -> str:
    return ("joint " if res.tied(rank) > 1 else "") + ordinal(rank)


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
    rows.sort(key=lambda r: (-r[1], r[0]))
    body = "".join(
        f'<tr><th scope="row">{e(name)}</th>'
        f'<td data-sort="{value:.6g}">{e(format_value(value, spec))}</td>'
        + (f'<td data-sort="{rank}">{_rank_cell(res, rank)}</td>' if rank is not None else "")
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


def focus_note(ctx, step) -> str:
    """What a step's map sets apart, and why, for its legend: the wards it outlines and names
    (the most at risk in view, or the ones the text names) and the borough it focuses on."""
    geo, parts = ctx.geo, []
    names = [str(geo.wards.at[c, "name"]) for c in step.highlights if c in geo.wards.index]
    borough = (
        step.focus
        if step.focus_kind == "borough"
        else geo.wards.at[step.focus, "borough_code"]
        if step.focus_kind == "ward"
        else None
    )
    where = str(geo.boroughs.at[borough, "name"]) if borough else ctx.config.site.area.name
    if names:
        spec = ctx.results[step.indicator].spec
        top = ctx.top_wards(step.indicator, len(names), step.focus_kind, step.focus)
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        if top == list(step.highlights):
            n = len(names)
            why = (
                f"the ward of {where} most at risk by “{spec.short}”"
                if n == 1
                else f"the {n} wards of {where} most at risk by “{spec.short}”"
            )
        else:
            why = "named in the text"
        parts.append(f"Outlined and named on the map: {listed}, {why}.")
    if borough:
        parts.append(f"Wards outside {where} are faded; its boundary is drawn heavier.")
    return " ".join(parts)
