"""Colour contrast, computed with the WCAG 2.2 formula from the built site's own CSS and palette.

Text needs 4.5:1 (1.4.3), links must differ from body text by more than colour (1.4.1), and
legend swatches, ward outlines and focus rings need 3:1 against what they sit on (1.4.11).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from map_payload import map_data

from storymap.config import load_config

REPO = Path(__file__).resolve().parent.parent
WHITE = "#ffffff"


# ---- WCAG 2.2 relative luminance and contrast ratio ---------------------------------------


def rgba(colour: str) -> tuple[float, float, float, float]:
    """(r, g, b, alpha) in 0-1 from #rgb, #rrggbb or #rrggbbaa."""
    h = colour.strip().lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    alpha = int(h[6:8], 16) / 255 if len(h) == 8 else 1.0
    return int(h[0:2], 16) / 255, int(h[2:4], 16) / 255, int(h[4:6], 16) / 255, alpha


def over(top: str, bottom: str, alpha: float | None = None) -> str:
    """``top`` composited over opaque ``bottom`` (alpha from ``top`` unless given)."""
    r1, g1, b1, a = rgba(top)
    a = a if alpha is None else alpha
    r2, g2, b2, _ = rgba(bottom)
    mix = [round((c1 * a + c2 * (1 - a)) * 255) for c1, c2 in ((r1, r2), (g1, g2), (b1, b2))]
    return "#" + "".join(f"{c:02x}" for c in mix)


def luminance(colour: str) -> float:
    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b, _ = rgba(colour)
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_the_formula_matches_known_ratios() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert over("#00000080", "#ffffff") == "#7f7f7f"


# ---- the theme's colours (custom properties in storymap's theme.css) -------------------------


def theme_variables(site: Path) -> dict[str, str]:
    """The custom properties set on :root in the site's theme.css, var() references resolved."""
    css = re.sub(
        r"/\*.*?\*/", "", (site / "assets/storymap/theme.css").read_text("utf-8"), flags=re.S
    )
    found: dict[str, str] = {}
    for block in re.findall(r"(?:^|})\s*:root\s*\{([^}]*)\}", css):
        for name, value in re.findall(r"(--[\w-]+)\s*:\s*([^;]+)", block):
            found[name] = value.strip()

    def resolve(value: str, depth: int = 0) -> str:
        m = re.fullmatch(r"var\((--[\w-]+)\)", value)
        return resolve(found[m.group(1)], depth + 1) if m and depth < 10 else value

    return {k: resolve(v) for k, v in found.items()}


@pytest.fixture(scope="module")
def theme(built_site: Path) -> dict[str, str]:
    return theme_variables(built_site)


def theme_rules(site: Path) -> list[tuple[str, str]]:
    """(selector, declarations) of each rule in theme.css, comments removed."""
    css = re.sub(
        r"/\*.*?\*/", "", (site / "assets/storymap/theme.css").read_text("utf-8"), flags=re.S
    )
    css = re.sub(r"@media[^{]*\{", "", css)
    return [(s.strip(), d) for s, d in re.findall(r"([^{}]+)\{([^{}]*)\}", css)]


def test_body_text_and_links_contrast_with_the_page(theme) -> None:
    for name in ("--text", "--muted", "--link", "--link-visited"):
        assert contrast(theme[name], WHITE) >= 4.5, (name, theme[name])
        assert contrast(theme[name], theme["--note-bg"]) >= 4.5, (name, "in a note")


def test_links_are_underlined_not_marked_by_colour_alone(built_site: Path, theme) -> None:
    rules = theme_rules(built_site)
    assert any(s == "a" and re.search(r"text-decoration:\s*underline", d) for s, d in rules)
    # and the link colour is not the only difference from body text
    assert contrast(theme["--link"], theme["--text"]) < 3


def test_header_text_contrasts_with_the_header(theme) -> None:
    assert contrast(theme["--header-text"], theme["--header-bg"]) >= 4.5


def test_footer_text_contrasts_with_the_footer(theme) -> None:
    for name in ("--footer-text", "--muted", "--link", "--link-visited"):
        ratio = contrast(theme[name], theme["--footer-bg"])
        assert ratio >= 4.5, f"{name} on the footer: {ratio:.2f}:1"


def test_every_text_colour_in_the_theme_is_one_of_the_checked_ones(built_site: Path, theme) -> None:
    """No rule sets a text colour outside the palette checked above (e.g. a stray grey)."""
    checked = {
        theme[n]
        for n in ("--text", "--muted", "--link", "--link-visited", "--header-text", "--footer-text")
    }
    for selector, body in theme_rules(built_site):
        for value in re.findall(r"(?:^|[;\s])color:\s*([^;]+)", body):
            resolved = (
                theme.get(value.strip()[4:-1], value.strip())
                if value.strip().startswith("var(")
                else value.strip()
            )
            assert resolved in checked, f"{selector}: color {value.strip()}"


def storymap_css(site: Path) -> str:
    return (site / "assets/storymap/storymap.css").read_text("utf-8")


def test_storymap_text_colours_contrast_with_the_page(built_site: Path) -> None:
    css = storymap_css(built_site)
    colours = re.findall(r"[^-]color:\s*(#[0-9a-fA-F]{6})", css)
    assert colours
    for colour in colours:
        assert contrast(colour, WHITE) >= 4.5, colour


def test_focus_rings_contrast_with_what_they_sit_on(built_site: Path, theme) -> None:
    rules = theme_rules(built_site)
    ring = next(d for s, d in rules if s.startswith(":focus-visible"))
    assert "var(--focus)" in ring and "3px" in ring
    for background in (WHITE, theme["--footer-bg"], theme["--note-bg"]):
        assert contrast(theme["--focus"], background) >= 3
    header = next(d for s, d in rules if s == ".site-header :focus-visible")
    assert "var(--focus-on-dark)" in header
    assert contrast(theme["--focus-on-dark"], theme["--header-bg"]) >= 3  # rings in the header


def map_palettes(site: Path) -> tuple[list[str], str]:
    payload = map_data(site)
    colours = sorted({c for ind in payload["indicators"].values() for c in ind["palette"]})
    return colours, payload["noData"]


def test_legend_swatches_have_a_border_that_contrasts_with_the_page(built_site: Path) -> None:
    css = storymap_css(built_site)
    rule = re.search(r"\.storymap-legend \.swatch\s*\{([^}]*)\}", css).group(1)
    border = re.search(r"border:\s*\d+px solid (#[0-9a-fA-F]{6})", rule).group(1)
    assert contrast(border, WHITE) >= 3
    # the border, not the fill, is the swatch's edge: light fills alone would not be visible
    colours, _ = map_palettes(built_site)
    assert any(contrast(c, WHITE) < 3 for c in colours)


def edge_colour(fill: str) -> str:
    """storymap.js's rule for a ward outline: white unless it is under 3:1 on the fill."""
    return WHITE if contrast(fill, WHITE) >= 3 else "#1a1a1a"


def test_ward_outlines_contrast_with_every_fill(built_site: Path) -> None:
    """Ward outlines are white on dark and mid fills and near-black on light ones (storymap.js
    picks by contrast), so every outline is at least 3:1 on its ward's fill as drawn (90%
    opaque over the map background). tests/test_a11y.py checks the strokes Chromium draws."""
    js = (built_site / "assets/storymap/storymap.js").read_text("utf-8")
    assert 'contrast(fill,"#ffffff")>=3?"#ffffff":"#1a1a1a"' in js  # as shipped: minified
    opacity = float(re.search(r"fillOpacity:\s*([\d.]+)", js).group(1))
    background = re.search(
        r"\.storymap-map \{[^}]*background:\s*(#[0-9a-f]{6})", storymap_css(built_site)
    ).group(1)
    colours, no_data = map_palettes(built_site)
    for fill in [*colours, no_data]:
        drawn = over(fill, background, opacity)
        ratio = contrast(edge_colour(fill), drawn)
        assert ratio >= 3, f"outline {edge_colour(fill)} on {fill}: {ratio:.2f}:1"


def test_configured_palette_is_ordered_light_to_dark() -> None:
    """'Darker colours mean more at risk' (the legend's words) must be true of the palette."""
    palette = load_config(REPO / "site_config.yml").maps.palette
    lum = [luminance(c) for c in palette]
    assert lum == sorted(lum, reverse=True)
