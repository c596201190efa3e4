"""The configured map palette, cut to as many colours as a map has classes.

In: the Config (``maps.palette``: colours from least to most at risk). Out: ``k`` of those
colours, spread evenly across the palette. Kept apart from :mod:`storymap.pages.maps.assets` so a
rebuild that takes the maps from the cache does not import what writing them needs.
"""

from __future__ import annotations

from storymap.config import Config
from storymap.lazy import module

np = module("numpy")


def palette_for(config: Config):
    """A function k -> k colours of the configured palette, least at risk first."""
    return lambda k: colours(config, k)


def colours(config: Config, k: int) -> list[str]:
    """``k`` colours from the configured palette, least at risk first."""
    palette = config.maps.palette
    if k >= len(palette):
        return list(palette)
    picks = np.linspace(0, len(palette) - 1, k).round().astype(int)
    return [palette[i] for i in picks]
