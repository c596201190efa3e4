"""Measure the build: a full (cold-cache) build, then rebuilds after editing one chapter.

Usage: .venv/bin/python bench/bench_build.py [--runs N]

Works on a throwaway copy of the project (config, chapters, data) in a temporary folder, so the
repo's own .storymap-cache/ and site/ are never touched. Reports wall time, the share of each
stage (from BuildResult.timings) with what it took from the stage cache (BuildResult.notes),
page counts and download sizes. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from storymap.build import BuildResult, build  # noqa: E402
from storymap.config import load_config  # noqa: E402


def copy_project(dest: Path) -> Path:
    shutil.copy2(REPO / "site_config.yml", dest / "site_config.yml")
    shutil.copytree(REPO / "chapters", dest / "chapters")
    shutil.copytree(REPO / "data", dest / "data", ignore=shutil.ignore_patterns("cache"))
    return dest


def timed_build(project: Path, out: Path) -> tuple[float, BuildResult]:
    config = load_config(project / "site_config.yml")
    start = time.perf_counter()
    result = build(config, out)
    return time.perf_counter() - start, result


def show(title: str, seconds: float, result: BuildResult) -> None:
    print(f"\n{title}: {seconds:.2f} s")
    total = sum(result.timings.values()) or 1.0
    for stage, t in result.timings.items():
        note = result.notes.get(stage, "")
        print(f"  {stage:<40} {t:6.2f} s  {100 * t / total:5.1f}%  {note}")
    print(f"  {'(outside stages: keys, folders, swap)':<40} {seconds - total:6.2f} s")


def edit_chapter(project: Path, n: int) -> str:
    config = load_config(project / "site_config.yml")
    chapter = project / config.chapters[0].file
    with chapter.open("a", encoding="utf-8") as handle:
        handle.write(f"\n\nBenchmark edit {n}.\n")
    return config.chapters[0].file


def sizes(out: Path) -> None:
    wards = list((out / "wards").rglob("*.html"))
    boroughs = list((out / "boroughs").glob("*.html"))
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"\npages: {len(list(out.rglob('*.html')))} HTML files, {len(wards)} ward pages, "
          f"{len(boroughs)} borough pages; site {total / 1e6:.1f} MB")
    ward_sizes = sorted(p.stat().st_size for p in wards)
    if ward_sizes:
        print(f"ward page HTML: median {statistics.median(ward_sizes) / 1e3:.0f} kB, "
              f"max {ward_sizes[-1] / 1e3:.0f} kB")
    downloads = out / "downloads"
    for path in sorted(downloads.glob("*")):
        if path.is_file():
            print(f"  {path.relative_to(out)}: {path.stat().st_size / 1e3:.0f} kB")
    per_borough = [p.stat().st_size for p in (downloads / "boroughs").glob("*")]
    print(f"  downloads/boroughs/: {len(per_borough)} files, {sum(per_borough) / 1e6:.1f} MB")
    per_ward = [p.stat().st_size for p in (downloads / "wards").glob("*")]
    if per_ward:
        print(f"  downloads/wards/: {len(per_ward)} files, {sum(per_ward) / 1e6:.1f} MB "
              f"(largest {max(per_ward) / 1e3:.1f} kB)")
    index = out / "search" / "search_index.json"
    print(f"  search/search_index.json: {index.stat().st_size / 1e6:.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="one-chapter rebuilds to time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="storymap-bench-") as tmp:
        project = copy_project(Path(tmp))
        out = Path(tmp) / "site"
        full, result = timed_build(project, out)
        show(f"full build, cold cache ({result.pages} pages)", full, result)
        seconds, result = timed_build(project, out)
        show("rebuild, nothing changed", seconds, result)
        edits = []
        for n in range(args.runs):
            edited = edit_chapter(project, n)
            seconds, result = timed_build(project, out)
            edits.append(seconds)
            show(f"rebuild after editing {edited} (run {n + 1})", seconds, result)
        sizes(out)
        if edits:
            print(f"\nsummary: full build {full:.2f} s; rebuild after a one-chapter edit "
                  f"{statistics.median(edits):.2f} s (median of {len(edits)})")


if __name__ == "__main__":
    main()
