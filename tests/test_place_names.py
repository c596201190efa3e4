"""The names people use for where they live (OS Open Names: "Soho", "St John's Wood"), in the
search box, in Chromium: each answers with the ward its point lies in, found here by
point-in-polygon on the bundled ward boundaries, and the wards around it; a name used twice asks
which."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from test_wayfinding import _search

from storymap.config import load_config
from storymap.figures.geography import load_geography
from storymap.pages.places.search import fold, ward_page

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parent.parent
PLACES = REPO / "data/places/london_place_names_os_open_names.csv"
WARDS = REPO / "data/boundaries/london_wards_2022_bsc_citymerged_4326.geojson"
# the 20 names the data collection's PROVENANCE.md checks by hand (places/checks_test_names.csv)
NAMES = [
    "Peckham", "St John's Wood", "Notting Hill", "Wembley", "Brixton", "Marylebone", "Kilburn",
    "Rotherhithe", "Golders Green", "Mill Hill", "Maida Vale", "Camberwell", "Earl's Court",
    "Bermondsey", "Hendon", "Harlesden", "Soho", "Mayfair", "Pimlico", "Dulwich",
]  # fmt: skip


@pytest.fixture(scope="module")
def geo():
    return load_geography(load_config(REPO / "site_config.yml"))


@pytest.fixture(scope="module")
def expected() -> dict[str, str]:
    """Each name's ward: the ward polygon holding its OS point, by shapely, from the files."""
    from pyproj import Transformer
    from shapely.geometry import Point, shape

    places = pd.read_csv(PLACES, dtype={"borough_code": str})
    to_lonlat = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    wards = [
        (f["properties"]["WD22CD"], shape(f["geometry"]))
        for f in json.loads(WARDS.read_text("utf-8"))["features"]
    ]
    out = {}
    for name in NAMES:
        rows = places[places["name"] == name]
        assert len(rows) == 1, name  # none of the 20 is used twice
        point = Point(*to_lonlat.transform(rows["easting"].iloc[0], rows["northing"].iloc[0]))
        holding = [code for code, poly in wards if poly.contains(point)]
        assert len(holding) == 1, (name, holding)
        out[name] = holding[0]
    return out


def _results(page) -> list[tuple[str, str, str]]:
    items = page.locator("#site-search-results li:not(.search-more)")
    return [
        (
            item.locator("a").inner_text(),
            item.locator("a").get_attribute("href"),
            item.locator(".search-where").inner_text(),
        )
        for item in items.all()
    ]


def test_a_place_name_answers_with_its_ward_and_the_wards_around(page, site_url, geo, expected):
    page.goto(f"{site_url}/index.html")
    for name in NAMES:
        code = expected[name]
        ward = str(geo.wards.at[code, "name"])
        _search(page, name)
        got = _results(page)
        mine = [
            r
            for r in got
            if r[1].endswith(ward_page(geo, code))
            and r[0] in (name, ward)
            and r[2].startswith(("Place in", "Ward in"))  # not a library of that name
        ]
        assert mine, (name, ward, got)
        title, _href, where = mine[0]
        if fold(ward) == fold(name):  # the place is the ward of that name: the ward answers
            assert title == ward and where.startswith("Ward in"), (name, got)
            continue
        borough = str(geo.wards.at[code, "borough_name"])
        assert title == name, (name, got)
        assert where.startswith(f"Place in {borough}, centred in {ward} ward; around it: "), where
        around = where.split("around it: ")[1].split(", ")
        assert 1 <= len(around) <= 2 and ward not in around, where


def test_a_name_used_twice_lists_each_with_its_borough(page, site_url) -> None:
    page.goto(f"{site_url}/index.html")
    _search(page, "Hayes")
    places = [r for r in _results(page) if r[0] == "Hayes" and r[2].startswith("Place in")]
    assert {r[2].split(",")[0] for r in places} == {"Place in Hillingdon", "Place in Bromley"}
    assert places[0][1] != places[1][1]  # two wards: the reader picks


def test_a_typed_variant_of_a_place_name_finds_it(page, site_url) -> None:
    page.goto(f"{site_url}/index.html")
    for typed in ("st johns wood", "Saint John's Wood", "soho"):
        _search(page, typed)
        titles = [r[0] for r in _results(page)]
        assert titles and titles[0] in ("St John's Wood", "Soho"), (typed, titles)
