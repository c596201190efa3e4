"""Tables that read at every width (storymap/pages/stack.py): on a phone each row is a card whose
figures are named by their columns; wider, a plain table with no label glued into a cell."""

from __future__ import annotations

import re

import pytest
from conftest import REPO

from storymap.pages.stack import PHONE, label_cells

TABLE = (
    '<table class="storymap-indicators"><thead><tr><th>Indicator</th><th>This ward</th>'
    "<th>Rank &amp; band</th></tr></thead><tbody><tr><th>A</th><td>1</td><td>2</td></tr>"
    "</tbody></table>"
)


def test_cell_labels_are_phone_rules_only():
    out = label_cells(TABLE + "<p>x</p>" + TABLE)
    styles = re.findall(r"<style>(.*?)</style>", out)
    assert len(styles) == 2
    for n, style in enumerate(styles, start=1):
        media = f"@media {PHONE}{{"
        assert style.startswith(media) and style.endswith("}}"), style
        inner = style[len(media) : -1]
        assert "@media" not in inner and "{" not in inner.replace("{content", "")
        assert inner == (
            f'.stacked-{n} td:nth-child(2)::before{{content:"This ward"}}'
            f'.stacked-{n} td:nth-child(3)::before{{content:"Rank & band"}}'
        )
    assert 'class="storymap-indicators stacked stacked-2"' in out


def test_phone_rules_share_the_cards_breakpoint():
    """The labels and the card layout in storymap.css switch at the same width."""
    css = (REPO / "storymap" / "assets" / "storymap.css").read_text("utf-8")
    width = re.fullmatch(r"\(max-width:(\S+)\)", PHONE)[1]
    cards = re.search(r"@media \(max-width: ?([^)]+)\) \{\s*\.page-text table\.stacked", css)
    assert cards and cards[1].strip() == width


def test_other_tables_are_left_alone():
    plain = TABLE.replace("storymap-indicators", "other")
    assert label_cells(plain) == plain
    assert label_cells("<table><tr><td>1</td></tr></table>") == "<table><tr><td>1</td></tr></table>"


CELL_LABELS = """() => [...document.querySelectorAll('table.stacked td')].map(td => {
  const c = getComputedStyle(td, '::before').content;
  return [td.textContent.trim(), c === 'none' || c === 'normal' ? '' : c,
          getComputedStyle(td).display, td.innerText.trim()];
})"""


@pytest.mark.parametrize("where", ["wards/southwark/E05011095.html", "boroughs/southwark.html"])
def test_a_table_reads_as_a_table_on_a_desktop_and_as_cards_on_a_phone(browser, site_url, where):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{site_url}/{where}")
    wide = page.evaluate(CELL_LABELS)
    assert len(wide) > 10
    assert [c for c in wide if c[1]] == [], "a label glued into a cell at 1280 px"
    assert {c[2] for c in wide} == {"table-cell"}
    page.set_viewport_size({"width": 360, "height": 800})
    narrow = page.evaluate(CELL_LABELS)
    labelled = [c for c in narrow if c[1]]
    assert len(labelled) > 0.9 * len(narrow)
    assert {c[2] for c in narrow} == {"flex"}
    assert any(c[1] == '"This ward"' for c in labelled) or "boroughs/" in where
    context.close()
