"""Help points in words, shared by every room that shows them (maps, places, story, downloads).

In: a help point's record (a row of :class:`~storymap.figures.help.HelpResult` ``points``) or a
distance in metres. Out: the text a reader sees: a straight-line distance rounded once
(:func:`distance_text`, and :func:`distance_code`, the same rounding as one small number for the
browser's files), what a point offers (:func:`point_details`), and the payload of the help
points' map file (:func:`help_payload`), which storymap.js's help layer and "Use my location"
read. Everything from a team's CSV file stays text: the browser writes it with ``textContent``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storymap.figures.help import HelpResult

WALK_NOTE = "about a 15-minute walk for an older person"


def distance_text(metres: float) -> str:
    """A straight-line distance as a reader says it: "450 m" (to 10 m) under 1 km, else
    "1.4 km" (to 100 m)."""
    if metres < 995:
        return f"{int(math.floor(metres / 10 + 0.5)) * 10:,} m"
    return f"{math.floor(metres / 100 + 0.5) / 10:.1f} km"


def distance_code(metres: float) -> int:
    """:func:`distance_text` as one small number for the postcode files: under 100, tens of
    metres ("450 m" is 45); from 100, tenths of a kilometre plus 100 ("1.4 km" is 114).
    search.js only writes it out: the rounding is done once, here."""
    if metres < 995:
        return int(math.floor(metres / 10 + 0.5))
    return 100 + int(math.floor(metres / 100 + 0.5))


def point_details(point) -> str:
    """What a reader needs to go there: opening hours (a library) or when, what and who to
    contact (the team's own points), each as text."""
    bits: list[str] = []
    if point["kind"] == "library":
        hours = point.get("hours_per_week")
        try:
            hours = float(hours)
        except (TypeError, ValueError):
            hours = math.nan
        bits.append(
            f"library open {hours:g} hours a week"
            if not math.isnan(hours) and hours > 0
            else "public library"
        )
    else:
        bits.append("help point")
        for key, label in (("offer", ""), ("when", ""), ("contact", "contact: "), ("url", "")):
            text = str(point.get(key) or "").strip()
            if text:
                bits.append(label + text)
    return "; ".join(bits)


def point_label(point) -> str:
    """A point's accessible name on a map: its name and what it is."""
    return f"{point['name']}: {point_details(point)}"


def help_payload(help_: HelpResult, attribution: str) -> dict:
    """The help points' map file, in the order of ``help_.points`` (a step's ``data-help``
    lists places in it). Each point is ``[name, what, latitude, longitude, inside]``: ``what``
    is a library's hours open a week as a number (0 if not known: helppoints.js and search.js
    write it out as :func:`point_details` does) or, for the team's own points, the details as
    text; the position in hundred-thousandths of a degree (about a metre); ``inside`` 1 if the
    point is inside the area (a view of it all shows those)."""
    rows = []
    for p in help_.points.to_dict("records"):
        if p["kind"] == "library":
            try:
                what: float | str = float(p.get("hours_per_week"))
            except (TypeError, ValueError):
                what = 0
            what = 0 if what != what or what <= 0 else what  # NaN or none: "public library"
            what = int(what) if float(what).is_integer() else what
        else:
            what = point_details(p)
        rows.append(
            [
                str(p["name"]),
                what,
                round(float(p["latitude"]) * 1e5),
                round(float(p["longitude"]) * 1e5),
                1 if p["in_area"] else 0,
            ]
        )
    return {"points": rows, "attribution": attribution}
