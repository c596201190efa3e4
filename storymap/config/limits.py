"""The ``limits:`` section: how long one chapter may take to render and how much it may write.

In: YAML mappings. Out: :class:`LimitsSection`. The defaults fit the default story many times
over (measured here: its slowest chapter renders in 0.09 s and its largest writes 43 KB of
markdown); a chapter that breaches one (a runaway loop, a huge string) is stopped with an Error
naming the chapter and the line, instead of holding the machine.
"""

from __future__ import annotations

from pydantic import Field

from storymap.config.base import Model


class LimitsSection(Model):
    chapter_seconds: float = Field(
        10, gt=0, le=3600, description="Seconds one chapter may take to render."
    )
    chapter_kb: int = Field(
        2000,
        ge=1,
        le=100_000,
        description="KB (1,000 bytes) of markdown and HTML one rendered chapter may hold.",
    )
