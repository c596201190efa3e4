"""Postcodes: OS Code-Point Open cut down to the one thing the site needs, postcode -> ward.

In: Code-Point Open rows, either the publisher's zip (``Data/CSV/<area>.csv``, one file per
postcode area, no header rows) or a CSV of its rows with the release's header (as in the project's
data collection). Out: the bundled table ``postcode,ward_code`` (postcode with one space, e.g.
``NW6 7TA``; December 2022 ward codes as Code-Point Open gives them), sorted by postcode, one row
per live postcode of the configured area, and :func:`postcode_key`, the one rule for reading what
a reader typed.

The derivation is reproducible with ``python -m storymap.data.postcodes IN.csv OUT.csv`` (the
bundled file was made so from Code-Point Open 2025.4, see data/SOURCES.md); ``storymap fetch
--source postcodes`` makes the same table from the publisher's zip.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath

from storymap.config import Config
from storymap.errors import FetchError
from storymap.lazy import module

pd = module("pandas")

# The columns of Code-Point Open's CSV files (Doc/Code-Point_Open_Column_Headers.csv).
COLUMNS = [
    "Postcode",
    "Positional_quality_indicator",
    "Eastings",
    "Northings",
    "Country_code",
    "NHS_regional_HA_code",
    "NHS_HA_code",
    "Admin_county_code",
    "Admin_district_code",
    "Admin_ward_code",
]
HEADER = ["postcode", "ward_code"]
# A UK postcode: outward code (area letters, district) then inward code (sector digit, unit).
SHAPE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")


def postcode_key(text: str) -> str | None:
    """'nw67ta', ' NW6  7TA ' -> 'NW6 7TA'; None if it is not shaped like a postcode."""
    squeezed = re.sub(r"\s+", "", str(text)).upper()
    m = SHAPE.match(squeezed)
    return f"{m.group(1)} {m.group(2)}" if m else None


def derive(rows: Iterable[dict[str, str]], wards: set[str]) -> pd.DataFrame:
    """``postcode,ward_code`` for the rows whose ward is in ``wards``, sorted, one per postcode."""
    kept: dict[str, str] = {}
    for row in rows:
        ward = (row.get("Admin_ward_code") or "").strip()
        key = postcode_key(row.get("Postcode") or "")
        if key and ward in wards:
            kept.setdefault(key, ward)
    table = pd.DataFrame(sorted(kept.items()), columns=HEADER)
    return table


def rows_from_csv(path: Path) -> Iterator[dict[str, str]]:
    """Rows of a Code-Point Open CSV that has the release's header row."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        yield from csv.DictReader(fh)


def rows_from_zip(path: Path, where: str) -> Iterator[dict[str, str]]:
    """Rows of every ``Data/CSV/*.csv`` area file in the publisher's zip (no header rows)."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise FetchError(
            f"{where}: not a zip archive. Check the url; the cached copy was kept."
        ) from None
    with archive:
        members = [
            i
            for i in archive.infolist()
            if PurePosixPath(i.filename).parent.name == "CSV"
            and i.filename.lower().endswith(".csv")
        ]
        if not members:
            listed = ", ".join(i.filename for i in archive.infolist()[:10])
            raise FetchError(
                f"{where}: no Data/CSV/<area>.csv files in the zip (members: {listed}). Check "
                "that the url asks for format=CSV; the cached copy was kept."
            )
        for info in members:
            with archive.open(info) as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                for values in csv.reader(text):
                    if values and values[0] != "Postcode":  # tolerate a header row
                        yield dict(zip(COLUMNS, values, strict=False))


def area_wards(config: Config) -> set[str]:
    """Every ward code (before merging) of the configured area, from geography.ward_boroughs."""
    from storymap.data.sources import read_table

    spec = config.geography.ward_boroughs
    return set(read_table(config, spec.source, [spec.ward])[spec.ward].str.strip())


def tidy_codepoint(config: Config, raw: list[Path], out: Path, where: str) -> Path:
    """The bundled table from the publisher's zip, kept to the area's wards."""
    table = derive(rows_from_zip(raw[0], where), area_wards(config))
    if table.empty:
        raise FetchError(
            f"{where}: no postcode in the zip lies in a ward of the area; is this "
            "Code-Point Open? The cached copy was kept."
        )
    write(table, out)
    return out


def write(table: pd.DataFrame, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out, index=False, lineterminator="\n")


def main(argv: list[str]) -> int:
    """``python -m storymap.data.postcodes CODEPOINT.csv OUT.csv [WARD_LOOKUP.csv]``: derive the
    bundled file; wards are those of the lookup (default: every ward code in the input)."""
    if len(argv) not in (2, 3):
        print(main.__doc__, file=sys.stderr)
        return 2
    source, out = Path(argv[0]), Path(argv[1])
    rows = list(rows_from_csv(source))
    if len(argv) == 3:
        with Path(argv[2]).open(encoding="utf-8-sig", newline="") as fh:
            wards = {r["WD22CD"].strip() for r in csv.DictReader(fh)}
    else:
        wards = {r["Admin_ward_code"] for r in rows}
    table = derive(rows, wards)
    write(table, out)
    print(f"{len(table):,} postcodes in {table['ward_code'].nunique()} wards -> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
