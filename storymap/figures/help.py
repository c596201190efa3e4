"""Help points (public libraries and the team's own) and the straight-line distance to help.

In: the Config (``help:``), the Geography and, for closures in high-risk wards, the over-65 index.
Out: :func:`read_help_points`, every help point the build uses (checked: one ``Error:`` block for
a bad team file), :func:`compute_help`, a :class:`HelpResult` with each postcode's distance to its
nearest help point, per-ward figures (median distance, share of postcodes beyond ``help.walk_m``,
the three nearest points) and the library closures 2010–2023; :func:`nearest_points`, the nearest
help points of any position.

Distances are straight lines in metres on the British National Grid (EPSG:27700), found with a
KD-tree (scipy), never a Python loop over postcodes. A ward's three nearest points are measured
from the mean position of its postcodes (where its addresses are, not its shape's centre). A site
of a few boroughs uses every bundled library as a candidate, inside its area and out, and records
where a postcode's nearest point lies outside the area (``nearest_outside``), so pages can say so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from storymap.config import Config
from storymap.data.helpfiles import CLOSED, read_libraries
from storymap.errors import DataError
from storymap.figures.helppoints import Postcodes, read_help_points, read_postcodes
from storymap.lazy import module

np = module("numpy")
pd = module("pandas")

if TYPE_CHECKING:
    from storymap.figures.geography import Geography
    from storymap.figures.riskindex import IndexResult


@dataclass
class HelpResult:
    points: pd.DataFrame  # POINT_COLUMNS, one row per help point
    walk_m: float
    postcodes: (
        pd.DataFrame
    )  # index postcode (area only): ward, distance_m, nearest, nearest_outside
    wards: pd.DataFrame  # index ward: n_postcodes, median_m, beyond_share, outside_share, near_1..3
    closed: (
        pd.DataFrame
    )  # the closed libraries: name, year_closed, la_name, ward, in_area, top_risk
    top_share: float  # the highest-risk share of wards used for ``closed.top_risk``

    def far_wards(self) -> pd.DataFrame:
        """The wards in the highest-risk share on the index whose median distance to help is
        beyond the walk, furthest first (ties by code): the wards rows."""
        w = self.wards
        far = w[w["top_risk"] & (w["median_m"] > self.walk_m)]
        return far.sort_index().sort_values("median_m", ascending=False, kind="stable")

    def area_median_m(self) -> float:
        """The median straight-line distance to help over every postcode of the area."""
        return float(self.postcodes["distance_m"].median())

    def area_beyond_share(self) -> float:
        """The share of the area's postcodes further than the walk from help."""
        return float((self.postcodes["distance_m"] > self.walk_m).mean())

    def points_in(self, codes) -> list[int]:
        """Positions (in ``points``) of the help points in these boroughs."""
        mask = self.points["borough_code"].isin(list(codes)).to_numpy()
        return [int(i) for i in np.flatnonzero(mask)]

    def nearest(self, easting: float, northing: float, k: int = 3) -> pd.DataFrame:
        return nearest_points(self.points, np.array([easting]), np.array([northing]), k)[0]


def _tree(points: pd.DataFrame):
    from scipy.spatial import cKDTree

    return cKDTree(points[["easting", "northing"]].to_numpy(float))


def nearest_points(points: pd.DataFrame, e: np.ndarray, n: np.ndarray, k: int = 3) -> list:
    """For each position, its ``k`` nearest help points (nearest first) with ``distance_m``."""
    k = min(k, len(points))
    dist, idx = _tree(points).query(np.column_stack([e, n]), k=k)
    dist, idx = dist.reshape(len(e), k), idx.reshape(len(e), k)
    return [points.iloc[i].assign(distance_m=d) for i, d in zip(idx, dist, strict=True)]


def compute_help(
    config: Config,
    geo: Geography,
    index: IndexResult | None = None,
    points: pd.DataFrame | None = None,
    postcodes: Postcodes | None = None,
) -> HelpResult:
    postcodes = postcodes or read_postcodes(config, geo.wards)
    points = points if points is not None else read_help_points(config, geo, postcodes)
    if points.empty:
        raise DataError(
            f"{config.path.name}: help: no help points (libraries: false and no files). Set "
            "help.libraries to true or name a file in help.files."
        )
    walk = float(config.help.walk_m)
    area = postcodes.in_area
    xy = area[["easting", "northing"]].to_numpy(float)
    k = min(3, len(points))
    dists, idxs = _tree(points).query(xy, k=k)
    dists, idxs = dists.reshape(len(xy), k), idxs.reshape(len(xy), k)
    dist, idx = dists[:, 0], idxs[:, 0]
    per = pd.DataFrame(
        {
            "ward": area["ward"].to_numpy(),
            "distance_m": dist,
            "nearest": idx,
            "nearest_outside": ~points["in_area"].to_numpy(bool)[idx],
        },
        index=area.index,
    )
    for j in range(k):  # each postcode's three nearest, for the search's postcode answers
        per[f"near_{j + 1}"] = idxs[:, j]
        per[f"near_{j + 1}_m"] = dists[:, j]
    g = per.groupby("ward", sort=True)
    wards = pd.DataFrame(
        {
            "n_postcodes": g.size(),
            "median_m": g["distance_m"].median(),
            "beyond_share": (per["distance_m"] > walk).groupby(per["ward"], sort=True).mean(),
            "outside_share": g["nearest_outside"].mean(),
        }
    )
    centre = area.groupby("ward")[["easting", "northing"]].mean().loc[wards.index]
    k = min(3, len(points))
    cd, ci = _tree(points).query(centre.to_numpy(float), k=k)
    cd, ci = cd.reshape(len(wards), k), ci.reshape(len(wards), k)
    for j in range(k):
        wards[f"near_{j + 1}"] = ci[:, j]
        wards[f"near_{j + 1}_m"] = cd[:, j]
    wards["top_risk"] = wards.index.isin(list(top_risk_wards(config, index)))
    points = points.assign(ward=_ward_of(postcodes, points))
    return HelpResult(
        points, walk, per, wards, _closed(config, geo, postcodes, index), _share(config)
    )


def _ward_of(postcodes: Postcodes, points: pd.DataFrame) -> np.ndarray:
    """Each point's ward: the ward of its nearest postcode (a library's own, as a rule)."""
    from scipy.spatial import cKDTree

    tree = cKDTree(postcodes.table[["easting", "northing"]].to_numpy(float))
    _d, i = tree.query(points[["easting", "northing"]].to_numpy(float), k=1)
    return postcodes.table["ward"].to_numpy()[i]


def _share(config: Config) -> float:
    return config.neighbourhoods.hotspot_share if config.neighbourhoods else 0.2


def _closed(config, geo, postcodes: Postcodes, index) -> pd.DataFrame:
    """The closed libraries, each in the ward of its nearest live postcode (its own postcode may
    have been retired), with whether that ward is in the area and in the highest-risk share of
    wards on the index (rank 1 = highest risk; ties at the cut are all in)."""
    from scipy.spatial import cKDTree

    closed = read_libraries(config, CLOSED)
    tree = cKDTree(postcodes.table[["easting", "northing"]].to_numpy(float))
    xy = closed[["easting", "northing"]].astype(float).to_numpy()
    _d, i = tree.query(xy, k=1)
    ward = postcodes.table["ward"].to_numpy()[i]
    out = closed[["name", "year_closed", "la_code", "la_name", "postcode"]].copy()
    out["ward"] = ward
    out["in_area"] = np.isin(ward, list(postcodes.area_wards))
    out["top_risk"] = out["ward"].isin(top_risk_wards(config, index))
    return out


def top_risk_wards(config: Config, index) -> set[str]:
    """The wards in the highest-risk share of the area on the index (rank 1 = highest risk;
    ties at the cut are all in); none without an index."""
    if index is None:
        return set()
    ranks = index.result.wards["rank"]
    return set(ranks.index[ranks <= math.ceil(_share(config) * len(ranks))])


def closures_by_borough(result: HelpResult) -> pd.Series:
    """Closures 2010-2023 in the area per reporting borough, most first (ties by name)."""
    c = result.closed[result.closed["in_area"]]
    counts = c.groupby("la_name").size()
    return counts.sort_index().sort_values(ascending=False, kind="stable")
