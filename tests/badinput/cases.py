"""Mistakes in the config, a chapter, a data file or a path, each with the Error it must give.

Each :class:`Case` breaks a copy of the project (``break_(project)``), runs ``storymap <command>``
there and expects exit status 1, no traceback, and an ``Error:`` that contains ``expect`` (which
names the file and the key, row, line or feature). Cases whose mistake could only show while the
site is written run ``build``; the rest run ``check``, which never writes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

CONFIG = "site_config.yml"
WARDS = "data/boundaries/london_wards_2022_bsc_citymerged_4326.geojson"
WARD_LAD = "data/lookups/lookup_ward22_lad22_london.csv"
AGE = "data/census2021/london_lsoa21_age65plus_census2021_rm121.csv"
DISABILITY = "data/census2021/london_lsoa21_disability_census2021_ts038.csv"
CHAPTER = "chapters/05-connectivity.md"
SHAPES = "data/boundaries/london_lsoa21_bgc20m_topo15m_4326.json"


@dataclass(frozen=True)
class Case:
    id: str
    break_: Callable[[Path], None]
    expect: str | tuple[str, ...]  # every string must appear in the Error block
    command: tuple[str, ...] = ("check",)
    absent: tuple[str, ...] = ()  # strings that must not appear in the output
    mkdocs: bool = False  # the build gets as far as MkDocs, which rewrites its working folder
    max_chars: int | None = None  # the whole Error output must be at most this long


# --- helpers ----------------------------------------------------------------------------------


def edit(rel: str, old: str, new: str, count: int = 1) -> Callable[[Path], None]:
    def apply(project: Path) -> None:
        path = project / rel
        text = path.read_text("utf-8")
        assert old in text, f"{rel}: {old!r} not found; update the case"
        path.write_text(text.replace(old, new, count), "utf-8")

    return apply


def write(rel: str, data: str | bytes) -> Callable[[Path], None]:
    def apply(project: Path) -> None:
        path = project / rel
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)

    return apply


def append_chapter(text: str, rel: str = CHAPTER) -> Callable[[Path], None]:
    def apply(project: Path) -> None:
        path = project / rel
        path.write_text(path.read_text("utf-8") + text, "utf-8")

    return apply


def csv_cell(rel: str, row: int, column: str, value: str) -> Callable[[Path], None]:
    """Set one cell (row 2 = first data row, as in the error messages)."""

    def apply(project: Path) -> None:
        path = project / rel
        lines = path.read_text("utf-8-sig").splitlines()
        header = lines[0].split(",")
        cells = lines[row - 1].split(",")
        cells[header.index(column)] = value
        lines[row - 1] = ",".join(cells)
        path.write_text("\n".join(lines) + "\n", "utf-8")

    return apply


def csv_transform(rel: str, fn: Callable[[list[str]], list[str]]) -> Callable[[Path], None]:
    def apply(project: Path) -> None:
        path = project / rel
        path.write_text("\n".join(fn(path.read_text("utf-8-sig").splitlines())) + "\n", "utf-8")

    return apply


def boundaries(fn: Callable[[dict], None]) -> Callable[[Path], None]:
    def apply(project: Path) -> None:
        path = project / WARDS
        data = json.loads(path.read_text("utf-8"))
        fn(data)
        path.write_text(json.dumps(data), "utf-8")

    return apply


def _wrong_crs(data: dict) -> None:
    data["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}


def _bowtie(data: dict) -> None:
    feature = data["features"][5]
    feature["geometry"] = {
        "type": "Polygon",
        "coordinates": [[[-0.1, 51.5], [-0.09, 51.51], [-0.09, 51.5], [-0.1, 51.51], [-0.1, 51.5]]],
    }


def _no_geometry(data: dict) -> None:
    data["features"][3]["geometry"] = None


def _no_features(data: dict) -> None:
    data["features"] = []


def _duplicate_row(lines: list[str]) -> list[str]:
    return lines + [lines[1]]


def _semicolons(lines: list[str]) -> list[str]:
    return [line.replace(",", ";") for line in lines]


def _latin1(project: Path) -> None:
    path = project / WARD_LAD
    text = path.read_text("utf-8").replace("Aldersgate", "Aldersgäte", 1)
    path.write_bytes(text.encode("latin-1"))


def _huge(project: Path) -> None:
    with open(project / DISABILITY, "r+b") as fh:  # sparse: no disk used, never read
        fh.truncate(61_000_000)


def _not_folder(project: Path) -> None:
    (project / "site.txt").write_text("not a folder\n", "utf-8")


# --- the corpus -------------------------------------------------------------------------------

CASES = [
    # config
    Case(
        "config-invalid-yaml",
        write(CONFIG, "site: [unclosed\n"),
        "site_config.yml line 2, column 1: invalid YAML",
    ),
    Case(
        "config-unknown-key",
        edit(CONFIG, "  language: en\n", "  language: en\n  colour: red\n"),
        "site_config.yml: site.colour: unknown key",
    ),
    Case(
        "config-wrong-type",
        edit(CONFIG, "  simplify_metres: 30", "  simplify_metres: thirty"),
        "site_config.yml: geography.simplify_metres: Input should be a valid number",
    ),
    Case(
        "config-missing-key",
        edit(CONFIG, "  language: en\n", "  language: [en, cy]\n"),
        "site_config.yml: site.language: Input should be a valid string",
    ),
    Case(
        "config-indicator-missing-column",
        edit(CONFIG, "numerator: age_75_plus", "numerator: age_75_and_over"),
        f"{AGE}: missing column(s) age_75_and_over needed by source 'census_age'",
    ),
    Case(
        "config-component-weights-zero",
        edit(
            CONFIG,
            "{indicator: older_income_deprived, weight: 1}",
            "{indicator: older_income_deprived, weight: 0}",
        ),
        "site_config.yml: index.components.deprivation: indicator weights sum to zero",
    ),
    Case(
        "config-unknown-borough",
        edit(CONFIG, "    boroughs: all", "    boroughs: [Barnet, Atlantis]"),
        "site_config.yml: site.area.boroughs[1]: 'Atlantis' is not a borough of the ward layer",
    ),
    Case(
        "config-undeclared-source",
        edit(CONFIG, "source: census_disability", "source: census_dis"),
        "'census_dis' is not a declared source",
    ),
    Case(
        "config-unknown-indicator-in-index",
        edit(CONFIG, "{indicator: pct_disabled, weight: 1}", "{indicator: pct_disabld, weight: 1}"),
        "index.components.health.indicators[0].indicator: 'pct_disabld' is not a declared "
        "indicator. Did you mean 'pct_disabled'?",
    ),
    Case(
        "config-not-a-mapping",
        write(CONFIG, "- site\n- sources\n"),
        "site_config.yml: expected a mapping of settings",
    ),
    Case(
        "config-not-utf8",
        write(CONFIG, "site:\n  title: Caf\xe9\n".encode("latin-1")),
        "site_config.yml: not UTF-8 text (byte 18 is 0xe9",
    ),
    Case(
        "config-too-large",
        write(CONFIG, "# " + "x" * 1_000_001 + "\n"),
        "site_config.yml: file is larger than 1000000 bytes",
    ),
    Case(
        "config-missing-chapter",
        edit(CONFIG, "file: chapters/05-connectivity.md", "file: chapters/05-connectivty.md"),
        "chapters/05-connectivty.md does not exist",
    ),
    Case(
        "config-bad-palette",
        edit(CONFIG, "maps:\n", "maps:\n  no_data_colour: grey\n"),
        "site_config.yml: maps.no_data_colour: String should match pattern",
    ),
    # chapters
    Case(
        "chapter-unclosed-jinja",
        append_chapter("\nWe {{ london.pct_65_plus \n"),
        (f"{CHAPTER} line", "a {{ on line", "is not closed: add }}"),
    ),
    Case(
        "chapter-unknown-variable",
        append_chapter("\n{{ londn.pct_65_plus }}\n"),
        (f"{CHAPTER} line", "'londn' is undefined"),
    ),
    Case(
        "chapter-step-unknown-ward",
        append_chapter("\n```step\nfocus: Barnet\nhighlight: [Nowhere Green]\n```\nText.\n"),
        (f"{CHAPTER} line", "highlight: ward 'Nowhere Green' not found"),
    ),
    Case(
        "chapter-step-unknown-focus",
        append_chapter("\n```step\nfocus: Atlantis\n```\nText.\n"),
        (f"{CHAPTER} line", "focus 'Atlantis' is not London, a borough or a ward"),
    ),
    Case(
        "chapter-broken-step-settings",
        append_chapter("\n```step\nindicator: [pct_65_plus\n```\nText.\n"),
        (f"{CHAPTER} line", "the step settings cannot be read"),
    ),
    Case(
        "chapter-binary-file",
        write(CHAPTER, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        f"{CHAPTER}: this is a binary file, not text (a NUL byte at byte 8)",
    ),
    Case(
        "chapter-not-utf8",
        write(CHAPTER, "# Caf\xe9 culture\n".encode("latin-1")),
        f"{CHAPTER}: not UTF-8 text (byte 5 is 0xe9",
    ),
    Case(
        "chapter-raw-script",
        append_chapter("\n<script>alert(1)</script>\n"),
        (f"{CHAPTER} line", "raw <script> in a chapter is not allowed"),
    ),
    Case(
        "chapter-event-handler",
        append_chapter('\n<img src="x" onerror="alert(1)">\n'),
        (f"{CHAPTER} line", "an on…= event handler in an HTML tag in a chapter is not allowed"),
    ),
    Case(
        "chapter-javascript-link",
        append_chapter("\n[Click](javascript:alert(1))\n"),
        (f"{CHAPTER} line", "a javascript: link in a chapter is not allowed"),
    ),
    Case(
        "chapter-unknown-indicator",
        append_chapter('\n{{ map("pct_85_plus") }}\n'),
        (f"{CHAPTER} line", "'pct_85_plus' is not a declared indicator"),
    ),
    Case(
        "chapter-build-unknown-ward",
        append_chapter('\n{{ ward("Nowhere Green").name }}\n'),
        (f"{CHAPTER} line", "ward 'Nowhere Green' not found"),
        ("build",),
    ),
    # data
    Case("data-empty-file", write(WARD_LAD, ""), f"{WARD_LAD}: the file is empty"),
    Case(
        "data-header-only",
        write(WARD_LAD, "WD22CD,WD22NM,LAD22CD,LAD22NM\n"),
        f"{WARD_LAD}: has a header but no rows",
    ),
    Case(
        "data-wrong-delimiter",
        csv_transform(DISABILITY, _semicolons),
        f"{DISABILITY}: columns are separated by ';', not commas",
    ),
    Case(
        "data-text-in-numbers",
        csv_cell(DISABILITY, 5, "pop_total", "n/a"),
        f"{DISABILITY} rows 5: pop_total is not a number (n/a)",
    ),
    Case(
        "data-negative-count",
        csv_cell(DISABILITY, 7, "disabled_equality_act", "-12"),
        f"{DISABILITY} rows 7: disabled_equality_act is negative",
    ),
    Case(
        "data-numerator-above-denominator",
        csv_cell(DISABILITY, 9, "disabled_equality_act", "999999"),
        f"{DISABILITY} rows 9: disabled_equality_act is larger than pop_total",
    ),
    Case(
        "data-duplicate-codes",
        csv_transform(DISABILITY, _duplicate_row),
        (f"{DISABILITY} rows 2, ", "duplicate LSOA21CD"),
    ),
    Case(
        "data-old-ward-codes",
        csv_cell(WARD_LAD, 100, "WD22CD", "E05000026"),
        (
            f"{WARD_LAD} rows 100: WD22CD E05000026 match no ward",
            "look like ward codes from before the December 2022 boundary changes",
        ),
    ),
    Case("data-not-utf8", _latin1, f"{WARD_LAD}: not UTF-8 text"),
    Case(
        "data-binary", write(AGE, b"PK\x03\x04\x00\x00binary zip"), f"{AGE}: this is a binary file"
    ),
    Case(
        "data-missing-file",
        lambda p: os.remove(p / DISABILITY),
        f"sources.census_disability.file: {DISABILITY} does not exist",
    ),
    Case("data-too-large", _huge, f"{DISABILITY}: 61,000,000 bytes is over the 60,000,000-byte"),
    Case(
        "geometry-wrong-crs",
        boundaries(_wrong_crs),
        f"{WARDS}: coordinates are in EPSG:27700, expected EPSG:4326",
    ),
    Case("geometry-invalid", boundaries(_bowtie), (f"{WARDS}: features ", "have invalid geometry")),
    Case(
        "geometry-empty", boundaries(_no_geometry), (f"{WARDS}: features ", "have empty geometry")
    ),
    Case("geometry-no-features", boundaries(_no_features), f"{WARDS}: holds no features"),
    Case(
        "neighbourhood-shapes-not-topojson",
        write(SHAPES, '{"type": "FeatureCollection", "features": []}'),
        (f"{SHAPES}: cannot be read as TopoJSON shapes", "storymap.data.compact"),
        ("build",),
    ),
    Case(
        "neighbourhoods-unknown-indicator",
        edit(
            CONFIG, "indicators: [pct_65_plus, pct_75_plus", "indicators: [pct_85_plus, pct_75_plus"
        ),
        "neighbourhoods.indicators[0]: 'pct_85_plus' is not a declared indicator",
    ),
    # paths
    Case(
        "out-inside-data",
        lambda p: None,
        "the output folder is inside data/",
        ("build", "--out", "data/site"),
    ),
    Case(
        "out-is-project-root",
        lambda p: None,
        "the output folder would replace the project",
        ("build", "--out", "."),
    ),
    Case(
        "out-is-a-file", _not_folder, "exists and is not a folder", ("build", "--out", "site.txt")
    ),
]
