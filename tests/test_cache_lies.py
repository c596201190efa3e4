"""A cache that cannot lie, on a real build: damaged entries are found, made again and noted,
never published, and the published site shares no file (inode) with the cache.

One project is built once; each test damages one thing in its cache and rebuilds, then compares
the published files with the good build's.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import copy_built

from storymap.build import build
from storymap.config import load_config

INDEX = "search/search_index.json"
CHAPTER = "chapters/05-connectivity.md"


@pytest.fixture(scope="module")
def built(tmp_path_factory, built_project) -> tuple[Path, dict[str, bytes]]:
    project = copy_built(built_project, tmp_path_factory.mktemp("lies") / "project")
    keep = [INDEX, "connectivity.html", "wards/barnet/E05013628.html"]
    return project, {rel: (project / "site" / rel).read_bytes() for rel in keep}


def rebuild(project: Path):
    return build(load_config(project / "site_config.yml"), project / "site")


def locations(index: bytes) -> set[str]:
    return {d["location"].partition("#")[0] for d in json.loads(index)["docs"]}


def test_site_shares_no_inode_with_the_cache(built):
    project, _good = built
    cache = {p.stat().st_ino for p in (project / ".storymap-cache").rglob("*") if p.is_file()}
    for path in (project / "site").rglob("*"):
        if path.is_file():
            assert path.stat().st_nlink == 1, path
            assert path.stat().st_ino not in cache, path


def test_truncated_search_index_in_mkdocs_output_is_made_again(built):
    """The search index is made afresh by every build from MkDocs' own, never copied from a
    cached one: a damaged copy in MkDocs' working folder is not published."""
    project, good = built
    saved = project / ".storymap-cache" / "mkdocs" / "site" / INDEX
    saved.write_bytes(saved.read_bytes()[:1000])
    rebuild(project)
    assert (project / "site" / INDEX).read_bytes() == good[INDEX]
    assert json.loads(saved.read_bytes())["docs"], "MkDocs wrote it again"


def test_truncated_mkdocs_search_index_gives_a_full_index(built):
    """The last full search index carries the pages a dirty MkDocs build skips: damaged, it
    would silently drop them, so the build redoes every page instead."""
    project, good = built
    saved = project / ".storymap-cache" / "mkdocs" / "search_index.json"
    saved.write_bytes(saved.read_bytes()[:1000])
    chapter = project / CHAPTER
    chapter.write_text(chapter.read_text("utf-8") + "\nOne more sentence.\n", "utf-8")
    try:
        result = rebuild(project)
        assert any("MkDocs" in note for note in result.damaged), result.damaged
        assert locations((project / "site" / INDEX).read_bytes()) == locations(good[INDEX])
    finally:
        shutil.copyfile(Path(__file__).parent.parent / CHAPTER, chapter)


def test_damaged_mkdocs_output_is_not_published(built):
    project, good = built
    ward = "wards/barnet/E05013628.html"
    page = project / ".storymap-cache" / "mkdocs" / "site" / ward
    page.write_bytes(b"<h1>damaged</h1>")
    chapter = project / CHAPTER
    chapter.write_text(chapter.read_text("utf-8") + "\nAnother sentence.\n", "utf-8")
    try:
        result = rebuild(project)
        assert any("MkDocs" in note for note in result.damaged), result.damaged
        assert (project / "site" / ward).read_bytes() == good[ward]
    finally:
        shutil.copyfile(Path(__file__).parent.parent / CHAPTER, chapter)
