"""The map's files split by what a map shows (storymap.pages.maps.files), and what Chromium loads.

London's shapes fit the overview at full detail, so it has no tiles; a site whose overview must
be simplified further (here: London with the overview's byte limit lowered, as England's wards
would need) gets one tile per borough at full detail, which the map fetches only when it is
zoomed in on them, and from which Storymap.wardAt finds the ward holding a point. Pages without
a map load no Leaflet file at all.
"""

from __future__ import annotations

import html as htmllib
import json
import re
import shutil
from pathlib import Path

import pytest
import shapely
from conftest import REPO, serve_folder

import storymap.pages.maps.files as mapfiles
from storymap.pages.maps.assets import data_payload
from storymap.pages.maps.files import level_payloads, write_map_files

ASSETS = REPO / "storymap" / "assets"


@pytest.fixture(scope="module")
def london(real_figures):
    config, geo, results, _index = real_figures
    return config, geo, results


@pytest.fixture(scope="module")
def coarse(london, tmp_path_factory):
    """London's map files with the overview limited to 12,000 gzip bytes (about 400 m), and a
    small map showing them (about 350 m a pixel for the whole area)."""
    config, geo, results = london
    limit = mapfiles.OVERVIEW_BYTES
    mapfiles.OVERVIEW_BYTES = 12_000
    try:
        levels = level_payloads(config, geo)
    finally:
        mapfiles.OVERVIEW_BYTES = limit
    folder = tmp_path_factory.mktemp("coarse")
    files = write_map_files(levels, data_payload(config, geo, results), folder)
    import xstatic.pkg.leaflet as xleaflet

    assets = folder / "assets" / "storymap"
    shutil.copytree(xleaflet.BASE_DIR, assets / "leaflet")
    shutil.copyfile(ASSETS / "storymap.js", assets / "storymap.js")
    settings = json.dumps(
        {"indicator": "pct_65_plus", "focus": None, "highlight": [], "basemap": None}
    )
    (folder / "map.html").write_text(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>map</title>"
        "<link rel='stylesheet' href='assets/storymap/leaflet/leaflet.css'>"
        f"<link rel='preload' href='{files.index}' as='fetch' crossorigin='anonymous' "
        "data-storymap='index'></head><body>"
        f"<div class='storymap-leaflet' id='m' data-map='{settings}' "
        "style='width:200px;height:150px'></div>"
        "<script src='assets/storymap/leaflet/leaflet.js'></script>"
        "<script src='assets/storymap/storymap.js'></script></body></html>",
        "utf-8",
    )
    server, url = serve_folder(folder)
    yield levels, files, url, folder
    server.shutdown()


def test_london_fits_the_overview_at_full_detail(london):
    config, geo, _results = london
    levels = level_payloads(config, geo)
    assert levels["metres"] == config.geography.simplify_metres
    assert levels["tiles"] == []


def test_a_coarser_overview_has_a_tile_per_borough(london, coarse):
    config, geo, _results = london
    levels, files, _url, _folder = coarse
    assert levels["metres"] > 4 * config.geography.simplify_metres
    assert len(levels["tiles"]) == len(files.tiles) == len(geo.boroughs)
    ids = [i for _bbox, tile in levels["tiles"] for i in tile["ids"]]
    assert sorted(ids) == list(range(len(geo.wards)))  # every ward in one tile
    boroughs = list(geo.wards["borough_code"])
    for b, (bbox, tile) in enumerate(levels["tiles"]):
        assert {boroughs[i] for i in tile["ids"]} == {geo.boroughs.index[b]}
        west, south, east, north = geo.wards.iloc[tile["ids"]].total_bounds
        assert bbox[0] <= west and bbox[1] <= south and bbox[2] >= east and bbox[3] >= north


@pytest.mark.browser
def test_tiles_load_only_when_zoomed_in_and_find_wards(browser, london, coarse):
    _config, geo, _results = london
    _levels, files, url, _folder = coarse
    context = browser.new_context(viewport={"width": 800, "height": 600})
    page = context.new_page()
    fetched: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: fetched.append(r.url.rsplit("/", 1)[-1]))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{url}/map.html")
    page.wait_for_selector(".storymap-leaflet[data-drawn]")
    page.wait_for_timeout(300)
    assert not [f for f in fetched if f.startswith("tile-")]  # the whole area: the overview
    points = page.evaluate("Object.values(Storymap.maps)[0].layers[0].getLatLngs().flat(3).length")
    borough = geo.boroughs.index[5]
    page.evaluate("b => Object.values(Storymap.maps)[0].setFocus(b, false)", borough)
    page.wait_for_function(
        "() => performance.getEntriesByType('resource').some(e => e.name.includes('/tile-5.'))"
    )
    page.wait_for_timeout(500)
    tiles = {f.split(".")[0] for f in fetched if f.startswith("tile-")}
    assert "tile-5" in tiles and len(tiles) < len(geo.boroughs) / 2  # what is in view
    first = [i for i, b in enumerate(geo.wards["borough_code"]) if b == borough][0]
    more = page.evaluate(
        "i => Object.values(Storymap.maps)[0].layers[i].getLatLngs().flat(3).length", first
    )
    assert more > 0 and points > 0
    # a point well inside each of 30 wards is found in that ward, from the tiles' shapes
    inside = geo.wards.geometry.iloc[::23].representative_point()
    for i, point in zip(range(0, len(geo.wards), 23), inside, strict=True):
        assert page.evaluate("([x, y]) => Storymap.wardAt(x, y)", [point.x, point.y]) == i
    assert page.evaluate("Storymap.wardAt(-3.0, 53.0)") == -1  # far outside London
    assert errors == []
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize(
    "page_path",
    [
        "data-checks.html",
        "places.html",
        "wards/camden/E05013660.html",
        "boroughs/camden.html",
        "boroughs/index.html",
    ],
)
def test_a_page_without_a_map_loads_no_leaflet_file(browser, site_url, built_site, page_path):
    assert (built_site / page_path).is_file()
    context = browser.new_context()
    page = context.new_page()
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))
    page.goto(f"{site_url}/{page_path}", wait_until="load")
    page.wait_for_timeout(300)
    assert any(u.endswith("theme.css") for u in fetched)  # the page did load its files
    assert [u for u in fetched if "leaflet" in u or "/map/" in u] == []
    context.close()


@pytest.mark.browser
def test_a_chapter_loads_leaflet_and_only_its_first_views_files(browser, site_url):
    context = browser.new_context()
    page = context.new_page()
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url.rsplit("/", 1)[-1]))
    page.goto(f"{site_url}/introduction.html")
    page.wait_for_selector(".storymap-leaflet[data-drawn]")
    page.wait_for_timeout(300)
    assert "leaflet.js" in fetched and "leaflet.css" in fetched
    assert len([f for f in fetched if f.startswith("index.")]) == 1  # preloaded, used once
    assert not [f for f in fetched if f.startswith(("names.", "tile-"))]
    context.close()


def test_the_index_names_every_tile_and_its_borough(coarse):
    _levels, files, _url, folder = coarse
    index = json.loads((folder / files.index).read_text("utf-8"))
    names = [f"tile-{b}.{index['tilesHash']}.json" for b in range(len(index["tiles"]))]
    assert names == [Path(f).name for f in files.tiles]
    wards = [b for b, n in index["wards"]["borough"] for _ in range(n)]
    assert len(wards) == sum(len(tile["ids"]) for _bbox, tile in coarse[0]["tiles"])
    for b, (_bbox, tile) in enumerate(coarse[0]["tiles"]):
        assert {wards[i] for i in tile["ids"]} == {b}
    assert index["overview"]["metres"] > 0


def test_tile_bounds_are_whole_thousandths_that_hold_their_wards(london, coarse):
    _config, geo, _results = london
    levels, files, _url, folder = coarse
    index = json.loads((folder / files.index).read_text("utf-8"))
    for (west, south, width, height), (_bbox, tile) in zip(
        index["tiles"], levels["tiles"], strict=True
    ):
        assert all(isinstance(v, int) for v in (west, south, width, height))
        w, s, e, n = geo.wards.iloc[tile["ids"]].total_bounds
        assert west / 1000 <= w and south / 1000 <= s
        assert (west + width) / 1000 >= e and (south + height) / 1000 >= n


def test_borough_names_are_one_file_every_chapter_shares(built_site, london):
    """The boroughs' names and places on the live maps are in one map file (fetched when a
    view of the whole area shows them, and cached for every other chapter), not in each page."""
    _config, geo, _results = london
    named = {}
    for page in built_site.glob("*.html"):
        for double, single in re.findall(
            r"""data-map=(?:"([^"]*)"|'([^']*)')""", page.read_text("utf-8")
        ):
            labels = json.loads(htmllib.unescape(double or single)).get("labels")
            if labels:
                named[page.name] = labels["boroughs"]
    assert len(named) >= 6 and len(set(named.values())) == 1, named
    name = next(iter(named.values()))
    assert isinstance(name, str) and name.startswith("labels.")
    rows = json.loads((built_site / "assets/storymap/map" / name).read_text("utf-8"))
    assert sorted(r[0] for r in rows) == list(range(len(geo.boroughs)))  # each borough once
    for b, lat, lon, *offsets in rows:
        assert len(offsets) % 2 == 0 and len(offsets) <= 8
        points = [(lat, lon)] + [
            (lat + offsets[k], lon + offsets[k + 1]) for k in range(0, len(offsets), 2)
        ]
        borough = shapely.union_all(
            geo.wards.geometry[geo.wards["borough_code"] == geo.boroughs.index[b]].to_numpy()
        )
        for y, x in points:  # inside the borough (to within about 100 m)
            assert borough.buffer(0.001).contains(shapely.Point(x / 1e4, y / 1e4)), (b, y, x)
    first_area = (built_site / "where-older-londoners-live.html").read_text("utf-8")
    assert f'href="assets/storymap/map/{name}" as="fetch"' in first_area  # preloaded there


def test_an_indicator_ships_figures_not_ranks():
    """Ranks are rebuilt in the browser from the figures as shown (equal figures share the
    lowest rank, as the pages rank them), so the file carries no ranks, and ranks that are not
    those of the shown figures are refused rather than shipped wrong."""
    from storymap.pages.maps.codec import encode_indicator
    from storymap.pages.maps.files import VALUES

    part = encode_indicator([3.0, 2.04, 2.0449, 1.0], 1, [1, 2, 2, 4], [2, 1, 1, 0], 3, True)
    assert set(part) == set(VALUES) and "ties" not in part
    assert part["bands"] == [1, 2, 1]
    with pytest.raises(ValueError, match="ranks are not those of the figures as shown"):
        encode_indicator([3.0, 2.04, 2.0449, 1.0], 1, [1, 2, 3, 4], [2, 1, 1, 0], 3, True)
