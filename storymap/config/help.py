"""The ``help:`` section: where older people can get online help.

In: YAML mappings. Out: :class:`HelpSection`: whether the bundled public libraries are help
points, the team's own CSV files of help points, and the distance counted as "a walk". Leave the
section out for the defaults (the bundled libraries, no files of the team's own, 800 m).
"""

from __future__ import annotations

from pydantic import Field

from storymap.config.base import Model


class HelpSection(Model):
    libraries: bool = Field(
        True,
        description="Use the bundled open static public libraries (Arts Council England, 2023) "
        "as help points.",
    )
    files: list[str] = Field(
        default_factory=list,
        description="The team's own help points: CSV files, relative to the project folder, "
        "with columns name, and postcode or latitude+longitude; optional offer, when, contact, "
        "url.",
    )
    walk_m: float = Field(
        800,
        gt=0,
        le=10_000,
        description="Straight-line metres counted as 'about a 15-minute walk for an older "
        "person'. 800 m in 15 minutes is 0.89 m/s, between the mean usual walking speeds of "
        "people aged 65+ in England (0.9 m/s men, 0.8 m/s women: Asher et al. 2012, Age and "
        "Ageing 41(5):690-694; see data/SOURCES.md).",
    )
