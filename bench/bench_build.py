"""Measure the build from the command line: a cold build, then rebuilds after editing one chapter.

Usage: .venv/bin/python bench/bench_build.py [--runs N] [--baseline REV]

Each figure is the wall time of a whole ``storymap build`` process (``python -m storymap
build``): Python starting, imports, reading the config, every stage, the swap into ``--out``.
It works on throwaway copies of the project (config, chapters, data) in a temporary folder, so
the repo's own .storymap-cache/ and site/ are never touched.

- cold: an empty cache and no previous site;
- rebuild: after appending a sentence to the first chapter, with the cache of the builds before.

With ``--baseline REV`` (e.g. ``main``) the same cold builds and rebuilds are made with the code
of that git revision (``git archive``, run with the same virtual environment) in the same run,
alternating with the current code's, so both see the same load on the machine; with
``--baseline-project`` as well, the baseline builds that revision's own config, chapters and data
(an older revision cannot read today's config; today's project has more to build, so the speedup
is then, if anything, understated), and today's code builds that same project too, so the
two codes are also compared on the same work. Prints one line per figure and then::

    cold_s=… rebuild_s=… rebuild/cold=…%   [baseline_cold_s=… speedup=…x]
        [current_on_baseline_project_cold_s=… same_project_speedup=…x]

(medians of ``--runs`` builds each). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHAPTER = "chapters/01-introduction.md"


def copy_project(dest: Path) -> Path:
    dest.mkdir(parents=True)
    shutil.copy2(REPO / "site_config.yml", dest / "site_config.yml")
    shutil.copytree(REPO / "chapters", dest / "chapters")
    shutil.copytree(REPO / "data", dest / "data", ignore=shutil.ignore_patterns("cache"))
    return dest


def export_code(rev: str, dest: Path, paths: tuple[str, ...] = ("storymap",)) -> Path:
    """``paths`` (by default the ``storymap`` package) as they were at git revision ``rev``, in
    ``dest``."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", rev, *paths],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")
    return dest


def cli_build(project: Path, code: Path | None) -> float:
    """Seconds for one ``storymap build`` process in ``project`` (code from ``code`` if given)."""
    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = str(code)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "storymap", "build", "--out", "site"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"Error: the build in {project} failed:\n{done.stderr}")
    return seconds


def edit_chapter(project: Path, n: int) -> None:
    with (project / CHAPTER).open("a", encoding="utf-8") as handle:
        handle.write(f"\n\nBenchmark edit {n}.\n")


def reset(project: Path) -> None:
    shutil.rmtree(project / ".storymap-cache", ignore_errors=True)
    shutil.rmtree(project / "site", ignore_errors=True)


def measure(projects: dict[str, tuple[Path, Path | None]], runs: int) -> dict[str, dict]:
    """Cold builds and one-chapter rebuilds of each project, alternating between them."""
    out = {name: {"cold": [], "rebuild": []} for name in projects}
    for run in range(runs):
        for name, (project, code) in projects.items():
            reset(project)
            seconds = cli_build(project, code)
            out[name]["cold"].append(seconds)
            print(f"{name}: cold build {run + 1}: {seconds:.2f} s", flush=True)
        for name, (project, code) in projects.items():
            edit_chapter(project, run)
            seconds = cli_build(project, code)
            out[name]["rebuild"].append(seconds)
            print(f"{name}: rebuild after editing {CHAPTER} {run + 1}: {seconds:.2f} s", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="cold builds and rebuilds to time")
    parser.add_argument("--baseline", metavar="REV", help="also time this git revision's code")
    parser.add_argument(
        "--baseline-project",
        action="store_true",
        help="the baseline builds its own revision's config, chapters and data "
        "(for a revision whose code cannot read today's config)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="storymap-bench-") as tmp:
        root = Path(tmp)
        projects: dict[str, tuple[Path, Path | None]] = {
            "current": (copy_project(root / "current"), None)
        }
        if args.baseline:
            code = export_code(args.baseline, root / "baseline-code")
            project = (
                export_code(
                    args.baseline, root / "baseline", ("site_config.yml", "chapters", "data")
                )
                if args.baseline_project
                else copy_project(root / "baseline")
            )
            projects["baseline"] = (project, code)
            if args.baseline_project:  # today's code on the baseline's project: like for like
                projects["current-on-baseline-project"] = (
                    export_code(
                        args.baseline,
                        root / "current-on-baseline",
                        ("site_config.yml", "chapters", "data"),
                    ),
                    None,
                )
        times = measure(projects, args.runs)
    cold = statistics.median(times["current"]["cold"])
    rebuild = statistics.median(times["current"]["rebuild"])
    line = f"cold_s={cold:.2f} rebuild_s={rebuild:.2f} rebuild/cold={100 * rebuild / cold:.1f}%"
    if args.baseline:
        base = statistics.median(times["baseline"]["cold"])
        base_rebuild = statistics.median(times["baseline"]["rebuild"])
        line += (
            f" baseline={args.baseline} baseline_cold_s={base:.2f} "
            f"baseline_rebuild_s={base_rebuild:.2f} speedup={base / cold:.2f}x"
        )
    if "current-on-baseline-project" in times:
        same = statistics.median(times["current-on-baseline-project"]["cold"])
        line += (
            f" current_on_baseline_project_cold_s={same:.2f} "
            f"same_project_speedup={base / same:.2f}x"
        )
    print(line)


if __name__ == "__main__":
    main()
