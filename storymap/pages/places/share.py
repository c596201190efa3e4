"""Link previews for ward and borough pages: a map image made at build time and the page's meta.

In: the Geography. Out: ``img/share/<code>.png`` (600 x 315, the smallest size social sites show
as a large preview) for every ward (the ward dark among the wards around it, its borough's wards
a shade darker than the rest) and every borough (the borough dark among the area's boroughs),
and :func:`share_meta`, the front matter the theme turns into Open Graph and Twitter card tags
(:func:`ward_share` and :func:`borough_share` give a page's).
Images are self-hosted PNGs (social sites do not take SVG) drawn by
:mod:`storymap.pages.maps.raster`.
"""

from __future__ import annotations

from pathlib import Path

from storymap.figures.geography import Geography
from storymap.lazy import module
from storymap.pages.maps.raster import edges, fill, png
from storymap.pages.places.ward import ward_summary

gpd = module("geopandas")
np = module("numpy")
shapely = module("shapely")

SHARE_DIR = "img/share"
WIDTH, HEIGHT, PAD = 600, 315, 14
# background, other wards, the borough's wards, the place itself, edges
PALETTE = ["#f4f4f2", "#d4d6d9", "#a9afb6", "#1f2d5a", "#ffffff"]
BACK, OTHER, NEAR, PLACE, EDGE = range(5)


def share_image_path(kind: str, code: str) -> str:
    """``img/share/ward-E05013503.png``, ``img/share/borough-E09000005.png``."""
    return f"{SHARE_DIR}/{kind}-{code}.png"


def share_meta(image: str, alt: str, description: str) -> dict:
    """Front matter for a page with a link preview (see theme/main.html)."""
    return {
        "description": description,
        "share_image": image,
        "share_image_alt": alt,
        "share_width": WIDTH,
        "share_height": HEIGHT,
    }


class ShareImages:
    """Projected ward and borough shapes, made once, drawn into many images. The wards around a
    borough are rasterised once; each of its wards' images only colours them differently."""

    def __init__(self, geo: Geography):
        self.geo = geo
        self.wards = gpd.GeoSeries(geo.wards.geometry, crs=geo.wards.crs).to_crs(27700)
        borough = geo.wards["borough_code"]
        self.boroughs = gpd.GeoSeries(
            [shapely.union_all(self.wards[borough == b].to_numpy()) for b in geo.boroughs.index],
            index=geo.boroughs.index,
            crs=27700,
        )

    def borough_wards_png(self, borough: str) -> dict[str, bytes]:
        """Each ward of ``borough``: its image (the ward dark, the borough's wards mid-grey)."""
        labels, keys = _labels(self.wards, self.boroughs[borough].bounds)
        mine = set(self.geo.wards.index[self.geo.wards["borough_code"] == borough])
        base = np.array([NEAR if k in mine else OTHER for k in keys], np.uint8)
        out = {}
        edge = _edge(labels)  # the same outlines in every ward's image
        for code in sorted(mine):
            colour_of = base.copy()
            colour_of[keys.index(code)] = PLACE
            out[code] = _png(labels, colour_of, edge)
        return out

    def borough_png(self, code: str) -> bytes:
        labels, keys = _labels(self.boroughs, tuple(self.boroughs.total_bounds))
        return _png(labels, np.array([PLACE if k == code else OTHER for k in keys], np.uint8))


def _labels(shapes: gpd.GeoSeries, box) -> tuple[np.ndarray, list]:
    """Which shape each pixel shows (-1: none) with ``box`` (metres) fitted in the image, and
    the keys of the shapes by label."""
    minx, miny, maxx, maxy = box
    scale = min((WIDTH - 2 * PAD) / max(maxx - minx, 1), (HEIGHT - 2 * PAD) / max(maxy - miny, 1))
    ox = (WIDTH - (maxx - minx) * scale) / 2
    oy = (HEIGHT - (maxy - miny) * scale) / 2
    view = shapely.box(minx - ox / scale, miny - oy / scale, maxx + ox / scale, maxy + oy / scale)
    labels = np.full((HEIGHT, WIDTH), -1, np.int32)
    keys = []
    for key, geom in shapes[shapes.intersects(view)].items():
        rings = [
            np.column_stack(
                [
                    ox + (np.asarray(r.coords)[:, 0] - minx) * scale,
                    oy + (maxy - np.asarray(r.coords)[:, 1]) * scale,
                ]
            )
            for poly in getattr(geom, "geoms", [geom])
            if poly.geom_type == "Polygon"
            for r in (poly.exterior, *poly.interiors)
        ]
        if rings:
            rows, cols, mask = fill(rings, WIDTH, HEIGHT)
            labels[rows, cols][mask] = len(keys)
            keys.append(key)
    return labels, keys


def _edge(labels: np.ndarray) -> np.ndarray:
    """The pixels drawn as outlines: shapes' edges, inside a shape."""
    return edges(labels) & (labels >= 0)


def _png(labels: np.ndarray, colour_of: np.ndarray, edge: np.ndarray | None = None) -> bytes:
    pixels = np.where(labels >= 0, colour_of[np.maximum(labels, 0)], BACK).astype(np.uint8)
    pixels[_edge(labels) if edge is None else edge] = EDGE
    return png(pixels, PALETTE, runs=True)  # 713 link-preview images: fast, not smallest


def write_share_images(geo: Geography, folder: Path) -> int:
    """Write every ward's and borough's preview image; return how many were written."""
    images = ShareImages(geo)
    (folder / SHARE_DIR).mkdir(parents=True, exist_ok=True)
    for borough in geo.boroughs.index:
        for code, data in images.borough_wards_png(str(borough)).items():
            (folder / share_image_path("ward", code)).write_bytes(data)
    for code in geo.boroughs.index:
        (folder / share_image_path("borough", code)).write_bytes(images.borough_png(str(code)))
    return len(geo.wards) + len(geo.boroughs)


def ward_share(figures, code: str, borough: str) -> dict:
    """A ward page's link-preview meta: its map image, what the image shows and its summary."""
    name = figures.ward_name[code]
    return share_meta(
        share_image_path("ward", code),
        f"Map: {name} (dark) among the wards of {borough} (mid grey)",
        ward_summary(figures, code),
    )


def borough_share(area: str, geo: Geography, code: str, name: str) -> dict:
    """A borough page's link-preview meta."""
    n = int((geo.wards["borough_code"] == code).sum())
    return share_meta(
        share_image_path("borough", code),
        f"Map: {name} (dark) in {area}",
        f"{name}, {area}: how its {n} ward{'s' if n != 1 else ''} compare on the "
        "risk of digital exclusion among residents aged 65 and over.",
    )
