"""The figures computed without the slow paths are the same numbers as with them: the risk
index's band stability, done in numpy for min-max scaling, equals the pandas loop it replaced
(per random weighting: combine, bands, ranks)."""

from __future__ import annotations

import numpy as np
import pytest

from storymap.figures.riskindex import band_stability, bands, combine, effective_weights


@pytest.fixture(scope="module")
def figures(real_figures):
    config, _geo, results, index = real_figures
    return config, results, index


def pandas_band_stability(scaled, method, banding, k, runs, spread, seed):
    """The loop band_stability used before: pandas for every random weighting."""
    base_band = bands(combine(scaled, effective_weights(method), method.scaling), banding, k)
    rng = np.random.default_rng(seed)
    same = np.zeros(len(scaled))
    ranks = np.empty((runs, len(scaled)))
    inds, comps = method.indicators, list(method.weights)
    for run in range(runs):
        fi = dict(zip(inds, rng.uniform(1 - spread, 1 + spread, len(inds)), strict=True))
        fc = dict(zip(comps, rng.uniform(1 - spread, 1 + spread, len(comps)), strict=True))
        score = combine(scaled, effective_weights(method, fi, fc), method.scaling)
        same += bands(score, banding, k) == base_band
        ranks[run] = score.rank(ascending=False, method="min").to_numpy()
    return (
        same / runs,
        np.percentile(ranks, 5, axis=0, method="lower"),
        np.percentile(ranks, 95, axis=0, method="higher"),
    )  # whole ranks, widest range


def test_band_stability_is_the_pandas_loop(figures):
    config, _results, index = figures
    assert index.method.scaling == "minmax"
    rob = config.index.robustness
    fast = band_stability(
        index.scaled,
        index.method,
        config.index.banding,
        config.index.bands,
        rob.runs,
        rob.spread,
        rob.seed,
    )
    share, p05, p95 = pandas_band_stability(
        index.scaled,
        index.method,
        config.index.banding,
        config.index.bands,
        rob.runs,
        rob.spread,
        rob.seed,
    )
    assert fast["stable_share"].tolist() == share.tolist()
    assert fast["rank_p05"].tolist() == p05.tolist()
    assert fast["rank_p95"].tolist() == p95.tolist()
    assert 0 < fast["stable_share"].mean() < 1  # the weightings move some wards
