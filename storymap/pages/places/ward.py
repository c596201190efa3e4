"""Parts of the ward profile pages: tables, dot strips, the summary sentence, names, sources.

In: IndicatorResults and the Geography for one ward (and its borough). Out: HTML strings (every
data string escaped) or plain text. Every figure is formatted once from its full value by
:mod:`storymap.figures.format`, as the maps, tables and downloads' readers see it; ranks that
several wards share are told as ties; rank, decile and band 1 are all the most at risk.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

from storymap.config import Config
from storymap.figures.format import (
    format_count,
    format_value,
    in_sentence,
    possessive,
    rank_phrase,
    unnested,
)
from storymap.figures.geography import Geography
from storymap.figures.indicators import IndicatorResult
from storymap.figures.riskindex import IndexResult
from storymap.lazy import module
from storymap.pages.maps.svg import Projection, StripMark, dot_strip, path_data

gpd = module("geopandas")

e = html.escape
AGE_INDICATORS = (
    ("pct_65_plus", "Residents aged 65 and over"),
    ("pct_75_plus", "Residents aged 75 and over"),
)


def fmt(res: IndicatorResult, value: float) -> str:
    """A value as shown on pages, rounded once from the full value."""
    return format_value(value, res.spec)


count = format_count


@dataclass
class BoroughShapes:
    """One borough's wards as SVG path data in a shared viewBox."""

    projection: Projection
    paths: dict[str, str]
    names: dict[str, str]


def borough_shapes(geo: Geography) -> dict[str, BoroughShapes]:
    """Path data of every ward, fitted per borough (British National Grid, metres)."""
    projected = gpd.GeoSeries(geo.wards.geometry, crs=geo.wards.crs).to_crs(27700)
    out = {}
    for code in geo.boroughs.index:
        mine = projected[geo.wards["borough_code"] == code].sort_index()
        proj = Projection.fit(tuple(mine.total_bounds))
        out[str(code)] = BoroughShapes(
            proj,
            {str(w): path_data(g, proj) for w, g in mine.items()},
            {str(w): str(geo.wards.at[w, "name"]) for w in mine.index},
        )
    return out


@dataclass
class Robust:
    """How each ward's index rank and band hold under other reasonable weights."""

    index_id: str
    threshold: float  # share of reweightings that makes a band firm
    runs: int
    rows: dict[str, dict]  # ward -> index.robustness's row (band, kept, firm, rank_p05, …)

    @classmethod
    def of(cls, index: IndexResult | None) -> Robust | None:
        if index is None:
            return None
        cfg = index.section.robustness
        return cls(
            index.result.spec.id, cfg.stable_share, cfg.runs, index.robustness.to_dict("index")
        )

    def firm(self, code: str) -> bool:
        return bool(self.rows[code]["firm"])


class Figures:
    """Plain-dict views of the results and names, built once: fast lookups for 700 pages."""

    def __init__(
        self,
        results: dict[str, IndicatorResult],
        geo: Geography,
        area: str,
        index: IndexResult | None = None,
    ):
        self.results, self.area_name, self.n_wards = results, area, len(geo.wards)
        self.robust = Robust.of(index)
        # the index (given in its own line) and its all-age comparison (DERI): not "risks" of
        # the ward in the summary sentence, so "most at risk" means one thing
        self.aside = (
            set()
            if index is None
            else {index.result.spec.id}
            | ({index.section.compare_with.indicator} if index.section.compare_with else set())
        )
        self.ward_name = {str(k): str(v) for k, v in geo.wards["name"].items()}
        self.ward_borough = {str(k): str(v) for k, v in geo.wards["borough_code"].items()}
        self.borough_name = {str(k): str(v) for k, v in geo.boroughs["name"].items()}
        self.ward, self.borough, self.area, self.range = {}, {}, {}, {}
        self.ties: dict[str, dict[int, int]] = {}  # indicator -> rank -> wards sharing it
        for ind_id, res in results.items():
            wards = res.wards.copy()
            wards["band"] = [res.band(int(c)) for c in wards["cls"]]
            self.ties[ind_id] = {int(r): int(n) for r, n in wards["rank"].value_counts().items()}
            self.ward[ind_id] = wards.to_dict("index")
            self.borough[ind_id] = res.boroughs.to_dict("index")
            self.area[ind_id] = res.area.to_dict()
            self.range[ind_id] = (float(wards["value"].min()), float(wards["value"].max()))

    def spec(self, ind_id: str):
        return self.results[ind_id].spec

    def fmt(self, ind_id: str, value: float) -> str:
        return fmt(self.results[ind_id], value)

    def rank(self, ind_id: str, code: str) -> str:
        """'305th of 680', or 'joint 1st of 680, with 75 other wards'."""
        rank = int(self.ward[ind_id][code]["rank"])
        return rank_phrase(rank, self.ties[ind_id][rank], self.n_wards)


def aliases(name: str) -> list[str]:
    """Other spellings people type: no apostrophes, 'and' for '&', Saint/St, accents folded."""
    variants = {name}
    for _ in range(2):
        for v in list(variants):
            variants.add(re.sub(r"['’]", "", v))
            variants.add(v.replace(" & ", " and "))
            variants.add(re.sub(r"\bSt\.? ", "Saint ", v))
            variants.add(re.sub(r"\bSt\. ", "St ", v))
            variants.add(unicodedata.normalize("NFKD", v).encode("ascii", "ignore").decode())
    variants.discard(name)
    return sorted(v for v in variants if v.strip())


def _compare(f: Figures, ind: str, a: float, b: float) -> str:
    if f.fmt(ind, a) == f.fmt(ind, b):
        return "the same as"
    return "higher than" if a > b else "lower than"


def ward_summary(f: Figures, code: str) -> str:
    """One or two plain-English sentences about the ward."""
    name, area = f.ward_name[code], f.area_name
    borough = f.ward_borough[code]
    bname = f.borough_name[borough]
    text = f"{name} is a ward in {bname}."
    if "pct_65_plus" in f.results:
        ind = "pct_65_plus"
        w, b, a = f.ward[ind][code], f.borough[ind][borough], f.area[ind]
        text = (
            f"In {name} ({bname}), {count(w['numerator'])} residents are aged 65 or over: "
            f"{f.fmt(ind, w['value'])} of everyone living there, "
            f"{_compare(f, ind, w['value'], b['value'])} {bname} ({f.fmt(ind, b['value'])}) and "
            f"{_compare(f, ind, w['value'], a['value'])} {area} ({f.fmt(ind, a['value'])})."
        )
    measures = [i for i in f.results if i not in f.aside]
    top = [i for i in measures if int(f.ward[i][code]["decile"]) == 1]
    if top:
        labels = "; ".join(f.spec(i).short for i in top)
        text += f" It is among the tenth of {possessive(area)} wards most at risk by: {labels}."
    elif measures:
        best = min(int(f.ward[i][code]["rank"]) for i in measures)
        firsts = [i for i in measures if int(f.ward[i][code]["rank"]) == best]
        labels = " and ".join(in_sentence(f.spec(i).label) for i in firsts)
        aside = " and ".join(
            "this site's combined index"
            if f.spec(i).aggregate == "index"
            else f"the {unnested(in_sentence(f.spec(i).short))}"
            for i in sorted(f.aside, key=lambda i: f.spec(i).aggregate != "index")
        )
        lead = f"Leaving aside {aside}, it" if aside else "It"
        text += (
            f" {lead} ranks nearest the top on {labels}: {f.rank(firsts[0], code)} in {area} "
            "(1st = most at risk)."
        )
    return text


def people_table(f: Figures, code: str) -> str:
    """Counts and shares of residents aged 65+ and 75+: ward, borough and whole area."""
    borough = f.ward_borough[code]
    rows, first = [], None
    for ind, label in AGE_INDICATORS:
        if ind not in f.results:
            continue
        first = first or ind
        cells = (f.ward[ind][code], f.borough[ind][borough], f.area[ind])
        tds = "".join(
            f"<td>{count(c['numerator'])} ({e(f.fmt(ind, c['value']))})</td>" for c in cells
        )
        rows.append(f"<tr><th scope='row'>{e(label)}</th>{tds}</tr>")
    if first is None:
        return "<p>No age figures are configured.</p>"
    totals = (f.ward[first][code], f.borough[first][borough], f.area[first])
    rows.append(
        "<tr><th scope='row'>All residents</th>"
        + "".join(f"<td>{count(t['denominator'])}</td>" for t in totals)
        + "</tr>"
    )
    return (
        '<table class="storymap-people"><caption>People (share of all residents)</caption>'
        f"<thead><tr><th scope='col'>Residents</th><th scope='col'>This ward</th>"
        f"<th scope='col'>{e(f.borough_name[borough])}</th><th scope='col'>{e(f.area_name)}</th>"
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def comparison_rows(f: Figures, code: str) -> str:
    """Every indicator: ward value, rank, decile, band, borough and area values."""
    borough, area = f.ward_borough[code], e(f.area_name)
    rows = []
    for ind, res in f.results.items():
        w = f.ward[ind][code]
        rows.append(
            f"<tr><th scope='row'>{e(res.spec.label)}</th><td>{e(f.fmt(ind, w['value']))}</td>"
            f"<td>{e(f.rank(ind, code))}</td><td>{int(w['decile'])}</td>"
            f"<td>{int(w['band'])} of {len(res.breaks)}</td>"
            f"<td>{e(f.fmt(ind, f.borough[ind][borough]['value']))}</td>"
            f"<td>{e(f.fmt(ind, f.area[ind]['value']))}</td></tr>"
        )
    return (
        '<table class="storymap-indicators"><caption>Rank, decile and band 1 are the most at '
        f"risk in {area}; wards with equal figures share a rank.</caption><thead><tr>"
        "<th scope='col'>Indicator</th><th scope='col'>This ward</th>"
        f"<th scope='col'>Rank in {area}</th><th scope='col'>Decile</th><th scope='col'>Band</th>"
        f"<th scope='col'>{e(f.borough_name[borough])}</th><th scope='col'>{area}</th>"
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def indicator_strip(f: Figures, ind: str, code: str) -> str:
    """A dot strip for one indicator: this ward (circle), its borough (square), area (diamond)."""
    borough = f.ward_borough[code]
    name, bname, area = f.ward_name[code], f.borough_name[borough], f.area_name
    w = f.ward[ind][code]["value"]
    b = f.borough[ind][borough]["value"]
    a = f.area[ind]["value"]
    marks = [
        StripMark("circle", f"● {name}: {f.fmt(ind, w)}", w),
        StripMark("square", f"■ {bname}: {f.fmt(ind, b)}", b),
        StripMark("diamond", f"◆ {area}: {f.fmt(ind, a)}", a),
    ]
    low, high = f.range[ind]
    short = f.spec(ind).short
    label = (
        f"{short}: {name} {f.fmt(ind, w)}, {bname} {f.fmt(ind, b)}, {area} {f.fmt(ind, a)}; "
        f"wards in {area} range from {f.fmt(ind, low)} to {f.fmt(ind, high)}."
    )
    svg = dot_strip(
        marks,
        low,
        high,
        f"lowest ward {f.fmt(ind, low)}",
        f"highest ward {f.fmt(ind, high)}",
        label,
    )
    meaning = f.spec(ind).description
    note = f'<p class="storymap-meaning">{e(meaning)}</p>' if meaning else ""
    return (
        f'<figure class="storymap-strip-figure"><figcaption>{e(f.spec(ind).label)}</figcaption>'
        f"{svg}{note}</figure>"
    )


def sources_list(config: Config, results: dict[str, IndicatorResult]) -> str:
    """The sources of every indicator (and the boundaries), once each, with licence."""
    ids = [config.geography.wards.source]
    for r in results.values():
        ids += getattr(r.spec, "source_ids", [r.spec.source])
    items = []
    for sid in dict.fromkeys(ids):
        src = config.sources.get(sid)
        if src is None:
            continue
        title = f'<a href="{e(src.url)}">{e(src.title)}</a>' if src.url else e(src.title)
        caveats = "".join(f" {e(c)}" for c in src.caveats)
        items.append(
            f"<li>{title}, {e(src.publisher)}, {e(src.vintage)}. {e(src.licence)}.{caveats}</li>"
        )
    caveats = "".join(
        f"<li>{e(r.spec.short)}: {e(r.spec.caveat)}</li>" for r in results.values() if r.spec.caveat
    )
    out = f'<ul class="storymap-sources">{"".join(items)}</ul>'
    if caveats:
        out += f'<p>Notes on the indicators:</p><ul class="storymap-caveats">{caveats}</ul>'
    return out
