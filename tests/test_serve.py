"""`storymap serve` previews a copy of the project and rebuilds when a file is saved.

One real `storymap serve` process is shared by the module (each build takes a while); the browser
tests drive Debian's Chromium against it and never reload the page themselves: the page must
update itself, under the site's own Content-Security-Policy. One test runs the preview in-process
with a build that fails unexpectedly, to show nothing a build does ends the preview.
"""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from test_looking import TEXTS, contrast

from storymap.build import build
from storymap.commands.serve import STATE_PATH, Preview, open_server
from storymap.output.csp import inline_scripts

TIMEOUT = 300  # a full build takes about a minute on a busy machine
CHAPTER = "chapters/01-introduction.md"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def wait_for(condition: Callable[[], object], what: str, log: Path | None = None) -> object:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.3)
    said = log.read_text() if log else ""
    pytest.fail(f"timed out waiting for {what}; serve said:\n{said}")


class Server:
    def __init__(self, process: subprocess.Popen, url: str, log: Path):
        self.process, self.url, self.log = process, url, log

    def get(self, path: str = "/") -> str | None:
        return fetch(self.url + path)

    def state(self) -> dict:
        return json.loads(self.get(STATE_PATH) or "{}")


@pytest.fixture(scope="module")
def project(tmp_path_factory, built_project) -> Path:
    """One copy of the built project (site and cache) for the module, so the server is shared
    and its first build comes from the cache."""
    from conftest import copy_built

    return copy_built(built_project, tmp_path_factory.mktemp("serve") / "project")


@pytest.fixture(scope="module")
def server(project: Path, tmp_path_factory) -> Iterator[Server]:
    tmp_path = tmp_path_factory.mktemp("serve-log")
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "storymap", "serve", "--port", str(port)],
            cwd=project,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    srv = Server(process, f"http://127.0.0.1:{port}", log)
    try:
        wait_for(lambda: srv.state().get("version"), "the first build", log)
        yield srv
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def save(project: Path, rel: str, text: str) -> None:
    (project / rel).write_text(text, encoding="utf-8")


def built(server: Server, version: int) -> dict:
    """Wait for the build after ``version`` to finish (well or not)."""
    return wait_for(
        lambda: (s := server.state()) and (s["version"] > version or s["error"]) and s,
        "the rebuild",
        server.log,
    )


def test_serves_on_localhost_and_reloads_after_an_edit(server: Server, project: Path):
    page = server.get("/introduction.html") or ""
    assert '<script src="/__storymap/reload.js"' in page
    assert inline_scripts(page) == []  # the CSP (script-src 'self') would block an inline one
    assert 'http-equiv="Content-Security-Policy"' in page
    assert "fetch(" in (server.get("/__storymap/reload.js") or "")
    before = server.state()["version"]
    original = (project / CHAPTER).read_text(encoding="utf-8")
    save(project, CHAPTER, original + "\nA freshly saved sentence.\n")
    wait_for(
        lambda: "A freshly saved sentence." in (server.get("/introduction.html") or ""),
        "the edited chapter to be served",
        server.log,
    )
    assert server.state()["version"] > before
    assert "Rebuilding: chapters/01-introduction.md changed." in server.log.read_text()


def test_a_broken_chapter_keeps_the_last_good_build(server: Server, project: Path):
    good = server.get("/introduction.html")
    version = server.state()["version"]
    save(project, CHAPTER, "# Introduction\n\n{{ nosuchname }}\n")
    state = built(server, version)
    assert state["error"].startswith("Error: chapters/01-introduction.md line 3")
    assert "nosuchname" in state["error"]
    assert server.get("/introduction.html") == good
    log = server.log.read_text()
    assert "Error: chapters/01-introduction.md line 3" in log
    assert "Still serving the last good build" in log
    assert server.process.poll() is None

    save(project, CHAPTER, "# Introduction\n\nFixed again.\n")
    wait_for(
        lambda: "Fixed again." in (server.get("/introduction.html") or ""),
        "the fixed chapter to be served",
        server.log,
    )
    assert server.state()["error"] == ""


def test_a_non_finite_weight_in_the_config_does_not_end_serve(server: Server, project: Path):
    config = project / "site_config.yml"
    good = config.read_text(encoding="utf-8")
    version = server.state()["version"]
    broken = good.replace(
        "{indicator: pct_65_74, weight: 1}", "{indicator: pct_65_74, weight: .inf}"
    )
    assert broken != good
    config.write_text(broken, encoding="utf-8")
    state = built(server, version)
    assert state["error"].startswith("Error:")
    assert state["version"] == version  # the last good build is still the one served
    assert server.get("/introduction.html")
    assert server.process.poll() is None, server.log.read_text()

    config.write_text(good, encoding="utf-8")
    wait_for(lambda: server.state()["error"] == "", "the error to clear", server.log)
    assert server.process.poll() is None


def test_only_html_responses_get_the_reload_script(server: Server):
    assert "__storymap/reload.js" in (server.get("/") or "")
    css = [
        line.split('href="', 1)[1].split('"', 1)[0]
        for line in (server.get("/index.html") or "").splitlines()
        if 'rel="stylesheet"' in line and 'href="' in line
    ]
    assert css
    assert "__storymap" not in (server.get("/" + css[0].lstrip("./")) or "")


def test_state_waits_for_a_change_instead_of_being_polled(server: Server):
    state = server.state()
    started = time.monotonic()
    again = json.loads(server.get(f"{STATE_PATH}?since={state['generation']}") or "{}")
    assert time.monotonic() - started > 5  # held open while nothing changed
    assert again["generation"] == state["generation"]
    stale = json.loads(server.get(f"{STATE_PATH}?since={state['generation'] - 1}") or "{}")
    assert stale["generation"] == state["generation"]  # answered at once


def test_port_in_use_is_an_error_with_the_fix(server: Server, project: Path):
    port = server.url.rsplit(":", 1)[1]
    done = subprocess.run(
        [sys.executable, "-m", "storymap", "serve", "--port", port],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert f"Error: cannot serve on 127.0.0.1:{port}" in done.stderr
    assert "--port" in done.stderr


# ---- in the browser ------------------------------------------------------------------------


def open_page(browser, url: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security" in m.text else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(url, wait_until="load")
    return context, page, problems


@pytest.mark.browser
def test_saving_a_chapter_updates_the_open_page(server: Server, project: Path, browser):
    # a chapter long enough to be read 200 px down (the tests before left it short)
    version = server.state()["version"]
    long = "".join(f"\nParagraph {n} of a long chapter.\n" for n in range(60))
    save(project, CHAPTER, (project / CHAPTER).read_text(encoding="utf-8") + long)
    assert not built(server, version)["error"]
    context, page, problems = open_page(browser, f"{server.url}/introduction.html")
    try:
        page.wait_for_timeout(500)  # the page settled: its scripts have run
        page.evaluate("window.scrollTo(0, 200); window.notReloaded = true")
        page.wait_for_function("() => window.scrollY === 200")
        text = (project / CHAPTER).read_text(encoding="utf-8")
        started = time.monotonic()
        save(project, CHAPTER, text + "\nSaved while the page was open.\n")
        page.get_by_text("Saved while the page was open.").wait_for(timeout=TIMEOUT * 1000)
        elapsed = time.monotonic() - started
        said = [ln for ln in server.log.read_text().splitlines() if "✓ built" in ln]
        print(f"save to updated page: {elapsed:.1f} s (the preview said: {said[-1].strip()})")
        assert page.evaluate("window.notReloaded") is None  # the page reloaded itself
        page.wait_for_function("() => window.scrollY === 200", timeout=10_000)  # where they were
        assert problems == []
    finally:
        context.close()


@pytest.mark.browser
def test_a_broken_chapter_shows_a_banner_and_the_fix_clears_it(
    server: Server, project: Path, browser
):
    context, page, problems = open_page(browser, f"{server.url}/introduction.html")
    try:
        good = (project / CHAPTER).read_text(encoding="utf-8")
        save(project, CHAPTER, "# Introduction\n\n{% for b in focus_boroughs %}\n{{ b.name }}\n")
        banner = page.get_by_role("alert")
        banner.wait_for(timeout=TIMEOUT * 1000)
        said = banner.inner_text()
        assert "Error: chapters/01-introduction.md line 3" in said
        assert "never closed" in said and "{% endfor %}" in said
        assert page.get_by_text("Saved while the page was open.").is_visible()  # last good build
        told = [t for t in page.evaluate(TEXTS) if t["text"].startswith(("The last", "Error:"))]
        assert len(told) == 2, told
        for t in told:  # white on the banner's dark red, not on the site's grey <pre>
            assert contrast(t["fg"], t["bg"]) >= 4.5 and t["px"] >= 16, t

        save(project, CHAPTER, good + "\nAll fixed now.\n")
        page.get_by_text("All fixed now.").wait_for(timeout=TIMEOUT * 1000)
        assert page.get_by_role("alert").count() == 0
        assert server.process.poll() is None
        assert problems == []
    finally:
        context.close()


class Flaky:
    """The real build, except that it fails unexpectedly while ``fail`` is set."""

    def __init__(self):
        self.fail = False

    def __call__(self, config, out, **options):
        if self.fail:
            raise ZeroDivisionError("a fault nobody foresaw")
        return build(config, out, **options)


@pytest.mark.browser
def test_the_preview_survives_an_unexpected_error(server: Server, project: Path, browser, tmp_path):
    builder = Flaky()
    lines: list[str] = []
    preview = Preview((project / "site_config.yml").resolve(), tmp_path, lines.append, builder)
    httpd = open_server(preview, 0)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        assert preview.rebuild()
        context, page, problems = open_page(browser, f"{url}/introduction.html")
        builder.fail = True
        assert not preview.rebuild(saved=CHAPTER)  # returns, never raises
        banner = page.get_by_role("alert")
        banner.wait_for(timeout=30_000)
        said = banner.inner_text()
        assert "stopped unexpectedly after chapters/01-introduction.md changed" in said
        assert "ZeroDivisionError: a fault nobody foresaw" in said
        assert any("Traceback" in line for line in lines)  # the terminal has the details
        assert fetch(f"{url}/introduction.html")  # still serving the last good build

        builder.fail = False
        assert preview.rebuild()
        page.get_by_role("alert").wait_for(state="detached", timeout=60_000)
        assert problems == []
        context.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
        shutil.rmtree(tmp_path, ignore_errors=True)
