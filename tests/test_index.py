"""The risk index: hand-worked maths, properties, config weights, and the real build's index."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import REPO
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.pandas import column, data_frames, range_indexes

from storymap.config import load_config
from storymap.errors import ConfigError
from storymap.figures.geography import load_geography
from storymap.figures.indicators import compute_indicators
from storymap.figures.riskindex import (
    IndexMethod,
    band_stability,
    compute_index,
    effective_weights,
    index_scores,
    scale_indicators,
)

# Four wards, three indicators. a and c: higher is more risk; b: higher is LESS risk (inverted).
#          a    b    c
#   W1    10   50    0
#   W2    20   40    5
#   W3    30   10   10
#   W4    50   30  2.5
VALUES = pd.DataFrame(
    {"a": [10.0, 20, 30, 50], "b": [50.0, 40, 10, 30], "c": [0.0, 5, 10, 2.5]},
    index=["W1", "W2", "W3", "W4"],
)
# Components: "one" = {a: 1, b: 1}, "two" = {c: 1}, each weight 1.
# Effective weights: a 0.5*0.5 = 0.25, b 0.25, c 0.5.
METHOD = IndexMethod(
    weights={"one": {"a": 1.0, "b": 1.0}, "two": {"c": 1.0}},
    component_weights={"one": 1.0, "two": 1.0},
    invert=frozenset({"b"}),
)


def test_effective_weights_normalise_within_and_across_components():
    w = effective_weights(METHOD)
    assert w.to_dict() == pytest.approx({"a": 0.25, "b": 0.25, "c": 0.5})


def test_index_matches_hand_worked_values_london_wide():
    # a rescaled 0-10 over 10..50:         W1 0,   W2 2.5, W3 5,   W4 10
    # b inverted (-50,-40,-10,-30), 0-10:  W1 0,   W2 2.5, W3 10,  W4 5
    # c rescaled over 0..10:               W1 0,   W2 5,   W3 10,  W4 2.5
    # score = .25a + .25b + .5c:
    #   W1 0; W2 .625+.625+2.5 = 3.75; W3 1.25+2.5+5 = 8.75; W4 2.5+1.25+1.25 = 5.0
    scores = index_scores(VALUES, METHOD)
    assert scores.to_dict() == pytest.approx({"W1": 0.0, "W2": 3.75, "W3": 8.75, "W4": 5.0})


def test_index_matches_hand_worked_values_within_boroughs():
    # Boroughs B1 = {W1, W2}, B2 = {W3, W4}; each indicator rescaled 0-10 within its borough.
    # a:  B1 10,20 -> 0,10      B2 30,50 -> 0,10
    # b:  B1 -50,-40 -> 0,10    B2 -10,-30 -> 10,0
    # c:  B1 0,5 -> 0,10        B2 10,2.5 -> 10,0
    # W1 0; W2 2.5+2.5+5 = 10; W3 0+2.5+5 = 7.5; W4 2.5+0+0 = 2.5
    groups = pd.Series(["B1", "B1", "B2", "B2"], index=VALUES.index)
    scores = index_scores(VALUES, METHOD, groups)
    assert scores.to_dict() == pytest.approx({"W1": 0.0, "W2": 10.0, "W3": 7.5, "W4": 2.5})


def test_changing_a_weight_changes_ranks_as_expected():
    # With c weighted 3 in its own component against "one" at 1: weights a .125, b .125, c .75.
    # W2 = .125*2.5 + .125*2.5 + .75*5 = 4.375; W4 = .125*10 + .125*5 + .75*2.5 = 3.75:
    # W2 now ranks above W4 (before: W4 5.0 above W2 3.75).
    heavier_c = IndexMethod(
        weights=METHOD.weights, component_weights={"one": 1.0, "two": 3.0}, invert=METHOD.invert
    )
    before, after = index_scores(VALUES, METHOD), index_scores(VALUES, heavier_c)
    assert before["W4"] > before["W2"]
    assert after.to_dict() == pytest.approx({"W1": 0.0, "W2": 4.375, "W3": 9.375, "W4": 3.75})
    assert after["W2"] > after["W4"]


def test_flat_indicator_gets_the_midpoint():
    flat = VALUES.assign(c=7.0)
    scaled = scale_indicators(flat, METHOD)
    assert (scaled["c"] == 5.0).all()


# ---------------------------------------------------------------------------------------------
# properties

finite = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, allow_infinity=False)
frames = data_frames(
    [column("a", elements=finite), column("b", elements=finite), column("c", elements=finite)],
    index=range_indexes(min_size=2, max_size=30),
)
weights = st.floats(min_value=0.01, max_value=10)


def _method(wa: float, wb: float, wc: float, scaling: str) -> IndexMethod:
    return IndexMethod(
        weights={"one": {"a": wa, "b": wb}, "two": {"c": wc}},
        component_weights={"one": 1.0, "two": 1.0},
        invert=frozenset({"b"}),
        scaling=scaling,
    )


@settings(max_examples=150, deadline=None)
@given(frames, weights, weights, weights, st.sampled_from(["minmax", "zscore"]), st.booleans())
def test_score_stays_within_0_and_10(df, wa, wb, wc, scaling, by_group):
    groups = pd.Series(df.index % 3, index=df.index) if by_group else None
    scores = index_scores(df, _method(wa, wb, wc, scaling), groups)
    assert scores.notna().all()
    assert ((scores >= 0) & (scores <= 10)).all()


@settings(max_examples=150, deadline=None)
@given(frames, weights, weights, st.data())
def test_score_rises_weakly_when_an_adverse_indicator_rises(df, wa, wc, data):
    method = _method(wa, 1.0, wc, "minmax")
    ward = data.draw(st.sampled_from(list(df.index)))
    step = data.draw(st.floats(min_value=0, max_value=1e4))
    worse = df.copy()
    worse.loc[ward, "a"] += step
    better_b = df.copy()
    better_b.loc[ward, "b"] -= step  # b is higher-is-less-risk: lower b is more risk
    before = index_scores(df, method)[ward]
    assert index_scores(worse, method)[ward] >= before - 1e-9
    assert index_scores(better_b, method)[ward] >= before - 1e-9


@settings(max_examples=100, deadline=None)
@given(frames, weights, weights, weights, st.sampled_from(["minmax", "zscore"]), st.randoms())
def test_score_is_unchanged_by_the_order_of_wards(df, wa, wb, wc, scaling, rnd):
    method = _method(wa, wb, wc, scaling)
    order = list(df.index)
    rnd.shuffle(order)
    shuffled = df.loc[order]
    pd.testing.assert_series_equal(
        index_scores(df, method).sort_index(),
        index_scores(shuffled, method).sort_index(),
        check_exact=False,
        atol=1e-9,
    )


def test_band_stability_is_reproducible_and_total_when_weights_cannot_matter():
    rng = np.random.default_rng(0)
    x = rng.normal(size=50)
    same = pd.DataFrame({"a": x, "b": -x, "c": x}, index=[f"W{i}" for i in range(50)])
    scaled = scale_indicators(same, METHOD)
    rob = band_stability(scaled, METHOD, "quantiles", 5, runs=50, seed=1)
    assert (rob["stable_share"] == 1.0).all()
    varied = scale_indicators(pd.DataFrame(rng.normal(size=(50, 3)), columns=list("abc")), METHOD)
    one = band_stability(varied, METHOD, "quantiles", 5, runs=50, seed=3)
    two = band_stability(varied, METHOD, "quantiles", 5, runs=50, seed=3)
    pd.testing.assert_frame_equal(one, two)
    assert one["stable_share"].min() < 1.0


# ---------------------------------------------------------------------------------------------
# from the config, on the real data


def _compute(config):
    geo = load_geography(config)
    results = compute_indicators(config, geo)
    return geo, results, compute_index(config, geo, results)


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    config = load_config(REPO / "site_config.yml")
    return (config, *_compute(config))


def test_index_is_an_ordinary_indicator_result(real):
    config, geo, results, ix = real
    res = results["risk_index"]
    assert res is ix.result
    assert res.spec.unit == "score" and res.spec.aggregate == "index"
    assert res.spec.direction == "higher_is_more_risk"
    assert list(res.wards.index) == list(geo.wards.index)
    assert res.wards["value"].between(0, 10).all()
    assert set(res.wards["cls"]) == {0, 1, 2, 3, 4}
    assert res.wards["rank"].min() == 1
    # every component's source is named for provenance
    assert set(res.spec.source_ids) == {
        "census_age",
        "iod2019",
        "census_disability",
        "iod2025_indicators",
    }


def test_borough_and_london_values_are_weighted_by_residents_aged_65_plus(real):
    config, geo, results, ix = real
    score = results["risk_index"].wards["value"]
    people = results["pct_65_plus"].wards["numerator"]
    assert results["risk_index"].area["value"] == pytest.approx(
        (score * people).sum() / people.sum()
    )
    brent = geo.wards.index[geo.wards["borough_code"] == "E09000005"]
    expected = (score[brent] * people[brent]).sum() / people[brent].sum()
    assert results["risk_index"].boroughs.at["E09000005", "value"] == pytest.approx(expected)


def test_comparison_with_deri_is_positive(real):
    _config, _geo, _results, ix = real
    assert ix.comparison["n"] == 680
    assert 0.3 < ix.comparison["pearson"] < 1
    assert 0.3 < ix.comparison["spearman"] < 1


def test_raising_a_component_weight_in_the_config_moves_ranks_towards_it(project, real):
    config, _geo, results, ix = real
    raw = yaml.safe_load((project / "site_config.yml").read_text())
    for comp in raw["index"]["components"]:
        comp["weight"] = 20 if comp["id"] == "connectivity" else 1
    (project / "site_config.yml").write_text(yaml.safe_dump(raw, sort_keys=False))
    heavy = _compute(load_config(project / "site_config.yml"))[1]
    broadband = results["broadband_speed_score"].wards["value"]
    before = ix.result.wards["value"].corr(broadband, method="spearman")
    after = heavy["risk_index"].wards["value"].corr(broadband, method="spearman")
    assert after > before and after > 0.95
    top = broadband.idxmax()
    assert heavy["risk_index"].wards.at[top, "rank"] <= ix.result.wards.at[top, "rank"]


def _write_index(project, mutate) -> None:
    raw = yaml.safe_load((project / "site_config.yml").read_text())
    mutate(raw["index"])
    (project / "site_config.yml").write_text(yaml.safe_dump(raw, sort_keys=False))


def test_config_refuses_zero_weights_and_undeclared_indicators(project):
    def break_it(index):
        index["components"][0]["indicators"] = [
            {"indicator": "pct_65_74", "weight": 0},
            {"indicator": "pct_75_plus", "weight": 0},
        ]
        index["components"][1]["indicators"][0]["indicator"] = "older_income_deprivd"

    _write_index(project, break_it)
    with pytest.raises(ConfigError) as err:
        load_config(project / "site_config.yml")
    text = str(err.value)
    assert "index.components.demography: indicator weights sum to zero" in text
    assert (
        "index.components.deprivation.indicators[0].indicator: 'older_income_deprivd' is not "
        "a declared indicator. Did you mean 'older_income_deprived'?"
    ) in text


def test_config_refuses_unknown_keys_in_index(project):
    _write_index(project, lambda index: index.update(scalling="minmax"))
    with pytest.raises(ConfigError, match=r"index.scalling: unknown key"):
        load_config(project / "site_config.yml")


def test_spearman_is_pearson_of_the_ranks_as_pandas_gives_it():
    """correlations() ranks in pandas instead of importing scipy.stats; the figure is the same."""
    import numpy as np

    from storymap.figures.riskindex import correlations

    rng = np.random.default_rng(3)
    a = pd.Series(rng.integers(0, 40, 500).astype(float))  # many ties
    b = pd.Series(a + rng.normal(0, 10, 500))
    b[::17] = np.nan
    found = correlations(a, b)
    both = pd.concat([a, b], axis=1).dropna()
    assert found["spearman"] == pytest.approx(both[0].corr(both[1], method="spearman"), abs=1e-12)
    assert found["n"] == len(both)
