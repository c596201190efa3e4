"""How every figure is shown: rounded once, from its full value, the same way everywhere.

In: a value (a float as computed, never one rounded before) and its indicator's spec (``unit``,
``decimals``). Out: the text a reader sees ("11.6%", "2.70", "1,924"), or the shown figure as an
exact :class:`~decimal.Decimal` for code that must compare or encode what readers see (the maps'
data script carries these figures, so storymap.js only prints them).

The rule: a value is rounded to its indicator's decimals (counts of people to whole people) half
away from zero, from the value's decimal digits (the shortest decimal that reads back as the same
float, as Python's ``repr`` and JavaScript's ``String`` write it), never from its binary
expansion. So 11.6497 shows as 11.6 (never 11.65 first, then 11.7), 13.35 as 13.4, 2.675 as 2.68,
-0.015 as -0.02 and -0.025 as -0.03, as a reader rounding the figure by hand would (the binary
expansions of 13.35 and -0.015 lie just below the half, of -0.025 just above: rounding those
rounded the halves both ways). Computed figures are kept to 12 significant figures
(:func:`storymap.figures.indicators.settle`), so their decimal digits are the full value. A figure
that rounds to zero shows without a sign ("0.00", not "-0.00"). The weights explorer on the method
page rounds the same way (``shownScore`` in weights.js, from the figure's decimal digits).

Pages, tooltips, step summaries, tables, chapter filters and downloads' companion texts all call
these functions; downloads keep the full values.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

NO_DATA = "no data"


def places(spec) -> int:
    """Decimals an indicator is shown with: its ``decimals``, or 0 for counts of people."""
    return 0 if spec.unit == "count" else int(spec.decimals)


def shown(value: float | None, digits: int) -> Decimal | None:
    """``value`` rounded once to ``digits`` decimals (half away from zero, from its decimal
    digits), as readers see it."""
    if value is None or not math.isfinite(float(value)):
        return None
    figure = Decimal(repr(float(value))).quantize(
        Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP
    )
    return abs(figure) if figure.is_zero() else figure


def format_number(value: float | None, digits: int) -> str:
    """'1,234.57': thousands separated, ``digits`` decimals."""
    figure = shown(value, digits)
    return NO_DATA if figure is None else f"{figure:,f}"


def format_value(value: float | None, spec) -> str:
    """An indicator's figure as every page shows it: '11.6%', '2.70', '1,924'."""
    text = format_number(value, places(spec))
    return text + "%" if spec.unit == "percent" and text != NO_DATA else text


def format_count(value: float | None) -> str:
    """A number of people, in whole people: '1,924' (never '1,923.6')."""
    return format_number(value, 0)


def approximately(value: float) -> str:
    """A large count in plain words, to three significant figures: '1.04 million', '167,000';
    below 1,000 the count itself."""
    value = float(value)
    if abs(value) < 1000:
        return format_count(value)
    if abs(value) >= 1_000_000:
        return f"{_significant(value / 1_000_000, 3)} million"
    digits = 3 - len(str(int(abs(value))))
    return format_count(float(shown(value, digits)))


def about(value: float) -> str:
    """'about 1.04 million', 'about 167,000'; below 1,000 the exact count."""
    text = approximately(value)
    return text if abs(float(value)) < 1000 else "about " + text


def _significant(value: float, figures: int) -> str:
    digits = max(figures - len(str(int(abs(value)))), 0)
    text = format_number(value, digits)
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent_of(part: float, whole: float) -> str:
    """A share of a count as a whole percentage: '35%'."""
    return format_number(100 * part / whole, 0) + "%" if whole else NO_DATA


def ordinal(n: int) -> str:
    """1 -> '1st', 2 -> '2nd', 11 -> '11th', 305 -> '305th'."""
    n = int(n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n:,}{suffix}"


def rank_phrase(
    rank: int, tied: int, total: int, things: str = "wards", where: str | None = None
) -> str:
    """'305th of 680', or for a rank shared by ``tied`` areas: 'joint 1st of 680, with 75 other
    wards'. With ``where``: '305th of 680 wards in London', 'joint 1st of 680 wards in London,
    with 75 others'."""
    text = f"{ordinal(rank)} of {total:,}"
    if where is not None:
        text += f" {things} {where}".rstrip()
    if tied > 1:
        others = tied - 1
        noun = things if others != 1 else things.rstrip("s")
        text = f"joint {text}, with {others:,} " + (
            f"other {noun}" if where is None else "others" if others != 1 else "other"
        )
    return text


def possessive(name: str) -> str:
    """ "London's", "the five project boroughs'"."""
    return name + ("'" if name.endswith("s") else "'s")


def in_sentence(label: str) -> str:
    """A label as it reads inside a sentence: its first letter lower case unless its first word
    is a name or an acronym ("Older residents in England's …" -> "older residents in England's
    …", "Residents disabled under the Equality Act" -> "residents disabled under the Equality
    Act"; "DERI score" and "Digital Exclusion Risk Index" stay as they are)."""
    words = label.split()
    if not words:
        return label
    first, second = words[0], words[1] if len(words) > 1 else ""
    if first[1:] != first[1:].lower() or (second[:1].isupper() and first[:1].isupper()):
        return label
    return label[:1].lower() + label[1:]


def unnested(text: str) -> str:
    """A name with its own brackets made a comma, for use inside brackets: "DERI score (all
    ages)" -> "DERI score, all ages", so a sentence never reads "(DERI score (all ages))"."""
    return text.replace(" (", ", ").replace(")", "") if "(" in text else text
