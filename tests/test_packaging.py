"""A quiet install: `pip install -e .` prints no warning from the project's own packaging.

setuptools' editable installs warn ("Editable installation ... Please be careful with folders
in your working directory") unless the layout is declared plainly (pyproject.toml: package-dir
{"" = "."}). The install is done for real, into a fresh virtual environment, with pip's build
isolation fetching setuptools as on a user's machine; the package data (assets, theme, templates,
the preview's reload script) must be installed too.
"""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

from conftest import REPO

PIP = [sys.executable, "-m", "pip"]
NOISE = ("WARNING: Location '",)  # this machine's pip index settings, not the project


def warnings_in(output: str) -> list[str]:
    lines = [ln for ln in output.splitlines() if not ln.strip().startswith(NOISE)]
    return [ln for ln in lines if "warning" in ln.lower() or ln.strip() == "!!"]


def test_editable_install_prints_no_warnings(tmp_path: Path):
    target = tmp_path / "env"
    venv.EnvBuilder(with_pip=False).create(target)
    python = target / "bin" / "python"
    done = subprocess.run(
        [*PIP, "--python", str(python), "install", "--no-deps", "-e", str(REPO)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert warnings_in(done.stdout + done.stderr) == []


def test_the_wheel_holds_the_package_data_and_builds_quietly(tmp_path: Path):
    done = subprocess.run(
        [*PIP, "wheel", "--no-deps", "-w", str(tmp_path), str(REPO)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert warnings_in(done.stdout + done.stderr) == []
    import zipfile

    [wheel] = tmp_path.glob("storymap-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for wanted in (
        "storymap/assets/theme.css",
        "storymap/theme/main.html",
        "storymap/templates/new_chapter.md",
        "storymap/commands/preview.js",
    ):
        assert wanted in names
