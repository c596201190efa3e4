"""The highest and lowest areas of a figure, with ties kept together.

In: a Series of values (index: area codes; already settled, so equal figures are equal) and the
areas' names. Out: codes in order (by value, then by name, so the order among equal figures is
stable and not an artefact of floating point), the group of areas sharing the extreme value,
and :class:`Cut`, which says whether taking the first ``n`` splits a group of equal figures.
Sentences built on these name the tie ("76 wards have 100.0%, including …") instead of picking
one of the tied areas as "the highest".
"""

from __future__ import annotations

from dataclasses import dataclass

from storymap.lazy import module

pd = module("pandas")


def ordered(values: pd.Series, names: pd.Series, highest: bool = True) -> list[str]:
    """Codes from the highest value down (or lowest up); equal values in name order."""
    frame = pd.DataFrame({"value": values, "name": names.reindex(values.index).astype(str)})
    frame = frame.sort_values(["value", "name"], ascending=[not highest, True], kind="stable")
    return [str(c) for c in frame.index]


def extreme_group(values: pd.Series, names: pd.Series, highest: bool = True) -> list[str]:
    """Codes of every area sharing the highest (or lowest) value, in name order."""
    order = ordered(values, names, highest)
    first = values[order[0]]
    return [c for c in order if values[c] == first]


@dataclass
class Cut:
    """The first ``n`` of an ordering, and the tie the cut falls in, if any."""

    codes: list[str]  # the first n
    tied_listed: list[str]  # listed codes sharing the last listed value with unlisted ones
    tied_total: int  # how many areas share that value (0 when the cut splits no tie)
    value: float | None  # the shared value


def cut(values: pd.Series, names: pd.Series, n: int, highest: bool = True) -> Cut:
    order = ordered(values, names, highest)
    codes = order[:n]
    if not codes or len(order) <= n:
        return Cut(codes, [], 0, None)
    last = values[codes[-1]]
    if values[order[n]] != last:
        return Cut(codes, [], 0, None)
    group = [c for c in order if values[c] == last]
    return Cut(codes, [c for c in codes if values[c] == last], len(group), float(last))
