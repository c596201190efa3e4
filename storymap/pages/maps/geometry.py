"""Ward shapes for maps: simplified topology-aware, and as shared arcs for the map script.

In: the ward layer (lon/lat). Out: :func:`simplified_projected`, the simplified wards in British
National Grid (static images, and the reference the map script's shapes are tested against), and
:func:`geometry_payload`, the same shapes as shared arcs on a grid of about ``GRID_METRES``, in
the compact form of :mod:`storymap.pages.maps.codec` that ``storymap.js`` decodes. Shared edges are
simplified once, so no gaps or overlaps open between neighbours.
"""

from __future__ import annotations

from storymap.config import Config
from storymap.figures.geography import Geography
from storymap.lazy import module
from storymap.pages.maps.codec import WardRings, encode_topology

gpd = module("geopandas")
np = module("numpy")
shapely = module("shapely")
topojson = module("topojson")

# Map coordinates are stored on a grid of about GRID_METRES square: each point is at most
# GRID_METRES / sqrt(2) from the simplified shape.
GRID_METRES = 2.0
METRES_PER_DEGREE_LAT = 111_250  # at London's latitude; the grid need only be about square
METRES_PER_DEGREE_LON = 111_320  # times the cosine of the latitude


def ward_topology(wards: gpd.GeoDataFrame, metres: float) -> topojson.Topology:
    """The wards as shared arcs in British National Grid, simplified by ``metres`` (0: not)."""
    projected = wards[["geometry"]].to_crs(27700)
    return topojson.Topology(projected, prequantize=False, toposimplify=metres)


def simplified(topology: topojson.Topology, metres: float) -> topojson.Topology:
    """``topology`` (unsimplified) simplified by ``metres``: the arcs are found once for every
    level of detail."""
    return topology.toposimplify(metres) if metres > 0 else topology


def simplified_projected(
    wards: gpd.GeoDataFrame, metres: float, topology: topojson.Topology | None = None
) -> gpd.GeoDataFrame:
    """Wards in British National Grid, simplified topology-aware (``metres`` 0: as they are);
    ``topology``: their unsimplified :func:`ward_topology`, if it was made already."""
    projected = wards[["geometry"]].to_crs(27700)
    if metres > 0:
        simple = (
            simplified(topology, metres) if topology is not None else ward_topology(wards, metres)
        )
        projected = simple.to_gdf().set_crs(27700, allow_override=True)
        projected.index = wards.index
    return projected


def grid_scale(latitude: float, metres: float = GRID_METRES) -> tuple[int, int]:
    """Grid steps per degree of longitude and latitude for steps of about ``metres``."""
    east = METRES_PER_DEGREE_LON * np.cos(np.radians(latitude))
    return round(east / metres), round(METRES_PER_DEGREE_LAT / metres)


def geometry_payload(config: Config, geo: Geography, metres: float | None = None) -> dict:
    """The wards simplified by ``metres`` (default: the config's simplify_metres) as shared
    arcs on a grid (see storymap.pages.maps.codec), in ward order."""
    metres = config.geography.simplify_metres if metres is None else metres
    topology = ward_topology(geo.wards, metres)
    return WardArcs.of(geo, topology, GRID_METRES).payload(range(len(geo.wards)))


class WardArcs:
    """The wards as shared arcs in lon/lat and each ward's rings as arc references, on a grid
    of about ``grid`` metres; :meth:`payload` encodes any set of the wards."""

    def __init__(self, arcs: list[np.ndarray], rings: list[WardRings], scale: tuple[int, int]):
        self.arcs, self.rings, self.scale = arcs, rings, scale

    @classmethod
    def of(cls, geo: Geography, topology: topojson.Topology, grid: float) -> WardArcs:
        output = topology.output
        projected = [np.asarray(a, dtype=float) for a in output["arcs"]]
        by_code = {g["id"]: g for g in output["objects"]["data"]["geometries"]}
        rings = [_polygons(by_code[code], projected) for code in geo.wards.index]
        lines = gpd.GeoSeries([shapely.LineString(a) for a in projected], crs=27700).to_crs(4326)
        lonlat = [np.asarray(line.coords) for line in lines]
        miny, maxy = geo.wards.total_bounds[[1, 3]]
        return cls(lonlat, rings, grid_scale((miny + maxy) / 2, grid))

    def payload(self, wards) -> dict:
        """The given wards (indices, in order) and only the arcs they use."""
        return encode_topology(self.arcs, [self.rings[i] for i in wards], self.scale)


def _polygons(geometry: dict, arcs: list[np.ndarray]) -> WardRings:
    """A ward's rings as arc references, wound as shapely.orient and GeoJSON do (outer rings
    counter-clockwise, holes clockwise), each still starting where it did."""
    polygons = [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry["arcs"]
    return [[_wound(ring, arcs, outer=k == 0) for k, ring in enumerate(p)] for p in polygons]


def _wound(ring: list[int], arcs: list[np.ndarray], outer: bool) -> list[int]:
    points = np.vstack([arcs[ref] if ref >= 0 else arcs[~ref][::-1] for ref in ring])
    if bool(shapely.is_ccw(shapely.linearrings(points))) == outer:
        return ring
    return [~ref for ref in reversed(ring)]
