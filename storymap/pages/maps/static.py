"""Static SVG images of a map view, made at build time for readers without JavaScript and print.

In: the Geography (ward shapes), an IndicatorResult and a view (focus, highlights). Out: a small
standalone SVG: the wards in view filled by class, borough outlines, highlighted wards outlined,
labels as text (the highlighted wards' names first, then on a view of the whole area every
borough's name that has room, :mod:`storymap.pages.maps.labels`; sized to read at 320 px wide and
never over one another: the same labels the live map shows), and a <title> that says what the
image shows. Shapes are simplified once, topology-aware, so
neighbouring wards keep shared edges.
Projection and path data come from storymap.pages.maps.svg, shared with the profile pages.
"""

from __future__ import annotations

import html

from storymap.figures.geography import Geography
from storymap.figures.indicators import IndicatorResult
from storymap.lazy import module
from storymap.pages.maps.geometry import simplified_projected
from storymap.pages.maps.labels import label_point, place_labels, places_inside, svg_labels
from storymap.pages.maps.svg import Projection, path_data

gpd = module("geopandas")
pyproj = module("pyproj")
shapely = module("shapely")
shapely_affinity = module("shapely.affinity")

WIDTH = 600
LABEL_PX = 14  # label text size (issue 25: 14 px maps) when the image is shown SHOWN_PX wide,
SHOWN_PX = 248  # as in a step on a 320 px phone (the page's margins, the step's padding off)


def help_marks(proj: Projection, points: list[tuple[float, float]] | None) -> str:
    """Help points as dark rings with a white edge, drawn under the labels (the image's
    <title> and the step's list name them)."""
    if not points:
        return ""
    import numpy as np

    xy = proj.points(np.array(points, dtype=float))
    r = proj.width / 320 * 4
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}"/>' for x, y in xy)
    return f'<g fill="#1a1a1a" stroke="#ffffff" stroke-width="{r / 2:.1f}">{dots}</g>'


class StaticMaps:
    """Projected, simplified ward shapes, computed once per build and reused for every image."""

    def __init__(self, geo: Geography, palette_for, simplify_metres: float = 60, topology=None):
        """``topology``: the wards' unsimplified shared arcs, if the build made them already
        (storymap.pages.maps.geometry.ward_topology)."""
        self.geo = geo
        self.palette_for = palette_for
        self.shapes: gpd.GeoSeries = simplified_projected(
            geo.wards, simplify_metres, topology
        ).geometry
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
        points: list[tuple[float, float]] | None = None,
    ) -> str:
        """``points``: help points to mark (British National Grid metres), if the step shows
        them."""
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
        labels = svg_labels(self.labels(proj, focus_kind, focus, highlights), "map-label")
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
            + help_marks(proj, points)
            + labels
            + "</svg>\n"
        )

    def live_labels(self, views: list[tuple[str, str | None, list[str]]]) -> dict:
        """The labels storymap.js places on a live map showing ``views`` (focus kind, focus,
        highlights): every borough, largest first (the same for every map:
        storymap.pages.story.chapters
        puts them in a file of their own), and each ward a view names, at the same points as on
        the images (lat/lon, rounded to about a metre; a borough's to about ten)."""
        to_lonlat = pyproj.Transformer.from_crs(27700, 4326, always_xy=True).transform

        def point(x: float, y: float, digits: int = 5) -> list[float]:
            lon, lat = to_lonlat(x, y)
            return [round(lat, digits), round(lon, digits)]

        # a borough's name goes where it fits in a wide shape: ten metres is close enough
        boroughs = [
            [b, name, [point(x, y, 4) for x, y in places_inside(self.boroughs[b])]]
            for kind, b, name in self.label_names("area", None, [])
            if kind == "borough"
        ]
        wards = {}
        for focus_kind, focus, highlights in views:
            for kind, code, name in self.label_names(focus_kind, focus, highlights):
                if kind == "ward" and code not in wards:
                    wards[code] = [name, *point(*label_point(self.shapes[code])[:2])]
        return {"boroughs": boroughs, "wards": wards}

    def label_names(
        self, focus_kind: str, focus: str | None, highlights: list[str]
    ) -> list[tuple[str, str, str]]:
        """(kind, code, name) of the labels a view shows, first placed first: the wards the step
        highlights (and the ward in focus), then on a view of the whole area every borough,
        largest first. storymap.js places the same list on the live map."""
        wards = self.geo.wards
        named = [
            c
            for c in ([focus] if focus_kind == "ward" and focus else []) + highlights
            if c in wards.index
        ]
        out = [("ward", c, str(wards.at[c, "name"])) for c in dict.fromkeys(named)]
        if focus_kind == "area":
            by_area = self.boroughs.area.sort_values(ascending=False).index
            out += [("borough", b, str(self.geo.boroughs.at[b, "name"])) for b in by_area]
        return out

    def labels(
        self, proj: Projection, focus_kind: str, focus: str | None, highlights: list[str]
    ) -> list:
        """The view's labels placed in the image (see :meth:`label_names`)."""
        font = LABEL_PX * proj.width / SHOWN_PX
        matrix = [
            proj.scale,
            0,
            0,
            -proj.scale,
            proj.pad - proj.minx * proj.scale,
            proj.pad + proj.maxy * proj.scale,
        ]
        frame = (0.0, 0.0, proj.width, proj.height)
        names = self.label_names(focus_kind, focus, highlights)
        wards = [
            (n, shapely_affinity.affine_transform(self.shapes[c], matrix), k)
            for k, c, n in names
            if k == "ward"
        ]
        placed = place_labels(wards, font, frame, gap=font * 0.2, must=True)
        boroughs = [
            (n, shapely_affinity.affine_transform(self.boroughs[c], matrix), k)
            for k, c, n in names
            if k == "borough"
        ]
        taken = [label.box for label in placed]
        return placed + place_labels(boroughs, font, frame, taken, gap=font * 0.2)
