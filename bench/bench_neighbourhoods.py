"""Neighbourhood maps: what they add to the data folder, the site and a page read cold.

Prints the bundled compact shapes' sizes, each borough's shared shape file (gzip bytes, the
heaviest first), the time to compute the neighbourhoods and write every ward and borough
section, and the heaviest ward and borough pages read cold (with what their shape files add).

    .venv/bin/python bench/bench_neighbourhoods.py [--site DIR]

Without --site it builds the site from site_config.yml into a temporary folder.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

from storymap.build import build, indicators  # noqa: E402
from storymap.config import load_config  # noqa: E402
from storymap.figures.geography import load_geography  # noqa: E402
from storymap.figures.neighbourhoods import compute_neighbourhoods  # noqa: E402
from storymap.output.weight import measure_site  # noqa: E402
from storymap.pages.maps.assets import palette_for  # noqa: E402
from storymap.pages.places.neighbourhoods import neighbourhood_pages  # noqa: E402
from storymap.pages.urls import slug  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--site", type=Path)
    args = parser.parse_args()
    config = load_config(REPO / "site_config.yml")
    for path in sorted((REPO / "data/boundaries").glob("*topo*.json")):
        print(f"data: {path.name}: {path.stat().st_size / 1e6:.2f} MB")
    folder = sum(p.stat().st_size for p in (REPO / "data").rglob("*") if p.is_file())
    print(f"data: folder {folder / 1e6:.1f} MB")

    geo = load_geography(config)
    results, _ = indicators(config, geo)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        slugs = {str(c): slug(str(n)) for c, n in geo.boroughs["name"].items()}
        pages = neighbourhood_pages(
            config,
            geo,
            results,
            compute_neighbourhoods(config, geo, results),
            Path(tmp),
            slugs,
            palette_for(config),
        )
        made = time.perf_counter() - start
        for ward in geo.wards.index:
            pages.ward_section(ward, "../../")
        for borough in geo.boroughs.index:
            pages.borough_section(borough, "../", lambda w: w)
        total = time.perf_counter() - start
        sizes = sorted(
            (
                (len(gzip.compress(p.read_bytes(), 6)), p.name)
                for p in (Path(tmp) / "assets/storymap/nb").glob("*.js")
            ),
            reverse=True,
        )
    print(
        f"time: neighbourhoods and shape files {made:.1f} s; with every page section {total:.1f} s"
    )
    print(
        "shape files (gzip): "
        + ", ".join(f"{n.split('.')[0]} {s / 1000:.1f} KB" for s, n in sizes[:5])
        + f"; smallest {sizes[-1][0] / 1000:.1f} KB; "
        f"all {sum(s for s, _ in sizes) / 1000:.0f} KB"
    )

    site = args.site
    if site is None:
        site = Path(tempfile.mkdtemp()) / "site"
        build(config, site)
    weights = measure_site(site)
    for kind in ("ward", "borough"):
        heaviest = max((w for w in weights if w.kind == kind), key=lambda w: w.cold)
        shapes = sum(s for f, s in heaviest.files.items() if "/nb/" in f or "neighbourhoods" in f)
        print(
            f"{kind}: heaviest {heaviest.page} {heaviest.cold / 1000:.1f} KB cold "
            f"(budget {getattr(config.budgets, kind + '_kb')} KB), of which neighbourhood "
            f"shapes and script {shapes / 1000:.1f} KB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
