"""A build killed midway leaves the previous site as it was, and the next build is not hurt.

``python -m storymap build`` is started as a user would, killed with SIGKILL once it is writing
(its temporary ``.site.building-*`` folder exists), and the site is compared byte for byte with
the one before. The next build then succeeds and removes the dead build's folder.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import copy_built, run_cli, tree_digest

from storymap.build import clean_leftovers


def _start_build(project: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "storymap", "build"],
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_for(predicate, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_killed_build_leaves_previous_site(tmp_path, built_project):
    project = copy_built(built_project, tmp_path / "project")  # a site and its cache
    before = tree_digest(project / "site")
    # Change the site's title, so every page changes and the next build has real work to do
    # (a one-chapter edit is done too fast to be killed), then kill it while it writes.
    config = project / "site_config.yml"
    text = config.read_text("utf-8")
    assert "\n  title: Older Londoners and digital exclusion\n" in text
    config.write_text(
        text.replace(
            "\n  title: Older Londoners and digital exclusion\n",
            "\n  title: Older Londoners, digital exclusion\n",
            1,
        ),
        "utf-8",
    )
    proc = _start_build(project)
    try:
        assert _wait_for(lambda: any(project.glob(".site.building-*")), 120), "build never wrote"
        time.sleep(2)  # well inside the writing stages
        assert proc.poll() is None, "the build finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert tree_digest(project / "site") == before
    assert list(project.glob(".site.building-*")), "the killed build left no folder to clean up"

    again = run_cli("build", cwd=project)
    assert again.returncode == 0, again.stderr
    assert not list(project.glob(".site.building-*")), "stale build folder not removed"
    assert not (project / ".site.old").exists()
    assert not list((project / ".storymap-cache" / "store").glob(".pending-*"))
    assert "Older Londoners, digital exclusion" in (
        project / "site" / "introduction.html"
    ).read_text("utf-8")


def test_folders_of_running_builds_are_kept(tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    mine = tmp_path / f".site.building-{os.getpid()}-abc"  # this process is alive
    dead = tmp_path / ".site.building-999999999-abc"  # no such process
    old_style = tmp_path / ".site.building-xyz"
    for folder in (mine, dead, old_style):
        (folder / "site").mkdir(parents=True)
    clean_leftovers(out)
    assert mine.exists() and not dead.exists() and not old_style.exists()


def test_site_restored_if_killed_between_renames(tmp_path):
    out = tmp_path / "site"
    old = tmp_path / ".site.old"
    old.mkdir()
    (old / "index.html").write_text("previous", "utf-8")
    clean_leftovers(out)
    assert (out / "index.html").read_text("utf-8") == "previous"
