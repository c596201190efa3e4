"""The index page of the wards and boroughs: every borough, with links to its page.

In: the boroughs in order, each with its page's docs path and number of wards. Out: the
``boroughs/index.md`` :class:`~storymap.pages.page.Page`. Ward and borough pages list only their
own borough in the site's contents (storymap.site.mdplugin), so this page is the route, without
JavaScript, to every borough page, and each borough page's ward table links to its wards.
"""

from __future__ import annotations

import html

from storymap.pages.page import Page
from storymap.pages.urls import BOROUGH_INDEX, BOROUGHS, html_path

INDEX_PATH = BOROUGH_INDEX
INDEX_TITLE = "All boroughs"


def borough_index(area: str, boroughs: list[tuple[str, str, int]], section: str) -> Page:
    """``boroughs``: (name, docs path, number of wards) in the order the site lists them."""
    e = html.escape
    items = "".join(
        f'<li><a href="{e(html_path(path).removeprefix(BOROUGHS))}">{e(name)}</a> '
        f'<span class="storymap-count">({n} ward{"s" if n != 1 else ""})</span></li>'
        for name, path, n in boroughs
    )
    wards = sum(n for _name, _path, n in boroughs)
    markdown = (
        f"# Wards and boroughs\n\n"
        f'<p class="storymap-kind">{len(boroughs)} boroughs and {wards} wards of {e(area)}. '
        "Each borough's page compares it with the whole area and lists its wards, each with a "
        "page of its own.</p>\n\n"
        f'<ul class="storymap-borough-index">{items}</ul>\n'
    )
    return Page(INDEX_PATH, INDEX_TITLE, markdown, section)
