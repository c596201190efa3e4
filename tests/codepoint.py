"""A Code-Point Open download as the OS ships it, for fetch tests served on 127.0.0.1."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pandas as pd

POSTCODES = (
    Path(__file__).resolve().parent.parent
    / "data/postcodes/london_postcode_wards_codepoint_2025-4.csv"
)


def codepoint_zip() -> bytes:
    """A Code-Point Open zip as the OS ships it: Data/CSV/<area>.csv without header rows, here
    made from the bundled table plus postcodes outside London (which must be dropped)."""
    table = pd.read_csv(POSTCODES, dtype=str)
    areas: dict[str, io.StringIO] = {}
    for pc, ward in zip(table["postcode"], table["ward_code"], strict=True):
        area = pc[:2].rstrip("0123456789").lower()
        csv.writer(areas.setdefault(area, io.StringIO())).writerow(
            [pc, 10, 530000, 180000, "E92000001", "E19000003", "E18000007", "", "E09000033", ward]
        )
    csv.writer(areas.setdefault("m", io.StringIO())).writerow(
        ["M1 1AE", 10, 384000, 398000, "E92000001", "", "", "", "E08000003", "E05011368"]
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Doc/licence.txt", "OS OpenData")
        for area, text in sorted(areas.items()):
            zf.writestr(f"Data/CSV/{area}.csv", text.getvalue())
    return buf.getvalue()
