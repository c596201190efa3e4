"""Bytes a reader downloads to read the whole story cold, against the default Folium way.

storymap: the site is built from the bundled data and every story page (home, then each chapter in
order) is opened in headless Chromium in one browser context, so shared assets are fetched once as a
real reader's cache would keep them. Every response the pages load is counted gzip-compressed.

Folium default: the same maps, one `folium.Choropleth` per map view (per step, and per directive
map), each saved as its own HTML file the way Folium does it (the ward GeoJSON embedded in every
file), plus the CDN assets that saved HTML loads (counted once, gzip-compressed). The CDN files are
not reachable from here, so the same versions are taken from the npm registry (`npm pack`) into
bench/.cache/; any that cannot be had are listed and counted as 0 bytes, which flatters Folium.

Prints both totals and the ratio; the target is storymap under a third of the Folium default.
Also prints the gzip bytes of the map files (storymap/pages/mapfiles.py: the index, the overview
of the shapes, one file per indicator, the wards' codes and names) and storymap.js, which
decodes them.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

CACHE = ROOT / "bench" / ".cache"
# Folium 0.20's default CDN assets and branca's d3 (legend), as npm package + file in it.
CDN_FILES = [
    ("leaflet@1.9.3", "package/dist/leaflet.js"),
    ("leaflet@1.9.3", "package/dist/leaflet.css"),
    ("jquery@3.7.1", "package/dist/jquery.min.js"),
    ("bootstrap@5.2.2", "package/dist/js/bootstrap.bundle.min.js"),
    ("bootstrap@5.2.2", "package/dist/css/bootstrap.min.css"),
    ("@fortawesome/fontawesome-free@6.2.0", "package/css/all.min.css"),
    ("leaflet.awesome-markers@2.0.5", "package/dist/leaflet.awesome-markers.js"),
    ("leaflet.awesome-markers@2.0.5", "package/dist/leaflet.awesome-markers.css"),
    ("d3@3.5.5", "package/d3.min.js"),
]
NOT_ON_NPM = ["bootstrap-glyphicons.css (bootstrapcdn 3.0.0)", "leaflet.awesome.rotate.min.css"]


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def cdn_bytes() -> tuple[int, list[str]]:
    CACHE.mkdir(parents=True, exist_ok=True)
    total, missing = 0, list(NOT_ON_NPM)
    for package, member in CDN_FILES:
        name = package.lstrip("@").replace("/", "-").replace("@", "-") + ".tgz"
        tgz = CACHE / name
        if not tgz.exists():
            done = subprocess.run(
                ["npm", "pack", "--silent", package], cwd=CACHE, capture_output=True, text=True
            )
            if done.returncode != 0 or not tgz.exists():
                missing.append(f"{package}/{member}")
                continue
        with tarfile.open(tgz) as tar:
            try:
                total += gz(tar.extractfile(member).read())
            except (KeyError, AttributeError):
                missing.append(f"{package}/{member}")
    return total, missing


def storymap_bytes(site: Path, pages: list[str]) -> tuple[int, dict[str, int]]:
    from conftest import CHROMIUM, CHROMIUM_ARGS, serve_folder
    from playwright.sync_api import sync_playwright

    server, url = serve_folder(site)
    seen: dict[str, int] = {}
    per_page: dict[str, int] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        loaded: list[str] = []
        page.on("requestfinished", lambda r: loaded.append(r.url))
        for name in pages:
            before = sum(seen.values())
            loaded.clear()
            page.goto(f"{url}/{name}", wait_until="networkidle")
            steps = page.locator(".storymap-step").count()
            for i in range(steps):  # read to the end: every step becomes active
                page.locator(".storymap-step").nth(i).scroll_into_view_if_needed()
                page.wait_for_timeout(150)
            page.wait_for_load_state("networkidle")
            for u in loaded:
                path = urlparse(u).path.lstrip("/") or "index.html"
                if u not in seen and (site / path).is_file():
                    seen[u] = gz((site / path).read_bytes())
            per_page[name] = sum(seen.values()) - before
        browser.close()
    server.shutdown()
    return sum(seen.values()), per_page


def map_script_bytes(site: Path) -> dict[str, int]:
    folder = site / "assets" / "storymap"
    files = [*sorted((folder / "map").glob("*.json")), folder / "storymap.js"]
    sizes = {path.name: gz(path.read_bytes()) for path in files}
    sizes["map files"] = sum(n for name, n in sizes.items() if name != "storymap.js")
    return sizes


def folium_default_bytes(config, geo, results, views: list[tuple[str, str | None]]) -> int:
    """Sum of gzip(saved HTML) for one default folium.Choropleth per map view."""
    import folium

    wards = geo.wards.reset_index()[["code", "name", "geometry"]]
    geojson = json.loads(wards.to_json())
    total = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, (indicator, _focus) in enumerate(views):
            values = results[indicator].wards["value"].reset_index()
            m = folium.Map(location=[51.49, -0.11], zoom_start=10)
            folium.Choropleth(
                geo_data=geojson,
                data=values,
                columns=["code", "value"],
                key_on="feature.properties.code",
                fill_color="YlGnBu",
                legend_name=results[indicator].spec.label,
            ).add_to(m)
            out = Path(tmp) / f"map{i}.html"
            m.save(str(out))
            total += gz(out.read_bytes())
    return total


def main() -> None:
    from storymap.build import build, indicators
    from storymap.config import chapter_slug, load_config
    from storymap.figures.geography import load_geography
    from storymap.pages.story.chapters import ChapterContext, render_chapter

    config = load_config(ROOT / "site_config.yml")
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        build(config, site)
        pages = ["index.html"] + [f"{chapter_slug(ch)}.html" for ch in config.chapters]
        ours, per_page = storymap_bytes(site, pages)
        scripts = map_script_bytes(site)

    geo = load_geography(config)
    results, index = indicators(config, geo)  # the chapters use the index too
    views: list[tuple[str, str | None]] = []
    for slug, file in [("index", config.home)] + [
        (chapter_slug(c), c.file) for c in config.chapters
    ]:
        ctx = ChapterContext(config, geo, results, None, slug=slug, index=index)
        render_chapter(config, file, ctx, extra={"chapters": []})
        views += ctx.views  # one view per story step
        views += [(m.indicator, m.focus) for m in ctx.maps if not m.map_id.endswith("_story")]
    folium_maps = folium_default_bytes(config, geo, results, views)
    cdn, missing = cdn_bytes()
    theirs = folium_maps + cdn

    print("Shared map scripts (gzip):")
    for name, n in scripts.items():
        print(f"  {name:40s} {n / 1024:8.1f} KiB  ({n:,} bytes)")
    print("Bytes to read the whole story cold (gzip), shared assets fetched once:")
    for name, n in per_page.items():
        print(f"  {name:40s} {n / 1024:8.1f} KiB")
    print(f"storymap total:                          {ours / 1024:8.1f} KiB")
    print(
        f"Folium default: {len(views)} maps, saved HTML {folium_maps / 1024:.1f} KiB "
        f"+ CDN assets {cdn / 1024:.1f} KiB = {theirs / 1024:.1f} KiB"
    )
    if missing:
        print(f"  (not measured, counted as 0: {', '.join(missing)})")
    print(f"ratio storymap / Folium default: {ours / theirs:.3f} (target < 0.333)")


if __name__ == "__main__":
    main()
