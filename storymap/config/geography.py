"""The ``geography:`` section: the ward layer, the ward-to-borough lookup and the lookups that
carry figures from other areas (LSOAs, MSOAs, output areas, older wards, boroughs) to wards.

In: YAML mappings. Out: :class:`GeographySection` and its parts, and :data:`LEVELS`, the kinds
of area a lookup's codes may be, with the GSS code prefixes each must have.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from storymap.config.base import Model

Level = Literal["oa21", "lsoa11", "lsoa21", "msoa21", "ward", "borough"]

# level -> (what the codes are, in words; the GSS prefixes a code of that level starts with)
LEVELS: dict[str, tuple[str, tuple[str, ...]]] = {
    "oa21": ("output area (2021)", ("E00", "W00")),
    "lsoa11": ("LSOA (2011)", ("E01", "W01")),
    "lsoa21": ("LSOA (2021)", ("E01", "W01")),
    "msoa21": ("MSOA (2021)", ("E02", "W02")),
    "ward": ("ward", ("E05", "W05")),
    "borough": ("borough or local authority", ("E09", "E06", "E07", "E08", "W06")),
}
# The ward layer's own codes: wards, and boroughs whose wards are merged into one unit.
WARD_LAYER_PREFIXES = ("E05", "W05", "E09")


class LookupSection(Model):
    """How the areas of one kind map to wards: one row per area and ward it shares people with."""

    source: str = Field(description="Source id of the lookup table.")
    level: Level | None = Field(
        None,
        description="What the code column holds: oa21, lsoa11, lsoa21, msoa21, ward or borough "
        "(codes E00, E01, E01, E02, E05, E09…). May be left out when the lookup's own key is one "
        "of these names.",
    )
    code: str = Field(description="Column with the area code (e.g. LSOA21CD, MSOA21CD).")
    ward: str = Field(description="Column with the ward code.")
    weight: str | None = Field(
        None,
        description="Column with the share of the area's figures that goes to that ward (0 to 1, "
        "summing to 1 over an area's rows). Without it, each code must appear once (best fit).",
    )
    weight_tolerance: float = Field(
        1e-6,
        ge=0,
        le=0.05,
        description="How far an area's weights may add up from 1 before the lookup is refused, "
        "when that is more than the rounding of the file's decimals allows (half a unit in the "
        "last decimal place for each of the area's rows). A publisher's weights that are known "
        "to add up less exactly may be given more; say why in data/SOURCES.md.",
    )

    @property
    def prefixes(self) -> tuple[str, ...]:
        return LEVELS[self.level][1] if self.level else ()

    @property
    def level_name(self) -> str:
        return LEVELS[self.level][0] if self.level else "small area"


class WardLayerSection(Model):
    source: str = Field(description="Source id of the ward boundary file.")
    code: str = Field("WD22CD", description="Column with the ward code.")
    name: str = Field("WD22NM", description="Column with the ward name.")
    borough_code: str = Field("LAD22CD", description="Column with the borough code.")
    borough_name: str = Field("LAD22NM", description="Column with the borough name.")


class WardBoroughLookup(Model):
    source: str = Field(description="Source id of the ward-to-borough lookup table.")
    ward: str = Field("WD22CD", description="Column with the ward code.")
    borough: str = Field("LAD22CD", description="Column with the borough code.")
    borough_name: str | None = Field(
        None,
        description="Column with the borough's name, if the table has one: a postcode search "
        "then names the borough of a postcode outside the area.",
    )


class GeographySection(Model):
    wards: WardLayerSection = Field(description="The ward boundary layer and its columns.")
    ward_boroughs: WardBoroughLookup = Field(
        description="Every ward code (before merging) and its borough; used to merge wards."
    )
    merge_boroughs: list[str] = Field(
        default_factory=list,
        description="Boroughs whose wards are merged into one unit coded by the borough code.",
    )
    lookups: dict[str, LookupSection] = Field(
        default_factory=dict,
        description="Lookups from smaller areas to wards, keyed by name (the key is the level "
        "when level: is left out).",
    )
    simplify_metres: float = Field(
        30, ge=0, le=500, description="Tolerance, in metres, for simplifying boundaries (0: none)."
    )
    postcodes: str | None = Field(
        None,
        description="Source id of the postcode-to-ward table (columns postcode, ward_code); "
        "lets readers search by postcode. Leave out for no postcode search.",
    )

    @model_validator(mode="before")
    @classmethod
    def _level_from_key(cls, data: Any) -> Any:
        """A lookup keyed by a level's name (``lsoa21:``) is of that level unless it says."""
        lookups = data.get("lookups") if isinstance(data, dict) else None
        if not isinstance(lookups, dict):
            return data
        filled = {
            key: {**value, "level": key}
            if isinstance(value, dict) and "level" not in value and key in LEVELS
            else value
            for key, value in lookups.items()
        }
        return {**data, "lookups": filled}
