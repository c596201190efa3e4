"""A reader finds their own place, in Chromium: forgiving search, postcodes, "Use my location",
tapping and clicking wards, step addresses, and the A–Z page without JavaScript."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from storymap.config import load_config
from storymap.figures.geography import load_geography, ward_merge_map
from storymap.pages.places.search import ward_page

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parent.parent
CHAPTER = "where-older-londoners-live.html"


@pytest.fixture(scope="module")
def geo():
    return load_geography(load_config(REPO / "site_config.yml"))


def _search(page, text: str) -> None:
    box = page.locator("#site-search-input")
    # the last answer's status stays until the new query runs (120 ms after typing): clear it,
    # so the wait below is for this query's answer
    page.evaluate("() => { document.querySelector('#site-search-status').textContent = ''; }")
    box.fill(text)
    page.wait_for_function(
        "() => { const s = document.querySelector('#site-search-status').textContent;"
        " return s && !s.startsWith('Searching') && !s.startsWith('Loading'); }",
        timeout=30000,
    )


@pytest.mark.parametrize(
    "typed, name, kind",
    [
        ("Kilbern", "Kilburn", "Ward in"),  # one wrong letter
        ("Westminister", "Westminster", "Borough"),  # one letter too many
        ("Rotherhythe", "Rotherhithe", "Ward in"),  # one wrong letter
        ("Kilbrun", "Kilburn", "Ward in"),  # two letters swapped
        ("Camdn Town", "Camden Town", "Ward in"),  # one letter missing
    ],
)
def test_search_forgives_typos(page, site_url, typed, name, kind) -> None:
    page.goto(f"{site_url}/method.html")
    _search(page, typed)
    first = page.locator("#site-search-results li").first
    assert first.locator("a").inner_text() == name
    assert first.locator(".search-where").inner_text().startswith(kind)
    assert re.match(r"\d+ places? (and \d+ pages? )?found", page.inner_text("#site-search-status"))


def test_places_come_first_each_with_its_borough(page, site_url) -> None:
    page.goto(f"{site_url}/index.html")
    _search(page, "kilburn")
    items = page.locator("#site-search-results li")
    assert items.nth(0).locator("a").inner_text() == "Kilburn"
    wheres = {items.nth(i).locator(".search-where").inner_text() for i in range(2)}
    assert wheres == {"Ward in Brent", "Ward in Camden"}
    _search(page, "older")  # no place is called that: chapters and pages answer
    assert page.locator("#site-search-results a").count() > 0
    assert "page" in page.inner_text("#site-search-status")


@pytest.mark.parametrize(
    "typed, code",
    [
        ("nw67ta", "E05013503"),  # Brent, Kilburn
        ("SW1A 1AA", "E05013806"),  # Westminster, St James's
        ("se1  7pb", "E05014118"),  # Lambeth, Waterloo & South Bank
        (" e16an ", "E09000001"),  # the City of London (its wards merged into one unit)
        ("Br1 1AA", "E05013991"),  # Bromley
    ],
)
def test_a_postcode_opens_its_ward(page, site_url, geo, typed, code) -> None:
    config = load_config(REPO / "site_config.yml")
    table = pd.read_csv(
        REPO / "data/postcodes/london_postcode_wards_codepoint_2025-4.csv", dtype=str
    ).set_index("postcode")["ward_code"]
    key = re.sub(r"\s+", "", typed).upper()
    assert ward_merge_map(config, geo.wards)[table[key[:-3] + " " + key[-3:]]] == code
    page.goto(f"{site_url}/method.html")
    box = page.locator("#site-search-input")
    box.focus()
    page.keyboard.type(typed)
    page.keyboard.press("Enter")  # the answer, then Enter again opens it
    page.wait_for_function("() => document.activeElement.closest('#site-search-results')")
    status = page.inner_text("#site-search-status")
    assert status.startswith(key[:-3] + " " + key[-3:] + " is in ")
    credit = page.inner_text("#site-search-results .search-credit")
    assert "Ordnance Survey" in credit and "Royal Mail" in credit
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(ward_page(geo, code)) + "$"))
    assert page.locator("h1").first.inner_text().startswith(str(geo.wards.at[code, "name"]))


@pytest.mark.parametrize(
    "typed, said",
    [
        ("M1 1AE", "M1 1AE is not in London."),
        ("nw6 9zz", "NW6 9ZZ was not found among London’s postcodes."),
        ("QQ1 1AA", "QQ1 1AA was not found."),
        ("N1P 1AD", "N1P 1AD is a PO box, not an address"),  # in the data, at its sorting office
        ("se1p 5ld", "SE1P 5LD is a PO box, not an address"),
    ],
)
def test_postcodes_outside_or_unknown_say_so(page, site_url, typed, said) -> None:
    page.goto(f"{site_url}/method.html")
    _search(page, typed)
    assert page.inner_text("#site-search-status").startswith(said)
    assert page.locator("#site-search-results a").count() == 0


def _inside(geo, code: str) -> tuple[float, float]:
    """A point well inside a ward (100 m from its edge), from the bundled shapes."""
    shape = geo.wards.to_crs(27700).geometry[code].buffer(-100)
    point = gpd.GeoSeries([shape.representative_point()], crs=27700).to_crs(4326).iloc[0]
    return point.x, point.y


# Kilburn (Brent), Peckham (Southwark), Underhill (Barnet)
@pytest.mark.parametrize("code", ["E05013503", "E05011110", "E05013647"])
def test_use_my_location_finds_the_ward_there(browser, site_url, geo, code) -> None:
    lon, lat = _inside(geo, code)
    context = browser.new_context(
        geolocation={"longitude": lon, "latitude": lat}, permissions=["geolocation"]
    )
    page = context.new_page()
    page.goto(f"{site_url}/data-checks.html")  # a page without a map: shapes load on demand
    assert page.evaluate("typeof window.Storymap") == "undefined"
    page.click("button.search-locate")
    page.wait_for_function(
        "() => document.querySelector('#site-search-status').textContent.startsWith('You are in')",
        timeout=30000,
    )
    name = geo.wards.at[code, "name"]
    status = page.inner_text("#site-search-status")
    assert status.startswith(f"You are in {name}, {geo.wards.at[code, 'borough_name']}.")
    page.click("#site-search-results a")  # the ward's page, one tap away
    page.wait_for_url(re.compile(re.escape(ward_page(geo, code)) + "$"), timeout=30000)
    context.close()


def test_a_location_outside_the_area_names_the_nearest_ward(browser, site_url) -> None:
    context = browser.new_context(
        geolocation={"longitude": 2.3522, "latitude": 48.8566}, permissions=["geolocation"]
    )  # Paris
    page = context.new_page()
    page.goto(f"{site_url}/index.html")
    page.click("button.search-locate")
    page.wait_for_function(
        "() => document.querySelector('#site-search-status').textContent"
        ".startsWith('Your location is outside London')",
        timeout=30000,
    )
    status = page.locator("#site-search-status")
    assert status.is_visible()
    assert re.search(r"The nearest ward is .+, .+, about \d+ km away\.", status.inner_text())
    assert page.locator("#site-search-results a").first.get_attribute("href").startswith("wards/")
    context.close()


def test_refused_location_says_so(browser, site_url) -> None:
    context = browser.new_context()  # permission not granted: Chromium refuses
    page = context.new_page()
    page.goto(f"{site_url}/index.html")
    page.click("button.search-locate")
    page.wait_for_function(
        "() => document.querySelector('#site-search-status').textContent"
        ".startsWith('You did not allow')",
        timeout=30000,
    )
    assert page.locator("#site-search-status").is_visible()
    context.close()


def test_no_location_button_without_geolocation(browser, site_url) -> None:
    context = browser.new_context()
    context.add_init_script("delete Navigator.prototype.geolocation;")
    page = context.new_page()
    page.goto(f"{site_url}/index.html")
    assert page.locator("#site-search-input").is_visible()
    assert page.locator("button.search-locate").count() == 0
    context.close()


MAP_READY = "Storymap.maps[document.querySelector('.storymap-leaflet').id].ready.then(() => 1)"


def _ward_on_screen(page) -> dict:
    """A point on screen, inside the map, where a ward is drawn, and that ward's code and name.
    The wards are painted on one canvas, so the ward under the point comes from the site's own
    point-in-shape search (Storymap.wardAt) on the shapes it ships."""
    page.wait_for_function("() => window.Storymap && Object.values(Storymap.maps).length > 0")
    page.evaluate(MAP_READY)
    found = page.evaluate("""async () => {
        const el = document.querySelector('.storymap-leaflet');
        const c = Storymap.maps[el.id], r = el.getBoundingClientRect();
        const top = Math.max(r.top, 0), bottom = Math.min(r.bottom, innerHeight);
        await Storymap.loadCodes(); await Storymap.loadNames();
        for (const fy of [0.5, 0.4, 0.6, 0.3, 0.7]) {
          for (const fx of [0.5, 0.4, 0.6, 0.3, 0.7]) {
            const x = r.left + fx * r.width, y = top + fy * (bottom - top);
            const hit = document.elementFromPoint(x, y);
            if (!hit || hit.tagName !== 'CANVAS') { continue; }
            const at = async (dx, dy) => {
              const ll = c.map.containerPointToLatLng([x + dx - r.left, y + dy - r.top]);
              return Storymap.wardAt(ll.lng, ll.lat); };
            const i = await at(0, 0);
            if (i >= 0) {
              // the wards within 3 px: the drawn shapes are simplified, so a tap there may
              // find a neighbour of the ward the shapes at full detail hold the point in
              const near = await Promise.all([[0, 0], [3, 0], [-3, 0], [0, 3], [0, -3]]
                .map(([dx, dy]) => at(dx, dy)));
              const d = Storymap.data.wards;
              return {x, y, code: d.codes[i], name: d.names[i],
                      near: near.filter(j => j >= 0).map(j => d.names[j])};
            }
          }
        }
        return null; }""")
    assert found, "no ward drawn on screen inside the map"
    return found


@pytest.mark.parametrize("width", [320, 375])
def test_a_tapped_ward_shows_its_box_on_screen(browser, site_url, width) -> None:
    context = browser.new_context(
        viewport={"width": width, "height": 640}, has_touch=True, is_mobile=True
    )
    page = context.new_page()
    page.goto(f"{site_url}/{CHAPTER}")
    page.wait_for_selector(".storymap-leaflet canvas")
    page.evaluate("document.querySelector('.storymap-leaflet').scrollIntoView({block: 'end'})")
    page.wait_for_timeout(800)
    ward = _ward_on_screen(page)
    page.touchscreen.tap(ward["x"], ward["y"])
    box = page.locator(".storymap-wardbox")
    box.wait_for(state="visible")
    b = box.bounding_box()
    assert b["x"] >= 0 and b["y"] >= 0
    assert b["x"] + b["width"] <= width and b["y"] + b["height"] <= 640
    text = box.inner_text()
    name = text.split("\n")[0]
    assert name in ward["near"]  # the ward tapped (or, on its very edge, its neighbour)
    code = page.evaluate(
        "n => Storymap.data.wards.codes[Storymap.data.wards.names.indexOf(n)]", name
    )
    # wards showing the same figure share a rank, told as "Joint rank 633 of 680" (issue 26)
    assert re.search(r"(Joint r|R)ank \d+ of 680", text) and re.search(r"\d", text.split("\n")[2])
    link = box.locator("a.storymap-wardbox-open")
    assert link.inner_text() == f"Open the {name} page"
    assert re.fullmatch(
        rf"wards/[a-z-]+/{code}\.html", link.get_attribute("href").removeprefix(site_url + "/")
    )
    assert not page.locator(".leaflet-tooltip").is_visible()  # Leaflet's own would overflow
    link.tap()
    page.wait_for_url(re.compile(rf"/wards/[a-z-]+/{code}\.html$"))
    assert page.locator("h1").first.inner_text().startswith(name)
    context.close()


def test_on_a_desktop_a_click_or_enter_opens_the_ward(page, site_url) -> None:
    page.goto(f"{site_url}/{CHAPTER}")
    page.wait_for_selector(".storymap-leaflet canvas")
    page.wait_for_timeout(800)
    ward = _ward_on_screen(page)
    page.mouse.click(ward["x"], ward["y"])
    page.wait_for_url(re.compile(r"/wards/[a-z-]+/E0\d{7}\.html$"))
    heading = page.locator("h1").first.inner_text()
    assert any(heading.startswith(n) for n in ward["near"]), heading
    # the keyboard: Tab to the map, the ward under its centre is told, Enter opens it
    page.go_back()
    page.wait_for_selector(".storymap-leaflet canvas")
    page.evaluate(MAP_READY)
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('storymap-leaflet')"):
            break
    else:
        raise AssertionError("Tab never reaches the map")
    told = page.locator(".storymap-centre-ward")
    page.wait_for_function(
        "() => / Press Enter to open its page\\.$/.test("
        "document.querySelector('.storymap-centre-ward').textContent)"
    )
    centre = page.evaluate("""async () => {
        const c = Storymap.maps[document.querySelector('.storymap-leaflet').id].map.getCenter();
        const i = await Storymap.wardAt(c.lng, c.lat);
        return {code: Storymap.data.wards.codes[i], name: Storymap.data.wards.names[i]}; }""")
    assert told.inner_text().startswith(centre["name"] + ", ")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/wards/[a-z-]+/{centre['code']}\.html$"))


def test_a_step_address_opens_that_step_and_follows_the_reader(browser, site_url) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{site_url}/{CHAPTER}#step-3")
    page.wait_for_selector(".storymap-leaflet canvas")
    steps = page.evaluate("Array.from(document.querySelectorAll('.storymap-step')).map(s => s.id)")
    page.wait_for_function(
        "id => document.querySelector('.storymap-scrolly').dataset.activeStep === id", arg=steps[2]
    )
    third = page.evaluate("document.querySelectorAll('.storymap-step')[2].dataset.indicator")
    page.wait_for_function(  # the map is set for the step once its figures have arrived
        "id => document.querySelector('.storymap-leaflet').dataset.indicator === id", arg=third
    )
    length = page.evaluate("history.length")
    scroll_to = (
        "i => document.querySelectorAll('.storymap-step')[i].scrollIntoView({block: 'center'})"
    )
    page.evaluate(scroll_to, 3)
    page.wait_for_function("() => location.hash === '#step-4'")
    page.evaluate(scroll_to, 0)
    page.wait_for_function("() => location.hash === '#step-1'")
    assert page.evaluate("history.length") == length  # replaced, not pushed
    page.reload()
    page.wait_for_function(
        "id => document.querySelector('.storymap-scrolly').dataset.activeStep === id", arg=steps[0]
    )
    context.close()


def test_without_javascript_a_step_address_still_scrolls_to_its_step(browser, site_url) -> None:
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.goto(f"{site_url}/{CHAPTER}#step-3")
    top, bottom = page.evaluate(
        "(r => [r.top, r.bottom])(document.querySelectorAll('.storymap-step')[2]"
        ".getBoundingClientRect())"
    )
    assert -60 < top < 100 and bottom > 200  # the third step is at the top of the screen
    context.close()


def test_without_javascript_the_a_to_z_page_lists_every_ward(browser, site_url) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site_url}/method.html")
    link = page.locator("header a", has_text="All places A–Z")
    assert link.is_visible()
    link.click()
    page.wait_for_url(re.compile(r"/places\.html$"))
    wards = page.locator(".storymap-az-wards a")
    assert wards.count() == 680
    assert len(set(wards.evaluate_all("els => els.map(e => e.getAttribute('href'))"))) == 680
    # by the ward's own initial, not its borough's: K holds both Kilburns, each with its borough
    page.locator(".storymap-az-letters a", has_text="K").first.click()
    k = page.locator("section#letter-k")
    kilburns = k.locator("li", has_text="Kilburn").all()
    assert [li.locator("small").inner_text() for li in kilburns][:2] == [
        "Brent",
        "Camden",
    ]
    initials = page.locator("section.storymap-az-letter").evaluate_all(
        "els => els.map(s => [s.id, Array.from(s.querySelectorAll('li > a'),"
        " a => a.textContent.trim()[0].toUpperCase())])"
    )
    for section_id, firsts in initials:
        assert set(firsts) == {section_id[-1].upper()}, section_id
    assert page.locator("#boroughs a", has_text="Brent").count() == 1
    kilburns[0].locator("a").click()
    page.wait_for_url(re.compile(r"/wards/brent/E05013503\.html$"))
    context.close()
