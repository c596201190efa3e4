"""Round once: a sample of wards' figures read the same wherever they appear.

For every ward of Brent (whose 65+ share, 11.6497%, was shown as 11.6% in its chapter and 11.7%
on its pages when figures were rounded twice), the 76 wards tied at 100%, and a spread of others,
each indicator's figure is looked up on the ward's page, in its borough page's table, in the
map data script (decoded here from the payload, as storymap.js decodes it), in every chapter
step's table and summary that names the ward, and in the CSV (formatted from its full value);
all must equal the figure formatted once from the build's own full value.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from conftest import REPO
from map_payload import map_data
from test_downloads import by_id

from storymap.build import indicators
from storymap.config import load_config
from storymap.figures.format import format_value
from storymap.figures.geography import load_geography
from storymap.pages.maps.codec import ALPHABET
from storymap.pages.places.profiles import slug

DIGIT = {ch: d for d, ch in enumerate(ALPHABET)}


@pytest.fixture(scope="module")
def computed():
    config = load_config(REPO / "site_config.yml")
    geo = load_geography(config)
    results, _index = indicators(config, geo)
    return config, geo, results


@pytest.fixture(scope="module")
def sample(computed) -> list[str]:
    _config, geo, results = computed
    brent = list(geo.wards.index[geo.wards["borough_name"] == "Brent"])
    income = results["older_income_deprived"].wards
    tied = list(income.index[income["rank"] == 1][:10])
    spread = list(geo.wards.index[::45])
    return list(dict.fromkeys([*brent, *tied, *spread, "E05011112"]))


def numbers(text: str) -> list[int]:
    """storymap.js's varint decoder, in Python."""
    out, value, unit = [], 0, 1
    for ch in text:
        d = DIGIT[ch]
        if d >= 32:
            value += (d - 32) * unit
            unit *= 32
        else:
            out.append(value + d * unit)
            value, unit = 0, 1
    return out


def map_figures(built_site: Path) -> dict[str, list[str]]:
    """Each indicator's figures as the map shows them, decoded from the map files."""
    payload = map_data(built_site)
    out = {}
    for ind_id, ind in payload["indicators"].items():
        figure, shown = 0, []
        for n in numbers(ind["values"]):
            figure += -(n + 1) // 2 if n % 2 else n // 2
            shown.append(figure)
        places = ind["places"]
        text_of = [
            f"{v / 10**places:,.{places}f}" + ("%" if ind["unit"] == "percent" else "")
            for v in shown
        ]
        out[ind_id] = text_of
    return out


def cells(table_html: str) -> dict[str, list[str]]:
    """Row header text -> the row's cell texts."""
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table_html, re.S):
        head = re.search(r"<th[^>]*scope=.row.[^>]*>(.*?)</th>", row, re.S)
        if head:
            name = html.unescape(re.sub(r"<[^>]+>", "", head.group(1))).strip()
            rows[name] = [
                html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
                for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            ]
    return rows


def test_every_place_shows_the_same_figure(built_site: Path, computed, sample) -> None:
    config, geo, results = computed
    expected = {
        ind: {c: format_value(res.wards.at[c, "value"], res.spec) for c in sample}
        for ind, res in results.items()
    }
    seen = {
        "ward page": 0,
        "borough page": 0,
        "map data": 0,
        "step table": 0,
        "step summary": 0,
        "csv": 0,
    }

    # the CSV, formatted from its full values
    table = by_id(built_site, built_site / "downloads" / "london-wards.csv").set_index("ward_code")
    for ind, res in results.items():
        for c in sample:
            assert format_value(table.at[c, ind], res.spec) == expected[ind][c], (ind, c)
            seen["csv"] += 1

    # the map data script
    shown = map_figures(built_site)
    order = list(geo.wards.index)
    for ind in results:
        for c in sample:
            assert shown[ind][order.index(c)] == expected[ind][c], (ind, c)
            seen["map data"] += 1

    # ward pages and their boroughs' tables
    labels = {res.spec.label: ind for ind, res in results.items()}
    for c in sample:
        borough = geo.wards.at[c, "borough_name"]
        page = (built_site / "wards" / slug(borough) / f"{c}.html").read_text("utf-8")
        body = re.search(r'<table class="storymap-indicators[^"]*">.*?</table>', page, re.S).group(
            0
        )
        for label, row in cells(body).items():
            assert row[0] == expected[labels[label]][c], (c, label)
            seen["ward page"] += 1
        bpage = (built_site / "boroughs" / f"{slug(borough)}.html").read_text("utf-8")
        btable = re.search(r'<table class="storymap-sortable[^"]*">.*?</table>', bpage, re.S).group(
            0
        )
        heads = [html.unescape(h) for h in re.findall(r"<th scope='col'[^>]*>(.*?)</th>", btable)]
        row = cells(btable)[geo.wards.at[c, "name"]]
        for ind, res in results.items():
            assert row[heads.index(res.spec.short) - 1] == expected[ind][c], (c, ind)
            seen["borough page"] += 1

    # chapter steps: tables of the wards in view, and summaries naming a ward
    shorts = {res.spec.short: ind for ind, res in results.items()}
    names = {c: str(geo.wards.at[c, "name"]) for c in sample}
    for chapter in built_site.glob("*.html"):
        text = chapter.read_text("utf-8")
        for caption, body in re.findall(
            r'<table class="storymap-table storymap-sortable"><caption>(.*?)</caption>(.*?)'
            r"</table>",
            text,
            re.S,
        ):
            short, _, where = html.unescape(caption).partition(": wards of ")
            if not where:
                continue
            rows = cells(body)
            for c in sample:
                if geo.wards.at[c, "borough_name"] == where and names[c] in rows:
                    assert rows[names[c]][0] == expected[shorts[short]][c], (chapter.name, c)
                    seen["step table"] += 1
        for summary in re.findall(r'<p class="step-summary">(.*?)</p>', text, re.S):
            summary = html.unescape(summary)
            ind = next(
                (
                    i
                    for label, i in sorted(labels.items(), key=lambda x: -len(x[0]))
                    if summary.startswith(label)
                ),
                None,
            )
            named = re.findall(
                r"(?:Highest|Lowest) ward: (.+?) \(([^()]+)\), (.+?)\.(?: |$)", summary
            )
            named += re.findall(r"^[^:]+: (.+?) \(([^()]+)\) (\S+), ranked", summary)
            for name, borough, figure in named:
                for c in sample:
                    if names[c] == name and geo.wards.at[c, "borough_name"] == borough:
                        assert figure == expected[ind][c], (chapter.name, summary)
                        seen["step summary"] += 1
    assert all(seen.values()), seen


def test_brent_shows_one_figure_everywhere(built_site: Path, computed) -> None:
    """Brent's share aged 65 and over is 11.6497%: 11.6% on its page, in the chapters and in
    the borough table of the downloads (which keeps the full value)."""
    _config, geo, results = computed
    value = results["pct_65_plus"].boroughs.at["E09000005", "value"]
    assert 11.6497 < value < 11.6498
    page = (built_site / "boroughs" / "brent.html").read_text("utf-8")
    compare = re.search(r'<table class="storymap-borough-compare[^"]*">.*?</table>', page, re.S)
    assert cells(compare.group(0))["Residents aged 65 and over"][0] == "11.6%"
    chapter = (built_site / "project-boroughs.html").read_text("utf-8")
    assert "(11.6%, against 11.9% across London)" in chapter
    boroughs = by_id(built_site, built_site / "downloads" / "london-boroughs.csv")
    row = boroughs.set_index("borough_code").loc["E09000005"]
    assert row["pct_65_plus"] == pytest.approx(value, abs=1e-9)


def test_shown_values_in_bulk_round_as_each_figure_is_shown():
    """shown_values rounds a whole array at once (the index's 500 reweightings band the shown
    scores): every figure equals shown()'s, halves, negative zero and the float nearest a half
    (2.675) included."""
    from types import SimpleNamespace

    import numpy as np

    from storymap.figures.format import shown
    from storymap.figures.indicators import shown_values

    rng = np.random.default_rng(7)
    values = np.concatenate(
        [
            rng.normal(0, 50, 50_000),
            rng.uniform(-3, 3, 50_000),
            rng.integers(-1000, 1000, 4000) / 200,
            rng.integers(-1000, 1000, 4000) / 2000,
            [np.nan, np.inf, -np.inf, -0.0, -0.004, 2.675, 0.5, -0.5, 1.5, 2.5, 1e17, 5e-324],
        ]
    )
    for digits in (0, 1, 2, 3):
        fast = shown_values(values, SimpleNamespace(unit="score", decimals=digits))
        slow = np.array(
            [float(f) if (f := shown(v, digits)) is not None else np.nan for v in values]
        )
        assert np.array_equal(fast, slow, equal_nan=True), digits
        assert not np.signbit(fast[fast == 0]).any()
