"""storymap's own site theme: navigation that stays small on 700+ pages, contents that work
without JavaScript and on a phone, and a search box used from the keyboard."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from storymap.output.weight import KB

CAMDEN_WARD = "wards/camden/E05013660.html"


def _wide_nav(html: str) -> str:
    return re.search(r'<nav class="nav-wide"[^>]*>(.*?)</nav>', html, re.S).group(1)


def test_every_page_marks_itself_in_the_contents(built_site: Path) -> None:
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) > 700
    for path in pages:
        rel = path.relative_to(built_site).as_posix()
        if rel == "404.html":
            continue
        html = path.read_text("utf-8")
        assert html.count("<main") == 1 and re.search(r'<html lang="en">', html), rel
        current = re.findall(r'<a href="([^"]+)" aria-current="page">', _wide_nav(html))
        assert current == [Path(rel).name], rel


def test_a_ward_page_lists_only_its_own_boroughs_wards(built_site: Path) -> None:
    html = (built_site / CAMDEN_WARD).read_text("utf-8")
    nav = _wide_nav(html)
    assert "Belsize" in nav and "Kilburn" in nav  # Camden's wards
    assert "E05013660.html" in nav
    assert "wards/barnet/" not in nav  # other boroughs' wards are left out, and so are the
    assert "boroughs/barnet.html" not in nav  # other boroughs: the list of boroughs has them
    assert re.search(r'href="[^"]*boroughs/index\.html">All boroughs<', nav)
    # the contents do not grow with the number of boroughs: chapters, the page's own borough
    links = re.findall(r"<a ", nav)
    camden = html.count('href="E050')  # the borough's wards, linked from its own ward pages
    assert len(links) <= 20 + camden // 2
    # so the contents stay small (the whole page's weight is held by budgets.ward_kb in
    # test_weight.py)
    assert len(gzip.compress(nav.encode())) < 1.5 * KB


@pytest.mark.browser
def test_without_javascript_the_contents_remain_and_search_is_hidden(browser, site_url) -> None:
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.goto(f"{site_url}/index.html")
    assert not page.locator("form.site-search").is_visible()
    # every page is reached by links: the contents -> all boroughs -> a borough -> its wards
    link = page.locator("nav.nav-wide a", has_text="All boroughs")
    assert link.is_visible()
    link.click()
    page.wait_for_url(re.compile(r"boroughs/index\.html"))
    assert page.locator(".storymap-borough-index a").count() == 33
    page.locator(".storymap-borough-index a", has_text="Camden").click()
    page.wait_for_url(re.compile(r"boroughs/camden\.html"))
    assert "Camden" in page.locator("h1").first.inner_text()
    page.locator("table a", has_text="Haverstock").first.click()
    page.wait_for_url(re.compile(r"wards/camden/E05013660\.html"))
    assert page.locator("nav.nav-wide a[aria-current=page]").inner_text() == "Haverstock"
    context.close()


@pytest.mark.browser
def test_on_a_phone_the_contents_open_from_a_button(browser, site_url) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(f"{site_url}/introduction.html")
    assert not page.locator("nav.nav-wide").is_visible()
    toggle = page.locator("details.nav-small > summary")
    first = page.locator("details.nav-small nav a", has_text="Where older residents live")
    assert toggle.is_visible() and not first.is_visible()
    toggle.focus()
    page.keyboard.press("Enter")
    assert first.is_visible()
    context.close()


@pytest.mark.browser
def test_search_from_the_keyboard(page, site_url) -> None:
    page.goto(f"{site_url}/method.html")
    assert page.evaluate("document.documentElement.dataset.searchIndex") is None
    box = page.locator("#site-search-input")
    box.focus()
    page.keyboard.type("st páncras")  # accents are ignored
    # the list is redrawn as each letter is typed: wait for the whole query's list, whose first
    # result is the ward (an earlier letter's list may still show "St Paul's Cray" first)
    page.wait_for_function(
        "() => { const a = document.querySelector('#site-search-results a');"
        " return a !== null && a.textContent.includes('St Pancras'); }",
        timeout=45000,
    )
    first = page.locator("#site-search-results a").first
    assert "St Pancras" in first.inner_text()
    assert re.search(
        r"\d+ places? (and \d+ pages? )?found", page.locator("#site-search-status").inner_text()
    )
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.closest('#site-search-results') !== null")
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") == "site-search-input"
    assert box.input_value() == ""
    box.fill("zzqx")
    page.wait_for_function(
        "() => document.querySelector('#site-search-status').textContent"
        ".startsWith('No places or pages match')"
    )
    box.fill("camden")
    page.keyboard.press("Enter")  # opens the first result: the borough, the whole name
    page.wait_for_url(re.compile(r"boroughs/camden\.html"))
