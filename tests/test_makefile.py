"""The README's test command: `make test` runs the browser tests or stops, never skips them."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO

MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None, reason="make is not installed")


def test_make_test_requires_the_browser_tests():
    done = subprocess.run([MAKE, "-n", "test"], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    run = [line for line in done.stdout.splitlines() if "pytest" in line]
    assert run and "STORYMAP_REQUIRE_BROWSER=1" in run[-1]


def test_without_chromium_root_or_sudo_make_stops_at_once_with_the_command(tmp_path: Path):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "id").write_text("#!/bin/sh\necho 1000\n")  # not root
    (fake / "sudo").write_text("#!/bin/sh\necho 'sudo: a password is required' >&2\nexit 1\n")
    (fake / "apt-get").write_text("#!/bin/sh\necho APT-GET RAN\nexit 1\n")  # must not be reached
    for script in fake.iterdir():
        script.chmod(0o755)
    env = {**os.environ, "PATH": f"{fake}:/usr/bin:/bin"}
    done = subprocess.run(
        [MAKE, "--no-print-directory", "browser", "CHROMIUM=/nonexistent/chromium"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode != 0
    assert done.stdout == (
        "Error: the browser tests need Chromium at /nonexistent/chromium, which is not "
        "installed.\n       Install it, then run make test again: sudo apt-get install -y "
        "chromium\n"
    )
    assert "APT-GET RAN" not in done.stdout


def test_with_chromium_present_make_installs_nothing():
    chromium = os.environ.get("STORYMAP_CHROMIUM", "/usr/bin/chromium")
    if not Path(chromium).exists():
        pytest.skip("no Chromium here to find")
    done = subprocess.run(
        [MAKE, "--no-print-directory", "browser", f"CHROMIUM={chromium}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and done.stdout == ""
