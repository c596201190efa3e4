"""Nearest help: the time to find every London postcode's nearest help point, and a few figures.

Prints the time of the nearest-help computation for all postcodes of the area (KD-tree over the
help points, queried with every postcode at once; target under 2 s), best of five, the time to
read and check the help points, and figures computed from the result: wards whose median
straight-line distance is beyond help.walk_m, wards in the highest-risk fifth on the over-65
index among them, and the library closures 2010-2023 (per borough, and in high-risk wards).

    .venv/bin/python bench/bench_help.py
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

from storymap.build import indicators  # noqa: E402
from storymap.config import load_config  # noqa: E402
from storymap.figures.geography import load_geography  # noqa: E402
from storymap.figures.help import closures_by_borough, compute_help  # noqa: E402
from storymap.figures.helppoints import read_help_points, read_postcodes  # noqa: E402

TARGET_S = 2.0


def main() -> int:
    config = load_config(REPO / "site_config.yml")
    geo = load_geography(config)
    _results, index = indicators(config, geo)
    t0 = time.perf_counter()
    postcodes = read_postcodes(config, geo.wards)
    points = read_help_points(config, geo, postcodes)
    read_s = time.perf_counter() - t0
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        result = compute_help(config, geo, index, points, postcodes)
        times.append(time.perf_counter() - t0)
    best = min(times)
    n = len(result.postcodes)
    print(f"help points: {len(points)}; postcodes: {n:,}; wards: {len(result.wards)}")
    print(f"read and check help points (with the postcode table): {read_s:.2f} s")
    flag = "OK" if best < TARGET_S else "OVER"
    print(f"nearest help for all {n:,} postcodes, ward figures, closures: {best:.3f} s "
          f"(best of 5; target < {TARGET_S:g} s) {flag}")  # fmt: skip
    walk = result.walk_m
    far = result.wards[result.wards["median_m"] > walk]
    print(f"wards whose median straight-line distance is beyond {walk:g} m: {len(far)}")
    if index is not None:
        ranks = index.result.wards["rank"]
        top = ranks[ranks <= math.ceil(len(ranks) * result.top_share)].index
        both = far.index.intersection(top)
        print(
            f"  of them in the highest-risk {result.top_share:g} of wards on the index: {len(both)}"
        )
    d = result.postcodes["distance_m"]
    print(
        f"postcodes beyond {walk:g} m: {(d > walk).mean():.1%}; median distance {d.median():.0f} m"
    )
    closed = result.closed[result.closed["in_area"]]
    print(f"library closures 2010-2023 in the area: {len(closed)}")
    print("  per borough: " + ", ".join(f"{b} {c}" for b, c in closures_by_borough(result).items()))
    hot = closed[closed["top_risk"]]
    print(f"  in today's highest-risk wards: {len(hot)}: " + "; ".join(hot["name"]))
    return 0 if best < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
