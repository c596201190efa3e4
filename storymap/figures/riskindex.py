"""The composite over-65 digital exclusion risk index, and how robust its bands are.

In: the Config (its ``index:`` section), the Geography and the IndicatorResults of the indicators it
combines. Out: an :class:`IndexResult` whose ``result`` is an ordinary IndicatorResult (unit score,
higher is more risk, aggregate "index"), added to the results under the index's id, so maps, ranks,
data.js and chapters treat it like any other indicator; it carries the evidence for its inputs'
directions too (storymap.figures.evidence), which the method page tells.

The maths is pure (DataFrame in, Series out) so it can be checked by hand:

1. indicators with direction ``higher_is_less_risk`` are negated;
2. each indicator is rescaled within its scope (the whole area, or each borough): ``minmax`` to
   0-10 as GMCA's DERI does (a scope with no spread gets 5), or ``zscore`` (mean 0, sd 1);
3. indicator weights are normalised to sum to 1 within their component, component weights to sum
   to 1, and the score is the weighted sum of the rescaled indicators;
4. with ``zscore`` the sum is then min-max rescaled to 0-10 within the scope.

Wards are banded (quintiles or natural breaks) and each ward's band is recomputed under many random
weightings (each weight times U(1-spread, 1+spread), fixed seed) to show how stable it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

from storymap.config import Config, IndexSection, IndexSpec
from storymap.figures.evidence import Evidence, direction_evidence
from storymap.figures.geography import Geography
from storymap.figures.indicators import (
    IndicatorResult,
    class_breaks,
    classify,
    settle,
    shown_values,
    summarise,
)
from storymap.lazy import module

np = module("numpy")
pd = module("pandas")

MIDPOINT = 5.0
# The rank range the pages give: the 5th to the 95th percentile of a ward's ranks over the
# reweightings (taken outward, so at least this share of the runs lie within it).
RANGE_SHARE = (9, 10)


def firm_runs(runs: int, stable_share: float) -> int:
    """The fewest of ``runs`` reweightings keeping a ward's band that make the band firm (the one
    rule: kept / runs >= stable_share): 450 of 500 for 0.9."""
    return next(n for n in range(runs + 1) if n / runs >= stable_share)


@dataclass(frozen=True)
class IndexMethod:
    """How to combine indicators: raw weights, which to invert, and the scaling."""

    weights: dict[str, dict[str, float]]  # component id -> indicator id -> weight
    component_weights: dict[str, float]
    invert: frozenset[str] = frozenset()
    scaling: str = "minmax"

    @property
    def indicators(self) -> list[str]:
        return [i for comp in self.weights.values() for i in comp]


@dataclass
class IndexResult:
    section: IndexSection
    method: IndexMethod
    result: IndicatorResult  # the index as an indicator
    scaled: pd.DataFrame  # ward x indicator, rescaled (inverted where needed)
    components: pd.DataFrame  # ward x component, 0-10
    weights: pd.Series  # effective weight of each indicator (sums to 1)
    robustness: pd.DataFrame  # ward: band, stable_share, kept, firm, rank_p05/p95, rank_best/worst
    comparison: dict[str, float] | None  # pearson, spearman, n (with compare_with indicator)
    # per indicator, the evidence for its direction (storymap.figures.evidence), if it names any
    evidence: dict[str, Evidence] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# pure maths


def effective_weights(
    method: IndexMethod,
    indicator_factors: dict[str, float] | None = None,
    component_factors: dict[str, float] | None = None,
) -> pd.Series:
    """Each indicator's share of the score: normalised within components, then across them."""
    fi, fc = indicator_factors or {}, component_factors or {}
    comp_w = {c: w * fc.get(c, 1.0) for c, w in method.component_weights.items()}
    comp_total = sum(comp_w.values())
    out: dict[str, float] = {}
    for comp, items in method.weights.items():
        raw = {i: w * fi.get(i, 1.0) for i, w in items.items()}
        total = sum(raw.values())
        for ind, w in raw.items():
            out[ind] = (w / total) * (comp_w[comp] / comp_total) if total and comp_total else 0.0
    return pd.Series(out, dtype=float)


def _rescale(values: pd.Series, scaling: str) -> pd.Series:
    if scaling == "zscore":
        sd = values.std(ddof=0)
        return (values - values.mean()) / sd if sd > 0 else values * 0.0
    lo, hi = values.min(), values.max()
    if not hi > lo:
        return pd.Series(MIDPOINT, index=values.index)
    return 10 * (values - lo) / (hi - lo)


def _by_scope(frame: pd.DataFrame, scaling: str, groups: pd.Series | None) -> pd.DataFrame:
    if groups is None:
        return frame.apply(_rescale, scaling=scaling)
    parts = [
        part.apply(_rescale, scaling=scaling) for _, part in frame.groupby(groups.loc[frame.index])
    ]
    return pd.concat(parts).loc[frame.index]


def scale_indicators(
    values: pd.DataFrame, method: IndexMethod, groups: pd.Series | None = None
) -> pd.DataFrame:
    """Ward x indicator values -> rescaled values, adverse direction up, within each scope."""
    frame = values[method.indicators].astype(float)
    for col in method.invert & set(frame.columns):
        frame[col] = -frame[col]
    return _by_scope(frame, method.scaling, groups)


def combine(
    scaled: pd.DataFrame, weights: pd.Series, scaling: str, groups: pd.Series | None = None
) -> pd.Series:
    """Weighted sum of rescaled indicators as a 0-10 score."""
    score = scaled[weights.index].to_numpy() @ weights.to_numpy()
    out = pd.DataFrame({"score": score}, index=scaled.index)
    if scaling == "zscore":
        out = _by_scope(out, "minmax", groups)
    return out["score"].clip(0.0, 10.0)


def index_scores(
    values: pd.DataFrame, method: IndexMethod, groups: pd.Series | None = None
) -> pd.Series:
    """The index for each ward (row) from its indicator values (columns): 0 to 10."""
    scaled = scale_indicators(values, method, groups)
    return combine(scaled, effective_weights(method), method.scaling, groups)


def component_scores(
    scaled: pd.DataFrame, method: IndexMethod, groups: pd.Series | None = None
) -> pd.DataFrame:
    """Each component's own 0-10 score (weights normalised within the component)."""
    out = {}
    for comp, items in method.weights.items():
        w = pd.Series(items, dtype=float)
        w = w / w.sum()
        out[comp] = combine(scaled, w, method.scaling, groups)
    return pd.DataFrame(out, index=scaled.index)


def bands(score: pd.Series, banding: str, k: int, decimals: int | None = None) -> np.ndarray:
    """Band of each score; with ``decimals``, of the score as shown (as the ward pages band it)."""
    values = score.to_numpy()
    if decimals is not None:
        values = shown_values(values, SimpleNamespace(unit="score", decimals=decimals))
    return classify(values, class_breaks(values, banding, k))


def _as_shown(values: np.ndarray, decimals: int | None) -> np.ndarray:
    """Scores as the pages show them (with ``decimals``), so ranks from them share ties."""
    if decimals is None:
        return np.asarray(values, dtype=float)
    return shown_values(values, SimpleNamespace(unit="score", decimals=decimals))


def band_stability(
    scaled: pd.DataFrame,
    method: IndexMethod,
    banding: str,
    k: int,
    runs: int = 500,
    spread: float = 0.5,
    seed: int = 2021,
    groups: pd.Series | None = None,
    decimals: int | None = None,
) -> pd.DataFrame:
    """Per ward: its band (1 = most at risk, as ranks run), the share and number (``kept``) of
    random weightings keeping it there, the 5th and 95th percentiles of its rank (whole ranks,
    1 = most at risk; at least 9 in 10 of the runs lie between them, see RANGE_SHARE) and its
    best and worst rank over all the runs."""
    base = settle(combine(scaled, effective_weights(method), method.scaling, groups))
    base_band = bands(base, banding, k, decimals)
    rng = np.random.default_rng(seed)
    same = np.zeros(len(base))
    ranks = np.empty((runs, len(base)))
    inds, comps = method.indicators, list(method.weights)
    # with min-max scaling a run is a product and a clip: done in numpy, as combine() does it,
    # without building pandas objects 500 times (the same numbers; tests/test_index.py)
    matrix = scaled[inds].to_numpy()
    plain = method.scaling != "zscore" and bool(np.isfinite(matrix).all())
    for run in range(runs):
        fi = dict(zip(inds, rng.uniform(1 - spread, 1 + spread, len(inds)), strict=True))
        fc = dict(zip(comps, rng.uniform(1 - spread, 1 + spread, len(comps)), strict=True))
        weights = effective_weights(method, fi, fc)
        if plain:
            values = settle(np.clip(matrix @ weights[inds].to_numpy(), 0.0, 10.0))
            same += bands(pd.Series(values), banding, k, decimals) == base_band
            # rank 1 = highest score as shown, ties share the best rank (as the pages rank)
            figures = _as_shown(values, decimals)
            ordered = np.sort(figures)
            ranks[run] = len(values) - np.searchsorted(ordered, figures, side="right") + 1
            continue
        score = settle(combine(scaled, weights, method.scaling, groups))
        same += bands(score, banding, k, decimals) == base_band
        ranks[run] = pd.Series(_as_shown(score.to_numpy(), decimals)).rank(
            ascending=False, method="min"
        )
    n_bands = int(base_band.max()) + 1
    return pd.DataFrame(
        {
            "band": n_bands - base_band,
            "stable_share": same / runs,
            "kept": same.astype(int),
            "rank_p05": np.percentile(ranks, 5, axis=0, method="lower"),
            "rank_p95": np.percentile(ranks, 95, axis=0, method="higher"),
            "rank_best": ranks.min(axis=0),
            "rank_worst": ranks.max(axis=0),
        },
        index=scaled.index,
    )


def correlations(a: pd.Series, b: pd.Series) -> dict[str, float]:
    both = pd.concat([a, b], axis=1, join="inner").dropna()
    x, y = both.iloc[:, 0], both.iloc[:, 1]
    return {
        "pearson": float(x.corr(y)),
        # Spearman's rho is Pearson's r of the ranks (ties sharing their mean rank); pandas'
        # own spearman imports scipy.stats, which took longer than the whole index
        "spearman": float(x.rank().corr(y.rank())),
        "n": float(len(both)),
    }


# ---------------------------------------------------------------------------------------------
# from the config


def method_from_config(config: Config) -> IndexMethod:
    index = config.index
    assert index is not None
    invert = {
        item.indicator
        for comp in index.components
        for item in comp.indicators
        if config.indicator(item.indicator).direction == "higher_is_less_risk"
    }
    return IndexMethod(
        weights={c.id: {i.indicator: i.weight for i in c.indicators} for c in index.components},
        component_weights={c.id: c.weight for c in index.components},
        invert=frozenset(invert),
        scaling=index.scaling,
    )


def index_spec(config: Config) -> IndexSpec:
    index = config.index
    assert index is not None
    sources = [
        config.indicator(item.indicator).source for c in index.components for item in c.indicators
    ]
    sources = list(dict.fromkeys(sources))
    return IndexSpec(
        id=index.id,
        label=index.label,
        short_label=index.short_label,
        description=index.description,
        unit="score",
        source=sources[0],
        geography="ward",
        direction="higher_is_more_risk",
        decimals=index.decimals,
        component_sources=sources,
    )


def compute_index(
    config: Config, geo: Geography, results: dict[str, IndicatorResult]
) -> IndexResult | None:
    """Build the index from ``results``, add it to ``results`` under its id, and return it."""
    index = config.index
    if index is None:
        return None
    method = method_from_config(config)
    codes = geo.wards.index
    values = pd.DataFrame({i: results[i].wards["value"].reindex(codes) for i in method.indicators})
    groups = geo.wards["borough_code"] if index.scope == "borough" else None
    scaled = scale_indicators(values, method, groups)
    score = combine(scaled, effective_weights(method), method.scaling, groups)
    people = results[index.population].wards["numerator"].reindex(codes)
    wards = pd.DataFrame({"numerator": score * people, "denominator": people, "value": score})
    spec = index_spec(config)
    result = summarise(spec, wards, geo, index.banding, index.bands)
    rob = index.robustness
    robustness = band_stability(
        scaled,
        method,
        index.banding,
        index.bands,
        rob.runs,
        rob.spread,
        rob.seed,
        groups,
        spec.decimals,
    )
    robustness["firm"] = robustness["kept"] >= firm_runs(rob.runs, rob.stable_share)
    comparison = None
    if index.compare_with:
        other = results[index.compare_with.indicator].wards["value"]
        comparison = correlations(score, other)
    results[index.id] = result
    return IndexResult(
        section=index,
        method=method,
        result=result,
        scaled=scaled,
        components=component_scores(scaled, method, groups),
        weights=effective_weights(method),
        robustness=robustness,
        comparison=comparison,
        evidence=directions(config, method, geo),
    )


def directions(config: Config, method: IndexMethod, geo: Geography) -> dict[str, Evidence]:
    """The evidence for each input's direction, for those whose config names it, over the
    configured area's small areas."""

    def codes(spec) -> set[str] | None:
        lookup = geo.lookups.get(spec.geography)
        return None if lookup is None else set(lookup["code"].astype(str))

    found = {
        i: direction_evidence(config, spec, codes(spec))
        for i in method.indicators
        for spec in [config.indicator(i)]
    }
    return {i: e for i, e in found.items() if e is not None}
