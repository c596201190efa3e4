"""The full build from the bundled data: pages, maps, figures in the prose, no third-party hosts."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import REPO

from storymap.config import chapter_slug, load_config

CONFIG = load_config(REPO / "site_config.yml")
CHAPTERS = [chapter_slug(ch) for ch in CONFIG.chapters]


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.lang: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        # Resources the browser fetches by itself; a reader's own click on <a href> is not one.
        keys = ("src", "srcset", "data", "poster") + (("href",) if tag == "link" else ())
        for key in keys:
            if attrs.get(key):
                self.urls.append(attrs[key])


def test_every_page_is_built(built_site: Path):
    assert (built_site / "index.html").is_file()
    for slug in CHAPTERS:
        assert (built_site / f"{slug}.html").is_file(), slug


@pytest.mark.parametrize("slug", ["index", *CHAPTERS[:-1]])
def test_every_story_page_has_a_map(built_site: Path, slug: str):
    html = (built_site / f"{slug}.html").read_text()
    assert 'class="storymap-leaflet"' in html
    assert "data-map=" in html


def test_numbers_in_the_prose_match_the_data(built_site: Path):
    home = (built_site / "index.html").read_text()
    assert "About <strong>1.04 million</strong> people aged 65 or over lived in\nLondon" in home
    assert "11.9% of its\nabout 8.8 million residents" in home
    places = (built_site / "where-older-londoners-live.html").read_text()
    assert "Darwin (Bromley)" in places  # highest share aged 65+ (ONS best-fit ward table)


def test_about_page_lists_every_source_and_licence(built_site: Path):
    about = (built_site / "about-the-data.html").read_text()
    for source in CONFIG.sources.values():
        assert source.publisher.split(" (")[0].replace("&", "&amp;") in about
    assert "Open Government Licence v3.0" in about
    # the help points' data is not a config source: its attribution (services/PROVENANCE.md)
    assert "Arts Council England (Libraries Basic Dataset 2023)" in about
    assert "cleaned and enhanced by Libraries Hacked" in about


def test_no_page_links_to_a_third_party_host(built_site: Path):
    """Every resource a page loads (src, <link href>, CSS url()) is on the site itself."""
    for page in built_site.rglob("*.html"):
        parser = _Links()
        parser.feed(page.read_text())
        assert parser.lang, f"{page.name} has no lang"
        external = [u for u in parser.urls if re.match(r"^(https?:)?//", u)]
        assert external == [], f"{page.name}: {external}"
    for asset in list(built_site.rglob("*.css")):
        text = asset.read_text(errors="replace")
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", text), asset
        assert "@import" not in text or "//" not in text.split("@import", 1)[1][:80], asset


def test_leaflet_is_served_from_the_site_and_no_cdn_library_is(built_site: Path):
    assert (built_site / "assets/storymap/leaflet/leaflet.js").is_file()
    text = "".join(p.read_text() for p in built_site.glob("*.html"))
    for name in ("jquery", "bootstrap", "font-awesome", "d3.min.js", "fonts.googleapis"):
        assert name not in text.lower(), name


@pytest.mark.browser
def test_map_data_covers_every_ward(browser, site_url):
    """As storymap.js decodes the compact map scripts (tests/test_map_assets.py compares the
    figures and shapes with Python's)."""
    from map_payload import decode_page

    decoded = decode_page(browser, site_url)
    payload, geo = decoded["data"], decoded["geo"]
    assert len(payload["wards"]["codes"]) == 680
    for ind in CONFIG.indicator_ids:
        assert len(payload["indicators"][ind]["values"]) == 680
    assert [w["c"] for w in geo["wards"]] == payload["wards"]["codes"]
