"""Which search engine: storymap's own place matching against Pagefind and MiniSearch.

For the queries readers type (three typos from the issue, a swap, a missing letter, a word
start), in headless Debian Chromium against the built site served gzip-compressed from
127.0.0.1, prints for each engine whether the first result is the place meant and the bytes
downloaded (encoded body sizes plus headers, fresh cache per query):

- storymap: the site as built (search.js, the page index and one place file);
- Pagefind (pip ``pagefind[bin]``, run here on a copy of the site; needs ``pip install
  'pagefind[bin]'``, skipped without it): its own index of every page, ``pagefind.search`` and
  the first result's data;
- MiniSearch (its npm package, packed into a temporary folder with ``npm pack``; skipped
  without npm): one index of every place (as the site's place files hold them) with
  ``fuzzy: 0.2, prefix: true``, the library file as the package ships it.

Nothing is copied into the project: Pagefind's bundle and MiniSearch's package live in a
temporary folder for the run only.

    .venv/bin/python bench/bench_search_engines.py [--site DIR]
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "bench"))

from bench_find import fetched, site_from_args  # noqa: E402
from bench_weight import serve  # noqa: E402
from conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

QUERIES = [
    ("Kilbern", "Kilburn"),
    ("Westminister", "Westminster"),
    ("Rotherhythe", "Rotherhithe"),
    ("Kilbrun", "Kilburn"),
    ("Camdn Town", "Camden Town"),
    ("pancras", "St Pancras & Somers Town"),
]
BLANK = "<!doctype html><meta charset=utf-8><title>bench</title>"


def body_bytes(page, run) -> int:
    seen: list = []

    def note(response) -> None:
        seen.append(response)

    page.on("response", note)
    run()
    page.wait_for_timeout(300)
    page.remove_listener("response", note)
    return sum(
        r.request.sizes()["responseBodySize"] + r.request.sizes()["responseHeadersSize"]
        for r in seen
    )


def page_rows(browser, base: str, ask: str, check) -> list[tuple[str, bool, int]]:
    """Each query run by the page script ``ask`` (an async function of the query returning the
    first result's name) on a blank page of the site, fresh cache each; ``check(name, want)``."""
    rows = []
    for query, want in QUERIES:
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{base}/bench-blank.html")
        names: list[str] = []
        size = body_bytes(
            page,
            lambda page=page, query=query, names=names: names.extend(page.evaluate(ask, query)),
        )
        rows.append((query, bool(names) and check(names[0], want), size))
        context.close()
    return rows


def storymap_rows(browser, base: str) -> list[tuple[str, bool, int]]:
    rows = []
    for query, want in QUERIES:
        context = browser.new_context()
        page = context.new_page()
        size, _ = fetched(page, f"{base}/method.html", query)
        first = page.locator("#site-search-results a").first
        rows.append((query, first.count() > 0 and first.inner_text() == want, size))
        context.close()
    return rows


def pagefind_rows(browser, base: str, site: Path) -> list[tuple[str, bool, int]] | str:
    done = subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(site)], capture_output=True, text=True
    )
    if done.returncode != 0:
        return "pagefind not installed (pip install 'pagefind[bin]')"
    (site / "bench-blank.html").write_text(BLANK)
    return page_rows(
        browser,
        base,
        """async (q) => {
        const pf = await import('/pagefind/pagefind.js');
        const found = await pf.search(q);
        const data = await Promise.all(found.results.slice(0, 1).map(r => r.data()));
        return data.map(d => d.meta.title); }""",
        lambda got, want: got.startswith(want),
    )


def minisearch_rows(browser, base: str, site: Path) -> list[tuple[str, bool, int]] | str:
    npm = shutil.which("npm")
    if not npm:
        return "npm not found"
    work = Path(tempfile.mkdtemp())
    done = subprocess.run(
        [npm, "pack", "minisearch@7", "--pack-destination", str(work)],
        capture_output=True,
        text=True,
        cwd=work,
    )
    if done.returncode != 0:
        return f"npm pack minisearch failed: {done.stderr.strip()[:200]}"
    with tarfile.open(next(work.glob("minisearch-*.tgz"))) as tar:
        tar.extractall(work, filter="data")
    shutil.copy(work / "package/dist/umd/index.js", site / "bench-minisearch.js")
    places = {}
    for path in (site / "search/places").glob("*.json"):
        for e in json.loads(path.read_text("utf-8"))["places"]:
            places[e[3]] = {"id": e[3], "name": e[1], "borough": e[2], "kind": e[0]}
    (site / "bench-places.json").write_text(json.dumps(list(places.values())))
    (site / "bench-blank.html").write_text(BLANK)
    return page_rows(
        browser,
        base,
        """async (q) => {
        await new Promise((ok, fail) => { const s = document.createElement('script');
          s.src = 'bench-minisearch.js'; s.onload = ok; s.onerror = fail;
          document.head.appendChild(s); });
        const docs = await (await fetch('bench-places.json')).json();
        const ms = new MiniSearch({fields: ['name'], storeFields: ['name', 'kind'],
          searchOptions: {fuzzy: 0.2, prefix: true}});
        ms.addAll(docs);
        return ms.search(q).slice(0, 1).map(r => r.name); }""",
        lambda got, want: got == want,
    )


def main() -> None:
    built = site_from_args(__doc__)
    site = Path(tempfile.mkdtemp()) / "site"
    shutil.copytree(built, site)  # Pagefind and MiniSearch files go in this copy only
    from playwright.sync_api import sync_playwright

    server, base = serve(site)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            engines = {
                "storymap": storymap_rows(browser, base),
                "Pagefind": pagefind_rows(browser, base, site),
                "MiniSearch": minisearch_rows(browser, base, site),
            }
            browser.close()
    finally:
        server.shutdown()
    for name, rows in engines.items():
        print(f"\n{name}:")
        if isinstance(rows, str):
            print(f"  skipped: {rows}")
            continue
        for query, right, size in rows:
            print(
                f"  {query!r:16} {'first result right' if right else 'MISSED':18} "
                f"{size / 1000:6.1f} KB"
            )
        found = sum(r[1] for r in rows)
        print(
            f"  {found} of {len(rows)} found first; largest {max(r[2] for r in rows) / 1000:.1f}"
            f" KB per query"
        )


if __name__ == "__main__":
    main()
