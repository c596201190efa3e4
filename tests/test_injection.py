"""Script injected through a data file shows as text and never runs.

Ward and borough names in a copy of the ward boundaries (WD22NM, LAD22NM) and the ward lookup are
replaced by injection strings; the site is built from them, served on 127.0.0.1 and read in
Chromium: no dialog opens, no console error (CSP violations included) is logged, and the names
appear as text on a ward page, a borough page, a chapter's step table and map tooltip, the
downloads page and in the downloaded CSV, where a formula is neutralised for spreadsheets.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from conftest import copy_built, serve_folder

from storymap.build import build
from storymap.config import load_config
from storymap.output.csp import inline_scripts

WARD_IMG = "<img src=x onerror=alert(1)>"  # a Barnet ward: shown in chapter tables and tooltips
WARD_SVG = '"><svg/onload=alert(2)>'  # a ward of the renamed borough
WARD_TITLE = "</title><script>alert(3)</script>"  # breaks out of <title> if escaped once only
WARD_FORMULA = '=HYPERLINK("http://evil.example","x")'  # a Brent ward: a spreadsheet formula
BOROUGH_SCRIPT = "</script><script>alert(4)</script>"  # Camden's name (no chapter names Camden)
BOUNDARIES = "data/boundaries/london_wards_2022_bsc_citymerged_4326.geojson"
LOOKUP = "data/lookups/lookup_ward22_lad22_london.csv"


def inject(project: Path) -> dict[str, str]:
    """Rename a few wards and a borough in the boundaries and the lookup; return name -> code."""
    path = project / BOUNDARIES
    data = json.loads(path.read_text("utf-8"))
    codes: dict[str, str] = {}
    plan = {"Barnet": [WARD_IMG, WARD_TITLE], "Brent": [WARD_FORMULA], "Camden": [WARD_SVG]}
    for feature in data["features"]:
        props = feature["properties"]
        wanted = plan.get(props["LAD22NM"])
        if wanted:
            name = wanted.pop(0)
            codes[name] = props["WD22CD"]
            props["WD22NM"] = name
        if props["LAD22NM"] == "Camden":
            codes.setdefault(BOROUGH_SCRIPT, props["LAD22CD"])
            props["LAD22NM"] = BOROUGH_SCRIPT
    path.write_text(json.dumps(data), "utf-8")
    lookup = project / LOOKUP
    rows = list(csv.DictReader(io.StringIO(lookup.read_text("utf-8-sig"))))
    names = {code: name for name, code in codes.items()}
    for row in rows:
        row["WD22NM"] = names.get(row["WD22CD"], row["WD22NM"])
        if row["LAD22NM"] == "Camden":
            row["LAD22NM"] = BOROUGH_SCRIPT
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    lookup.write_text(out.getvalue(), "utf-8")
    return codes


@pytest.fixture(scope="module")
def injected(tmp_path_factory, built_project) -> tuple[Path, dict[str, str]]:
    project = copy_built(built_project, tmp_path_factory.mktemp("inject") / "project")
    codes = inject(project)
    build(load_config(project / "site_config.yml"), project / "site")
    return project / "site", codes


@pytest.fixture(scope="module")
def injected_url(injected):
    server, url = serve_folder(injected[0])
    yield url
    server.shutdown()


def _watch(page) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {"dialogs": [], "errors": []}

    def on_dialog(dialog) -> None:
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda exc: seen["errors"].append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and seen["errors"].append(msg.text))
    return seen


def _open(page, url: str) -> dict[str, list[str]]:
    seen = _watch(page)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return seen


def _clean(seen: dict[str, list[str]]) -> None:
    assert seen["dialogs"] == [], f"a script ran: {seen['dialogs']}"
    assert seen["errors"] == [], f"console errors: {seen['errors']}"


def test_built_html_has_no_raw_injection(injected):
    site, _codes = injected
    for path in site.rglob("*.html"):
        text = path.read_text("utf-8")
        for raw in (WARD_IMG, WARD_SVG, BOROUGH_SCRIPT, "<script>alert(3)"):
            assert raw not in text, f"{path.relative_to(site)} holds {raw!r} unescaped"
        assert 'http-equiv="Content-Security-Policy"' in text, path


def test_ward_page_shows_name_as_text(page, injected, injected_url):
    _site, codes = injected
    seen = _open(page, f"{injected_url}/wards/barnet/{codes[WARD_IMG]}.html")
    assert page.locator("article h1").first.inner_text() == WARD_IMG
    assert WARD_IMG in page.title()
    assert page.locator("article img[src='x']").count() == 0
    nav = page.locator("nav.nav-wide")
    assert nav.get_by_text(WARD_IMG, exact=True).count() >= 1  # nav label shown as text
    _clean(seen)


def test_title_breakout_stays_text(page, injected, injected_url):
    _site, codes = injected
    seen = _open(page, f"{injected_url}/wards/barnet/{codes[WARD_TITLE]}.html")
    assert page.title().startswith(WARD_TITLE)
    assert page.locator("article h1").first.inner_text() == WARD_TITLE
    _clean(seen)


def test_borough_page_and_its_ward(page, injected, injected_url):
    _site, codes = injected
    seen = _open(page, f"{injected_url}/boroughs/script-script-alert-4-script.html")
    assert page.locator("article h1").first.inner_text() == BOROUGH_SCRIPT
    assert page.locator("article").get_by_text(WARD_SVG, exact=True).count() >= 1
    assert page.locator("svg[onload]").count() == 0
    _clean(seen)


def test_chapter_table_and_tooltip(page, injected, injected_url):
    _site, codes = injected
    seen = _open(page, f"{injected_url}/connectivity.html")
    cells = page.locator(".storymap-table th[scope='row']")
    names = [cells.nth(i).text_content() for i in range(cells.count())]
    assert WARD_IMG in names
    assert BOROUGH_SCRIPT in names  # the whole-area step lists boroughs
    page.wait_for_selector(".storymap-leaflet[data-drawn]")
    tooltip = page.evaluate(
        """async code => {
            const data = await Storymap.loadAll();
            const layer = Object.values(Storymap.maps)[0].layers[data.wards.codes.indexOf(code)];
            if (!layer) return null;
            layer.openTooltip(layer.getBounds().getCenter());
            return document.querySelector('.leaflet-tooltip').textContent;
        }""",
        codes[WARD_IMG],
    )
    assert tooltip is not None and tooltip.startswith(WARD_IMG)
    assert page.locator(".leaflet-tooltip img").count() == 0
    _clean(seen)


def test_downloads_page_and_csv(page, injected, injected_url):
    site, codes = injected
    seen = _open(page, f"{injected_url}/downloads.html")
    assert page.locator("article").get_by_text(BOROUGH_SCRIPT).count() >= 1
    _clean(seen)
    text = (site / "downloads" / "london-wards.csv").read_text("utf-8-sig")
    rows = {r["Ward code"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows[codes[WARD_FORMULA]]["Ward"] == "'" + WARD_FORMULA  # not a formula in Excel
    assert rows[codes[WARD_IMG]]["Ward"] == WARD_IMG  # data files keep the value as text
    assert rows[codes[WARD_SVG]]["Borough"] == BOROUGH_SCRIPT
    for line in text.splitlines()[1:]:
        assert not re.search(r'(^|,)"?[=+@]', line), line
    from openpyxl import load_workbook

    sheet = load_workbook(site / "downloads" / "london.xlsx")["Wards"]
    names = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    cell = names[codes[WARD_FORMULA]]
    assert cell.value == WARD_FORMULA and cell.data_type == "s"  # text, not a formula


def test_search_index_titles_escaped(injected):
    """Place names reach the search as JSON text (search.js shows them with textContent, never as
    HTML); the page index keeps MkDocs' escaped titles."""
    site, codes = injected
    places = json.loads((site / "search" / "places" / "i.json").read_text("utf-8"))["places"]
    names = {p[3]: p[1] for p in places}
    assert names[f"wards/barnet/{codes[WARD_IMG]}.html"] == "<img src=x onerror=alert(1)>"
    theme = (Path(__file__).resolve().parent.parent / "storymap/assets/search.js").read_text()
    assert ".innerHTML" not in theme.replace("box.innerHTML = html;", "")
    index = json.loads((site / "search" / "search_index.json").read_text("utf-8"))
    assert all("<" not in d["title"] for d in index["docs"])


def test_no_page_has_an_inline_script_and_no_policy_a_hash(injected):
    """Every script is a file of the site: each page's CSP is script-src 'self', no hashes."""
    site, _codes = injected
    for path in site.rglob("*.html"):
        text = path.read_text("utf-8")
        assert inline_scripts(text) == [], path.name
        policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', text)[1]
        assert "script-src 'self';" in policy and "sha256-" not in policy, path.name
