"""The help points a build uses: London's public libraries, and the team's own files, checked.

In: the Config (``help:``) and the Geography's ward table. Out: :func:`read_help_points`, every
help point (checked: one ``Error:`` block names each problem of a bad team file, with its file,
line, value and fix), and :func:`read_postcodes`, each postcode's position on the British
National Grid. Everything from a team's file is kept as text; pages escape it.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from storymap.config import Config
from storymap.data.helpfiles import (
    LIBRARIES,
    read_libraries,
    read_postcode_points,
    read_postcode_wards,
)
from storymap.data.postcodes import postcode_key
from storymap.errors import DataError, ProblemList
from storymap.lazy import module

np = module("numpy")
pd = module("pandas")

if TYPE_CHECKING:
    pass

ATTRIBUTION = (
    "Source: Arts Council England (Libraries Basic Dataset 2023), cleaned and enhanced by "
    "Libraries Hacked; Open Government Licence v3.0. Contains OS data © Crown copyright and "
    "database right 2024. Contains Royal Mail data © Royal Mail copyright and database right "
    "2024. Source: Office for National Statistics licensed under the Open Government Licence "
    "v.3.0. Contains Ordnance Survey data © Crown copyright and database right 2025. Contains "
    "Royal Mail data © Royal Mail copyright and database right 2025. Contains National "
    "Statistics data © Crown copyright and database right 2025."
)
OPTIONAL = ("offer", "when", "contact", "url")
POINT_COLUMNS = [
    "name", "kind", "borough_code", "in_area", "easting", "northing", "latitude", "longitude",
    "hours_per_week", "operation", "postcode", *OPTIONAL, "file", "line",
]  # fmt: skip


@dataclass
class Postcodes:
    """Every bundled postcode: index postcode; columns ward (mapped unit), easting, northing."""

    table: pd.DataFrame
    area_wards: frozenset[str]  # the mapped units of the built area

    @property
    def in_area(self) -> pd.DataFrame:
        return self.table[self.table["ward"].isin(self.area_wards)]


def read_postcodes(config: Config, wards: pd.DataFrame) -> Postcodes:
    from storymap.figures.geography import ward_merge_map

    names = read_postcode_wards(config)
    points = read_postcode_points(config)
    names = names.merge(points, on="postcode", how="inner")  # in the postcode file's order
    merge = ward_merge_map(config, wards)
    codes = names["ward_code"].str.strip()
    table = pd.DataFrame(
        {
            "ward": codes.map(merge).fillna(codes).to_numpy(),
            "easting": names["easting"].to_numpy(float),
            "northing": names["northing"].to_numpy(float),
        },
        index=names["postcode"].to_numpy(),
    )
    return Postcodes(table, frozenset(wards.index))


def _to_grid(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from pyproj import Transformer

    t = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    return t.transform(lon, lat)


def _to_lonlat(e: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from pyproj import Transformer

    t = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    return t.transform(e, n)


def _libraries(config: Config, boroughs: set[str]) -> pd.DataFrame:
    lib = read_libraries(config)
    return pd.DataFrame(
        {
            "name": lib["name"],
            "kind": "library",
            "borough_code": lib["located_district_code"].where(
                lib["located_district_code"] != "", lib["la_code"]
            ),
            "in_area": lib["located_district_code"].isin(boroughs),
            "easting": lib["easting"].astype(float),
            "northing": lib["northing"].astype(float),
            "latitude": lib["latitude"].astype(float),
            "longitude": lib["longitude"].astype(float),
            "hours_per_week": lib["hours_per_week"],
            "operation": lib["operation"],
            "postcode": lib["postcode"],
            **{c: "" for c in OPTIONAL},
            "file": LIBRARIES,
            "line": np.arange(2, len(lib) + 2),
        }
    )[POINT_COLUMNS]


def read_help_points(
    config: Config, table, postcodes: Postcodes | None = None, shapes=None
) -> pd.DataFrame:
    """Every help point of the build (columns POINT_COLUMNS). ``table`` is the Geography (its
    ward table is enough); ``shapes``, a function returning the Geography with its ward shapes,
    is called only if a team file gives latitude and longitude (default: ``table``). The team's
    files are checked; every problem in them is raised together as one DataError."""
    wards = table.wards
    geo = shapes if shapes is not None else (lambda: table)
    postcodes = postcodes or read_postcodes(config, wards)
    boroughs = set(wards["borough_code"])
    parts = [_libraries(config, boroughs)] if config.help.libraries else []
    problems = ProblemList()
    for i, name in enumerate(config.help.files):
        parts.append(_team_file(config, name, i, table, geo, postcodes, problems))
    problems.raise_if_any(DataError)
    if not parts:
        return pd.DataFrame(columns=POINT_COLUMNS)
    return pd.concat(parts, ignore_index=True)


def _team_file(
    config, name, i, table, geo, postcodes: Postcodes, problems: ProblemList
) -> pd.DataFrame:
    where = f"{config.path.name}: help.files[{i}]: {name}"
    path: Path = config.resolve(name)
    empty = pd.DataFrame(columns=POINT_COLUMNS)
    if not path.is_file():
        problems.add(f"{where}: no such file. Check the path (relative to the project folder).")
        return empty
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as err:
        problems.add(
            f"{name}: byte {err.start + 1} is not UTF-8 text. Save the file as CSV (UTF-8) "
            "from your spreadsheet program."
        )
        return empty
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    has_pc = "postcode" in header
    has_ll = "latitude" in header and "longitude" in header
    if "name" not in header or not (has_pc or has_ll):
        problems.add(
            f"{name}: line 1: columns {', '.join(header) or '(none)'}; a help-points file needs "
            "a 'name' column and a 'postcode' column (or 'latitude' and 'longitude'). Add the "
            "missing column heading on the first line."
        )
        return empty
    rows, seen = [], {}
    for record in reader:
        line = reader.line_num
        if not any(v.strip() for v in record):
            continue
        row = dict(zip(header, record, strict=False))
        got = {k: (row.get(k) or "").strip() for k in ("name", "postcode", *OPTIONAL)}
        at = f"{name}: line {line}"
        if not got["name"]:
            problems.add(f"{at}: the name is empty. Give each help point a name.")
            continue
        url = got["url"]
        if url and not url.lower().startswith(("http://", "https://")):
            problems.add(
                f"{at}: url '{url}' is not a web address. Give an address starting https:// "
                "(or http://), or leave the url empty."
            )
            continue
        place = _place(at, got, row, has_pc, has_ll, postcodes, problems)
        if place is None:
            continue
        key = (got["name"].casefold(), round(place[0]), round(place[1]))
        if key in seen:
            problems.add(
                f"{at}: '{got['name']}' repeats line {seen[key]} (same name, same place). "
                "Delete one of the two rows."
            )
            continue
        seen[key] = line
        e, n, ward, lonlat = place
        rows.append(
            {**got, "easting": e, "northing": n, "ward": ward, "line": line, "lonlat": lonlat}
        )
    if not rows:
        return empty
    out = pd.DataFrame(rows)
    ll = out["lonlat"].map(lambda v: v is not None)
    if ll.any():  # positions given as latitude+longitude: inside the area's wards?
        import shapely

        area = shapely.union_all(geo().wards.geometry.to_numpy())
        lon = np.array([v[0] for v in out.loc[ll, "lonlat"]])
        lat = np.array([v[1] for v in out.loc[ll, "lonlat"]])
        inside = shapely.contains_xy(area, lon, lat)
        for (_, r), ok in zip(out[ll].iterrows(), inside, strict=True):
            if not ok:
                problems.add(
                    f"{name}: line {r['line']}: latitude {r['lonlat'][1]}, longitude "
                    f"{r['lonlat'][0]} is outside {config.site.area.name}. Check the position "
                    "(latitude first, about 51.5 in London) or remove the row."
                )
        out = out[~ll.to_numpy() | np.isin(np.arange(len(out)), np.flatnonzero(ll)[inside])]
    lon, lat = _to_lonlat(out["easting"].to_numpy(), out["northing"].to_numpy())
    ward = out["ward"].to_numpy(dtype=object)
    if (ward == "").any():  # a position's ward: its nearest postcode's in the area
        from scipy.spatial import cKDTree

        area = postcodes.in_area
        _d, j = cKDTree(area[["easting", "northing"]].to_numpy(float)).query(
            out[["easting", "northing"]].to_numpy(float), k=1
        )
        ward = np.where(ward == "", area["ward"].to_numpy()[j], ward)
    wards = table.wards
    return pd.DataFrame(
        {
            "name": out["name"],
            "kind": "team",
            "borough_code": wards["borough_code"].reindex(ward).to_numpy(),
            "in_area": True,
            "easting": out["easting"].astype(float),
            "northing": out["northing"].astype(float),
            "latitude": lat,
            "longitude": lon,
            "hours_per_week": "",
            "operation": "",
            "postcode": out["postcode"],
            **{c: out[c] for c in OPTIONAL},
            "file": name,
            "line": out["line"],
        }
    )[POINT_COLUMNS]


def _place(at, got, row, has_pc, has_ll, postcodes: Postcodes, problems: ProblemList):
    """(easting, northing, ward or '', (lon, lat) or None) of a row, or None after a problem."""
    raw_pc = got["postcode"]
    if raw_pc or not has_ll:
        key = postcode_key(raw_pc)
        table = postcodes.table
        if key is None or key not in table.index:
            problems.add(
                f"{at}: postcode '{raw_pc}' is not a live postcode of the bundled postcode file. "
                "Check it (e.g. on a letter from the place), or give latitude and longitude."
            )
            return None
        ward = table.at[key, "ward"]
        if ward not in postcodes.area_wards:
            problems.add(
                f"{at}: postcode '{raw_pc}' is outside the area of this site. Remove the row, "
                "or add its borough to site.area.boroughs."
            )
            return None
        got["postcode"] = key
        return table.at[key, "easting"], table.at[key, "northing"], ward, None
    lat_s, lon_s = (row.get("latitude") or "").strip(), (row.get("longitude") or "").strip()
    try:
        lat, lon = float(lat_s), float(lon_s)
        if not (math.isfinite(lat) and math.isfinite(lon)):
            raise ValueError
    except ValueError:
        problems.add(
            f"{at}: latitude '{lat_s}', longitude '{lon_s}' are not numbers. Give decimal "
            "degrees (e.g. 51.5074 and -0.1278) or a postcode."
        )
        return None
    e, n = _to_grid(np.array([lon]), np.array([lat]))
    return float(e[0]), float(n[0]), "", (lon, lat)
