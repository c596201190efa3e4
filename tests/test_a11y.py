"""Accessibility (WCAG 2.2 AA, as the Public Sector Bodies Accessibility Regulations ask), checked
in Debian's Chromium: an axe-core scan of every kind of page, a keyboard-only walk through a
chapter, reflow at 320 px, a title and language on every page, and maps explained in words."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from test_contrast import contrast, over

KINDS = {
    "home": "index.html",
    "chapter": "introduction.html",
    "method": "method.html",
    "data-checks": "data-checks.html",
    "ward": "wards/camden/E05013660.html",
    "borough": "boroughs/camden.html",
    "about": "about-the-data.html",
    "downloads": "downloads.html",
    "accessibility": "accessibility.html",
}


@pytest.fixture(scope="module")
def kinds(built_site: Path) -> dict[str, str]:
    out = dict(KINDS)
    if not (built_site / out["ward"]).is_file():  # any ward page will do
        out["ward"] = next(built_site.glob("wards/*/*.html")).relative_to(built_site).as_posix()
    for path in out.values():
        assert (built_site / path).is_file(), path
    return out


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = "; ".join(" ".join(n["target"]) for n in v["nodes"][:4])
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} [{len(v['nodes'])}x: {targets}]")
    return "\n".join(lines)


def test_axe_core_is_bundled_for_offline_use() -> None:
    script = Axe().axe_script
    assert "axe.version" in script or "axe-core" in script
    assert not re.search(r"<script[^>]+src=\"https?://", script)


@pytest.mark.browser
@pytest.mark.parametrize("kind", list(KINDS))
def test_axe_finds_no_violations(kind: str, kinds, site_url: str, page) -> None:
    page.goto(f"{site_url}/{kinds[kind]}", wait_until="load")
    page.wait_for_timeout(200)  # the story script and theme settle
    results = Axe().run(page, options={"resultTypes": ["violations"]})
    violations = results.response["violations"]
    assert violations == [], describe(violations)


@pytest.mark.browser
def test_axe_finds_no_violations_on_a_phone(kinds, site_url: str, browser) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    try:
        pg = context.new_page()
        pg.goto(f"{site_url}/{kinds['chapter']}", wait_until="load")
        pg.wait_for_timeout(200)
        violations = Axe().run(pg).response["violations"]
        assert violations == [], describe(violations)
    finally:
        context.close()


# ---- title and language: static, on every page -------------------------------------------


def test_every_page_has_a_language_and_a_descriptive_title(built_site: Path) -> None:
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) > 700
    titles = {}
    for path in pages:
        text = path.read_text("utf-8")
        assert re.search(r'<html[^>]*\blang="en"', text), path
        title = re.search(r"<title>\s*([^<]+?)\s*</title>", text)
        assert title and "Older Londoners and digital exclusion" in title.group(1), path
        rel = path.relative_to(built_site).as_posix()
        titles[rel] = html.unescape(title.group(1))
        h1 = re.search(r"<h1[^>]*>(.*?)</h1>", text, re.S)
        if rel not in ("index.html", "404.html"):
            # the page's own name first, then the site's: "Haverstock - Older Londoners …",
            # in words that match its main heading
            heading = html.unescape(re.sub(r"<[^>]+>", "", h1.group(1))).strip().lower()
            own = titles[rel].split(" - ")[0].strip().lower()
            assert own and (own.startswith(heading) or set(own.split()) & set(heading.split()))
    assert titles["introduction.html"].startswith("Introduction - ")
    assert titles["boroughs/camden.html"].startswith("Camden")


# ---- maps explained in words --------------------------------------------------------------


def test_every_map_says_in_words_what_it_shows(built_site: Path) -> None:
    for path in sorted(built_site.glob("*.html")):
        text = path.read_text("utf-8")
        regions = re.findall(
            r'<div aria-label="(Map[^"]*)" class="storymap-sticky" role="region"', text
        )
        figures = re.findall(r'<figure class="storymap-figure".*?</figure>', text, re.S)
        for figure in figures:
            caption = re.search(r"<figcaption>(.*?)</figcaption>", figure, re.S).group(1)
            assert len(re.sub(r"<[^>]+>", "", caption).split()) >= 8, path.name
            assert 'aria-label="Map: ' in figure
        if regions:
            summaries = re.findall(r'<p class="step-summary">([^<]+)</p>', text)
            steps = re.findall(r'class="storymap-step"', text)
            assert len(summaries) == len(steps) > 0, path.name
            assert all(len(s.split()) >= 6 for s in summaries)
        for legend in re.findall(r'<div class="storymap-legend">.*?</div>', text, re.S):
            assert "Darker colours mean more at risk" in legend
            for item in re.findall(r"<li>(.*?)</li>", legend):
                assert re.search(r"\d", re.sub(r"<[^>]+>", "", item)), item  # a range in words


# ---- keyboard -----------------------------------------------------------------------------

FOCUS_INFO = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const cs = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  let key = el.id ? '#' + el.id : el.tagName.toLowerCase();
  if (el.getAttribute('href')) key += '[href=' + el.getAttribute('href') + ']';
  if (el.classList.contains('storymap-step')) key = 'step:' + el.id;
  return {
    key: key, tag: el.tagName, cls: String(el.className || ''),
    inMap: !!el.closest('.storymap-sticky'),
    inContent: !!el.closest('#content'),
    inFooter: !!el.closest('.site-footer'),
    outline: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2,
    outlineColour: cs.outlineColor,
    shadow: cs.boxShadow !== 'none',
    visible: r.width > 0 && r.height > 0,
  };
}"""


@pytest.mark.browser
def test_keyboard_reaches_every_step_control_and_link_of_a_chapter(site_url, page) -> None:
    page.goto(f"{site_url}/introduction.html", wait_until="load")
    page.wait_for_function("document.querySelector('.storymap-scrolly.is-scripted')")
    wanted_steps = page.eval_on_selector_all(".storymap-step", "els => els.map(e => e.id)")
    wanted_links = page.eval_on_selector_all(
        "#content a[href]",
        "els => els.filter(e => e.offsetParent !== null).map(e => e.getAttribute('href'))",
    )
    controls = page.eval_on_selector_all(
        "#content button, #content summary, #content .leaflet-control a",
        "els => els.filter(e => e.offsetParent !== null).length",
    )
    seen: list[dict] = []
    in_map_run = 0
    wrapped = False
    for _ in range(400):
        page.keyboard.press("Tab")
        info = page.evaluate(FOCUS_INFO)
        if info is None:
            continue
        if seen and info["key"] == seen[0]["key"]:
            wrapped = True  # Tab went through the whole page and came round again
            break
        seen.append(info)
        in_map_run = in_map_run + 1 if info["inMap"] else 0
        assert in_map_run <= 10, "focus stays inside the map: a keyboard trap"
    keys = [s["key"] for s in seen]
    for step in wanted_steps:
        assert f"step:{step}" in keys, f"step {step} not reached by Tab"
    reached_links = {k.split("[href=")[1].rstrip("]") for k in keys if "[href=" in k}
    missing = [h for h in wanted_links if h not in reached_links]
    assert not missing, f"links never focused: {missing}"
    assert wrapped, "Tab did not get through the page and back to the top"
    assert controls == 0 or any(
        s["tag"] in ("BUTTON", "SUMMARY") or "leaflet" in s["cls"] for s in seen
    )
    no_ring = [s["key"] for s in seen if s["visible"] and not (s["outline"] or s["shadow"])]
    assert not no_ring, f"focused without a visible focus indicator: {no_ring[:8]}"


@pytest.mark.browser
def test_a_step_reached_by_keyboard_shows_its_view_on_the_map(site_url, page) -> None:
    page.goto(f"{site_url}/introduction.html", wait_until="load")
    page.wait_for_function("document.querySelector('.storymap-scrolly.is-scripted')")
    page.focus("#introduction-step-2")
    page.wait_for_function(
        "document.querySelector('.storymap-scrolly').dataset.activeStep === 'introduction-step-2'"
    )
    live = page.text_content(".storymap-live")
    assert live and len(live.split()) >= 6


# ---- reflow and the map's drawn outlines --------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("kind", list(KINDS))
def test_pages_reflow_at_320_px_without_horizontal_scrolling(
    kind, kinds, site_url, browser
) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    try:
        pg = context.new_page()
        pg.goto(f"{site_url}/{kinds[kind]}", wait_until="load")
        pg.wait_for_timeout(200)
        width = pg.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{kinds[kind]} is {width}px wide at a 320px viewport"
    finally:
        context.close()


@pytest.mark.browser
def test_drawn_ward_outlines_contrast_with_their_fill(site_url, page) -> None:
    """Every ward Chromium paints (on the map's canvas, in the style kept on its layer) has an
    outline at least 3:1 against its fill as drawn."""
    page.goto(f"{site_url}/combined-risk.html", wait_until="load")
    page.wait_for_selector(".storymap-leaflet[data-drawn]")
    drawn = page.evaluate(
        "() => Object.values(Storymap.maps)[0].layers.map(l => [l.options.color,"
        " l.options.fillColor, l.options.fillOpacity])"
    )
    assert len(drawn) > 600
    for stroke, fill, opacity in {tuple(d) for d in drawn}:
        shown = over(fill, "#f4f4f4", opacity)
        assert contrast(stroke, shown) >= 3, (stroke, fill)
