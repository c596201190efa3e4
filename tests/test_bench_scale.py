"""bench/bench_scale.py runs end to end on two Londons and prints one well-formed line.

It builds 1,360 wards cold with the CLI and measures the site in Chromium (about a minute and a
half here). Only the format and that every figure is a positive number are checked: speed and
size are reported by the bench, not asserted.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CHROMIUM, browser_required

REPO = Path(__file__).resolve().parent.parent
KEYS = [
    "copies",
    "wards",
    "build_s",
    "peak_mib",
    "output_mb",
    "chapter_kb",
    "ward_kb",
    "search_query_kb",
    "step_ms",
]
NUMBER = r"\d+(?:\.\d+)?"


@pytest.mark.browser
def test_bench_scale_two_copies():
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}; sudo apt-get install -y chromium"
        if browser_required():
            pytest.fail(message)
        pytest.skip(message)
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "bench_scale.py"), "--copies", "2"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, done.stdout
    pattern = " ".join(f"{key}=({NUMBER})" for key in KEYS)
    match = re.fullmatch(pattern, lines[0])
    assert match, f"unexpected line: {lines[0]!r}"
    figures = dict(zip(KEYS, (float(v) for v in match.groups()), strict=True))
    assert figures["copies"] == 2
    assert figures["wards"] == 1360
    for key, value in figures.items():
        assert value > 0, f"{key}={value} is not positive"
