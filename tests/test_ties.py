"""Equal figures share a rank, and every sentence about the highest or lowest names the tie.

On the real data 76 wards have 100% of their residents aged 60+ in England's most
income-deprived fifth for older people; computed from different counts, those 100%s differed by
floating-point noise and were ranked 1st, 8th and 71st.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import REPO

from storymap.build import indicators
from storymap.config import load_config
from storymap.figures.extremes import cut, extreme_group
from storymap.figures.geography import load_geography
from storymap.figures.indicators import settle, summarise
from storymap.pages.maps.alt import view_summary, view_table
from storymap.pages.places.profiles import profile_pages
from storymap.pages.story.chapters import ChapterContext, names

INCOME = "older_income_deprived"


@pytest.fixture(scope="module")
def real():
    config = load_config(REPO / "site_config.yml")
    geo = load_geography(config)
    results, index = indicators(config, geo)
    return config, geo, results, index


def test_settle_makes_equal_shares_equal() -> None:
    a, b = 100 * (0.1 + 0.2) / 0.3, 100.0  # 100.00000000000001 and 100
    assert a != b and settle(a) == settle(b) == 100.0
    values = pd.Series([a, b, 99.9999999])
    assert settle(values).tolist() == [100.0, 100.0, 99.9999999]  # real differences stay


def test_noisy_equal_values_share_the_lowest_rank(real) -> None:
    config, geo, *_ = real
    spec = config.indicator(INCOME)
    codes = geo.wards.index[:5]
    noisy = [100 * 812 * (1 / 3) / (812 / 3), 100.0, 100 * 0.7 / 0.7 * (1 + 1e-15), 50.0, 0.0]
    wards = pd.DataFrame({"numerator": noisy, "denominator": 100.0, "value": noisy}, index=codes)
    res = summarise(spec, wards, type(geo)(geo.wards.loc[codes], geo.boroughs, {}), "quantiles", 3)
    assert res.wards["rank"].tolist() == [1, 1, 1, 4, 5]
    assert res.tied(1) == 3 and res.tied(4) == 1
    assert len(set(res.wards["cls"].iloc[:3])) == 1  # the tied wards share a colour too


def test_the_76_wards_at_100_percent_are_joint_first(real) -> None:
    _config, geo, results, _index = real
    wards = results[INCOME].wards
    top = wards[wards["value"] == wards["value"].max()]
    assert len(top) == 76 and wards["value"].max() == 100.0
    assert set(top["rank"]) == {1} and set(top["decile"]) == {1}
    assert results[INCOME].tied(1) == 76
    assert int(wards["rank"][wards["value"] < 100].min()) == 77  # the next ward is 77th
    assert extreme_group(wards["value"], geo.wards["name"]) == sorted(
        top.index, key=lambda c: geo.wards.at[c, "name"]
    )


def test_summaries_and_tables_name_the_tie(real) -> None:
    _config, geo, results, _index = real
    res = results[INCOME]
    text = view_summary("London", geo, res, "area", None)
    assert "Highest: 76 wards have 100.0%, including " in text
    assert "Lowest: 156 wards have 0.0%, including " in text
    assert "Highest ward:" not in text
    victoria = geo.wards.index[
        (geo.wards["name"] == "Victoria") & (geo.wards["borough_name"] == "Hackney")
    ][0]
    ward = view_summary("London", geo, res, "ward", victoria)
    assert "ranked joint 1st of 680 wards in London, with 75 others" in ward
    brent = view_table("London", geo, res, "borough", "E09000005")
    assert "joint 1st" in brent


def test_chapter_lists_say_when_the_cut_splits_a_tie(real) -> None:
    config, geo, results, index = real
    ctx = ChapterContext(config, geo, results, None, slug="t", index=index)
    first = ctx.highest(INCOME, 3)
    assert names(first).endswith(", three of the 76 wards at 100.0%")
    westminster = ctx.highest(INCOME, 1, borough="Westminster")
    assert names(westminster) == "Church Street, one of the 4 wards in Westminster at 100.0%"
    plain = ctx.highest("pct_65_plus", 3)
    assert plain.tie_note == "" and names(plain) == "Darwin, Emerson Park and Upminster"
    c = cut(
        pd.Series([5.0, 4.0, 4.0, 4.0, 1.0], index=list("abcde")),
        pd.Series(list("abcde"), index=list("abcde")),
        2,
    )
    assert (c.codes, c.tied_listed, c.tied_total) == (["a", "b"], ["b"], 3)


def test_ward_pages_tell_joint_ranks(real) -> None:
    config, geo, results, index = real
    pages = {
        p.path.rsplit("/", 1)[-1][:-3]: p.markdown
        for p in profile_pages(config, geo, results, index)
    }
    top = results[INCOME].wards.index[results[INCOME].wards["rank"] == 1][0]
    assert "joint 1st of 680, with 75 other wards" in pages[top]


def test_robustness_ranks_are_whole_ranks(real) -> None:
    *_, index = real
    rob = index.robustness
    assert (rob["rank_p05"] == np.floor(rob["rank_p05"])).all()
    assert (rob["rank_p05"] <= rob["rank_p95"]).all()
    assert set(rob["band"]) == {1, 2, 3, 4, 5}
    # band 1 is the most at risk, as rank 1 is
    wards = index.result.wards
    assert wards.loc[rob["band"] == 1, "value"].min() > wards.loc[rob["band"] == 5, "value"].max()
