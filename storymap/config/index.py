"""The ``index:`` section: the composite risk index, its components, bands and robustness runs.

In: YAML mappings. Out: :class:`IndexSection`, and :class:`IndexSpec`, the index described as
an indicator (made by storymap.figures.riskindex, not written in the YAML).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from storymap.config.base import Model
from storymap.config.indicators import IndicatorSection


class IndexIndicator(Model):
    indicator: str = Field(description="Id of a declared indicator.")
    weight: float = Field(1.0, ge=0, description="Weight within the component (normalised).")


class IndexComponent(Model):
    id: str = Field(
        pattern=r"^[a-z][a-z0-9_]*$",
        description="Short name of the component (lower-case letters, digits, underscores).",
    )
    label: str = Field(description="Name of the component shown to readers.")
    weight: float = Field(1.0, ge=0, description="Weight of the component (normalised).")
    indicators: list[IndexIndicator] = Field(
        min_length=1, description="Indicators in the component, at least one."
    )


class RobustnessSection(Model):
    runs: int = Field(500, ge=10, le=10000, description="Random weightings tried.")
    spread: float = Field(0.5, gt=0, lt=1, description="Each weight times U(1-spread, 1+spread).")
    seed: int = Field(2021, description="Random seed, so builds are reproducible.")
    stable_share: float = Field(0.9, gt=0, le=1, description="Share of runs that counts as stable.")


class ComparisonSection(Model):
    indicator: str = Field(description="Indicator to compare the index with (e.g. deri_score).")
    inputs_table: str | None = Field(
        None, description="CSV listing that index's inputs (Indicator, Date of data, ...)."
    )


class IndexSection(Model):
    """A composite risk index built from declared indicators (see storymap.figures.riskindex)."""

    id: str = Field(
        pattern=r"^[a-z][a-z0-9_]*$",
        description="Short name of the index, not an indicator id.",
    )
    label: str = Field(description="Name of the index, shown in headings and legends.")
    short_label: str | None = Field(
        None, description="Shorter name for tight spaces; the label when left out."
    )
    description: str = Field("", description="What the index means, in a sentence.")
    scaling: Literal["minmax", "zscore"] = Field(
        "minmax", description="How indicators are put on one scale before weighting."
    )
    scope: Literal["area", "borough"] = Field(
        "area", description="Rescale across the whole area, or within each borough."
    )
    banding: Literal["quantiles", "natural_breaks"] = Field(
        "quantiles", description="How index values are split into bands."
    )
    bands: int = Field(5, ge=3, le=7, description="Number of index bands.")
    population: str = Field(
        description="Ratio indicator whose numerator (people) weights borough and area means."
    )
    decimals: int = Field(2, ge=0, le=4, description="Decimal places index values are shown with.")
    components: list[IndexComponent] = Field(
        min_length=1, description="Weighted groups of indicators, at least one."
    )
    robustness: RobustnessSection = Field(
        RobustnessSection(), description="How the index is tested against other weightings."
    )
    compare_with: ComparisonSection | None = Field(
        None, description="Another measure the index is compared with; none when left out."
    )
    caveats: list[str] = Field(
        default_factory=list, description="Limits of the index readers should know, one per item."
    )


class IndexSpec(IndicatorSection):
    """The index as an indicator (built by storymap.figures.riskindex, not written in the YAML)."""

    aggregate: Literal["index"] = "index"  # type: ignore[assignment]
    component_sources: list[str] = Field(default_factory=list)

    @property
    def source_ids(self) -> list[str]:
        return list(self.component_sources)
