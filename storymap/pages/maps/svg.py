"""Small inline SVG graphics made at build time: locator maps, choropleths and dot strips.

In: ward geometry projected to metres (British National Grid) and already formatted values. Out:
SVG markup strings that need no JavaScript. Every graphic has a ``<title>`` and an ``aria-label``
that say in words what it shows, every text is escaped, and shapes carry meaning together with
text labels, never colour alone.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

from storymap.lazy import module
from storymap.pages.maps.labels import text_width

np = module("numpy")

SVG_NS = "http://www.w3.org/2000/svg"
LIGHT = "#e3e3e3"
DARK = "#1f2d5a"
NARROWEST_PX = 288  # a drawing's width on a 320 px phone (the page's margins taken off)
READ_PX = 16  # text a reader must read, at least this size at that width (issue 25)


def esc(text: object) -> str:
    """Escape text for use in SVG/HTML content and attribute values."""
    return html.escape(str(text), quote=True)


@dataclass(frozen=True)
class Projection:
    """Maps projected coordinates (metres, y up) into a viewBox (pixels, y down)."""

    minx: float
    maxy: float
    scale: float
    pad: float
    width: float
    height: float

    @classmethod
    def fit(cls, bounds: tuple[float, float, float, float], size: float = 320, pad: float = 6):
        """Fit ``bounds`` into a box at most ``size`` wide and tall, keeping the aspect ratio."""
        minx, miny, maxx, maxy = bounds
        scale = (size - 2 * pad) / max(maxx - minx, maxy - miny, 1e-9)
        width = round((maxx - minx) * scale + 2 * pad, 1)
        height = round((maxy - miny) * scale + 2 * pad, 1)
        return cls(minx, maxy, scale, pad, width, height)

    def points(self, coords: np.ndarray) -> np.ndarray:
        x = self.pad + (coords[:, 0] - self.minx) * self.scale
        y = self.pad + (self.maxy - coords[:, 1]) * self.scale
        return np.column_stack([x, y])

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:g} {self.height:g}"


def path_data(geom: BaseGeometry, proj: Projection) -> str:
    """SVG path ``d``: one closed subpath per polygon ring, one open subpath per line."""
    parts = []
    for line in _lines(geom):
        pts = proj.points(np.asarray(line.coords)[:, :2])
        closed = line.is_ring
        text = " ".join(f"{x:.1f},{y:.1f}" for x, y in (pts[:-1] if closed else pts))
        parts.append(f"M{text}" + ("Z" if closed else ""))
    return "".join(parts)


def _lines(geom: BaseGeometry) -> list:
    """The rings of (multi)polygons and the parts of (multi)lines, in order."""
    if geom.is_empty:
        return []
    if geom.geom_type == "Polygon":
        return [geom.exterior, *geom.interiors]
    if geom.geom_type in ("LineString", "LinearRing"):
        return [geom]
    return [line for part in geom.geoms for line in _lines(part)]


def _svg_open(proj: Projection, label: str, css_class: str) -> str:
    return (
        f'<svg xmlns="{SVG_NS}" viewBox="{proj.view_box}" class="{css_class}" role="img" '
        f'aria-label="{esc(label)}" style="max-width:{proj.width:g}px;width:100%;height:auto">'
        f"<title>{esc(label)}</title>"
    )


def point_marks(proj: Projection, points: list[tuple[float, float, str]]) -> str:
    """Help points (British National Grid metres, and a name each) as white dots ringed in
    black, which show on every fill. Each is titled; the page lists them in words beside the
    map (the caller keeps the points :func:`inside` the frame)."""
    if not points:
        return ""
    xy = proj.points(np.array([(x, y) for x, y, _name in points], dtype=float))
    dots = [
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5"><title>{esc(name)}</title></circle>'
        for (x, y), (_e, _n, name) in zip(xy, points, strict=True)
    ]
    return (
        '<g class="help-marks" fill="#ffffff" stroke="#1a1a1a" stroke-width="2.5">'
        + "".join(dots)
        + "</g>"
    )


def inside(proj: Projection, x: float, y: float) -> bool:
    """Whether a point (British National Grid metres) falls inside the frame."""
    ((px, py),) = proj.points(np.array([(x, y)], dtype=float))
    return 0 <= px <= proj.width and 0 <= py <= proj.height


def locator(
    paths: dict[str, str],
    names: dict[str, str],
    code: str,
    proj: Projection,
    label: str,
    marks: str = "",
) -> str:
    """Locator: every ward in ``paths`` in light grey, ward ``code`` filled dark and outlined;
    ``marks``: more to draw on top (:func:`point_marks`)."""
    others = "".join(
        f'<path data-code="{esc(c)}" d="{d}"><title>{esc(names[c])}</title></path>'
        for c, d in paths.items()
        if c != code
    )
    return (
        _svg_open(proj, label, "storymap-locator")
        + f'<g fill="{LIGHT}" stroke="#ffffff" stroke-width="1">{others}</g>'
        + f'<path class="this-ward" data-code="{esc(code)}" d="{paths[code]}" fill="{DARK}" '
        f'stroke="#000000" stroke-width="2" stroke-linejoin="round">'
        f"<title>{esc(names[code])}</title></path>{marks}</svg>"
    )


def choropleth(
    paths: dict[str, str],
    fills: dict[str, str],
    titles: dict[str, str],
    proj: Projection,
    label: str,
    marks: str = "",
) -> str:
    """Choropleth: each ward filled with its class colour; each path titled with name and value;
    ``marks``: more to draw on top (:func:`point_marks`)."""
    shapes = "".join(
        f'<path data-code="{esc(c)}" d="{d}" fill="{esc(fills[c])}"><title>{esc(titles[c])}</title>'
        "</path>"
        for c, d in paths.items()
    )
    return (
        _svg_open(proj, label, "storymap-choropleth")
        + f'<g stroke="#ffffff" stroke-width="1">{shapes}</g>{marks}</svg>'
    )


@dataclass(frozen=True)
class StripMark:
    """One marked value on a dot strip: a shape (circle, square, diamond) and a text label."""

    shape: str
    label: str
    value: float


def _marker(shape: str, x: float, y: float) -> str:
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{DARK}" stroke="#000"/>'
    if shape == "square":
        return (
            f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" fill="#ffffff" '
            'stroke="#000" stroke-width="2"/>'
        )
    return (
        f'<path d="M{x:.1f},{y - 7:.1f}L{x + 7:.1f},{y:.1f}L{x:.1f},{y + 7:.1f}'
        f'L{x - 7:.1f},{y:.1f}Z" fill="#8a8a8a" stroke="#000"/>'
    )


def dot_strip(
    marks: list[StripMark],
    low: float,
    high: float,
    low_text: str,
    high_text: str,
    label: str,
    width: int = 340,
) -> str:
    """A horizontal strip from ``low`` to ``high``: per mark a line of text above its own strip
    with the mark's shape on it; under them the strip's two ends, named. Drawn for phones: the
    drawing is about as wide as a phone's screen, its text :data:`READ_PX` when drawn
    :data:`NARROWEST_PX` wide (a 320 px phone), a mark's text in two lines ("name:" and the
    figure) when one cannot hold it, and no text can run into other text or a mark (the end
    names take a line each when one line cannot hold both)."""
    font = round(READ_PX * width / NARROWEST_PX, 1)
    line, gap = round(1.2 * font, 1), 16
    left, right = 9, width - 9
    span = (high - low) or 1.0

    def xpos(value: float) -> float:
        return left + (min(max(value, low), high) - low) / span * (right - left)

    def lines(text: str) -> list[str]:
        if text_width(text, font) <= width or ": " not in text:
            return [text]
        name, figure = text.rsplit(": ", 1)
        return [f"{name}:", figure]

    body, y = [], 0.0
    for mark in marks:
        rows = lines(mark.label)
        spans = "".join(
            f'<tspan x="0" y="{y + font + k * line:.1f}">{esc(t)}</tspan>'
            for k, t in enumerate(rows)
        )
        strip = y + font + (len(rows) - 1) * line + 14
        body.append(
            f"<text>{spans}</text>"
            f'<line x1="{left}" y1="{strip:.1f}" x2="{right}" y2="{strip:.1f}" stroke="#9a9a9a"/>'
            + _marker(mark.shape, xpos(mark.value), strip)
        )
        y = strip + 12
    y += font
    one_line = text_width(low_text, font) + text_width(high_text, font) + gap <= width
    high_y = y if one_line else y + line
    body.append(
        f'<text x="0" y="{y:.1f}" text-anchor="start">{esc(low_text)}</text>'
        f'<text x="{width}" y="{high_y:.1f}" text-anchor="end">'
        f"{esc(high_text)}</text>"
    )
    proj = Projection(0, 0, 1, 0, width, round(high_y + 6))
    body.insert(0, f'<g font-size="{font:g}">')
    return _svg_open(proj, label, "storymap-strip") + "".join(body) + "</g></svg>"
