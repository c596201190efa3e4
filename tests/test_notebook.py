"""The notebook API (issue 27, item 3): ``storymap.maps.ward_map`` returns a ``folium.Map`` of an
indicator's ward figures from the project's data, and the example page's code runs."""

from __future__ import annotations

import os
import re

import folium
import pytest
from conftest import REPO

from storymap.config.load import load_config
from storymap.errors import ConfigError
from storymap.maps import ward_map


def _geojson(m: folium.Map) -> folium.GeoJson:
    (layer,) = [c for c in m._children.values() if isinstance(c, folium.GeoJson)]
    return layer


@pytest.fixture(scope="module")
def indicators() -> list[str]:
    config = load_config(REPO / "site_config.yml")
    return [i.id for i in config.indicators] + [config.index.id]


def test_every_indicator_maps_all_680_wards(indicators, real_figures):
    _config, geo, results, index = real_figures
    for ind in indicators:
        m = ward_map(ind, config=REPO / "site_config.yml")
        assert isinstance(m, folium.Map)
        features = _geojson(m).data["features"]
        assert len(features) == len(geo.wards) == 680, ind
        res = results.get(ind) or index.result
        first = features[0]["properties"]
        rank = int(res.wards.at[first["code"], "rank"])
        assert first["rank"].startswith(f"{rank}") and first["colour"].startswith("#")


def test_a_boroughs_wards_and_a_marker_of_ones_own(real_figures):
    _config, geo, _results, _index = real_figures
    m = ward_map("pct_65_plus", area="Brent", config=REPO / "site_config.yml")
    features = _geojson(m).data["features"]
    assert len(features) == int((geo.wards["borough_code"] == "E09000005").sum())
    folium.Marker([51.5362, -0.2360], popup="Tuesday tablet club").add_to(m)
    html = m.get_root().render()
    assert "Tuesday tablet club" in html
    assert re.search(r"L\.marker\(\s*\[51\.5362, -0\.236\]", html)
    assert "tile.openstreetmap" not in html  # no tiles unless the config names a basemap


def test_unknown_names_say_what_there_is():
    with pytest.raises(ConfigError) as err:
        ward_map("pct_65plus", config=REPO / "site_config.yml")
    assert "Did you mean 'pct_65_plus'" in str(err.value.problems[0])
    with pytest.raises(ConfigError) as err:
        ward_map("pct_65_plus", area="Brnet", config=REPO / "site_config.yml")
    assert "'Brnet' is not a borough of this project. Did you mean 'Barnet'?" in str(
        err.value.problems[0]
    )


def test_the_example_page_runs(tmp_path):
    text = (REPO / "docs/notebook.md").read_text("utf-8")
    (code,) = re.findall(r"```python\n(.*?)```", text, re.S)
    here = os.getcwd()
    os.chdir(REPO)
    try:
        namespace: dict = {}
        exec(
            compile(
                code.replace('"brent-older-residents.html"', repr(str(tmp_path / "b.html"))),
                "notebook.md",
                "exec",
            ),
            namespace,
        )
    finally:
        os.chdir(here)
    assert isinstance(namespace["m"], folium.Map)
    saved = (tmp_path / "b.html").read_text("utf-8")
    assert "Tuesday tablet club, Harlesden Library" in saved


def test_a_wards_neighbourhoods():
    """Kilburn (Brent): its 2021 LSOAs (the best-fit lookup, read here), each with its figure,
    and the ward's edge; a name two wards share asks for the code."""
    import pandas as pd

    from storymap.maps import neighbourhood_map

    lookup = pd.read_csv(REPO / "data/lookups/lookup_lsoa21_ward22_lad22_london_bestfit.csv")
    mine = set(lookup.loc[lookup["WD22CD"] == "E05013503", "LSOA21CD"])
    m = neighbourhood_map("E05013503", config=REPO / "site_config.yml")
    layers = [c for c in m._children.values() if isinstance(c, folium.GeoJson)]
    assert len(layers) == 2  # the neighbourhoods, then the ward's edge
    features = layers[0].data["features"]
    assert {f["properties"]["code"] for f in features} == mine
    assert all(re.fullmatch(r"-?[\d.]+%?", f["properties"]["shown"]) for f in features)
    with pytest.raises(ConfigError) as err:
        neighbourhood_map("Kilburn", config=REPO / "site_config.yml")
    assert str(err.value.problems[0]) == (
        "'Kilburn' names more than one ward: E05013503 (Brent); E05013665 (Camden). Give its code."
    )
