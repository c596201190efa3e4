"""How long the fast test tier takes beside the whole suite.

Runs `pytest -m "not full and not browser"` (what `make test-fast` runs) and, unless --fast-only,
the whole suite as `make test` runs it (browser tests required), each from a cold start, and
prints fast_s, full_s and their ratio (the fast tier is meant to take under a quarter).

    .venv/bin/python bench/bench_tests.py [--fast-only]

The whole suite takes about 17 minutes on a 2-core machine: run it when nothing else is busy.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FAST = ["-m", "not full and not browser"]


def timed(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args], cwd=REPO, env=env
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        print(f"(pytest {' '.join(args)} exited {done.returncode}: the time still counts)")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast-only", action="store_true", help="time the fast tier only")
    args = parser.parse_args()
    env = dict(os.environ)
    fast_s = timed(FAST, env)
    print(f"fast_s {fast_s:.1f}")
    if args.fast_only:
        return
    env.update(STORYMAP_REQUIRE_BROWSER="1")
    full_s = timed([], env)
    print(f"full_s {full_s:.1f}")
    print(f"ratio {fast_s / full_s:.3f} (fast tier / whole suite)")


if __name__ == "__main__":
    main()
