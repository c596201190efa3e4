"""Hidden hotspots on a borough page: high-risk neighbourhoods that a ward average hides.

In: the :class:`~storymap.pages.places.neighbourhoods.NeighbourhoodPages` of the build (its
:class:`~storymap.figures.neighbourhoods.Hotspots`) and a borough. Out: the section as HTML: which
indicator and which fifth, how many of the borough's neighbourhoods are in London's
highest-risk fifth and how many of those sit in wards that are not, and a table of the hidden
ones named by neighbourhood with their figure and their ward's.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from storymap.figures.format import percent_of, possessive, rank_phrase, unnested

e = html.escape


def hotspot_section(pages, borough: str, ward_href: Callable[[str], str]) -> str:
    hot = pages.nb.hotspots
    if hot is None:
        return ""
    config, geo = pages.config, pages.geo
    spec = config.indicator(hot.indicator)
    area = config.site.area.name
    table = pages.nb.areas[hot.geography]
    mine = hot.areas[table.loc[hot.areas.index, "borough"] == borough]
    hidden = mine[mine["hidden"]].sort_values(
        "value", ascending=spec.direction != "higher_is_more_risk"
    )
    name = str(geo.boroughs.at[borough, "name"])
    share = _share(hot.share)
    ward_res = pages.results[hot.indicator]
    top_wards = len(hot.top_wards)
    more = "at least" if spec.direction == "higher_is_more_risk" else "at most"
    lead = (
        f"On the {spec.label} ({unnested(spec.short)}), published by neighbourhood for the "
        f"{hot.n_areas:,} 2011 neighbourhoods of {area}, {hot.n_top:,} are in {possessive(area)} "
        f"highest-risk {share} (a score of {more} {pages.fmt(hot.indicator, hot.threshold)}); "
        f"{len(mine)} of them are in {name}. {len(hidden)} of these are counted in a ward that is "
        f"not among the {top_wards} wards in {possessive(area)} highest-risk {share} on the same "
        "score "
        "(a neighbourhood is counted in the ward holding most of its residents), so the "
        "ward's average hides them. "
        f"Across {area}, {percent_of(hot.within_wards, 1)} of the variation in neighbourhoods' "
        "scores lies "
        "within wards rather than between them."
    )
    out = f"### Hidden hotspots\n\n<p>{e(lead)}</p>\n\n"
    if hidden.empty:
        return out
    rows = []
    for code, row in hidden.iterrows():
        ward = str(row["ward"])
        wname = str(geo.wards.at[ward, "name"])
        rank = int(ward_res.wards.at[ward, "rank"])
        rows.append(
            f"<tr><th scope='row'>{e(str(table.at[code, 'name']))}</th>"
            f"<td>{e(pages.fmt(hot.indicator, row['value']))}</td>"
            f'<td><a href="{e(ward_href(ward))}">{e(wname)}</a></td>'
            f"<td>{e(pages.fmt(hot.indicator, ward_res.wards.at[ward, 'value']))}</td>"
            f"<td>{e(rank_phrase(rank, ward_res.tied(rank), len(ward_res.wards)))}</td></tr>"
        )
    return out + (
        f'<table class="storymap-neighbourhoods storymap-hotspots"><caption>Neighbourhoods of '
        f"{e(name)} in {e(possessive(area))} highest-risk {share} on the {e(spec.short)} whose "
        "ward is not in it</caption><thead><tr><th scope='col'>Neighbourhood (2011)</th>"
        f"<th scope='col'>{e(spec.short)}</th><th scope='col'>Ward</th>"
        f"<th scope='col'>Ward's {e(spec.short)}</th><th scope='col'>Ward's rank (1 = most at "
        f"risk)</th></tr></thead><tbody>{''.join(rows)}</tbody></table>\n\n"
    )


def _share(share: float) -> str:
    names = {0.1: "tenth", 0.2: "fifth", 0.25: "quarter", 1 / 3: "third", 0.5: "half"}
    for value, word in names.items():
        if abs(share - value) < 1e-9:
            return word
    return percent_of(share, 1)
