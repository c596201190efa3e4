"""`storymap serve` previews a copy of the project and rebuilds when a chapter is saved."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

TIMEOUT = 300  # a full build takes about a minute on a busy machine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def wait_for(condition: Callable[[], object], what: str, log: Path) -> object:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.3)
    pytest.fail(f"timed out waiting for {what}; serve said:\n{log.read_text()}")


class Server:
    def __init__(self, process: subprocess.Popen, url: str, log: Path):
        self.process, self.url, self.log = process, url, log

    def get(self, path: str = "/") -> str | None:
        return fetch(self.url + path)

    def version(self) -> dict:
        return json.loads(self.get("/__storymap_version") or "{}")


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """One copy of the project for the module: each build takes a while, so the server is shared."""
    from conftest import copy_project

    return copy_project(tmp_path_factory.mktemp("serve") / "project")


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
        wait_for(lambda: srv.get("/index.html"), "the first page", log)
        yield srv
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_serves_on_localhost_and_reloads_after_an_edit(server: Server, project: Path):
    page = server.get("/introduction.html")
    assert page and "storymap serve: live reload" in page
    before = server.version()["version"]
    chapter = project / "chapters" / "01-introduction.md"
    chapter.write_text(
        chapter.read_text(encoding="utf-8") + "\nA freshly saved sentence.\n", encoding="utf-8"
    )
    wait_for(
        lambda: "A freshly saved sentence." in (server.get("/introduction.html") or ""),
        "the edited chapter to be served",
        server.log,
    )
    assert server.version()["version"] > before
    assert "Rebuilding: chapters/01-introduction.md changed." in server.log.read_text()


def test_a_broken_chapter_keeps_the_last_good_build(server: Server, project: Path):
    good = server.get("/introduction.html")
    chapter = project / "chapters" / "01-introduction.md"
    chapter.write_text("# Introduction\n\n{{ nosuchname }}\n", encoding="utf-8")
    state = wait_for(lambda: server.version().get("error"), "the error to be reported", server.log)
    assert "Error:" in state and "nosuchname" in state
    assert server.get("/introduction.html") == good
    log = server.log.read_text()
    assert "Error: chapters/01-introduction.md line 3" in log
    assert "Still serving the last good build" in log
    assert server.process.poll() is None

    chapter.write_text("# Introduction\n\nFixed again.\n", encoding="utf-8")
    wait_for(
        lambda: "Fixed again." in (server.get("/introduction.html") or ""),
        "the fixed chapter to be served",
        server.log,
    )
    assert server.version()["error"] == ""


def test_only_html_responses_get_the_reload_script(server: Server):
    assert "storymap serve" in (server.get("/") or "")
    css = [
        line.split('href="', 1)[1].split('"', 1)[0]
        for line in (server.get("/index.html") or "").splitlines()
        if 'rel="stylesheet"' in line and 'href="' in line
    ]
    assert css
    assert "live reload" not in (server.get("/" + css[0].lstrip("./")) or "")


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

