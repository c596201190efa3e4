"""Finding a place without the browser: postcodes read as typed, the bundled postcode table and
its derivation, the place and postcode lookup files, link-preview images, the A–Z page, and
`storymap fetch` of Code-Point Open from a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from codepoint import codepoint_zip

from storymap.commands.cli import main
from storymap.config import load_config
from storymap.data.postcodes import COLUMNS, derive, postcode_key, rows_from_csv
from storymap.figures.geography import load_geography
from storymap.output.weight import search_loads
from storymap.pages.maps.raster import fill, png
from storymap.pages.places.postcodes import write_postcode_lookups
from storymap.pages.places.search import az_page, fold, place_shards

REPO = Path(__file__).resolve().parent.parent
POSTCODES = REPO / "data/postcodes/london_postcode_wards_codepoint_2025-4.csv"
WARD_LOOKUP = REPO / "data/lookups/lookup_ward22_lad22_london.csv"


@pytest.fixture(scope="module")
def config():
    return load_config(REPO / "site_config.yml")


@pytest.fixture(scope="module")
def geo(config):
    return load_geography(config)


@pytest.mark.parametrize(
    "typed, key",
    [
        ("nw67ta", "NW6 7TA"),
        (" NW6  7TA ", "NW6 7TA"),
        ("sw1a1aa", "SW1A 1AA"),
        ("E1 6AN", "E1 6AN"),
        ("ec1a 1bb", "EC1A 1BB"),
        ("W1A 0AX", "W1A 0AX"),
    ],
)
def test_a_postcode_is_read_in_any_spacing_and_case(typed, key):
    assert postcode_key(typed) == key


@pytest.mark.parametrize("typed", ["Kilburn", "NW6", "NW6 7T", "12345", "NW6 7TAA", ""])
def test_other_text_is_not_a_postcode(typed):
    assert postcode_key(typed) is None


def test_bundled_postcodes_cover_every_live_london_postcode():
    table = pd.read_csv(POSTCODES, dtype=str)
    assert list(table.columns) == ["postcode", "ward_code"]
    assert len(table) == 180_792  # every row of Code-Point Open 2025.4 in the 33 boroughs
    assert table["postcode"].is_unique and table["postcode"].is_monotonic_increasing
    assert POSTCODES.stat().st_size < 4_000_000
    wards = set(pd.read_csv(WARD_LOOKUP, dtype=str)["WD22CD"])
    assert set(table["ward_code"]) <= wards
    spot = dict(zip(table["postcode"], table["ward_code"], strict=True))
    # the publisher's own spot checks (data/SOURCES.md)
    assert spot["SW1A 1AA"] == "E05013806" and spot["NW6 7TA"] == "E05013503"
    assert spot["SE1 7PB"] == "E05014118" and spot["E1 6AN"] == "E05009292"


def test_derive_keeps_the_areas_wards_and_reads_any_spelling():
    rows = [
        dict(zip(COLUMNS, r, strict=True))
        for r in [
            ["NW6 7TA", "10", "1", "1", "E92000001", "", "", "", "E09000005", "E05013503"],
            ["nw67tb", "10", "1", "1", "E92000001", "", "", "", "E09000005", "E05013503"],
            ["M1 1AE", "10", "1", "1", "E92000001", "", "", "", "E08000003", "E05011368"],
        ]
    ]
    table = derive(rows, {"E05013503"})
    assert table.to_dict("records") == [
        {"postcode": "NW6 7TA", "ward_code": "E05013503"},
        {"postcode": "NW6 7TB", "ward_code": "E05013503"},
    ]


def test_the_derivation_command_is_reproducible(tmp_path):
    """The bundled file is what `python -m storymap.data.postcodes` makes from Code-Point rows:
    here rows rebuilt from the bundled file itself (with outside rows added) give it back."""
    source = tmp_path / "codepoint.csv"
    table = pd.read_csv(POSTCODES, dtype=str).head(3000)
    with source.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        w.writerow(["M1 1AE", 10, 1, 1, "E92000001", "", "", "", "E08000003", "E05011368"])
        for pc, ward in zip(table["postcode"], table["ward_code"], strict=True):
            w.writerow([pc, 10, 1, 1, "E92000001", "", "", "", "E09000006", ward])
    assert len(list(rows_from_csv(source))) == 3001
    from storymap.data.postcodes import main as derive_main

    out = tmp_path / "out.csv"
    assert derive_main([str(source), str(out), str(WARD_LOOKUP)]) == 0
    assert out.read_text() == POSTCODES.read_text().splitlines(keepends=True)[0] + "".join(
        f"{p},{w}\n" for p, w in zip(table["postcode"], table["ward_code"], strict=True)
    )


def test_postcode_lookup_files_are_small_and_point_to_ward_pages(config, geo, tmp_path):
    done = write_postcode_lookups(config, geo, tmp_path)
    folder = tmp_path / "search/postcodes"
    index = json.loads((folder / "index.json").read_text())
    assert done.postcodes == 180_792 and len(index["outward"]) == done.outward_codes
    assert (
        index["area"] == "London"
        and "M" in index["areas"]
        and "Ordnance Survey" in index["attribution"]
    )
    assert "M1" not in index["outward"] and "NW6" in index["outward"]
    largest = max(len(gzip.compress(p.read_bytes())) for p in folder.glob("*.json"))
    assert largest < 10_000  # one postcode search fetches one file of a few KB
    nw6 = json.loads((folder / "NW6.json").read_text())
    code, name, borough, page = nw6["w"][nw6["p"]["7TA"]]
    assert (code, name, borough, page) == (
        "E05013503",
        "Kilburn",
        "Brent",
        "wards/brent/E05013503.html",
    )
    e1 = json.loads((folder / "E1.json").read_text())
    assert e1["w"][e1["p"]["6AN"]][0] == "E09000001"  # City wards point to the merged unit
    assert e1["w"][e1["p"]["6AA"]][2] == "Tower Hamlets"


def test_place_files_hold_each_place_under_each_words_first_letter(geo):
    shards = place_shards(geo)
    pancras = [e for e in shards["p"] if e[1].startswith("St Pancras")]
    assert pancras and pancras == [e for e in shards["s"] if e[1].startswith("St Pancras")]
    assert "saint" in pancras[0][4]  # its other spelling is searchable too
    kilburn = [e for e in shards["k"] if e[1] == "Kilburn"]
    assert sorted(e[2] for e in kilburn) == ["Brent", "Camden"]
    codes = geo.wards.index[geo.wards["name"] == "Kilburn"]
    assert {e[3] for e in kilburn} == {
        f"wards/{geo.boroughs.at[geo.borough_of(c), 'name'].lower()}/{c}.html" for c in codes
    }
    wards = {e[3] for entries in shards.values() for e in entries if e[0] == 0}
    assert len(wards) == 680
    sizes = [len(gzip.compress(json.dumps(v).encode())) for v in shards.values()]
    assert max(sizes) < 6_000
    assert fold("King’s Cross") == "kings cross" and fold("Sélhurst") == "selhurst"


def test_a_to_z_page_lists_every_ward_under_its_own_initial(geo):
    """Without JavaScript: every ward under the first letter of its own name (not its
    borough's), with its borough beside it; then every borough."""
    page = az_page(geo, "London", "Wards and boroughs")
    assert page.path == "places.md" and page.title == "All places A–Z"
    assert page.markdown.count('<li><a href="wards/') == 680
    assert page.markdown.count('<li><a href="boroughs/') == 33
    k = page.markdown[page.markdown.index('id="letter-k"') :]
    k = k[: k.index("</section>")]
    assert 'href="wards/brent/E05013503.html">Kilburn</a> <small>Brent</small>' in k
    assert 'href="wards/camden/E05013665.html">Kilburn</a> <small>Camden</small>' in k
    for section in page.markdown.split('<section class="storymap-az-letter" id="letter-')[1:]:
        section = section[: section.index("</section>")]
        letter, names = section[0], re.findall(r'html">([^<]+)</a> <small>', section)
        assert names and all(fold(n)[0] == letter for n in names), letter


def test_png_writer_makes_a_valid_image():
    pixels = [[0, 1, 2], [3, 4, 0]]
    import numpy as np

    data = png(np.array(pixels), ["#000000", "#ffffff", "#ff0000", "#00ff00", "#0000ff"])
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, kind = struct.unpack(">IIBB", data[16:26])
    assert (width, height, depth, kind) == (3, 2, 4, 3)
    start = data.index(b"IDAT") + 4
    length = struct.unpack(">I", data[start - 8 : start - 4])[0]
    rows = zlib.decompress(data[start : start + length])
    assert rows == bytes([0, 0x01, 0x20, 0, 0x34, 0x00])  # filter byte, then 4-bit pixels


def test_fill_covers_pixel_centres_inside_and_none_outside():
    import numpy as np

    square = np.array([[1.0, 1.0], [4.0, 1.0], [4.0, 3.0], [1.0, 3.0], [1.0, 1.0]])
    rows, cols, mask = fill([square], 6, 5)
    image = np.zeros((5, 6), bool)
    image[rows, cols] = mask
    assert image.sum() == 6 and image[1:3, 1:4].all()


def test_share_images_and_tags(built_site):
    page = (built_site / "wards/brent/E05013503.html").read_text("utf-8")
    assert '<meta property="og:title" content="Kilburn (Brent)">' in page
    assert 'name="twitter:card" content="summary"' in page  # no site.url: no image tag
    assert 'og:image"' not in page
    image = built_site / "img/share/ward-E05013503.png"
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", image.read_bytes()[16:24]) == (600, 315)
    assert (built_site / "img/share/borough-E09000005.png").is_file()


def test_search_weight_counts_one_search_not_every_file(built_site):
    form = (
        '<form class="site-search" data-index="search/search_index.json" '
        'data-places="search/places/" data-postcodes="search/postcodes/" '
        'data-script="assets/storymap/search.js">'
    )
    files = search_loads(built_site, "index.html", form)
    assert files[:2] == ["assets/storymap/search.js", "search/search_index.json"]
    assert len(files) == 3 and files[2].startswith("search/places/")

    def gz(paths) -> int:
        return sum(len(gzip.compress((built_site / p).read_bytes(), 6)) for p in paths)

    places = [p.relative_to(built_site).as_posix() for p in built_site.glob("search/places/*")]
    assert gz([files[2]]) == max(gz([p]) for p in places)
    outward = [
        p.relative_to(built_site).as_posix()
        for p in (built_site / "search/postcodes").glob("*.json")
        if p.name != "index.json"
    ]
    postcode_search = gz(["search/postcodes/index.json"]) + max(gz([p]) for p in outward)
    assert postcode_search < gz(files[1:])  # so the name search is the one the budget holds


def test_fetch_codepoint_open_from_a_local_server(project, httpserver):
    from werkzeug import Response

    httpserver.expect_request(
        "/downloads/v1/products/CodePointOpen/downloads"
    ).respond_with_handler(
        lambda _request: Response(codepoint_zip(), content_type="application/zip")
    )
    base = httpserver.url_for("/").rstrip("/")
    result = CliRunner().invoke(
        main,
        [
            "fetch",
            "--config",
            str(project / "site_config.yml"),
            "--source",
            "postcodes",
            "--base-url",
            base,
            "--retries",
            "1",
            "--backoff",
            "0",
            "--timeout",
            "10",
        ],
    )
    assert result.exit_code == 0, result.output
    cached = project / "data/cache/postcodes" / POSTCODES.name
    assert cached.read_bytes() == POSTCODES.read_bytes()  # the same table as the bundled one


def test_fetch_of_a_zip_without_area_files_is_an_error(project, httpserver):
    from werkzeug import Response

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "not the data")
    httpserver.expect_request(
        "/downloads/v1/products/CodePointOpen/downloads"
    ).respond_with_response(Response(buf.getvalue(), content_type="application/zip"))
    result = CliRunner().invoke(
        main,
        [
            "fetch",
            "--config",
            str(project / "site_config.yml"),
            "--source",
            "postcodes",
            "--base-url",
            httpserver.url_for("/").rstrip("/"),
            "--retries",
            "1",
            "--backoff",
            "0",
        ],
    )
    assert result.exit_code == 1
    assert "Error:" in result.output and "Data/CSV" in result.output
    assert "Traceback" not in result.output
    assert not (project / "data/cache/postcodes").exists()


@pytest.mark.parametrize("runs", [False, True])
def test_png_decodes_to_its_pixels(runs):
    """The preview images' PNG (4-bit palette; with ``runs``, zlib's run-length strategy) reads
    back as the pixels it was made from."""
    import zlib

    from storymap.pages.maps.raster import png

    pixels = np.random.default_rng(5).integers(0, 6, (31, 47)).astype(np.uint8)
    pixels[10:20] = 3  # runs of one colour
    data = png(pixels, ["#000000", "#ffffff", "#ff0000", "#00ff00", "#0000ff", "#123456"], runs)
    at = data.index(b"IDAT")
    raw = zlib.decompress(data[at + 4 : at + 4 + struct.unpack(">I", data[at - 4 : at])[0]])
    rows = np.frombuffer(raw, np.uint8).reshape(31, -1)
    assert (rows[:, 0] == 0).all()  # no filter
    back = np.empty((31, 2 * (rows.shape[1] - 1)), np.uint8)
    back[:, 0::2], back[:, 1::2] = rows[:, 1:] >> 4, rows[:, 1:] & 15
    assert np.array_equal(back[:, :47], pixels)
