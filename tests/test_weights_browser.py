"""The weights explorer on the method page, in a real Chromium.

At the published weights its recomputation gives the build's own scores, ranks and bands;
setting a component to 0 changes the map and the list of highest wards; Reset restores both;
without JavaScript the published index and its list stand and the controls stay hidden.
"""

from __future__ import annotations

import pytest
from conftest import REPO

from storymap.build import indicators
from storymap.config import load_config
from storymap.figures.format import format_value
from storymap.figures.geography import load_geography

pytestmark = pytest.mark.browser

FILLS = """() => Storymap.maps.method_index.layers.map(layer => layer.options.fillColor)"""
LIST = """() => Array.from(document.querySelectorAll('.storymap-explorer-top li'),
  li => li.textContent)"""


@pytest.fixture(scope="module")
def computed():
    config = load_config(REPO / "site_config.yml")
    geo = load_geography(config)
    _results, index = indicators(config, geo)
    return config, geo, index


def open_method(page, site_url: str) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{site_url}/method.html")
    page.wait_for_selector(".storymap-explorer[data-ready]", timeout=30000)
    assert errors == []


def test_published_weights_reproduce_the_build(page, site_url, computed) -> None:
    _config, geo, index = computed
    open_method(page, site_url)
    got = page.evaluate("""() => {
      const weights = {};
      document.querySelectorAll('.storymap-weights input').forEach(i => {
        weights[i.name] = Number(i.getAttribute('data-published')); });
      const r = StorymapWeights.compute(weights, Storymap.data.wards.borough);
      const ind = Storymap.data.indicators.risk_index;
      return {values: r.values, rank: r.rank, colour: r.colour,
              shown: r.values.map(v => Storymap.formatValue(ind, v))};
    }""")
    res = index.result
    wards = res.wards.loc[geo.wards.index]
    assert got["rank"] == wards["rank"].astype(int).tolist()
    assert got["colour"] == [res.risk_class(int(c)) for c in wards["cls"]]
    assert got["shown"] == [format_value(v, res.spec) for v in wards["value"]]
    assert max(abs(a - b) for a, b in zip(got["values"], wards["value"], strict=True)) < 1e-6


def test_a_weight_of_zero_changes_the_map_and_list_and_reset_restores(
    page, site_url, computed
) -> None:
    _config, geo, index = computed
    open_method(page, site_url)
    form = page.locator("form.storymap-weights")
    assert form.is_visible()
    sliders = form.locator("input[type=range]")
    assert sliders.count() == len(index.section.components)
    fills, top = page.evaluate(FILLS), page.evaluate(LIST)
    assert len(fills) == len(geo.wards) and len(top) == 10
    first = index.section.components[0].id
    page.locator(f"#weight-{first}").fill("0")
    page.wait_for_function(
        "() => document.querySelector('#method_index').getAttribute('data-indicator')"
        " === 'risk_index__explore'"
    )
    assert page.locator(f"output[for=weight-{first}]").inner_text() == "0"
    changed_fills, changed_top = page.evaluate(FILLS), page.evaluate(LIST)
    assert changed_fills != fills
    assert changed_top != top
    assert "your weights" in page.locator(".storymap-explorer-status").inner_text()
    # the new list is the recomputed index's top ten, in order
    expected = page.evaluate("""() => {
      const w = {}; document.querySelectorAll('.storymap-weights input').forEach(i => {
        w[i.name] = Number(i.value); });
      const r = StorymapWeights.compute(w, Storymap.data.wards.borough);
      return r.values.map((v, i) => i).sort((a, b) => r.rank[a] - r.rank[b] ||
        Storymap.data.wards.names[a].localeCompare(Storymap.data.wards.names[b]))
        .slice(0, 10).map(i => Storymap.data.wards.names[i]);
    }""")
    assert [item.split(" (")[0] for item in changed_top] == expected
    page.locator("button.storymap-reset").click()
    page.wait_for_function(
        "() => document.querySelector('#method_index').getAttribute('data-indicator')"
        " === 'risk_index'"
    )
    assert page.evaluate(FILLS) == fills
    assert page.evaluate(LIST) == top
    assert page.locator(f"#weight-{first}").input_value() == page.locator(
        f"#weight-{first}"
    ).get_attribute("data-published")


def test_without_javascript_the_published_index_stands(browser, site_url, computed) -> None:
    _config, geo, index = computed
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site_url}/method.html")
    assert not page.locator("form.storymap-weights").is_visible()
    items = page.locator(".storymap-explorer-top li").all_inner_texts()
    best = index.result.wards["value"].idxmax()
    assert len(items) == 10 and items[0].startswith(str(geo.wards.at[best, "name"]))
    assert page.locator("#how-not-to-use").is_visible()
    context.close()
