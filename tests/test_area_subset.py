"""Any area: the default story built for the five project boroughs only (``site.area``).

Every generated sentence and the default chapters must then speak of "the five project
boroughs", not of London or Londoners; totals are the five boroughs' own; no borough is both
among the oldest and the youngest; and the comparison with England and Wales still holds.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import yaml
from conftest import copy_project

from storymap.build import build
from storymap.config import load_config
from storymap.figures.format import approximately, format_value
from storymap.figures.geography import load_geography
from storymap.figures.indicators import compute_indicators

FIVE = ["Barnet", "Brent", "Kensington and Chelsea", "Southwark", "Westminster"]
AREA = "the five project boroughs"
# Ways a page could call the area London: a London total, "London as a whole", London's wards.
AS_LONDON = re.compile(
    r"\b(?:across|in|for|(?<!City )of|than) London\b(?! Bridge)"  # not "London Bridge" ward
    r"|(?<!City of )\bLondon(?:'s| as a whole)|\bLondoners\b|Rank in London|\(London "
)


def text_of(path: Path) -> str:
    page = path.read_text("utf-8")
    main = re.search(r"<main.*?</main>", page, re.S)
    body = re.sub(r"<(script|style|svg).*?</\1>", " ", main.group(0) if main else page, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


@pytest.fixture(scope="module")
def five(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("five") / "project")
    path = project / "site_config.yml"
    raw = yaml.safe_load(path.read_text("utf-8"))
    raw["site"]["title"] = "Older residents of the project boroughs and digital exclusion"
    raw["site"]["description"] = "Where older residents of five boroughs may be digitally excluded."
    raw["site"]["area"] = {"name": AREA, "boroughs": FIVE}
    path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), "utf-8")
    config = load_config(path)
    site = project / "site"
    build(config, site)
    geo = load_geography(config)
    return config, geo, compute_indicators(config, geo), site


def test_no_page_calls_the_five_boroughs_london(five) -> None:
    _config, _geo, _results, site = five
    pages = [
        *site.glob("*.html"),
        *(site / "boroughs").glob("*.html"),
        *list((site / "wards").rglob("*.html"))[:40],
    ]
    for page in pages:
        found = AS_LONDON.findall(text_of(page))
        assert not found, (page.relative_to(site), found)


def test_totals_are_the_five_boroughs_own(five) -> None:
    _config, geo, results, site = five
    assert sorted(geo.boroughs["name"]) == FIVE
    age = results["pct_65_plus"]
    home = text_of(site / "index.html")
    assert (
        f"About {approximately(age.area['numerator'])} people aged 65 or over lived in {AREA} "
        f"on census day in March 2021: {format_value(age.area['value'], age.spec)}"
    ) in home
    assert f"for each of the {len(geo.wards)} wards of {AREA}" in home
    intro = text_of(site / "introduction.html")
    assert "lower than the share for England and Wales as a whole (18.6%)" in intro
    ward = text_of(next((site / "wards" / "brent").glob("*.html")))
    assert f"of {len(geo.wards)}" in ward and "of 680" not in ward


def test_no_borough_is_both_oldest_and_youngest(five) -> None:
    *_, site = five
    text = text_of(site / "where-older-londoners-live.html")
    found = re.search(
        r"The boroughs with the highest shares are (.+?); the lowest are (.+?)\.", text
    )
    high = {b for b in FIVE if b in found.group(1)}
    low = {b for b in FIVE if b in found.group(2)}
    assert high and low and not high & low


def test_chapters_and_summaries_name_the_area(five) -> None:
    *_, site = five
    text = text_of(site / "combined-risk.html")
    assert f"across {AREA} as a whole" in text or f"across {AREA}:" in text
    assert f"rescales four kinds of risk from 0 to 10 across {AREA}" in text
    method = text_of(site / "method.html")
    assert f"Indicators are rescaled across all of {AREA} at once" in method
    about = text_of(site / "about-the-data.html")
    assert "merged into one unit" not in about  # the City of London is not in the area


def test_the_five_boroughs_pages_speak_plainly(five) -> None:
    """Issue 26: possessives of the area's name, no lowered names, no merge warning for a City
    the area leaves out, no developer notes on reader pages."""
    _config, _geo, _results, site = five
    pages = [*site.glob("*.html"), *(site / "boroughs").glob("*.html")]
    pages += list((site / "wards").rglob("*.html"))[:60]
    bad = ["boroughs's", "england's", "equality act", "random seed", "(DERI score (all ages))"]
    for page in pages:
        text = text_of(page)
        found = [b for b in bad if b in text]
        assert not found, (page.relative_to(site), found)
    checks = text_of(site / "data-checks.html")
    assert "merged into one unit" not in checks, "the City-merge warning, for an area without it"


def _camden_postcode_beside_brent() -> str:
    """A Camden postcode in a district (NW6) that Brent shares: its outward code is the area's."""
    import pandas as pd

    root = Path(__file__).resolve().parent.parent / "data"
    postcodes = pd.read_csv(root / "postcodes/london_postcode_wards_codepoint_2025-4.csv")
    lookup = pd.read_csv(root / "lookups/lookup_ward22_lad22_london.csv")
    borough = postcodes["ward_code"].map(
        dict(zip(lookup["WD22CD"], lookup["LAD22NM"], strict=True))
    )
    nw6 = postcodes["postcode"].str.startswith("NW6 ")
    assert (nw6 & (borough == "Brent")).any()
    return str(postcodes.loc[nw6 & (borough == "Camden"), "postcode"].iloc[0])


@pytest.mark.browser
def test_a_london_postcode_outside_the_area_names_its_borough(five, browser) -> None:
    """In a five-borough build, a City of London postcode (a district with no postcode in the
    area) and a Camden one in a district Brent shares are each answered with their borough,
    and that the site covers only its area; a postcode of a district two boroughs outside the
    area share names both; a PO box is still a PO box."""
    from conftest import serve_folder
    from test_wayfinding import _search

    _config, _geo, _results, site = five
    server, url = serve_folder(site)
    page = browser.new_page()
    try:
        page.goto(f"{url}/method.html")
        camden = _camden_postcode_beside_brent()
        for typed, said in (
            ("EC3M 1AA", "EC3M 1AA is in City of London. This site covers only " + AREA),
            ("EC2V 7HH", f"EC2V 7HH is outside {AREA}: its district, EC2V, is in City of London"),
            (camden.lower(), f"{camden} is in Camden. This site covers only {AREA}"),
            ("N1P 1AD", "N1P 1AD is a PO box, not an address"),
        ):
            _search(page, typed)
            assert page.inner_text("#site-search-status").startswith(said), typed
            assert page.locator("#site-search-results a").count() == 0
    finally:
        page.close()
        server.shutdown()
