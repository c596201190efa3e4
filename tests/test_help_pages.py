"""Help points on the pages: each ward page's "Where to get help nearby" (issue 24, item 3).

Built from the real bundled data; a team's own help point, placed at the middle of a ward's
addresses, must be that ward's nearest help, shown as text (escaped), with its distance said to
be a straight line."""

from __future__ import annotations

import html
import re
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pytest
from conftest import REPO, copy_project, run_cli
from pyproj import Transformer

from storymap.figures.help import compute_help
from storymap.pages.helptext import distance_text


@pytest.mark.parametrize(
    "metres, shown",
    [(0, "0 m"), (4.9, "0 m"), (5, "10 m"), (454.9, "450 m"), (455, "460 m"), (994, "990 m"),
     (995, "1.0 km"), (1449, "1.4 km"), (1450, "1.5 km"), (12_345, "12.3 km")],
)  # fmt: skip
def test_distances_are_rounded_once_as_a_reader_says_them(metres, shown):
    assert distance_text(metres) == shown


def _ward_page(site, code: str) -> str:
    (page,) = site.glob(f"wards/*/{code}.html")
    return page.read_text("utf-8")


def _help_section(text: str) -> str:
    start = text.index('id="where-to-get-help-nearby"')
    return text[start : text.index("<h2", start + 10)]


def test_a_teams_help_point_shows_on_its_wards_page(tmp_path):
    project = copy_project(tmp_path / "p")
    points = pd.read_csv(
        project / "data/help/london_postcode_points_codepoint_2025-4.csv.gz", dtype=str
    )
    wards = pd.read_csv(
        project / "data/postcodes/london_postcode_wards_codepoint_2025-4.csv", dtype=str
    )
    ward = "E05011095"  # Borough & Bankside, Southwark
    mine = points.merge(wards, on="postcode")
    mine = mine[mine["ward_code"] == ward]
    e = mine["easting"].astype(float).mean()
    n = mine["northing"].astype(float).mean()
    lon, lat = Transformer.from_crs(27700, 4326, always_xy=True).transform(e, n)
    name = "Tea & <b>tablets</b>"
    (project / "data/help/ours.csv").write_text(
        "name,latitude,longitude,when,contact\n"
        f'"{name}",{lat:.6f},{lon:.6f},Tuesdays 10-12,020 7946 0000\n',
        "utf-8",
    )
    with (project / "site_config.yml").open("a", encoding="utf-8") as fh:
        fh.write("\nhelp:\n  files: [data/help/ours.csv]\n")
    done = run_cli("build", cwd=project)
    assert done.returncode == 0, done.stderr
    section = _help_section(_ward_page(project / "site", ward))
    first = re.search(r"<li>(.*?)</li>", section, re.S)[1]
    assert html.escape(name) in first and "<b>tablets" not in section
    assert "Tuesdays 10-12" in first and "020 7946 0000" in first
    assert "in a straight line" in section
    assert int(re.search(r"</strong>, (\d+) m \(", first)[1]) <= 20


def test_ward_help_figures_are_the_data(built_site):
    """Every ward page's section says what the help figures computed from the data say."""
    from storymap.config.load import load_config
    from storymap.figures.geography import load_geography

    config = load_config(REPO / "site_config.yml")
    help_ = compute_help(config, load_geography(config))
    rng = np.random.default_rng(24)
    for code in rng.choice(help_.wards.index.to_numpy(), 12, replace=False):
        row = help_.wards.loc[code]
        section = html.unescape(re.sub(r"<[^>]+>", "", _help_section(_ward_page(built_site, code))))
        nearest = help_.points.iloc[int(row["near_1"])]
        assert str(nearest["name"]) in section
        assert f"{nearest['name']}, {distance_text(row['near_1_m'])} (" in section
        assert f"within {distance_text(row['median_m'])} of help in a straight line" in section
        share = f"{Decimal(100 * row['beyond_share']).quantize(Decimal(1), ROUND_HALF_UP)}%"
        assert f"{share} are further than 800 m" in section, (code, share)
        assert "straight line" in section


def _borough_section(site, slug: str) -> str:
    text = (site / "boroughs" / f"{slug}.html").read_text("utf-8")
    start = text.index('id="where-help-is-and-where-it-is-far"')
    return html.unescape(re.sub(r"<[^>]+>", "", text[start : text.index("<h2", start + 10)]))


@pytest.mark.parametrize("slug", ["barking-and-dagenham", "southwark", "brent", "westminster"])
def test_borough_help_sentences_are_the_data(built_site, slug):
    """Closures counted from the bundled file itself; far wards from the help figures."""
    from storymap.config.load import load_config
    from storymap.figures.geography import load_geography

    closed = pd.read_csv(REPO / "data/help/london_libraries_closed_2010_2023.csv", dtype=str)
    config = load_config(REPO / "site_config.yml")
    geo = load_geography(config)
    (code,) = [c for c, n in geo.boroughs["name"].items() if re.sub(r"\W+", "-", n.lower()) == slug]
    name = str(geo.boroughs.at[code, "name"])
    section = _borough_section(built_site, slug)
    mine = closed[closed["la_code"] == code]
    if len(mine):
        assert f"{len(mine)} of its public librar" in section and "closed in 2010–2023" in section
        for lib in mine["name"]:
            assert lib in section
    else:
        assert f"No public library in {name} closed in 2010–2023" in section
    opened = pd.read_csv(REPO / "data/help/london_libraries_open_2023.csv", dtype=str)
    n_open = int((opened["located_district_code"] == code).sum())  # where each library stands
    assert f"has {n_open} public librar" in section, section[:200]


@pytest.mark.parametrize("typed", ["nw67ta", "SE1 7PB"])
def test_a_postcode_search_names_the_nearest_help(page, site_url, typed) -> None:
    """The postcode answer names its three nearest help points with straight-line distances,
    checked against a brute-force search over the bundled libraries written here."""
    key = re.sub(r"\s+", "", typed).upper()
    key = key[:-3] + " " + key[-3:]
    points = pd.read_csv(REPO / "data/help/london_postcode_points_codepoint_2025-4.csv.gz")
    here = points.set_index("postcode").loc[key, ["easting", "northing"]].to_numpy(float)
    libraries = pd.read_csv(REPO / "data/help/london_libraries_open_2023.csv")
    xy = libraries[["easting", "northing"]].to_numpy(float)
    metres = np.sqrt(((xy - here) ** 2).sum(axis=1))
    order = np.argsort(metres, kind="stable")[:3]
    page.goto(f"{site_url}/method.html")
    box = page.locator("#site-search-input")
    box.focus()
    page.keyboard.type(typed)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('#site-search-status').textContent.includes('Nearest help')",
        timeout=45000,
    )
    status = page.inner_text("#site-search-status")
    assert status.startswith(f"{key} is in ") and "in a straight line" in status
    said = re.split(r"(?<=\))\. ", status.split("Nearest help, in a straight line: ", 1)[1])
    assert len(said) == 3, said
    for text, i in zip(said, order, strict=True):
        name = str(libraries.iloc[i]["name"])
        assert text.startswith(f"{name}, {distance_text(float(metres[i]))} (library open "), (
            text,
            metres[i],
        )


def test_the_postcode_files_distance_codes_say_the_same_as_the_pages():
    """search.js writes a code out as c * 10 m or (c - 100) / 10 km: the same text as the
    pages' distance_text, for every distance up to 20 km."""
    from storymap.pages.helptext import distance_code

    for metres in np.arange(0, 20_000, 0.7):
        c = distance_code(float(metres))
        shown = f"{c * 10} m" if c < 100 else f"{(c - 100) / 10:.1f} km"
        assert shown == distance_text(float(metres)), metres
