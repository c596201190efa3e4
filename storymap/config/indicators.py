"""The ``indicators:`` list: each figure, its source and how it is aggregated to wards.

In: YAML mappings. Out: :class:`IndicatorSection` (and its filters and weights).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from storymap.config.base import Model


class RowFilter(Model):
    column: str
    values: list[int | float | str] = Field(min_length=1)


class WeightSection(Model):
    source: str
    column: str


class IndicatorSection(Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    short_label: str | None = None
    description: str = ""
    unit: Literal["percent", "score", "count"]
    source: str
    geography: str = Field(description="'ward', or a key of geography.lookups.")
    aggregate: Literal["ratio", "weighted_mean", "sum"]
    numerator: str | list[str] | None = Field(
        None, description="Column of the numerator, or a list of columns added together."
    )
    numerator_filter: RowFilter | None = None
    denominator: str | list[str] | None = Field(
        None, description="Column of the denominator, or a list of columns added together."
    )
    value: str | None = None
    weight: WeightSection | None = None
    direction: Literal["higher_is_more_risk", "higher_is_less_risk"]
    decimals: int = Field(1, ge=0, le=4)
    caveat: str = ""

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
