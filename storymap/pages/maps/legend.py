"""Legends whose every label is true: the classes of a map, named from the figures as shown.

In: class upper bounds (as :func:`storymap.figures.indicators.class_breaks` makes them, from the
figures as shown), the shown figures of the areas mapped, the indicator's spec, and how each
class maps to a colour. Out: :class:`LegendClass` items (label, count, bounds, colour) and their
HTML, plus a plain-English sentence on how the classes were made.

The first class runs from the lowest figure to its upper bound; every later class holds figures
*more than* the class before it ends, up to its own upper bound ("0.0%", "more than 0.0% to
15.9%"). A class whose areas all share one figure is labelled with that figure alone.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from storymap.figures.format import format_count, possessive
from storymap.figures.indicators import format_value
from storymap.lazy import module

np = module("numpy")

HOW = {
    "quantiles": "{whose}{n} {noun} are split into {k} groups of about the same size (about "
    "{each} each); {noun} with the same figure always share a group, so a figure many {noun} "
    "share can make a group of its own",
    "natural_breaks": "{whose}{n} {noun} are split into {k} groups where the figures jump most "
    "(natural breaks, Fisher-Jenks); {noun} with the same figure always share a group",
}


@dataclass(frozen=True)
class LegendClass:
    colour: int  # colour index, 0 = least at risk
    label: str
    count: int
    lower: float | None  # the class holds figures above this (None: from the lowest figure)
    upper: float  # ... up to and including this


def legend_classes(
    breaks: Sequence[float],
    shown: np.ndarray,
    spec,
    colour_of: Callable[[int], int],
    counted: np.ndarray | None = None,
) -> list[LegendClass]:
    """One item per class, lowest figures first. ``shown``: the shown figure of every area the
    classes were made from (it sets the labels); ``counted``: the areas to count, if only some of
    them are on this map (a borough's wards)."""
    shown = np.asarray(shown, dtype=float)
    shown = shown[np.isfinite(shown)]
    counted = shown if counted is None else np.asarray(counted, dtype=float)
    fmt = lambda v: format_value(v, spec)  # noqa: E731
    items, lower = [], None
    for cls, upper in enumerate(breaks):
        inside = shown[(shown <= upper) & ((shown > lower) if lower is not None else True)]
        low = float(inside.min()) if len(inside) else upper
        if low == upper:
            label = fmt(upper)
        elif lower is None:
            label = f"{fmt(low)} to {fmt(upper)}"
        else:
            label = f"more than {fmt(lower)} to {fmt(upper)}"
        n = int(((counted <= upper) & ((counted > lower) if lower is not None else True)).sum())
        items.append(LegendClass(colour_of(cls), label, n, lower, float(upper)))
        lower = float(upper)
    return items


def how_made(method: str, k: int, n: int, area: str = "", noun: str = "wards") -> str:
    """How the classes were made, in plain words (a sentence without its full stop)."""
    text = HOW.get(method, HOW["quantiles"])
    whose = possessive(area) + " " if area else ""
    return "Colours: " + text.format(
        n=f"{n:,}", k=k, each=format_count(n / k), noun=noun, whose=whose
    )


def legend_list(items: list[LegendClass], palette: Sequence[str], noun: str = "wards") -> str:
    """The classes as ``<li>`` items, lowest figures first, each with swatch, label and count."""
    out = []
    for item in items:
        one = noun[:-1] if item.count == 1 and noun.endswith("s") else noun
        lower = "" if item.lower is None else f' data-above="{item.lower:g}"'
        out.append(
            f'<li data-upper="{item.upper:g}"{lower}><span class="swatch" '
            f'style="background:{palette[item.colour]}"></span>{html.escape(item.label)} '
            f"<span class='count'>({item.count:,} {html.escape(one)})</span></li>"
        )
    return "".join(out)
