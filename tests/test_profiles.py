"""Ward and borough profile pages: one page per ward and borough, escaped, with a true locator.

Uses the session's ``built_site`` (tests/conftest.py): the real site built once into tmp.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import MultiPolygon, Polygon

from storymap.config import load_config
from storymap.figures.geography import load_geography
from storymap.figures.indicators import compute_indicators
from storymap.pages.maps.svg import Projection
from storymap.pages.places.profiles import profile_pages
from storymap.pages.places.ward import aliases

REPO = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def geo():
    return load_geography(load_config(REPO / "site_config.yml"))


def ward_pages(site: Path) -> dict[str, Path]:
    return {p.stem: p for p in (site / "wards").rglob("*.html")}


def svgs(html_text: str, css_class: str) -> list[ET.Element]:
    """Every inline <svg> of a class, parsed as XML (fails if any text was left unescaped)."""
    found = re.findall(rf'<svg[^>]*class="{css_class}".*?</svg>', html_text, flags=re.S)
    return [ET.fromstring(s) for s in found]


def test_every_ward_has_exactly_one_page(built_site: Path, geo) -> None:
    files = list((built_site / "wards").rglob("*.html"))
    codes = [p.stem for p in files]
    assert len(codes) == len(set(codes)), "a ward code has more than one page"
    assert sorted(codes) == sorted(geo.wards.index)
    assert len(codes) == 680
    for code, path in ward_pages(built_site).items():
        assert f"<code>{code}</code>" in path.read_text("utf-8")


def test_every_borough_has_a_page_with_a_sortable_table(built_site: Path, geo) -> None:
    pages = sorted(p for p in (built_site / "boroughs").glob("*.html") if p.name != "index.html")
    assert len(pages) == len(geo.boroughs) == 33
    camden = (built_site / "boroughs" / "camden.html").read_text("utf-8")
    table = re.search(
        r'<table class="storymap-sortable[^"]*">.*?</table>', camden, flags=re.S
    ).group(0)
    n_wards = int((geo.wards["borough_name"] == "Camden").sum())
    assert table.count("<tr>") == n_wards + 1
    assert "data-sort-type='number'" in table
    assert "sortable.js" in camden
    assert (built_site / "assets" / "storymap" / "sortable.js").is_file()
    city = (built_site / "boroughs" / "city-of-london.html").read_text("utf-8")
    assert "City of London" in city


def test_pages_escape_names_and_graphics_are_well_formed(built_site: Path) -> None:
    page = (built_site / "wards" / "camden" / "E05013669.html").read_text("utf-8")
    assert "St Pancras &amp; Somers Town" in page
    assert "Also known as" in page and "St Pancras and Somers Town" in page
    for css in ("storymap-locator", "storymap-strip"):
        for svg in svgs(page, css):  # parsing as XML proves every & < ' was escaped
            assert svg.get("role") == "img" and svg.get("aria-label")
            assert svg.find(f"{SVG}title") is not None


def test_raw_data_strings_never_reach_the_page_unescaped(geo) -> None:
    config = load_config(REPO / "site_config.yml")
    results = compute_indicators(config, geo)
    hostile = geo.wards.copy()
    code = hostile.index[0]
    hostile.loc[code, "name"] = "<script>alert('x')</script> & \"Co\""
    geo2 = type(geo)(wards=hostile, boroughs=geo.boroughs, lookups=geo.lookups)
    pages = profile_pages(config, geo2, results)
    texts = "".join(p.markdown for p in pages)
    assert "<script>alert" not in texts
    assert "&lt;script&gt;alert" in texts


def _polygon_from_path(d: str) -> Polygon | MultiPolygon:
    rings = []
    for sub in re.findall(r"M([^Z]*)Z", d):
        pts = [tuple(map(float, xy.split(","))) for xy in sub.split()]
        rings.append(Polygon(pts))
    shape = rings[0]
    for ring in rings[1:]:
        shape = shape.symmetric_difference(ring)
    return shape


@pytest.mark.parametrize("code", ["E05013669", "E05013628", "E09000001"])
def test_locator_outlines_the_ward(built_site: Path, geo, code: str) -> None:
    path = ward_pages(built_site)[code]
    (svg,) = svgs(path.read_text("utf-8"), "storymap-locator")
    marked = [p for p in svg.iter(f"{SVG}path") if p.get("class") == "this-ward"]
    assert len(marked) == 1 and marked[0].get("data-code") == code
    drawn = _polygon_from_path(marked[0].get("d"))

    borough = geo.wards.at[code, "borough_code"]
    mine = geo.wards[geo.wards["borough_code"] == borough]
    projected = gpd.GeoSeries(mine.geometry, crs=geo.wards.crs).to_crs(27700)
    proj = Projection.fit(tuple(projected.total_bounds))

    def to_view(geom):
        from shapely import transform

        return transform(geom, lambda xy: proj.points(xy))

    expected = to_view(projected[code])
    iou = drawn.intersection(expected).area / drawn.union(expected).area
    assert iou > 0.97, f"locator outline of {code} does not match its boundary (IoU {iou:.3f})"
    others = [to_view(g) for c, g in projected.items() if c != code]
    for other in others:
        assert drawn.intersection(other).area / drawn.area < 0.05
    drawn_codes = {p.get("data-code") for p in svg.iter(f"{SVG}path")}
    assert drawn_codes == set(mine.index), "the locator should show every ward of the borough"


def test_aliases_cover_apostrophes_ampersands_and_saint() -> None:
    assert "Kings Cross" in aliases("King's Cross")
    assert "St Pancras and Somers Town" in aliases("St Pancras & Somers Town")
    assert "Saint Pancras and Somers Town" in aliases("St Pancras & Somers Town")
    assert "Sainte Genevieve" in aliases("Sainte Geneviève")
    assert aliases("Barnet Vale") == []


def test_ward_page_shows_counts_comparison_and_story_links(built_site: Path) -> None:
    page = (built_site / "wards" / "barnet" / "E05013628.html").read_text("utf-8")
    assert "residents are aged 65 or over" in page
    assert "Residents aged 75 and over" in page
    assert "of 680" in page  # London rank
    assert 'href="../../boroughs/barnet.html"' in page
    assert 'href="../../downloads/boroughs/barnet-wards.csv"' in page
    assert 'href="../../introduction.html"' in page or "In the story" in page
    for shape in ("●", "■", "◆"):  # the dot strip names each mark in text, not colour alone
        assert shape in page


@pytest.mark.browser
def test_search_finds_a_ward_by_partial_name_and_opens_it(site_url: str, page) -> None:
    page.goto(f"{site_url}/index.html")
    box = page.locator("#site-search-input")
    box.click()
    box.fill("st pancras")
    result = page.locator("#site-search-results a", has_text="St Pancras").first
    result.wait_for(timeout=45000)
    result.click()
    page.wait_for_url(re.compile(r"wards/camden/E05013669\.html"))
    assert "St Pancras & Somers Town" in page.locator("h1").first.inner_text()

    page.goto(f"{site_url}/index.html")
    page.locator("#site-search-input").fill("Kings Cross")
    hit = page.locator("#site-search-results a", has_text="King's Cross").first
    hit.wait_for(timeout=45000)


@pytest.mark.browser
def test_borough_table_sorts_by_keyboard(site_url: str, page) -> None:
    page.goto(f"{site_url}/boroughs/camden.html")
    table = page.locator("table.storymap-sortable")
    button = table.locator("thead th button").nth(1)
    button.focus()
    page.keyboard.press("Enter")
    th = table.locator("thead th").nth(1)
    assert th.get_attribute("aria-sort") == "ascending"
    page.keyboard.press("Enter")
    assert th.get_attribute("aria-sort") == "descending"
    values = [
        float(v)
        for v in table.locator("tbody tr td:nth-child(2)").evaluate_all(
            "cells => cells.map(c => c.getAttribute('data-sort'))"
        )
    ]
    assert values == sorted(values, reverse=True)
