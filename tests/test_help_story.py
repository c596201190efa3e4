"""The chapter "Where help is, and where it is far" and help points on a story's map (issue 24,
items 5 and 6).

Every number in the chapter is recomputed here from the bundled files alone (postcodes, their
wards, the libraries open and closed), with a brute-force nearest-point search, for London and
for a five-borough build whose postcodes may find their nearest library across the border. Only
the over-65 index's ranks (which wards are in the highest-risk fifth) come from storymap.

In a browser, the help points on the chapter's map are markers a keyboard reaches, each named,
and the list under the step names exactly the points drawn.
"""

from __future__ import annotations

import html
import math
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import REPO, copy_project

from storymap.build import build
from storymap.config.load import load_config

FIVE = ["Barnet", "Brent", "Kensington and Chelsea", "Southwark", "Westminster"]
CHAPTER = "where-help-is.html"


def _text(page: Path) -> str:
    """The chapter's reader text, one space between words, without the maps' lists and tables
    (checked on their own)."""
    t = page.read_text("utf-8")
    t = t[t.index("<h1") :]
    t = re.sub(r"<details class=\"step-(help|table)\".*?</details>", " ", t, flags=re.S)
    t = re.sub(r"<script.*?</script>|<style.*?</style>", " ", t, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", t)))


def _metres(m: float) -> str:
    """A straight-line distance as the site says it (to 10 m under 1 km, else to 100 m)."""
    if m < 995:
        return f"{int(Decimal(m / 10).quantize(Decimal(1), ROUND_HALF_UP)) * 10:,} m"
    return f"{Decimal(m / 1000).quantize(Decimal('0.1'), ROUND_HALF_UP)} km"


def _pct(share: float) -> str:
    return f"{Decimal(100 * share).quantize(Decimal(1), ROUND_HALF_UP)}%"


def _nearest(xy: np.ndarray, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Brute force: for each of ``xy``, the distance to and place of its nearest point."""
    dist, idx = np.empty(len(xy)), np.empty(len(xy), int)
    for s in range(0, len(xy), 10_000):
        d = np.hypot(
            xy[s : s + 10_000, None, 0] - points[None, :, 0],
            xy[s : s + 10_000, None, 1] - points[None, :, 1],
        )
        idx[s : s + 10_000] = d.argmin(axis=1)
        dist[s : s + 10_000] = d.min(axis=1)
    return dist, idx


def expected(project: Path, boroughs: list[str] | None) -> dict:
    """The chapter's figures from the bundled files (and the index's ranks)."""
    from storymap.figures.geography import load_geography
    from storymap.figures.indicators import compute_indicators
    from storymap.figures.riskindex import compute_index

    config = load_config(project / "site_config.yml")
    geo = load_geography(config)
    index = compute_index(config, geo, compute_indicators(config, geo))
    ranks = index.result.wards["rank"]
    top = set(ranks.index[ranks <= math.ceil(0.2 * len(ranks))])

    lad = pd.read_csv(project / "data/lookups/lookup_ward22_lad22_london.csv", dtype=str)
    city = set(lad.loc[lad["LAD22CD"] == "E09000001", "WD22CD"])
    pc = pd.read_csv(project / "data/postcodes/london_postcode_wards_codepoint_2025-4.csv")
    xy = pd.read_csv(project / "data/help/london_postcode_points_codepoint_2025-4.csv.gz")
    pc = pc.merge(xy, on="postcode")
    pc["ward"] = pc["ward_code"].where(~pc["ward_code"].isin(city), "E09000001")
    codes = {n: c for c, n in geo.boroughs["name"].items()}
    area = set(codes.values())
    pc = pc[pc["ward"].isin(set(geo.wards.index))]

    libs = pd.read_csv(project / "data/help/london_libraries_open_2023.csv", dtype=str)
    inside = libs["located_district_code"].isin(area).to_numpy()
    points = libs[["easting", "northing"]].astype(float).to_numpy()
    dist, idx = _nearest(pc[["easting", "northing"]].to_numpy(float), points)
    pc = pc.assign(d=dist, outside=~inside[idx])
    g = pc.groupby("ward")
    wards = pd.DataFrame(
        {"median": g["d"].median(), "beyond": g["d"].apply(lambda d: (d > 800).mean())}
    )
    far = wards[wards.index.isin(top) & (wards["median"] > 800)]
    far = far.sort_index().sort_values("median", ascending=False, kind="stable")

    closed = pd.read_csv(project / "data/help/london_libraries_closed_2010_2023.csv", dtype=str)
    every = pd.read_csv(project / "data/postcodes/london_postcode_wards_codepoint_2025-4.csv")
    every = every.merge(xy, on="postcode")
    _d, j = _nearest(
        closed[["easting", "northing"]].astype(float).to_numpy(),
        every[["easting", "northing"]].to_numpy(float),
    )
    closed["ward"] = every["ward_code"].to_numpy()[j]
    closed["ward"] = closed["ward"].where(~closed["ward"].isin(city), "E09000001")
    closed = closed[closed["ward"].isin(set(geo.wards.index))]
    by = closed.groupby("la_name").size().sort_index().sort_values(ascending=False, kind="stable")
    cut = by.iloc[min(3, len(by)) - 1]
    return {
        "area": config.site.area.name,
        "geo": geo,
        "libraries": int(inside.sum()),
        "postcodes": len(pc),
        "median": float(pc["d"].median()),
        "beyond": float((pc["d"] > 800).mean()),
        "outside": float(pc["outside"].mean()),
        "top": len(top),
        "far": far,
        "closed": closed.sort_values(["year_closed", "name"], kind="stable"),
        "most": [(n, int(k)) for n, k in by.items() if k >= cut],
        "in_top": closed[closed["ward"].isin(top)].sort_values(
            ["year_closed", "name"], kind="stable"
        ),
    }


def _joined(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def check_chapter(site: Path, want: dict) -> None:
    text = _text(site / CHAPTER)
    area, geo = want["area"], want["geo"]
    assert (
        f"{area} has {want['libraries']} public libraries that were open at the end of 2023" in text
    )
    assert (
        f"Half of its {want['postcodes']:,} postcodes are within {_metres(want['median'])} of one "
        "in a straight line." in text
    ), text[:1500]
    assert f"For {_pct(want['beyond'])} of them the nearest is further than 800 m" in text
    # the pace the walk assumes, and its source: 800 m in 15 minutes
    assert "That is 800 m in 15 minutes, or 0.89 metres a second: between the usual walking" in text
    assert "(Asher and others, Age and Ageing, 2012)" in text
    if want["outside"] > 0:
        assert f"For {_pct(want['outside'])} of them the nearest help is across the border" in text
    else:
        assert "across the border" not in text
    far = want["far"]
    name = geo.wards["name"].astype(str)
    if len(far):
        assert (
            f"Of the {want['top']} wards in the highest-risk fifth on the over-65 index, "
            f"{len(far)} have half their postcodes more than 800 m from help" in text
        )
        five = [f"{name[c]} ({geo.wards.at[c, 'borough_name']})" for c in far.index[:5]]
        assert f"outlined on the map: {_joined(five)}." in text
        page = (site / CHAPTER).read_text("utf-8")
        table = page[page.index('class="storymap-table help-far"') :]
        cell = r"<td>(.*?)</td>"
        rows = re.findall(
            r'<tr><th scope="row"><a href="([^"]+)">(.*?)</a></th>' + cell * 3 + "</tr>", table
        )
        assert [html.unescape(r[1]) for r in rows] == [name[c] for c in far.index]
        for (href, _n, _b, median, beyond), (code, w) in zip(rows, far.iterrows(), strict=True):
            assert (site / href).is_file() and href.endswith(f"/{code}.html")
            assert (median, beyond) == (_metres(w["median"]), _pct(w["beyond"])), code
    else:
        assert f"None of the {want['top']} wards in the highest-risk fifth" in text
    closed = want["closed"]
    assert f"{len(closed)} public libraries in {area} closed between 2010 and 2023." in text
    most = _joined([f"{n} ({k})" for n, k in want["most"]])
    assert f"The boroughs that lost most were {most}." in text
    in_top = want["in_top"]
    if len(in_top):
        said = _joined(
            [
                f"{r['name']} ({name[r['ward']]}, {geo.wards.at[r['ward'], 'borough_name']}, "
                f"closed {r['year_closed']})"
                for _i, r in in_top.iterrows()
            ]
        )
        assert (
            f"{len(in_top)} of the closed libraries were in wards that are now among the "
            f"highest-risk fifth: {said}." in text
        )
    assert "all of them" not in text


def test_the_chapter_for_london_is_the_data(built_site):
    check_chapter(built_site, expected(REPO, None))


@pytest.fixture(scope="module")
def five(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("help-five") / "project")
    path = project / "site_config.yml"
    text = path.read_text("utf-8")
    text = text.replace("    boroughs: all\n", "    boroughs: [" + ", ".join(FIVE) + "]\n", 1)
    text = text.replace("    name: London\n", "    name: the five project boroughs\n", 1)
    path.write_text(text, "utf-8")
    build(load_config(path), project / "site")
    return project


def test_the_chapter_for_five_boroughs_is_the_data(five):
    want = expected(five, FIVE)
    assert want["outside"] > 0  # some postcodes' nearest library is across the border
    check_chapter(five / "site", want)


def test_each_step_lists_the_points_it_draws_in_its_image(built_site):
    """Without scripts: the step's image marks as many points as its list names."""
    page = (built_site / CHAPTER).read_text("utf-8")
    for step in re.findall(r'<section class="storymap-step".*?</section>', page, re.S):
        shown = re.search(r'data-help="(area|[\d,]*)"', step)
        listed = re.search(r"Help points on this map \((\d+)\)", step)
        assert bool(shown) == bool(listed)
        if not shown:
            continue
        if shown[1] == "area":  # every point inside the area, listed by borough
            items = re.findall(r"<li><strong>.*?</li>", step.split('class="step-help"')[1])
            n = sum(len(li.split("): ", 1)[1].split("; ")) for li in items)
        else:
            n = len(shown[1].split(","))
        assert int(listed[1]) == n
        image = re.search(r'class="step-image" src="([^"]+)"', step)[1]
        svg = (built_site / image).read_text("utf-8")
        help_marks = re.search(r'<g fill="#1a1a1a" stroke="#ffffff"[^>]*>(.*?)</g>', svg)[1]
        assert help_marks.count("<circle") == n


# ---- in a browser -----------------------------------------------------------------------


def test_help_points_on_a_chapter_map_are_named_reached_by_keyboard_and_listed(page, site_url):
    page.goto(f"{site_url}/{CHAPTER}#step-1")
    page.wait_for_function(
        "() => Number((document.querySelector('.storymap-leaflet') || {}).getAttribute"
        "('data-help-shown')) > 0",
        timeout=30000,
    )
    drawn = page.eval_on_selector_all(
        ".storymap-help-point",
        "els => els.map(e => [e.getAttribute('title'), e.getAttribute('aria-label')])",
    )
    listed = page.eval_on_selector_all(  # a view of it all: names by borough
        "#where-help-is-step-1 .step-help li",
        "els => els.map(e => e.textContent.split('): ').slice(1).join('): ').split('; '))",
    )
    listed = [name for names in listed for name in names]
    assert len(drawn) == len(listed) > 300
    # the same points, by name; each marker says what it is
    assert sorted(t for t, _a in drawn) == sorted(listed)
    assert all(a.startswith(t + ": ") and len(a) > len(t) + 8 for t, a in drawn)
    # the keyboard: from the map, Tab reaches a help point, named; Enter tells its details
    page.focus(".storymap-leaflet")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => { const a = document.activeElement;"
        " return [a.className, a.getAttribute('aria-label'), a.getAttribute('role')]; }"
    )
    assert "storymap-help-point" in focused[0] and focused[1] and focused[2] == "button"
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5000)
    assert popup.inner_text().split("\n")[0] == focused[1].split(": ")[0]
    # a step without help points shows none
    page.goto(f"{site_url}/{CHAPTER}#step-3")
    page.wait_for_function(
        "() => (document.querySelector('.storymap-leaflet') || {}).getAttribute"
        "('data-help-shown') === '0'",
        timeout=30000,
    )
    assert page.locator(".storymap-help-point").count() == 0


def _search(page, text: str) -> None:
    page.locator("#site-search-input").fill(text)
    page.wait_for_function(
        "() => { const s = document.querySelector('#site-search-status').textContent;"
        " return s && !s.startsWith('Searching') && !s.startsWith('Loading'); }",
        timeout=30000,
    )


@pytest.mark.parametrize("typed", ["Barham Community Library", "barham library", "Willesden Green"])
def test_search_finds_a_library_by_its_name(page, site_url, real_figures, typed):
    """The library's entry says what it is, its hours and where (its ward), and opens the page
    of the ward it stands in (the ward of its nearest postcode, found here by brute force)."""
    config, geo, _results, _index = real_figures
    libs = pd.read_csv(REPO / "data/help/london_libraries_open_2023.csv", dtype=str)
    words = typed.lower().replace("library", "").split()
    (lib,) = [r for _i, r in libs.iterrows() if all(w in r["name"].lower() for w in words)]
    pc = pd.read_csv(REPO / "data/postcodes/london_postcode_wards_codepoint_2025-4.csv")
    pc = pc.merge(pd.read_csv(REPO / "data/help/london_postcode_points_codepoint_2025-4.csv.gz"))
    d = np.hypot(pc["easting"] - float(lib["easting"]), pc["northing"] - float(lib["northing"]))
    ward = str(pc["ward_code"].iloc[int(d.argmin())])
    page.goto(f"{site_url}/index.html")
    _search(page, typed)
    items = page.locator("#site-search-results li")
    texts = items.all_inner_texts()
    mine = [i for i, t in enumerate(texts) if "hours a week" in t][0]  # the best match first
    text = texts[mine]
    assert text.startswith(lib["name"])
    ward_name, borough = geo.wards.at[ward, "name"], geo.wards.at[ward, "borough_name"]
    assert f"Library open {float(lib['hours_per_week']):g} hours a week, in {ward_name}, " in text
    assert f"{borough} ({lib['postcode']})" in text
    href = items.nth(mine).locator("a").get_attribute("href")
    assert href.endswith(f"/{ward}.html")


@pytest.mark.parametrize("lat, lon", [(51.5386, -0.2010), (51.4740, -0.0690), (51.6260, -0.1520)])
def test_use_my_location_names_the_nearest_help(browser, site_url, lat, lon):
    """From a position, the three nearest libraries and their straight-line distances, against
    a brute-force search on the British National Grid."""
    from pyproj import Transformer

    libs = pd.read_csv(REPO / "data/help/london_libraries_open_2023.csv", dtype=str)
    e, n = Transformer.from_crs(4326, 27700, always_xy=True).transform(lon, lat)
    d = np.hypot(libs["easting"].astype(float) - e, libs["northing"].astype(float) - n)
    order = np.argsort(d.to_numpy(), kind="stable")[:3]
    context = browser.new_context(
        geolocation={"longitude": lon, "latitude": lat}, permissions=["geolocation"]
    )
    page = context.new_page()
    page.goto(f"{site_url}/data-checks.html")
    page.click("button.search-locate")
    page.wait_for_function(
        "() => document.querySelector('#site-search-status').textContent.includes('Nearest help')",
        timeout=30000,
    )
    said = page.inner_text("#site-search-status")
    assert said.startswith("You are in ")
    told = said.split("Nearest help, in a straight line from where you are: ", 1)[1]
    for j, i in enumerate(order):
        name, metres = libs.at[i, "name"], float(d.iloc[i])
        m = re.match(re.escape(name) + r", ([\d,.]+) (m|km) \(", told)
        assert m, (j, name, told)
        shown = float(m[1].replace(",", "")) * (1000 if m[2] == "km" else 1)
        step = 10 if m[2] == "m" else 100
        assert abs(shown - metres) <= step / 2 + 0.002 * metres, (name, shown, metres)
        told = told[m.end() :].split(". ", 1)[-1]
    context.close()


def test_five_boroughs_postcode_answers_say_help_is_across_the_border(five):
    """A postcode of the five boroughs whose nearest library is outside them: its answer says
    so (the shard's help point reads "…, outside the five project boroughs")."""
    want = expected(five, FIVE)
    import json

    pc = pd.read_csv(five / "data/postcodes/london_postcode_wards_codepoint_2025-4.csv")
    xy = pd.read_csv(five / "data/help/london_postcode_points_codepoint_2025-4.csv.gz")
    pc = pc.merge(xy, on="postcode")
    pc = pc[pc["ward_code"].isin(set(want["geo"].wards.index))].iloc[::50]
    libs = pd.read_csv(five / "data/help/london_libraries_open_2023.csv", dtype=str)
    codes = set(want["geo"].boroughs.index)
    inside = libs["located_district_code"].isin(codes).to_numpy()
    dist, idx = _nearest(
        pc[["easting", "northing"]].to_numpy(float),
        libs[["easting", "northing"]].astype(float).to_numpy(),
    )
    outside = pc[~inside[idx]]
    assert len(outside) > 0
    postcode = str(outside["postcode"].iloc[0])
    lib = libs.iloc[int(idx[~inside[idx]][0])]
    outward, inward = postcode.split(" ")
    shard = json.loads((five / "site/search/postcodes" / f"{outward}.json").read_text("utf-8"))
    first = shard["h"][shard["n"][inward][0]]
    assert first[0] == lib["name"]
    assert first[1].endswith(", outside the five project boroughs")
