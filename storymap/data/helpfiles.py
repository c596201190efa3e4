"""Read the bundled help-point files (London's libraries, open and closed, and each postcode's
grid position) and the postcode table the help distances start from.

In: a Config. Out: each bundled file as a DataFrame (every cell text, but the postcode points'
eastings and northings), or a DataError naming the missing file and how to get it back; and
:func:`read_postcode_wards`, the configured postcode source's postcode and ward code columns.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from storymap.config import Config
from storymap.data.files import HELP_DIR, HELP_FILES
from storymap.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

LIBRARIES, CLOSED, POSTCODE_POINTS = (f"{HELP_DIR}/{name}" for name in HELP_FILES)


def bundled_file(config: Config, rel: str) -> Path:
    """A bundled help file, or an Error saying how to get it back."""
    path = config.resolve(rel)
    if not path.is_file():
        raise DataError(
            f"{rel}: the bundled help-point file is missing. Restore it from git "
            f"(git checkout -- {rel}), or set help.libraries to false to build without it."
        )
    return path


def read_libraries(config: Config, rel: str = LIBRARIES) -> pd.DataFrame:
    """The open libraries (``rel=LIBRARIES``) or the closed ones (``CLOSED``), every cell text."""
    import pandas as pd

    return pd.read_csv(bundled_file(config, rel), dtype=str, keep_default_na=False)


def read_postcode_points(config: Config) -> pd.DataFrame:
    """Each bundled postcode's easting and northing (British National Grid, metres)."""
    import pandas as pd

    return pd.read_csv(bundled_file(config, POSTCODE_POINTS), dtype={"postcode": str})


def read_postcode_wards(config: Config) -> pd.DataFrame:
    """The configured postcode source's ``postcode`` and ``ward_code`` columns, checked as every
    source is (storymap.data.sources.read_table); an Error when geography.postcodes names none."""
    from storymap.data.sources import read_table

    source = config.geography.postcodes
    if not source or source not in config.sources:
        raise DataError(
            f"{config.path.name}: help: distances to help need the postcode file, but "
            "geography.postcodes names no source. Set geography.postcodes to the postcodes source."
        )
    return read_table(config, source, ["postcode", "ward_code"])
