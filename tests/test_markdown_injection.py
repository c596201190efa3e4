"""Markdown in a data value shows as its characters in chapter prose, never as a link, an image
or an attribute list.

The wards of Kensington and Chelsea (named in chapter prose by ``highest(…, borough=…) | names``)
get names holding Markdown and HTML, in the boundaries and the ward lookup; one chapter also
prints a ward's ``.name`` and the ward itself. The site builds (so the built-HTML check found
nothing to refuse), and the chapters, parsed as a browser parses them, hold the names as text.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import copy_built
from selectolax.lexbor import LexborHTMLParser

from storymap.build import build
from storymap.config import load_config

PAYLOAD = " [x](javascript:alert(1)){: onmouseover=alert(2) } ![t](https://evil.example/t.png) *b*"
BOROUGH = "Kensington and Chelsea"
BOUNDARIES = "data/boundaries/london_wards_2022_bsc_citymerged_4326.geojson"
LOOKUP = "data/lookups/lookup_ward22_lad22_london.csv"
CHAPTER = "chapters/05-connectivity.md"


def rename(project: Path) -> dict[str, str]:
    path = project / BOUNDARIES
    data = json.loads(path.read_text("utf-8"))
    names = {}
    for feature in data["features"]:
        props = feature["properties"]
        if props["LAD22NM"] == BOROUGH:
            props["WD22NM"] += PAYLOAD
            names[props["WD22CD"]] = props["WD22NM"]
    path.write_text(json.dumps(data), "utf-8")
    lookup = pd.read_csv(project / LOOKUP, dtype=str, keep_default_na=False)
    lookup["WD22NM"] = lookup["WD22CD"].map(names).fillna(lookup["WD22NM"])
    lookup.to_csv(project / LOOKUP, index=False, lineterminator="\n")
    return names


@pytest.fixture(scope="module")
def site(tmp_path_factory, built_project) -> tuple[Path, dict[str, str]]:
    project = copy_built(built_project, tmp_path_factory.mktemp("mdinject") / "project")
    names = rename(project)
    code = sorted(names)[0]
    chapter = project / CHAPTER
    chapter.write_text(
        chapter.read_text("utf-8") + f'\nNamed: {{{{ ward("{code}").name }}}}. As a ward: '
        f'{{{{ ward("{code}") }}}}. Upper: {{{{ ward("{code}").name | upper }}}}.\n',
        "utf-8",
    )
    build(load_config(project / "site_config.yml"), project / "site")
    return project / "site", names


@pytest.mark.parametrize("page", ["where-older-londoners-live.html", "connectivity.html"])
def test_names_in_prose_are_text(site, page):
    folder, names = site
    tree = LexborHTMLParser((folder / page).read_text("utf-8"))
    article = tree.css_first("article")
    assert article.css('a[href*="javascript"]') == []
    assert article.css("img[src*='evil.example']") == []
    assert [n for n in article.css("*") if "onmouseover" in n.attributes] == []
    text = article.text()
    shown = [name for name in names.values() if name in text]
    assert shown, "a Kensington and Chelsea ward is named in the prose"


def test_a_wards_name_printed_directly_is_text(site):
    folder, names = site
    text = (
        LexborHTMLParser((folder / "connectivity.html").read_text("utf-8"))
        .css_first("article")
        .text()
    )
    name = names[sorted(names)[0]]
    assert f"Named: {name}." in text
    assert f"As a ward: {name}." in text
    assert f"Upper: {name.upper()}." in text  # a filter's plain string is text too
