"""Reproducible builds: the same inputs give byte-identical sites, whether built in a fresh
folder, in another folder, or rebuilt from the stage cache after an edit, in two processes or
in one; no build time stamps leak in."""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path

from conftest import copy_project, tree_digest

from storymap.build import build
from storymap.config import load_config
from storymap.pages.page import Page
from storymap.site.finish import finish_site


def differing(a: Path, b: Path) -> list[str]:
    files_a = {p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file()}
    files_b = {p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file()}
    out = sorted(files_a ^ files_b)
    out += sorted(f for f in files_a & files_b if (a / f).read_bytes() != (b / f).read_bytes())
    return out


def with_site_url(project: Path) -> Path:
    """Give the project a public URL, so MkDocs writes sitemap entries (and their dates)."""
    config = project / "site_config.yml"
    text = config.read_text("utf-8")
    config.write_text(
        text.replace(
            "  language: en\n", "  language: en\n  url: https://example.org/storymap/\n", 1
        )
    )
    return config


def test_two_builds_from_the_same_inputs_are_byte_identical(tmp_path: Path, monkeypatch) -> None:
    """Built twice in one folder (the second from the stage cache), then rebuilt after a chapter
    is edited, the site is byte for byte what a clean build of the same inputs in another folder
    (with its own, empty stage cache) gives."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setenv("STORYMAP_JOBS", "2")  # the downloads and place files in a second process
    one = with_site_url(copy_project(tmp_path / "one"))
    a, b = tmp_path / "site-one", tmp_path / "site-two"
    build(load_config(one), a)
    first = tree_digest(a)
    build(load_config(one), a)  # nothing changed: everything from the stage cache
    assert tree_digest(a) == first
    chapter = one.parent / "chapters" / "02-where-older-londoners-live.md"
    chapter.write_text(chapter.read_text("utf-8") + "\nA sentence added by the test.\n", "utf-8")
    edited = build(load_config(one), a)
    assert [m for m in edited.made if m.startswith("chapter-")] == [
        "chapter-where-older-londoners-live"
    ]
    two = with_site_url(copy_project(tmp_path / "two"))
    shutil.copy2(chapter, two.parent / "chapters" / chapter.name)
    monkeypatch.setenv("STORYMAP_JOBS", "1")  # all in one process: the same bytes
    build(load_config(two), b)
    assert differing(a, b) == []
    assert tree_digest(a) == tree_digest(b) != first
    sitemap = (a / "sitemap.xml").read_text("utf-8")
    assert "<loc>https://example.org/storymap/introduction.html</loc>" in sitemap
    assert "<lastmod>" not in sitemap
    assert (a / "sitemap.xml.gz").read_bytes()[4:8] == b"\0\0\0\0"  # gzip mtime 0
    assert gzip.decompress((a / "sitemap.xml.gz").read_bytes()).decode() == sitemap


def test_map_elements_have_stable_ids(built_site: Path) -> None:
    """No element id made from random uuid4 hex (as Folium's default names) reaches a page."""
    for page in [built_site / "index.html", *built_site.glob("*.html")]:
        text = page.read_text("utf-8")
        assert not re.search(r"\b[a-z_]+_[0-9a-f]{32}\b", text), page.name


def test_source_date_epoch_sets_sitemap_dates(tmp_path: Path, monkeypatch) -> None:
    site = tmp_path / "site"
    (site / "search").mkdir(parents=True)
    (site / "search/search_index.json").write_text('{"config": {}, "docs": []}', "utf-8")
    entry = "<url><loc>https://example.org/a.html</loc><lastmod>2024-05-01</lastmod></url>"
    (site / "sitemap.xml").write_text(f"<urlset>{entry}</urlset>", "utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1714521600")  # MkDocs wrote its date: kept
    finish_site(site, [Page("a.md", "A", "")])
    assert "<lastmod>2024-05-01</lastmod>" in (site / "sitemap.xml").read_text("utf-8")
    assert int.from_bytes((site / "sitemap.xml.gz").read_bytes()[4:8], "little") == 1714521600
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    finish_site(site, [Page("a.md", "A", "")])
    assert "<lastmod>" not in (site / "sitemap.xml").read_text("utf-8")
    assert (site / "sitemap.xml.gz").read_bytes()[4:8] == b"\0\0\0\0"
