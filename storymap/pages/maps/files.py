"""Map files: the map's geometry and data split, so a page loads only what its map shows.

In: the Config, the Geography and the IndicatorResults. Out: content-hashed JSON files under
``assets/storymap/map/`` (which ``storymap.js`` fetches) and a :class:`MapFiles` of their site
paths. The payloads are those of :mod:`storymap.pages.maps.geometry` and
:func:`storymap.pages.maps.assets.data_payload`, cut into:

- ``index``: the area, its boroughs, each ward's borough, every indicator's labels and colours
  (and its file), the overview and the tiles: what every map needs first;
- ``overview``: every ward's shapes, at the configured ``simplify_metres`` if that file stays
  within OVERVIEW_BYTES gzip (London: it does), else simplified further, to the finest level that
  does (about a pixel of a map showing the whole area: England's wards);
- ``tiles``: when the overview is simplified further, each borough's wards at the configured
  detail, loaded when a map is zoomed in far enough to tell the difference (and shows no more
  than 60 boroughs: storymap.js's MAX_DETAIL);
- one file per indicator: the figures as shown, their ranks and colour bands;
- ``codes`` and ``names`` of the wards: loaded when a map needs them (a step that highlights or
  focuses on wards, a tooltip).

So the bytes a chapter loads first depend on what its first view shows, not on how many wards the
site has.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from storymap.config import Config
from storymap.figures.geography import Geography

MAP_DIR = "assets/storymap/map"
# gzip bytes of the overview's shapes, at most (London's is 18.6 KB at full detail; ten Londons'
# about 29 KB, simplified to about 2 km, with each borough's detail in a tile: bench_scale.py)
OVERVIEW_BYTES = 30_000
OVERVIEW_GRID = 10  # the overview's grid: a tenth of its simplification
ESTIMATE = 2.9  # shape bytes fall about as tolerance ** -(1 / ESTIMATE)
METRES_PER_DEGREE = 111_250


@dataclass
class MapFiles:
    """Site paths of the map files."""

    index: str
    overview: str
    indicators: dict[str, str]
    codes: str
    names: str
    tiles: list[str] = field(default_factory=list)
    help: str = ""  # the help points (storymap.pages.helptext.help_payload), if the build has them

    def first_view(self, indicator: str | None, wards: bool = False) -> list[str]:
        """The files a map showing ``indicator`` loads first (and the ward codes, if it
        highlights or focuses on wards)."""
        files = [self.index, self.overview]
        if indicator in self.indicators:
            files.append(self.indicators[indicator])
        return files + ([self.codes] if wards else [])


def write_map_files(levels: dict, data: dict, site: Path) -> MapFiles:
    """Write the map files into ``site`` (a folder of site files) from the geometry payloads of
    :func:`level_payloads` and the data payload."""
    folder = site / MAP_DIR
    folder.mkdir(parents=True, exist_ok=True)

    def write(stem: str, payload: object) -> str:
        text = _json(payload)
        name = f"{stem}.{hashlib.sha256(text.encode()).hexdigest()[:10]}.json"
        (folder / name).write_text(text, encoding="utf-8")
        return f"{MAP_DIR}/{name}"

    indicators = {
        ind: write(f"ind-{ind}", {k: raw[k] for k in VALUES})
        for ind, raw in data["indicators"].items()
    }
    # the tiles share one hash (of them all), so the index need not name each
    texts = [_json(payload) for _bbox, payload in levels["tiles"]]
    tiles_hash = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:10]
    tiles = []
    for b, text in enumerate(texts):
        (folder / f"tile-{b}.{tiles_hash}.json").write_text(text, encoding="utf-8")
        tiles.append(f"{MAP_DIR}/tile-{b}.{tiles_hash}.json")
    index = {
        "area": data["area"],
        "noData": data["noData"],
        "boroughs": data["boroughs"],
        "wards": {"borough": runs(data["wards"]["borough"])},
        "indicators": {
            ind: {
                **{k: v for k, v in raw.items() if k not in VALUES},
                "file": _name(indicators[ind]),
            }
            for ind, raw in data["indicators"].items()
        },
        "overview": {
            "file": _name(overview := write("overview", levels["overview"])),
            "metres": levels["metres"],
        },
        # tile b (borough b's wards) is tile-<b>.<tilesHash>.json; [west, south, width, height]
        # of its bounds, in thousandths of a degree
        "tiles": [thousandths(bbox) for bbox, _payload in levels["tiles"]],
        "tilesHash": tiles_hash if tiles else "",
        "codes": _name(codes := write("codes", data["wards"]["codes"])),
        "names": _name(names := write("names", data["wards"]["names"])),
    }
    help_file = write("help", data["help"]) if data.get("help") else ""
    if help_file:
        index["help"] = _name(help_file)
    return MapFiles(
        write("index", index), overview, indicators, codes, names, tiles, help=help_file
    )


def thousandths(bbox: list[float]) -> list[int]:
    """[west, south, east, north] (degrees, to a thousandth) as whole thousandths of a degree:
    [west, south, width, height]."""
    west, south, east, north = (round(v * 1000) for v in bbox)
    return [west, south, east - west, north - south]


def runs(values: list[int]) -> list[list[int]]:
    """[[value, how many times in a row], ...]: wards in code order come borough by borough."""
    out: list[list[int]] = []
    for value in values:
        if out and out[-1][0] == value:
            out[-1][1] += 1
        else:
            out.append([value, 1])
    return out


VALUES = ("places", "values", "minusZero", "bands")  # an indicator file's part


def level_payloads(config: Config, geo: Geography, topology=None) -> dict:
    """The geometry payloads: ``overview`` (every ward), its simplification ``metres``, and
    ``tiles`` (per borough, in borough order: its bounding box and its wards at the configured
    detail), empty when the overview has that detail already. ``topology``: the wards'
    unsimplified shared arcs, if the build made them already."""
    from storymap.pages.maps.geometry import GRID_METRES, WardArcs, simplified, ward_topology

    detail_metres = config.geography.simplify_metres
    if topology is None:  # the shared arcs, found once for every level of detail
        topology = ward_topology(geo.wards, 0)
    detail = WardArcs.of(geo, simplified(topology, detail_metres), GRID_METRES)
    everything = detail.payload(range(len(geo.wards)))
    size = _gz(everything)
    if size <= OVERVIEW_BYTES:
        return {"overview": everything, "metres": detail_metres, "tiles": []}
    metres = max(detail_metres, 1.0) * (size / OVERVIEW_BYTES) ** ESTIMATE
    while True:
        coarse = WardArcs.of(geo, simplified(topology, metres), metres / OVERVIEW_GRID)
        overview = coarse.payload(range(len(geo.wards)))
        if _gz(overview) <= OVERVIEW_BYTES:
            break
        metres *= math.sqrt(2)
    pad = metres / METRES_PER_DEGREE
    members: dict[str, list[int]] = {}
    for i, borough in enumerate(geo.wards["borough_code"]):
        members.setdefault(borough, []).append(i)
    bounds = geo.wards.bounds.to_numpy()
    tiles = []
    for code in geo.boroughs.index:
        wards = members.get(code, [])
        box = bounds[wards]
        bbox = [
            math.floor((box[:, 0].min() - pad) * 1000) / 1000,
            math.floor((box[:, 1].min() - pad) * 1000) / 1000,
            math.ceil((box[:, 2].max() + pad) * 1000) / 1000,
            math.ceil((box[:, 3].max() + pad) * 1000) / 1000,
        ]
        tiles.append((bbox, {"ids": wards, **detail.payload(wards)}))
    return {"overview": overview, "metres": round(metres, 1), "tiles": tiles}


def _gz(payload: object) -> int:
    return len(gzip.compress(_json(payload).encode(), compresslevel=6, mtime=0))


def _name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _json(payload: object) -> str:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
