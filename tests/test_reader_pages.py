"""Reader pages speak plain English: no notes meant for developers, no machine ids in prose,
no figures typed by hand, counts as whole people.

Developer notes live in data/SOURCES.md and the code; the phrases below were once on reader
pages (issue 15). Every built page is read (the session's ``built_site``).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from conftest import REPO

from storymap.build import indicators
from storymap.config import load_config
from storymap.figures.format import format_value
from storymap.figures.geography import load_geography

DEVELOPER_NOTES = [
    "technical report when it can be read",
    "Check against the IoD",
    "unshrunk",
    "unofficial",
    "bundled file",
    "idaopi_rate",
    "SOURCES.md",
    "This is a bug",
    "UNVERIFIED",
    "TODO",
    "[G]",
    "Around 1,043,331",
]


def visible_text(path: Path) -> str:
    page = path.read_text("utf-8")
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<title>.*?</title>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.fixture(scope="module")
def texts(built_site: Path) -> dict[str, str]:
    return {str(p.relative_to(built_site)): visible_text(p) for p in built_site.rglob("*.html")}


def test_no_developer_notes_on_any_reader_page(texts) -> None:
    assert len(texts) >= 725
    found = {
        (page, phrase)
        for page, text in texts.items()
        for phrase in DEVELOPER_NOTES
        if phrase.lower() in text.lower()
    }
    assert not found, sorted(found)[:10]
    notes = (REPO / "data" / "SOURCES.md").read_text("utf-8")
    for phrase in ("unshrunk", "unofficial", "technical report when it can be read"):
        assert phrase in notes, f"{phrase!r} should be kept in data/SOURCES.md"


def test_no_fractional_people_and_no_figures_typed_by_hand(texts) -> None:
    for page, text in texts.items():
        people = re.findall(r"\b\d{1,3}(?:,\d{3})*\.\d+ (?:people|residents)\b", text)
        assert not people, (page, people[:3])
    assert "about 3.0" not in texts["combined-risk.html"]
    assert "About 1.04 million people aged 65 or over" in " ".join(texts["index.html"].split())


def test_every_indicator_says_what_a_high_value_means(texts) -> None:
    config = load_config(REPO / "site_config.yml")
    ward = texts["wards/southwark/E05011112.html"]
    for ind in config.indicators:
        meaning = re.search(r"\bhigh(er)? (share|score)s? means?\b", ind.description, re.I)
        assert meaning, ind.id
        assert " ".join(ind.description.split()) in " ".join(ward.split()), ind.id


def test_the_method_page_gets_inputs_vintages_and_scaling_right(texts) -> None:
    method = " ".join(texts["method.html"].split())
    assert "income data for 2015/16" in method
    assert "Indices of Deprivation 2019" in method and "Indices of Deprivation 2025" in method
    assert "DERI rescales within each area" not in method
    assert "GMCA's national version, scaled across England" in method
    assert "how many older people live in the ward" not in method
    assert "How not to use this index" in method


def test_chapters_lead_with_the_over_65_index(texts) -> None:
    config = load_config(REPO / "site_config.yml")
    geo = load_geography(config)
    results, index = indicators(config, geo)
    res = index.result
    for chapter in ("combined-risk.html", "project-boroughs.html"):
        text = " ".join(texts[chapter].split())
        assert "over-65" in text and "all-age" in text, chapter
    boroughs = " ".join(texts["project-boroughs.html"].split())
    for name in config.site.focus_boroughs:
        code = geo.boroughs.index[geo.boroughs["name"] == name][0]
        mine = res.wards.loc[geo.wards.index[geo.wards["borough_code"] == code], "value"]
        top = geo.wards.at[mine.idxmax(), "name"]
        shown = format_value(res.boroughs.at[code, "value"], res.spec)
        assert f"On the over-65 index {name} averages {shown}" in boroughs, name
        assert f"Its highest-risk wards are {top}" in boroughs, name
