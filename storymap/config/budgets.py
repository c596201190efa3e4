"""The ``budgets:`` section: page-weight budgets the build holds every page to.

In: YAML mappings. Out: :class:`BudgetsSection`.
"""

from __future__ import annotations

from pydantic import Field

from storymap.config.base import Model


class BudgetsSection(Model):
    """Page-weight budgets, in KB (1,000 bytes) of gzip-compressed bytes: the page's HTML and
    every file it loads as it opens. The build fails a page over its budget
    (storymap.output.weight)."""

    map_page_kb: float = Field(
        135, gt=0, description="A page with a map (a chapter), read with nothing cached."
    )
    page_kb: float = Field(
        21, gt=0, description="Any other page (home without a map, method, about), nothing cached."
    )
    ward_kb: float = Field(25, gt=0, description="A ward's page, read with nothing cached.")
    borough_kb: float = Field(
        31, gt=0, description="A borough's page (and the list of boroughs), nothing cached."
    )
    cached_kb: float = Field(
        30, gt=0, description="Any page read after another, the files pages share cached."
    )
    search_kb: float = Field(
        12,
        gt=0,
        description="A search for a place's name: the search code, the pages' titles and the "
        "largest place file, loaded when a reader first uses search.",
    )
