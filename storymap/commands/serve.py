"""Live preview: build into a temporary folder, serve it on 127.0.0.1, rebuild on every save.

In: the path of site_config.yml and a port. Out: a local web server that runs until Ctrl+C. It
watches the config, ``chapters/``, ``data/`` and every page file the config names (polling their
modification times four times a second), rebuilds with :func:`storymap.build.build` when one
changes, and open pages reload themselves. A build that fails, for any reason, prints its
``Error:`` block in the terminal and shows it in a banner on the page (``role=alert``); the last
good build keeps being served, and the next good build clears the banner. Nothing a build does,
expected or not, ends the preview: only Ctrl+C (or SIGTERM) does.

The reload script (``preview.js`` beside this module) is served as ``/__storymap/reload.js`` and
added to HTML responses as ``<script src>`` by the server only, so it runs under the same
Content-Security-Policy as the published site and the built site has no trace of it. It
long-polls ``/__storymap/state?since=G``, which answers ``{"generation", "version", "error"}``
as soon as the state differs from generation ``G`` (or after :data:`LONG_POLL` seconds).

Only this machine's browser is answered: a request whose ``Host:`` is not ``127.0.0.1:PORT`` or
``localhost:PORT`` gets 421 (a web page elsewhere cannot reach the preview by pointing its own
name at 127.0.0.1), a path or query longer than :data:`MAX_PATH` / :data:`MAX_QUERY` gets 414,
a NUL or a path leading out of the served build (``..``, a link) gets 400 or 404, and a request
that fails for any other reason gets 500 with one line in the terminal, never a traceback.
"""

from __future__ import annotations

import html
import http.server
import json
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from storymap.build import build
from storymap.config import load_config
from storymap.errors import StorymapError

SCRIPT_PATH = "/__storymap/reload.js"
STATE_PATH = "/__storymap/state"
SCRIPT_FILE = Path(__file__).with_name("preview.js")
LONG_POLL = 20.0  # seconds a state request is held open while nothing changes
REMOVE_AFTER = 2.0  # seconds the replaced build is kept, so reloading pages get the disk first
IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".tmp")
MAX_PATH = 1024  # characters of a request's path: the site's longest is under 100
MAX_QUERY = 64  # characters of its query: the preview's own is ``since=N``
LOCAL_HOSTS = ("127.0.0.1", "localhost")
Echo = Callable[[str], None]
Builder = Callable[..., object]
Stamps = dict[Path, tuple[int, int]]

WAITING_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>storymap preview</title></head><body><h1>storymap preview</h1>
<p>The site has not built yet. The error is shown in the terminal and below: fix the file and
save it, and this page will update itself.</p><pre>{error}</pre></body></html>"""


class Preview:
    """The served folder, the build counter and the last error; shared by server and watcher.

    ``version`` counts good builds; ``generation`` counts every change of state (a good build,
    or an error appearing, changing or clearing), which is what waiting pages are woken for."""

    def __init__(self, config_path: Path, workdir: Path, echo: Echo, builder: Builder = build):
        self.config_path = config_path
        self.workdir = workdir
        self.echo = echo
        self.builder = builder
        self.version = 0
        self.generation = 0
        self.error = ""
        self.current: Path | None = None
        self.pages: list[Path] = []  # page files the config names (outside chapters/ too)
        self.changed = threading.Condition()

    def state(self) -> dict[str, object]:
        with self.changed:
            return {"generation": self.generation, "version": self.version, "error": self.error}

    def wait_for_change(self, since: int, timeout: float) -> dict[str, object]:
        with self.changed:
            self.changed.wait_for(lambda: self.generation != since, timeout)
        return self.state()

    def rebuild(self, saved: str = "") -> bool:
        """Build into a fresh folder; on success serve it and drop the previous one. Never
        raises (but KeyboardInterrupt): a failed build is reported and the last good one kept."""
        target = self.workdir / f"site-{self.version + 1}"
        started = time.perf_counter()
        try:
            config = load_config(self.config_path)
            self.pages = page_files(config)
            result = self.builder(config, target, previous=self.current)
        except StorymapError as exc:
            return self._failed(exc.render(), target)
        except Exception as exc:  # noqa: BLE001 - nothing may end the preview
            self.echo("".join(traceback.format_exception(exc)).rstrip())
            return self._failed(unexpected(exc, saved), target)
        elapsed = time.perf_counter() - started
        pages, maps = getattr(result, "pages", "?"), getattr(result, "maps", "?")
        self.echo(f"  ✓ built {pages} pages with {maps} maps in {elapsed:.1f} s")
        old = self.current
        with self.changed:
            self.current = target
            self.version += 1
            self.generation += 1
            self.error = ""
            self.changed.notify_all()
        if old is not None:  # removed a moment later, not while the open pages reload
            remover = threading.Timer(REMOVE_AFTER, shutil.rmtree, (old,), {"ignore_errors": True})
            remover.daemon = True
            remover.start()
        return True

    def _failed(self, error: str, target: Path) -> bool:
        shutil.rmtree(target, ignore_errors=True)
        with self.changed:
            self.error = error
            self.generation += 1
            self.changed.notify_all()
        self.echo(error)
        if self.current is not None:
            self.echo("  Still serving the last good build. Fix the file and save it.")
        return False

    def find_pages(self) -> None:
        """Learn which page files the config names, if it can be read (else keep the last)."""
        try:
            self.pages = page_files(load_config(self.config_path))
        except Exception:  # noqa: BLE001 - the rebuild reports what is wrong with the config
            pass

    def watched_files(self) -> Stamps:
        """Modification time and size of every watched file."""
        root = self.config_path.parent
        paths = {self.config_path, *self.pages}
        for folder in (root / "chapters", root / "data"):
            if folder.is_dir():
                paths.update(p for p in folder.rglob("*") if p.is_file())
        stamps = {}
        for path in paths:
            if path.name.startswith(".") or path.name.endswith(IGNORED_SUFFIXES):
                continue
            try:
                st = path.stat()
            except OSError:
                continue
            stamps[path] = (st.st_mtime_ns, st.st_size)
        return stamps


def page_files(config) -> list[Path]:
    return [config.resolve(f) for f in [config.home, *(c.file for c in config.chapters)]]


def unexpected(exc: BaseException, saved: str) -> str:
    """The Error: block for a failure storymap did not foresee (the traceback went to the
    terminal)."""
    after = f" after {saved} changed" if saved else ""
    return (
        f"Error: the build stopped unexpectedly{after}: {type(exc).__name__}: {exc}\n"
        "       Check the last change you saved there (a value the checks do not yet catch). "
        "If it\n       looks right, run `storymap build --debug` and report its output."
    )


def make_handler(preview: Preview) -> type[http.server.SimpleHTTPRequestHandler]:
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            folder = preview.current or preview.workdir / "waiting"
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, format: str, *args) -> None:  # noqa: A002 - keep the terminal quiet
            pass

        def end_headers(self) -> None:
            self.send_header("Cache-Control", "no-store")
            super().end_headers()

        def parse_request(self) -> bool:
            """The request line and headers, then the preview's own limits (see the module's
            docstring); False after sending the error response."""
            if not super().parse_request():
                return False
            problem = refusal(self.headers.get_all("Host") or [], self.path, self.server_port)
            if problem is None:
                return True
            self.close_connection = True
            self.send_error(*problem)
            return False

        @property
        def server_port(self) -> int:
            return self.server.server_address[1]

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            try:
                self.answer()
            except ConnectionError:
                raise
            except Exception as exc:  # noqa: BLE001 - one line in the terminal, never a traceback
                preview.echo(f"  (a request for {self.path[:80]!r} failed: {type(exc).__name__})")
                if not self.wfile.closed:
                    self.send_error(500, "The preview could not answer this request")

        def do_HEAD(self) -> None:  # noqa: N802
            try:
                super().do_HEAD()
            except ConnectionError:
                raise
            except Exception:  # noqa: BLE001
                self.send_error(500, "The preview could not answer this request")

        def translate_path(self, path: str) -> str:
            """The file for ``path`` inside the served build; a path leading elsewhere (a link
            out of it) is answered as missing."""
            found = super().translate_path(path)
            base = Path(self.directory).resolve()
            try:
                real = Path(found).resolve()
            except (OSError, ValueError):
                return str(base / "__missing__")
            return found if real == base or base in real.parents else str(base / "__missing__")

        def answer(self) -> None:
            url = urlsplit(self.path)
            if url.path == STATE_PATH:
                since = parse_qs(url.query).get("since", [""])[0]
                state = (
                    preview.wait_for_change(int(since), LONG_POLL)
                    if since.lstrip("-").isdigit() and len(since) <= 18
                    else preview.state()
                )
                return self.send_bytes(json.dumps(state).encode(), "application/json")
            if url.path == SCRIPT_PATH:
                return self.send_bytes(SCRIPT_FILE.read_bytes(), "text/javascript; charset=utf-8")
            if preview.current is None:
                return self.send_html(WAITING_PAGE.format(error=html.escape(preview.error)))
            file = Path(self.translate_path(url.path))
            if file.is_dir():
                file = file / "index.html"
            if file.suffix == ".html" and file.is_file():
                return self.send_html(file.read_text(encoding="utf-8"))
            return super().do_GET()

        def send_html(self, page: str) -> None:
            tag = f'<script src="{SCRIPT_PATH}" data-version="{preview.version}" defer></script>'
            if "</head>" in page:
                page = page.replace("</head>", tag + "\n</head>", 1)
            else:
                page += tag
            self.send_bytes(page.encode("utf-8"), "text/html; charset=utf-8")

        def send_bytes(self, body: bytes, content_type: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def refusal(hosts: list[str], target: str, port: int) -> tuple[int, str] | None:
    """(status, reason) a request is refused with, or None if the preview answers it."""
    allowed = {f"{host}:{port}" for host in LOCAL_HOSTS}
    if len(hosts) != 1 or hosts[0].strip().lower() not in allowed:
        return 421, f"The preview answers only Host: 127.0.0.1:{port} or localhost:{port}"
    path, _, query = target.partition("?")
    if len(path) > MAX_PATH or len(query) > MAX_QUERY:
        return 414, f"A path of at most {MAX_PATH} and a query of at most {MAX_QUERY} characters"
    if "\0" in unquote(target) or "%00" in target:
        return 400, "A NUL is in no file's name"
    return None


class PreviewServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        """A page that reloads or closes drops its waiting request: not worth a word; anything
        else is one line in the terminal, never a traceback."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError):
            return
        print(f"  (a request to the preview failed: {type(exc).__name__})", file=sys.stderr)


def open_server(preview: Preview, port: int) -> http.server.ThreadingHTTPServer:
    try:
        server = PreviewServer(("127.0.0.1", port), make_handler(preview))
    except OSError as exc:
        raise StorymapError(
            f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}. Another program (perhaps "
            f"another `storymap serve`) is using it; stop it or choose another port: "
            f"--port {port + 1}."
        ) from None
    return server


def serve(config_path: Path, port: int = 8000, echo: Echo = print, interval: float = 0.25) -> None:
    """Build, serve on 127.0.0.1:``port`` and rebuild on changes until Ctrl+C (or SIGTERM)."""
    config_path = config_path.resolve()
    if not config_path.is_file():
        load_config(config_path)  # the ordinary "config file not found" Error:, exit status 1
    workdir = Path(tempfile.mkdtemp(prefix="storymap-serve-"))
    preview = Preview(config_path, workdir, echo)
    server = None
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        server = open_server(preview, port)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        echo(f"Serving a live preview on http://127.0.0.1:{port}/ (Ctrl+C to stop).")
        preview.find_pages()
        stamps = preview.watched_files()
        preview.rebuild()
        echo(f"  Watching {config_path.name}, chapters/ and data/ for changes.")
        watch(preview, stamps, interval)
    except KeyboardInterrupt:
        echo("Stopped the preview.")
    finally:
        signal.signal(signal.SIGTERM, previous)
        if server is not None:
            server.shutdown()
            server.server_close()
        shutil.rmtree(workdir, ignore_errors=True)


def watch(preview: Preview, stamps: Stamps, interval: float) -> None:
    """Rebuild whenever a watched file changes; runs until KeyboardInterrupt."""
    while True:
        time.sleep(interval)
        try:
            stamps = check_once(preview, stamps)
        except Exception as exc:  # noqa: BLE001 - e.g. a folder vanishing mid-scan: try again
            preview.echo(f"  (watching: {type(exc).__name__}: {exc}; trying again)")


def check_once(preview: Preview, stamps: Stamps) -> Stamps:
    """Rebuild if a file changed since ``stamps``; returns the stamps to compare with next."""
    now = preview.watched_files()
    changed = sorted(p for p in now.keys() | stamps.keys() if now.get(p) != stamps.get(p))
    if not changed:
        return stamps
    root = preview.config_path.parent
    names = ", ".join(_relative(p, root) for p in changed[:3])
    more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
    preview.echo(f"Rebuilding: {names}{more} changed.")
    preview.rebuild(saved=names)
    return now  # a file saved during the build differs from this: it rebuilds again


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt
