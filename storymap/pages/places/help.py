""" "Where to get help nearby" on each ward page: the nearest help points and how far help is.

In: the :class:`~storymap.figures.help.HelpResult` (help points, each ward's distance figures)
and a ward's code. Out: the section's HTML. Every distance is a straight line, said so, and
rounded once (:func:`storymap.pages.helptext.distance_text`); everything that came from a
team's CSV file is escaped and shown as text, never as markup or a link.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from storymap.figures.format import percent_of
from storymap.pages.helptext import WALK_NOTE, distance_text, point_details
from storymap.pages.maps.svg import inside

if TYPE_CHECKING:
    from storymap.figures.help import HelpResult
    from storymap.pages.maps.svg import Projection

e = html.escape


class HelpLookup:
    """The help figures as plain records, read once for every ward and borough page."""

    def __init__(self, help_: HelpResult, borough_of: dict[str, str]):
        self.result = help_
        self.wards = help_.wards.to_dict("index")
        self.points = help_.points.to_dict("records")
        self.boroughs: dict[str, list[str]] = {}
        for ward in help_.wards.index:
            self.boroughs.setdefault(borough_of.get(ward, ""), []).append(ward)
        self.points_in: dict[str, list[dict]] = {}
        for point in self.points:
            self.points_in.setdefault(str(point["borough_code"]), []).append(point)


def ward_help_section(lookup: HelpLookup | None, code: str, area: str) -> str:
    """The ward page's "Where to get help nearby" section ("" when the build has no help)."""
    if lookup is None:
        return ""
    help_ = lookup.result
    head = "## Where to get help nearby\n\n"
    if code not in lookup.wards:
        return head + "<p>No postcode of this ward has a position, so no distance is given.</p>\n\n"
    row = lookup.wards[code]
    items = []
    for j in (1, 2, 3):
        if f"near_{j}" not in row:
            break
        point = lookup.points[int(row[f"near_{j}"])]
        postcode = str(point.get("postcode") or "")
        items.append(
            f"<li><strong>{e(str(point['name']))}</strong>, "
            f"{distance_text(float(row[f'near_{j}_m']))} ({e(point_details(point))}"
            + (f", {e(postcode)}" if postcode else "")
            + ")</li>"
        )
    walk = distance_text(help_.walk_m)
    beyond = percent_of(float(row["beyond_share"]), 1)
    n = int(row["n_postcodes"])
    outside = (
        f" For some of its postcodes the nearest help is outside {e(area)}."
        if float(row.get("outside_share", 0) or 0) > 0
        else ""
    )
    return (
        head + "<p>Nearest help online, in a straight line from the middle of the ward's "
        "addresses:</p>\n"
        + f"<ol>{''.join(items)}</ol>\n"
        + f"<p>Half the ward's {n:,} postcodes are within "
        f"{distance_text(float(row['median_m']))} of help in a straight line; "
        f"{e(beyond)} are further than {walk} ({WALK_NOTE}).{outside}</p>\n\n"
    )


def borough_help_section(lookup: HelpLookup | None, code: str, name: str, ward_name, link) -> str:
    """The borough page's "Where help is, and where it is far": its help points, the wards in
    the area's highest-risk share on the index whose help is beyond a walk, and the borough's
    library closures 2010–2023."""
    if lookup is None:
        return ""
    help_ = lookup.result
    points = lookup.points_in.get(code, [])
    libraries = sum(p["kind"] == "library" for p in points)
    others = len(points) - libraries
    walk = distance_text(help_.walk_m)
    top = percent_of(help_.top_share, 1)
    mine = [(w, lookup.wards[w]) for w in lookup.boroughs.get(code, [])]
    far = [(w, r) for w, r in mine if r["top_risk"] and r["median_m"] > help_.walk_m]
    far.sort(key=lambda wr: -wr[1]["median_m"])  # stable: ties keep the wards' order
    counted = f"{libraries} public librar{'y' if libraries == 1 else 'ies'}"
    if others:
        counted += f" and {others} other help point{'s' if others != 1 else ''}"
    parts = ["## Where help is, and where it is far\n\n", f"<p>{e(name)} has {counted}. "]
    if not far:
        parts.append(
            f"None of its wards in the highest-risk {top} on the index has half its postcodes "
            f"more than {walk} ({WALK_NOTE}) from help in a straight line.</p>\n"
        )
    else:
        items = "".join(
            f'<li><a href="{e(link(w))}">{e(ward_name(w)[0])}</a>, median '
            f"{distance_text(float(r['median_m']))}</li>"
            for w, r in far
        )
        n = len(far)
        parts.append(
            f"{n} of its wards in the highest-risk {top} on the index "
            f"{'has' if n == 1 else 'have'} half {'its' if n == 1 else 'their'} postcodes more "
            f"than {walk} ({WALK_NOTE}) from help in a straight line (each ward's page says how "
            f"firm its place on the index is):</p>\n<ul>{items}</ul>\n"
        )
    closed = help_.closed[help_.closed["la_code"] == code]
    if closed.empty:
        parts.append(f"<p>No public library in {e(name)} closed in 2010–2023.</p>\n\n")
    else:
        closed = closed.sort_values(["year_closed", "name"], kind="stable")
        said = "; ".join(
            f"{e(str(r['name']))} ({e(str(r['year_closed']))}"
            + (", in a ward now among the highest-risk" if r["top_risk"] else "")
            + ")"
            for _i, r in closed.iterrows()
        )
        k = len(closed)
        parts.append(
            f"<p>{k} of its public librar{'y' if k == 1 else 'ies'} closed in 2010–2023: "
            f"{said}.</p>\n\n"
        )
    return "".join(parts)


def ward_marks(lookup: HelpLookup | None, code: str, proj: Projection) -> list[tuple]:
    """The ward's three nearest help points that fall inside its locator map: (easting,
    northing, name)."""
    if lookup is None or code not in lookup.wards:
        return []
    row = lookup.wards[code]
    out = []
    for j in (1, 2, 3):
        if f"near_{j}" not in row:
            break
        p = lookup.points[int(row[f"near_{j}"])]
        if inside(proj, float(p["easting"]), float(p["northing"])):
            out.append((float(p["easting"]), float(p["northing"]), f"{j}. {p['name']}"))
    return out


def borough_marks(lookup: HelpLookup | None, code: str, proj: Projection) -> list[dict]:
    """The borough's help points that fall inside its map, by name."""
    if lookup is None:
        return []
    mine = [
        p
        for p in lookup.points_in.get(code, [])
        if inside(proj, float(p["easting"]), float(p["northing"]))
    ]
    return sorted(mine, key=lambda p: (str(p["name"]).lower(), str(p["file"]), int(p["line"])))


def borough_points_list(points: list[dict], name: str) -> str:
    """The help points the borough's map marks, in words (the same points)."""
    if not points:
        return ""
    items = "".join(
        f"<li><strong>{e(str(p['name']))}</strong>: {e(point_details(p))}"
        + (f", {e(str(p['postcode']))}" if str(p.get("postcode") or "") else "")
        + "</li>"
        for p in points
    )
    n = len(points)
    return (
        f'<details class="help-points"><summary>The {n} help point{"s" if n != 1 else ""} '
        f"on the map of {e(name)}</summary>\n<ul>{items}</ul>\n</details>\n"
    )
