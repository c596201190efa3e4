"""Indicators: rates from summed counts, population-weighted scores, publishers' totals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import REPO

from storymap.config import load_config
from storymap.figures.geography import load_geography
from storymap.figures.indicators import class_breaks, compute_indicators, format_value


@pytest.fixture(scope="module")
def computed():
    config = load_config(REPO / "site_config.yml")
    geo = load_geography(config)
    return config, geo, compute_indicators(config, geo)


def test_london_totals_match_the_publishers(computed):
    _, _, results = computed
    age = results["pct_65_plus"]
    assert age.area["denominator"] == 8_799_791  # ONS: usual residents, London
    assert age.area["numerator"] == 1_043_331  # ONS: aged 65+
    assert round(age.area["value"], 2) == 11.86
    assert round(results["pct_disabled"].area["value"], 1) == 13.2  # ONS TS038 London
    assert round(results["deri_score"].area["value"], 2) == 2.70  # GMCA DERI London mean


def test_wards_match_the_published_best_fit_ward_table(computed):
    _, _, results = computed
    published = pd.read_csv(
        REPO
        / "data/census2021"
        / "london_wards22citymerged_age65plus_census2021_DERIVED_from_lsoa_bestfit.csv",
        dtype={"WD22CD": str},
    ).set_index("WD22CD")
    ours = results["pct_65_plus"].wards
    assert set(ours.index) == set(published.index)
    assert (ours["numerator"] == published.loc[ours.index, "age_65_plus"]).all()
    assert np.allclose(ours["value"].round(2), published.loc[ours.index, "pct_65_plus"], atol=0.006)
    top = ours.sort_values("rank").index[0]
    assert published.at[top, "WD22NM"] == "Darwin"


def test_rates_come_from_summed_counts_not_averaged_rates(computed):
    _, geo, results = computed
    res = results["pct_75_plus"]
    barnet = geo.wards.index[geo.wards["borough_code"] == "E09000003"]
    wards = res.wards.loc[barnet]
    expected = 100 * wards["numerator"].sum() / wards["denominator"].sum()
    assert res.boroughs.at["E09000003", "value"] == pytest.approx(expected)
    assert res.boroughs.at["E09000003", "value"] != pytest.approx(wards["value"].mean())


def test_scores_are_population_weighted(computed):
    config, geo, results = computed
    res = results["broadband_speed_score"]
    # numerator is the sum of score x population; denominator the population
    assert res.area["denominator"] == 8_799_791
    assert res.area["value"] == pytest.approx(res.area["numerator"] / res.area["denominator"])


def test_every_ward_has_a_value_rank_and_class(computed):
    config, geo, results = computed
    for res in results.values():
        assert res.wards["value"].notna().all(), res.id
        assert sorted(res.wards["rank"].unique())[0] == 1
        assert res.wards["cls"].between(0, len(res.breaks) - 1).all()
        assert len(res.breaks) == config.maps.classes


def test_quantile_breaks_split_wards_evenly():
    values = np.arange(100, dtype=float)
    breaks = class_breaks(values, "quantiles", 5)
    assert len(breaks) == 5 and breaks[-1] == 99
    natural = class_breaks(np.array([1, 1, 2, 2, 50, 51, 52, 100, 101.0]), "natural_breaks", 3)
    assert natural == [2.0, 52.0, 101.0]


def test_format_value(computed):
    config, _, _ = computed
    assert format_value(11.8563, config.indicator("pct_65_plus")) == "11.9%"
    assert format_value(2.70110, config.indicator("deri_score")) == "2.70"
