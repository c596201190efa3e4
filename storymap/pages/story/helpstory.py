"""Help points in the story: the points a step's map shows, their list in words, and ``help`` in
a chapter's template.

In: the :class:`~storymap.figures.help.HelpResult` and the Geography. Out:
:func:`step_points`, the help points a step's view shows (their places in the help points'
file, which helppoints.js draws); :func:`points_list`, the same points as a list a reader can
read beside the map; :class:`HelpFacts`, what a chapter can say about help (``{{ help.median
}}``, ``{{ help.far | names(true) }}``), every number computed from the data and rounded once.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from markupsafe import Markup

from storymap.figures.format import format_count, format_number, percent_of
from storymap.figures.help import closures_by_borough
from storymap.pages.helptext import WALK_NOTE, distance_text, point_details
from storymap.pages.maps.alt import joined
from storymap.pages.mdtext import md_text
from storymap.pages.urls import borough_doc, html_path, ward_doc

if TYPE_CHECKING:
    from storymap.figures.geography import Geography
    from storymap.figures.help import HelpResult

e = html.escape
WALK_SECONDS = 15 * 60  # "about a 15-minute walk"
PACE_WOMEN, PACE_MEN = 0.8, 0.9  # m/s, mean usual walking speed at 65+ (Asher et al. 2012)
SHARE_WORDS = {0.1: "tenth", 0.2: "fifth", 0.25: "quarter", 0.5: "half"}


def step_points(help_: HelpResult, geo: Geography, focus_kind: str, focus: str | None) -> list[int]:
    """The help points a view shows: the area's on a view of it all, else those in the
    borough in view (a ward's view shows its borough)."""
    if focus_kind == "ward" and focus:
        focus = str(geo.wards.at[focus, "borough_code"])
    if focus_kind in ("borough", "ward") and focus:
        return help_.points_in([focus])
    mask = help_.points["in_area"].to_numpy(bool)
    return [i for i, inside in enumerate(mask) if inside]


def _order(help_: HelpResult, geo: Geography, points: list[int]) -> list[int]:
    """Borough by name, then point by name (ties by place in the file)."""
    names = geo.boroughs["name"].astype(str).to_dict()
    rows = help_.points
    return sorted(
        points,
        key=lambda i: (
            names.get(str(rows.iat[i, rows.columns.get_loc("borough_code")]), ""),
            str(rows.iat[i, rows.columns.get_loc("name")]).lower(),
            i,
        ),
    )


LIST_ALL = 400  # a whole-area view names each of at most this many points, else counts them


def points_list(help_: HelpResult, geo: Geography, points: list[int], whole_area: bool) -> str:
    """The help points a step's map shows, in words. A focused view: each point's name and
    what it is. A view of the whole area, by borough: each point's name (what it is is on the
    borough's page), or with more than LIST_ALL points, how many each borough has and a link
    to its page's list, so the list does not grow without end with the area."""
    records = help_.points.to_dict("records")
    n = len(points)
    head = (
        '<details class="step-help" data-unindexed>'
        f"<summary>Help points on this map ({n:,})</summary>\n"
    )
    if not whole_area:
        items = "".join(
            f"<li><strong>{e(str(records[i]['name']))}</strong>: "
            f"{e(point_details(records[i]))}</li>"
            for i in _order(help_, geo, points)
        )
        return head + f'<ul class="help-list">{items}</ul>\n</details>\n'
    names = geo.boroughs["name"].astype(str).to_dict()
    by: dict[str, list[str]] = {}
    for i in _order(help_, geo, points):
        by.setdefault(str(records[i]["borough_code"]), []).append(str(records[i]["name"]))
    items = []
    for code, listed in by.items():
        borough = names.get(code, "")
        if n <= LIST_ALL:
            said = "; ".join(e(x) for x in listed)
            items.append(f"<li><strong>{e(borough)}</strong> ({len(listed)}): {said}</li>")
        else:
            page = e(html_path(borough_doc(borough)))
            items.append(f'<li><a href="{page}">{e(borough)}</a>: {len(listed):,}</li>')
    note = (
        "<p>Each borough's page says what each of its help points offers.</p>\n"
        if n <= LIST_ALL
        else "<p>Each borough's page lists its help points and what each offers.</p>\n"
    )
    return head + f'<ul class="help-list">{"".join(items)}</ul>\n{note}</details>\n'


class HelpFacts:
    """``help`` in a chapter: the help points and how far help is, for the area built."""

    def __init__(self, help_: HelpResult, geo: Geography, ward_area):
        """``ward_area(code)``: the ward's Area (for ``names``)."""
        self._help, self._geo, self._ward = help_, geo, ward_area
        inside = help_.points[help_.points["in_area"].astype(bool)]
        self.points = len(inside)
        self.libraries = int((inside["kind"] == "library").sum())
        self.team = self.points - self.libraries
        self.walk = distance_text(help_.walk_m)
        self.walk_note = WALK_NOTE
        self._pace = help_.walk_m / WALK_SECONDS
        self.median = distance_text(help_.area_median_m())
        self.beyond = percent_of(help_.area_beyond_share(), 1)
        self.postcodes = format_count(len(help_.postcodes))
        outside = float(help_.postcodes["nearest_outside"].mean()) if len(help_.postcodes) else 0
        self.outside = percent_of(outside, 1) if outside > 0 else ""
        share = help_.top_share
        self.top_share = SHARE_WORDS.get(share, percent_of(share, 1))
        self.top_wards = int(help_.wards["top_risk"].sum())
        far = help_.far_wards()
        self.far_codes = [str(c) for c in far.index]
        self.far = [ward_area(c) for c in self.far_codes]
        self.far_count = len(self.far_codes)
        closed = help_.closed[help_.closed["in_area"].astype(bool)]
        self.closed = len(closed)
        self._closed = closed.sort_values(["year_closed", "name"], kind="stable")
        by = closures_by_borough(help_)
        self.closed_boroughs = len(by)
        self._by = by

    def pace(self) -> Markup:
        """The walking pace the walk assumes, with its source, said for readers."""
        pace = format_number(self._pace, 2)
        within = PACE_WOMEN <= round(self._pace, 2) <= PACE_MEN
        return md_text(
            f"That is {self.walk} in 15 minutes, or {pace} metres a second: "
            + ("between" if within else "against")
            + f" the usual walking speeds of women ({PACE_WOMEN:g}) and men ({PACE_MEN:g} "
            "metres a second) aged 65 and over in England, measured in the English Longitudinal "
            "Study of Ageing (Asher and others, Age and Ageing, 2012)."
        )

    def closed_where(self, n: int = 3) -> Markup:
        """'Bromley (6), Lambeth (5) and Barnet (4)': the boroughs with most closures, ties at
        the cut kept together."""
        by = self._by
        if by.empty:
            return Markup("")
        cut = int(by.iloc[min(n, len(by)) - 1])
        shown = by[by >= cut]
        parts = [f"{name} ({int(k)})" for name, k in shown.items()]
        return md_text(joined(parts))

    def closed_top(self) -> Markup:
        """The closed libraries that lay in wards now among the highest-risk: 'A (Ward,
        Borough, closed 2012)'."""
        rows = self._closed[self._closed["top_risk"].astype(bool)]
        parts = []
        for _i, r in rows.iterrows():
            ward = self._ward(str(r["ward"]))
            parts.append(f"{r['name']} ({ward.name}, {ward.borough}, closed {r['year_closed']})")
        return md_text(joined(parts))

    @property
    def closed_top_count(self) -> int:
        return int(self._closed["top_risk"].astype(bool).sum())

    def far_table(self) -> Markup:
        """The wards where help is far, furthest first: median distance and share of
        postcodes beyond the walk."""
        help_, geo = self._help, self._geo
        if not self.far_codes:
            return Markup("")
        rows = []
        for code in self.far_codes:
            w = help_.wards.loc[code]
            name = e(str(geo.wards.at[code, "name"]))
            borough = str(geo.wards.at[code, "borough_name"])
            page = e(html_path(ward_doc(borough, code)))
            rows.append(
                f'<tr><th scope="row"><a href="{page}">{name}</a></th><td>{e(borough)}</td>'
                f"<td>{distance_text(float(w['median_m']))}</td>"
                f"<td>{e(percent_of(float(w['beyond_share']), 1))}</td></tr>"
            )
        return Markup(
            '\n\n<table class="storymap-table help-far">'
            "<caption>Highest-risk wards where help is far (straight-line distances)</caption>"
            '<thead><tr><th scope="col">Ward</th><th scope="col">Borough</th>'
            '<th scope="col">Half its postcodes within</th>'
            f'<th scope="col">Postcodes further than {e(self.walk)}</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>\n\n"
        )
