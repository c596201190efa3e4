"""Incremental equals cold: after any one change, a rebuild over the last site and its cache
writes exactly the site a cold build of the changed project writes.

In: the small project (tests/smallproject.py, case three-boroughs), built once with its cache.
Out: one test per top-level config section (taken from the config model's fields, so a new
section is a new test that fails until it has a change below) and per data file the config
names: change one value, rebuild incrementally into the same output, cold-build a fresh copy into
a fresh folder with no cache, and compare both sites byte for byte.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from smallproject import make_small_project
from test_cases import CASES

from storymap.config import Config

# About 6 s a test, 2 to 3 minutes in all: in the full tier.
pytestmark = pytest.mark.full

CASE = "three-boroughs"
# Top-level fields that are not sections a user sets in site_config.yml.
NOT_SECTIONS = {"path"}


def _title(raw: dict) -> None:
    raw["site"]["title"] = "Older residents of three boroughs"


def _source(raw: dict) -> None:
    first = next(iter(raw["sources"].values()))
    first["title"] += " (checked again)"


def _geography(raw: dict) -> None:
    raw["geography"]["simplify_metres"] = 60


def _indicator(raw: dict) -> None:
    raw["indicators"][0]["label"] += " (all)"


def _maps(raw: dict) -> None:
    raw["maps"]["height"] = "400px"


def _budgets(raw: dict) -> None:
    raw["budgets"]["borough_kb"] += 1


def _limits(raw: dict) -> None:
    raw.setdefault("limits", {})["chapter_kb"] = 2000


def _index(raw: dict) -> None:
    raw["index"]["decimals"] = 1


def _neighbourhoods(raw: dict) -> None:
    raw["neighbourhoods"]["hotspots"] = "pct_disabled"


def _help(raw: dict) -> None:
    raw["help"] = {"walk_m": 600}


def _home(raw: dict, project: Path) -> None:
    text = (project / raw["home"]).read_text("utf-8")
    (project / "chapters" / "home-again.md").write_text(text + "\nOne more line.\n", "utf-8")
    raw["home"] = "chapters/home-again.md"


def _chapters(raw: dict) -> None:
    raw["chapters"][0]["title"] = "Camden first"


CHANGES = {
    "site": _title,
    "sources": _source,
    "geography": _geography,
    "indicators": _indicator,
    "maps": _maps,
    "budgets": _budgets,
    "limits": _limits,
    "index": _index,
    "neighbourhoods": _neighbourhoods,
    "help": _help,
    "home": _home,
    "chapters": _chapters,
}
SECTIONS = sorted(set(Config.model_fields) - NOT_SECTIONS)
# Changes that rightly leave every built file as it was (the equality is still checked).
NO_VISIBLE_EFFECT = {
    "budgets": "page-weight budgets are checked at build time, not printed in the site",
    "limits": "a chapter's time and size limits only refuse a chapter",
    # Data changes this test found to leave the site as it was (the equality is still checked):
    "data/boundaries/london_lsoa11_bgc20m_topo15m_4326.json": "2011 shapes are drawn on no map",
    "data/census2021/england_wales_age65plus_census2021_rm121_totals.csv": (
        "the changed row (Wales) moves no figure a page shows at its rounding"
    ),
    "data/lookups/lookup_ward22_lad22_london.csv": "the changed cell is a name, read by code",
    "data/lookups/lookup_lsoa11_lsoa21_lad22_london.csv": "the changed cell is a name",
    "data/lookups/lookup_lsoa21_ward22_lad22_london_bestfit.csv": "the changed cell is a name",
}


def _data_files() -> list[str]:
    raw = yaml.safe_load((CASES.parent.parent / "site_config.yml").read_text("utf-8"))
    return sorted({s["file"] for s in raw["sources"].values() if "file" in s})


def _bump(cell: str) -> str | None:
    """A number a step away in the same kind (a count one more, a decimal a little nearer the
    middle of 0 to 1), or None for a cell that is no number."""
    if not re.fullmatch(r"-?\d+(\.\d+)?", cell):
        return None
    if "." not in cell:
        return str(int(cell) + 1)
    digits = len(cell.split(".")[1]) + 3
    step = -(10**-digits) if float(cell) > 0.5 else 10**-digits
    return f"{float(cell) + step:.{digits}f}"


def change_data(path: Path) -> None:
    """Change one value: the numbers of the middle data row of a CSV (not the first: that is
    the City of London's, which has no figures of its own; a postcode table's row gets the next
    row's ward), the second point of a boundary file."""
    if path.suffix == ".csv":
        lines = path.read_text("utf-8").splitlines(keepends=True)
        row = len(lines) // 2 if len(lines) > 3 else 1
        cells = lines[row].rstrip("\r\n").split(",")
        numbers = [i for i, c in enumerate(cells) if _bump(c) is not None]
        if numbers:
            for i in numbers:  # every number in the row, so whichever column is read changes
                cells[i] = _bump(cells[i])
        else:  # postcode -> ward: move the first postcode to the second's ward
            cells[-1] = next(
                line.rstrip("\r\n").split(",")[-1]
                for line in lines[row + 1 :]
                if not line.rstrip("\r\n").endswith(cells[-1])
            )
        lines[row] = ",".join(cells) + "\n"
        path.write_text("".join(lines), "utf-8")
        return
    data = json.loads(path.read_text("utf-8"))
    if data.get("type") == "Topology":
        data["arcs"][0][1][0] += 200  # delta-encoded: the second point moves east a little
    else:
        ring = data["features"][0]["geometry"]["coordinates"][0]
        ring = ring[0] if isinstance(ring[0][0], list) else ring
        ring[1][0] += 0.0005
    path.write_text(json.dumps(data, separators=(",", ":")), "utf-8")


def build(project: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "storymap", "build", "--config", "site_config.yml", "--out", "site"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def files(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in site.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def small_built(tmp_path_factory) -> Path:
    spec = yaml.safe_load((CASES / CASE / "case.yml").read_text("utf-8"))
    project = make_small_project(
        tmp_path_factory.mktemp("small") / "project",
        spec["boroughs"],
        spec.get("overrides"),
        CASES / CASE / "chapters",
    )
    build(project)
    return project


def check_same(small_built: Path, tmp_path: Path, change, what: str) -> None:
    warm = tmp_path / "warm"
    shutil.copytree(small_built, warm)
    change(warm)
    build(warm)  # over the last site, with the last build's cache
    cold = tmp_path / "cold"
    shutil.copytree(warm, cold, ignore=shutil.ignore_patterns("site", ".storymap-cache"))
    build(cold)
    before, after, fresh = files(small_built / "site"), files(warm / "site"), files(cold / "site")
    differ = sorted(n for n in set(after) | set(fresh) if after.get(n) != fresh.get(n))
    assert not differ, f"incremental build differs from a cold build in: {differ[:20]}"
    if what not in NO_VISIBLE_EFFECT:
        assert after != before, f"changing {what} changed nothing in the site: choose a change"
        " that shows, or list it in NO_VISIBLE_EFFECT with the reason"


def _edit_config(section_change):
    def change(project: Path) -> None:
        path = project / "site_config.yml"
        raw = yaml.safe_load(path.read_text("utf-8"))
        if section_change.__code__.co_argcount == 2:
            section_change(raw, project)
        else:
            section_change(raw)
        path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), "utf-8")

    return change


@pytest.mark.parametrize("section", SECTIONS)
def test_config_section_change(section, small_built, tmp_path) -> None:
    assert section in CHANGES, f"config section {section!r} has no change in CHANGES: add one"
    check_same(small_built, tmp_path, _edit_config(CHANGES[section]), section)


@pytest.mark.parametrize("name", _data_files())
def test_data_file_change(name, small_built, tmp_path) -> None:
    check_same(small_built, tmp_path, lambda project: change_data(project / name), name)


def _library_hours(project: Path) -> None:
    """The bundled libraries: the first library's (the City's, in every small project) hours."""
    path = project / "data" / "help" / "london_libraries_open_2023.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rows[0]["hours_per_week"] = str(int(rows[0]["hours_per_week"]) + 1)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_help_points_file_change(small_built, tmp_path) -> None:
    check_same(small_built, tmp_path, _library_hours, "data/help/london_libraries_open_2023.csv")


def _place_name(project: Path) -> None:
    """The bundled place names: the first place in Camden gets another name."""
    path = project / "data" / "places" / "london_place_names_os_open_names.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    first = next(r for r in rows if r["borough_code"] == "E09000007")
    first["name"] += " Village"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_place_names_file_change(small_built, tmp_path) -> None:
    check_same(
        small_built, tmp_path, _place_name, "data/places/london_place_names_os_open_names.csv"
    )
