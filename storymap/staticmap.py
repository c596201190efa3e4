"""Static SVG images of a map view, made at build time for readers without JavaScript and print.

In: the Geography (ward shapes), an IndicatorResult and a view (focus, highlights). Out: a small
standalone SVG: the wards in view filled by class, borough outlines, highlighted wards outlined,
and a <title> that says what the image shows. Shapes are simplified once, topology-aware, so
neighbouring wards keep shared edges.
"""

from __future__ import annotations

import html

import geopandas as gpd
import shapely

from storymap.geography import Geography
from storymap.indicators import IndicatorResult

WIDTH = 600


class StaticMaps:
    """Projected, simplified ward shapes, computed once per build and reused for every image."""

    def __init__(self, geo: Geography, palette_for, simplify_metres: float = 60):
        from storymap.maps import simplified_projected  # maps imports nothing from here

        self.geo = geo
        self.palette_for = palette_for
        self.shapes: gpd.GeoSeries = simplified_projected(geo.wards, simplify_metres).geometry
        borough = geo.wards["borough_code"]
        self.boroughs = gpd.GeoSeries(
            [shapely.union_all(self.shapes[borough == b].to_numpy()) for b in geo.boroughs.index],
            index=geo.boroughs.index,
        )

    def view_codes(self, focus_kind: str, focus: str | None) -> list[str]:
        wards = self.geo.wards
        if focus_kind == "borough" and focus:
            return list(wards.index[wards["borough_code"] == focus])
        if focus_kind == "ward" and focus:
            borough = wards.at[focus, "borough_code"]
            return list(wards.index[wards["borough_code"] == borough])
        return list(wards.index)

    def svg(
        self,
        res: IndicatorResult,
        focus_kind: str,
        focus: str | None,
        highlights: list[str],
        title: str,
    ) -> str:
        codes = self.view_codes(focus_kind, focus)
        minx, miny, maxx, maxy = shapely.total_bounds(self.shapes.loc[codes].to_numpy())
        pad = 0.03 * max(maxx - minx, maxy - miny)
        minx, miny, maxx, maxy = minx - pad, miny - pad, maxx + pad, maxy + pad
        scale = WIDTH / (maxx - minx)
        height = round((maxy - miny) * scale)

        def path(geom) -> str:
            return _path_data(geom, minx, maxy, scale)

        palette = self.palette_for(len(res.breaks))
        groups: dict[int, list[str]] = {}
        for code in codes:
            colour = res.risk_class(int(res.wards.at[code, "cls"]))
            groups.setdefault(colour, []).append(path(self.shapes[code]))
        fills = "".join(
            f'<path fill="{palette[c]}" d="{" ".join(ds)}"/>' for c, ds in sorted(groups.items())
        )
        in_view = {self.geo.wards.at[c, "borough_code"] for c in codes}
        outlines = " ".join(path(self.boroughs[b].boundary) for b in sorted(in_view))
        marks = " ".join(path(self.shapes[c]) for c in highlights if c in self.shapes.index)
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
            f'width="{WIDTH}" height="{height}" role="img">'
            f"<title>{html.escape(title)}</title>"
            f'<g stroke="#ffffff" stroke-width="0.5">{fills}</g>'
            f'<path fill="none" stroke="#1a1a1a" stroke-width="1.2" d="{outlines}"/>'
            + (
                f'<path fill="none" stroke="#000000" stroke-width="3" d="{marks}"/>'
                if marks
                else ""
            )
            + "</svg>\n"
        )


def _path_data(geom, minx: float, maxy: float, scale: float) -> str:
    parts = []
    for line in _rings(geom):
        coords = shapely.get_coordinates(line)
        xs = ((coords[:, 0] - minx) * scale).round(1)
        ys = ((maxy - coords[:, 1]) * scale).round(1)
        points = " ".join(f"{x:g} {y:g}" for x, y in zip(xs, ys, strict=True))
        parts.append(f"M{points}" + ("Z" if line.is_ring else ""))
    return "".join(parts)


def _rings(geom):
    if geom.is_empty:
        return []
    if geom.geom_type == "Polygon":
        return [geom.exterior, *geom.interiors]
    if geom.geom_type in ("LineString", "LinearRing"):
        return [geom]
    return [ring for part in geom.geoms for ring in _rings(part)]
