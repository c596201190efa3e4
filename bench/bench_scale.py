"""How the build and the site grow with the area: N copies of London, built and measured.

    .venv/bin/python bench/bench_scale.py --copies 1 10

For each N it writes a fresh project of N Londons (bench/copies.py: unique codes, names with the
copy's number, geometry side by side, figures perturbed), builds it cold with the CLI in a
subprocess (`python -m storymap build`), serves the output gzip-compressed from 127.0.0.1 and
measures it in headless Chromium. It prints one line per N on stdout:

    copies=N wards=W build_s=... peak_mib=... output_mb=... chapter_kb=... ward_kb=...
    search_query_kb=... step_ms=...

- build_s: wall time of the build subprocess; peak_mib: its peak memory in MiB: the larger of
  the largest resident size of any one of its processes (wait4's rusage) and the largest sum of
  the PSS of all of them at once (the build's second process included, shared pages counted
  once; sampled from /proc every 0.1 s); output_mb: bytes of the output folder / 1e6.
- chapter_kb: the heaviest story chapter (the pages of `chapters:` in the config) opened cold in
  Chromium: encoded (gzip) body bytes of every response until the network is quiet, KB of 1,000.
- ward_kb: the same for the heaviest ward page. Every ward page is weighed statically (its HTML
  and each script, stylesheet and non-lazy image it names, gzip-compressed), then the heaviest by
  that measure and the largest HTML files are opened in Chromium; the figure is Chromium's.
- search_query_kb: bytes fetched from the first keystroke of a query ("kilburn") in the header's
  search box until results show and the network is quiet, on a page opened cold. It counts every
  response, so it follows the search wherever its index lives.
- step_ms: a story step change with the CPU slowed 4x (CDP Emulation.setCPUThrottlingRate): from
  step.focus() to two animation frames after the step has class is-active; the median over two
  passes through every step of the chapter with the most steps (a phone-sized window).

Progress and details (what the heaviest chapter loads, the ward sample, the step times) go to
stderr. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import (  # noqa: E402
    TreeMemory,
    chromium_bytes,
    have_chromium,
    launch_chromium,
    new_context,
    open_quiet,
    serve,
    static_weight,
)
from copies import make_project  # noqa: E402

QUERY = "kilburn"
CPU_SLOWDOWN = 4
PHONE = {"width": 412, "height": 823}
DESKTOP = {"width": 1280, "height": 900}
STEP_PASSES = 2  # times through the chapter's steps
WARD_SAMPLE = 4  # heaviest ward pages (static measure) opened in Chromium, plus the largest HTML


def log(*parts) -> None:
    print(*parts, file=sys.stderr, flush=True)


def chapter_pages(config_path: Path, site: Path) -> list[str]:
    """Site paths of the story chapters (the config's `chapters:`), as the site names them."""
    from storymap.config import load_config

    config = load_config(config_path)
    pages = []
    for chapter in config.chapters:
        slug = getattr(chapter, "slug", None)
        if not slug:
            stem = re.sub(r"^\d+[-_]", "", Path(chapter.file).stem)
            slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "chapter"
        page = f"{slug}.html"
        if not (site / page).is_file():
            raise SystemExit(f"Error: chapter {chapter.file} has no page {page} in {site}.")
        pages.append(page)
    return pages


def run_build(project: Path, config: Path, out: Path) -> tuple[float, float]:
    """Build with the CLI in a subprocess; returns (wall seconds, peak RSS MiB)."""
    log_path = project / "build.log"
    load_before = os.getloadavg()[0]
    with log_path.open("w", encoding="utf-8") as log_file:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "storymap", "build", "--config", str(config), "--out", str(out)],
            cwd=project,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        tree = TreeMemory(proc.pid)
        _, status, usage = os.wait4(proc.pid, 0)
        tree_mib = tree.stop()
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        log(log_path.read_text(encoding="utf-8")[-4000:])
        raise SystemExit(f"Error: the build of {config} failed (exit {proc.returncode}).")
    log("  " + log_path.read_text(encoding="utf-8").strip().replace("\n", "\n  "))
    log(
        f"  build: {seconds:.1f} s wall, {usage.ru_utime + usage.ru_stime:.1f} s CPU "
        f"(user+sys); load average before {load_before:.2f}, after {os.getloadavg()[0]:.2f} "
        f"on {os.cpu_count()} CPUs"
    )
    largest = usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux
    log(
        f"  memory: largest single process {largest:.0f} MiB; all processes together (PSS, "
        f"sampled every 0.1 s) {tree_mib:.0f} MiB"
    )
    return seconds, max(largest, tree_mib)


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def short(url: str, base: str) -> str:
    return url.removeprefix(base + "/")


def heaviest_chapter(browser, url: str, pages: list[str]) -> float:
    weights = {page: chromium_bytes(browser, f"{url}/{page}", DESKTOP) for page in pages}
    for page, sizes in weights.items():
        log(f"  chapter {page}: {sum(sizes.values()) / 1000:.1f} KB in {len(sizes)} responses")
    page, sizes = max(weights.items(), key=lambda kv: sum(kv[1].values()))
    log(f"  heaviest chapter {page}:")
    for u, n in sorted(sizes.items(), key=lambda kv: -kv[1]):
        log(f"    {n / 1000:8.1f} KB  {short(u, url)}")
    return sum(sizes.values()) / 1000


def heaviest_ward(browser, url: str, site: Path) -> float:
    start = time.perf_counter()
    wards = sorted(p.relative_to(site).as_posix() for p in (site / "wards").rglob("*.html"))
    static = {w: sum(static_weight(site, w).values()) for w in wards}
    by_weight = sorted(wards, key=lambda w: -static[w])
    by_html = sorted(wards, key=lambda w: -(site / w).stat().st_size)
    sample = list(dict.fromkeys(by_weight[:WARD_SAMPLE] + by_html[:2]))
    log(
        f"  {len(wards)} ward pages weighed statically in {time.perf_counter() - start:.1f} s: "
        f"{min(static.values()) / 1000:.1f}-{max(static.values()) / 1000:.1f} KB, "
        f"median {statistics.median(static.values()) / 1000:.1f} KB"
    )
    measured = {}
    for ward in sample:
        sizes = chromium_bytes(browser, f"{url}/{ward}", DESKTOP)
        measured[ward] = sum(sizes.values())
        log(
            f"  ward {ward}: Chromium {measured[ward] / 1000:.1f} KB, "
            f"static {static[ward] / 1000:.1f} KB, HTML {(site / ward).stat().st_size / 1e3:.0f} "
            "kB raw"
        )
    return max(measured.values()) / 1000


def search_query(browser, url: str, query: str = QUERY) -> float:
    context = new_context(browser, DESKTOP)
    try:
        page, network = open_quiet(context, f"{url}/index.html")
        box = page.locator("#site-search-input")
        box.wait_for(state="visible")
        network.reset()
        start = time.perf_counter()
        box.click()
        box.press_sequentially(query, delay=40)
        page.wait_for_function(
            "() => document.querySelector('#site-search-results').children.length > 0",
        )
        network.wait_quiet()
        shown = page.locator("#site-search-results > *").count()
        status = page.locator("#site-search-status").inner_text()
        sizes = network.sizes()
        log(
            f"  search '{query}': {shown} results shown ({status!r}) after "
            f"{time.perf_counter() - start:.2f} s; fetched "
            + ", ".join(f"{short(u, url)} {n / 1000:.1f} KB" for u, n in sizes.items())
        )
        return sum(sizes.values()) / 1000
    finally:
        context.close()


STEP_JS = """async (i) => {
  const step = document.querySelectorAll('.storymap-scrolly .storymap-step')[i];
  const start = performance.now();
  step.focus();
  if (!step.classList.contains('is-active')) {
    await new Promise((resolve, reject) => {
      const seen = new MutationObserver(() => {
        if (step.classList.contains('is-active')) { seen.disconnect(); resolve(); }
      });
      seen.observe(step, {attributes: true, attributeFilter: ['class']});
      setTimeout(() => reject(new Error('step ' + i + ' never became active')), 60000);
    });
  }
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  return performance.now() - start;
}"""


def step_times(browser, url: str, site: Path, pages: list[str]) -> list[float]:
    def steps(page: str) -> int:
        return (site / page).read_text(encoding="utf-8").count('class="storymap-step"')

    chapter = max(pages, key=steps)
    context = new_context(browser, PHONE)
    try:
        page, _ = open_quiet(context, f"{url}/{chapter}")
        page.wait_for_selector(".storymap-scrolly .storymap-step.is-active", state="attached")
        count = page.locator(".storymap-scrolly .storymap-step").count()
        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        page.wait_for_timeout(1000)
        times = []
        for i in [*range(1, count), 0] * STEP_PASSES:  # every step, then back to the first
            times.append(page.evaluate(STEP_JS, i))
            page.wait_for_timeout(800)  # let the map's fly-to settle
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
        log(
            f"  steps of {chapter} ({count}), CPU {CPU_SLOWDOWN}x slower: "
            + ", ".join(f"{t:.0f}" for t in times)
            + f" ms (load average {os.getloadavg()[0]:.2f})"
        )
        return times
    finally:
        context.close()


def measure(copies: int, keep: Path | None) -> str:
    with tempfile.TemporaryDirectory(prefix=f"storymap-scale-{copies}-") as tmp:
        root = keep / f"copies-{copies}" if keep else Path(tmp)
        project = root / "project"
        log(f"copies={copies}: writing the project")
        config = make_project(project, copies)
        out = root / "site"
        log(f"copies={copies}: building (cold)")
        build_s, peak_mib = run_build(project, config, out)
        wards = sum(1 for _ in (out / "wards").rglob("*.html"))
        output_mb = folder_bytes(out) / 1e6
        pages = chapter_pages(config, out)
        from playwright.sync_api import sync_playwright

        with serve(out) as url, sync_playwright() as p:
            browser = launch_chromium(p)
            try:
                log(f"copies={copies}: measuring in Chromium")
                chapter_kb = heaviest_chapter(browser, url, pages)
                ward_kb = heaviest_ward(browser, url, out)
                search_kb = search_query(browser, url)
                step_ms = statistics.median(step_times(browser, url, out, pages))
            finally:
                browser.close()
    return (
        f"copies={copies} wards={wards} build_s={build_s:.1f} peak_mib={peak_mib:.0f} "
        f"output_mb={output_mb:.1f} chapter_kb={chapter_kb:.1f} ward_kb={ward_kb:.1f} "
        f"search_query_kb={search_kb:.1f} step_ms={step_ms:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--copies",
        type=int,
        nargs="+",
        default=[1, 10],
        help="numbers of Londons to build, e.g. 1 10 (default)",
    )
    parser.add_argument(
        "--keep", type=Path, help="write each project and site under this folder and keep them"
    )
    args = parser.parse_args()
    if not have_chromium():
        raise SystemExit("Error: Chromium not found; install it: sudo apt-get install -y chromium")
    log(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs (other work slows it)")
    for copies in args.copies:
        if copies < 1:
            raise SystemExit("Error: --copies takes whole numbers from 1.")
        print(measure(copies, args.keep), flush=True)


if __name__ == "__main__":
    main()
