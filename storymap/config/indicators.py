"""The ``indicators:`` list: each figure, its source and how it is aggregated to wards.

In: YAML mappings. Out: :class:`IndicatorSection` (and its filters and weights).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from storymap.config.base import Model


class RowFilter(Model):
    column: str = Field(description="Column to filter the rows on.")
    values: list[int | float | str] = Field(
        min_length=1, description="Values of that column whose rows are kept."
    )


class WeightSection(Model):
    source: str = Field(description="Source id holding the weights.")
    column: str = Field(description="Column of the weight (e.g. people aged 65+).")


class BenchmarkSection(Model):
    """A wider area to compare with (e.g. England and Wales), from a table with the same columns."""

    name: str = Field(description="The area's name as prose uses it, e.g. 'England and Wales'.")
    source: str = Field(description="Source holding that area's row, with the same columns.")
    code: str = Field(description="The area's code in the source's code column.")


class EvidenceSection(Model):
    """Another published measure the indicator is checked against, to show its direction."""

    source: str = Field(description="Source with the other measure, coded like the indicator.")
    column: str = Field(description="Column of the other measure.")
    name: str = Field(description="What the other measure is, in plain words.")


class IndicatorSection(Model):
    id: str = Field(
        pattern=r"^[a-z][a-z0-9_]*$",
        description="Short name other sections use (lower-case letters, digits, underscores).",
    )
    label: str = Field(description="Name of the measure, shown in headings, legends and tables.")
    short_label: str | None = Field(
        None, description="Shorter name for tight spaces; the label when left out."
    )
    description: str = Field("", description="What the measure means, in a sentence.")
    unit: Literal["percent", "score", "count"] = Field(
        description="How values are shown: a percentage, a score or a count."
    )
    source: str = Field(description="Source id of the data.")
    geography: str = Field(description="'ward', or a key of geography.lookups.")
    aggregate: Literal["ratio", "weighted_mean", "sum"] = Field(
        description="How area values are combined into wards and boroughs."
    )
    numerator: str | list[str] | None = Field(
        None, description="Column of the numerator, or a list of columns added together."
    )
    numerator_filter: RowFilter | None = Field(
        None, description="Keep only some rows when summing the numerator."
    )
    denominator: str | list[str] | None = Field(
        None, description="Column of the denominator, or a list of columns added together."
    )
    numerator_label: str | None = Field(
        None, description="Who the numerator counts, in plain words (download headers)."
    )
    denominator_label: str | None = Field(
        None, description="Who the denominator counts, in plain words (download headers)."
    )
    value: str | None = Field(
        None, description="Column of the value (weighted_mean and sum aggregates)."
    )
    weight: WeightSection | None = Field(
        None, description="Where the weights of a weighted mean come from."
    )
    direction: Literal["higher_is_more_risk", "higher_is_less_risk"] = Field(
        description="Whether a higher value means more or less risk of digital exclusion."
    )
    decimals: int = Field(1, ge=0, le=4, description="Decimal places values are shown with.")
    caveat: str = Field("", description="A limit of the measure readers should know.")
    benchmark: BenchmarkSection | None = Field(
        None, description="A wider area's figure, computed the same way, for prose to compare."
    )
    direction_evidence: EvidenceSection | None = Field(
        None, description="A published measure whose correlation supports the direction."
    )

    valid_range: tuple[float, float] | None = Field(
        None, description="[low, high] every value: column entry must lie in (percent: 0-100)."
    )

    @property
    def short(self) -> str:
        return self.short_label or self.label

    @property
    def numerator_columns(self) -> list[str]:
        if self.numerator is None:
            return []
        return [self.numerator] if isinstance(self.numerator, str) else list(self.numerator)

    @property
    def denominator_columns(self) -> list[str]:
        if self.denominator is None:
            return []
        return [self.denominator] if isinstance(self.denominator, str) else list(self.denominator)

    @property
    def source_ids(self) -> list[str]:
        """Sources a figure of this indicator is drawn from (for provenance lines)."""
        return [self.source]
