"""Derive the compact help-point files in data/help/ from the project's data collection.

In: the collection's ``services/`` folder (Arts Council England's Libraries Basic Dataset 2023 as
cleaned by Libraries Hacked, see its PROVENANCE.md), Code-Point Open 2025.4 (the release's CSV
with its header) and the bundled ``postcode,ward_code`` table. Out, in ``data/help/``:

* ``london_libraries_open_2023.csv``: the open static public libraries (one row each);
* ``london_libraries_closed_2010_2023.csv``: the London libraries closed 2010-2023, with the year;
* ``london_library_other_points_2023.csv``: archives, local-history, mobile and prison libraries,
  kept apart (not used as help points);
* ``london_postcode_points_codepoint_2025-4.csv.gz``: easting and northing (EPSG:27700) of every
  postcode in the bundled postcode table, for the distances to help.

Values are copied as the source gives them (no value is edited); only columns are chosen and
renamed. Usage::

    python tools/derive_help_data.py SERVICES_DIR CODEPOINT_CSV POSTCODES_CSV OUT_DIR
"""

from __future__ import annotations

import csv
import gzip
import sys
from pathlib import Path

# output column -> source column
OPEN = {
    "name": "Name",
    "la_code": "la_code",
    "la_name": "la_name",
    "located_district_code": "codepoint_admin_district_code",
    "ward_code": "codepoint_admin_ward_code",
    "operation": "operation_2023_description",
    "statutory_2023": "Statutory in 2023",
    "hours_per_week": "Hours open per week",
    "staffed_hours_per_week": "Staffed hours per week",
    "email_or_website": "Email or website",
    "address": "Address 1",
    "postcode": "Postcode",
    "easting": "Easting",
    "northing": "Northing",
    "latitude": "Latitude",
    "longitude": "Longitude",
}
CLOSED = {
    "name": "Name",
    "year_closed": "Year closed",
    "la_code": "la_code",
    "la_name": "la_name",
    "postcode": "Postcode",
    "easting": "Easting",
    "northing": "Northing",
    "latitude": "Latitude",
    "longitude": "Longitude",
}
OTHER = {"name": "Name", "type": "Type", **{k: v for k, v in CLOSED.items() if k != "name"}}
OTHER.pop("year_closed")


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write(path: Path, source: list[dict[str, str]], columns: dict[str, str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(columns)
        for row in source:
            # line breaks inside a source field become one space (the source has a few)
            out.writerow(" ".join(row[c].split()) for c in columns.values())


def main(services: Path, codepoint: Path, postcodes: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    write(
        out / "london_libraries_open_2023.csv",
        rows(services / "london_libraries_open_2023.csv"),
        OPEN,
    )
    write(
        out / "london_libraries_closed_2010_2023.csv",
        rows(services / "london_libraries_closed_2010_2023.csv"),
        CLOSED,
    )
    write(
        out / "london_library_other_points_2023.csv",
        rows(services / "london_library_other_points_open_2023.csv"),
        OTHER,
    )
    wanted = [r["postcode"] for r in rows(postcodes)]
    points = {}
    for row in rows(codepoint):
        points[" ".join(row["Postcode"].split())] = (row["Eastings"], row["Northings"])
    missing = [p for p in wanted if p not in points]
    if missing:
        sys.exit(
            f"{len(missing)} bundled postcodes are not in {codepoint.name}, e.g. {missing[:3]}"
        )
    # mtime=0: the same input gives the same bytes
    with open(out / "london_postcode_points_codepoint_2025-4.csv.gz", "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
            text = "postcode,easting,northing\n" + "".join(
                f"{p},{points[p][0]},{points[p][1]}\n" for p in wanted
            )
            gz.write(text.encode("utf-8"))


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(*(Path(a) for a in sys.argv[1:]))
