"""What every section of the config shares: models that refuse unknown keys and are frozen.

In: nothing. Out: :class:`Model`, the base of every section's schema, and shared patterns.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

HEX_COLOUR = r"^#[0-9a-fA-F]{6}$"


class Model(BaseModel):
    # coerce_numbers_to_str: `vintage: 2021` or `title: 2025` is text, as the author meant.
    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, coerce_numbers_to_str=True
    )
