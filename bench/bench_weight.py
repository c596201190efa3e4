"""Page weight and load time on a slow phone.

Prints every page's weight (gzip bytes of the page and all it loads, cold and with the shared
files cached, and the search index loaded on demand), then loads one page of each kind in
headless Debian Chromium with the CPU slowed 4x (CDP Emulation.setCPUThrottlingRate) and a slow
4G network (150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up), served gzip-compressed from
127.0.0.1: cold (empty cache), and warm (after reading another page, whose files stay cached).

    .venv/bin/python bench/bench_weight.py [--site DIR] [--all]

Without --site it builds the site from site_config.yml into a temporary folder.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from benchlib import CHROMIUM, CHROMIUM_ARGS, start_server  # noqa: E402

from storymap.build import build  # noqa: E402
from storymap.config import load_config  # noqa: E402
from storymap.output.weight import measure_site  # noqa: E402

NETWORK = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1_600_000 / 8,
    "uploadThroughput": 750_000 / 8,
}
CPU_SLOWDOWN = 4
KINDS = [
    ("home", "index.html"),
    ("chapter", "introduction.html"),
    ("next chapter", "where-older-londoners-live.html"),
    ("method", "method.html"),
    ("data checks", "data-checks.html"),
    ("ward", "wards/camden/E05013660.html"),
    ("borough", "boroughs/camden.html"),
    ("about", "about-the-data.html"),
]


def print_weights(site: Path, show_all: bool) -> None:
    weights = measure_site(site)
    by_page = {w.page: w for w in weights}
    print(f"{'page':44} {'kind':9} {'cold KB':>8} {'warm KB':>8} {'search KB':>9}")
    rows = weights if show_all else [by_page[p] for _, p in KINDS if p in by_page]
    for w in rows:
        search = sum(w.on_demand.values())
        print(
            f"{w.page:44} {w.kind:9} {w.cold / 1000:8.1f} {w.warm / 1000:8.1f} {search / 1000:9.1f}"
        )
    for kind in ("map page", "page", "ward", "borough"):
        group = [w for w in weights if w.kind == kind]
        if group:
            print(
                f"  {kind:9} {len(group):4} pages: cold {min(w.cold for w in group) / 1000:.1f}"
                f"-{max(w.cold for w in group) / 1000:.1f} KB, warm at most "
                f"{max(w.warm for w in group) / 1000:.1f} KB"
            )
    heaviest = max(weights, key=lambda w: w.cold)
    print(
        f"  heaviest {heaviest.page}: "
        + ", ".join(f"{k} {v / 1000:.1f} KB" for k, v in heaviest.by_type().items())
    )


def timed_load(page, url: str) -> dict[str, float]:
    start = time.perf_counter()
    page.goto(url, wait_until="load")
    loaded = time.perf_counter() - start
    drawn = None
    if page.locator(".storymap-leaflet").count():
        page.wait_for_selector(".storymap-leaflet[data-drawn]", timeout=120_000)
        drawn = time.perf_counter() - start
    nav = page.evaluate(
        "() => { const n = performance.getEntriesByType('navigation')[0];"
        " return {dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd}; }"
    )
    return {"load": loaded, "map": drawn, "dcl": nav["dcl"] / 1000}


def print_times(site: Path) -> None:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        print(f"(no load times: {CHROMIUM} not found; sudo apt-get install -y chromium)")
        return
    server, url = start_server(site)
    print(f"\nload times, CPU slowed {CPU_SLOWDOWN}x, 150 ms RTT, 1.6 Mbit/s down (gzip served):")
    print(f"{'page':18} {'state':5} {'DOMContentLoaded':>16} {'load':>7} {'map drawn':>9}")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for kind, path in KINDS:
                if not (site / path).is_file():
                    continue
                before = "introduction.html" if path != "introduction.html" else "index.html"
                for state, visits in (("cold", [path]), ("warm", [before, path])):
                    context = browser.new_context(viewport={"width": 412, "height": 823})
                    page = context.new_page()
                    cdp = context.new_cdp_session(page)
                    cdp.send("Network.enable")
                    cdp.send("Network.emulateNetworkConditions", NETWORK)
                    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
                    for target in visits:  # the last visit is timed
                        t = timed_load(page, f"{url}/{target}")
                    drawn = f"{t['map']:8.2f}s" if t["map"] is not None else "        -"
                    print(f"{kind:18} {state:5} {t['dcl']:15.2f}s {t['load']:6.2f}s {drawn}")
                    context.close()
            browser.close()
    finally:
        server.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="a built site (default: build one now)")
    parser.add_argument("--all", action="store_true", help="print every page, not one per kind")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site
        if site is None:
            site = Path(tmp) / "site"
            build(load_config(REPO / "site_config.yml"), site)
        print_weights(site, args.all)
        print_times(site)


if __name__ == "__main__":
    main()
