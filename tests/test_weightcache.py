"""The page-weight memo: measuring with it gives exactly what measuring afresh gives, and it
measures again what changed, including a page whose stylesheet changed."""

from __future__ import annotations

import os
from pathlib import Path

from storymap.output.weight import measure_site
from storymap.output.weightmemo import WeightMemo


def _site(folder: Path, css: str) -> Path:
    (folder / "assets").mkdir(parents=True)
    (folder / "assets" / "style.css").write_text(css, "utf-8")
    (folder / "assets" / "font.woff2").write_bytes(os.urandom(3000))
    for name in ("a", "b"):
        (folder / f"{name}.html").write_text(
            f'<html><head><link rel="stylesheet" href="assets/style.css"></head>'
            f"<body>{name * 500}</body></html>",
            "utf-8",
        )
    return folder


def test_weight_memo_gives_what_measuring_afresh_gives(tmp_path):
    site = _site(tmp_path / "site", "@font-face { src: url(font.woff2) }")
    memo = WeightMemo()
    assert measure_site(site, memo) == measure_site(site)
    assert memo.parsed == 2
    again = WeightMemo(memo.stored())
    assert measure_site(site, again) == measure_site(site)
    assert (again.parsed, again.compressed) == (0, 0)
    # The stylesheet a page loads no longer loads the font: its pages are read again.
    (site / "assets" / "style.css").write_text("body { color: black }", "utf-8")
    changed = WeightMemo(again.stored())
    weights = measure_site(site, changed)
    assert weights == measure_site(site)
    assert changed.parsed == 2 and "assets/font.woff2" not in weights[0].files


def test_weight_memo_reads_again_only_changed_pages(tmp_path):
    site = _site(tmp_path / "site", "@font-face { src: url(font.woff2) }")
    memo = WeightMemo()
    measure_site(site, memo)
    (site / "b.html").write_text(
        '<html><head><link rel="stylesheet" href="assets/style.css">'
        '<script src="x.js"></script></head></html>',
        "utf-8",
    )
    again = WeightMemo(memo.stored())
    weights = measure_site(site, again)
    assert weights == measure_site(site)
    assert again.parsed == 1 and again.compressed == 1  # b.html; style.css and a.html known
    assert len(again.stored()["loads"]) == 2  # the old b.html is not carried forward


def test_weight_memo_measures_again_when_the_place_index_changes(tmp_path):
    """Every page's search counts the largest file of the place index; the memo notes those
    files once per measuring, and a page is read again when one of them changes."""
    site = tmp_path / "site"
    (site / "places").mkdir(parents=True)
    (site / "places" / "a.json").write_bytes(os.urandom(500).hex().encode())
    (site / "places" / "b.json").write_text("[]", "utf-8")
    form = '<form data-script="search.js" data-index="index.json" data-places="places/"></form>'
    for name in ("one", "two", "three"):
        (site / f"{name}.html").write_text(f"<html><body>{form}</body></html>", "utf-8")
    memo = WeightMemo()
    weights = measure_site(site, memo)
    assert weights == measure_site(site)
    assert all(set(w.files) == {"places/a.json"} for w in weights)  # no theme.js: loaded now
    again = WeightMemo(memo.stored())
    assert measure_site(site, again) == measure_site(site) and again.parsed == 0
    (site / "places" / "b.json").write_bytes(os.urandom(2000).hex().encode())
    changed = WeightMemo(again.stored())
    weights = measure_site(site, changed)
    assert weights == measure_site(site) and changed.parsed == 3
    assert all(set(w.files) == {"places/b.json"} for w in weights)
