"""Downloads: every ward is in them, they round-trip, and they agree with the pages and maps.

Uses the session's ``built_site`` (tests/conftest.py): the real site built once into tmp.
"""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from storymap.config import load_config
from storymap.figures.geography import load_geography
from storymap.figures.indicators import format_value

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def config():
    return load_config(REPO / "site_config.yml")


@pytest.fixture(scope="module")
def geo(config):
    return load_geography(config)


@pytest.fixture(scope="module")
def table(built_site: Path) -> pd.DataFrame:
    return pd.read_csv(built_site / "downloads" / "london-wards.csv", encoding="utf-8-sig",
                       dtype={"ward_code": str, "borough_code": str})


@pytest.fixture(scope="module")
def payload(built_site: Path) -> dict:
    (script,) = (built_site / "assets" / "storymap").glob("data.*.js")
    text = script.read_text("utf-8")
    return json.loads(text[text.index("=") + 1 : text.rindex(";")])


def test_every_ward_is_in_the_downloads_once(built_site: Path, geo, table) -> None:
    assert sorted(table["ward_code"]) == sorted(geo.wards.index)
    parts = [pd.read_csv(p, encoding="utf-8-sig", dtype=str)
             for p in (built_site / "downloads" / "boroughs").glob("*.csv")]
    assert len(parts) == len(geo.boroughs)
    codes = pd.concat(parts)["ward_code"]
    assert codes.is_unique and sorted(codes) == sorted(geo.wards.index)
    features = json.loads((built_site / "downloads" / "london-wards.geojson").read_text("utf-8"))
    assert sorted(f["properties"]["ward_code"] for f in features["features"]) == sorted(
        geo.wards.index
    )


def test_csv_opens_cleanly_and_round_trips(built_site: Path, geo, table) -> None:
    raw = (built_site / "downloads" / "london-wards.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark for Excel"
    first = raw.decode("utf-8-sig").splitlines()[1]
    assert re.match(r'^"E0[59]\d{6}","', first), "codes are written as quoted text"
    assert list(table["ward_code"]) == list(geo.wards.index)  # codes unchanged, same order
    assert list(table["ward_name"]) == [str(n) for n in geo.wards["name"]]
    assert "St Pancras & Somers Town" in set(table["ward_name"])
    with open(built_site / "downloads" / "london-wards.csv", encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle))
    assert header[:4] == ["ward_code", "ward_name", "borough_code", "borough_name"]


@pytest.mark.browser
def test_downloads_equal_the_maps_data(table, payload, browser, site_url) -> None:
    """The map's figures as storymap.js decodes and shows them equal the CSV's, shown as the
    pages show them; so do its ranks and colour bands."""
    from map_payload import decode_page

    codes = list(table["ward_code"])
    rows = table.set_index("ward_code").loc[codes]
    figures = {ind_id: [None if pd.isna(v) else float(v) for v in rows[ind_id]]
               for ind_id in payload["indicators"]}
    decoded = decode_page(browser, site_url)
    assert decoded["data"]["wards"]["codes"] == codes
    for ind_id, ind in decoded["data"]["indicators"].items():
        assert ind_id in rows.columns
        spec = SimpleNamespace(unit=ind["unit"], decimals=ind["decimals"])
        csv = [format_value(v, spec) for v in figures[ind_id]]
        assert decoded["shown"][ind_id] == csv, f"{ind_id}: CSV and map differ"
        assert ind["rank"] == [int(r) for r in rows[f"{ind_id}_rank"]]
        assert [c + 1 for c in ind["colour"]] == [int(b) for b in rows[f"{ind_id}_band"]]


def test_downloads_equal_the_pages(built_site: Path, table, payload) -> None:
    rows = table.set_index("ward_code")
    pages = {p.stem: p for p in (built_site / "wards").rglob("*.html")}
    for code, row in rows.iterrows():
        text = pages[code].read_text("utf-8")
        body = re.search(r'<table class="storymap-indicators">.*?</table>', text, re.S).group(0)
        cells = {
            html.unescape(label): (html.unescape(value), int(rank))
            for label, value, rank in re.findall(
                r"<th scope=.row.>(.*?)</th><td>(.*?)</td><td>(\d+) of", body
            )
        }
        for ind_id, ind in payload["indicators"].items():
            spec = SimpleNamespace(unit=ind["unit"], decimals=ind["decimals"])
            shown, rank = cells[ind["label"]]
            assert shown == format_value(row[ind_id], spec), (code, ind_id)
            assert rank == row[f"{ind_id}_rank"], (code, ind_id)
        count_65 = f"{row['pct_65_plus_numerator']:,.0f}"
        assert f"<td>{count_65} (" in text, f"{code}: 65+ count differs from the download"


def test_geojson_properties_equal_the_csv(built_site: Path, table) -> None:
    features = json.loads(
        (built_site / "downloads" / "boroughs" / "camden-wards.geojson").read_text("utf-8")
    )["features"]
    camden = table[table["borough_name"] == "Camden"].set_index("ward_code")
    assert len(features) == len(camden)
    for f in features:
        props = f["properties"]
        row = camden.loc[props["ward_code"]]
        assert props["pct_65_plus"] == row["pct_65_plus"]
        assert f["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_dictionary_describes_every_column(built_site: Path, table) -> None:
    dictionary = pd.read_csv(built_site / "downloads" / "data-dictionary.csv",
                             encoding="utf-8-sig")
    assert list(dictionary.columns) == ["column", "meaning", "unit", "source", "licence"]
    assert set(dictionary["column"]) == set(table.columns)
    assert dictionary["licence"].notna().all() and dictionary["source"].notna().all()
    page = (built_site / "downloads.html").read_text("utf-8")
    assert "Data dictionary" in page and "pct_65_plus_numerator" in page


def test_every_map_links_to_an_existing_download(built_site: Path) -> None:
    checked = 0
    for page in [*built_site.glob("*.html"), *(built_site / "boroughs").glob("*.html"),
                 *(built_site / "wards").rglob("*.html")][:120]:
        text = page.read_text("utf-8")
        for block in re.findall(r'<p class="storymap-download">.*?</p>', text, re.S):
            for href in re.findall(r'href="([^"]+)"', block):
                assert (page.parent / html.unescape(href)).resolve().is_file(), (page, href)
                checked += 1
    assert checked > 0
    index = (built_site / "index.html").read_text("utf-8")
    if "storymap-figure" in index:
        assert "storymap-download" in index
