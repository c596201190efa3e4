"""`storymap new-chapter` writes a chapter from the template and lists it in site_config.yml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import copy_built

from storymap.build import build
from storymap.commands.newchapter import add_to_chapters_list, chapter_text, slugify
from storymap.config import load_config
from storymap.errors import StorymapError


def storymap(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "storymap", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_new_chapter_builds_and_keeps_comments(built_project: Path, tmp_path: Path):
    project = copy_built(built_project, tmp_path / "project")  # the build renders the new one
    config_file = project / "site_config.yml"
    before = config_file.read_text(encoding="utf-8")
    done = storymap("new-chapter", "Getting online at the library", cwd=project)
    assert done.returncode == 0, done.stderr
    numbers = [int(p.name[:2]) for p in (project / "chapters").glob("[0-9][0-9]-*.md")]
    path = project / "chapters" / f"{max(numbers):02d}-getting-online-at-the-library.md"
    assert path.is_file()
    assert "# Getting online at the library" in path.read_text(encoding="utf-8")

    after = config_file.read_text(encoding="utf-8")
    comments = [line for line in before.splitlines() if line.lstrip().startswith("#")]
    assert comments and all(line in after.splitlines() for line in comments)
    assert len(after.splitlines()) == len(before.splitlines()) + 2

    config = load_config(config_file)
    titles = [ch.title for ch in config.chapters]
    assert "Getting online at the library" in titles
    if yaml.safe_load(before)["chapters"][-1]["title"] == "About the data":
        assert titles[-2:] == ["Getting online at the library", "About the data"]
    else:
        assert titles[-1] == "Getting online at the library"

    result = build(config, tmp_path / "site")
    page = (tmp_path / "site" / "getting-online-at-the-library.html").read_text(encoding="utf-8")
    assert "Getting online at the library" in page
    assert "A first step" in page
    assert "{{" not in page
    assert result.maps >= 1


def test_existing_chapter_file_is_refused(project: Path):
    config_file = project / "site_config.yml"
    before = config_file.read_text(encoding="utf-8")
    (project / "chapters" / "42-library-visits.md").write_text("# Draft\n", encoding="utf-8")
    done = storymap("new-chapter", "Library visits", cwd=project)
    assert done.returncode == 1
    assert "Error: chapters/42-library-visits.md already exists" in done.stderr
    assert config_file.read_text(encoding="utf-8") == before


def test_title_of_an_existing_chapter_is_refused(project: Path):
    config_file = project / "site_config.yml"
    before = config_file.read_text(encoding="utf-8")
    files = sorted((project / "chapters").iterdir())
    done = storymap("new-chapter", "Introduction", cwd=project)
    assert done.returncode == 1
    assert "already has the address introduction.html" in done.stderr
    assert config_file.read_text(encoding="utf-8") == before
    assert sorted((project / "chapters").iterdir()) == files


def test_title_without_letters_is_refused(project: Path):
    done = storymap("new-chapter", "!!!", cwd=project)
    assert done.returncode == 1
    assert "Error: title '!!!'" in done.stderr


CONFIG = """\
home: chapters/index.md
chapters:  # the story, in order
  - file: chapters/01-a.md
    title: A
  # keep this last
  - file: chapters/09-about.md
    title: About the data

maps:
  classes: 5
"""


def test_inserted_before_about_the_data_with_its_comment():
    text, before = add_to_chapters_list(CONFIG, "chapters/10-new.md", "New: here", "x.yml")
    assert before == "About the data"
    assert text.splitlines()[4:8] == [
        "  - file: chapters/10-new.md",
        '    title: "New: here"',
        "  # keep this last",
        "  - file: chapters/09-about.md",
    ]
    entry = yaml.safe_load(text)["chapters"][1]
    assert entry == {"file": "chapters/10-new.md", "title": "New: here"}


def test_appended_when_about_the_data_is_not_last():
    config = CONFIG.replace("About the data", "Epilogue")
    text, before = add_to_chapters_list(config, "chapters/10-new.md", "New", "x.yml")
    assert before is None
    assert "    title: Epilogue\n  - file: chapters/10-new.md\n    title: New\n\nmaps:" in text


def test_flow_style_list_is_refused_without_writing():
    with pytest.raises(StorymapError, match="Add it by hand"):
        add_to_chapters_list("chapters: [{file: a.md, title: A}]\n", "b.md", "B", "x.yml")


def test_template_and_slug():
    assert slugify("  Getting online: the library (2025)! ") == "getting-online-the-library-2025"
    text = chapter_text("My title")
    assert text.count("# My title") == 1
    lines = text.splitlines()
    assert "```step" in lines and "indicator: pct_65_plus" in lines  # one example story step
    assert "{{ london.pct_65_plus }}" in text
    assert '{{ map("pct_65_plus") }}' in text  # the map directive, explained in the note
