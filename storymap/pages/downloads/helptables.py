"""The help points' download tables: how far help is from each ward, and the points themselves.

In: the Geography and the :class:`~storymap.figures.help.HelpResult`. Out: :func:`with_help`,
the ward table with four more columns (median straight-line distance to help, the share of
postcodes beyond the walk, the nearest help point and its distance), and
:func:`help_points_table`, one row per help point. Headers are plain words with units; values
keep their full precision.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from storymap.pages.downloads.tables import Column, Table, table_of

if TYPE_CHECKING:
    from storymap.figures.geography import Geography
    from storymap.figures.help import HelpResult

HELP_SOURCE = (
    "Arts Council England, Libraries Basic Dataset 2023 (cleaned by Libraries Hacked), and the "
    "team's own help points; OS Code-Point Open postcodes (May 2025)"
)
HELP_LICENCE = "Open Government Licence v3.0"


def _help_columns(walk_m: float) -> list[Column]:
    walk = f"{walk_m:g} m"
    return [
        Column(
            "help_median_m",
            "Help: half the postcodes within (metres, straight line)",
            "Median over the ward's postcodes of the straight-line distance to the nearest help "
            "point (British National Grid)",
            "metres",
            HELP_SOURCE,
            HELP_LICENCE,
            0,
        ),
        Column(
            "help_beyond_walk",
            f"Help: postcodes further than {walk} (%)",
            f"Share of the ward's postcodes whose nearest help point is more than {walk} away "
            "in a straight line (about a 15-minute walk for an older person)",
            "percent (0 to 100)",
            HELP_SOURCE,
            HELP_LICENCE,
            1,
        ),
        Column(
            "help_nearest",
            "Help: nearest help point",
            "The help point nearest the mean position of the ward's postcodes",
            "text",
            HELP_SOURCE,
            HELP_LICENCE,
        ),
        Column(
            "help_nearest_m",
            "Help: nearest help point (metres, straight line)",
            "Straight-line distance from the mean position of the ward's postcodes to it",
            "metres",
            HELP_SOURCE,
            HELP_LICENCE,
            0,
        ),
    ]


def help_points_table(geo: Geography, help_: HelpResult) -> Table:
    """One row per help point: what and where it is, and what it offers."""
    p = help_.points
    borough = geo.boroughs["name"].astype(str).to_dict()
    ward = geo.wards["name"].astype(str).to_dict()
    kind = {"library": "Public library", "team": "The team's own help point"}

    def text(col: str) -> list[str]:
        return [str(v) for v in p[col].fillna("")]

    def hours(v) -> float | None:
        try:
            return float(v)
        except (TypeError, ValueError):
            return None

    data = {
        "name": text("name"),
        "kind": [kind.get(str(k), str(k)) for k in p["kind"]],
        "borough_code": text("borough_code"),
        "borough_name": [borough.get(str(c), "") for c in p["borough_code"]],
        "ward_code": text("ward"),
        "ward_name": [ward.get(str(c), "") for c in p["ward"]],
        "in_area": ["yes" if bool(v) else "no" for v in p["in_area"]],
        "postcode": text("postcode"),
        "latitude": p["latitude"].astype(float).round(6).tolist(),
        "longitude": p["longitude"].astype(float).round(6).tolist(),
        "easting": p["easting"].astype(float).round(1).tolist(),
        "northing": p["northing"].astype(float).round(1).tolist(),
        "hours_per_week": [hours(v) for v in p["hours_per_week"]],
        "operation": text("operation"),
        **{c: text(c) for c in ("offer", "when", "contact", "url")},
    }
    src, lic = HELP_SOURCE, HELP_LICENCE

    def col(id_: str, header: str, meaning: str, unit: str = "text", places=None) -> Column:
        return Column(id_, header, meaning, unit, src, lic, places)

    columns = [
        col("name", "Name", "The help point's name"),
        col("kind", "Kind", "A public library, or one of the team's own help points"),
        col("borough_code", "Borough code", "ONS code of the borough it stands in"),
        col("borough_name", "Borough", "The borough it stands in"),
        col("ward_code", "Ward code", "The ward of its nearest postcode"),
        col("ward_name", "Ward", "The ward of its nearest postcode"),
        col("in_area", "In the area", "Whether it stands inside the area the site covers"),
        col("postcode", "Postcode", "Its postcode, where known"),
        col("latitude", "Latitude", "WGS 84", "degrees", 6),
        col("longitude", "Longitude", "WGS 84", "degrees", 6),
        col("easting", "Easting (m)", "British National Grid", "metres", 0),
        col("northing", "Northing (m)", "British National Grid", "metres", 0),
        col("hours_per_week", "Hours open a week", "A library's opening hours (2023)", "hours", 1),
        col("operation", "Run by", "How a library is run (2023)"),
        col("offer", "Offer", "What the team's help point offers"),
        col("when", "When", "When the team's help point is open"),
        col("contact", "Contact", "Whom to contact"),
        col("url", "Web page", "Its web page"),
    ]
    return table_of(data, columns)


def with_help(table: Table, help_: HelpResult) -> Table:
    """The ward table (one row per ward, ``ward_code`` first) with how far help is."""
    codes = table.frame.iloc[:, 0].astype(str)
    w = help_.wards.reindex(codes)
    names = help_.points["name"].astype(str).to_numpy()
    data = {c.id: table.frame[c.header].tolist() for c in table.columns}
    columns = [*table.columns, *_help_columns(help_.walk_m)]
    data["help_median_m"] = w["median_m"].astype(float).tolist()
    data["help_beyond_walk"] = (100 * w["beyond_share"].astype(float)).tolist()
    data["help_nearest"] = ["" if v != v else str(names[int(v)]) for v in w["near_1"].astype(float)]
    data["help_nearest_m"] = w["near_1_m"].astype(float).tolist()
    return table_of(data, columns)
