"""Static SVG images of a map view, made at build time for readers without JavaScript and print.

In: the Geography (ward shapes), an IndicatorResult and a view (focus, highlights). Out: a small
standalone SVG: the wards in view filled by class, borough outlines, highlighted wards outlined,
and a <title> that says what the image shows. Shapes are simplified once, topology-aware, so
neighbouring wards keep shared edges.
Projection and path data come from storymap.pages.svg, shared with the profile pages.
"""

from __future__ import annotations

import html

import geopandas as gpd
import shapely

from storymap.figures.geography import Geography
from storymap.figures.indicators import IndicatorResult
from storymap.pages.mapgeometry import simplified_projected
from storymap.pages.svg import Projection, path_data

WIDTH = 600


class StaticMaps:
    """Projected, simplified ward shapes, computed once per build and reused for every image."""

    def __init__(self, geo: Geography, palette_for, simplify_metres: float = 60, topology=None):
        """``topology``: the wards' unsimplified shared arcs, if the build made them already
        (storymap.pages.mapgeometry.ward_topology)."""
        self.geo = geo
        self.palette_for = palette_for
        self.shapes: gpd.GeoSeries = simplified_projected(geo.wards, simplify_metres,
                                                          topology).geometry
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
        proj = Projection.fit((minx - pad, miny - pad, maxx + pad, maxy + pad), size=WIDTH, pad=0)

        def path(geom) -> str:
            return path_data(geom, proj)

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
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{proj.view_box}" '
            f'width="{proj.width:g}" height="{proj.height:g}" role="img">'
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
