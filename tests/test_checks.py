"""Data checks: each kind of bad input gives its own error naming file, rows and codes; problems in
several tables are reported together; `storymap build` exits 1 with an Error: block, no traceback.

Each test breaks a COPY of the project (the ``project`` fixture) and never the bundled data.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import run_cli

from storymap.config import load_config
from storymap.data.checks import audit_inputs

DISABILITY = "data/census2021/london_lsoa21_disability_census2021_ts038.csv"
LOOKUP21 = "data/lookups/lookup_lsoa21_ward22_lad22_london_bestfit.csv"
IOD2019 = "data/deprivation/london_lsoa11_iod2019_imd_idaopi.csv"


def read(project: Path, rel: str) -> pd.DataFrame:
    return pd.read_csv(project / rel, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def write(project: Path, rel: str, df: pd.DataFrame) -> None:
    df.to_csv(project / rel, index=False)


def problems(project: Path) -> str:
    return "\n".join(audit_inputs(load_config(project / "site_config.yml")).problems)


def bad_code(project):
    df = read(project, DISABILITY)
    df.loc[9, "LSOA21CD"] = "X0100010"
    write(project, DISABILITY, df)
    return [f"{DISABILITY} rows 11: LSOA21CD X0100010 is not an LSOA (2021) code (E01… or W01…)"]


def duplicate(project):
    df = read(project, DISABILITY)
    df.loc[20, "LSOA21CD"] = df.loc[19, "LSOA21CD"]
    write(project, DISABILITY, df)
    return [f"{DISABILITY} rows 21, 22: duplicate LSOA21CD {df.loc[19, 'LSOA21CD']}"]


def blank(project):
    df = read(project, DISABILITY)
    df.loc[4, "disabled_equality_act"] = ""
    write(project, DISABILITY, df)
    return [f"{DISABILITY} rows 6: disabled_equality_act is blank"]


def text_in_numbers(project):
    df = read(project, DISABILITY)
    df.loc[7, "pop_total"] = "c"
    write(project, DISABILITY, df)
    return [f"{DISABILITY} rows 9: pop_total is not a number (c)"]


def negative(project):
    df = read(project, DISABILITY)
    df.loc[3, "disabled_equality_act"] = "-5"
    write(project, DISABILITY, df)
    return [f"{DISABILITY} rows 5: disabled_equality_act is negative"]


def above_denominator(project):
    df = read(project, DISABILITY)
    df.loc[2, "disabled_equality_act"] = str(int(df.loc[2, "pop_total"]) + 1)
    write(project, DISABILITY, df)
    return [f"{DISABILITY} rows 4: disabled_equality_act is larger than pop_total"]


def share_over_100(project):
    raw = yaml.safe_load((project / "site_config.yml").read_text())
    raw["indicators"].append(
        {
            "id": "pct_disabled_published",
            "label": "Disabled (published share)",
            "unit": "percent",
            "source": "census_disability",
            "geography": "lsoa21",
            "aggregate": "weighted_mean",
            "value": "pct_disabled",
            "weight": {"source": "census_age", "column": "pop_total"},
            "direction": "higher_is_more_risk",
        }
    )
    (project / "site_config.yml").write_text(yaml.safe_dump(raw, sort_keys=False))
    df = read(project, DISABILITY)
    df.loc[5, "pct_disabled"] = "131.2"
    write(project, DISABILITY, df)
    return [f"{DISABILITY} rows 7: pct_disabled is outside 0 to 100 (found 131.2)"]


def unmatched_code(project):
    df = read(project, DISABILITY)
    df.loc[0, "LSOA21CD"] = "E01999999"
    write(project, DISABILITY, df)
    return [f"{DISABILITY} rows 2: LSOA21CD E01999999 match no area in the 'lsoa21' lookup"]


def ward_without_value(project):
    lookup = read(project, LOOKUP21)
    ward = "E05013996"
    gone = set(lookup.loc[lookup["WD22CD"] == ward, "LSOA21CD"])
    df = read(project, DISABILITY)
    write(project, DISABILITY, df[~df["LSOA21CD"].isin(gone)])
    return ["indicator 'pct_disabled'", f"1 ward(s) get no value: {ward}"]


def lsoa11_codes(project):
    """A disability table on 2011 LSOAs where 2021 LSOAs are declared."""
    codes = read(project, IOD2019)["LSOA11CD"]
    df = read(project, DISABILITY).iloc[: len(codes)].copy()
    df["LSOA21CD"] = codes.to_numpy()[: len(df)]
    write(project, DISABILITY, df)
    return [
        "match no area in the 'lsoa21' lookup",
        "The file's codes match the 'lsoa11' lookup (LSOA (2011) to ward",
        "This looks like a vintage mismatch: set geography: lsoa11 for indicator 'pct_disabled'",
    ]


def ward_2018_codes(project):
    df = read(project, LOOKUP21)
    df.loc[[10, 11], "WD22CD"] = ["E05000026", "E05000027"]
    write(project, LOOKUP21, df)
    return [
        f"{LOOKUP21} rows 12, 13: WD22CD E05000026, E05000027 match no ward in 'wards_2022'",
        "look like ward codes from before the December 2022 boundary changes (e.g. 2018 wards)",
    ]


BREAKERS = [
    bad_code,
    duplicate,
    blank,
    text_in_numbers,
    negative,
    above_denominator,
    share_over_100,
    unmatched_code,
    ward_without_value,
    lsoa11_codes,
    ward_2018_codes,
]


@pytest.mark.parametrize("breaker", BREAKERS, ids=lambda f: f.__name__)
def test_each_kind_of_bad_data_gives_its_own_error(project, breaker):
    expected = breaker(project)
    text = problems(project)
    for fragment in expected:
        assert fragment in text


@pytest.mark.parametrize(
    "breaker", [blank, lsoa11_codes, ward_2018_codes], ids=lambda f: f.__name__
)
def test_build_refuses_bad_data_with_an_error_block(project, breaker):
    expected = breaker(project)
    done = run_cli("build", "--out", str(project / "out"), cwd=project)
    assert done.returncode == 1
    assert done.stderr.lstrip().splitlines()[-1].startswith(("Error:", "       "))
    assert "Error:" in done.stderr and "Traceback" not in done.stderr + done.stdout
    for fragment in expected:
        assert fragment in done.stderr.replace("\n       ", " ")
    assert not (project / "out").exists()


def test_problems_in_several_tables_are_reported_together(project):
    expected = blank(project) + ward_2018_codes(project)
    df = read(project, IOD2019)
    df.loc[0, "pop_60_plus_mid2015"] = "-1"
    write(project, IOD2019, df)
    expected.append(f"{IOD2019} rows 2: pop_60_plus_mid2015 is negative")
    done = run_cli("check", cwd=project)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    text = done.stderr.replace("\n       ", " ")
    for fragment in expected:
        assert fragment in text
    assert text.count("Error:") >= 3


def test_real_data_passes_with_accepted_warnings_published(built_site):
    from conftest import REPO

    report = audit_inputs(load_config(REPO / "site_config.yml"))
    assert report.problems == []
    assert any("DERI v1.6" in w for w in report.warnings)
    page = (built_site / "data-checks.html").read_text(encoding="utf-8")
    assert "Data checks" in page and "Accepted warnings" in page
    assert "0 problems" in page
    method = (built_site / "method.html").read_text(encoding="utf-8")
    for text in ("Pearson", "Spearman", "What this index can and cannot tell you", "Sources:"):
        assert text in method
