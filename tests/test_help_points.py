"""Help points: nearest-help distances against brute force, the team's CSV files and their errors.

Distances of 200 postcodes are recomputed here from the bundled CSV files with plain numpy (every
postcode against every library), independently of storymap.figures.help's KD-tree. Each bad
help-points file makes ``storymap check`` (and one ``storymap build``) fail with one Error naming
the file, the line, the value and the fix, exit 1, and nothing written.
"""

from __future__ import annotations

import csv
import gzip

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import REPO, copy_project, tree_digest

from storymap.commands.cli import main
from storymap.config.load import load_config
from storymap.figures.geography import load_geography
from storymap.figures.help import compute_help
from storymap.figures.helppoints import read_help_points, read_postcodes

FIVE = ["Barnet", "Brent", "Kensington and Chelsea", "Southwark", "Westminster"]  # focus_boroughs


def _csv(path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def london():
    config = load_config(REPO / "site_config.yml")
    geo = load_geography(config)
    return config, geo, compute_help(config, geo)


def test_distances_match_brute_force(london):
    _config, _geo, result = london
    libs = _csv(REPO / "data" / "help" / "london_libraries_open_2023.csv")
    lib_xy = np.array([[float(r["easting"]), float(r["northing"])] for r in libs])
    with gzip.open(REPO / "data/help/london_postcode_points_codepoint_2025-4.csv.gz", "rt") as fh:
        points = {
            r["postcode"]: (float(r["easting"]), float(r["northing"])) for r in csv.DictReader(fh)
        }
    sample = np.random.default_rng(24).choice(result.postcodes.index.to_numpy(), 200, replace=False)
    for pc in sample:
        e, n = points[pc]
        d = np.sqrt(((lib_xy - (e, n)) ** 2).sum(axis=1))
        assert result.postcodes.at[pc, "distance_m"] == pytest.approx(d.min(), abs=1e-6), pc
        nearest = result.points.iloc[result.postcodes.at[pc, "nearest"]]
        assert np.hypot(nearest["easting"] - e, nearest["northing"] - n) == pytest.approx(d.min())


def test_ward_figures_from_postcodes(london):
    _config, _geo, result = london
    per = result.postcodes
    ward = per["ward"].value_counts().index[0]
    d = per.loc[per["ward"] == ward, "distance_m"].to_numpy()
    assert result.wards.at[ward, "median_m"] == pytest.approx(float(np.median(d)))
    assert result.wards.at[ward, "beyond_share"] == pytest.approx(float((d > 800).mean()))
    assert len(result.wards) == 680
    assert (result.wards["near_1_m"] <= result.wards["near_2_m"]).all()
    # London: every nearest point is a London library
    assert not per["nearest_outside"].any()


def test_closures_counted_and_placed(london):
    _config, _geo, result = london
    closed = result.closed
    assert len(closed) == 39 and closed["in_area"].all()
    assert closed["ward"].isin(result.wards.index).all()


def test_five_boroughs_use_libraries_across_the_border(tmp_path):
    project = _five(copy_project(tmp_path / "p"))
    config = load_config(project / "site_config.yml")
    geo = load_geography(config)
    result = compute_help(config, geo)
    codes = set(geo.wards["borough_code"])
    assert len(codes) == 5 and set(result.postcodes["ward"]) <= set(geo.wards.index)
    outside = result.postcodes["nearest_outside"]
    assert outside.any() and not outside.all()
    pts = result.points.iloc[result.postcodes.loc[outside, "nearest"]]
    assert not pts["borough_code"].isin(codes).any()
    assert not result.closed.loc[~result.closed["in_area"], "ward"].isin(geo.wards.index).any()


def _five(project):
    """The project as a five-borough build (its own ``site.area``)."""
    path = project / "site_config.yml"
    text = path.read_text(encoding="utf-8")
    assert load_config(path).site.area.boroughs == "all"
    five = "    boroughs: [" + ", ".join(FIVE) + "]\n"
    path.write_text(text.replace("    boroughs: all\n", five, 1), encoding="utf-8")
    assert load_config(path).site.area.boroughs == FIVE
    return project


def _with_help(project, body: bytes | None) -> None:
    if body is not None:
        (project / "data" / "help" / "ours.csv").write_bytes(body)
    with (project / "site_config.yml").open("a", encoding="utf-8") as fh:
        fh.write("\nhelp:\n  files: [data/help/ours.csv]\n")


def test_good_file_point_is_nearest_to_its_own_postcode(tmp_path):
    project = copy_project(tmp_path / "p")
    _with_help(
        project,
        b"name,postcode,latitude,longitude,when,url\n"
        b"Tea & tablets <b>,nw6 7ta,,,Tuesdays 10-12,https://example.org/x\n"
        b"Palace drop-in,,51.5014,-0.1419,Fridays,\n",
    )
    config = load_config(project / "site_config.yml")
    geo = load_geography(config)
    postcodes = read_postcodes(config, geo.wards)
    points = read_help_points(config, geo, postcodes)
    ours = points[points["kind"] == "team"]
    assert ours["name"].tolist() == ["Tea & tablets <b>", "Palace drop-in"]  # kept as raw text
    assert ours["borough_code"].tolist() == ["E09000005", "E09000033"]  # Brent, Westminster
    assert ours["line"].tolist() == [2, 3] and ours["when"].tolist() == [
        "Tuesdays 10-12",
        "Fridays",
    ]
    result = compute_help(config, geo, None, points, postcodes)
    assert result.postcodes.at["NW6 7TA", "distance_m"] == 0
    assert (
        result.points.iloc[result.postcodes.at["NW6 7TA", "nearest"]]["name"] == "Tea & tablets <b>"
    )
    ward = result.postcodes.at["NW6 7TA", "ward"]
    near = result.nearest(*postcodes.table.loc["NW6 7TA", ["easting", "northing"]])
    assert near.iloc[0]["name"] == "Tea & tablets <b>" and len(near) == 3
    assert ward in result.wards.index


PC = b"name,postcode\n"
LL = b"name,latitude,longitude\n"
# id, file's bytes (None: no file), five-borough build, what the Error must say
BAD = [
    ("unknown-postcode", PC + b"Drop-in,ZZ9 9ZZ\n", False, ["line 2", "'ZZ9 9ZZ'", "Check it"]),
    ("missing-name", PC + b",NW6 7TA\n", False, ["line 2", "name is empty", "Give each"]),
    (
        "repeated-row",
        PC + b"Drop-in,NW6 7TA\nDrop-in,nw67ta\n",
        False,
        ["line 3", "'Drop-in' repeats line 2", "Delete one"],
    ),
    (
        "not-utf8",
        PC + "Caf\u00e9,NW6 7TA\n".encode("cp1252"),
        False,
        ["byte 18", "not UTF-8", "Save"],
    ),
    (
        "bad-url",
        b"name,postcode,url\nDrop-in,NW6 7TA,javascript:alert(1)\n",
        False,
        ["line 2", "'javascript:alert(1)'", "https://"],
    ),
    (
        "missing-columns",
        b"title,where\nDrop-in,NW6 7TA\n",
        False,
        ["line 1", "title, where", "Add"],
    ),
    (
        "outside-latlon",
        LL + b"Drop-in,52.2053,0.1218\n",
        False,
        ["line 2", "52.2053", "outside London"],
    ),
    ("bad-latlon", LL + b"Drop-in,north,0.1\n", False, ["line 2", "'north'", "decimal degrees"]),
    ("missing-file", None, False, ["help.files[0]", "ours.csv", "no such file"]),
    (
        "outside-five-boroughs",
        PC + b"Drop-in,BR1 1AA\n",
        True,
        ["line 2", "'BR1 1AA'", "site.area"],
    ),
]


@pytest.mark.parametrize(("body", "five", "wanted"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_help_file(tmp_path, monkeypatch, body, five, wanted):
    project = copy_project(tmp_path / "p")
    if five:
        _five(project)
    _with_help(project, body)
    before = tree_digest(project)
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["check"], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    assert "ours.csv" in errors[0] and "Traceback" not in result.stderr
    for w in wanted:
        assert w in result.stderr, (w, result.stderr)
    assert tree_digest(project) == before


def test_bad_help_file_stops_build(tmp_path):
    project = copy_project(tmp_path / "p")
    _with_help(project, b"name,postcode\nDrop-in,ZZ9 9ZZ\n")
    before = tree_digest(project)
    files = {p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file()}
    from conftest import run_cli

    done = run_cli("build", cwd=project)
    assert done.returncode == 1, done.stderr
    assert "Error: data/help/ours.csv: line 2: postcode 'ZZ9 9ZZ'" in done.stderr
    assert not (project / "site").exists()
    made = {p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file()}
    assert made - files == {".storymap-cache/store/lock"}  # the store's lock, no entry
    (project / ".storymap-cache" / "store" / "lock").unlink()
    assert tree_digest(project) == before


def test_closures_in_high_risk_wards(real_figures):
    config, geo, _results, index = real_figures
    result = compute_help(config, geo, index)
    ranks = index.result.wards["rank"]
    cut = np.ceil(0.2 * len(ranks))
    top = set(ranks.index[ranks <= cut])
    closed = _csv(REPO / "data" / "help" / "london_libraries_closed_2010_2023.csv")
    assert result.closed["name"].tolist() == [r["name"] for r in closed]
    assert result.closed["top_risk"].tolist() == [w in top for w in result.closed["ward"]]
    # the ward of each closed library (its nearest postcode's) mostly agrees with the ward shape
    # holding it; the shapes are generalised to 200 m, so a few near boundaries differ
    import geopandas as gpd

    pts = gpd.GeoSeries.from_xy(
        [float(r["longitude"]) for r in closed], [float(r["latitude"]) for r in closed], crs=4326
    )
    held = gpd.sjoin(
        gpd.GeoDataFrame(geometry=pts),
        geo.wards[["geometry"]].reset_index(names="ward_code"),
        how="left",
    )
    held = held[~held.index.duplicated()]
    same = (held["ward_code"].to_numpy() == result.closed["ward"].to_numpy()).mean()
    assert same >= 0.8


def test_good_help_file_passes_check(tmp_path, monkeypatch):
    project = copy_project(tmp_path / "p")
    _with_help(project, b"name,postcode,offer\nDrop-in,SE1 7PB,Help with phones\n")
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["check"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert "check help points" in result.output + result.stderr
