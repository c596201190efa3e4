"""Compact encodings of the map geometry and data, decoded in the browser by ``storymap.js``.

In: ward topology (shared arcs in lon/lat, each ward's rings as arc references) and, per
indicator, ward values with their ranks and colour bands. Out: JSON-ready dicts whose bulky parts
are strings of small integers, which gzip well and need no third-party decoder.

Integer text ("varints"): each integer is written in 5-bit chunks, least significant first, one
character of :data:`ALPHABET` per chunk: its first 32 characters end a number, its last 32 say
that more chunks follow. Signed integers are zigzag-mapped first (0, -1, 1, -2 ... -> 0, 1, 2, 3).
The alphabet needs no escaping in JSON or in a ``<script>`` element.

Geometry (:func:`encode_topology`), TopoJSON-like: each boundary between neighbouring wards is
one arc, stored once. Coordinates are integers on a grid of ``scale`` steps per degree; each
point is stored as its difference from the point before it in the stream.

- ``arcs``: per arc, a header ``2 * n + c`` then ``n`` (dx, dy) pairs (signed). ``c = 1`` means
  the arc starts where the previous arc ended (that point is not stored again).
- ``wards``: per ward, in the data's ward order: the number of polygons; per polygon the number
  of rings; per ring the number of arcs, then one reference per arc: 0 for the next arc in the
  arc stream (arcs are stored in order and orientation of first use), otherwise
  ``1 + 2 * back + forward`` for an arc used once so far, ``back`` places before the newest such
  arc, reversed unless ``forward``. Neighbouring wards share an arc, which the second of them
  reuses (reversed) soon after the first one stored it.

Borough outlines are not stored: an arc is on a borough's outline when that borough's wards use
it once (a ward across the boundary, or none: the area's edge, uses it otherwise).

Data (:func:`encode_indicator`): ``values`` are integers in units of ``10 ** -places`` (the figure
a reader is shown, rounded once from the full value by storymap.figures.format), as differences
from the previous ward's; ``minusZero`` lists the wards whose figure shows as -0 (none since
figures that round to zero show unsigned; kept so the format stays the same). Ranks (1 = most at
risk, wards shown with the same figure share the lowest rank, as every page ranks them) are
rebuilt from the values alone, so no rank is shipped. ``bands`` counts the wards of each colour,
least at risk first; colours are rebuilt from the ranks, since the most at-risk wards take the last
colours.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from storymap.figures.format import shown
from storymap.lazy import module

np = module("numpy")
pyproj = module("pyproj")

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

# polygons, each a list of rings, each a list of arc indices (~i: arc i reversed)
WardRings = list[list[list[int]]]


def varints(numbers: Iterable[int], signed: bool = False) -> str:
    out = []
    for n in numbers:
        n = zigzag(int(n)) if signed else int(n)
        if n < 0:
            raise ValueError(f"varints: {n} is negative; pass signed=True")
        while n >= 32:
            out.append(ALPHABET[32 + (n & 31)])
            n >>= 5
        out.append(ALPHABET[n])
    return "".join(out)


def zigzag(n: int) -> int:
    """0, -1, 1, -2, 2 ... -> 0, 1, 2, 3, 4 ..."""
    return 2 * n if n >= 0 else -2 * n - 1


def encode_topology(
    arcs: Sequence[np.ndarray], wards: Sequence[WardRings], scale: tuple[float, float]
) -> dict:
    """``arcs``: (n, 2) lon/lat arrays; ``wards``: each ward's polygons as arc references."""
    order: list[int] = []  # arcs in stream order, as references oriented by first use
    stream: dict[int, int] = {}  # original arc -> its index in the stream, while used once
    once: list[int] = []  # stream indices of the arcs used once so far, oldest first
    refs: list[int] = []
    for polygons in wards:
        refs.append(len(polygons))
        for rings in polygons:
            refs.append(len(rings))
            for ring in rings:
                refs.append(len(ring))
                for ref in ring:
                    arc = ref if ref >= 0 else ~ref
                    if arc not in stream:  # a third use (invalid shapes) takes a new copy
                        stream[arc] = len(order)
                        once.append(len(order))
                        order.append(ref)
                        refs.append(0)
                    else:
                        index = stream.pop(arc)
                        back = len(once) - 1 - once.index(index)
                        once.remove(index)
                        refs.append(1 + 2 * back + (ref == order[index]))
    return {
        "scale": list(scale),
        "arcs": _arc_text(arcs, order, scale),
        "wards": varints(refs),
    }


def _arc_text(arcs: Sequence[np.ndarray], order: list[int], scale: tuple[float, float]) -> str:
    numbers: list[int] = []
    end = np.zeros(2, dtype=np.int64)
    for ref in order:
        points = arcs[ref] if ref >= 0 else arcs[~ref][::-1]
        grid = np.round(np.asarray(points) * np.asarray(scale)).astype(np.int64)
        chained = bool((grid[0] == end).all())
        if chained:
            grid = grid[1:]
        numbers.append(2 * len(grid) + chained)
        deltas = np.diff(grid, axis=0, prepend=end[None, :])
        numbers.extend(zigzag(d) for d in deltas.ravel().tolist())
        end = grid[-1]
    return varints(numbers)


def encode_indicator(
    values: Sequence[float],
    places: int,
    ranks: Sequence[int],
    colours: Sequence[int],
    n_colours: int,
    higher_is_more_risk: bool,
) -> dict:
    """Ward figures (full values), shown with ``places`` decimals; ranks (1 = most at risk) and
    colour indices (0 = least at risk), per ward."""
    as_shown, minus_zero = shown_figures(values, places)
    figures = np.asarray(as_shown, dtype=np.int64)
    risk = -figures if higher_is_more_risk else figures  # smaller = more at risk
    above = np.searchsorted(np.sort(risk), risk, side="left")  # wards shown as more at risk
    if (np.asarray(ranks, dtype=np.int64) != above + 1).any():  # the browser ranks from values
        raise ValueError("encode_indicator: ranks are not those of the figures as shown")
    return {
        "places": places,
        "values": varints(np.diff(figures, prepend=0), signed=True),
        "minusZero": minus_zero,
        "bands": np.bincount(np.asarray(colours, dtype=np.int64), minlength=n_colours).tolist(),
    }


def shown_figures(values: Sequence[float], places: int) -> tuple[list[int], list[int]]:
    """Each ward's figure as the site's pages show it (storymap.figures.format.shown, rounded
    once from the full value), in units of ``10 ** -places``, and the wards shown as "-0". The
    browser then only prints these exact figures, so a tooltip always reads as the ward's page
    and table do."""
    figures, minus_zero = [], []
    for ward, value in enumerate(values):
        figure = shown(value, places)
        if figure is None:
            raise ValueError(f"shown_figures: ward {ward} has no value")
        figures.append(int(figure.scaleb(places)))
        if figure.is_zero() and figure.is_signed():
            minus_zero.append(ward)
    return figures, minus_zero


def front_coded(texts: Sequence[str]) -> list[str]:
    """Each text as one ALPHABET character giving how many leading characters it shares with
    the text before it, then the rest of it (sorted codes shrink to a character or two)."""
    out, previous = [], ""
    for text in texts:
        shared = 0
        limit = min(len(text), len(previous), len(ALPHABET) - 1)
        while shared < limit and text[shared] == previous[shared]:
            shared += 1
        out.append(ALPHABET[shared] + text[shared:])
        previous = text
    return out


# --- the neighbourhood maps' arcs: in metres, simplified, on a grid (maps.neighbourhood)
def in_metres(arcs: list[np.ndarray]) -> list[np.ndarray]:
    """Lon/lat arcs in British National Grid metres."""
    every = np.vstack(arcs)
    x, y = pyproj.Transformer.from_crs(4326, 27700, always_xy=True).transform(
        every[:, 0], every[:, 1]
    )
    return np.split(np.column_stack([x, y]), np.cumsum([len(a) for a in arcs])[:-1])


def on_grid(arcs: list[np.ndarray], unit: float) -> list[np.ndarray]:
    """Arcs in metres as integer steps of ``unit`` metres from the top left of their box, y
    down; points the grid makes equal are kept once."""
    every = np.vstack(arcs)
    left, top = every[:, 0].min(), every[:, 1].max()
    out = []
    for points in arcs:
        grid = np.column_stack(
            [np.round((points[:, 0] - left) / unit), np.round((top - points[:, 1]) / unit)]
        ).astype(np.int64)
        keep = np.ones(len(grid), dtype=bool)
        keep[1:] = (np.diff(grid, axis=0) != 0).any(axis=1)
        out.append(grid[keep])
    return out
