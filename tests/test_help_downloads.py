"""Help points in the downloads (issue 24, items 7 and 8): a CSV, a GeoJSON and a workbook sheet
of the help points with the library data's attribution, and each ward's distance figures in the
ward tables, checked against the bundled files."""

from __future__ import annotations

import json

import numpy as np
import openpyxl
import pandas as pd
import pytest
from conftest import REPO

from storymap.figures.helppoints import ATTRIBUTION
from storymap.pages.downloads.files import read_download_csv

LIBRARIES = REPO / "data/help/london_libraries_open_2023.csv"


@pytest.fixture(scope="module")
def libraries() -> pd.DataFrame:
    return pd.read_csv(LIBRARIES, dtype=str, keep_default_na=False)


def test_help_points_csv_is_every_library_with_its_attribution(built_site, libraries):
    path = built_site / "downloads/london-help-points.csv"
    table = read_download_csv(path, dtype={"Postcode": str})
    assert len(table) == len(libraries)
    assert list(table["Name"]) == list(libraries["name"])
    assert list(table["Postcode"]) == list(libraries["postcode"])
    assert np.allclose(table["Latitude"], libraries["latitude"].astype(float), atol=1e-6)
    assert set(table["Kind"]) == {"Public library"}
    assert (table["In the area"] == "yes").all()
    hours = pd.to_numeric(libraries["hours_per_week"], errors="coerce")
    assert np.allclose(table["Hours open a week"], hours, equal_nan=True)
    assert table.iloc[-1]["Name"] == libraries["name"].iloc[-1]  # the last row is a library
    sources = read_download_csv(built_site / "downloads/sources-and-licences.csv", dtype=str)
    credit = sources[sources["Source"] == "Help points"]
    assert list(credit["Attribution"]) == [ATTRIBUTION] and "Libraries Hacked" in ATTRIBUTION


def test_help_points_geojson_has_the_points_and_attribution(built_site, libraries):
    data = json.loads((built_site / "downloads/london-help-points.geojson").read_text("utf-8"))
    assert ATTRIBUTION in data["attribution"]
    assert len(data["features"]) == len(libraries)
    first = data["features"][0]
    assert first["geometry"]["type"] == "Point"
    lon, lat = first["geometry"]["coordinates"]
    assert (round(lat, 5), round(lon, 5)) == (
        round(float(libraries.at[0, "latitude"]), 5),
        round(float(libraries.at[0, "longitude"]), 5),
    )
    assert first["properties"]["name"] == libraries.at[0, "name"]


def test_workbook_has_a_help_points_sheet_and_the_attribution(built_site, libraries):
    wb = openpyxl.load_workbook(built_site / "downloads/london.xlsx", read_only=True)
    assert "Help points" in wb.sheetnames
    rows = list(wb["Help points"].iter_rows(values_only=True))
    assert rows[0][0] == "Name" and len(rows) == len(libraries) + 1
    about = " ".join(str(v) for row in wb["About"].iter_rows(values_only=True) for v in row if v)
    assert "Libraries Hacked" in about
    wards = list(wb["Wards"].iter_rows(values_only=True))
    assert "Help: half the postcodes within (metres, straight line)" in wards[0]


def test_ward_tables_carry_each_wards_distance_to_help(built_site, real_figures):
    """The ward CSV's help columns: median and share beyond 800 m, from the postcodes by brute
    force for a sample of wards."""
    config, geo, _results, _index = real_figures
    table = read_download_csv(built_site / "downloads/london-wards.csv", dtype={"Ward code": str})
    by_code = table.set_index("Ward code")
    pc = pd.read_csv(REPO / "data/postcodes/london_postcode_wards_codepoint_2025-4.csv")
    xy = pd.read_csv(REPO / "data/help/london_postcode_points_codepoint_2025-4.csv.gz")
    pc = pc.merge(xy, on="postcode")
    libs = pd.read_csv(LIBRARIES)[["easting", "northing"]].to_numpy(float)
    rng = np.random.default_rng(7)
    for code in rng.choice([c for c in geo.wards.index if c.startswith("E05")], 15, replace=False):
        mine = pc[pc["ward_code"] == code][["easting", "northing"]].to_numpy(float)
        d = np.hypot(mine[:, None, 0] - libs[None, :, 0], mine[:, None, 1] - libs[None, :, 1])
        nearest = d.min(axis=1)
        row = by_code.loc[code]
        assert row["Help: half the postcodes within (metres, straight line)"] == pytest.approx(
            np.median(nearest), abs=0.01
        )
        assert row["Help: postcodes further than 800 m (%)"] == pytest.approx(
            100 * (nearest > 800).mean(), abs=1e-6
        )
        assert isinstance(row["Help: nearest help point"], str)
    # a ward's own CSV has the same columns
    one = built_site / "downloads/wards" / f"{code}.csv"
    assert "Help: nearest help point" in read_download_csv(one).columns


def test_downloads_page_links_the_help_points(built_site):
    text = (built_site / "downloads.html").read_text("utf-8")
    assert 'href="downloads/london-help-points.csv"' in text
    assert 'href="downloads/london-help-points.geojson"' in text
    assert "Libraries Hacked" in text
