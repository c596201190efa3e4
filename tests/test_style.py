"""The code's style is checked, not hoped for: `ruff check` and `ruff format --check` over the
whole project, as `make lint` runs them. A file that ruff would reformat fails here, naming it."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ["storymap", "tests", "bench", "tools"]


def _ruff() -> list[str]:
    beside = Path(sys.executable).with_name("ruff")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("ruff")
    assert found, "ruff is not installed: pip install -e '.[test]'"
    return [found]


def test_ruff_check_passes():
    run = subprocess.run([*_ruff(), "check", *FOLDERS], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_ruff_format_would_change_nothing():
    run = subprocess.run(
        [*_ruff(), "format", "--check", *FOLDERS], cwd=ROOT, capture_output=True, text=True
    )
    assert run.returncode == 0, "ruff format would change:\n" + run.stdout + run.stderr
