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
    site: SiteSection
    sources: dict[str, SourceSection]
    geography: GeographySection
    indicators: list[IndicatorSection] = Field(min_length=1)
    maps: MapsSection = MapsSection()
    budgets: BudgetsSection = BudgetsSection()
    limits: LimitsSection = LimitsSection()
    index: IndexSection | None = None
    neighbourhoods: NeighbourhoodsSection | None = None
    help: HelpSection = HelpSection()
    home: str = Field(description="Markdown file of the home page.")
    chapters: list[ChapterSection] = Field(min_length=1)

    # Set by load_config; not part of the YAML.
    path: Path = Field(Path("site_config.yml"), exclude=True)

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
