"""The map assets as storymap.js decodes them in Chromium, for tests to compare with Python.

``decode_page`` reads them from a built site's chapter; ``decode_scripts`` from payloads a test
made itself (storymap.js is loaded into a blank page, without Leaflet: decoding needs none).
Both return ``geo`` (Storymap.geo) and ``data`` (Storymap.data) and, per indicator: ``shown``,
each ward's figure as the map shows it (JSON would lose the sign of a "-0"); and ``tips``, each
ward's tooltip text.
"""

from __future__ import annotations

import json
from pathlib import Path

STORYMAP_JS = Path(__file__).resolve().parent.parent / "storymap" / "assets" / "storymap.js"
CHAPTER = "where-older-londoners-live.html"

READ = """async () => {
  const data = await Storymap.loadAll(), out = {geo: Storymap.geo, data: data};
  const each = f => Object.fromEntries(Object.entries(data.indicators).map(([id, ind]) =>
    [id, ind.values.map((v, i) => f(ind, v, i, id))]));
  out.shown = each((ind, v) => Storymap.formatValue(ind, v));
  out.tips = each((ind, v, i) => Storymap.tooltipFor(ind, i).textContent);
  return out;
}"""


def decode_page(browser, site_url: str) -> dict:
    return _decode(browser, lambda page: page.goto(f"{site_url}/{CHAPTER}"))


def decode_scripts(browser, geometry: dict, data: dict) -> dict:
    def load(page) -> None:
        page.set_content("<!doctype html><title>decode</title>")
        page.add_script_tag(content=f"window.STORYMAP_GEO={json.dumps(geometry)};")
        page.add_script_tag(content=f"window.STORYMAP_DATA={json.dumps(data)};")
        page.add_script_tag(path=str(STORYMAP_JS))

    return _decode(browser, load)


def _decode(browser, load) -> dict:
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    load(page)
    page.wait_for_function("() => window.Storymap && window.Storymap.geo")
    decoded = page.evaluate(READ)
    context.close()
    assert errors == []
    return decoded


def map_data(site: Path) -> dict:
    """The data payload (storymap.pages.maps.assets.data_payload) as a built site ships it, put back
    together from its map files (storymap.pages.maps.files): the index, each indicator's file, the
    wards' codes and names."""
    folder = site / "assets" / "storymap" / "map"
    (index_file,) = folder.glob("index.*.json")
    index = json.loads(index_file.read_text("utf-8"))
    indicators = {}
    for ind_id, meta in index["indicators"].items():
        figures = json.loads((folder / meta["file"]).read_text("utf-8"))
        indicators[ind_id] = {**{k: v for k, v in meta.items() if k != "file"}, **figures}
    return {
        "area": index["area"],
        "noData": index["noData"],
        "boroughs": index["boroughs"],
        "wards": {
            "codes": json.loads((folder / index["codes"]).read_text("utf-8")),
            "names": json.loads((folder / index["names"]).read_text("utf-8")),
            "borough": [b for b, n in index["wards"]["borough"] for _ in range(n)],
        },
        "indicators": indicators,
    }
