"""The places and figures a chapter can name: the whole area, boroughs, wards, ranked lists.

In: the Config, Geography and IndicatorResults (through :class:`Places`, which
:class:`~storymap.pages.story.chapters.ChapterContext` extends). Out: :class:`Area` objects whose
attributes are :class:`Figure` objects (``borough("Brent").pct_65_plus``), and :class:`Ranked`
lists of the highest or lowest areas that keep ties together. Every figure prints through
storymap.figures.format, rounded once from its full value.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

from markupsafe import Markup, escape

from storymap.config import Config
from storymap.errors import ChapterError, did_you_mean, quoted_list
from storymap.figures.extremes import Cut, cut
from storymap.figures.format import format_value, rank_phrase
from storymap.figures.geography import Geography
from storymap.figures.indicators import IndicatorResult
from storymap.lazy import module
from storymap.pages.maps.alt import compare, joined
from storymap.pages.mdtext import DataText, md_text

pd = module("pandas")


class AmbiguousWard(ChapterError):
    """A ward name that more than one ward has (Kilburn, in Brent and in Camden)."""


def ambiguous_ward(name: str, wards, codes) -> str:
    """ "'Kilburn' is the name of 2 wards: Kilburn in Brent (E05013503) and Kilburn in Camden
    (E05013665). Write the code of the one you mean, e.g. 'E05013503'." """
    each = [f"{wards.at[c, 'name']} in {wards.at[c, 'borough_name']} ({c})" for c in codes]
    listed = ", ".join(each[:-1]) + " and " + each[-1]
    return (
        f"'{name}' is the name of {len(each)} wards: {listed}. Write the code of the one you "
        f"mean, e.g. '{codes[0]}'."
    )


class Figure:
    """One indicator's figure for one area; prints formatted, exposes the parts. ``rank`` and
    ``place`` ('3rd of 33 boroughs', 'joint 1st of 680 wards, with 75 others') are among the
    wards for a ward, among the boroughs for a borough."""

    def __init__(
        self, result: IndicatorResult, row, rank: int | None = None, place: str = "", name: str = ""
    ):
        self.spec = result.spec
        self.value = float(row["value"])
        self.numerator = float(row["numerator"])
        self.denominator = float(row["denominator"])
        self.rank = rank
        self.place = place
        self.name = name

    def __str__(self) -> str:
        return format_value(self.value, self.spec)

    def __html__(self) -> str:
        return str(escape(str(self)))

    def __float__(self) -> float:
        return self.value

    def __lt__(self, other) -> bool:
        return self.value < float(other)

    def __gt__(self, other) -> bool:
        return self.value > float(other)


class Ranked(list):
    """Areas in order, highest (or lowest) first; ``tie_note`` is set when the list stops
    inside a group of areas with equal figures, and the ``names`` filter adds it."""

    tie_note: str = ""


NUMBER_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]


def _count_words(n: int) -> str:
    return NUMBER_WORDS[n] if n < len(NUMBER_WORDS) else f"{n:,}"


def tie_note(c: Cut, names: dict[str, str], spec, things: str, scope: str) -> str:
    """', one of the 76 wards at 100.0%' (the whole list is in the tie) or ' (C and D are two of
    the 12 wards in Brent at 31.2%)' (only its end is)."""
    if not c.tied_total:
        return ""
    group = f"the {c.tied_total:,} {things}{scope} at {format_value(c.value, spec)}"
    m = len(c.tied_listed)
    if m == len(c.codes):
        return f", {'one' if m == 1 else _count_words(m)} of {group}"
    listed = joined([names[x] for x in c.tied_listed])
    return f" ({listed} {'is one' if m == 1 else 'are ' + _count_words(m)} of {group})"


class Area:
    """London, a borough or a ward; ``area.<indicator id>`` is a Figure."""

    def __init__(
        self,
        kind: str,
        code: str,
        name: str,
        figures: Callable[[str], Figure],
        borough: str | None = None,
    ):
        self.kind, self.code = kind, code
        self.name = DataText(name)  # from a data file: text in prose, never markup
        self.borough = DataText(borough) if borough is not None else None
        self._figures = figures

    def __getattr__(self, item: str) -> Figure:
        if item.startswith("_"):
            raise AttributeError(item)
        return self._figures(item)

    def __str__(self) -> str:
        return self.name

    def __html__(self) -> str:
        return str(md_text(self.name))


def names(areas: list[Area], with_borough: bool = False) -> Markup:
    """'A, B and C' from a list of areas, with the tie note of a ranked list; every name is
    shown as text, never as markup."""
    labels = [f"{a.name} ({a.borough})" if with_borough and a.borough else a.name for a in areas]
    return md_text(joined(labels) + getattr(areas, "tie_note", ""))


def compare_figures(a: Figure, b: Figure) -> str:
    """'higher than', 'lower than' or 'the same as', as the two figures are shown."""
    return compare(a.value, b.value, a.spec)


class Places:
    """Names a chapter can use for places; needs ``config``, ``geo`` and ``results``."""

    config: Config
    geo: Geography
    results: dict[str, IndicatorResult]

    def _need(self, indicator: str) -> IndicatorResult:
        if indicator not in self.results:
            raise ChapterError(
                f"'{indicator}' is not a declared indicator.{did_you_mean(indicator, self.results)}"
                f" (declared: {quoted_list(self.results, 20)}). Fix the name or add it to "
                f"{self.config.path.name}."
            )
        return self.results[indicator]

    def london(self) -> Area:
        def fig(ind: str) -> Figure:
            return Figure(self._need(ind), self._need(ind).area, name=self.config.site.area.name)

        return Area("area", "", self.config.site.area.name, fig)

    def borough_code(self, name_or_code: str) -> str:
        boroughs = self.geo.boroughs
        if name_or_code in boroughs.index:
            return name_or_code
        matches = boroughs.index[boroughs["name"].str.lower() == str(name_or_code).lower()]
        if len(matches) == 0:
            raise ChapterError(
                f"borough '{name_or_code}' not found.{did_you_mean(name_or_code, boroughs['name'])}"
                f" Boroughs: {quoted_list(boroughs['name'], 40)}."
            )
        return str(matches[0])

    def borough(self, name_or_code: str) -> Area:
        code = self.borough_code(name_or_code)
        name = str(self.geo.boroughs.at[code, "name"])

        def fig(ind: str) -> Figure:
            res = self._need(ind)
            rank, tied = res.borough_rank(code)
            place = rank_phrase(rank, tied, len(res.boroughs), "boroughs", "")
            return Figure(res, res.boroughs.loc[code], rank, place, name)

        return Area("borough", code, name, fig)

    def ward_code(self, name_or_code: str) -> str:
        wards = self.geo.wards
        if name_or_code in wards.index:
            return name_or_code
        matches = wards.index[wards["name"].str.lower() == str(name_or_code).lower()]
        if len(matches) > 1:
            raise AmbiguousWard(ambiguous_ward(name_or_code, wards, matches))
        if len(matches) == 0:
            raise ChapterError(
                f"ward '{name_or_code}' not found.{did_you_mean(name_or_code, wards['name'])} "
                "Use the ward code (E05…) from the downloads."
            )
        return str(matches[0])

    def ward(self, name_or_code: str) -> Area:
        code = self.ward_code(name_or_code)
        row = self.geo.wards.loc[code]

        def fig(ind: str) -> Figure:
            res = self._need(ind)
            rank = int(res.wards.at[code, "rank"])
            place = rank_phrase(rank, res.tied(rank), len(res.wards), "wards", "")
            return Figure(res, res.wards.loc[code], rank, place, str(row["name"]))

        return Area("ward", code, str(row["name"]), fig, str(row["borough_name"]))

    def benchmark(self, indicator: str) -> Figure:
        """The indicator for its benchmark area (``benchmark:`` in site_config.yml)."""
        res = self._need(indicator)
        if res.benchmark is None or res.spec.benchmark is None:
            raise ChapterError(
                f"indicator '{indicator}' has no benchmark area. Add benchmark: (name, source, "
                f"code) to it in {self.config.path.name}, or leave the comparison out."
            )
        return Figure(res, res.benchmark, name=res.spec.benchmark.name)

    def _wards_in(self, res: IndicatorResult, borough: str | None):
        values = res.wards["value"]
        if not borough:
            return values, ""
        code = self.borough_code(borough)
        scope = f" in {self.geo.boroughs.at[code, 'name']}"
        return values[self.geo.wards["borough_code"] == code], scope

    def _ranked(self, indicator: str, n: int, borough: str | None, highest: bool) -> Ranked:
        res = self._need(indicator)
        values, scope = self._wards_in(res, borough)
        c = cut(values, self.geo.wards["name"], n, highest)
        out = Ranked(self.ward(code) for code in c.codes)
        names = {code: str(self.geo.wards.at[code, "name"]) for code in c.tied_listed}
        out.tie_note = tie_note(c, names, res.spec, "wards", scope)
        return out

    def highest(self, indicator: str, n: int = 3, borough: str | None = None) -> Ranked:
        """The ``n`` wards with the highest values (optionally within a borough); equal values
        in name order, and a tie across the cut noted for ``names``."""
        return self._ranked(indicator, n, borough, True)

    def lowest(self, indicator: str, n: int = 3, borough: str | None = None) -> Ranked:
        return self._ranked(indicator, n, borough, False)

    def boroughs_by(self, indicator: str, n: int | None = None, lowest: bool = False) -> Ranked:
        """Boroughs ordered by an indicator, highest first (or lowest first). Asked for ``n``,
        at most half the boroughs are given, so the highest and the lowest never overlap (with
        five boroughs, "the three oldest" and "the three youngest" would share one)."""
        res = self._need(indicator)
        values = res.boroughs["value"]
        count = len(values) if not n else min(n, max(len(values) // 2, 1))
        c = cut(values, self.geo.boroughs["name"], count, not lowest)
        out = Ranked(self.borough(code) for code in c.codes)
        names = {code: str(self.geo.boroughs.at[code, "name"]) for code in c.tied_listed}
        out.tie_note = tie_note(c, names, res.spec, "boroughs", "")
        return out

    def top_wards(self, indicator: str, n: int, focus_kind: str, focus: str | None) -> list[str]:
        """Codes of the ``n`` most at-risk wards in a view (rank 1 = most at risk; equal ranks
        in name order)."""
        res = self._need(indicator)
        wards = self.geo.wards
        if focus_kind == "area" or not focus:
            codes = wards.index
        else:
            borough = focus if focus_kind == "borough" else wards.at[focus, "borough_code"]
            codes = wards.index[wards["borough_code"] == borough]
        frame = pd.DataFrame(
            {"rank": res.wards.loc[codes, "rank"], "name": wards.loc[codes, "name"].astype(str)}
        )
        return list(frame.sort_values(["rank", "name"], kind="stable").index[:n])

    def _view_codes(self, focus_kind: str, focus: str | None) -> list[str]:
        wards = self.geo.wards
        if focus_kind == "area" or not focus:
            return list(wards.index)
        borough = focus if focus_kind == "borough" else wards.at[focus, "borough_code"]
        return list(wards.index[wards["borough_code"] == borough])

    def merged_boroughs(self) -> list[SimpleNamespace]:
        """Boroughs mapped as one unit (geography.merge_boroughs) that the site covers: name,
        how many wards were merged, and how many 2021 neighbourhoods (LSOAs) it has."""
        out = []
        for code in self.config.geography.merge_boroughs:
            if code not in self.geo.boroughs.index:
                continue
            counts = self.geo.merged[code]  # counted where the lookups are (load_geography)
            areas = counts.get(
                "lsoa21", next(iter(v for k, v in counts.items() if k != "wards"), 0)
            )
            out.append(
                SimpleNamespace(
                    name=str(self.geo.boroughs.at[code, "name"]),
                    wards=counts["wards"],
                    neighbourhoods=areas,
                )
            )
        return out
