"""Read the bundled place names: the names Londoners use for where they live (OS Open Names
populated places: "Soho", "St John's Wood", "Notting Hill"), none of which need be a ward's.

In: a Config. Out: :func:`read_place_names`, one row a place (``name``, ``local_type``,
``easting``, ``northing`` in British National Grid metres, ``borough_code``), or a DataError
naming the missing or broken file and how to get it back. Derived by
tools/derive_place_names.py; publisher, vintage, licence and caveats in data/SOURCES.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from storymap.config import Config
from storymap.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

PLACE_NAMES = "data/places/london_place_names_os_open_names.csv"
COLUMNS = ["name", "local_type", "easting", "northing", "borough_code"]
ATTRIBUTION = (
    "Place names: Contains Ordnance Survey data © Crown copyright and database right 2017 "
    "(OS Open Names, compiled by Alasdair Rae). Contains Royal Mail data © Royal Mail copyright "
    "and database right 2017. Contains National Statistics data © Crown copyright and database "
    "right 2017."
)


def read_place_names(config: Config) -> pd.DataFrame:
    import pandas as pd

    path = config.resolve(PLACE_NAMES)
    if not path.is_file():
        raise DataError(
            f"{PLACE_NAMES}: the bundled place-name file is missing. Restore it from git "
            f"(git checkout -- {PLACE_NAMES})."
        )
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(
            f"{PLACE_NAMES}: cannot be read as UTF-8 CSV ({exc}). Restore it from git "
            f"(git checkout -- {PLACE_NAMES})."
        ) from None
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise DataError(
            f"{PLACE_NAMES}: missing column(s) {', '.join(missing)}. Restore it from git "
            f"(git checkout -- {PLACE_NAMES})."
        )
    table = table[COLUMNS].copy()
    for column in ("easting", "northing"):
        numbers = pd.to_numeric(table[column], errors="coerce")
        bad = numbers.isna()
        if bad.any():
            line = int(bad.to_numpy().nonzero()[0][0]) + 2
            raise DataError(
                f"{PLACE_NAMES} line {line}: {column} {table[column].iloc[line - 2]!r} is not a "
                f"number of metres. Restore the file from git (git checkout -- {PLACE_NAMES})."
            )
        table[column] = numbers
    return table
