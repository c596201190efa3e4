"""The ``maps:`` section: classes, palette, map height and an optional basemap.

In: YAML mappings. Out: :class:`MapsSection`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from storymap.config.base import HEX_COLOUR, Model


class BasemapSection(Model):
    url: str = Field(description="Tile URL template of the background map.")
    attribution: str = Field(description="Attribution the tile provider asks for.")


class MapsSection(Model):
    classification: Literal["quantiles", "natural_breaks"] = Field(
        "quantiles", description="How values are split into colour classes."
    )
    classes: int = Field(5, ge=3, le=7, description="Number of colour classes.")
    palette: list[str] = Field(
        default_factory=lambda: ["#fde725", "#5ec962", "#21918c", "#3b528b", "#440154"],
        description="Colours from least to most at risk (viridis by default: colour-blind safe).",
    )
    no_data_colour: str = Field(
        "#d9d9d9", pattern=HEX_COLOUR, description="Colour of areas with no value (#rrggbb)."
    )
    basemap: BasemapSection | None = Field(
        None, description="Background map tiles; none when left out."
    )
    height: str = Field(
        "460px", pattern=r"^\d+(px|vh|rem)$", description="Map height in px, vh or rem."
    )
