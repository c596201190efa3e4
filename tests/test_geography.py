"""Geography: the ward layer, City merging, lookups and weighted aggregation to wards."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import REPO

from storymap.config import load_config
from storymap.figures.geography import aggregate_to_wards, load_geography


@pytest.fixture(scope="module")
def geo():
    return load_geography(load_config(REPO / "site_config.yml"))


def test_ward_layer_has_680_units_in_33_boroughs(geo):
    assert len(geo.wards) == 680
    assert len(geo.boroughs) == 33
    assert geo.wards.index.is_unique
    assert geo.wards.at["E09000001", "name"] == "City of London"
    assert geo.wards["borough_code"].str.startswith("E09").all()


def test_city_wards_are_merged_in_every_lookup(geo):
    lsoa21 = geo.lookups["lsoa21"]
    assert len(lsoa21) == 4994
    # all six City LSOAs go to the merged unit, whichever City ward they best fit
    city = lsoa21[
        lsoa21["code"].isin(
            ["E01000001", "E01000002", "E01000003", "E01000005", "E01032739", "E01032740"]
        )
    ]
    assert set(city["ward"]) == {"E09000001"}
    lsoa11 = geo.lookups["lsoa11"]
    assert set(lsoa11["ward"]) <= set(geo.wards.index)
    # GLA weights sum to one per 2011 LSOA (within the published rounding)
    sums = lsoa11.groupby("code")["weight"].sum()
    assert sums.between(0.996, 1.004).all()


def test_every_ward_receives_at_least_one_lsoa(geo):
    assert set(geo.lookups["lsoa21"]["ward"]) == set(geo.wards.index)


def test_aggregate_sums_weighted_counts():
    # A fixture cut from the real lookups' shape: LSOA A splits 0.75/0.25 between two wards.
    table = pd.DataFrame({"code": ["A", "B", "C"], "n": [100.0, 40.0, 10.0]})
    lookup = pd.DataFrame(
        {
            "code": ["A", "A", "B", "C"],
            "ward": ["W1", "W2", "W2", "W2"],
            "weight": [0.75, 0.25, 1.0, 1.0],
        }
    )
    sums = aggregate_to_wards(table, "code", lookup, ["n"])
    assert sums.loc["W1", "n"] == 75.0
    assert sums.loc["W2", "n"] == 25.0 + 40.0 + 10.0
