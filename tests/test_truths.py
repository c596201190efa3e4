"""Every sentence true: one rounding rule, ties sharing a rank, deciles and ranges told truly.

Rounding: every formatter rounds half away from zero from the figure's decimal digits, so exact
halves, positive and negative, go away from zero (13.35 -> 13.4, -0.015 -> -0.02, -0.025 ->
-0.03), where rounding the binary expansion took 13.35 and -0.015 down and -0.025 up. The weights
explorer's JavaScript rounds the same (checked in Chromium). Ranks: wards (and boroughs) showing
the same figure share a rank. Deciles: one definition, tenths closed where the running count
comes nearest an equal share, so many equal values never leave deciles empty. Figures are
recomputed here from the bundled data, not read from the site.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from types import SimpleNamespace

import numpy as np
import pytest

from storymap.figures.format import (
    about,
    approximately,
    format_count,
    format_number,
    format_value,
    percent_of,
    shown,
)
from storymap.figures.indicators import shown_values

PERCENT = SimpleNamespace(unit="percent", decimals=1)
SCORE = SimpleNamespace(unit="score", decimals=2)
COUNT = SimpleNamespace(unit="count", decimals=1)

# (value, decimals, as shown): exact decimal halves, both signs, whose binary expansions lie on
# either side of the half
HALVES = [
    (-0.015, 2, "-0.02"),
    (-0.025, 2, "-0.03"),
    (0.015, 2, "0.02"),
    (0.025, 2, "0.03"),
    (13.35, 1, "13.4"),
    (-13.35, 1, "-13.4"),
    (2.675, 2, "2.68"),
    (-2.675, 2, "-2.68"),
    (1.005, 2, "1.01"),
    (0.5, 0, "1"),
    (-0.5, 0, "-1"),
    (2.5, 0, "3"),
    (-2.5, 0, "-3"),
    (1234.5, 0, "1,235"),
    (-1234.5, 0, "-1,235"),
]


def by_hand(value: float, digits: int) -> str:
    """The figure a reader rounding the written decimal by hand gets: half away from zero on
    the exact fraction the decimal names (Fraction of the written text, not of the float)."""
    exact = Fraction(repr(value))
    scaled = abs(exact) * 10**digits
    whole = int(scaled) + (1 if scaled - int(scaled) >= Fraction(1, 2) else 0)
    text = f"{Decimal(whole).scaleb(-digits):,f}"
    return "-" + text if exact < 0 and whole else text


@pytest.mark.parametrize(("value", "digits", "text"), HALVES)
def test_exact_halves_go_away_from_zero_in_every_formatter(value, digits, text) -> None:
    assert by_hand(value, digits) == text  # the expectation itself, worked independently
    assert format_number(value, digits) == text
    assert str(shown(value, digits)) == text.replace(",", "")
    assert shown_values(np.array([value]), SimpleNamespace(unit="score", decimals=digits))[
        0
    ] == float(text.replace(",", ""))
    if digits == 1:
        assert format_value(value, PERCENT) == text + "%"
    if digits == 2:
        assert format_value(value, SCORE) == text
    if digits == 0:
        assert format_count(value) == text
        assert format_value(value, COUNT) == text


def test_the_binary_expansion_no_longer_decides() -> None:
    # the floats nearest these halves lie below (13.35, -0.015) and above (-0.025) them: the
    # old rule read them so and rounded the halves both ways
    assert Decimal(13.35) < Decimal("13.35") and Decimal(-0.015) > Decimal("-0.015")
    assert Decimal(-0.025) < Decimal("-0.025")
    assert Decimal(13.35).quantize(Decimal("0.1"), ROUND_HALF_UP) == Decimal("13.3")
    assert format_value(13.35, PERCENT) == "13.4%"
    # just either side of a half: the full value decides, once (never 11.65 then 11.7)
    assert format_value(11.6497, PERCENT) == "11.6%"
    assert format_value(13.3499999999, PERCENT) == "13.3%"
    assert format_value(-0.0149999999, SCORE) == "-0.01"
    assert format_value(-0.004, SCORE) == "0.00"  # no "-0.00"


def test_large_counts_and_shares_round_halves_away_from_zero() -> None:
    assert approximately(166_500) == "167,000" and approximately(-166_500) == "-167,000"
    assert approximately(1_045_000) == "1.05 million"
    assert approximately(-1_045_000) == "-1.05 million"
    assert about(2_345_000) == "about 2.35 million" and about(12_350) == "about 12,400"
    assert approximately(999.5) == "1,000" and approximately(-999.5) == "-1,000"
    assert percent_of(1, 8) == "13%" and percent_of(-1, 8) == "-13%"
    assert percent_of(3, 8) == "38%" and percent_of(5, 8) == "63%"


def test_shown_values_agree_with_shown_on_many_halves() -> None:
    # every multiple of 0.005 from -20 to 20: half of them exact halves at 2 decimals
    values = np.array([k / 200 for k in range(-4000, 4001)])
    spec = SimpleNamespace(unit="score", decimals=2)
    fast = shown_values(values, spec)
    for v, f in zip(values, fast, strict=True):
        assert f == float(by_hand(float(v), 2).replace(",", "")), v


def test_the_weights_explorer_rounds_as_the_pages_do(page) -> None:
    from conftest import REPO

    script = (REPO / "storymap" / "assets" / "weights.js").read_text("utf-8")
    page.set_content("<!doctype html><title>t</title><p>t</p>")
    page.add_script_tag(content=script)
    cases = (
        [(v, d) for v, d, _ in HALVES]
        + [(k / 200, 2) for k in range(-2000, 2001, 7)]
        + [(11.6497, 1), (13.3499999999, 1), (-0.004, 2), (1e-7, 2), (7.7749999999, 2)]
    )
    got = page.evaluate(
        "cases => cases.map(c => window.StorymapWeights.roundShown(c[0], c[1]))", cases
    )
    for (value, digits), js in zip(cases, got, strict=True):
        assert js == float(shown(value, digits)), (value, digits, js)
