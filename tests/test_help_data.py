"""The bundled help-point files: counts, coordinates and postcode points computed from the files."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pandas as pd

DATA = Path(__file__).resolve().parent.parent / "data"
HELP = DATA / "help"


def rows(name: str) -> list[dict[str, str]]:
    with (HELP / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_open_libraries_cover_the_33_boroughs():
    libraries = rows("london_libraries_open_2023.csv")
    assert len(libraries) == 340
    boroughs = Counter(r["la_code"] for r in libraries)
    assert sorted(boroughs) == [f"E090000{n:02d}" for n in range(1, 34)]
    assert min(boroughs.values()) >= 1
    assert len({(r["name"], r["postcode"]) for r in libraries}) == 340
    for r in libraries:
        assert 500_000 < float(r["easting"]) < 570_000 and 150_000 < float(r["northing"]) < 205_000
        assert r["operation"] and r["hours_per_week"]


def test_closed_libraries_have_a_year_in_2010_2023():
    closed = rows("london_libraries_closed_2010_2023.csv")
    assert len(closed) == 39
    assert all(2010 <= int(r["year_closed"]) <= 2023 for r in closed)
    assert all(r["easting"] and r["northing"] for r in closed)


def test_other_points_are_kept_apart():
    other = rows("london_library_other_points_2023.csv")
    assert len(other) == 19
    assert "Static Library" not in {r["type"] for r in other}
    names = {r["name"] for r in rows("london_libraries_open_2023.csv")}
    assert not names & {
        r["name"] for r in other if r["type"] in {"Mobile Library", "Prison Library"}
    }


def test_every_bundled_postcode_has_a_point():
    wards = pd.read_csv(DATA / "postcodes" / "london_postcode_wards_codepoint_2025-4.csv")
    points = pd.read_csv(HELP / "london_postcode_points_codepoint_2025-4.csv.gz")
    assert points["postcode"].tolist() == wards["postcode"].tolist()
    assert points["easting"].between(500_000, 570_000).all()
    assert points["northing"].between(150_000, 205_000).all()
