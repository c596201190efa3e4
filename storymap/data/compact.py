"""Compact copies of small-area boundaries: simplified topology-aware, stored as TopoJSON.

In: a boundary layer (GeoJSON, lon/lat) with a code and a name column. Out: a TopoJSON file in
lon/lat whose shared edges are stored once as arcs, each arc simplified once (so neighbours keep
their common edge and no gaps open between them), every point on a grid of ``QUANTUM`` degrees
(about 0.1 m) and written as the difference from the point before it, as the TopoJSON
specification describes. Each feature keeps its code (``id``) and name (``properties.name``).

Simplification never makes a shape invalid: a feature whose simplified rings cross themselves
or each other takes its original arcs back (and so do its neighbours along those arcs).

The bundled ``data/boundaries/*_topo15m_4326.json`` files are made by :func:`main`::

    python -m storymap.data.compact SOURCE.geojson DEST.json --code LSOA21CD --name LSOA21NM

and read back by :func:`read_topojson` as a :class:`Topology`.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from storymap.lazy import module

gpd = module("geopandas")
np = module("numpy")
pyproj = module("pyproj")
shapely = module("shapely")
topojson = module("topojson")

QUANTUM = 1e-6  # degrees: about 0.07 m east-west and 0.11 m north-south in London
METRES = 15.0  # default simplification, metres (the sources are already generalised to 20 m)

# Each feature's polygons, each a list of rings, each a list of arc indices (~i: arc i reversed).
Rings = list[list[list[int]]]


def compact_topology(
    layer: gpd.GeoDataFrame,
    code: str,
    name: str,
    metres: float = METRES,
    object_name: str = "areas",
) -> dict:
    """The layer as a TopoJSON dict, simplified by ``metres`` in British National Grid."""
    projected = layer[[code, "geometry"]].to_crs(27700).reset_index(drop=True)
    output = topojson.Topology(projected[["geometry"]], prequantize=False, toposimplify=0).output
    raw = [np.asarray(a, dtype=float) for a in output["arcs"]]
    by_row = {int(g["id"]): _refs(g) for g in output["objects"]["data"]["geometries"]}
    rings = [by_row[i] for i in range(len(projected))]
    simple = [simplify_arc(a, metres) for a in raw]
    origin = np.floor(shapely.total_bounds(layer.geometry.values)[:2] / QUANTUM) * QUANTUM
    raw_grid, grid = _grid(raw, origin), _grid(simple, origin)
    _restore_invalid(grid, raw_grid, rings)
    geometries = []
    for i, polygons in enumerate(rings):
        kind = "Polygon" if len(polygons) == 1 else "MultiPolygon"
        geometries.append(
            {
                "type": kind,
                "arcs": polygons[0] if kind == "Polygon" else polygons,
                "id": str(layer[code].iloc[i]),
                "properties": {"name": str(layer[name].iloc[i])},
            }
        )
    return {
        "type": "Topology",
        "transform": {"scale": [QUANTUM, QUANTUM], "translate": [round(v, 6) for v in origin]},
        "objects": {object_name: {"type": "GeometryCollection", "geometries": geometries}},
        "arcs": [_deltas(a) for a in grid],
    }


def _refs(geometry: dict) -> Rings:
    arcs = geometry["arcs"]
    return [arcs] if geometry["type"] == "Polygon" else arcs


def simplify_arc(arc: np.ndarray, metres: float, kept: int = 2) -> np.ndarray:
    """The arc simplified by ``metres`` (Douglas-Peucker, topology preserved, ends kept; 0: as
    it is); closed arcs keep at least four points. An arc of ``kept`` points or fewer is kept as
    it is: the bundled boundaries (:func:`compact_topology`) simplify arcs of three points, the
    neighbourhood maps (storymap.pages.maps.neighbourhood, ``kept=3``) keep them."""
    if metres <= 0 or len(arc) <= kept:
        return arc
    line = shapely.LineString(arc)
    out = np.asarray(shapely.simplify(line, metres, preserve_topology=True).coords)
    closed = bool((arc[0] == arc[-1]).all())
    return arc if closed and len(out) < 4 else out


def _grid(arcs: list[np.ndarray], origin: np.ndarray) -> list[np.ndarray]:
    """British National Grid arcs as integer steps of QUANTUM degrees from ``origin``."""
    every = np.vstack(arcs)
    lon, lat = pyproj.Transformer.from_crs(27700, 4326, always_xy=True).transform(
        every[:, 0], every[:, 1]
    )
    steps = np.round((np.column_stack([lon, lat]) - origin) / QUANTUM).astype(np.int64)
    out = []
    for points in np.split(steps, np.cumsum([len(a) for a in arcs])[:-1]):
        keep = np.ones(len(points), dtype=bool)
        keep[1:] = (np.diff(points, axis=0) != 0).any(axis=1)  # points the grid made equal
        out.append(points[keep])
    return out


def _restore_invalid(grid: list[np.ndarray], raw: list[np.ndarray], rings: list[Rings]) -> None:
    """Give each feature whose shape is invalid its original arcs back, until all are valid."""
    todo = set(range(len(rings)))
    while todo:
        bad = [i for i in sorted(todo) if not shapely.is_valid(polygons(rings[i], grid))]
        if not bad:
            return
        restored = False
        for i in bad:
            for arc in _arc_ids(rings[i]):
                if grid[arc] is not raw[arc]:
                    grid[arc], restored = raw[arc], True
        if not restored:
            raise ValueError(f"features {bad[:5]} are invalid even unsimplified; repair the source")
        # restoring an arc changes the neighbours that share it: check everything once more
        todo = set(range(len(rings)))


def _arc_ids(polys: Rings) -> list[int]:
    return [ref if ref >= 0 else ~ref for rings in polys for ring in rings for ref in ring]


def ring_points(ring: list[int], arcs: list[np.ndarray]) -> np.ndarray:
    """A ring's points joined from its arcs (each arc starts where the previous one ended)."""
    parts = []
    for k, ref in enumerate(ring):
        points = arcs[ref] if ref >= 0 else arcs[~ref][::-1]
        parts.append(points if k == 0 else points[1:])
    return np.vstack(parts)


def polygons(polys: Rings, arcs: list[np.ndarray]):
    """A shapely (Multi)Polygon from arc references."""
    shapes = [
        shapely.Polygon(ring_points(rings[0], arcs), [ring_points(r, arcs) for r in rings[1:]])
        for rings in polys
    ]
    return shapes[0] if len(shapes) == 1 else shapely.MultiPolygon(shapes)


def _deltas(points: np.ndarray) -> list[list[int]]:
    return np.diff(points, axis=0, prepend=np.zeros((1, 2), dtype=np.int64)).tolist()


def write_topojson(topology: dict, path: Path) -> None:
    text = json.dumps(topology, separators=(",", ":"), ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")


@dataclass
class Topology:
    """Shapes as shared arcs: each area's polygons are lists of rings of arc references."""

    arcs: list[np.ndarray]  # lon/lat points
    areas: dict[str, Rings]  # code -> its polygons
    names: dict[str, str]  # code -> name

    def shape(self, code: str):
        return polygons(self.areas[code], self.arcs)

    def frame(self) -> gpd.GeoDataFrame:
        """Every area as a row: code, name, geometry (lon/lat)."""
        codes = list(self.areas)
        return gpd.GeoDataFrame(
            {"code": codes, "name": [self.names[c] for c in codes]},
            geometry=[self.shape(c) for c in codes],
            crs=4326,
        )


def read_topojson(path: Path) -> Topology:
    """A TopoJSON file written by :func:`write_topojson` (lon/lat, polygons with an ``id``).

    Raises ValueError (saying what is wrong) if the file is not such a topology."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("type") != "Topology" or not data.get("objects"):
        raise ValueError("not a TopoJSON topology (no type: Topology with objects)")
    transform = data.get("transform") or {"scale": [1, 1], "translate": [0, 0]}
    scale, shift = np.asarray(transform["scale"], float), np.asarray(transform["translate"], float)
    arcs = [
        np.cumsum(np.asarray(a, dtype=float).reshape(-1, 2), axis=0) * scale + shift
        for a in data["arcs"]
    ]
    areas, names = {}, {}
    for obj in data["objects"].values():
        for g in obj.get("geometries", []):
            if g.get("type") not in ("Polygon", "MultiPolygon"):
                raise ValueError(f"feature {g.get('id')!r} is a {g.get('type')}, not a polygon")
            code = str(g["id"])
            areas[code] = _refs(g)
            names[code] = str(g.get("properties", {}).get("name", code))
    return Topology(arcs, areas, names)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m storymap.data.compact",
        description="Write a compact, topology-aware simplified TopoJSON copy of a boundary file.",
        epilog="Example: python -m storymap.data.compact london_lsoa_2021_bgc20m_4326.geojson "
        "data/boundaries/london_lsoa21_topo15m_4326.json --code LSOA21CD --name LSOA21NM",
    )
    parser.add_argument("source", type=Path)
    parser.add_argument("dest", type=Path)
    parser.add_argument("--code", required=True, help="column holding the area code")
    parser.add_argument("--name", required=True, help="column holding the area name")
    parser.add_argument("--metres", type=float, default=METRES, help="simplification (metres)")
    parser.add_argument("--object", default="areas", help="name of the TopoJSON object")
    args = parser.parse_args(argv)
    layer = gpd.read_file(args.source)
    topology = compact_topology(layer, args.code, args.name, args.metres, args.object)
    write_topojson(topology, args.dest)
    print(f"{args.dest}: {len(layer)} areas, {args.dest.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
