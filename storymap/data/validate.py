"""Checks on an input table before any join.

In: a DataFrame read by :mod:`storymap.data.sources`, its file name and what its columns should
hold. Out: the table with numeric columns converted, or a DataError listing every problem found in
it (row numbers are file line numbers, counting the header as line 1)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from storymap.errors import DataError, ProblemList, quoted_list
from storymap.lazy import module

pd = module("pandas")

CODE_PATTERN = re.compile(r"^[EWSN]\d{8}$")


@dataclass
class TableSpec:
    """What a table must hold: a code column (unique or not) and numeric columns."""

    code_column: str
    code_prefixes: tuple[str, ...] = ()
    unique_codes: bool = True
    code_kind: str = ""  # what the codes are, in words, e.g. "MSOA (2021)"
    unique_hint: str = "Keep one row per code."
    counts: list[str] = field(default_factory=list)  # numeric, >= 0, may be blank if allowed
    numbers: list[str] = field(default_factory=list)  # numeric, any sign
    allow_blank: list[str] = field(default_factory=list)
    not_above: list[tuple[str, str]] = field(default_factory=list)  # (numerator, denominator)
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)  # column -> (low, high)


def _article(words: str) -> str:
    """'an' before a vowel sound ("an MSOA", "an output area"), else 'a'."""
    return "an" if words[:1] in "AEIOUaeiouFHLMNRSX" else "a"


def _rows(index: pd.Index) -> str:
    return quoted_list([str(i + 2) for i in index], 8)


def check_table(df: pd.DataFrame, file: str, spec: TableSpec) -> pd.DataFrame:
    """Return ``df`` with numeric columns as floats; raise DataError listing every problem."""
    df, problems = table_problems(df, file, spec)
    if problems:
        raise DataError(problems)
    return df


def table_problems(df: pd.DataFrame, file: str, spec: TableSpec) -> tuple[pd.DataFrame, list[str]]:
    """``df`` with numeric columns as floats, and every problem found (empty list: none)."""
    p = ProblemList()
    df = df.copy()
    codes = df[spec.code_column].astype(str).str.strip()
    df[spec.code_column] = codes
    blank = codes == ""
    if blank.any():
        p.add(
            f"{file} rows {_rows(df.index[blank])}: {spec.code_column} is blank. Fill in the code."
        )
    bad = ~blank & ~codes.str.match(CODE_PATTERN)
    if spec.code_prefixes:
        bad |= ~blank & ~codes.str.startswith(spec.code_prefixes)
    if bad.any():
        expect = " or ".join(f"{x}…" for x in spec.code_prefixes) or "a 9-character GSS code"
        if spec.code_kind and spec.code_prefixes:
            expect = f"{_article(spec.code_kind)} {spec.code_kind} code ({expect})"
        p.add(
            f"{file} rows {_rows(df.index[bad])}: {spec.code_column} "
            f"{quoted_list(codes[bad].unique(), 5)} is not {expect}. Check the column holds "
            "codes of the level declared for it."
        )
    if spec.unique_codes:
        dup = codes.duplicated(keep=False) & ~blank
        if dup.any():
            p.add(
                f"{file} rows {_rows(df.index[dup])}: duplicate {spec.code_column} "
                f"{quoted_list(codes[dup].unique(), 5)}. {spec.unique_hint}"
            )
    for col in dict.fromkeys(spec.counts + spec.numbers):
        text = df[col].astype(str).str.strip().str.replace(",", "", regex=False)
        values = pd.to_numeric(text, errors="coerce")
        empty = text == ""
        if col not in spec.allow_blank and empty.any():
            p.add(f"{file} rows {_rows(df.index[empty])}: {col} is blank. Fill in the value.")
        infinite = values.abs() == float("inf")
        if infinite.any():
            p.add(
                f"{file} rows {_rows(df.index[infinite])}: {col} is not a finite number "
                f"({quoted_list(text[infinite].unique()[:3], 3)}). Give the value as a number."
            )
            values = values.mask(infinite)
        not_number = ~empty & values.isna() & ~infinite
        if not_number.any():
            shown = quoted_list(text[not_number].unique()[:3], 3)
            p.add(
                f"{file} rows {_rows(df.index[not_number])}: {col} is not a number ({shown}). "
                "Remove text and footnotes from numeric columns."
            )
        if col in spec.counts:
            negative = values < 0
            if negative.any():
                p.add(
                    f"{file} rows {_rows(df.index[negative])}: {col} is negative. "
                    "Counts cannot be below zero."
                )
        df[col] = values.astype(float)
    for num, den in spec.not_above:
        above = df[num] > df[den]
        if above.any():
            p.add(
                f"{file} rows {_rows(df.index[above])}: {num} is larger than {den}. "
                "A numerator cannot exceed its denominator; check the columns."
            )
    for col, (low, high) in spec.ranges.items():
        values = pd.to_numeric(df[col], errors="coerce")
        outside = (values < low) | (values > high)
        if outside.any():
            found = quoted_list([f"{v:g}" for v in values[outside].unique()[:3]], 3)
            p.add(
                f"{file} rows {_rows(df.index[outside])}: {col} is outside {low:g} to {high:g} "
                f"(found {found}). Check the units and that this is the right column."
            )
    return df, p.items
