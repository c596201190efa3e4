"""Page weight: every page of the real site within the budgets of site_config.yml (gzip bytes),
the search index loaded only when search opens, and the measurement matching what Chromium
actually requests. Byte counts only: load times are measured by bench/bench_weight.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import copy_project

from storymap.config import BudgetsSection, load_config
from storymap.errors import ConfigError, StorymapError
from storymap.output.weight import KB, check_weights, measure_site, over_budget

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def weights(built_site: Path):
    return {w.page: w for w in measure_site(built_site)}


def test_every_page_is_within_the_configured_budgets(built_site: Path, weights) -> None:
    config = load_config(REPO / "site_config.yml")
    assert over_budget(config.budgets, list(weights.values())) == []
    assert len(weights) > 700  # chapters, method, checks, about, downloads, wards, boroughs


def test_default_budgets_hold_with_room(weights) -> None:
    """The defaults are met by the default story with at least 10% to spare."""
    budgets = BudgetsSection()
    chapters = [w for w in weights.values() if w.has_map]
    others = [w for w in weights.values() if not w.has_map]
    assert {"introduction.html", "combined-risk.html"} <= {w.page for w in chapters}
    assert max(w.cold for w in chapters) <= 0.9 * budgets.map_page_kb * KB
    for kind, budget in (
        ("page", budgets.page_kb),
        ("ward", budgets.ward_kb),
        ("borough", budgets.borough_kb),
    ):
        assert max(w.cold for w in others if w.kind == kind) <= 0.9 * budget * KB, kind
    assert max(w.warm for w in weights.values()) <= 0.9 * budgets.cached_kb * KB
    assert max(sum(w.on_demand.values()) for w in weights.values()) <= 0.9 * budgets.search_kb * KB


def test_a_chapter_counts_everything_it_loads(weights) -> None:
    w = weights["introduction.html"]
    names = " ".join(w.files)
    for part in (
        "leaflet.js",
        "leaflet.css",
        "/map/index.",
        "/map/overview.",
        "/map/ind-",
        "storymap.js",
        "storymap.css",
        "theme.css",
        "theme.js",
        "sortable.js",
    ):
        assert part in names, part
    assert not w.external
    assert not any(f.endswith(".svg") for f in w.files)  # step images are lazy, hidden by JS
    assert w.warm < 15 * KB  # only its HTML once the shared files are cached


def test_the_search_is_loaded_on_demand_and_small(weights) -> None:
    """What a place-name search costs: the search code, the pages' titles, the largest place
    file and the largest place-name file (a name search weighs more than a postcode search),
    none of it loaded with the page, and at most 10 KB gzip (issue 30's target); the whole page
    index is not part of it."""
    for page in ("introduction.html", "method.html"):
        w = weights[page]
        files = list(w.on_demand)
        assert files[:2] == ["assets/storymap/search.js", "search/titles.json"]
        assert files[2].startswith("search/places/") and files[3].startswith("search/names/")
        assert len(files) == 4
        assert not any(f.startswith("search/") or f.endswith("search.js") for f in w.files)
        assert sum(w.on_demand.values()) <= 10 * KB, w.on_demand
    ward = next(w for p, w in weights.items() if p.startswith("wards/"))
    assert list(ward.on_demand)[1] == "search/titles.json"


def test_titles_file_is_the_index_without_its_text(built_site: Path) -> None:
    """search/titles.json holds every entry of the page index, in its order, with its page,
    anchor and title, and none of the pages' text."""
    import json

    index = json.loads((built_site / "search/search_index.json").read_text("utf-8"))["docs"]
    titles = json.loads((built_site / "search/titles.json").read_text("utf-8"))
    assert len(titles["docs"]) == len(index) > 50
    for doc, entry in zip(index, titles["docs"], strict=True):
        page, anchor = titles["pages"][entry[0]], entry[1]
        assert (f"{page}#{anchor}" if anchor else page) == doc["location"]
        assert entry[2] == doc["title"] and len(entry) == 3


def test_search_index_holds_the_story_and_places_are_sharded(built_site: Path) -> None:
    import json

    index = json.loads((built_site / "search/search_index.json").read_text("utf-8"))
    assert not [d for d in index["docs"] if d["location"].startswith(("wards/", "boroughs/"))]
    places = json.loads((built_site / "search/places/s.json").read_text("utf-8"))["places"]
    assert any(p[1].startswith("St Pancras") for p in places)
    chapters = [d for d in index["docs"] if d["location"].startswith("introduction.html")]
    assert any(len(d["text"]) > 200 for d in chapters)  # chapters stay fully searchable


def test_a_page_over_budget_fails_the_build_naming_page_and_setting(built_site: Path) -> None:
    config = load_config(REPO / "site_config.yml")
    tight = config.model_copy(update={"budgets": BudgetsSection(map_page_kb=60)})
    with pytest.raises(StorymapError) as err:
        check_weights(tight, built_site)
    text = str(err.value.problems)
    assert "budgets.map_page_kb" in text and "60 KB" in text
    assert "method.html" in text  # the heaviest map page (with the weights explorer) is named
    assert "ward" not in text.split("Heaviest")[0].replace("wards", "")  # only map pages named


def test_budgets_section_refuses_unknown_keys(tmp_path: Path) -> None:
    text = (REPO / "site_config.yml").read_text("utf-8")
    config = copy_project(tmp_path / "project") / "site_config.yml"  # a copy: paths stay inside
    head, sep, rest = text.partition("\nbudgets:")
    assert sep, "site_config.yml has a budgets: section"
    line_end = rest.index("\n")
    config.write_text(
        head + sep + rest[:line_end] + "\n  chapter_kb: 100" + rest[line_end:], "utf-8"
    )
    with pytest.raises(ConfigError) as err:
        load_config(config)
    message = "\n".join(err.value.problems)
    assert "budgets.chapter_kb: unknown key" in message and "map_page_kb" in message
    config.write_text(text.replace("  map_page_kb: 135", "  map_page_kb: 200"), "utf-8")
    assert load_config(config).budgets.map_page_kb == 200


@pytest.mark.browser
@pytest.mark.parametrize("kind", ["chapter", "ward"])
def test_measured_files_are_what_chromium_loads(kind, site_url, page, weights) -> None:
    path = (
        "introduction.html"
        if kind == "chapter"
        else next(p for p in weights if p.startswith("wards/"))
    )
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url.removeprefix(site_url + "/")))
    page.goto(f"{site_url}/{path}", wait_until="networkidle")
    w = weights[path]
    assert set(requested) - {path} <= set(w.files)
    assert "search/search_index.json" not in requested
    page.locator("#site-search-input").click()
    page.wait_for_function("document.documentElement.dataset.searchIndex === 'requested'")
    page.wait_for_load_state("networkidle")
    assert "search/titles.json" in requested  # the titles, not the whole index, on opening
    assert "search/search_index.json" not in requested
    page.keyboard.type("Kilburn")
    page.wait_for_function("() => document.querySelector('#site-search-results a') !== null")
    page.wait_for_load_state("networkidle")
    assert "search/search_index.json" not in requested  # a place's name needs no page text
    assert not any(r.endswith("locate.js") for r in requested)
    page.locator(".search-more button").click()  # the reader asks for the pages' text
    page.wait_for_function("() => document.querySelector('.search-more') === null")
    assert "search/search_index.json" in requested
