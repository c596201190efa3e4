"""Parts of the borough profile pages: comparison table, choropleth with legend, ward table.

In: IndicatorResults, the Geography and a borough's ward shapes. Out: HTML strings (every data
string escaped). The ward table is a real ``<table>`` that works without JavaScript; the project's
``sortable.js`` puts a keyboard-operable sort button in each header cell and sets aria-sort.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from storymap.config import Config
from storymap.figures.format import rank_phrase
from storymap.figures.indicators import IndicatorResult, shown_values
from storymap.lazy import module
from storymap.pages.maps.legend import how_made, legend_classes
from storymap.pages.maps.svg import choropleth, point_marks
from storymap.pages.palette import colours
from storymap.pages.places.ward import AGE_INDICATORS, BoroughShapes, Figures, count

np = module("numpy")

e = html.escape
MAP_INDICATORS = ("risk_index", "pct_65_plus")


def borough_rank_phrase(res: IndicatorResult, code: str) -> str:
    """'3rd of 33', or 'joint 3rd of 33, with 1 other borough'."""
    rank, tied = res.borough_rank(code)
    return rank_phrase(rank, tied, len(res.boroughs), "boroughs")


def borough_comparison(f: Figures, code: str) -> str:
    """Each indicator for the borough and the whole area, with the borough's rank."""
    name, area = e(f.borough_name[code]), e(f.area_name)
    n = len(f.borough_name)
    rows = []
    for ind, res in f.results.items():
        b, a = f.borough[ind][code]["value"], f.area[ind]["value"]
        word = "the same" if f.fmt(ind, b) == f.fmt(ind, a) else ("higher" if b > a else "lower")
        rows.append(
            f"<tr><th scope='row'>{e(res.spec.label)}</th><td>{e(f.fmt(ind, b))}</td>"
            f"<td>{e(f.fmt(ind, a))}</td><td>{word}</td>"
            f"<td>{e(borough_rank_phrase(res, code))}</td>"
            "</tr>"
        )
    return (
        f'<table class="storymap-borough-compare"><caption>{name} and {area}; the borough ranked '
        "1st is the most at risk.</caption><thead><tr><th scope='col'>Indicator</th>"
        f"<th scope='col'>{name}</th><th scope='col'>{area}</th>"
        f"<th scope='col'>{name} is</th><th scope='col'>Rank of {n} boroughs</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def map_indicator(results: dict[str, IndicatorResult]) -> str:
    for ind_id in MAP_INDICATORS:
        if ind_id in results:
            return ind_id
    return next(iter(results))


def borough_map(
    config: Config, f: Figures, shapes: BoroughShapes, name: str, help_points: list | None = None
) -> str:
    """Choropleth of one indicator over the borough's wards, with a text legend; ``help_points``:
    (easting, northing, name) of the help points to mark, listed beside it by the page."""
    ind = map_indicator(f.results)
    res = f.results[ind]
    palette = colours(config, len(res.breaks))
    rows = {w: f.ward[ind][w] for w in shapes.paths}
    fills = {w: palette[res.risk_class(int(r["cls"]))] for w, r in rows.items()}
    titles = {w: f"{shapes.names[w]}: {f.fmt(ind, r['value'])}" for w, r in rows.items()}
    label = f"Map of {res.spec.label} in each ward of {name}; the legend below gives the bands"
    here = shown_values(np.array([r["value"] for r in rows.values()]), res.spec)
    classes = legend_classes(
        res.breaks,
        shown_values(res.wards["value"].to_numpy(), res.spec),
        res.spec,
        res.risk_class,
        counted=here,
    )
    items = []
    for c in classes:
        colour, band, n = c.colour, len(res.breaks) - c.colour, c.count
        items.append(
            (
                band,
                f'<li data-upper="{c.upper:g}"'
                + ("" if c.lower is None else f' data-above="{c.lower:g}"')
                + f'><span class="swatch" style="background:{palette[colour]}"></span>'
                f"Band {band}: {e(c.label)} "
                f"({n} ward{'s' if n != 1 else ''} here)</li>",
            )
        )
    legend = "".join(item for _, item in sorted(items))
    how = how_made(res.method, len(res.breaks), len(res.wards), f.area_name)
    return (
        '<figure class="storymap-figure storymap-borough-map">'
        + choropleth(
            shapes.paths,
            fills,
            titles,
            shapes.projection,
            label,
            point_marks(shapes.projection, help_points or []),
        )
        + f"<figcaption>{e(label)}. Band 1 is the most at risk, band {len(res.breaks)} the least. "
        + ("White dots mark the help points listed below the map. " if help_points else "")
        + e(firm_bands_note(f, ind, list(rows)))
        + "Hover or tap a ward for its name and value; the table below lists every ward."
        f'</figcaption><div class="storymap-legend"><ul>{legend}</ul>'
        f'<p class="legend-how">{e(how)}.</p></div></figure>'
    )


def firm_bands_note(f: Figures, ind: str, codes: list[str]) -> str:
    """For the index: 'Under other reasonable weights, 5 of these 22 wards keep their band. '"""
    if f.robust is None or ind != f.robust.index_id:
        return ""
    firm = sum(1 for c in codes if f.robust.firm(c))
    n = len(codes)
    return (
        f"Under other reasonable weights, {firm} of these {n} ward{'s' if n != 1 else ''} "
        f"keep their band (a firm band); read the others' bands as approximate. "
    )


def _th(label: str, numeric: bool) -> str:
    kind = "number" if numeric else "text"
    return f"<th scope='col' data-sort-type='{kind}'>{e(label)}</th>"


def borough_table(f: Figures, code: str, href: Callable[[str], str]) -> str:
    """The borough's wards with counts and every indicator; sortable by any column."""
    wards = sorted((w for w, b in f.ward_borough.items() if b == code), key=f.ward_name.get)
    age = [(i, label) for i, label in AGE_INDICATORS if i in f.results]
    heads = [_th("Ward", False)] + [_th(f"{label} (people)", True) for _, label in age]
    heads += [_th(f"{r.spec.short}", True) for r in f.results.values()]
    body = []
    for ward in wards:
        name = e(f.ward_name[ward])
        cells = [f"<th scope='row' data-sort='{name}'><a href=\"{e(href(ward))}\">{name}</a></th>"]
        for ind, _ in age:
            num = f.ward[ind][ward]["numerator"]
            cells.append(f"<td data-sort='{num:.2f}'>{count(num)}</td>")
        for ind in f.results:
            v = f.ward[ind][ward]["value"]
            cells.append(f"<td data-sort='{v:.6f}'>{e(f.fmt(ind, v))}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        '<table class="storymap-sortable"><caption>Wards of the borough. Use the buttons in the '
        "column headings to sort.</caption>"
        f"<thead><tr>{''.join(heads)}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )
