"""Config schema: unknown keys, wrong types and bad references are all reported at once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import REPO

from storymap.config import load_config
from storymap.errors import ConfigError


def test_repo_config_is_valid():
    config = load_config(REPO / "site_config.yml")
    assert config.site.focus_boroughs == [
        "Barnet",
        "Brent",
        "Kensington and Chelsea",
        "Southwark",
        "Westminster",
    ]
    assert {
        "pct_65_plus",
        "pct_75_plus",
        "older_income_deprived",
        "pct_disabled",
        "broadband_speed_score",
        "deri_score",
    } <= set(config.indicator_ids)


def _edit(project: Path, old: str, new: str) -> Path:
    path = project / "site_config.yml"
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))
    return path


def test_every_problem_is_reported_with_its_yaml_path(project):
    _edit(project, "  classification: quantiles", "  classification: quantiles\n  colour: red")
    _edit(
        project,
        "    unit: percent\n    source: census_age",
        "    unit: percent\n    source: census_ts038",
    )
    _edit(project, "    decimals: 2\n", "    decimals: many\n")
    with pytest.raises(ConfigError) as err:
        load_config(project / "site_config.yml")
    problems = err.value.problems
    assert any(
        p.startswith("site_config.yml: maps.colour: unknown key.") and "classification" in p
        for p in problems
    )
    assert any(
        re.match(
            r"site_config.yml: indicators\.[a-z_0-9]+\.decimals: Input should be a valid "
            r"integer.*\(found 'many'\)\.$",
            p,
        )
        for p in problems
    )
    assert len(problems) == 2  # the type errors stop cross-checks, which come next
    _edit(project, "  colour: red\n", "")
    _edit(project, "    decimals: many\n", "    decimals: 2\n")
    with pytest.raises(ConfigError) as err:
        load_config(project / "site_config.yml")
    assert len(err.value.problems) == 1
    message = err.value.problems[0]
    assert message.startswith(
        "site_config.yml: indicators.pct_65_plus.source: 'census_ts038' is not a declared source."
    )
    assert " (declared: wards_2022, ward_lad_2022, " in message
    assert message.endswith("). Fix the name or add it under sources:.")


def test_invalid_yaml_names_the_line(project):
    _edit(project, "  title: Older Londoners", "  title: [Older Londoners")
    with pytest.raises(ConfigError) as err:
        load_config(project / "site_config.yml")
    assert err.value.problems[0].startswith("site_config.yml line ")
    assert "invalid YAML" in err.value.problems[0]


def test_missing_required_key(project):
    _edit(
        project,
        "    direction: higher_is_more_risk\n",
        "",
    )
    with pytest.raises(ConfigError) as err:
        load_config(project / "site_config.yml")
    assert err.value.problems == [
        "site_config.yml: indicators.pct_65_plus.direction: required key is missing. Add it."
    ]


def test_ratio_needs_a_denominator_and_files_must_exist(project):
    _edit(
        project,
        "    numerator: age_65_plus\n    denominator: pop_total\n",
        "    numerator: age_65_plus\n",
    )
    (project / "chapters" / "05-connectivity.md").unlink()
    with pytest.raises(ConfigError) as err:
        load_config(project / "site_config.yml")
    text = "\n".join(err.value.problems)
    assert "indicators.pct_65_plus.denominator: required when aggregate is 'ratio'" in text
    assert "chapters[4].file: chapters/05-connectivity.md does not exist" in text
