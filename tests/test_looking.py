"""A check that looks (issue 25 item 7): each kind of page opened in Chromium at 320, 360 and
1280 px, and what is drawn measured rather than the HTML read. The smallest text a reader must
read (16 px; place names on maps 14 px), no phone label glued into a table cell on a desktop,
every control at least 44 px each way on a phone, text contrast at least 4.5:1 from the
colours Chromium computed, and prose about 70 characters a line on a desktop. A screenshot of
each page at each width is kept for a person to look at; its folder is printed (pytest -s) and
recorded in the test's report."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

KINDS = {
    "home": "index.html",
    "chapter": "where-older-londoners-live.html",
    "ward": "wards/southwark/E05011095.html",
    "borough": "boroughs/southwark.html",
    "method": "method.html",
    "a-z": "places.html",
    "accessibility": "accessibility.html",
}
WIDTHS = (320, 360, 1280)
PHONE_MAX = 640  # GOV.UK's breakpoint: 16 px body text below it, 19 px from 641 px
TEXT_PX, LABEL_PX, TARGET_PX, CONTRAST = 16, 14, 44, 4.5
LINE_CHARS = 85  # about 70 characters a line, with room for runs of narrow letters

HIDDEN = r"""
  const hidden = new Map();
  function clipped(el) {
    if (!el || el === document.body) return false;
    if (hidden.has(el)) return hidden.get(el);
    const cs = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    let h = cs.display === 'none' || cs.visibility !== 'visible' || +cs.opacity === 0
      || cs.clip === 'rect(0px, 0px, 0px, 0px)' || cs.clipPath === 'inset(50%)'
      || (cs.overflow !== 'visible' && (r.width <= 1 || r.height <= 1));
    h = h || clipped(el.parentElement);
    hidden.set(el, h);
    return h;
  }
"""

# Every visible run of text: its element, computed size (SVG text at its drawn scale), colours.
# Visible means laid out, not visibility:hidden or transparent, and not inside a box clipped to
# nothing (the visually hidden text kept for screen readers).
TEXTS = (
    r"""() => {"""
    + HIDDEN
    + r"""
  function rgba(text) {
    const m = text.match(/[\d.]+/g).map(Number);
    return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1];
  }
  function ground(el) {  // the colour behind el: its backgrounds blended, white beneath
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.backgroundImage !== 'none' && !cs.backgroundImage.startsWith('url(')) return null;
      const c = rgba(cs.backgroundColor);
      if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let out = [255, 255, 255];
    for (const c of layers.reverse()) out = out.map((v, i) => v * (1 - c[3]) + c[i] * c[3]);
    return out;
  }
  const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n; (n = walk.nextNode()); ) {
    const text = n.textContent.trim();
    const el = n.parentElement;
    if (!text || !el || el.closest('script, style, noscript, template, title')) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    const box = range.getBoundingClientRect();
    if (box.width < 1 || box.height < 1 || clipped(el)) continue;
    const cs = getComputedStyle(el);
    const svg = el.closest('svg');
    let px = parseFloat(cs.fontSize);
    if (svg) { const m = el.getScreenCTM(); if (m) px *= Math.hypot(m.a, m.b); }
    // a place name on a map: over colours, so with a halo, its contrast the halo's
    const label = !!el.closest('.storymap-label, .leaflet-tooltip, .nb-map, .storymap-map svg');
    const halo = svg ? cs.stroke !== 'none' || cs.paintOrder.startsWith('stroke')
                     : cs.textShadow !== 'none';
    const fg = rgba(svg ? cs.fill : cs.color);
    const bg = label && halo ? null : ground(el);
    out.push({text: text.slice(0, 60), tag: el.tagName.toLowerCase(),
              cls: (el.getAttribute('class') || '') + ' < ' +
                   (el.parentElement && el.parentElement.getAttribute('class') || ''),
              px: Math.round(px * 100) / 100, label, halo,
              fg: fg.slice(0, 3).map((v, i) => fg[3] < 1 && bg ? v * fg[3] + bg[i] * (1 - fg[3])
                                                              : v),
              bg, top: Math.round(box.top + scrollY)});
  }
  return out;
}"""
)

# Every control a reader works with a finger: its drawn size. A radio button or checkbox kept
# out of sight is worked through its label, so the label is measured instead.
CONTROLS = (
    r"""() => {"""
    + HIDDEN
    + r"""
  const out = [];
  const all = document.querySelectorAll(
    'button, input:not([type=hidden]), select, textarea, summary, a[role=button]');
  for (const el of all) {
    let target = el;
    const cs = getComputedStyle(el);
    if ((+cs.opacity === 0 || parseFloat(cs.width) <= 1) && el.labels && el.labels.length) {
      target = el.labels[0];
    }
    const r = target.getBoundingClientRect();
    const tcs = getComputedStyle(target);
    if (r.width === 0 || r.height === 0 || tcs.visibility !== 'visible') continue;
    if (target.closest('[hidden]') || clipped(target.parentElement)) continue;
    const name = target.textContent || target.getAttribute('aria-label') || el.name || '';
    out.push({what: target.tagName.toLowerCase() + '.' + (target.getAttribute('class') || '') +
              ' ' + name.trim().slice(0, 30),
              w: Math.round(r.width * 10) / 10, h: Math.round(r.height * 10) / 10});
  }
  return out;
}"""
)

# Characters a line of each paragraph of prose three or more lines long.
LINE_LENGTHS = r"""() => [...document.querySelectorAll('.page-text > p')].map(p => {
  const line = parseFloat(getComputedStyle(p).lineHeight);
  const lines = Math.round(p.getBoundingClientRect().height / line);
  return lines >= 3 ? p.textContent.length / (lines - 0.5) : 0;
}).filter(Boolean)"""

CELL_LABELS = r"""() => [...document.querySelectorAll('td, th')].map(c => {
  const v = getComputedStyle(c, '::before').content;
  return v === 'none' || v === 'normal' ? '' : c.textContent.trim() + ' <- ' + v;
}).filter(Boolean)"""


def luminance(rgb) -> float:
    def channel(v: float) -> float:
        v /= 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg, bg) -> float:
    a, b = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("looking-artefacts")
    print(f"\nscreenshots of the looking test: {folder}")
    return folder


def look(browser, site_url, path: str, width: int, shots: Path | None = None, name: str = ""):
    """The page at ``width``: its texts, controls and cell labels, once its maps have drawn."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{site_url}/{path}")
    page.wait_for_load_state("networkidle")
    if page.locator(".storymap-leaflet").count():
        page.wait_for_selector(".storymap-leaflet[data-drawn]")
        page.wait_for_timeout(800)  # the place names follow the drawing
    if shots is not None:
        page.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=True)
    seen = {
        "texts": page.evaluate(TEXTS),
        "controls": page.evaluate(CONTROLS),
        "cells": page.evaluate(CELL_LABELS),
        "line_lengths": page.evaluate(LINE_LENGTHS),
        "zoom": page.evaluate(
            "() => (document.querySelector('meta[name=viewport]') || {}).content || ''"
        ),
        "errors": errors,
    }
    context.close()
    return seen


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", list(KINDS))
def test_what_is_drawn_is_readable(browser, site_url, artefacts, kind, width, record_property):
    seen = look(browser, site_url, KINDS[kind], width, artefacts, kind)
    record_property("screenshot", str(artefacts / f"{kind}-{width}.png"))
    texts = seen["texts"]
    assert len(texts) > 20, texts
    assert seen["errors"] == []

    small = [t for t in texts if t["px"] < (LABEL_PX if t["label"] else TEXT_PX) - 0.01]
    assert small == [], f"text under {TEXT_PX} px (map labels {LABEL_PX} px): {small[:8]}"
    assert [t for t in texts if t["label"] and not t["halo"]] == [], "a map label with no halo"
    body = [t["px"] for t in texts if t["tag"] == "p" and not t["label"]]
    assert body and max(set(body), key=body.count) == (19 if width > PHONE_MAX else 16)

    faint = [
        (round(contrast(t["fg"], t["bg"]), 2), t)
        for t in texts
        if t["bg"] is not None and contrast(t["fg"], t["bg"]) < CONTRAST
    ]
    assert faint == [], f"text under {CONTRAST}:1: {faint[:6]}"

    if width > PHONE_MAX:
        assert seen["cells"] == [], f"phone labels in table cells at {width} px"
        long = [round(n) for n in seen["line_lengths"] if n > LINE_CHARS]
        assert long == [], f"lines of prose over {LINE_CHARS} characters"
    else:
        tiny = [c for c in seen["controls"] if c["w"] < TARGET_PX or c["h"] < TARGET_PX]
        assert tiny == [], f"controls under {TARGET_PX} px: {tiny[:8]}"
    zoom = seen["zoom"].replace(" ", "")
    assert "user-scalable=no" not in zoom and "maximum-scale=1" not in zoom, zoom


def test_the_contrast_formula_is_wcags():
    assert round(contrast((0, 0, 0), (255, 255, 255)), 1) == 21.0
    assert round(contrast((118, 118, 118), (255, 255, 255)), 2) == 4.54
    assert contrast((255, 255, 255), (255, 255, 255)) == 1.0


def test_step_images_name_places_at_14_px_on_a_phone(browser, site_url):
    """Without scripts each step shows an image; its place names are 14 px where it is drawn."""
    context = browser.new_context(viewport={"width": 320, "height": 700}, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site_url}/{KINDS['chapter']}")
    shown = page.evaluate(
        """() => [...document.querySelectorAll('img.step-image')].map(
             i => [i.getAttribute('src'), i.getBoundingClientRect().width])"""
    )
    context.close()
    assert len(shown) >= 4
    for src, width in shown:
        assert 200 < width < 320, (src, width)
        svg = urllib.request.urlopen(f"{site_url}/{src}").read().decode()
        drawn = width / float(re.search(r'viewBox="[\d.-]+ [\d.-]+ ([\d.]+)', svg)[1])
        sizes = [float(f) for f in re.findall(r'<text[^>]*font-size="([\d.]+)"', svg)]
        assert sizes, src
        assert min(sizes) * drawn >= LABEL_PX - 0.05, (src, min(sizes) * drawn)
