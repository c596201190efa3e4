"""Story steps: parsing, checking with file and line, inheritance, and generated summaries."""

from __future__ import annotations

import pytest
from conftest import REPO

from storymap.config import load_config
from storymap.errors import ChapterError
from storymap.figures.geography import load_geography
from storymap.figures.indicators import compute_indicators, format_value
from storymap.pages.maps.alt import view_summary, view_table
from storymap.pages.story.chapters import ChapterContext
from storymap.pages.story.steps import parse_steps, split_steps


@pytest.fixture(scope="module")
def ctx():
    config = load_config(REPO / "site_config.yml")
    geo = load_geography(config)
    return ChapterContext(config, geo, compute_indicators(config, geo), None, slug="t")


CHAPTER = """# Title

Intro text.

```step
indicator: pct_65_plus
focus: London
```
First step prose.

```step
focus: Barnet
highlight_top: 2
```
Second step prose.

```step
indicator: deri_score
focus: E05013996
highlight: [E05013970]
```
Third.
"""


def test_split_steps_keeps_intro_and_prose():
    intro, parts = split_steps(CHAPTER)
    assert intro.strip() == "# Title\n\nIntro text."
    assert [p[1].strip() for p in parts] == ["First step prose.", "Second step prose.", "Third."]


def test_steps_inherit_and_resolve(ctx):
    _, steps = parse_steps("c.md", CHAPTER, CHAPTER, ctx)
    assert [s.line for s in steps] == [5, 11, 17]
    assert steps[0].focus_kind == "area" and steps[0].focus is None
    assert steps[1].indicator == "pct_65_plus"  # inherited
    assert (steps[1].focus_kind, steps[1].focus) == ("borough", "E09000003")
    barnet = ctx.geo.wards.index[ctx.geo.wards["borough_code"] == "E09000003"]
    ranks = ctx.results["pct_65_plus"].wards.loc[barnet, "rank"].sort_values()
    assert steps[1].highlights == list(ranks.index[:2])
    assert (steps[2].focus_kind, steps[2].focus) == ("ward", "E05013996")
    assert steps[2].highlights == ["E05013970"]


def test_unknown_names_are_reported_with_file_and_line(ctx):
    bad = (
        CHAPTER.replace("indicator: deri_score", "indicator: deri_scor")
        .replace("focus: Barnet", "focus: Barnett")
        .replace("highlight: [E05013970]", "highlight: [Nowhere Ward]")
    )
    with pytest.raises(ChapterError) as err:
        parse_steps("chapters/x.md", bad, bad, ctx)
    problems = err.value.problems
    assert problems[0].startswith(
        "chapters/x.md line 12: focus 'Barnett' is not London, a borough or a ward."
    )  # at the line of the key, not of the fence
    assert problems[1].startswith("chapters/x.md line 18: indicator 'deri_scor' is not declared")
    assert problems[2].startswith(
        "chapters/x.md line 20: highlight: ward 'Nowhere Ward' not found."
    )
    assert len(problems) == 3


def test_unknown_step_setting(ctx):
    bad = CHAPTER.replace("focus: London", "focus: London\nzoom: 12")
    with pytest.raises(ChapterError) as err:
        parse_steps("c.md", bad, bad, ctx)
    assert err.value.problems == [
        "c.md line 8: 'zoom' is not a step setting. Step settings: focus, help, highlight, "
        "highlight_top, indicator, title."
    ]


def test_borough_summary_names_extremes_and_compares_with_london(ctx):
    res = ctx.results["pct_65_plus"]
    geo = ctx.geo
    text = view_summary("London", geo, res, "borough", "E09000028")
    wards = res.wards.loc[geo.wards.index[geo.wards["borough_code"] == "E09000028"]]
    hi = wards["value"].idxmax()
    lo = wards["value"].idxmin()
    assert text.startswith(
        "Residents aged 65 and over in Southwark: "
        f"{format_value(res.boroughs.at['E09000028', 'value'], res.spec)}, "
        "lower than London as a whole (11.9%)."
    )
    assert f"Highest ward: {geo.wards.at[hi, 'name']} (Southwark)" in text
    assert f"Lowest ward: {geo.wards.at[lo, 'name']} (Southwark)" in text


def test_ward_summary_gives_rank(ctx):
    text = view_summary("London", ctx.geo, ctx.results["pct_65_plus"], "ward", "E05013996")
    assert text.startswith(
        "Residents aged 65 and over: Darwin (Bromley) 26.6%, ranked 1st of 680 wards in London"
    )


def test_view_table_lists_the_wards_in_view(ctx):
    table = view_table("London", ctx.geo, ctx.results["pct_75_plus"], "borough", "E09000005")
    n = int((ctx.geo.wards["borough_code"] == "E09000005").sum())
    assert table.count("<tr>") == n + 1  # header + one row per Brent ward
    assert '<button type="button" class="sort">' in table
    london = view_table("London", ctx.geo, ctx.results["pct_75_plus"], "area", None)
    assert london.count("<tr>") == 34  # header + 33 boroughs


def test_trusted_chapter_scripts_become_files(ctx, tmp_path):
    """With site.allow_raw_html_scripts a chapter's own script still reaches no page inline: it
    is moved into a content-hashed file under assets/chapter-scripts/ and loaded from there."""
    from storymap.pages.story.chapters import render_chapter

    chapter = tmp_path / "trusted.md"
    chapter.write_text("# Trusted\n\n<script>document.title = 'x';</script>\n", "utf-8")
    site = ctx.config.site.model_copy(update={"allow_raw_html_scripts": True})
    config = ctx.config.model_copy(update={"site": site, "path": tmp_path / "site_config.yml"})
    mine = ChapterContext(config, ctx.geo, ctx.results, None, slug="trusted")
    markdown = render_chapter(config, "trusted.md", mine)
    assert "document.title" not in markdown
    [(name, body)] = mine.files.items()
    assert name.startswith("assets/chapter-scripts/") and name.endswith(".js")
    assert body == "document.title = 'x';"
    assert f'<script src="{name}"></script>' in markdown
