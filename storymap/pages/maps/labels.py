"""Place-name labels for maps drawn at build time: where each goes, and none over another.

In: shapes (projected, any units) with a name and a priority, the drawing's scale, and a font
size in the units the drawing is shown in. Out: :class:`Label` positions (centre, lines of text,
box) chosen greedily in priority order: a label goes at its shape's pole of inaccessibility
(the point inside it farthest from its edge), or at a few nearby places, and is left out if it
would overlap a label already placed or run off the drawing. Text is measured with
:func:`text_width`, a generous estimate for system sans-serif fonts, so labels that look apart
here are apart in a browser too.

:func:`svg_labels` writes them as SVG ``<text>`` with a white halo, legible on any fill.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING

from storymap.lazy import module

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

np = module("numpy")
shapely = module("shapely")
shapely_ops = module("shapely.ops")

# Advance widths in em for a sans-serif font (bold where wider); anything else counts as 0.62.
NARROW, WIDE = set("fijlrtI.,:;'’!()|1 "), set("mwMWOQGCDHNU@%&")
LINE_HEIGHT = 1.2  # em: a line of text, as browsers box it (1.17 em for system-ui)
BOLD = 1.25  # bold text is this much wider (system-ui bold in Chromium: up to 1.2)
HALO = 3  # white outline around each label, in display pixels


def text_width(text: str, font: float, bold: bool = False) -> float:
    """A generous width of ``text`` at ``font`` size (measured against system-ui, regular and
    bold, in Chromium: every ward and borough name), so the boxes of labels placed apart never
    overlap on screen."""
    em = sum(0.36 if c in NARROW else 0.92 if c in WIDE else 0.64 for c in text)
    return em * font * (BOLD if bold else 1.0)


@dataclass(frozen=True)
class Label:
    x: float  # centre of the text block
    y: float
    lines: tuple[str, ...]
    font: float
    kind: str  # e.g. "borough", "ward"
    anchor: tuple[float, float] | None = None  # the place named, if the label stands off it

    @property
    def box(self) -> tuple[float, float, float, float]:
        w = max(text_width(t, self.font, bold=True) for t in self.lines)
        h = LINE_HEIGHT * self.font * len(self.lines)
        return (self.x - w / 2, self.y - h / 2, self.x + w / 2, self.y + h / 2)


def _polygons(geom: BaseGeometry) -> list:
    """The polygons of a shape (of a collection, too)."""
    return [g for g in shapely.get_parts(shapely.get_parts(geom)) if g.geom_type == "Polygon"]


def label_point(geom: BaseGeometry) -> tuple[float, float, float]:
    """(x, y, room): the point of the largest part farthest from its edge, and that distance."""
    parts = _polygons(geom)
    if not parts:
        c = geom.centroid
        return c.x, c.y, 0.0
    part = max(parts, key=lambda g: g.area)
    point = shapely_ops.polylabel(part, tolerance=max(part.length / 400, 1e-9))
    return point.x, point.y, float(part.exterior.distance(point))


AROUND = ((0, 1), (0, -1), (-1, 0), (1, 0), (1, 1), (-1, -1), (1, -1), (-1, 1))


def places_inside(geom: BaseGeometry, n: int = 5) -> list[tuple[float, float]]:
    """Up to ``n`` places for a label well inside a shape: its pole of inaccessibility first,
    then points a third of its size away in each direction that are still inside it, away from
    its edge (a live map tries them in turn until one is free)."""
    x, y, room = label_point(geom)
    geom = shapely.union_all(_polygons(geom))
    step = 0.3 * (geom.area**0.5)
    xs = np.array([x + dx * step for dx, _dy in AROUND])
    ys = np.array([y + dy * step for _dx, dy in AROUND])
    points = shapely.points(xs, ys)
    inside = shapely.contains(geom, points)
    clear = shapely.distance(geom.boundary, points) >= min(room, step) / 3
    out = [(x, y)] + [
        (float(px), float(py)) for px, py, ok in zip(xs, ys, inside & clear, strict=True) if ok
    ]
    return out[:n]


def wrapped(name: str) -> tuple[str, ...]:
    """A long name on two lines, broken at the space nearest its middle ("Kensington / and
    Chelsea"); short names stay on one line."""
    if len(name) <= 11 or " " not in name:
        return (name,)
    spaces = [i for i, c in enumerate(name) if c == " "]
    cut = min(spaces, key=lambda i: abs(i - len(name) / 2))
    return (name[:cut], name[cut + 1 :])


def _overlaps(a, b, gap: float) -> bool:
    return not (
        a[2] + gap <= b[0] or b[2] + gap <= a[0] or a[3] + gap <= b[1] or b[3] + gap <= a[1]
    )


def place_labels(
    wanted: list[tuple[str, BaseGeometry, str]],
    font: float,
    frame: tuple[float, float, float, float],
    taken: list[tuple[float, float, float, float]] | None = None,
    gap: float = 0.0,
    must: bool = False,
) -> list[Label]:
    """Labels for ``wanted`` (name, shape in drawing units with y down, kind), first first.
    ``frame``: the drawing's box; ``taken``: boxes to keep clear; ``gap``: space between boxes.
    A label goes at one of the places inside its shape (:func:`places_inside`), or is left out;
    with ``must`` it goes on its shape or beside it, else further off, joined to its place by a
    line (``anchor``), and is left out only if no place within four lines of text is free."""
    placed: list[Label] = []
    boxes = list(taken or [])
    for name, geom, kind in wanted:
        lines = wrapped(name)
        if must:
            x, y, _room = label_point(geom)
            h = LINE_HEIGHT * font * len(lines)
            w = max(text_width(t, font, bold=True) for t in lines)
            steps = [(0, 0), (0, -h), (0, h), (-h, 0), (h, 0)] + [
                (r * dx * (w / 2 + h), r * dy * h)
                for r in (1, 2, 3, 4)
                for dx, dy in ((0, -1), (0, 1), (1, 0), (-1, 0), (1, -1), (-1, -1), (1, 1), (-1, 1))
            ]
            tries = [
                (x + dx, y + dy, (x, y) if k >= 5 else None) for k, (dx, dy) in enumerate(steps)
            ]
        else:  # on the shape: the same places a live map tries (places_inside)
            tries = [(x, y, None) for x, y in places_inside(geom)]
        for x, y, anchor in tries:
            label = Label(x, y, lines, font, kind, anchor)
            box = label.box
            inside = (
                box[0] >= frame[0]
                and box[1] >= frame[1]
                and box[2] <= frame[2]
                and box[3] <= frame[3]
            )
            if inside and not any(_overlaps(box, b, gap) for b in boxes):
                placed.append(label)
                boxes.append(box)
                break
    return placed


def svg_labels(labels: list[Label], css_class: str = "map-label") -> str:
    """The labels as SVG text (centred, dark with a white halo), one ``<text>`` per label."""
    out = []
    for label in labels:
        lead = label.y - LINE_HEIGHT * label.font * (len(label.lines) - 1) / 2
        spans = "".join(
            f'<tspan x="{label.x:.1f}" y="{lead + i * LINE_HEIGHT * label.font:.1f}">'
            f"{html.escape(line)}</tspan>"
            for i, line in enumerate(label.lines)
        )
        out.append(
            f'<text class="{css_class} {css_class}-{label.kind}" font-size="{label.font:.1f}" '
            f'dominant-baseline="central">{spans}</text>'
        )
    if not out:
        return ""
    halo = HALO * labels[0].font / 11
    leaders = "".join(
        f"M{label.anchor[0]:.1f},{label.anchor[1]:.1f}L{_edge(label)}"
        for label in labels
        if label.anchor
    )
    lines = (
        f'<path d="{leaders}" fill="none" stroke="#0b0c0c" stroke-width="{halo / 2:.1f}"/>'
        if leaders
        else ""
    )
    pad = labels[0].font * 0.15
    boxes = "".join(  # the places a view is about (highlighted wards) stand out in a box
        f'<rect x="{x0 - pad:.1f}" y="{y0 - pad:.1f}" width="{x1 - x0 + 2 * pad:.1f}" '
        f'height="{y1 - y0 + 2 * pad:.1f}" rx="{pad:.1f}"/>'
        for label in labels
        if label.kind == "ward"
        for x0, y0, x1, y1 in [label.box]
    )
    if boxes:
        lines += f'<g fill="#ffffff" stroke="#0b0c0c" stroke-width="{halo / 2:.1f}">{boxes}</g>'
    return (
        f'{lines}<g text-anchor="middle" font-family="system-ui, sans-serif" font-weight="700" '
        f'fill="#0b0c0c" stroke="#ffffff" stroke-width="{halo:.1f}" stroke-linejoin="round" '
        f'paint-order="stroke">{"".join(out)}</g>'
    )


def _edge(label: Label) -> str:
    """The point of the label's box nearest its anchor, where a leader line ends."""
    x0, y0, x1, y1 = label.box
    ax, ay = label.anchor or (label.x, label.y)
    return f"{min(max(ax, x0), x1):.1f},{min(max(ay, y0), y1):.1f}"
