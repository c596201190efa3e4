"""Derive the compact place-name file in data/places/ from the project's data collection.

In: the collection's ``places/london_places_os_open_names.csv`` (OS Open Names populated places
whose region is London, as compiled by Alasdair Rae, with ONS borough codes appended; see its
PROVENANCE.md). Out: ``data/places/london_place_names_os_open_names.csv`` with the columns
``name``, ``local_type`` (Suburban Area, Village, Hamlet, Other Settlement), ``easting``,
``northing`` (British National Grid, EPSG:27700, metres, as OS gives them) and ``borough_code``.
The three "City" rows (London, City of Westminster, City of London) are left out: they name a
city or a borough, not a place within one, and boroughs are searchable already.

Values are copied as the source gives them (no value is edited); only rows and columns are
chosen. Usage::

    python tools/derive_place_names.py PLACES_CSV OUT_CSV
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

COLUMNS = {  # output column -> source column
    "name": "NAME1",
    "local_type": "LOCAL_TYPE",
    "easting": "X",
    "northing": "Y",
    "borough_code": "lad_code_ons",
}
LEFT_OUT = {"City"}


def derive(source: Path, out: Path) -> int:
    with source.open(encoding="utf-8-sig", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["LOCAL_TYPE"] not in LEFT_OUT]
    rows.sort(key=lambda r: (r["NAME1"], r["lad_code_ons"], float(r["X"])))
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(COLUMNS)
        for r in rows:
            writer.writerow([r[c] for c in COLUMNS.values()])
    return len(rows)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__.split("Usage::")[1].strip())
    print(f"{derive(Path(sys.argv[1]), Path(sys.argv[2])):,} places written to {sys.argv[2]}")
