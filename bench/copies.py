"""A project of N copies of London, for benchmarking the build and the site at scale.

In: the repo's site_config.yml, chapters/ and data/. Out: a project folder (config, chapters,
data) in which every row of every data file and lookup, and every ward of the boundaries, appears
N times. Copy 0 is the real data, unchanged, so the bundled chapters (which name real boroughs)
still render. Each further copy k gets

- new codes, the same in every file: each GSS code (ward E05, borough E09, LSOA E01 of 2011 and
  2021, MSOA E02) is shifted by k times a per-prefix stride larger than any real code, so
  E05013660 becomes E05033660 in copy 1 (stride 20,000) and is never confused with a real code;
- names with the copy's number ("Camden 2", LSOA "Camden 2 001A");
- geometry translated west and north by whole steps of London's extent, on a grid of
  ceil(sqrt(N)) columns, so copies do not overlap and stay valid longitude and latitude, and
  drawn at 1.01**k times London's size: an affine map, so every shape stays valid and shared
  borders stay shared, yet no copy repeats another's coordinate steps exactly for gzip to find.
  (Copies drawn smaller, or with vertices moved at random, fail the build: simplified at the
  static maps' 60 m, Blackwall & Cubitt Town then crosses itself and the borough union fails.)
- figures perturbed: counts times U(0.97, 1.03) rounded, scores and rates times U(0.97, 1.03)
  kept within the column's real range and written with each value's own decimals; totals that
  are sums of other columns, and percentages of them, are recomputed, and numerators are kept
  within their denominators. Ranks, deciles, lookup weights and LSOA counts are kept.

For N > 1 the config also merges each copy of the merged boroughs (the City of London) and
lifts the page-weight budgets, which are sized for one London and would fail the build.

    .venv/bin/python bench/copies.py --copies 2 --out DIR   # write a project and stop
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import math
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

REPO = Path(__file__).resolve().parent.parent
CODE = re.compile(r"^([EWSN]\d{2})(\d{6})$")
AREA_NAME = re.compile(r"^(.*\S) (\d{3}[A-Z]?)$")  # LSOA/MSOA names: "Camden 001A"
KEEP = re.compile(r"(rank|decile|weight|^n_)", re.IGNORECASE)  # not perturbed
JITTER = (0.97, 1.03)
NO_BUDGET_KB = 1_000_000.0
GROW = 1.01  # copy k is drawn at 1.01**k times London's size

# Totals that are sums of other columns, percentages, and numerator <= denominator pairs. Each
# applies to a table only when it has the columns and the rule holds in the real data.
SUMS = [
    ("age_65_plus", ["age_65", "age_66_69", "age_70_74", "age_75_79", "age_80_84", "age_85_plus"]),
    ("age_75_plus", ["age_75_79", "age_80_84", "age_85_plus"]),
    ("pop_total", ["disabled_equality_act", "not_disabled"]),
    ("pop_total_mid2015", ["pop_0_15_mid2015", "pop_16_59_mid2015", "pop_60_plus_mid2015"]),
]
NOT_ABOVE = [  # (numerator, denominator, which to move)
    ("age_65_plus", "pop_total", "denominator"),
    ("pop_working_age_mid2015", "pop_total_mid2015", "numerator"),
    ("idaopi_numerator", "pop_60_plus_mid2015", "numerator"),
    ("income_domain_numerator", "pop_total_mid2015", "numerator"),
]
PERCENTS = [
    ("pct_65_plus", "age_65_plus", "pop_total"),
    ("pct_75_plus", "age_75_plus", "pop_total"),
    ("pct_disabled", "disabled_equality_act", "pop_total"),
]


class Codes:
    """Per-prefix strides so that copy k's codes never meet a real code or another copy's."""

    def __init__(self, codes: set[str], copies: int) -> None:
        top: dict[str, int] = {}
        for code in codes:
            m = CODE.match(code)
            if m:
                top[m[1]] = max(top.get(m[1], 0), int(m[2]))
        self.stride = {}
        for prefix, n in top.items():
            unit = 10 ** (len(str(max(n, 1))) - 1)
            stride = (n // unit + 1) * unit
            if n + (copies - 1) * stride > 999_999:
                raise SystemExit(
                    f"Error: {copies} copies do not fit {prefix} codes "
                    f"(highest {prefix}{n:06d}); use fewer copies."
                )
            self.stride[prefix] = stride

    def __call__(self, code: str, k: int) -> str:
        m = CODE.match(code)
        if not m or k == 0:
            return code
        return f"{m[1]}{int(m[2]) + k * self.stride[m[1]]:06d}"


def suffix(name: str, k: int) -> str:
    if k == 0 or not name:
        return name
    m = AREA_NAME.match(name)
    return f"{m[1]} {k + 1} {m[2]}" if m else f"{name} {k + 1}"


def is_name_column(column: str) -> bool:
    """WD22NM, WD22NM_CITYMERGED, "LSOA name" and the like."""
    return bool(re.search(r"NM(_[A-Z]+)?$", column)) or "name" in column.lower()


def _read_csv(path: Path) -> tuple[pd.DataFrame, bool]:
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    df = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return df, bom


def csv_codes(path: Path) -> set[str]:
    df, _ = _read_csv(path)
    found: set[str] = set()
    for column in df.columns:
        found |= {v for v in df[column] if CODE.match(v)}
    return found


def _decimals(text: str) -> int:
    return len(text.split(".", 1)[1]) if "." in text else 0


def _format(values: np.ndarray, originals: pd.Series) -> list[str]:
    out = []
    for v, o in zip(values, originals, strict=True):
        if o == "" or np.isnan(v):
            out.append(o)
        elif "." not in o and "e" not in o.lower():
            out.append(str(int(round(v))))
        else:
            out.append(f"{v:.{_decimals(o)}f}")
    return out


def _holds(df: pd.DataFrame, test) -> bool:
    try:
        ok = test(df)
    except (KeyError, ValueError):
        return False
    return bool(ok.mean() >= 0.99) if len(ok) else False


def _num(df: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(df[column].replace("", np.nan))


def perturb(df: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Numeric columns of a copy, perturbed, with sums, percentages and limits kept."""
    real = df
    df = df.copy()
    for column in df.columns:
        if KEEP.search(column) or is_name_column(column):
            continue
        values = pd.to_numeric(df[column].replace("", np.nan), errors="coerce")
        given = df[column] != ""
        if not given.any() or values[given].isna().any():
            continue  # not a numeric column
        factor = rng.uniform(*JITTER, size=len(df))
        new = values.to_numpy(dtype=float) * factor
        if df[column][given].str.contains(r"[.eE]").any():  # scores and rates: stay in range
            new = np.clip(new, values.min(), values.max())
        elif values.min() >= 0:
            new = np.maximum(np.round(new), 0)
        df[column] = _format(new, df[column])
    for total, parts in SUMS:
        if _holds(
            real, lambda d, t=total, p=parts: (_num(d, t) - sum(_num(d, c) for c in p)).abs() < 0.5
        ):
            df[total] = [str(int(v)) for v in sum(_num(df, c) for c in parts)]
    for numerator, denominator, move in NOT_ABOVE:
        if not _holds(real, lambda d, n=numerator, m=denominator: ~(_num(d, n) > _num(d, m))):
            continue
        n, d = _num(df, numerator), _num(df, denominator)
        over = n > d
        if move == "denominator":
            df.loc[over, denominator] = df.loc[over, numerator]
        else:
            df.loc[over, numerator] = df.loc[over, denominator]
    for pct, numerator, denominator in PERCENTS:

        def matches(d, p=pct, n=numerator, m=denominator):
            return (_num(d, p) - 100 * _num(d, n) / _num(d, m)).abs() < 0.006

        if _holds(real, matches):
            value = 100 * _num(df, numerator) / _num(df, denominator)
            df[pct] = _format(value.to_numpy(dtype=float), df[pct])
    return df


def copy_csv(src: Path, dest: Path, copies: int, codes: Codes, seed: int) -> None:
    df, bom = _read_csv(src)
    code_columns = [
        c
        for c in df.columns
        if (df[c] != "").any()
        and df[c][df[c] != ""].map(bool).all()
        and df[c][df[c] != ""].str.match(CODE.pattern).all()
    ]
    parts = [df]
    for k in range(1, copies):
        rng = np.random.default_rng([seed, k])
        part = perturb(df, rng)
        for column in part.columns:
            if column in code_columns:
                part[column] = [codes(v, k) for v in part[column]]
            elif is_name_column(column):
                part[column] = [suffix(v, k) for v in part[column]]
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    text = out.to_csv(index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    dest.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))


def _coords_bounds(coords, box: list[float]) -> None:
    if coords and isinstance(coords[0], (int, float)):
        box[0], box[1] = min(box[0], coords[0]), min(box[1], coords[1])
        box[2], box[3] = max(box[2], coords[0]), max(box[3], coords[1])
    else:
        for c in coords:
            _coords_bounds(c, box)


def _moved(coords, transform):
    if coords and isinstance(coords[0], (int, float)):
        x, y = transform(coords[0], coords[1])
        return [round(x, 6), round(y, 6), *coords[2:]]
    return [_moved(c, transform) for c in coords]


def geojson_codes(path: Path) -> set[str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        v
        for f in data["features"]
        for v in f["properties"].values()
        if isinstance(v, str) and CODE.match(v)
    }


def _copy_properties(props: dict, codes: Codes, k: int) -> dict:
    return {
        key: codes(v, k)
        if isinstance(v, str) and CODE.match(v)
        else suffix(v, k)
        if isinstance(v, str) and is_name_column(key)
        else v
        for key, v in props.items()
    }


def copy_geojson(src: Path, dest: Path, copies: int, codes: Codes) -> None:
    data = json.loads(src.read_text(encoding="utf-8"))
    box = [math.inf, math.inf, -math.inf, -math.inf]
    for feature in data["features"]:
        _coords_bounds(feature["geometry"]["coordinates"], box)
    grown = GROW ** (copies - 1)  # steps of London's extent, so even the largest copy fits
    step_x = math.ceil((box[2] - box[0]) * grown * 10 + 1) / 10
    step_y = math.ceil((box[3] - box[1]) * grown * 10 + 1) / 10
    columns = math.ceil(math.sqrt(copies))
    features = list(data["features"])
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    for k in range(1, copies):
        # westward and north: ten copies of London then lie inside the United Kingdom's box
        # (the build refuses boundaries outside it, storymap.figures.geography)
        dx, dy = -(k % columns) * step_x, (k // columns) * step_y
        scale = GROW**k

        def transform(x, y, dx=dx, dy=dy, scale=scale):
            return cx + (x - cx) * scale + dx, cy + (y - cy) * scale + dy

        for feature in data["features"]:
            geometry = {**feature["geometry"]}
            geometry["coordinates"] = _moved(geometry["coordinates"], transform)
            props = _copy_properties(feature["properties"], codes, k)
            features.append({**feature, "properties": props, "geometry": geometry})
    data["features"] = features
    with dest.open("w", encoding="utf-8") as out:
        head = {k: v for k, v in data.items() if k != "features"}
        out.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "features": [\n')
        out.write(",\n".join(json.dumps(f, ensure_ascii=False) for f in features))
        out.write("\n]}\n")


def _config(src: Path, copies: int, codes: Codes, project: Path) -> str:
    config = yaml.safe_load(src.read_text(encoding="utf-8"))
    geography = config.setdefault("geography", {})
    merged = list(geography.get("merge_boroughs") or [])
    geography["merge_boroughs"] = [codes(c, k) for k in range(copies) for c in merged]
    area = config.get("site", {}).get("area", {})
    if isinstance(area.get("boroughs"), list):
        area["boroughs"] = [
            codes(b, k) if CODE.match(b) else suffix(b, k)
            for k in range(copies)
            for b in area["boroughs"]
        ]
    budgets = config.setdefault("budgets", {})
    for key in ("map_page_kb", "page_kb", "cached_kb", "search_kb", *budgets):
        budgets[key] = NO_BUDGET_KB
    for source in config.get("sources", {}).values():
        if source.get("sha256") and (project / source["file"]).is_file():
            source["sha256"] = hashlib.sha256((project / source["file"]).read_bytes()).hexdigest()
    return yaml.safe_dump(config, sort_keys=False, allow_unicode=True, width=100)


def make_project(dest: Path, copies: int, seed: int = 2021) -> Path:
    """Write a project of ``copies`` Londons into ``dest``; returns its config path."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "chapters", dest / "chapters", dirs_exist_ok=True)
    data = REPO / "data"
    files = sorted(p for p in data.rglob("*") if p.is_file() and "cache" not in p.parts)
    if copies <= 1:
        shutil.copy2(REPO / "site_config.yml", dest / "site_config.yml")
        shutil.copytree(
            data, dest / "data", ignore=shutil.ignore_patterns("cache"), dirs_exist_ok=True
        )
        return dest / "site_config.yml"
    every: set[str] = set()
    for path in files:
        if path.suffix == ".csv":
            every |= csv_codes(path)
        elif path.suffix == ".geojson":
            every |= geojson_codes(path)
    codes = Codes(every, copies)
    for i, path in enumerate(files):
        out = dest / path.relative_to(REPO)
        out.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".csv" and csv_codes(path):
            copy_csv(path, out, copies, codes, seed + i)
        elif path.suffix == ".geojson":
            copy_geojson(path, out, copies, codes)
        else:
            shutil.copy2(path, out)
    config = dest / "site_config.yml"
    config.write_text(_config(REPO / "site_config.yml", copies, codes, dest), encoding="utf-8")
    return config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=2)
    parser.add_argument("--out", type=Path, required=True, help="folder to write the project to")
    args = parser.parse_args()
    print(make_project(args.out, args.copies))


if __name__ == "__main__":
    main()
