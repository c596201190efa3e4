"""The ``site_config.yml`` schema, one module per section, and reading it.

In: the path of a YAML file. Out: a validated :class:`Config`, or a ConfigError that lists every
problem at once, each with its YAML path (``indicators.pct_65_plus.source``) and the fix.

Structure is checked by pydantic models that forbid unknown keys (:mod:`.site`, :mod:`.sources`,
:mod:`.geography`, :mod:`.indicators`, :mod:`.index`, :mod:`.maps`, :mod:`.budgets`, together in
:mod:`.model`); cross-references (an indicator naming a source, a lookup naming a geography) are
checked afterwards by :mod:`.checks`; :mod:`.load` reads the file.
"""

from storymap.config.budgets import BudgetsSection
from storymap.config.geography import (
    LEVELS,
    WARD_LAYER_PREFIXES,
    GeographySection,
    LookupSection,
)
from storymap.config.index import IndexSection, IndexSpec
from storymap.config.indicators import IndicatorSection
from storymap.config.load import load_config, yaml_path
from storymap.config.maps import MapsSection
from storymap.config.model import Config
from storymap.config.site import ChapterSection, SiteSection, chapter_slug
from storymap.config.sources import FetchSection, SourceSection

__all__ = [
    "LEVELS",
    "WARD_LAYER_PREFIXES",
    "BudgetsSection",
    "ChapterSection",
    "Config",
    "FetchSection",
    "GeographySection",
    "IndexSection",
    "IndexSpec",
    "IndicatorSection",
    "LookupSection",
    "MapsSection",
    "SiteSection",
    "SourceSection",
    "chapter_slug",
    "load_config",
    "yaml_path",
]
