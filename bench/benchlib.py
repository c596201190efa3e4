"""Helpers the benchmarks share: a gzip-serving HTTP server, headless Chromium, page weights.

Nothing here imports storymap beyond its stable entry points, so the benches keep working while
the package is reorganised:

- :func:`serve` serves a built site from 127.0.0.1 gzip-compressed (as GitHub Pages does);
- :func:`launch_chromium` starts Debian's Chromium through Playwright with the suite's flags;
- :func:`chromium_bytes` opens one page in a fresh browser context (empty cache) and returns the
  encoded (on-the-wire) body bytes of every response it loaded;
- :func:`static_weight` reads a built page and returns the gzip bytes of the page and every
  script, stylesheet and non-lazy image it names, without a browser.
"""

from __future__ import annotations

import contextlib
import gzip
import http.server
import io
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / "bench" / ".cache"
CHROMIUM = os.environ.get("STORYMAP_CHROMIUM", "/usr/bin/chromium")
# The same flags as tests/conftest.py CHROMIUM_ARGS (kept here so a bench needs no test code).
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


def gz(data: bytes) -> int:
    """Bytes of ``data`` gzip-compressed as the server below sends it."""
    return len(gzip.compress(data, compresslevel=6, mtime=0))


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Serve files gzip-compressed, as a real web server would, with a cache lifetime."""

    def log_message(self, *args) -> None:
        pass

    def send_head(self):  # type: ignore[override]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=3600")
        self.end_headers()
        return io.BytesIO(body)


def start_server(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve ``site`` gzip-compressed on a free port of 127.0.0.1; returns (server, base URL)."""
    handler = lambda *a, **k: GzipHandler(*a, directory=str(site), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@contextlib.contextmanager
def serve(site: Path) -> Iterator[str]:
    """``with serve(site) as url:`` the site served gzip-compressed until the block ends."""
    server, url = start_server(site)
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()


def have_chromium() -> bool:
    return Path(CHROMIUM).exists()


def launch_chromium(playwright, **kwargs):
    """Debian's Chromium (never a downloaded one), headless, with the suite's flags."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, **kwargs)


PAGE_TIMEOUT_MS = 300_000  # a 6,800-ward chapter on a busy 2-core machine can take a while


def new_context(browser, viewport: dict):
    """A fresh browser context (empty cache) whose waits allow for big sites."""
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    context.set_default_navigation_timeout(PAGE_TIMEOUT_MS)
    return context


class Network:
    """Watches a page's requests: which are open, which finished, and when anything last moved.

    :meth:`wait_quiet` is our own "network idle" (no request open for ``quiet_ms``), because
    Playwright's networkidle event now and then never arrives on a busy machine though every
    request has finished."""

    def __init__(self, page) -> None:
        self.page = page
        self.finished: list = []
        self.open: set[str] = set()
        self.last = time.monotonic()
        page.on("request", self._started)
        page.on("requestfinished", self._finished)
        page.on("requestfailed", self._failed)

    def _started(self, request) -> None:
        self.open.add(request.url)
        self.last = time.monotonic()

    def _finished(self, request) -> None:
        self.finished.append(request)
        self.open.discard(request.url)
        self.last = time.monotonic()

    def _failed(self, request) -> None:
        self.open.discard(request.url)
        self.last = time.monotonic()

    def reset(self) -> None:
        """Forget what finished so far (count only what comes next)."""
        self.finished = []

    def wait_quiet(self, quiet_ms: int = 500, timeout_ms: int = PAGE_TIMEOUT_MS) -> None:
        deadline = time.monotonic() + timeout_ms / 1000
        while self.open or time.monotonic() - self.last < quiet_ms / 1000:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"requests still open after {timeout_ms / 1000:.0f} s: {sorted(self.open)}"
                )
            self.page.wait_for_timeout(100)

    def sizes(self) -> dict[str, int]:
        return response_bytes(self.finished)


def open_quiet(context, url: str) -> tuple:
    """A new page of ``context`` at ``url``, loaded and with its network quiet: (page, Network)."""
    page = context.new_page()
    network = Network(page)
    page.goto(url, wait_until="load")
    network.wait_quiet()
    return page, network


def chromium_bytes(browser, url: str, viewport: dict | None = None) -> dict[str, int]:
    """Open ``url`` in a fresh context (empty cache) and wait until the network is quiet.

    Returns {response URL: encoded body bytes} for every response from the server (data: URLs
    are not fetched and are left out)."""
    context = new_context(browser, viewport or {"width": 1280, "height": 900})
    try:
        _, network = open_quiet(context, url)
        return network.sizes()
    finally:
        context.close()


def response_bytes(requests: list) -> dict[str, int]:
    """{URL: encoded body bytes} of finished Playwright requests (data: URLs left out)."""
    sizes: dict[str, int] = {}
    for request in requests:
        if request.url.startswith(("data:", "blob:")):
            continue
        sizes[request.url] = sizes.get(request.url, 0) + request.sizes()["responseBodySize"]
    return sizes


LOADING_TAG = re.compile(r"<(?:script|link|img|iframe)\b[^>]*>", re.IGNORECASE)


class _Loads(HTMLParser):
    """Collects what a page loads as it opens: scripts, stylesheets, non-lazy images."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "script" and a.get("src"):
            self.urls.append(a["src"])
        elif tag == "link" and a.get("href"):
            rel = a.get("rel", "").lower().split()
            if {"stylesheet", "preload", "modulepreload"} & set(rel):
                self.urls.append(a["href"])
        elif tag in ("img", "iframe") and a.get("src") and a.get("loading", "") != "lazy":
            self.urls.append(a["src"])


def page_loads(site: Path, page: str) -> list[str]:
    """Site-relative paths of the files ``page`` (site-relative) loads as it opens."""
    parser = _Loads()
    html = (site / page).read_text(encoding="utf-8", errors="replace")
    parser.feed("".join(LOADING_TAG.findall(html)))  # only the tags that load something: fast
    out: list[str] = []
    base = Path(page).parent
    for url in parser.urls:
        parts = urlparse(url)
        if parts.scheme or parts.netloc or url.startswith("data:"):
            continue
        rel = os.path.normpath(base / unquote(parts.path)).replace(os.sep, "/")
        if rel not in out and (site / rel).is_file():
            out.append(rel)
    return out


@lru_cache(maxsize=4096)
def _gz_file(path: Path, size: int, mtime: float) -> int:
    return gz(path.read_bytes())


def gz_file(path: Path) -> int:
    st = path.stat()
    return _gz_file(path, st.st_size, st.st_mtime)


def static_weight(site: Path, page: str) -> dict[str, int]:
    """{site-relative file: gzip bytes} for ``page`` and every file it loads as it opens."""
    files = [page, *page_loads(site, page)]
    return {f: gz_file(site / f) for f in files}


def ensure_npm_package(spec: str, binary: str) -> Path:
    """Install npm package ``spec`` (exact version) into bench/.cache/; returns the bin path."""
    folder = CACHE / spec.replace("@", "-").replace("/", "-").lstrip("-")
    exe = folder / "node_modules" / ".bin" / binary
    if exe.exists():
        return exe
    if not shutil.which("npm"):
        sys.exit(f"Error: npm is needed to install {spec} (sudo apt-get install -y npm).")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "package.json").write_text('{"private": true}\n', encoding="utf-8")
    print(f"installing {spec} into {folder.relative_to(REPO)} (first run only)", file=sys.stderr)
    done = subprocess.run(
        ["npm", "install", "--silent", "--no-audit", "--no-fund", "-E", spec],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0 or not exe.exists():
        sys.exit(f"Error: npm install {spec} failed:\n{done.stderr[-2000:]}")
    return exe


def _descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (from /proc/<pid>/task/*/children)."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        for children in Path(f"/proc/{p}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo += [int(c) for c in children.read_text().split()]
    return found


def _pss_kib(pid: int) -> int:
    """Proportional set size of ``pid`` in KiB: pages shared with another process count half."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class TreeMemory:
    """Samples, every ``every`` seconds while it runs, the memory a process and all its
    descendants (the build's second process too) take together: the sum of their PSS, so a
    page a fork still shares counts once. ``peak_mib`` is the largest sum seen."""

    def __init__(self, pid: int, every: float = 0.1):
        self.pid, self.every, self.peak_kib = pid, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            total = sum(_pss_kib(p) for p in _descendants(self.pid))
            self.peak_kib = max(self.peak_kib, total)
            self._stop.wait(self.every)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_kib / 1024
