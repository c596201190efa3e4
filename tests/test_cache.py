"""The build's store on its own: keys follow what a stage reads, entries are kept only on commit,
damaged entries and files are dropped, noted and made again, files are copied, never linked."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import REPO, copy_project

from storymap.config import load_config
from storymap.config.view import SectionNotHanded, only
from storymap.data.files import DataFiles
from storymap.engine.keys import stage_key
from storymap.engine.store import Store


@pytest.fixture
def config(tmp_path: Path):
    return load_config(REPO / "site_config.yml").model_copy(
        update={"path": tmp_path / "site_config.yml"}
    )


def StageCache(config, writable: bool = True) -> Store:  # noqa: N802 - reads as the old name
    return Store(config.root / ".storymap-cache" / "store", writable=writable)


def entries(config) -> list[str]:
    folder = config.root / ".storymap-cache" / "store" / "entries"
    return sorted(p.name.split(".")[0] for p in folder.iterdir()) if folder.is_dir() else []


def test_entries_are_kept_only_on_commit(config):
    cache = StageCache(config)
    assert cache.get("answer", "k1", lambda: {"n": 42}) == {"n": 42}
    assert StageCache(config).load("answer", "k1") == (False, None)  # pending, not yet kept
    cache.commit()
    later = StageCache(config)
    assert later.get("answer", "k1", lambda: pytest.fail("made again")) == {"n": 42}
    assert later.reused == ["answer"] and later.made == []


def test_a_failed_build_discards_its_entries(config):
    cache = StageCache(config)
    cache.get("answer", "k1", lambda: 42)
    cache.discard()
    assert StageCache(config).load("answer", "k1") == (False, None)
    assert entries(config) == []


def test_check_reads_but_never_writes(config):
    cache = StageCache(config, writable=False)
    assert cache.get("answer", "k1", lambda: 42) == 42
    cache.commit()
    assert not (config.root / ".storymap-cache").exists()


def test_a_new_key_replaces_the_old_entry_of_its_name(config):
    first = StageCache(config)
    first.get("a", "k1", lambda: 1)
    first.get("b", "k1", lambda: 2)
    first.commit()
    second = StageCache(config)
    second.get("a", "k2", lambda: 3)
    second.commit()
    folder = config.root / ".storymap-cache" / "store" / "entries"
    assert sorted(p.name for p in folder.iterdir()) == ["a.k2", "b.k1"]


@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage", "key"])
def test_damaged_entry_is_ignored(config, damage):
    cache = StageCache(config)
    cache.get("answer", "k1", lambda: list(range(1000)))
    cache.commit()
    path = config.root / ".storymap-cache" / "store" / "entries" / "answer.k1" / "value.pickle"
    data = bytearray(path.read_bytes())
    if damage == "flip":
        data[-100] ^= 0x01
    elif damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "garbage":
        data = bytearray(os.urandom(len(data)))
    else:  # an intact entry filed under another key
        path.parent.rename(path.parent.with_name("answer.k9"))
        path = path.parent.with_name("answer.k9") / "value.pickle"
    path.write_bytes(bytes(data))
    again = StageCache(config)
    assert again.load("answer", "k1") == (False, None)
    assert again.load("answer", "k9") == (False, None)
    assert again.notes, "a damaged entry is noted"
    assert again.get("answer", "k1", lambda: "made again") == "made again"
    again.commit()  # replaces the damaged entry
    assert StageCache(config).load("answer", "k1") == (True, "made again")
    assert entries(config) == ["answer"]


def test_files_are_checked_and_copied(config, tmp_path):
    cache = StageCache(config)

    def make(folder: Path) -> str:
        (folder / "sub").mkdir()
        (folder / "sub" / "a.txt").write_text("hello", "utf-8")
        return "value"

    assert cache.get_files("tree", "k1", make, tmp_path / "one", tmp_path) == "value"
    cache.commit()
    assert (tmp_path / "one" / "sub" / "a.txt").read_text("utf-8") == "hello"
    blobs = list((config.root / ".storymap-cache" / "store" / "blobs").rglob("*/*"))
    assert len(blobs) == 1
    assert StageCache(config).get_files("tree", "k1", make, tmp_path / "two", tmp_path) == "value"
    copied = tmp_path / "two" / "sub" / "a.txt"
    assert copied.read_text("utf-8") == "hello"
    assert copied.stat().st_ino != blobs[0].stat().st_ino  # a copy, never a link
    blobs[0].write_text("hellO", "utf-8")  # damaged: made again
    later = StageCache(config)
    later.get_files("tree", "k1", make, tmp_path / "three", tmp_path)
    assert later.made == ["tree"] and later.notes
    assert (tmp_path / "three" / "sub" / "a.txt").read_text("utf-8") == "hello"
    later.commit()
    assert StageCache(config).get_files("tree", "k1", make, tmp_path / "four", tmp_path)
    assert (tmp_path / "four" / "sub" / "a.txt").read_text("utf-8") == "hello"


def test_files_no_entry_uses_are_removed_on_commit(config, tmp_path):
    def make(text: str):
        def write(folder: Path) -> str:
            (folder / "a.txt").write_text(text, "utf-8")
            return text

        return write

    first = StageCache(config)
    first.get_files("tree", "k1", make("one"), tmp_path / "one", tmp_path)
    first.commit()
    second = StageCache(config)
    second.get_files("tree", "k2", make("two"), tmp_path / "two", tmp_path)
    second.commit()
    blobs = list((config.root / ".storymap-cache" / "store" / "blobs").rglob("*/*"))
    assert [b.read_text("utf-8") for b in blobs] == ["two"]


def test_externals_are_not_stored_but_restored(config):
    geo, other = object(), object()
    cache = StageCache(config)
    cache.get("holder", "k1", lambda: {"geo": geo, "n": 1}, externals={"geo": geo})
    cache.commit()
    found = StageCache(config).get("holder", "k1", lambda: None, externals={"geo": other})
    assert found == {"geo": other, "n": 1}


def test_keys_follow_data_and_the_config_sections_handed(tmp_path):
    project = copy_project(tmp_path / "project")
    config = load_config(project / "site_config.yml")

    def key(cfg, *sections):
        return stage_key("code", "stage", (only(cfg, *sections, files=DataFiles.of(cfg)),))

    base = key(config, "sources", "indicators")
    assert key(config, "sources", "indicators") == base
    budgets = config.model_copy(
        update={"budgets": config.budgets.model_copy(update={"page_kb": 1.0})}
    )
    assert key(budgets, "sources", "indicators") == base  # a section it is not handed
    assert key(budgets, "budgets") != key(config, "budgets")
    assert key(config, "sources", "indicators", "site.area") != base
    assert stage_key("other code", "stage", (only(config, "indicators"),)) != stage_key(
        "code", "stage", (only(config, "indicators"),)
    )
    data = project / "data" / "lookups" / "lookup_ward22_lad22_london.csv"
    data.write_bytes(data.read_bytes() + b"\n")
    assert key(config, "sources", "indicators") != base  # handed the sources, it has the files
    assert key(config, "indicators") == key(budgets, "indicators")


def test_a_stage_cannot_read_what_its_key_does_not_cover(tmp_path):
    config = load_config(copy_project(tmp_path / "project") / "site_config.yml")
    view = only(config, "geography", "site.area")
    assert view.site.area == config.site.area and view.geography == config.geography
    with pytest.raises(SectionNotHanded, match=r"config\.maps"):
        _ = view.maps
    with pytest.raises(SectionNotHanded, match=r"config\.site\.title"):
        _ = view.site.title
    with pytest.raises(ValueError, match="data files"):
        only(config, "sources")
