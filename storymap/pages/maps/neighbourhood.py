"""Neighbourhood maps on ward and borough pages: shared shape files and the map on each page.

In: :class:`~storymap.figures.neighbourhoods.Neighbourhoods` and the Config. Out:

- :func:`write_shape_files`: per borough one small, content-hashed script
  (``assets/storymap/nb/<borough>.<hash>.js``) holding the shape of every neighbourhood in it
  (2021 areas, and the 2011 areas merged in 2021, which the 2011 figures need) as shared arcs on a
  grid of ``UNIT`` metres of British National Grid (y down). A borough page and its ward pages
  share it, so a reader's browser fetches it once, and each boundary is stored once. Integers are
  written as the varints of :mod:`storymap.pages.maps.codec`. ``codes``: the areas' codes, sorted,
  as ``prefix`` and the steps between their numbers. ``arcs``: per arc its number of points, then
  each point as (dx, dy) from the point before (the previous arc's last point for its first).
  ``areas``: per code in that order the number of polygons, per polygon the number of rings, per
  ring the number of arcs, then per arc 0 if it is the next arc of ``arcs`` (stored as first
  used), else ``1 + 2 * back + forward`` for the arc ``back`` places before the newest so far.
  ``neighbourhoods.js`` joins them into each shape's SVG path.
- :func:`map_figure`: the map on a page: an inline ``<svg data-map="neighbourhoods">`` holding a
  ``<path data-code="E01…">`` per neighbourhood (its outline drawn by the script; a map of every
  area of the file, a borough's, has ``data-all`` and its paths in the file's order of codes
  instead, and the script gives them their ``data-code``), coloured by
  CSS only (``storymap.css``): a radio button per indicator picks the colours, each path's class
  names its colour per indicator (``a3``: indicator a, colour 3), the palette comes from the
  figure's custom properties. Without JavaScript the page shows a static image of the same map
  (coloured by the first indicator) instead, written beside the shape files.
"""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import dataclass, field
from pathlib import Path

from storymap.data.compact import ring_points, simplify_arc
from storymap.errors import DataError, quoted_list
from storymap.figures.neighbourhoods import Neighbourhoods
from storymap.lazy import module
from storymap.pages.maps.assets import PACKAGE_ASSETS, copy_js
from storymap.pages.maps.codec import in_metres, on_grid, varints, zigzag
from storymap.pages.maps.labels import place_labels, svg_labels
from storymap.pages.maps.legend import how_made, legend_classes, legend_list

np = module("numpy")
shapely = module("shapely")

SHAPE_DIR = "assets/storymap/nb"
SCRIPT = "assets/storymap/neighbourhoods.js"
UNIT = 10.0  # metres per step of the shape files' grid
OVERVIEW = (30.0, 50.0)  # a borough page's own file: grid and further simplification, metres
LETTERS = "abcdefgh"  # one per shown indicator (storymap.css styles eight)
DISPLAY_PX = 340  # width the page map (and its static image) is drawn for
NARROWEST_PX = 284  # the map's width on a 320 px phone (the page's margins and its border off)
LABEL_PX = 14  # its place names at least this size at that width (issue 25: 14 px maps)
e = html.escape


@dataclass
class ShapeFile:
    """One borough's shape file: its site path and the shapes in its grid units (y down)."""

    path: str
    shapes: dict[str, shapely.Geometry] = field(default_factory=dict)


def write_shape_files(
    nb: Neighbourhoods,
    borough_slugs: dict[str, str],
    docs: Path,
    unit: float = UNIT,
    metres: float = 0.0,
    suffix: str = "",
) -> dict[str, ShapeFile]:
    """Write every borough's shape file into ``docs``; return them by borough code. ``unit``:
    the grid, metres; ``metres``: a further simplification of each shared edge (once, so
    neighbours keep their common edge); ``suffix``: added to the files' names."""
    out_dir = docs / SHAPE_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    copy_js(PACKAGE_ASSETS / Path(SCRIPT).name, docs / SCRIPT)
    merged = set(nb.changes.loc[nb.changes["change"] == "M", "old"])
    projected = {key: in_metres(topo.arcs) for key, topo in nb.shapes.items()}
    files = {}
    for borough, slug in borough_slugs.items():
        wanted = [
            (key, code)
            for key in nb.shapes
            for code in nb.in_borough(key, borough)
            if key == nb.base or code in merged
        ]
        if not wanted:
            continue
        text, shapes = _shape_file(nb, wanted, projected, unit, metres)
        name = f"{slug}{suffix}.{hashlib.sha256(text.encode()).hexdigest()[:10]}.js"
        for old in out_dir.glob(f"{slug}{suffix}.*.js"):
            old.unlink()
        (out_dir / name).write_text(text, encoding="utf-8")
        files[borough] = ShapeFile(f"{SHAPE_DIR}/{name}", shapes)
    return files


def _shape_file(
    nb: Neighbourhoods,
    wanted: list[tuple[str, str]],
    projected: dict[str, list[np.ndarray]],
    unit: float,
    metres: float,
):
    """The script's text and each area's shape in grid units."""
    local: dict[tuple[str, int], int] = {}  # (geography, arc) -> index in the file, by first use
    first: list[np.ndarray] = []  # the arcs in that order, as first used
    refs: list[int] = []
    rings = {}
    for key, code in sorted(wanted, key=lambda kc: kc[1]):
        source = nb.shapes[key].areas[code]
        refs.append(len(source))
        rings[code] = []
        for poly in source:
            refs.append(len(poly))
            rings[code].append([])
            for ring in poly:
                refs.append(len(ring))
                mine = []
                for ref in ring:
                    arc = (key, ref if ref >= 0 else ~ref)
                    if arc not in local:
                        local[arc] = len(first)
                        points = projected[key][arc[1]]
                        first.append(points if ref >= 0 else points[::-1])
                        refs.append(0)
                        mine.append(local[arc])
                        continue
                    j = local[arc]
                    forward = (ref >= 0) == (first[j] is projected[key][arc[1]])
                    refs.append(1 + 2 * (len(first) - 1 - j) + forward)
                    mine.append(j if forward else ~j)
                rings[code][-1].append(mine)
    if metres > 0:
        first = [simplify_arc(a, metres, kept=3) for a in first]
    arcs = on_grid(first, unit)
    stream, end = [], np.zeros(2, dtype=np.int64)
    for points in arcs:
        stream.append(len(points))
        steps = np.diff(points, axis=0, prepend=end[None]).ravel().tolist()
        stream.extend(zigzag(d) for d in steps)
        end = points[-1]
    codes = sorted(rings)
    if not all(
        c[:1] == codes[0][:1] and c[1:].isdigit() and len(c) == len(codes[0]) for c in codes
    ):
        raise DataError(
            f"neighbourhood codes {quoted_list(codes, 5)} are not all ONS codes of one "
            "kind (a letter and eight digits, e.g. E01000001). Check the shapes' ids."
        )
    numbers = [int(c[1:]) for c in codes]
    payload = {
        "unit": unit,
        "codes": {
            "prefix": codes[0][:1],
            "width": len(codes[0]) - 1,
            "steps": varints(np.diff(numbers, prepend=0).tolist()),
        },
        "arcs": varints(stream),
        "areas": varints(refs),
    }
    text = "window.STORYMAP_NB=" + json.dumps(payload, separators=(",", ":")) + ";\n"
    return text, {code: _shape(r, arcs) for code, r in rings.items()}


def _shape(polys, arcs: list[np.ndarray]) -> shapely.Geometry:
    """An area's (Multi)Polygon in grid units, leaving out rings the grid shrank to a line."""
    parts = []
    for rings in polys:
        points = [ring_points(r, arcs) for r in rings]
        if len(points[0]) < 4:  # a closed ring of fewer than three points
            continue
        holes = [p for p in points[1:] if len(p) >= 4]
        parts.append(shapely.Polygon(points[0], holes))
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def _path(geom: shapely.Geometry) -> str:
    """SVG path data (for the static image), relative integer steps: a subpath per ring."""
    parts = []
    for poly in getattr(geom, "geoms", [geom]):
        for ring in (poly.exterior, *poly.interiors):
            pts = np.asarray(ring.coords, dtype=np.int64)[:-1]
            if len(pts) < 3:
                continue
            steps = " ".join(f"{dx} {dy}" for dx, dy in np.diff(pts, axis=0).tolist())
            parts.append(f"M{pts[0][0]} {pts[0][1]}l{steps}z".replace(" -", "-"))
    return "".join(parts)


# ---------------------------------------------------------------------------------------------
# the map on a page


@dataclass
class MapView:
    """What one page's map shows: the 2021 neighbourhoods in view and, per older geography, the
    areas standing for them (themselves, the area they were split from, or the areas merged
    into them)."""

    codes: list[str]  # 2021 neighbourhoods in view
    name: str  # of the ward or borough
    label: bool  # name each neighbourhood on the map (ward pages)
    older: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # key -> code -> areas


def map_figure(
    nb: Neighbourhoods,
    config,
    view: MapView,
    shape_file: ShapeFile,
    prefix: str,
    map_id: str,
    palette_for,
    docs: Path,
) -> str:
    """The neighbourhood map of one page: indicator buttons, the map, one legend per indicator;
    its static image (for readers without JavaScript) is written into ``docs``."""
    local = shape_file.shapes
    extra = sorted(
        {
            c
            for old in view.older.values()
            for code in view.codes
            for c in old.get(code, [])
            if len(old.get(code, [])) > 1 and c in local
        }
    )
    codes = [c for c in view.codes if c in local]
    every = sorted([*codes, *extra]) == sorted(local)  # the whole file: codes go by order
    paths = []
    for code in sorted([*codes, *extra]):  # the file's order
        classes, vintage = _classes(nb, view, code, code in extra)
        title = nb.names(nb.base).get(code) or nb.names(_key_of(nb, code))[code]
        attrs = ("" if every else f' data-code="{e(code)}"') + (
            f' data-vintage="{vintage}"' if vintage else ""
        )
        paths.append(f'<path class="{classes}"{attrs}><title>{e(title)}</title></path>')
    minx, miny, maxx, maxy = shapely.total_bounds([local[c] for c in [*codes, *extra]])
    pad = 0.02 * max(maxx - minx, maxy - miny) + 1
    box = (minx - pad, miny - pad, maxx + pad, maxy + pad)
    width, height = box[2] - box[0], box[3] - box[1]
    view_box = f"{box[0]:.0f} {box[1]:.0f} {width:.0f} {height:.0f}"
    labels = ""
    if view.label:
        font = LABEL_PX * max(width, height) / NARROWEST_PX
        wanted = [
            (nb.names(nb.base)[c].rsplit(" ", 1)[-1], shapely.make_valid(local[c]), "area")
            for c in codes
        ]
        labels = svg_labels(place_labels(wanted, font, box, gap=font * 0.2), "nb-label")
    label = (
        f"Map of the {len(view.codes)} neighbourhoods of {view.name}; "
        "the table below gives each one's figures"
    )
    svg = (
        f'<svg class="nb-map" data-map="neighbourhoods"{" data-all" if every else ""} '
        'xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="{view_box}" role="img" aria-label="{e(label)}">'
        f'<g class="nb-shapes">{"".join(paths)}</g>{labels}</svg>'
    )
    picks, legends, colours = [], [], []
    for i, ind in enumerate(nb.indicators):
        spec = config.indicator(ind)
        pick_id = f"{map_id}-{i}"
        old = " nb-old" if nb.geography[ind] != nb.base else ""
        checked = " checked" if i == 0 else ""
        picks.append(
            f'<input type="radio" name="{map_id}" id="{pick_id}" '
            f'class="nb-pick nb-pick-{i}{old}"{checked}>'
            f'<label for="{pick_id}">{e(spec.short)}</label>'
        )
        palette = palette_for(len(nb.breaks[ind]))
        colours += [f"--{LETTERS[i]}{c}:{p}" for c, p in enumerate(palette)]
        legends.append(_legend(nb, spec, ind, i, view, palette, config.site.area.name))
    image = _static_image(nb, codes, local, view_box, labels, palette_for, label, docs, map_id)
    return (
        f'<div class="nb-figure{"" if view.label else " nb-wide"}" '
        f'style="{";".join(colours)}">'
        f'<p class="nb-picker-label">Colour the map by:</p>{"".join(picks)}{svg}'
        f'<noscript><img class="nb-static" src="{e(prefix + image)}" alt="{e(label)}" '
        f'width="{DISPLAY_PX}"></noscript>{"".join(legends)}</div>\n'
        f'<script src="{e(prefix + SCRIPT)}" defer '
        f'data-shapes="{e(prefix + shape_file.path)}"></script>'
    )


def _static_image(
    nb: Neighbourhoods,
    codes: list[str],
    local,
    view_box: str,
    labels: str,
    palette_for,
    label: str,
    docs: Path,
    name: str,
) -> str:
    """Write the map as a standalone SVG coloured by the first indicator; its site path."""
    first = nb.indicators[0]
    palette = palette_for(len(nb.breaks[first]))
    fills = "".join(
        f'<path fill="{palette[c] if (c := nb.colours(first).get(code, -1)) >= 0 else "#d9d9d9"}"'
        f' d="{_path(local[code])}"/>'
        for code in codes
    )
    text = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{view_box}" role="img">'
        f'<title>{e(label)}</title><g stroke="#ffffff" stroke-width="1" '
        f'vector-effect="non-scaling-stroke">{fills}</g>{labels}</svg>\n'
    )
    rel = f"{SHAPE_DIR}/img/{name}.svg"
    (docs / rel).parent.mkdir(parents=True, exist_ok=True)
    (docs / rel).write_text(text, encoding="utf-8")
    return rel


def _key_of(nb: Neighbourhoods, code: str) -> str:
    return next(k for k, t in nb.areas.items() if code in t.index)


def _classes(nb: Neighbourhoods, view: MapView, code: str, is_extra: bool) -> tuple[str, str]:
    """Class names giving ``code``'s colour under each indicator, and its vintage if older."""
    tokens = []
    for i, ind in enumerate(nb.indicators):
        key = nb.geography[ind]
        if is_extra:
            stands = [code] if key != nb.base else []
        elif key == nb.base:
            stands = [code]
        else:
            stands = view.older.get(key, {}).get(code, [code])
            if len(stands) > 1:
                tokens.append("nb-new-only")
                continue
        colour = nb.colours(ind).get(stands[0], -1) if stands else -1
        if colour >= 0:
            tokens.append(f"{LETTERS[i]}{colour}")
    if is_extra:
        tokens.append("nb-old-only")
    return " ".join(dict.fromkeys(tokens)), ("2011" if is_extra else "")


def _legend(nb: Neighbourhoods, spec, ind: str, i: int, view: MapView, palette, area: str) -> str:
    key = nb.geography[ind]
    if key == nb.base:
        here = view.codes
    else:
        old = view.older.get(key, {})
        here = list(dict.fromkeys(c for code in view.codes for c in old.get(code, [code])))
    shown = nb.shown_of(ind)
    n_colours = len(nb.breaks[ind])
    higher = spec.direction == "higher_is_more_risk"
    items = legend_classes(
        nb.breaks[ind],
        nb.shown[ind].to_numpy(),
        spec,
        lambda cls: cls if higher else n_colours - 1 - cls,
        counted=np.array([shown[c] for c in here if c in shown]),
    )
    how = how_made(nb.method, n_colours, len(shown), area, "neighbourhoods")
    return (
        f'<div class="storymap-legend nb-legend nb-legend-{i}"><p class="legend-title">'
        f"{e(spec.short)}, neighbourhoods here: darker colours mean more at risk.</p>"
        f'<ul>{legend_list(items, palette, "here")}</ul><p class="legend-how">{e(how)}.</p>'
        "</div>"
    )
