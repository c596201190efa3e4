"""The files that help a reader find their own place, written with the profile pages.

In: the Config and the Geography. Out, into the docs folder: the search box's place index
(:mod:`storymap.pages.places.search`), the postcode lookup files
(:mod:`storymap.pages.places.postcodes`)
and the link-preview images (:mod:`storymap.pages.places.share`); returns the "All places A–Z" page.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from storymap.config import Config
from storymap.figures.geography import Geography
from storymap.pages.page import Page
from storymap.pages.places.postcodes import write_postcode_lookups
from storymap.pages.places.search import az_page, write_place_index
from storymap.pages.places.share import write_share_images

if TYPE_CHECKING:
    from storymap.figures.help import HelpResult


def write_wayfinding(
    config: Config, geo: Geography, folder: Path, section: str, help_: HelpResult | None = None
) -> list[Page]:
    from storymap.figures.placenames import place_wards  # geopandas: only when writing it

    write_place_index(geo, folder, help_, place_wards(config, geo))
    write_postcode_lookups(config, geo, folder, help_)
    write_share_images(geo, folder)
    return [az_page(geo, config.site.area.name, section)]
