"""Steps you can step through (issue 25 item 4): "Previous", "Step 3 of 7" and "Next" on every
step of every chapter; a click, a tap or the keyboard moves the map and the page to the step,
the address names it, its heading is clear of the sticky map on a 320 px phone, and reduced
motion is a jump, not a glide."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHAPTER = "where-older-londoners-live.html"


def test_every_step_of_every_chapter_says_where_it_is(built_site: Path):
    chapters = [p for p in built_site.glob("*.html") if 'class="storymap-step"' in p.read_text()]
    assert len(chapters) >= 5
    for page in chapters:
        text = page.read_text("utf-8")
        n = text.count('class="storymap-step"')
        counts = re.findall(r'<span class="step-count">Step (\d+) of (\d+)</span>', text)
        assert counts == [(str(k), str(n)) for k in range(1, n + 1)], page.name
        goes = re.findall(r'class="step-go" data-go="(\d+)">(Previous|Next)<', text)
        want = [(str(k - 1), "Previous") for k in range(2, n + 1)]
        want += [(str(k + 1), "Next") for k in range(1, n)]
        assert sorted(goes) == sorted(want), page.name


def _open(browser, site_url, width=1280, height=900, **extra):
    context = browser.new_context(viewport={"width": width, "height": height}, **extra)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{site_url}/{CHAPTER}")
    page.wait_for_selector(".storymap-leaflet[data-drawn]")
    return context, page, errors


def _where(page) -> dict:
    return page.evaluate(
        """() => {
          const active = document.querySelector('.storymap-step.is-active');
          const sticky = document.querySelector('.storymap-sticky').getBoundingClientRect();
          const heading = active.querySelector('h2, h3').getBoundingClientRect();
          return {active: active.id, count: active.querySelector('.step-count').textContent,
                  hash: location.hash, focused: document.activeElement.id,
                  indicator: Object.values(Storymap.maps)[0].indicator,
                  heading: heading.top, headingBottom: heading.bottom,
                  stickyBottom: sticky.bottom, height: innerHeight};
        }"""
    )


def _settle(page, step_id: str) -> None:
    page.wait_for_function(
        "id => document.querySelector('.storymap-scrolly').dataset.activeStep === id", arg=step_id
    )
    page.wait_for_timeout(1500)  # a smooth scroll and the map's flight end


def _go(page, n: int, label: str, how: str) -> None:
    button = page.locator(f"#where-older-londoners-live-step-{n} .step-go", has_text=label)
    if how == "click":
        button.click()
    elif how == "tap":
        button.tap()
    else:
        button.focus()
        page.keyboard.press("Enter" if how == "enter" else " ")


def _clear(where: dict, above: bool) -> None:
    """The active step's heading in view, and not under the map."""
    assert 0 <= where["heading"] and where["headingBottom"] <= where["height"], where
    if above:
        assert where["heading"] >= where["stickyBottom"], where


def test_next_and_previous_by_click_and_keyboard(browser, site_url):
    context, page, errors = _open(browser, site_url)
    steps = page.locator(".storymap-step").count()
    assert steps == 5
    seen = []
    for n, how in zip(range(1, steps), ["click", "enter", "space", "click"], strict=True):
        _go(page, n, "Next", how)
        _settle(page, f"where-older-londoners-live-step-{n + 1}")
        where = _where(page)
        assert where["count"] == f"Step {n + 1} of {steps}"
        assert where["hash"] == f"#step-{n + 1}"  # the address names the step
        assert where["focused"] == f"where-older-londoners-live-step-{n + 1}"  # keyboard goes on
        _clear(where, above=False)
        seen.append(where["indicator"])
    assert len(set(seen)) >= 2  # the map showed the steps' own views
    _go(page, steps, "Previous", "click")
    _settle(page, f"where-older-londoners-live-step-{steps - 1}")
    assert _where(page)["hash"] == f"#step-{steps - 1}"
    page.reload()  # the address opens the step it names
    page.wait_for_selector(".storymap-leaflet[data-drawn]")
    _settle(page, f"where-older-londoners-live-step-{steps - 1}")
    assert errors == []
    context.close()


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_on_a_320_px_phone_by_touch_the_heading_is_clear_of_the_map(browser, site_url, motion):
    context, page, errors = _open(
        browser, site_url, 320, 640, has_touch=True, is_mobile=True, reduced_motion=motion
    )
    for n in (1, 2, 3):
        _go(page, n, "Next", "tap")
        if motion == "reduce":  # a jump: at the step at once, no glide
            page.wait_for_timeout(50)
            assert _where(page)["active"] == f"where-older-londoners-live-step-{n + 1}"
            _clear(_where(page), above=True)
        _settle(page, f"where-older-londoners-live-step-{n + 1}")
        where = _where(page)
        assert where["hash"] == f"#step-{n + 1}"
        _clear(where, above=True)
    _go(page, 4, "Previous", "tap")
    _settle(page, "where-older-londoners-live-step-3")
    _clear(_where(page), above=True)
    assert errors == []
    context.close()


def test_scrolling_on_a_phone_makes_a_step_active_only_once_its_heading_is_clear(browser, site_url):
    context, page, errors = _open(browser, site_url, 320, 640)
    for n in (2, 3, 4):
        page.evaluate(
            """n => { const s = document.getElementById('where-older-londoners-live-step-' + n);
                      const top = s.getBoundingClientRect().top + scrollY;
                      window.scrollTo(0, top - innerHeight * 0.85); }""",
            n,
        )
        page.wait_for_timeout(300)
        for _ in range(40):  # scroll on by small steps until the step becomes the active one
            if page.evaluate("document.querySelector('.storymap-scrolly').dataset.activeStep") == (
                f"where-older-londoners-live-step-{n}"
            ):
                break
            page.mouse.wheel(0, 20)
            page.wait_for_timeout(60)
        where = _where(page)
        assert where["active"] == f"where-older-londoners-live-step-{n}"
        _clear(where, above=True)
    assert errors == []
    context.close()
