"""Colour contrast, computed with the WCAG 2.2 formula from the built site's own CSS and palette.

Text needs 4.5:1 (1.4.3), links must differ from body text by more than colour (1.4.1), and
legend swatches, ward outlines and focus rings need 3:1 against what they sit on (1.4.11).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

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


# ---- the theme's custom properties, resolved as the browser does ---------------------------


def theme_variables(site: Path) -> dict[str, str]:
    """Custom properties for the default scheme and indigo palette, theme.css overrides last."""
    css = site / "assets" / "stylesheets"
    main = next(css.glob("main.*.min.css")).read_text("utf-8")
    palette = next(css.glob("palette.*.min.css")).read_text("utf-8")
    ours = (site / "assets/storymap/theme.css").read_text("utf-8")
    blocks = re.findall(r"(?:^|})\s*:root[^{]*\{([^}]*)\}", main)
    for sheet, selector in ((main, "scheme=default"), (palette, "primary=indigo"),
                            (palette, "accent=indigo")):
        # exactly this selector: not e.g. [data-md-color-scheme=slate][data-md-color-primary=…]
        pattern = r"(?:^|[},])\s*\[data-md-color-" + selector + r"\]\s*\{([^}]*)\}"
        blocks += re.findall(pattern, sheet)
    blocks += re.findall(r':root[^{]*\{([^}]*)\}', re.sub(r"/\*.*?\*/", "", ours, flags=re.S))
    found: dict[str, str] = {}
    for block in blocks:
        for name, value in re.findall(r"(--md-[\w-]+)\s*:\s*([^;]+)", block):
            found[name] = value.strip()

    def resolve(value: str, depth: int = 0) -> str:
        m = re.fullmatch(r"var\((--[\w-]+)\)", value)
        return resolve(found[m.group(1)], depth + 1) if m and depth < 10 else value

    return {k: resolve(v) for k, v in found.items()}


@pytest.fixture(scope="module")
def theme(built_site: Path) -> dict[str, str]:
    return theme_variables(built_site)


def test_body_text_and_links_contrast_with_the_page(theme) -> None:
    text = over(theme["--md-typeset-color"], WHITE)
    link = theme["--md-typeset-a-color"]
    assert contrast(text, WHITE) >= 4.5
    assert contrast(link, WHITE) >= 4.5, link


def test_links_are_underlined_not_marked_by_colour_alone(built_site: Path, theme) -> None:
    text = over(theme["--md-typeset-color"], WHITE)
    ours = (built_site / "assets/storymap/theme.css").read_text("utf-8")
    underlined = re.search(r"\.md-typeset a\s*\{[^}]*text-decoration:\s*underline", ours)
    assert underlined or contrast(theme["--md-typeset-a-color"], text) >= 3


def test_header_text_contrasts_with_the_header(theme) -> None:
    header = theme["--md-primary-fg-color"]
    assert contrast(theme["--md-primary-bg-color"], header) >= 4.5


def test_footer_text_contrasts_with_the_footer(theme) -> None:
    """The footer bar is a translucent black over the page; the copyright line sits on a second,
    darker layer and uses the theme's faintest footer colour (4.4:1 before theme.css)."""
    footer = over(theme["--md-footer-bg-color"], WHITE)
    meta = over(theme["--md-footer-bg-color--dark"], footer)
    for name in ("--md-footer-fg-color", "--md-footer-fg-color--light",
                 "--md-footer-fg-color--lighter"):
        for background in (footer, meta):
            ratio = contrast(over(theme[name], background), background)
            assert ratio >= 4.5, f"{name} on {background}: {ratio:.2f}:1"


def test_muted_theme_text_contrasts_with_the_page(theme) -> None:
    muted = over(theme["--md-default-fg-color--light"], WHITE)
    assert contrast(muted, WHITE) >= 4.5


def storymap_css(site: Path) -> str:
    return (site / "assets/storymap/storymap.css").read_text("utf-8")


def test_storymap_text_colours_contrast_with_the_page(built_site: Path) -> None:
    css = storymap_css(built_site)
    colours = re.findall(r"[^-]color:\s*(#[0-9a-fA-F]{6})", css)
    assert colours
    for colour in colours:
        assert contrast(colour, WHITE) >= 4.5, colour


def test_focus_rings_contrast_with_what_they_sit_on(built_site: Path, theme) -> None:
    ours = (built_site / "assets/storymap/theme.css").read_text("utf-8")
    ring = re.search(r"outline:\s*3px solid (#[0-9a-f]{6})", ours).group(1)
    assert contrast(ring, WHITE) >= 3
    assert contrast(WHITE, theme["--md-primary-fg-color"]) >= 3  # rings in the header
    assert contrast(WHITE, over(theme["--md-footer-bg-color"], WHITE)) >= 3


def map_palettes(site: Path) -> tuple[list[str], str]:
    data = next((site / "assets/storymap").glob("data.*.js")).read_text("utf-8")
    payload = json.loads(data[data.index("=") + 1:].rstrip().rstrip(";"))
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
    assert 'contrast(fill, "#ffffff") >= 3 ? "#ffffff" : "#1a1a1a"' in js
    opacity = float(re.search(r"fillOpacity:\s*([\d.]+)", js).group(1))
    background = re.search(r"\.storymap-map \{[^}]*background:\s*(#[0-9a-f]{6})",
                           storymap_css(built_site)).group(1)
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
