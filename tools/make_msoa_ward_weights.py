"""Write data/lookups/lookup_msoa21_ward22_london_popweighted.csv from bundled files.

Each 2021 MSOA's figures are shared between December 2022 wards by where its residents live: an
MSOA's LSOAs are each assigned to one ward by the ONS/GLA best-fit lookup
(data/lookups/lookup_lsoa21_ward22_lad22_london_bestfit.csv, columns LSOA21CD, MSOA21CD, WD22CD),
and the weight of (MSOA, ward) is the Census 2021 usual residents (RM121 pop_total, in
data/census2021/london_lsoa21_age65plus_census2021_rm121.csv) of the MSOA's LSOAs in that ward,
divided by the MSOA's usual residents. Run from the project folder:

    .venv/bin/python tools/make_msoa_ward_weights.py

It prints the number of rows and MSOAs; tests/test_levels.py checks the bundled file is the same.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from storymap.figures.weights import share_weights

ROOT = Path(__file__).resolve().parent.parent
LOOKUP = ROOT / "data/lookups/lookup_lsoa21_ward22_lad22_london_bestfit.csv"
POPULATION = ROOT / "data/census2021/london_lsoa21_age65plus_census2021_rm121.csv"
OUT = ROOT / "data/lookups/lookup_msoa21_ward22_london_popweighted.csv"


def msoa_ward_weights(lookup: Path = LOOKUP, population: Path = POPULATION) -> pd.DataFrame:
    """MSOA21CD, WD22CD, residents, pop_weight_2021: one row per MSOA and ward it shares people
    with."""
    lsoas = pd.read_csv(lookup, dtype=str, usecols=["LSOA21CD", "MSOA21CD", "WD22CD"])
    people = pd.read_csv(population, dtype={"LSOA21CD": str}, usecols=["LSOA21CD", "pop_total"])
    blocks = lsoas.merge(people, on="LSOA21CD", how="left", validate="one_to_one")
    if blocks["pop_total"].isna().any():
        missing = blocks.loc[blocks["pop_total"].isna(), "LSOA21CD"].tolist()[:5]
        raise SystemExit(f"Error: {POPULATION.name}: no population for LSOAs {missing}")
    table = share_weights(blocks, "MSOA21CD", "WD22CD", "pop_total")
    return table.rename(columns={"pop_total": "residents", "weight": "pop_weight_2021"})


def main() -> int:
    table = msoa_ward_weights()
    table.to_csv(OUT, index=False, lineterminator="\n")
    shared = int((table.groupby("MSOA21CD").size() > 1).sum())
    print(
        f"wrote {OUT.relative_to(ROOT)}: {len(table)} rows, {table['MSOA21CD'].nunique()} MSOAs "
        f"({shared} shared between two or more wards), {table['WD22CD'].nunique()} wards"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
