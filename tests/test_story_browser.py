"""What a reader sees in Chromium: wards drawn, steps driving the map, keyboard, no-JS, phones."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser

CHAPTER = "where-older-londoners-live.html"


def _open(browser, site_url, **context_args):
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **context_args})
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{site_url}/{CHAPTER}")
    return context, page, requests, errors


def _steps(page) -> list[dict]:
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('.storymap-step')).map(s => ({
            id: s.id, indicator: s.dataset.indicator, focus: s.dataset.focus}))"""
    )


def _activate(page, step_id: str) -> None:
    page.evaluate("id => document.getElementById(id).scrollIntoView({block: 'center'})", step_id)
    page.wait_for_function(
        "id => document.querySelector('.storymap-scrolly').dataset.activeStep === id", arg=step_id
    )
    page.wait_for_timeout(1200)  # let a fly animation finish


def test_chapter_draws_every_ward_from_this_host_only(browser, site_url):
    context, page, requests, errors = _open(browser, site_url)
    page.wait_for_selector(".storymap-leaflet[data-drawn]")
    drawn = page.locator(".storymap-scrolly .storymap-leaflet")
    assert drawn.get_attribute("data-ward-count") == "680"
    assert page.locator(".storymap-scrolly .storymap-leaflet canvas").count() == 1
    assert page.evaluate("Object.values(Storymap.maps)[0].layers.length") == 680
    page.wait_for_timeout(500)
    hosts = {urlparse(u).hostname for u in requests if not u.startswith("data:")}
    assert hosts == {"127.0.0.1"}, hosts
    assert errors == []
    context.close()


def test_scrolling_changes_indicator_colours_and_focus(browser, site_url):
    context, page, _, errors = _open(browser, site_url)
    page.wait_for_selector(".storymap-leaflet[data-drawn]")
    steps = _steps(page)
    assert len(steps) >= 4
    seen = []
    for step in steps:
        _activate(page, step["id"])
        state = page.evaluate(
            """(focus) => {
              const root = document.querySelector('.storymap-scrolly');
              const div = root.querySelector('.storymap-leaflet');
              const c = Storymap.maps[div.id];
              const D = Storymap.data;
              const ind = D.indicators[c.indicator];
              // every ward painted has the colour its class says for this indicator
              let wrong = 0;
              c.layers.forEach((layer, i) => {
                const fill = layer.options.fillColor.toLowerCase();
                if (fill !== ind.palette[ind.colour[i]].toLowerCase()) wrong++;
              });
              const b = c.map.getBounds();
              let inside = 0, total = 0;
              c.layers.forEach((layer, i) => {
                const bi = D.wards.borough[i];
                if (focus && D.boroughs.codes[bi] === focus) {
                  total++;
                  if (b.contains(layer.getBounds().getCenter())) inside++;
                }
              });
              return {indicator: div.dataset.indicator, focus: div.dataset.focus, wrong,
                      painted: c.layers.length,
                      span: b.getEast() - b.getWest(), inside, total};
            }""",
            step["focus"] or None,
        )
        assert state["indicator"] == step["indicator"]
        assert state["focus"] == (step["focus"] or "")
        assert state["painted"] == 680 and state["wrong"] == 0
        if step["focus"]:
            assert state["inside"] == state["total"] > 0  # the whole borough is in view
            assert state["span"] < 0.35  # zoomed in (London spans about 0.7 degrees)
        else:
            assert state["span"] > 0.5
        seen.append((state["indicator"], state["focus"]))
    assert len(set(seen)) >= 3  # the steps really change the map
    assert errors == []
    context.close()


def test_reduced_motion_jumps_instead_of_flying(browser, site_url):
    counts = {}
    for motion in ("reduce", "no-preference"):
        context, page, _, _ = _open(browser, site_url, reduced_motion=motion)
        page.wait_for_selector(".storymap-leaflet[data-drawn]")
        page.evaluate(
            """() => { window.__flights = 0;
              const m = Object.values(Storymap.maps)[0].map;
              const fly = m.flyToBounds.bind(m);
              m.flyToBounds = function () {
                window.__flights++; return fly.apply(null, arguments);
              };
            }"""
        )
        for step in _steps(page)[1:]:
            _activate(page, step["id"])
        counts[motion] = page.evaluate("window.__flights")
        context.close()
    assert counts["reduce"] == 0
    assert counts["no-preference"] > 0


@pytest.mark.parametrize("width", [1280, 400])
def test_tab_reaches_every_step_and_table_control_and_focus_is_never_behind_the_map(
    browser, site_url, width
):
    context, page, _, _ = _open(browser, site_url, viewport={"width": width, "height": 800})
    page.wait_for_selector(".storymap-leaflet[data-drawn]")
    step_ids = {s["id"] for s in _steps(page)}
    reached_steps, tables, sort_buttons, hidden = set(), set(), 0, []
    for _ in range(400):
        page.keyboard.press("Tab")
        info = page.evaluate(
            """() => {
              const el = document.activeElement;
              const step = el.closest('.storymap-step');
              const sticky = document.querySelector('.storymap-sticky').getBoundingClientRect();
              const r = el.getBoundingClientRect();
              const overlap = !!step && r.top < sticky.bottom && r.bottom > sticky.top &&
                              r.left < sticky.right && r.right > sticky.left;
              return {step: step ? step.id : null, summary: el.tagName === 'SUMMARY',
                      sort: el.matches('button.sort'), overlap};
            }"""
        )
        if info["step"]:
            reached_steps.add(info["step"])
            if info["summary"] and info["step"] not in tables:
                tables.add(info["step"])
                if len(tables) == 1:
                    page.keyboard.press("Enter")  # open the first table: its sort buttons follow
            sort_buttons += info["sort"]
            if info["overlap"]:
                hidden.append(info)
        elif reached_steps == step_ids:
            break  # past the story
    assert reached_steps == step_ids
    assert tables == step_ids
    assert sort_buttons >= 2
    assert hidden == []
    context.close()


def test_table_sorts_by_keyboard(browser, site_url):
    context, page, _, _ = _open(browser, site_url)
    first = page.locator(".storymap-step details").first
    first.locator("summary").focus()
    page.keyboard.press("Enter")
    button = first.locator("thead button.sort").nth(1)
    button.focus()
    page.keyboard.press("Enter")
    values = first.locator("tbody td:first-of-type").evaluate_all(
        "cells => cells.map(c => parseFloat(c.dataset.sort))"
    )
    assert values == sorted(values)
    assert button.evaluate("b => b.closest('th').getAttribute('aria-sort')") == "ascending"
    page.keyboard.press("Enter")
    values = first.locator("tbody td:first-of-type").evaluate_all(
        "cells => cells.map(c => parseFloat(c.dataset.sort))"
    )
    assert values == sorted(values, reverse=True)
    context.close()


def test_without_javascript_each_step_shows_its_image(browser, site_url):
    context, page, _, _ = _open(browser, site_url, java_script_enabled=False)
    images = page.locator(".storymap-step img.step-image")
    n = len(_steps_nojs(page))
    assert images.count() == n > 0
    for i in range(n):
        img = images.nth(i)
        img.scroll_into_view_if_needed()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=img.element_handle()
        )
        assert img.is_visible()
    assert not page.locator(".storymap-sticky").is_visible()
    context.close()


def _steps_nojs(page):
    return page.locator(".storymap-step").all()


def test_phone_width_nothing_overlaps(browser, site_url):
    context, page, _, errors = _open(browser, site_url, viewport={"width": 320, "height": 640})
    page.wait_for_selector(".storymap-leaflet[data-drawn]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    for step in _steps(page):
        page.evaluate("id => document.getElementById(id).focus()", step["id"])
        page.wait_for_timeout(300)
        boxes = page.evaluate(
            """id => {
              const s = document.getElementById(id).getBoundingClientRect();
              const m = document.querySelector('.storymap-sticky').getBoundingClientRect();
              return {stepTop: s.top, mapBottom: m.bottom, stepRight: s.right, mapRight: m.right};
            }""",
            step["id"],
        )
        assert boxes["stepTop"] >= boxes["mapBottom"] - 1, (step["id"], boxes)
        assert boxes["stepRight"] <= 320 and boxes["mapRight"] <= 320
    assert errors == []
    context.close()
