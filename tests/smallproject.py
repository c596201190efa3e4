"""A small real project: a few boroughs cut from the bundled data, for fast whole-site tests.

In: the project's site_config.yml and data/ files, the boroughs to keep, config overrides.
Out: a project folder (site_config.yml, data/, chapters/) whose every data file the config names
holds only those boroughs' wards, LSOAs and postcodes (TopoJSON arcs pruned to the kept shapes),
so a build of it takes a few seconds instead of the London build's dozen.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
WARD_LOOKUP = "data/lookups/lookup_ward22_lad22_london.csv"
LSOA21_LOOKUP = "data/lookups/lookup_lsoa11_lsoa21_lad22_london.csv"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _codes(boroughs: list[str]) -> set[str]:
    """Every borough, ward and LSOA (2011 and 2021) code of the named boroughs."""
    wanted = set(boroughs)
    codes: set[str] = set()
    for row in _rows(REPO / WARD_LOOKUP):
        if row["LAD22NM"] in wanted:
            codes |= {row["LAD22CD"], row["WD22CD"]}
    for row in _rows(REPO / LSOA21_LOOKUP):
        if row["LAD22NM"] in wanted:
            codes |= {row["LAD22CD"], row["LSOA11CD"], row["LSOA21CD"]}
    return codes


def _cut_csv(text: str, codes: set[str]) -> str:
    """Rows naming a kept code; a file naming no code of any area (a national total, a table
    of sources) is kept whole."""
    lines = text.splitlines(keepends=True)
    header, body = lines[0], lines[1:]
    kept = [line for line in body if codes & set(next(csv.reader(io.StringIO(line)), []))]
    if not kept:
        return text
    return header + "".join(kept)


def _named(props: dict, codes: set[str]) -> bool:
    return any(isinstance(v, str) and v in codes for v in props.values())


def _cut_geojson(data: dict, codes: set[str]) -> dict:
    data["features"] = [f for f in data["features"] if _named(f.get("properties") or {}, codes)]
    return data


def _arc_ids(arcs) -> list[int]:
    if isinstance(arcs, int):
        return [arcs]
    return [i for part in arcs for i in _arc_ids(part)]


def _renumber(arcs, new: dict[int, int]):
    if isinstance(arcs, int):
        return new[arcs] if arcs >= 0 else ~new[~arcs]
    return [_renumber(part, new) for part in arcs]


def _cut_topojson(data: dict, codes: set[str]) -> dict:
    used: set[int] = set()
    for obj in data["objects"].values():
        obj["geometries"] = [
            g
            for g in obj["geometries"]
            if g.get("id") in codes or _named(g.get("properties") or {}, codes)
        ]
        for g in obj["geometries"]:
            used |= {i if i >= 0 else ~i for i in _arc_ids(g.get("arcs", []))}
    order = sorted(used)
    new = {old: k for k, old in enumerate(order)}
    for obj in data["objects"].values():
        for g in obj["geometries"]:
            g["arcs"] = _renumber(g["arcs"], new)
    data["arcs"] = [data["arcs"][i] for i in order]
    return data


def _cut_file(src: Path, dest: Path, codes: set[str]) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    if src.suffix == ".csv":
        dest.write_text(_cut_csv(src.read_text("utf-8"), codes), "utf-8")
        return
    data = json.loads(src.read_text("utf-8"))
    if data.get("type") == "Topology":
        data = _cut_topojson(data, codes)
    elif data.get("type") == "FeatureCollection":
        data = _cut_geojson(data, codes)
    dest.write_text(json.dumps(data, separators=(",", ":")), "utf-8")


def _files(raw, found: list[str]) -> list[str]:
    """Every ``data/...`` path the config names, wherever it sits."""
    if isinstance(raw, dict):
        for value in raw.values():
            _files(value, found)
    elif isinstance(raw, list):
        for value in raw:
            _files(value, found)
    elif isinstance(raw, str) and raw.startswith("data/") and (REPO / raw).is_file():
        found.append(raw)
    return found


def _help_files(dest: Path, raw: dict) -> None:
    """The bundled help points (every London library: a small build uses those across its
    border too) and the positions of the postcodes kept."""
    help_dir = dest / "data" / "help"
    help_dir.mkdir(parents=True, exist_ok=True)
    for name in ("london_libraries_open_2023.csv", "london_libraries_closed_2010_2023.csv"):
        shutil.copyfile(REPO / "data" / "help" / name, help_dir / name)
    postcodes = next(
        dest / s["file"] for k, s in raw["sources"].items() if k == raw["geography"]["postcodes"]
    )
    kept = {row["postcode"] for row in _rows(postcodes)}
    points = REPO / "data" / "help" / "london_postcode_points_codepoint_2025-4.csv.gz"
    lines = gzip.decompress(points.read_bytes()).decode("utf-8").splitlines(keepends=True)
    cut = [lines[0]] + [line for line in lines[1:] if line.split(",", 1)[0] in kept]
    (help_dir / points.name).write_bytes(gzip.compress("".join(cut).encode("utf-8"), mtime=0))


def _merge(raw: dict, overrides: dict) -> dict:
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(raw.get(key), dict):
            _merge(raw[key], value)
        else:
            raw[key] = value
    return raw


def make_small_project(
    dest: Path, boroughs: list[str], overrides: dict | None = None, chapters: Path | None = None
) -> Path:
    """Write a project of ``boroughs`` at ``dest`` and return it (its site_config.yml beside)."""
    dest.mkdir(parents=True, exist_ok=True)
    raw = yaml.safe_load((REPO / "site_config.yml").read_text("utf-8"))
    codes = _codes(boroughs)
    for name in sorted(set(_files(raw, []))):
        _cut_file(REPO / name, dest / name, codes)
    for source in raw.get("sources", {}).values():
        if isinstance(source, dict):
            source.pop("sha256", None)  # the cut file is not the published one
    _help_files(dest, raw)
    names = "data/places/london_place_names_os_open_names.csv"  # the search's place names
    (dest / names).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REPO / names, dest / names)
    raw["site"]["area"] = {
        "name": "the " + {2: "two", 3: "three"}.get(len(boroughs), "chosen") + " boroughs",
        "boroughs": boroughs,
    }
    raw["site"]["focus_boroughs"] = list(boroughs)
    shutil.copytree(chapters or REPO / "chapters", dest / "chapters")
    _merge(raw, overrides or {})
    (dest / "site_config.yml").write_text(
        yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), "utf-8"
    )
    return dest
