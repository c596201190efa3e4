"""Data at any level: files of MSOAs, wards or boroughs reach wards through declared lookups.

- The guide's MSOA example (Census TS029 through the bundled MSOA -> ward weights) builds, and its
  ward figures match a hand computation from the two CSV files for three wards.
- The bundled weights table is exactly what tools/make_msoa_ward_weights.py writes.
- A ward-level lookup (older or unmerged ward codes) and a borough-level one give the figures the
  LSOA route gives; codes that do not match a lookup's level are refused with the level named.
"""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import REPO, copy_project
from test_authoring_guide import of_kind, write_config

from storymap.build import build
from storymap.config import load_config
from storymap.data.checks import audit_inputs
from storymap.errors import ConfigError
from storymap.figures.geography import load_geography
from storymap.figures.indicators import compute_indicators, format_value
from storymap.figures.weights import share_weights

WEIGHTS = "data/lookups/lookup_msoa21_ward22_london_popweighted.csv"
TS029 = "data/census2021/london_msoa21_english_proficiency_census2021_ts029.csv"
# Three wards: Kenton (Brent) and Rye Lane (Southwark), each made of parts of four or five
# MSOAs, and the City of London, one unit on the map made of the parts of its wards.
WARDS = {"E05013502": "Kenton", "E05011113": "Rye Lane", "E09000001": "City of London"}


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def by_hand(project: Path, ward: str) -> float:
    """100 × Σ weight × (cannot speak well + cannot speak) / Σ weight × (all residents 3+), over
    the MSOA parts in ``ward`` (City wards counted as the City)."""
    city = {
        r["WD22CD"]
        for r in read_rows(project / "data/lookups/lookup_ward22_lad22_london.csv")
        if r["LAD22CD"] == "E09000001"
    }
    msoas = {r["MSOA21CD"]: r for r in read_rows(project / TS029)}
    num = den = 0.0
    for part in read_rows(project / WEIGHTS):
        unit = "E09000001" if part["WD22CD"] in city else part["WD22CD"]
        if unit != ward:
            continue
        m, w = msoas[part["MSOA21CD"]], float(part["pop_weight_2021"])
        num += w * (int(m["not_english_cannot_speak_well"]) + int(m["not_english_cannot_speak"]))
        den += w * (int(m["main_lang_english"]) + int(m["main_lang_not_english"]))
    return 100 * num / den


@pytest.fixture(scope="module")
def guide_site(tmp_path_factory) -> tuple[Path, Path]:
    """The project with every yaml example of docs/authoring.md in its config, built."""
    project = copy_project(tmp_path_factory.mktemp("levels") / "project")
    write_config(project, [body for body, _line in of_kind("yaml")])
    out = project / "site"
    build(load_config(project / "site_config.yml"), out)
    return project, out


def test_msoa_example_builds_and_matches_a_hand_computation(guide_site):
    project, out = guide_site
    config = load_config(project / "site_config.yml")
    assert config.geography.lookups["msoa21"].level == "msoa21"
    # the GeoJSON download keeps the machine ids and the figures' full precision
    features = json.loads((out / "downloads/london-wards.geojson").read_text("utf-8"))
    wards = pd.DataFrame([f["properties"] for f in features["features"]]).set_index("ward_code")
    spec = config.indicator("pct_limited_english")
    for code, name in WARDS.items():
        expected = by_hand(project, code)
        assert 0.5 < expected < 20, (code, expected)
        assert wards.at[code, "pct_limited_english"] == pytest.approx(expected, abs=0.0005), name
        assert wards.at[code, "ward_name"] == name
    # the ward page shows the figure, rounded once
    page = (out / "wards/brent/E05013502.html").read_text(encoding="utf-8")
    assert "Limited English" in page
    assert format_value(by_hand(project, "E05013502"), spec) in page
    # the London figure is the published total: every MSOA's residents are shared out in full
    geo = load_geography(config)
    area = compute_indicators(config, geo)["pct_limited_english"].area["denominator"]
    assert area == pytest.approx(8_482_695, abs=2)


def test_the_guide_site_has_the_contact_and_edit_links(guide_site):
    _project, out = guide_site
    page = (out / "introduction.html").read_text(encoding="utf-8")
    assert (
        'href="https://github.com/ORG/REPO/edit/main/chapters/01-introduction.md">Edit this '
        "page</a>"
    ) in page
    assert 'Questions or feedback? Email <a href="mailto:digital.inclusion@example.org">' in page
    statement = (out / "accessibility.html").read_text(encoding="utf-8")
    assert "run by the London Borough of Brent, with its voluntary-sector partners" in statement
    assert "digital.inclusion@example.org" in statement


def test_bundled_msoa_weights_are_what_the_tool_writes():
    spec = importlib.util.spec_from_file_location("tool", REPO / "tools/make_msoa_ward_weights.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    made = tool.msoa_ward_weights()
    bundled = pd.read_csv(REPO / WEIGHTS, dtype={"MSOA21CD": str, "WD22CD": str})
    pd.testing.assert_frame_equal(made, bundled, check_dtype=False)
    totals = bundled.groupby("MSOA21CD")["pop_weight_2021"].sum()
    assert len(totals) == 1002
    assert (totals - 1).abs().max() < 5e-6


def test_share_weights_by_population():
    blocks = pd.DataFrame(
        {
            "MSOA": ["M1", "M1", "M1", "M2"],
            "WARD": ["W1", "W1", "W2", "W2"],
            "people": ["100", "50", "50", "80"],
        }
    )
    table = share_weights(blocks, "MSOA", "WARD", "people")
    assert table.to_dict("records") == [
        {"MSOA": "M1", "WARD": "W1", "people": 150, "weight": 0.75},
        {"MSOA": "M1", "WARD": "W2", "people": 50, "weight": 0.25},
        {"MSOA": "M2", "WARD": "W2", "people": 80, "weight": 1.0},
    ]


# ---- ward and borough level, and codes that do not match the level -----------------------


def add(project: Path, extra: str) -> Path:
    return write_config(project, [extra])


def lsoa_counts(project: Path) -> pd.DataFrame:
    lsoas = pd.read_csv(
        project / "data/lookups/lookup_lsoa21_ward22_lad22_london_bestfit.csv",
        dtype=str,
        usecols=["LSOA21CD", "WD22CD", "LAD22CD"],
    )
    ages = pd.read_csv(
        project / "data/census2021/london_lsoa21_age65plus_census2021_rm121.csv",
        dtype={"LSOA21CD": str},
        usecols=["LSOA21CD", "pop_total", "age_65_plus"],
    )
    return lsoas.merge(ages, on="LSOA21CD")


SOURCE = """
    title: {title}
    publisher: Office for National Statistics (added up by the test)
    vintage: 2021
    licence: Open Government Licence v3.0
    attribution: Office for National Statistics, Open Government Licence v.3.0.
"""


def indicator(ind_id: str, source: str, geography: str) -> dict:
    return {
        "id": ind_id,
        "label": ind_id,
        "unit": "percent",
        "source": source,
        "geography": geography,
        "aggregate": "ratio",
        "numerator": "age_65_plus",
        "denominator": "pop_total",
        "direction": "higher_is_more_risk",
    }


def test_ward_and_borough_level_files_give_the_lsoa_figures(project: Path):
    counts = lsoa_counts(project)
    counts.groupby("WD22CD")[["pop_total", "age_65_plus"]].sum().reset_index().to_csv(
        project / "data/wards704.csv", index=False
    )  # 704 wards: the City's 25 not yet merged
    counts.groupby("LAD22CD")[["pop_total", "age_65_plus"]].sum().reset_index().to_csv(
        project / "data/boroughs.csv", index=False
    )
    share_weights(counts, "LAD22CD", "WD22CD", "pop_total").to_csv(
        project / "data/borough_wards.csv", index=False
    )
    source = yaml.safe_load(SOURCE.format(title="test"))
    extra = {
        "sources": {
            "wards704": {**source, "file": "data/wards704.csv", "code_column": "WD22CD"},
            "boroughs": {**source, "file": "data/boroughs.csv", "code_column": "LAD22CD"},
            "borough_wards": {**source, "file": "data/borough_wards.csv", "code_column": "LAD22CD"},
        },
        "geography": {
            "lookups": {
                "old_wards": {
                    "level": "ward",
                    "source": "ward_lad_2022",
                    "code": "WD22CD",
                    "ward": "WD22CD",
                },
                "borough": {
                    "source": "borough_wards",
                    "code": "LAD22CD",
                    "ward": "WD22CD",
                    "weight": "weight",
                },
            }
        },
        "indicators": [
            indicator("pct_65_ward", "wards704", "old_wards"),
            indicator("pct_65_borough", "boroughs", "borough"),
        ],
    }
    config = load_config(add(project, yaml.safe_dump(extra)))
    assert config.geography.lookups["borough"].level == "borough"  # from its key
    assert audit_inputs(config).problems == []
    geo = load_geography(config)
    results = compute_indicators(config, geo)
    lsoa, ward, borough = (results[i] for i in ("pct_65_plus", "pct_65_ward", "pct_65_borough"))
    pd.testing.assert_series_equal(ward.wards["value"], lsoa.wards["value"], check_names=False)
    assert ward.wards.at["E09000001", "value"] == pytest.approx(lsoa.wards.at["E09000001", "value"])
    # a borough's figure reaches each of its wards, and adds up to the borough again
    brent = geo.wards.index[geo.wards["borough_code"] == "E09000005"]
    assert borough.wards.loc[brent, "value"].round(9).nunique() == 1
    assert borough.boroughs["value"].to_dict() == pytest.approx(lsoa.boroughs["value"].to_dict())
    assert borough.area["value"] == pytest.approx(lsoa.area["value"])


def test_codes_that_do_not_match_the_level_are_refused_with_the_level_named(project: Path):
    lookup = project / "data/oa_lookup.csv"
    lookup.write_text("OA21CD,WD22CD\nE01000001,E05009288\nE00000003,E05009288\n", "utf-8")
    source = yaml.safe_load(SOURCE.format(title="OA lookup"))
    extra = {
        "sources": {"oa_lookup": {**source, "file": "data/oa_lookup.csv", "code_column": "OA21CD"}},
        "geography": {
            "lookups": {"oa21": {"source": "oa_lookup", "code": "OA21CD", "ward": "WD22CD"}}
        },
    }
    config = load_config(add(project, yaml.safe_dump(extra)))
    problems = audit_inputs(config).problems
    assert (
        "data/oa_lookup.csv rows 2: OA21CD E01000001 is not an output area (2021) code (E00… or "
        "W00…). Check the column holds codes of the level declared for it."
    ) in problems


def test_a_lookup_without_a_level_is_refused_with_the_levels(project: Path):
    extra = {
        "geography": {
            "lookups": {"msoa": {"source": "lsoa21_ward22", "code": "MSOA21CD", "ward": "WD22CD"}}
        }
    }
    with pytest.raises(ConfigError) as caught:
        load_config(add(project, yaml.safe_dump(extra)))
    assert caught.value.problems == [
        "site_config.yml: geography.lookups.msoa.level: required, to say what the codes in column "
        "MSOA21CD are. Did you mean 'msoa21'? Add level: with one of oa21, lsoa11, lsoa21, "
        "msoa21, ward, borough (codes E00…, E01…, E01…, E02…, E05…, E09…)."
    ]


def test_a_best_fit_lookup_with_repeated_codes_says_to_add_weights(project: Path):
    extra = {"geography": {"lookups": {"lsoa11": {"weight": None}}}}
    config = load_config(add(project, yaml.safe_dump(extra)))
    problems = [p for p in audit_inputs(config).problems if "duplicate LSOA11CD" in p]
    assert len(problems) == 1
    assert problems[0].endswith(
        "A lookup without weights gives each area to one ward (best fit): keep one row per code, "
        "or name a weight column (geography.lookups.lsoa11.weight) to share an area between wards."
    )
