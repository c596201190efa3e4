"""Rebuilds from the stage cache: only what changed is redone, and the site is the same as a
clean build of the same inputs.

A project is built once (with its cache); each test works on a full copy of it, changes one
thing, rebuilds, and checks which cache entries were made afresh (``BuildResult.made``), that the
stages it should skip were not run (counted), and the site. No wall-clock times are asserted:
bench/bench_build.py reports those.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import copy_project, run_cli, tree_digest
from test_reproducible import differing

import storymap.build as build_module
import storymap.pages.story.render as story_module
from storymap.build import build
from storymap.config import load_config
from storymap.errors import StorymapError
from storymap.pages.downloads.files import read_download_csv

CHAPTER = "chapters/01-introduction.md"
AGE = "data/census2021/london_lsoa21_age65plus_census2021_rm121.csv"
ALWAYS_MADE = {"page-weight"}  # the weight memo is stored again by every build
SITE = "site-final"  # the finished site's files, stored again when any of them changed


@pytest.fixture(scope="module")
def built(built_project) -> Path:
    """A project with its site (in ``site/``) and stage cache, built once (each test clones
    it before changing anything)."""
    return built_project


def clone(project: Path, dest: Path) -> Path:
    """A full copy (not hard links: MkDocs rewrites its cache files in place)."""
    shutil.copytree(project, dest)
    return dest


def rendered(project: Path) -> int:
    """How many pages the build renders from chapter templates: the home page and each chapter."""
    return len(load_config(project / "site_config.yml").chapters) + 1


def pages_of(site: Path) -> int:
    """The site's pages as MkDocs counts them: every HTML file but the 404 page."""
    return sum(1 for p in site.rglob("*.html") if p.name != "404.html")


def rebuild(project: Path):
    return build(load_config(project / "site_config.yml"), project / "site")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"{path.name}: {old!r} not found; update the test"
    path.write_text(text.replace(old, new, 1), "utf-8")


def counting(monkeypatch, *names: str) -> dict[str, int]:
    """Count calls of these functions of storymap.build and storymap.pages.story.render (the stages'
    work), wherever the build calls them from."""
    calls = dict.fromkeys(names, 0)
    for name in names:
        module = build_module if hasattr(build_module, name) else story_module
        original = getattr(module, name)

        def counted(*args, _name=name, _original=original, **kwargs):
            calls[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)
    return calls


def test_one_chapter_edit_redoes_only_that_chapter(built, tmp_path, monkeypatch):
    project = clone(built, tmp_path / "project")
    before = tmp_path / "before"
    shutil.copytree(project / "site", before)
    calls = counting(
        monkeypatch,
        "check_inputs",
        "load_geography",
        "compute_indicators",
        "compute_index",
        "write_map_assets",
        "StaticMaps",
        "render_chapter",
        "write_profiles",
        "write_place_files",
    )
    (project / CHAPTER).write_text(
        (project / CHAPTER).read_text("utf-8") + "\nA sentence added by the test.\n", "utf-8"
    )
    result = rebuild(project)

    assert calls == {
        "check_inputs": 0,
        "load_geography": 0,
        "compute_indicators": 0,
        "compute_index": 0,
        "write_map_assets": 0,
        "StaticMaps": 0,
        "render_chapter": 1,
        "write_profiles": 0,
        "write_place_files": 0,
    }
    assert set(result.made) == {"chapter-introduction", SITE} | ALWAYS_MADE
    for stage in (
        "check input data",
        "read boundaries and lookups",
        "compute indicators and risk index",
        "write map geometry and data",
        "ward and borough pages, downloads",
    ):
        assert result.notes[stage] == "cached", stage
    assert result.notes["render chapters"] == f"1 of {rendered(project)} chapters rendered"
    n = pages_of(project / "site")
    assert n > 700
    assert result.notes["build site"] == f"MkDocs rebuilt 1 of {n} pages"
    assert result.notes["check page weight"] == f"1 of {n + 1} pages measured afresh"
    site = project / "site"
    assert "A sentence added by the test." in (site / "introduction.html").read_text("utf-8")
    assert differing(before, site) == ["introduction.html", "search/search_index.json"]


def test_nothing_changed_makes_nothing(built, tmp_path):
    project = clone(built, tmp_path / "project")
    digest = tree_digest(project / "site")
    result = rebuild(project)
    assert set(result.made) == ALWAYS_MADE
    assert result.notes["build site"] == f"MkDocs rebuilt 0 of {pages_of(project / 'site')} pages"
    assert tree_digest(project / "site") == digest


def test_data_edit_recomputes_and_matches_a_clean_build(built, tmp_path, monkeypatch):
    project = clone(built, tmp_path / "project")
    # One LSOA in the City of London gets 100 more residents aged 65+ (of 1,476).
    edit(
        project / AGE,
        "City of London,1476,21,98,101,58,57,35,370,",
        "City of London,1476,21,98,101,58,57,35,470,",
    )
    calls = counting(monkeypatch, "compute_indicators", "render_chapter")
    result = rebuild(project)
    assert calls["compute_indicators"] == 1
    assert calls["render_chapter"] == rendered(project)  # the home page and every chapter use
    # the figures
    assert {"checks", "geography", "indicators", "map-assets", "profiles"} <= set(result.made)

    def city_65(site: Path) -> int:
        table = read_download_csv(site / "downloads" / "london-boroughs.csv", dtype=str)
        row = table.set_index("Borough code").loc["E09000001"]
        return int(row["Aged 65+: residents aged 65 and over (people)"])

    assert city_65(project / "site") == city_65(built / "site") + 100

    clean = copy_project(tmp_path / "clean")
    shutil.copy2(project / AGE, clean / AGE)
    build(load_config(clean / "site_config.yml"), clean / "site")  # its own, empty cache
    assert differing(project / "site", clean / "site") == []


def test_config_value_an_indicator_uses_recomputes(built, tmp_path, monkeypatch):
    project = clone(built, tmp_path / "project")
    before = (project / "site" / "method.html").read_text("utf-8")
    edit(
        project / "site_config.yml",
        "label: Health and disability\n      weight: 1",
        "label: Health and disability\n      weight: 3",
    )
    calls = counting(monkeypatch, "compute_index", "check_inputs")
    result = rebuild(project)
    assert calls == {"compute_index": 1, "check_inputs": 1}
    assert "indicators" in result.made and "profiles" in result.made
    assert "compute indicators and risk index" not in result.notes  # not "cached"
    assert (project / "site" / "method.html").read_text("utf-8") != before


def test_budgets_change_keeps_the_figures(built, tmp_path, monkeypatch):
    """A config section the figures do not read leaves them cached."""
    project = clone(built, tmp_path / "project")
    config = project / "site_config.yml"
    text, n = re.subn(
        r"(?m)^(  search_kb: )(\d+)",
        lambda m: f"{m[1]}{int(m[2]) + 1}",
        config.read_text("utf-8"),
        count=1,
    )
    assert n == 1, "budgets.search_kb not found in site_config.yml; update the test"
    config.write_text(text, "utf-8")
    calls = counting(monkeypatch, "check_inputs", "compute_indicators", "write_map_assets")
    rebuild(project)
    assert calls == {"check_inputs": 0, "compute_indicators": 0, "write_map_assets": 0}


def _corrupt(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty", "files"])
def test_damaged_cache_entry_is_made_again(built, tmp_path, damage):
    project = clone(built, tmp_path / "project")
    digest = tree_digest(project / "site")
    store = project / ".storymap-cache" / "store"
    indicators = next((store / "entries").glob("indicators.*")) / "value.pickle"
    if damage == "flip":
        _corrupt(indicators)
    elif damage == "truncate":
        indicators.write_bytes(indicators.read_bytes()[:-1000])
    elif damage == "empty":
        indicators.write_bytes(b"")
    else:  # the map data script, as the store keeps it
        _corrupt(
            next(
                p for p in (store / "blobs").rglob("*/*") if p.read_bytes().startswith(b'{"area":')
            )
        )
        # with no previous site to link its unchanged files from, the store's copy is read
        shutil.rmtree(project / "site")
    result = rebuild(project)
    assert result.damaged, "the damaged entry is noted"
    assert ("map-assets" if damage == "files" else "indicators") in result.made
    assert tree_digest(project / "site") == digest
    again = rebuild(project)  # the entry made again is used
    assert set(again.made) == ALWAYS_MADE


def test_unchanged_files_are_linked_from_the_previous_site_which_is_never_changed(built, tmp_path):
    """A rebuild links each file whose bytes the last finished site holds (checked by sha256)
    instead of writing it again, and writes the rest as new files: the previous site is not
    changed by a byte, a file edited there by hand is not carried over, and the edited chapter
    is a file of its own."""
    project = clone(built, tmp_path / "project")
    site, new = project / "site", tmp_path / "new"
    ward = "wards/barnet/E05013628.html"
    good = (site / ward).read_bytes()
    (site / ward).write_bytes(good.replace(b"</body>", b"<!-- edited by hand --></body>"))
    before = tree_digest(site)
    chapter = project / CHAPTER
    chapter.write_text(chapter.read_text("utf-8") + "\nA sentence added for this test.\n", "utf-8")
    build(load_config(project / "site_config.yml"), new, previous=site)
    assert tree_digest(site) == before, "the previous site changed"
    assert (new / ward).read_bytes() == good
    assert (new / ward).stat().st_nlink == 1
    assert "A sentence added for this test." in (new / "introduction.html").read_text("utf-8")
    assert (new / "introduction.html").stat().st_nlink == 1
    files = [p for p in new.rglob("*") if p.is_file()]
    linked = [p for p in files if p.stat().st_nlink == 2]
    assert len(linked) > 0.9 * len(files), f"{len(linked)} of {len(files)} files linked"
    for rel in ("search/search_index.json", "sitemap.xml", "sitemap.xml.gz"):  # rewritten
        assert (new / rel).stat().st_nlink == 1, rel


def test_finished_file_changed_in_the_cache_is_built_again(built, tmp_path):
    """A finished page changed in MkDocs' working folder (its time kept, so MkDocs would skip
    it) is caught by its checksum and built again; the site shares no file with the cache."""
    project = clone(built, tmp_path / "project")
    digest = tree_digest(project / "site")
    page = project / ".storymap-cache/mkdocs/site/wards/barnet/E05013628.html"
    stat = page.stat()
    with open(page, "a", encoding="utf-8") as handle:
        handle.write("<!-- changed -->")
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    result = rebuild(project)
    assert result.notes["build site"] == f"MkDocs rebuilt 0 of {pages_of(project / 'site')} pages"
    assert tree_digest(project / "site") == digest
    assert "<!-- changed -->" not in page.read_text("utf-8")
    inodes = {p.stat().st_ino for p in (project / ".storymap-cache").rglob("*") if p.is_file()}
    assert not inodes & {p.stat().st_ino for p in (project / "site").rglob("*") if p.is_file()}


def test_pages_finished_again_while_chapters_come_from_the_cache(built, tmp_path):
    """A fresh process finishing every page again (SOURCE_DATE_EPOCH changes how) while the
    chapters come from the cache: the pages hold no inline script, so the CSP needs no hash and
    the build does not stop."""
    project = clone(built, tmp_path / "project")
    before = tmp_path / "before"
    shutil.copytree(project / "site", before)
    done = run_cli("build", cwd=project, env={**os.environ, "SOURCE_DATE_EPOCH": "1714521600"})
    assert done.returncode == 0, done.stderr
    assert f"0 of {rendered(project)} chapters rendered" in done.stderr
    assert differing(before, project / "site") == ["sitemap.xml.gz"]  # its gzip time stamp


def test_failed_build_keeps_site_and_cache(built, tmp_path):
    project = clone(built, tmp_path / "project")
    digests = {name: tree_digest(project / name) for name in ("site", ".storymap-cache")}
    edit(
        project / AGE,
        "City of London,1476,21,98,101,58,57,35,370,",
        "City of London,1476,21,98,101,58,57,35,470,",
    )  # new figures, new entries to keep...
    (project / CHAPTER).write_text("{{ ward('Nowhere Green').name }}\n", "utf-8")  # ...but no
    with pytest.raises(StorymapError, match="Nowhere Green"):
        rebuild(project)
    assert {name: tree_digest(project / name) for name in digests} == digests
