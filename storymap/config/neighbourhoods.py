"""The ``neighbourhoods:`` section: the small areas shown inside each ward and borough page.

In: YAML mappings. Out: :class:`NeighbourhoodsSection`: which indicators are shown for each small
area (neighbourhood), the shapes of each small-area geography, the table saying how 2011 areas
became 2021 areas, and the indicator whose highest-risk neighbourhoods are listed as hidden
hotspots on borough pages. Leave the section out to show no neighbourhood detail.
"""

from __future__ import annotations

from pydantic import Field

from storymap.config.base import Model


class ChangesSection(Model):
    """A lookup from older to newer small areas, with the publisher's change code."""

    source: str = Field(description="Source id of the lookup (e.g. ONS LSOA 2011 to 2021).")
    old: str = Field("LSOA11CD", description="Column with the older code.")
    new: str = Field("LSOA21CD", description="Column with the newer code.")
    change: str = Field("CHGIND", description="Column with U (unchanged), S (split), M (merged).")
    old_geography: str = Field("lsoa11", description="Key of the older geography's lookup.")


class NeighbourhoodsSection(Model):
    indicators: list[str] = Field(
        min_length=1,
        max_length=8,
        description="Indicators shown per neighbourhood (up to eight); each on a small-area "
        "geography.",
    )
    shapes: dict[str, str] = Field(
        description="Geography key (as in geography.lookups) -> source id of its shapes "
        "(TopoJSON written by `python -m storymap.data.compact`).",
    )
    changes: ChangesSection | None = Field(
        None, description="Change over time between two releases; none when left out."
    )
    hotspots: str | None = Field(
        None, description="Indicator whose highest-risk neighbourhoods borough pages list."
    )
    hotspot_share: float = Field(
        0.2,
        gt=0,
        lt=1,
        description="The highest-risk share of neighbourhoods and wards (0.2: the top fifth).",
    )
