"""Where each place name lies: its ward and the wards around it.

In: the Config and the Geography (its wards' shapes). Out: :func:`place_wards`, one
:class:`PlaceName` per named place inside the area: the ward holding its point (OS gives a place
as a point, not an area, so a place can spread into the wards around it) and up to
:data:`AROUND` of the wards bordering that ward, nearest the point first.
"""

from __future__ import annotations

from dataclasses import dataclass

from storymap.config import Config
from storymap.data.placenames import read_place_names
from storymap.figures.geography import Geography

AROUND = 2  # neighbouring wards named with a place


@dataclass(frozen=True)
class PlaceName:
    name: str
    ward: str  # the ward (mapped unit) holding the place's point
    around: tuple[str, ...]  # wards bordering it, nearest the point first


def place_wards(config: Config, geo: Geography) -> list[PlaceName]:
    import geopandas as gpd

    places = read_place_names(config)
    points = gpd.GeoDataFrame(
        places,
        geometry=gpd.points_from_xy(places["easting"], places["northing"]),
        crs="EPSG:27700",
    )
    wards = geo.wards[["geometry"]].to_crs("EPSG:27700")
    wards = wards.set_axis(wards.index.astype(str).rename("ward"), axis=0)
    found = gpd.sjoin(points, wards.reset_index(), how="inner", predicate="within")
    edges = wards.reset_index()
    grown = edges.set_geometry(edges.buffer(1)).rename(columns={"ward": "other"})
    touching = gpd.sjoin(edges, grown, predicate="intersects")
    neighbours: dict[str, list[str]] = {}
    for code, other in zip(touching["ward"], touching["other"], strict=True):
        if code != other:
            neighbours.setdefault(str(code), []).append(str(other))
    out = []
    for row in found.itertuples():
        ward = str(row.ward)
        near = sorted(
            neighbours.get(ward, []), key=lambda w: wards.geometry[w].distance(row.geometry)
        )
        out.append(PlaceName(str(row.name), ward, tuple(near[:AROUND])))
    return sorted(out, key=lambda p: (p.name, p.ward))
