"""Errors that point at the fix: each message an author can meet, asserted word for word.

"Did you mean …?" for every unknown name (config key, source, indicator, geography, borough,
ward, focus, column); step-block problems at the line of the offending key; Jinja syntax errors
in plain words at the line where the block opened; tabs; indicators named by id; numbers where
text is expected; and the config file named as the author named it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import test_steps

from storymap.build import check
from storymap.config import load_config
from storymap.errors import ChapterError, ConfigError, DataError, StorymapError
from storymap.pages.story.chapters import render_chapter
from storymap.pages.story.steps import parse_steps


def edit(project: Path, old: str, new: str, file: str = "site_config.yml") -> Path:
    path = project / file
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def config_problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return caught.value.problems


# ---- the config --------------------------------------------------------------------------


def test_unknown_key_suggests_the_near_one(project: Path):
    path = edit(project, "  language: en\n", "  langauge: en\n")
    [problem] = config_problems(path)
    assert problem.startswith(
        "site_config.yml: site.langauge: unknown key. Did you mean 'language'? Allowed keys "
        "here: title, description, language,"
    )


def test_unknown_source_suggests_the_near_one(project: Path):
    path = edit(project, "    source: census_disability\n", "    source: census_disabilty\n")
    [problem] = config_problems(path)
    assert problem.startswith(
        "site_config.yml: indicators.pct_disabled.source: 'census_disabilty' is not a declared "
        "source. Did you mean 'census_disability'? (declared: wards_2022,"
    )


def test_unknown_indicator_in_the_index_suggests_the_near_one(project: Path):
    path = edit(
        project, "{indicator: pct_disabled, weight: 1}", "{indicator: pct_disable, weight: 1}"
    )
    [problem] = config_problems(path)
    assert problem.startswith(
        "site_config.yml: index.components.health.indicators[0].indicator: 'pct_disable' is not "
        "a declared indicator. Did you mean 'pct_disabled'? (declared: pct_65_plus,"
    )


def test_unknown_geography_suggests_the_near_one(project: Path):
    path = edit(
        project,
        "    geography: lsoa11\n    aggregate: weighted_mean",
        "    geography: lsoa_11\n    aggregate: weighted_mean",
    )
    [problem] = config_problems(path)
    assert problem == (
        "site_config.yml: indicators.deri_score.geography: 'lsoa_11' is not a known geography. "
        "Did you mean 'lsoa11'? (known: ward, lsoa21, lsoa11). Fix the name or add it under "
        "geography.lookups:."
    )


def test_a_misspelt_choice_suggests_the_near_one(project: Path):
    path = edit(
        project, "    unit: score\n    source: deri16", "    unit: scroe\n    source: deri16"
    )
    [problem] = config_problems(path)
    assert problem == (
        "site_config.yml: indicators.deri_score.unit: Input should be 'percent', 'score' or "
        "'count' (found 'scroe'). Did you mean 'score'?"
    )


def test_numbers_are_accepted_where_text_is_expected(project: Path):
    edit(project, "    vintage: December 2022 wards\n", "    vintage: 2022\n")
    path = edit(project, "  title: Older Londoners and digital exclusion\n", "  title: 2025\n")
    config = load_config(path)
    assert config.sources["wards_2022"].vintage == "2022"
    assert config.site.title == "2025"


def test_a_date_where_text_is_expected_says_put_it_in_quotes(project: Path):
    path = edit(project, "    vintage: December 2022 wards\n", "    vintage: 2022-12-01\n")
    [problem] = config_problems(path)
    assert problem == (
        "site_config.yml: sources.wards_2022.vintage: expected text, found a date (YAML reads "
        '2021-03-21 that way) (2022-12-01). Put it in quotes: vintage: "2022-12-01".'
    )


def test_errors_name_the_config_file_the_author_used(project: Path):
    other = project / "pilot.yml"
    shutil.copy(project / "site_config.yml", other)
    edit(project, "    source: census_disability\n", "    source: census_disabilty\n", "pilot.yml")
    [problem] = config_problems(other)
    assert problem.startswith("pilot.yml: indicators.pct_disabled.source: 'census_disabilty'")


def test_a_misspelt_focus_borough_names_the_file_and_key(project: Path):
    path = edit(project, "focus_boroughs: [Barnet, Brent,", "focus_boroughs: [Barnet, Brentt,")
    with pytest.raises(ConfigError) as caught:
        check(load_config(path))
    assert caught.value.problems[0].startswith(
        "site_config.yml: site.focus_boroughs[1]: 'Brentt' is not a borough of London. Did you "
        "mean 'Brent'? Use the names as the ONS writes them (boroughs: Barking and Dagenham,"
    )
    assert len(caught.value.problems) == 1


def test_a_misspelt_area_borough_suggests_the_near_one(project: Path):
    path = edit(project, "    boroughs: all\n", "    boroughs: [Westminister, Camden]\n")
    with pytest.raises(DataError) as caught:
        check(load_config(path))
    assert caught.value.problems[0].startswith(
        "site_config.yml: site.area.boroughs[0]: 'Westminister' is not a borough of the ward "
        "layer. Did you mean 'Westminster'? (boroughs: "
    )


def test_a_misspelt_column_suggests_the_near_one(project: Path):
    path = edit(
        project, "    numerator: disabled_equality_act\n", "    numerator: disabled_equalty_act\n"
    )
    with pytest.raises(StorymapError) as caught:
        check(load_config(path))
    assert (
        "data/census2021/london_lsoa21_disability_census2021_ts038.csv: missing column(s) "
        "disabled_equalty_act needed by source 'census_disability'. Did you mean "
        "'disabled_equality_act' for 'disabled_equalty_act'?"
    ) in caught.value.problems[0]


# ---- chapters: steps ---------------------------------------------------------------------


ctx = test_steps.ctx  # the chapter context fixture (the repo's config and data), shared

STEPS = """# Title

```step
indicator: pct_65_plus
focus: London
```
First.

```step
focus: Barnet
highlight:
  - E05013970
  - E05013996
highlight_top: 2
```
Second.
"""


def step_problems(ctx, text: str) -> list[str]:
    with pytest.raises(ChapterError) as caught:
        parse_steps("chapters/x.md", text, text, ctx)
    return caught.value.problems


def test_a_misspelt_focus_is_reported_at_its_line_with_a_suggestion(ctx):
    bad = STEPS.replace("focus: London", "focus: Westminister").replace(
        "focus: Barnet", "focus: Brentt"
    )
    assert step_problems(ctx, bad) == [
        "chapters/x.md line 5: focus 'Westminister' is not London, a borough or a ward. Did you "
        "mean 'Westminster'? Use a borough name, a ward name or a ward code (E05…).",
        "chapters/x.md line 10: focus 'Brentt' is not London, a borough or a ward. Did you mean "
        "'Brent'? Use a borough name, a ward name or a ward code (E05…).",
    ]


def test_a_name_two_wards_share_lists_each_with_its_borough_and_code(ctx, tmp_path):
    bad = STEPS.replace("focus: Barnet", "focus: Kilburn")
    assert step_problems(ctx, bad) == [
        "chapters/x.md line 10: focus 'Kilburn' is the name of 2 wards: Kilburn in Brent "
        "(E05013503) and Kilburn in Camden (E05013665). Write the code of the one you mean, "
        "e.g. 'E05013503'."
    ]
    assert chapter_error(ctx, tmp_path, "x\n{{ ward('Kilburn').pct_65_plus }}\n") == (
        "chapter.md line 2: 'Kilburn' is the name of 2 wards: Kilburn in Brent (E05013503) and "
        "Kilburn in Camden (E05013665). Write the code of the one you mean, e.g. 'E05013503'."
    )


def test_a_bad_key_is_reported_at_its_own_line_not_the_fence(ctx):
    bad = STEPS.replace("highlight_top: 2", "higlight_top: 2")
    assert step_problems(ctx, bad) == [
        "chapters/x.md line 14: 'higlight_top' is not a step setting. Did you mean "
        "'highlight_top'? Step settings: focus, help, highlight, highlight_top, indicator, title."
    ]


def test_a_misspelt_indicator_is_reported_at_its_line(ctx):
    bad = STEPS.replace("indicator: pct_65_plus", "indicator: pct_65_pluss")
    [problem] = step_problems(ctx, bad)
    assert problem.startswith(
        "chapters/x.md line 4: indicator 'pct_65_pluss' is not declared. Did you mean 'pct_65_plus'"
    )
    assert problem.endswith("Fix the name or add it to site_config.yml.")


def test_a_bad_highlight_is_reported_at_the_line_of_the_item(ctx):
    bad = STEPS.replace("  - E05013996", "  - Nowhere Ward")
    assert step_problems(ctx, bad) == [
        "chapters/x.md line 13: highlight: ward 'Nowhere Ward' not found. Use the ward code "
        "(E05…) from the downloads."
    ]


def test_a_bad_highlight_top_is_reported_at_its_line(ctx):
    bad = STEPS.replace("highlight_top: 2", "highlight_top: lots")
    assert step_problems(ctx, bad) == [
        "chapters/x.md line 14: highlight_top must be a whole number from 1 to 20 (found 'lots')."
    ]


def test_a_tab_in_a_step_block_says_indent_with_spaces(ctx):
    bad = STEPS.replace("  - E05013970", "\t- E05013970")
    assert step_problems(ctx, bad) == [
        "chapters/x.md line 12: a tab character in the step block. Indent with spaces: YAML "
        "does not allow tabs (write 'focus: Barnet' with spaces only)."
    ]


def test_step_settings_that_are_not_yaml_are_reported_at_their_line(ctx):
    bad = STEPS.replace("focus: London", "focus: [London")
    [problem] = step_problems(ctx, bad)
    assert problem.startswith(
        "chapters/x.md line 5: the step settings cannot be read (while parsing a flow sequence: "
    )
    assert problem.endswith(
        "Write one 'key: value' per line, e.g. 'focus: Barnet', and put text that holds a colon "
        "in quotes."
    )


# ---- chapters: the template --------------------------------------------------------------


def chapter_error(ctx, tmp_path: Path, text: str) -> str:
    file = tmp_path / "chapter.md"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(ChapterError) as caught:
        render_chapter(ctx.config, str(file), ctx)
    [problem] = caught.value.problems
    return problem.replace(str(file), "chapter.md")


LINES = "# Boroughs\n\n" + "Some text.\n" * 9  # the next line is line 12


def test_an_unclosed_for_is_reported_where_it_opened(ctx, tmp_path):
    text = LINES + "{% for b in focus_boroughs %}\n- {{ b.name }}\n\nMore text.\n\nThe end.\n"
    assert chapter_error(ctx, tmp_path, text) == (
        "chapter.md line 12: the {% for %} on line 12 is never closed: add {% endfor %} where "
        "its part of the chapter ends."
    )


def test_an_unclosed_if_inside_a_for_is_named(ctx, tmp_path):
    text = "{% for b in focus_boroughs %}\n{% if b.pct_65_plus > 10 %}\n{{ b }}\n{% endfor %}\n"
    assert chapter_error(ctx, tmp_path, text) == (
        "chapter.md line 2: the {% if %} on line 2 is not closed before the {% endfor %} on "
        "line 4: add {% endif %} before line 4."
    )


def test_an_end_tag_that_closes_nothing(ctx, tmp_path):
    assert chapter_error(ctx, tmp_path, "# T\n\nText.\n{% endif %}\n") == (
        "chapter.md line 4: the {% endif %} on line 4 closes nothing: there is no {% if %} open "
        "before it. Remove it, or add the {% if %}."
    )


def test_an_unclosed_expression_is_reported_where_it_opened(ctx, tmp_path):
    text = "# T\n\n{{ london.pct_65_plus \nof Londoners.\n"
    assert chapter_error(ctx, tmp_path, text) == (
        "chapter.md line 3: a {{ on line 3 is not closed: add }} where the figure's name ends "
        "(the text after it, from 'of', is not part of a figure). Check also for a missing "
        "quote, comma or bracket inside it."
    )
    # the chapter ends first; and no message names the tool behind the templates
    assert chapter_error(ctx, tmp_path, "# T\n\n" + "Text.\n" * 5 + "{{ london.pct_65_plus") == (
        "chapter.md line 8: a {{ on line 8 is not closed: add }} where the figure's name ends "
        "(the chapter ends before it is closed). Check also for a missing quote, comma or "
        "bracket inside it."
    )


def test_a_misspelt_filter_or_tag_suggests_the_near_one(ctx, tmp_path):
    assert chapter_error(ctx, tmp_path, "{{ london.pct_65_plus.numerator | cuont }}\n") == (
        "chapter.md line 1: there is no filter called 'cuont'. Did you mean 'count'? Filters for "
        "figures: count, pct, number, names (and Jinja's own, such as round, upper, join)."
    )
    assert chapter_error(ctx, tmp_path, "x\n{% fro b in focus_boroughs %}{% endfor %}\n") == (
        "chapter.md line 2: {% fro %} on line 2 is not a template tag. Did you mean 'for'? "
        "Tags: {% for %}…{% endfor %}, {% if %}…{% endif %}, {% set %}."
    )


def test_misspelt_names_in_a_chapter_suggest_the_near_ones(ctx, tmp_path):
    assert chapter_error(ctx, tmp_path, "x\n{{ borough('Brentt').pct_65_plus }}\n").startswith(
        "chapter.md line 2: borough 'Brentt' not found. Did you mean 'Brent'? Boroughs: "
    )
    assert chapter_error(ctx, tmp_path, "{{ ward('Darwen').name }}\n") == (
        "chapter.md line 1: ward 'Darwen' not found. Did you mean 'Darwin'? Use the ward code "
        "(E05…) from the downloads."
    )
    assert chapter_error(ctx, tmp_path, "{{ london.deri_scor }}\n").startswith(
        "chapter.md line 1: 'deri_scor' is not a declared indicator. Did you mean 'deri_score'?"
    )
