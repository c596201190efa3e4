"""Neighbourhoods (small areas, LSOAs) inside each ward and borough, with their own figures.

In: the Config (its ``neighbourhoods:`` section), the Geography and the ward IndicatorResults.
Out: :class:`Neighbourhoods`: per small-area geography (``lsoa21``, ``lsoa11``) every area's
name, borough, shape and figure for each shown indicator as its publisher gives it (a share from
the area's own counts, or the published score: no best-fit step); London-wide classes of those
figures; which areas the site's lookups put in each ward; how 2011 areas became 2021 areas; and
:class:`Hotspots`, the areas in London's highest-risk fifth on one indicator whose wards are not
in the top fifth of wards.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from storymap.config import Config
from storymap.data.compact import Topology
from storymap.data.sources import read_table, read_topology
from storymap.figures.geography import Geography
from storymap.figures.indicators import (
    IndicatorResult,
    _value,
    area_sums,
    class_breaks,
    classify,
    shown_values,
)
from storymap.lazy import module

np = module("numpy")
pd = module("pandas")


@dataclass
class Hotspots:
    indicator: str
    geography: str
    share: float  # the highest-risk share (0.2: a fifth)
    n_areas: int  # small areas ranked in the whole area
    n_top: int  # of them in the highest-risk share (ties at the edge included)
    threshold: float  # the least risky figure still in it
    top_wards: set[str]  # wards in the highest-risk share of wards
    areas: pd.DataFrame  # index code, the areas in the top share: value, ward (main), hidden
    within_wards: float  # share of the areas' variation (sum of squares) that lies within wards


@dataclass
class Neighbourhoods:
    indicators: list[str]  # shown, in order
    geography: dict[str, str]  # indicator -> small-area geography key
    areas: dict[str, pd.DataFrame]  # key -> index code: name, borough, ward (main), <indicator>
    shapes: dict[str, Topology]  # key -> the areas' shapes as shared arcs (lon/lat)
    breaks: dict[str, list[float]]  # indicator -> class upper bounds, from the figures as shown
    shown: dict[str, pd.Series]  # indicator -> code: the figure as pages show it
    colour: dict[str, pd.Series]  # indicator -> code: colour index (0 = least at risk)
    members: dict[str, pd.DataFrame]  # key -> rows code, ward, weight (the site's lookup)
    changes: pd.DataFrame  # rows old, new, change (U, S, M): how 2011 areas became 2021 areas
    method: str  # how the classes were made
    base: str  # the geography pages show (the first indicator's): its areas are "the
    #            neighbourhoods"; the others' areas stand in for them (see changes)
    hotspots: Hotspots | None = None
    _memo: dict = field(default_factory=dict, repr=False)  # plain-dict views, made on first use

    def _dict(self, name: str, make):
        if name not in self._memo:
            self._memo[name] = make()
        return self._memo[name]

    def names(self, key: str) -> dict[str, str]:
        return self._dict(f"names {key}", lambda: self.areas[key]["name"].astype(str).to_dict())

    def values(self, ind: str) -> dict[str, float]:
        """Code -> the figure of indicator ``ind`` (fast lookups for 700 pages)."""
        key = self.geography[ind]
        return self._dict(f"values {ind}", lambda: self.areas[key][ind].dropna().to_dict())

    def colours(self, ind: str) -> dict[str, int]:
        return self._dict(f"colours {ind}", lambda: self.colour[ind].astype(int).to_dict())

    def shown_of(self, ind: str) -> dict[str, float]:
        return self._dict(f"shown {ind}", lambda: self.shown[ind].dropna().to_dict())

    def shares_in_ward(self, key: str, ward: str) -> list[tuple[str, float]]:
        """(code, share of its residents) of each area of geography ``key`` that the site's
        lookup puts (wholly or partly) in ``ward``."""

        def make() -> dict[str, list[tuple[str, float]]]:
            m, by_ward = self.members[key], {}
            for code, w, share in zip(m["code"], m["ward"], m["weight"], strict=True):
                by_ward.setdefault(w, []).append((code, float(share)))
            return by_ward

        return self._dict(f"wards {key}", make).get(ward, [])

    def codes_in_ward(self, key: str, ward: str) -> list[str]:
        """The areas the lookup puts in ``ward``, in order of name."""
        codes = [c for c, _ in self.shares_in_ward(key, ward)]
        place = self.areas[key].index.get_indexer(codes)
        return [codes[i] for i in np.argsort(place, kind="stable") if place[i] >= 0]

    def in_borough(self, key: str, borough: str) -> pd.Index:
        table = self.areas[key]
        return table.index[table["borough"] == borough]


def compute_neighbourhoods(
    config: Config, geo: Geography, results: dict[str, IndicatorResult]
) -> Neighbourhoods | None:
    section = config.neighbourhoods
    if section is None:
        return None
    specs = {i: config.indicator(i) for i in section.indicators}
    geography = {i: s.geography for i, s in specs.items()}
    areas, shapes, members = {}, {}, {}
    for key in dict.fromkeys(geography.values()):
        topology = read_topology(config, section.shapes[key])
        members[key] = geo.lookups[key][["code", "ward", "weight"]]
        main = _main_ward(members[key])
        codes = [c for c in topology.areas if c in main.index]
        table = pd.DataFrame(
            {"name": [topology.names[c] for c in codes], "ward": main.reindex(codes).to_numpy()},
            index=codes,
        )
        table["borough"] = geo.wards["borough_code"].reindex(table["ward"]).to_numpy()
        areas[key], shapes[key] = table.sort_values("name"), topology
    breaks, colour, shown_by = {}, {}, {}
    k, method = config.maps.classes, config.maps.classification
    for ind, spec in specs.items():
        key = geography[ind]
        values = area_values(config, spec, geo).reindex(areas[key].index)
        areas[key][ind] = values
        shown = shown_values(values.to_numpy(), spec)
        shown_by[ind] = pd.Series(shown, index=values.index)
        breaks[ind] = class_breaks(shown, method, k)
        cls = classify(shown, breaks[ind])
        n = len(breaks[ind])
        risk = cls if spec.direction == "higher_is_more_risk" else n - 1 - cls
        colour[ind] = pd.Series(np.where(np.isfinite(shown), risk, -1), index=values.index)
    out = Neighbourhoods(
        section.indicators,
        geography,
        areas,
        shapes,
        breaks,
        shown_by,
        colour,
        members,
        _changes(config),
        method,
        geography[section.indicators[0]],
    )
    if section.hotspots:
        out.hotspots = hotspots(
            out, results[section.hotspots], section.hotspots, section.hotspot_share
        )
    return out


def _bands_are_the_share(method: str, bands: int, share: float) -> bool:
    """Whether the maps' bands are quantiles each holding ``share`` of the areas."""
    return method == "quantiles" and abs(share * bands - 1) < 1e-9


def area_values(config: Config, spec, geo: Geography) -> pd.Series:
    """Each small area's own figure: its share from its own counts, or its published score."""
    table, code, _lookup = area_sums(config, spec, geo)
    if spec.aggregate == "ratio":
        values = _value(spec, table["_num"], table["_den"])
    else:
        values = table[spec.value]
    return pd.Series(values.to_numpy(dtype=float), index=table[code].to_numpy())


def _main_ward(lookup: pd.DataFrame) -> pd.Series:
    """Code -> the ward holding the largest share of the area's residents (its only one, for a
    best-fit lookup)."""
    ordered = lookup.sort_values(["code", "weight", "ward"], ascending=[True, False, True])
    first = ordered.drop_duplicates("code")
    return pd.Series(first["ward"].to_numpy(), index=first["code"].to_numpy())


def _changes(config: Config) -> pd.DataFrame:
    spec = config.neighbourhoods.changes if config.neighbourhoods else None
    if spec is None:
        return pd.DataFrame(columns=["old", "new", "change"])
    table = read_table(config, spec.source, [spec.old, spec.new, spec.change])
    table.columns = ["old", "new", "change"]
    return table.apply(lambda c: c.str.strip())


def hotspots(nb: Neighbourhoods, ward_result: IndicatorResult, ind: str, share: float) -> Hotspots:
    """Areas in the whole area's highest-risk ``share`` on ``ind``, and whether their main ward
    (the one holding most of their residents) is in the highest-risk share of wards.

    One definition of "the highest-risk fifth" (or whatever ``share`` is), from the figures as
    shown, so no area is told to be in it while coloured out of it, or the other way: where the
    maps split areas into quantile bands of that share (five bands for a fifth), it is the
    maps' most-at-risk band, for wards and neighbourhoods alike; otherwise the ``share`` of the
    areas most at risk by figure shown, every area showing the figure at the cut included."""
    key = nb.geography[ind]
    table = nb.areas[key]
    values = table[ind].dropna()
    shown = nb.shown[ind].loc[values.index]
    higher = ward_result.spec.direction == "higher_is_more_risk"
    k = len(nb.breaks[ind])
    if _bands_are_the_share(nb.method, k, share):
        in_top = (nb.colour[ind].loc[values.index] == k - 1).to_numpy()
    else:
        risk = shown if higher else -shown
        edge = float(risk.sort_values(ascending=False).iloc[math.ceil(share * len(risk)) - 1])
        in_top = (risk >= edge).to_numpy()
    top = table.loc[values.index[in_top], ["ward", ind]]
    edge_figure = float(shown[in_top].min() if higher else shown[in_top].max())
    wards = ward_result.wards
    if _bands_are_the_share(ward_result.method, len(ward_result.breaks), share):
        band = [ward_result.band(int(c)) for c in wards["cls"]]
        top_wards = {c for c, b in zip(wards.index, band, strict=True) if b == 1}
    else:  # ranks are of the figures as shown: every ward tied at the cut is in
        top_wards = set(wards.index[wards["rank"] <= math.ceil(share * len(wards))])
    top = top.assign(hidden=~top["ward"].isin(top_wards)).rename(columns={ind: "value"})
    by_ward = table.loc[values.index].groupby("ward")[ind]
    within = float(((values - by_ward.transform("mean")) ** 2).sum())
    total = float(((values - values.mean()) ** 2).sum())
    return Hotspots(
        ind,
        key,
        share,
        len(values),
        len(top),
        edge_figure,
        top_wards,
        top,
        within / total if total else 0.0,
    )
