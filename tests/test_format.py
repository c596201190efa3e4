"""One way to show a figure: rounded once from the full value, half away from zero."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from storymap.figures.format import (
    about,
    approximately,
    format_count,
    format_value,
    ordinal,
    possessive,
    rank_phrase,
    shown,
)

PERCENT = SimpleNamespace(unit="percent", decimals=1)
SCORE = SimpleNamespace(unit="score", decimals=2)
COUNT = SimpleNamespace(unit="count", decimals=1)


def test_rounded_once_from_the_full_value() -> None:
    # Brent's share aged 65+: 11.6497…%. Rounding to 3 decimals first (11.650) and then to 1
    # gave 11.7 on its pages and 11.6 in its chapter; once, from the full value, it is 11.6.
    assert format_value(100 * 39592 / 339854, PERCENT) == "11.6%"
    assert format_value(11.65, PERCENT) == "11.7%"  # 11.65 is stored as 11.6500000000000003…
    assert format_value(12.25, PERCENT) == "12.3%"  # an exact half: away from zero, as by hand
    assert format_value(-12.25, PERCENT) == "-12.3%"
    # 2.675 is stored as 2.67499999…, but its figure is 2.675: a half, rounded away from zero
    # from the decimal, not down from the binary expansion (issue 26)
    assert format_value(2.675, SCORE) == "2.68"
    assert format_value(-0.004, SCORE) == "0.00"  # no "-0.00"
    assert format_value(float("nan"), SCORE) == "no data"
    assert format_value(1234.5678, SCORE) == "1,234.57"


def test_counts_are_whole_people() -> None:
    assert format_count(1923.17) == "1,923"
    assert format_count(1923.5) == "1,924"
    assert format_value(1619.0, COUNT) == "1,619"
    assert str(shown(1923.6, 0)) == "1924"


def test_large_counts_in_plain_words() -> None:
    assert about(1_043_331) == "about 1.04 million"
    assert approximately(1_043_331) == "1.04 million"
    assert about(8_799_791) == "about 8.8 million"
    assert about(166_702) == "about 167,000"
    assert about(999) == "999"


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (112, "112th"),
        (193, "193rd"),
        (527, "527th"),
    ],
)
def test_ordinals(n: int, text: str) -> None:
    assert ordinal(n) == text


def test_rank_phrases_tell_ties_as_ties() -> None:
    assert rank_phrase(305, 1, 680) == "305th of 680"
    assert rank_phrase(1, 76, 680) == "joint 1st of 680, with 75 other wards"
    assert rank_phrase(3, 2, 33, "boroughs") == "joint 3rd of 33, with 1 other borough"
    assert rank_phrase(1, 76, 680, where="in London") == (
        "joint 1st of 680 wards in London, with 75 others"
    )
    assert rank_phrase(305, 1, 680, where="") == "305th of 680 wards"
    assert possessive("London") == "London's"
    assert possessive("the five project boroughs") == "the five project boroughs'"
