"""The whole config: every section together, and where the config file is.

In: YAML mappings. Out: :class:`Config`, with paths resolved against the config's folder.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from storymap.config.base import Model
from storymap.config.budgets import BudgetsSection
from storymap.config.geography import GeographySection
from storymap.config.help import HelpSection
from storymap.config.index import IndexSection
from storymap.config.indicators import IndicatorSection
from storymap.config.limits import LimitsSection
from storymap.config.maps import MapsSection
from storymap.config.neighbourhoods import NeighbourhoodsSection
from storymap.config.site import ChapterSection, SiteSection
from storymap.config.sources import SourceSection


class Config(Model):
    site: SiteSection = Field(description="The site as a whole: title, area, footer and contact.")
    sources: dict[str, SourceSection] = Field(
        description="Every bundled data file, keyed by the source id other sections use."
    )
    geography: GeographySection = Field(
        description="The ward layer and the lookups that map other areas to wards."
    )
    indicators: list[IndicatorSection] = Field(
        min_length=1, description="The measures mapped, at least one."
    )
    maps: MapsSection = Field(MapsSection(), description="How the maps are coloured and drawn.")
    budgets: BudgetsSection = Field(
        BudgetsSection(), description="Page-weight budgets every built page is held to."
    )
    limits: LimitsSection = Field(
        LimitsSection(), description="Largest input files and tables the build accepts."
    )
    index: IndexSection | None = Field(
        None, description="The over-65 risk index built from the indicators; none when left out."
    )
    neighbourhoods: NeighbourhoodsSection | None = Field(
        None, description="Small-area (neighbourhood) maps and hotspots; none when left out."
    )
    help: HelpSection = Field(
        HelpSection(),
        description="Where older people can get help online: libraries and the team's help points.",
    )
    home: str = Field(description="Markdown file of the home page.")
    chapters: list[ChapterSection] = Field(
        min_length=1, description="The story chapters, in reading order, at least one."
    )

    # Set by load_config; not part of the YAML.
    path: Path = Field(
        Path("site_config.yml"),
        exclude=True,
        description="Set by load_config; not part of the YAML.",
    )

    @property
    def root(self) -> Path:
        return self.path.parent

    def resolve(self, relative: str) -> Path:
        return (self.root / relative).resolve()

    def indicator(self, indicator_id: str) -> IndicatorSection:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    @property
    def indicator_ids(self) -> list[str]:
        return [i.id for i in self.indicators]
