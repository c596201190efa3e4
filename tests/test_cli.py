"""The command line as a user meets it: exact Error: messages, exit status 1, no traceback."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from conftest import copy_built, run_cli, tree_digest

from storymap.commands.cli import main


def _fails_with(result, expected: str) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert expected in result.stderr, result.stderr


def test_unknown_config_key(project):
    cfg = project / "site_config.yml"
    cfg.write_text(cfg.read_text().replace("  language: en\n", "  language: en\n  colour: red\n"))
    result = run_cli("check", cwd=project)
    _fails_with(
        result,
        "Error: site_config.yml: site.colour: unknown key. Allowed keys here: title, description, "
        "language, url, area, focus_boroughs, attribution, allow_raw_html_scripts, contact, "
        "organisation, repo_url, edit_uri. Check the spelling or remove it.\n",
    )


def test_malformed_config(project):
    (project / "site_config.yml").write_text("site: [unclosed\n")
    result = run_cli("build", cwd=project)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: site_config.yml line 2, column 1: invalid YAML: ")
    assert result.stderr.rstrip().endswith("Check indentation and quoting there.")


def test_missing_config_file(tmp_path):
    result = run_cli("build", "--config", "nope.yml", cwd=tmp_path)
    _fails_with(
        result,
        "Error: nope.yml: config file not found. "
        "Run from the project folder or pass --config PATH.",
    )


def test_chapter_names_unknown_indicator(project):
    chapter = project / "chapters" / "05-connectivity.md"
    lines = chapter.read_text().splitlines()
    lines.insert(2, '{{ map("pct_85_plus") }}')
    chapter.write_text("\n".join(lines) + "\n")
    result = run_cli("check", cwd=project)
    _fails_with(
        result,
        "Error: chapters/05-connectivity.md line 3: 'pct_85_plus' is not a declared "
        "indicator. Did you mean 'pct_75_plus' or 'pct_65_plus'? (declared: pct_65_plus, ",
    )
    assert result.stderr.rstrip().endswith("Fix the name or add it to site_config.yml.")


def test_chapter_unknown_variable_names_line(project):
    chapter = project / "chapters" / "01-introduction.md"
    chapter.write_text("# Intro\n\nSome text.\n{{ londn.pct_65_plus }}\n")
    result = run_cli("check", cwd=project)
    _fails_with(
        result,
        "Error: chapters/01-introduction.md line 4: 'londn' is undefined. Check the spelling;",
    )


def test_missing_data_file(project):
    (project / "data/census2021/london_lsoa21_disability_census2021_ts038.csv").unlink()
    result = run_cli("build", cwd=project)
    _fails_with(
        result,
        "Error: site_config.yml: sources.census_disability.file: "
        "data/census2021/london_lsoa21_disability_census2021_ts038.csv does not exist. Restore the "
        "file, fix the path, or run `storymap fetch`.",
    )


def test_data_file_without_expected_columns(project):
    path = project / "data/census2021/london_lsoa21_disability_census2021_ts038.csv"
    path.write_text(path.read_text().replace("disabled_equality_act", "disabled_eq", 1))
    result = run_cli("build", cwd=project)
    _fails_with(
        result,
        "Error: data/census2021/london_lsoa21_disability_census2021_ts038.csv: missing column(s) "
        "disabled_equality_act needed by source 'census_disability'. Did you mean 'disabled_eq' "
        "for 'disabled_equality_act'?\n"
        "       Found: LSOA21CD, pop_total, disabled_eq, not_disabled, pct_disabled.",
    )


def test_codes_that_match_no_ward(project):
    path = project / "data/lookups/lookup_lsoa21_ward22_lad22_london_bestfit.csv"
    text = path.read_text()
    row = next(line for line in text.splitlines() if line.startswith("E01000006,"))
    ward = row.split(",")[4]  # WD22CD
    path.write_text(text.replace(row, row.replace(ward, "E05099999")))
    result = run_cli("build", cwd=project)
    _fails_with(
        result,
        "Error: data/lookups/lookup_lsoa21_ward22_lad22_london_bestfit.csv rows 6: "
        "WD22CD E05099999 match no ward in 'wards_2022'",
    )
    assert "Check the file uses December 2022 ward codes" in result.stderr


def test_failed_build_keeps_previous_site(built_project, tmp_path):
    project = copy_built(built_project, tmp_path / "project")
    assert run_cli("build", "--out", "site", cwd=project).returncode == 0  # from the cache
    before = tree_digest(project / "site")
    (project / "chapters" / "03-income-deprivation.md").write_text("{{ nosuch }}\n")
    assert run_cli("build", "--out", "site", cwd=project).returncode == 1
    assert tree_digest(project / "site") == before


def test_debug_shows_traceback(project):
    (project / "chapters" / "03-income-deprivation.md").write_text("{{ nosuch }}\n")
    result = run_cli("check", "--debug", cwd=project)
    assert result.returncode == 1
    assert (
        "Traceback" in result.stderr and "Error: chapters/03-income-deprivation.md" in result.stderr
    )


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_has_help_with_an_example(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output, f"`storymap {command} --help` has no example"
