"""Weights that share a larger area's figures between wards, from the smaller areas inside it.

In: a table of building blocks (e.g. the 4,994 LSOAs of 2021), each with the larger area it lies
in (its MSOA), the ward it is assigned to (best fit) and its population. Out: one row per larger
area and ward it shares people with: the area, the ward, the people of the area living in that
ward's part of it, and that as a share of the area's people (the weight; an area's weights add up
to 1, give or take rounding).

This is how ``data/lookups/lookup_msoa21_ward22_london_popweighted.csv`` is made from the bundled
LSOA 2021 best-fit lookup and the Census 2021 RM121 populations (``tools/make_msoa_ward_weights.py``
writes it; ``tests/test_levels.py`` checks the bundled file is exactly what it writes).
"""

from __future__ import annotations

from storymap.errors import DataError, quoted_list
from storymap.lazy import module

pd = module("pandas")


def share_weights(
    blocks: pd.DataFrame, area: str, ward: str, people: str, decimals: int = 6
) -> pd.DataFrame:
    """For each ``area`` and ``ward``: the people of the area in the ward (``people``) and their
    share of the area's people (``weight``, rounded to ``decimals``). Rows are sorted by area,
    then ward; an area with no people is an error, since it cannot be shared."""
    counts = pd.to_numeric(blocks[people], errors="raise").astype(float)
    parts = (
        pd.DataFrame({area: blocks[area], ward: blocks[ward], people: counts})
        .groupby([area, ward], as_index=False)[people]
        .sum()
    )
    totals = parts.groupby(area)[people].transform("sum")
    empty = parts.loc[totals <= 0, area].unique()
    if len(empty):
        raise DataError(
            f"{quoted_list(empty)}: no {people} in any of its parts, so its figures cannot be "
            "shared between wards. Check the population table covers these areas."
        )
    parts["weight"] = (parts[people] / totals).round(decimals)
    parts[people] = parts[people].round().astype(int)
    return parts.sort_values([area, ward]).reset_index(drop=True)
