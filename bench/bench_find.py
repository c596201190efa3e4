"""Bytes a reader downloads to search: per postcode search and per name search.

Serves the built site gzip-compressed from 127.0.0.1 (as bench_weight.py does), opens a page in
headless Debian Chromium, and for each query counts the bytes of every response fetched after
the page had loaded (Playwright's encoded response body sizes plus headers): a name search
fetches the page index and one place file, a postcode search the outward-code list and one
outward-code file. Each query runs in a fresh browser context (nothing cached), then the same
queries again in one context (what a second search costs).

It also prints an estimate for a site ten times London's size (6,800 wards): the place files
rebuilt with ten renamed copies of every ward (a new code, and a name changed by a letter so
gzip gains nothing from repeats) and measured gzip-compressed. The page index does not grow
with the number of wards.

    .venv/bin/python bench/bench_find.py [--site DIR]

Without --site it builds the site from site_config.yml into a temporary folder.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "bench"))

from benchlib import start_server  # noqa: E402
from conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

from storymap.build import build  # noqa: E402
from storymap.config import load_config  # noqa: E402
from storymap.pages.places.search import fold, shard_keys  # noqa: E402

POSTCODES = ["NW6 7TA", "sw1a1aa", "SE1 7PB", "e1 6an", "BR1 1AA", "M1 1AE", "NW6 9ZZ"]
NAMES = ["Kilbern", "Westminister", "Rotherhythe", "st pancras", "camden", "Southwark"]


def fetched(page, url: str, query: str) -> tuple[int, list[str]]:
    """Bytes and files fetched for one query typed into the search box of the page at ``url``."""
    if page.url != url:
        page.goto(url)
        page.wait_for_load_state("load")
    seen: list = []

    def note(response) -> None:
        seen.append(response)

    page.on("response", note)
    page.fill("#site-search-input", query)
    page.wait_for_function(
        "() => { const s = document.querySelector('#site-search-status').textContent;"
        " return s && !s.startsWith('Searching') && !s.startsWith('Loading'); }"
    )
    page.wait_for_timeout(300)
    page.remove_listener("response", note)
    total, files = 0, []
    for response in seen:
        sizes = response.request.sizes()
        total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        files.append(response.url.rsplit("/", 2)[-1])
    return total, files


def print_browser(site: Path) -> None:
    from playwright.sync_api import sync_playwright

    server, base = start_server(site)
    url = f"{base}/method.html"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for label, queries in (("postcode search", POSTCODES), ("name search", NAMES)):
                print(f"\n{label} (bytes over the wire, gzip, fresh cache each):")
                sizes = []
                for q in queries:
                    context = browser.new_context()
                    size, files = fetched(context.new_page(), url, q)
                    context.close()
                    sizes.append(size)
                    print(f"  {q!r:16} {size / 1000:6.1f} KB  {', '.join(files)}")
                mean = sum(sizes) / len(sizes)
                print(f"  largest {max(sizes) / 1000:.1f} KB, mean {mean / 1000:.1f} KB")
                context = browser.new_context()
                page = context.new_page()
                fetched(page, url, queries[0])
                later = [fetched(page, url, q)[0] for q in queries[1:]]
                context.close()
                print(f"  later searches in the same visit: largest {max(later) / 1000:.1f} KB")
            browser.close()
    finally:
        server.shutdown()


def print_scaled(site: Path, times: int = 10) -> None:
    """gzip bytes of the largest place file and the page index at ``times`` x the wards."""
    rng = random.Random(1)
    entries: dict[str, list] = {}
    for path in (site / "search/places").glob("*.json"):
        for e in json.loads(path.read_text("utf-8"))["places"]:
            entries[e[3]] = e
    grown: dict[str, list] = {}
    for e in entries.values():
        for k in range(times):
            name = e[1]
            if k:
                i = rng.randrange(1, len(name))
                name = name[:i] + rng.choice("aeioulnrst") + name[i + 1 :]
            copy = [
                e[0],
                name,
                f"{e[2]} {k}" if k else e[2],
                e[3].replace(".html", f"{k}.html") if k else e[3],
                e[4],
            ]
            for key in shard_keys(copy):
                grown.setdefault(key, []).append(copy)
    sizes = {
        k: len(
            gzip.compress(
                json.dumps({"places": v}, separators=(",", ":"), ensure_ascii=False).encode(), 6
            )
        )
        for k, v in grown.items()
    }
    index = len(gzip.compress((site / "search/search_index.json").read_bytes(), 6))
    key = max(sizes, key=sizes.get)
    print(
        f"\nestimate at {times}x the wards ({len(entries) * times:,} places): largest place "
        f"file '{key}' {sizes[key] / 1000:.1f} KB gzip + page index {index / 1000:.1f} KB = "
        f"{(sizes[key] + index) / 1000:.1f} KB for the heaviest name search "
        f"(check: {fold('Kilburn')!r} keys {sorted(shard_keys([0, 'Kilburn', '', '', '']))})"
    )


def site_from_args(doc: str) -> Path:
    """The --site folder, or the site built from site_config.yml into a temporary folder."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--site", type=Path)
    site = parser.parse_args().site
    if site is None:
        site = Path(tempfile.mkdtemp()) / "site"
        build(load_config(REPO / "site_config.yml"), site)
    return site


def main() -> None:
    site = site_from_args(__doc__)
    print_browser(site)
    print_scaled(site)


if __name__ == "__main__":
    main()
