"""Downloads: every ward is in them, they round-trip, and they agree with the pages and maps.

Uses the session's ``built_site`` (tests/conftest.py): the real site built once into tmp. The CSVs
have plain headers with units; ``by_id`` renames them to the machine ids through the data
dictionary, as a script would.
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
from map_payload import map_data

from storymap.config import load_config
from storymap.figures.format import format_value
from storymap.figures.geography import load_geography
from storymap.figures.helppoints import ATTRIBUTION
from storymap.pages.downloads.files import read_download_csv

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def config():
    return load_config(REPO / "site_config.yml")


@pytest.fixture(scope="module")
def geo(config):
    return load_geography(config)


def by_id(built_site: Path, path: Path) -> pd.DataFrame:
    """A download CSV with its columns renamed from headers to the dictionary's ids."""
    columns = read_download_csv(built_site / "downloads" / "data-dictionary.csv")
    ids = dict(zip(columns["Column"], columns["Id (GeoJSON property)"], strict=True))
    table = read_download_csv(path, dtype={"Ward code": str, "Borough code": str})
    assert set(table.columns) <= set(ids), set(table.columns) - set(ids)
    return table.rename(columns=ids)


@pytest.fixture(scope="module")
def table(built_site: Path) -> pd.DataFrame:
    return by_id(built_site, built_site / "downloads" / "london-wards.csv")


@pytest.fixture(scope="module")
def payload(built_site: Path) -> dict:
    return map_data(built_site)


def test_every_ward_is_in_the_downloads_once(built_site: Path, geo, table) -> None:
    assert sorted(table["ward_code"]) == sorted(geo.wards.index)
    parts = [
        read_download_csv(p, dtype=str)
        for p in (built_site / "downloads" / "boroughs").glob("*.csv")
    ]
    assert len(parts) == len(geo.boroughs)
    codes = pd.concat(parts)["Ward code"]
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
        rows = list(csv.reader(handle))
    assert rows[0][:4] == ["Ward code", "Ward", "Borough code", "Borough"]
    assert "Residents aged 65 and over (%)" in rows[0]
    assert "Aged 65+: rank in London (1 = most at risk)" in rows[0]
    assert "Aged 65+: residents aged 65 and over (people)" in rows[0]
    assert len(rows) == len(geo.wards) + 1  # the header and a row a ward, nothing after
    assert rows[-1][0] == geo.wards.index[-1]


@pytest.mark.browser
def test_downloads_equal_the_maps_data(table, payload, browser, site_url) -> None:
    """The map's figures as storymap.js decodes and shows them equal the CSV's, shown as the
    pages show them; so do its ranks and colour bands."""
    from map_payload import decode_page

    codes = list(table["ward_code"])
    rows = table.set_index("ward_code").loc[codes]
    figures = {
        ind_id: [None if pd.isna(v) else float(v) for v in rows[ind_id]]
        for ind_id in payload["indicators"]
    }
    decoded = decode_page(browser, site_url)
    assert decoded["data"]["wards"]["codes"] == codes
    for ind_id, ind in decoded["data"]["indicators"].items():
        assert ind_id in rows.columns
        spec = SimpleNamespace(unit=ind["unit"], decimals=ind["decimals"])
        csv = [format_value(v, spec) for v in figures[ind_id]]
        assert decoded["shown"][ind_id] == csv, f"{ind_id}: CSV and map differ"
        assert ind["rank"] == [int(r) for r in rows[f"{ind_id}_rank"]]
        k = len(ind["bands"])  # band 1 is the most at risk, colour 0 the least
        assert [k - c for c in ind["colour"]] == [int(b) for b in rows[f"{ind_id}_band"]]


def test_downloads_equal_the_pages(built_site: Path, table, payload) -> None:
    rows = table.set_index("ward_code")
    pages = {p.stem: p for p in (built_site / "wards").rglob("*.html")}
    for code, row in rows.iterrows():
        text = pages[code].read_text("utf-8")
        body = re.search(r'<table class="storymap-indicators[^"]*">.*?</table>', text, re.S).group(
            0
        )
        cells = {
            html.unescape(label): (html.unescape(value), int(rank))
            for label, value, rank in re.findall(
                r"<th scope=.row.>(.*?)</th><td>(.*?)</td><td>(?:joint )?(\d+)(?:st|nd|rd|th) of",
                body,
            )
        }
        for ind_id, ind in payload["indicators"].items():
            spec = SimpleNamespace(unit=ind["unit"], decimals=ind["decimals"])
            shown, rank = cells[ind["label"]]
            assert shown == format_value(row[ind_id], spec), (code, ind_id)
            assert rank == row[f"{ind_id}_rank"], (code, ind_id)
        count_65 = f"{int(row['pct_65_plus_numerator']):,}"
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
        assert props["pct_65_plus_numerator"] == row["pct_65_plus_numerator"]
        assert f["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_dictionary_describes_every_column(built_site: Path, table) -> None:
    dictionary = read_download_csv(built_site / "downloads" / "data-dictionary.csv")
    assert list(dictionary.columns) == [
        "Tables",
        "Column",
        "Id (GeoJSON property)",
        "Meaning",
        "Unit",
        "Source",
        "Licence",
    ]
    assert set(table.columns) <= set(dictionary["Id (GeoJSON property)"])
    figures = dictionary[~dictionary["Unit"].eq("text")]
    assert figures["Licence"].notna().all() and figures["Source"].notna().all()
    page = (built_site / "downloads.html").read_text("utf-8")
    assert "Data dictionary" in page and "pct_65_plus_numerator" in page
    assert "Residents aged 65 and over (%)" in page


def test_every_map_links_to_an_existing_download(built_site: Path) -> None:
    checked = 0
    for page in [
        *built_site.glob("*.html"),
        *(built_site / "boroughs").glob("*.html"),
        *(built_site / "wards").rglob("*.html"),
    ][:120]:
        text = page.read_text("utf-8")
        for block in re.findall(r'<p class="storymap-download">.*?</p>', text, re.S):
            for href in re.findall(r'href="([^"]+)"', block):
                assert (page.parent / html.unescape(href)).resolve().is_file(), (page, href)
                checked += 1
    assert checked > 0
    index = (built_site / "index.html").read_text("utf-8")
    if "storymap-figure" in index:
        assert "storymap-download" in index


def test_counts_are_whole_people_and_figures_keep_full_precision(built_site: Path, table) -> None:
    text = (built_site / "downloads" / "london-wards.csv").read_text("utf-8-sig")
    header = next(csv.reader(text.splitlines()))
    counts = [i for i, h in enumerate(header) if h.endswith("(people)")]
    assert counts
    for row in list(csv.reader(text.splitlines()[1:])):
        for i in counts:
            assert re.fullmatch(r"\d+", row[i]), (header[i], row[i])  # 1619, never 1619.0
    assert (table["older_income_deprived_numerator"] % 1 == 0).all()
    brent = table[table["borough_name"] == "Brent"]
    assert (brent["pct_65_plus"].round(1) != brent["pct_65_plus"]).any()  # not rounded


def every_csv(folder: Path) -> list[Path]:
    return [
        *folder.glob("*.csv"),
        *(folder / "boroughs").glob("*.csv"),
        *(folder / "neighbourhoods").glob("*.csv"),
        *sorted((folder / "wards").glob("*.csv"))[:20],
    ]


MACHINE_HEADER = re.compile(r"[a-z0-9]+(_[a-z0-9]+)+")  # pct_65_plus: an id, not a header
NUMBER = re.compile(r"-?\d+(\.\d+)?([eE]-?\d+)?")


def test_every_csv_is_rows_of_data_under_plain_headers(built_site: Path) -> None:
    """A spreadsheet can sort every CSV: no licence line among the rows, every row as long as
    the header, headers in words, numbers written as numbers (unquoted), one value a cell."""
    paths = every_csv(built_site / "downloads")
    assert any(p.parent.name == "neighbourhoods" for p in paths)
    for path in paths:
        text = path.read_text("utf-8-sig")
        rows = list(csv.reader(text.splitlines()))
        quoted = list(csv.reader(text.splitlines(), quoting=csv.QUOTE_NONNUMERIC))  # floats
        header, body = rows[0], rows[1:]
        assert body, path.name
        for h in header:
            assert not MACHINE_HEADER.fullmatch(h), (path.name, h)
        for n, row in enumerate(body, start=2):
            assert len(row) == len(header), (path.name, n, row)  # the last row too: data
            for h, cell, parsed in zip(header, row, quoted[n - 1], strict=True):
                if NUMBER.fullmatch(cell) and not h.endswith("code") and "Postcode" not in h:
                    assert isinstance(parsed, float), (path.name, n, h, cell)  # unquoted
                assert not re.fullmatch(r"-?\d+\.\d+ -?\d+\.\d+.*", cell), (path.name, h, cell)
        table = read_download_csv(path)
        assert len(table) == len(body), path.name
        numeric = [h for h in header if h.endswith(("(%)", "(people)", "(metres, straight line)"))]
        for h in numeric:
            assert pd.api.types.is_numeric_dtype(table[h]), (path.name, h)


def test_neighbourhood_csvs_give_one_2011_figure_a_cell(built_site: Path) -> None:
    """A 2021 neighbourhood made from two 2011 ones has each 2011 figure in a column of its
    own, beside the code of the 2011 neighbourhood it is for."""
    tables = [read_download_csv(p) for p in (built_site / "downloads/neighbourhoods").glob("*.csv")]
    table = pd.concat(tables)
    firsts = [h for h in table.columns if h.endswith(", 2011 neighbourhood 1")]
    assert firsts, list(table.columns)
    second = firsts[0].replace(" 1", " 2")
    assert pd.api.types.is_numeric_dtype(table[second])
    merged = table[table[second].notna()]
    assert 0 < len(merged) < len(table)  # 22 in London at this writing
    code2 = [h for h in table.columns if h.endswith("2011 neighbourhood 2 code")][0]
    assert merged[code2].str.fullmatch(r"E0\d{7}").all()


def test_every_download_carries_the_attribution(built_site: Path, config) -> None:
    """The sources and licences sit in a file beside the CSVs (never a row of theirs), linked
    from the downloads page; GeoJSON files carry them as members."""
    folder = built_site / "downloads"
    sources = read_download_csv(folder / "sources-and-licences.csv", dtype=str)
    assert list(sources.columns) == ["Source", "Publisher", "Date", "Licence", "Attribution"]
    assert set(sources["Source"]) >= {s.title for s in config.sources.values()}
    assert ATTRIBUTION in set(sources["Attribution"])  # the help points' credit
    for s in config.sources.values():
        row = sources[sources["Source"] == s.title].iloc[0]
        assert (row["Licence"], row["Attribution"]) == (s.licence, s.attribution)
    page = (built_site / "downloads.html").read_text("utf-8")
    assert 'href="downloads/sources-and-licences.csv"' in page
    for path in [folder / "london-wards.geojson", *(folder / "boroughs").glob("*.geojson")]:
        collection = json.loads(path.read_text("utf-8"))
        assert collection["attribution"].startswith(config.site.attribution), path.name
        assert "Open Government Licence v3.0" in collection["licence"]


def test_workbook_has_a_sheet_per_level_and_an_about_sheet(
    built_site: Path, config, geo, table
) -> None:
    from openpyxl import load_workbook

    book = load_workbook(built_site / "downloads" / "london.xlsx")
    assert book.sheetnames == ["Wards", "Boroughs", "London", "Help points", "Columns", "About"]
    wards = book["Wards"]
    header = [c.value for c in wards[1]]
    assert header[:4] == ["Ward code", "Ward", "Borough code", "Borough"]
    assert wards.max_row == len(geo.wards) + 1 and wards.freeze_panes == "A2"
    col = header.index("Residents aged 65 and over (%)") + 1
    second = wards.cell(row=2, column=col)
    assert second.number_format == "#,##0.0"  # shown as the site shows it…
    assert second.value == pytest.approx(table["pct_65_plus"].iloc[0], abs=0)  # …full value kept
    assert wards.cell(row=2, column=1).value == table["ward_code"].iloc[0]  # codes as text
    boroughs = book["Boroughs"]
    assert boroughs.max_row == len(geo.boroughs) + 1
    assert [c.value for c in book["London"][2]][0] == "London"
    about = [[c.value for c in row] for row in book["About"].iter_rows()]
    flat = " ".join(str(v) for row in about for v in row if v)
    assert config.site.attribution in flat
    for source in config.sources.values():
        assert [
            source.title,
            source.publisher,
            source.vintage,
            source.licence,
            source.attribution,
        ] in about, source.title
    columns = [c.value for c in book["Columns"][1]]
    assert columns[:3] == ["Tables", "Column", "Id (GeoJSON property)"]


def test_a_ward_page_offers_its_own_figures(built_site: Path, table) -> None:
    page = (built_site / "wards" / "southwark" / "E05011112.html").read_text("utf-8")
    href = re.search(r'href="([^"]*E05011112\.csv)"', page).group(1)
    own = by_id(built_site, built_site / "wards" / "southwark" / href)
    assert len(own) == 1 and own["ward_code"].iloc[0] == "E05011112"
    row = table.set_index("ward_code").loc["E05011112"]
    assert own.iloc[0]["risk_index"] == row["risk_index"]
    assert own.iloc[0]["risk_index_rank_worst"] == row["risk_index_rank_worst"]
    assert "workbook (Excel)" in page and "every ward of Southwark (CSV)" in page


def test_a_new_indicators_counts_get_headers_in_words() -> None:
    """An indicator added without numerator/denominator labels still gets plain headers: from
    its label when that says who is counted, else words that say what each count is."""
    from storymap.pages.downloads.tables import count_labels

    def spec(label: str, num: str | None = None, den: str | None = None) -> SimpleNamespace:
        return SimpleNamespace(label=label, numerator_label=num, denominator_label=den)

    assert count_labels(spec("Residents aged 85 and over")) == (
        "residents aged 85 and over",
        "all residents",
    )
    assert count_labels(spec("Households without a car")) == (
        "households without a car",
        "all households",
    )
    assert count_labels(spec("Share claiming Pension Credit")) == (
        "people in the group",
        "all people the share is of",
    )
    assert count_labels(spec("Residents aged 85 and over", "aged 85+", "everyone")) == (
        "aged 85+",
        "everyone",
    )
