"""The ``geography:`` section: the ward layer, the ward-to-borough lookup and small-area lookups.

In: YAML mappings. Out: :class:`GeographySection` and its parts.
"""

from __future__ import annotations

from pydantic import Field

from storymap.config.base import Model


class LookupSection(Model):
    """How a small-area geography maps to wards."""

    source: str = Field(description="Source id of the lookup table.")
    code: str = Field(description="Column with the small-area code (e.g. LSOA21CD).")
    ward: str = Field(description="Column with the ward code.")
    weight: str | None = Field(None, description="Column with the share of the area in the ward.")


class WardLayerSection(Model):
    source: str = Field(description="Source id of the ward boundary file.")
    code: str = "WD22CD"
    name: str = "WD22NM"
    borough_code: str = "LAD22CD"
    borough_name: str = "LAD22NM"


class WardBoroughLookup(Model):
    source: str
    ward: str = "WD22CD"
    borough: str = "LAD22CD"


class GeographySection(Model):
    wards: WardLayerSection
    ward_boroughs: WardBoroughLookup = Field(
        description="Every ward code (before merging) and its borough; used to merge wards."
    )
    merge_boroughs: list[str] = Field(
        default_factory=list,
        description="Boroughs whose wards are merged into one unit coded by the borough code.",
    )
    lookups: dict[str, LookupSection] = Field(default_factory=dict)
    simplify_metres: float = Field(30, ge=0, le=500)
    postcodes: str | None = Field(
        None,
        description="Source id of the postcode-to-ward table (columns postcode, ward_code); "
        "lets readers search by postcode. Leave out for no postcode search.",
    )
