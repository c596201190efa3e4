"""Lighthouse scores for one page of each kind, served gzip-compressed as GitHub Pages serves it.

    .venv/bin/python bench/bench_lighthouse.py [--site DIR] [--runs 3] [--save DIR]

Uses Lighthouse 12.2.3 (the last line that runs on Node 20), installed with npm into
bench/.cache/ on the first run, driving Debian's Chromium (CHROME_PATH=/usr/bin/chromium,
headless). Lighthouse's defaults otherwise: mobile form factor, simulated throttling (a mid-range
phone on slow 4G, CPU 4x slower); categories performance and accessibility.

Without --site it builds the site from site_config.yml (in a copy of the project) into a
temporary folder. The site is
served from 127.0.0.1, gzip-compressed. Each page is run --runs times; per page it prints the
median and range of the performance score, total blocking time, cumulative layout shift, largest
contentful paint and the accessibility score, then the same per kind of page, then where the main
thread's time goes on the page with the worst performance (Lighthouse's bootup-time and
mainthread-work-breakdown audits of its median run). --save keeps every JSON report.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import CHROMIUM, ensure_npm_package, have_chromium, serve  # noqa: E402
from copies import make_project  # noqa: E402

LIGHTHOUSE = "lighthouse@12.2.3"
CHROME_FLAGS = "--headless --no-sandbox --disable-gpu"
# (kind, page); a ward and a borough page are found in the site if these are missing.
PAGES = [
    ("home", "index.html"),
    ("chapter", "introduction.html"),
    ("chapter", "combined-risk.html"),
    ("method", "method.html"),
    ("ward", "wards/camden/E05013660.html"),
    ("borough", "boroughs/camden.html"),
    ("about", "about-the-data.html"),
    ("data checks", "data-checks.html"),
]


def pages_in(site: Path) -> list[tuple[str, str]]:
    found = []
    for kind, page in PAGES:
        if not (site / page).is_file() and kind in ("ward", "borough"):
            folder = site / ("wards" if kind == "ward" else "boroughs")
            first = sorted(folder.rglob("*.html"))
            page = first[0].relative_to(site).as_posix() if first else page
        if (site / page).is_file():
            found.append((kind, page))
        else:
            print(f"(skipping {kind}: {page} is not in the site)", file=sys.stderr)
    return found


def run_lighthouse(exe: Path, url: str, report: Path) -> dict:
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    done = subprocess.run(
        [
            str(exe),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={report}",
            "--only-categories=performance,accessibility",
            f"--chrome-flags={CHROME_FLAGS}",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0 or not report.is_file():
        raise SystemExit(f"Error: Lighthouse failed on {url}:\n{done.stderr[-3000:]}")
    result = json.loads(report.read_text(encoding="utf-8"))
    if result.get("runtimeError"):
        raise SystemExit(f"Error: Lighthouse on {url}: {result['runtimeError']}")
    return result


def figures(result: dict) -> dict[str, float]:
    cats, audits = result["categories"], result["audits"]

    def score(name: str) -> float:
        value = cats[name]["score"]
        return float("nan") if value is None else 100 * value

    return {
        "perf": score("performance"),
        "tbt": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "lcp": audits["largest-contentful-paint"]["numericValue"] / 1000,
        "a11y": score("accessibility"),
    }


FORMATS = {"perf": "{:.0f}", "tbt": "{:.0f}", "cls": "{:.3f}", "lcp": "{:.2f}", "a11y": "{:.0f}"}
HEADINGS = {
    "perf": "performance",
    "tbt": "TBT ms",
    "cls": "CLS",
    "lcp": "LCP s",
    "a11y": "accessibility",
}


def cell(key: str, values: list[float]) -> str:
    f = FORMATS[key]
    low, high = min(values), max(values)
    median = f.format(statistics.median(values))
    if f.format(low) == f.format(high):
        return median
    return f"{median} ({f.format(low)}-{f.format(high)})"


def row(label: str, runs: list[dict[str, float]]) -> str:
    cells = [f"{cell(k, [r[k] for r in runs]):>18}" for k in FORMATS]
    return f"{label:42} " + " ".join(cells)


def header(first: str) -> str:
    return f"{first:42} " + " ".join(f"{HEADINGS[k]:>18}" for k in FORMATS)


def median_run(results: list[dict]) -> dict:
    ordered = sorted(results, key=lambda r: figures(r)["perf"])
    return ordered[len(ordered) // 2]


def short_url(url: str, base: str) -> str:
    return url.removeprefix(base + "/") if url.startswith(base) else url


def where_time_goes(page: str, result: dict, base: str, top: int = 8) -> None:
    audits = result["audits"]
    print(f"\nwhere the main thread's time goes on {page} (median run, simulated mobile):")
    work = audits.get("mainthread-work-breakdown", {})
    items = (work.get("details") or {}).get("items", [])
    print(f"  main-thread work {work.get('displayValue', '')}:")
    for item in sorted(items, key=lambda i: -i.get("duration", 0))[:top]:
        label = item.get("groupLabel") or item.get("group")
        print(f"    {item.get('duration', 0):8.0f} ms  {label}")
    boot = audits.get("bootup-time", {})
    items = (boot.get("details") or {}).get("items", [])
    print(f"  script execution by file {boot.get('displayValue', '')}:")
    print(f"    {'total ms':>8} {'script ms':>9} {'parse ms':>8}  file")
    for item in sorted(items, key=lambda i: -i.get("total", 0))[:top]:
        print(
            f"    {item.get('total', 0):8.0f} {item.get('scripting', 0):9.0f} "
            f"{item.get('scriptParseCompile', 0):8.0f}  {short_url(str(item.get('url')), base)}"
        )
    tasks = (audits.get("long-tasks", {}).get("details") or {}).get("items", [])
    if tasks:
        print(f"  long tasks ({len(tasks)}), longest first:")
        for item in sorted(tasks, key=lambda i: -i.get("duration", 0))[:top]:
            print(
                f"    {item.get('duration', 0):8.0f} ms at {item.get('startTime', 0):6.0f} ms  "
                f"{short_url(str(item.get('url')), base)}"
            )


def measure(site: Path, runs: int, save: Path | None) -> None:
    exe = ensure_npm_package(LIGHTHOUSE, "lighthouse")
    pages = pages_in(site)
    results: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="storymap-lighthouse-") as tmp, serve(site) as url:
        reports = save or Path(tmp)
        reports.mkdir(parents=True, exist_ok=True)
        for _kind, page in pages:
            results[page] = []
            for n in range(runs):
                name = page.replace("/", "_").removesuffix(".html")
                report = reports / f"{name}.run{n + 1}.json"
                print(f"lighthouse {page} run {n + 1}/{runs}", file=sys.stderr, flush=True)
                results[page].append(run_lighthouse(exe, f"{url}/{page}", report))
        version = results[pages[0][1]][0].get("lighthouseVersion", "?")
        print(
            f"Lighthouse {version}, mobile, simulated throttling, {runs} runs per page; "
            "median (range)"
        )
        print(header("page"))
        for kind, page in pages:
            print(row(f"{page} [{kind}]", [figures(r) for r in results[page]]))
        print()
        print(header("kind (all runs of its pages)"))
        for kind in dict.fromkeys(k for k, _ in pages):
            runs_of_kind = [figures(r) for k, p in pages if k == kind for r in results[p]]
            print(row(kind, runs_of_kind))
        worst = min(
            (p for _, p in pages),
            key=lambda p: statistics.median(figures(r)["perf"] for r in results[p]),
        )
        where_time_goes(worst, median_run(results[worst]), url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="a built site (default: build one now)")
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page")
    parser.add_argument("--save", type=Path, help="keep the JSON reports in this folder")
    args = parser.parse_args()
    if not have_chromium():
        raise SystemExit(
            f"Error: Chromium not found at {CHROMIUM}: sudo apt-get install -y chromium"
        )
    if not shutil.which("node"):
        raise SystemExit(
            "Error: Node.js is needed for Lighthouse: sudo apt-get install -y nodejs npm"
        )
    if args.site:
        measure(args.site, args.runs, args.save)
        return
    from storymap.build import build
    from storymap.config import load_config

    with tempfile.TemporaryDirectory(prefix="storymap-lighthouse-site-") as tmp:
        # a copy of the project, so the repo's .storymap-cache/ and site/ are left alone
        config = make_project(Path(tmp) / "project", 1)
        site = Path(tmp) / "site"
        print("building the site from site_config.yml", file=sys.stderr, flush=True)
        build(load_config(config), site)
        measure(site, args.runs, args.save)


if __name__ == "__main__":
    main()
