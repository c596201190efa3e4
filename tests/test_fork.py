"""Work run beside the build in a forked second process (storymap.engine.fork): its value
comes back, its errors come back as the same Error block, a process that dies is reported in
plain words, and a build that fails elsewhere stops it."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from storymap.engine.fork import Beside, can_fork
from storymap.errors import DataError, StorymapError


@pytest.fixture
def forking(monkeypatch):
    monkeypatch.setenv("STORYMAP_JOBS", "2")
    assert can_fork()


def test_the_work_runs_in_another_process_and_its_value_comes_back(forking, tmp_path: Path):
    here = os.getpid()

    def work():
        (tmp_path / "made.txt").write_text("written there")
        return {"pid": os.getpid(), "rows": list(range(5))}

    job = Beside(work, then=lambda value: {**value, "then": True})
    found = job.result()
    assert found["pid"] != here and found["rows"] == [0, 1, 2, 3, 4] and found["then"]
    assert (tmp_path / "made.txt").read_text() == "written there"
    assert job.result() is found  # asked again: the same value, nothing run again


def test_one_process_when_asked(monkeypatch):
    monkeypatch.setenv("STORYMAP_JOBS", "1")
    assert not can_fork()
    assert Beside(os.getpid).result() == os.getpid()


def test_an_error_there_is_the_same_error_here(forking):
    def work():
        raise DataError(["data/x.csv row 3: 'abc' is not a number.", "a second problem"])

    with pytest.raises(DataError) as caught:
        Beside(work).result()
    assert caught.value.problems == ["data/x.csv row 3: 'abc' is not a number.", "a second problem"]
    assert caught.value.render().startswith("Error: data/x.csv row 3")


def test_a_bug_there_keeps_where_it_happened(forking):
    def work():
        return {}["missing"]

    with pytest.raises(KeyError) as caught:
        Beside(work).result()
    assert any(
        "second process" in note and "work" in note
        for note in getattr(caught.value, "__notes__", [])
    )


def test_a_process_that_dies_is_reported_in_plain_words(forking):
    with pytest.raises(StorymapError) as caught:
        Beside(lambda: os._exit(9)).result()
    text = caught.value.render()
    assert "stopped before it finished (exit status 9)" in text and "STORYMAP_JOBS=1" in text


def test_stop_ends_the_second_process(forking, tmp_path: Path):
    job = Beside(lambda: time.sleep(60))
    assert job.process is not None and job.process.is_alive()
    started = time.monotonic()
    job.stop()
    assert not job.process.is_alive() and time.monotonic() - started < 10
