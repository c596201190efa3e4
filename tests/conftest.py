"""Shared fixtures: a copy of the project to break, the site built once, a local server, Chromium.

Browser tests use Debian's Chromium through Playwright. Without the browser they are skipped
locally with a note on what to install; with STORYMAP_REQUIRE_BROWSER=1 (as in CI) they fail.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from storymap.build import build
from storymap.config import load_config

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("STORYMAP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def copy_project(dest: Path) -> Path:
    """A throwaway copy of the parts of the project a build reads."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "site_config.yml", dest / "site_config.yml")
    shutil.copytree(REPO / "chapters", dest / "chapters")
    shutil.copytree(REPO / "data", dest / "data", ignore=shutil.ignore_patterns("cache"))
    return dest


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def run_cli(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `python -m storymap ARGS` as a user would, capturing output."""
    return subprocess.run(
        [sys.executable, "-m", "storymap", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )


def tree_digest(root: Path) -> str:
    """One hash of every file's path and bytes under ``root`` (empty string if absent)."""
    if not root.exists():
        return ""
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="session")
def real_figures():
    """The repo's config, its geography, indicator results and risk index, computed once."""
    from storymap.figures.geography import load_geography
    from storymap.figures.indicators import compute_indicators
    from storymap.figures.riskindex import compute_index

    config = load_config(REPO / "site_config.yml")
    geo = load_geography(config)
    results = compute_indicators(config, geo)
    return config, geo, results, compute_index(config, geo, results)


@pytest.fixture(scope="session")
def built_project(tmp_path_factory) -> Path:
    """A copy of the project built once, with its site (``site/``) and its stage cache. Tests
    that change one thing and rebuild start from a full copy of it (:func:`copy_built`), so
    only what they change is made again; tests that need a cold build make their own."""
    project = copy_project(tmp_path_factory.mktemp("built") / "project")
    build(load_config(project / "site_config.yml"), project / "site")
    return project


def copy_built(built: Path, dest: Path) -> Path:
    """A full copy of a built project, site and cache (copied, not linked: builds and MkDocs
    rewrite files in place)."""
    shutil.copytree(built, dest)
    return dest


@pytest.fixture(scope="session")
def built_site(built_project: Path) -> Path:
    """The real site, built once from the repo's own config and bundled data (read only)."""
    return built_project / "site"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep test output clean
        pass


def serve_folder(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="session")
def site_url(built_site: Path):
    server, url = serve_folder(built_site)
    yield url
    server.shutdown()


def browser_required() -> bool:
    return os.environ.get("STORYMAP_REQUIRE_BROWSER") == "1" or os.environ.get("CI") == "true"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = (
            f"Chromium not found at {CHROMIUM}. Install it with: sudo apt-get install -y chromium"
        )
        if browser_required():
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


# Test tiers. `make test-fast` runs `pytest -m "not full and not browser"`; `make test` runs all.
# A test is tiered from what it uses, so a new test needs no marker by hand: any of these
# fixtures (directly or through another fixture) or a call to copy_project/copy_built in its body
# (a build of the whole London project) marks it `full`; Chromium marks it `browser`.
FULL_FIXTURES = {"built_project", "built_site", "site_url", "real_figures", "project"}
BROWSER_FIXTURES = {"browser", "site_url"}
FULL_CALLS = ("copy_project(", "copy_built(")


def _builds_london(item: pytest.Item) -> bool:
    """Whether the test or any fixture it uses calls copy_project/copy_built."""
    import inspect

    functions = [getattr(item, "function", None)]
    info = getattr(item, "_fixtureinfo", None)
    for defs in info.name2fixturedefs.values() if info else ():
        functions += [d.func for d in defs]
    for function in functions:
        try:
            source = inspect.getsource(function)
        except (OSError, TypeError):
            continue
        if any(call in source for call in FULL_CALLS):
            return True
    return False


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & BROWSER_FIXTURES or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.browser)
        if names & FULL_FIXTURES or _builds_london(item):
            item.add_marker(pytest.mark.full)
