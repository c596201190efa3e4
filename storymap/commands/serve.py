"""Live preview: build into a temporary folder, serve it on 127.0.0.1, rebuild on every save.

In: the path of site_config.yml and a port. Out: a local web server that runs until Ctrl+C. It
watches the config, ``chapters/``, ``data/`` and every page file the config names (polling their
modification times once a second), rebuilds with :func:`storymap.build.build` when one changes,
and reloads open pages. A build that fails prints its ``Error:`` block in the terminal, shows a
banner in the browser, and the last good build keeps being served.

The reload script is added to HTML responses by the server only; the built site has no trace of
it. It polls ``/__storymap_version``, which answers ``{"version": n, "error": "..."}``.
"""

from __future__ import annotations

import http.server
import json
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from storymap.build import build
from storymap.config import load_config
from storymap.errors import StorymapError

VERSION_PATH = "/__storymap_version"
IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".tmp")
Echo = Callable[[str], None]

RELOAD_SCRIPT = """
<script>/* storymap serve: live reload (added by the preview server only) */
(function () {
  var seen = null, banner = null;
  function show(error) {
    if (!error) { if (banner) { banner.remove(); banner = null; } return; }
    if (!banner) {
      banner = document.createElement("pre");
      banner.setAttribute("role", "alert");
      banner.style.cssText = "position:fixed;left:0;right:0;bottom:0;z-index:9999;margin:0;" +
        "padding:1em;max-height:40vh;overflow:auto;background:#7a0000;color:#fff;" +
        "font:14px/1.4 monospace;white-space:pre-wrap";
      document.body.appendChild(banner);
    }
    banner.textContent = error + "\\n\\n(Showing the last good build. Fix the file and save.)";
  }
  function poll() {
    fetch("__VERSION_PATH__", {cache: "no-store"}).then(function (r) { return r.json(); })
      .then(function (s) {
        if (seen !== null && s.version !== seen) { location.reload(); return; }
        seen = s.version; show(s.error);
      }).catch(function () {}).then(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
</script>
""".replace("__VERSION_PATH__", VERSION_PATH)

WAITING_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>storymap preview</title></head><body><h1>storymap preview</h1>
<p>The site has not built yet. The error is shown in the terminal (and below); fix the file
and save it, and this page will reload.</p></body></html>"""


class Preview:
    """The served folder, the build counter and the last error; shared by server and watcher."""

    def __init__(self, config_path: Path, workdir: Path, echo: Echo):
        self.config_path = config_path
        self.workdir = workdir
        self.echo = echo
        self.version = 0
        self.error = ""
        self.current: Path | None = None
        self.lock = threading.Lock()

    def rebuild(self) -> bool:
        """Build into a fresh folder; on success serve it and drop the previous one."""
        target = self.workdir / f"site-{self.version + 1}"
        started = time.perf_counter()
        try:
            config = load_config(self.config_path)
            result = build(config, target)
        except StorymapError as exc:
            self.error = exc.render()
            self.echo(self.error)
            if self.current is not None:
                self.echo("  Still serving the last good build. Fix the file and save it.")
            return False
        old = self.current
        with self.lock:
            self.current = target
            self.version += 1
            self.error = ""
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        elapsed = time.perf_counter() - started
        self.echo(f"  ✓ built {result.pages} pages with {result.maps} maps in {elapsed:.1f} s")
        return True

    def watched_files(self) -> dict[Path, tuple[int, int]]:
        """Modification time and size of every watched file."""
        root = self.config_path.parent
        paths = {self.config_path}
        for folder in (root / "chapters", root / "data"):
            if folder.is_dir():
                paths.update(p for p in folder.rglob("*") if p.is_file())
        try:
            config = load_config(self.config_path)
            pages = [config.home, *(c.file for c in config.chapters)]
            paths.update(config.resolve(f) for f in pages)
        except StorymapError:
            pass
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

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            path = self.path.split("?", 1)[0].split("#", 1)[0]
            if path == VERSION_PATH:
                with preview.lock:
                    body = json.dumps({"version": preview.version, "error": preview.error})
                return self.send_bytes(body.encode(), "application/json")
            if preview.current is None:
                return self.send_html(WAITING_PAGE + f"<pre>{escape(preview.error)}</pre>")
            file = Path(self.translate_path(path))
            if file.is_dir():
                file = file / "index.html"
            if file.suffix == ".html" and file.is_file():
                return self.send_html(file.read_text(encoding="utf-8"))
            return super().do_GET()

        def send_html(self, html: str) -> None:
            if "</body>" in html:
                html = html.replace("</body>", RELOAD_SCRIPT + "</body>", 1)
            else:
                html += RELOAD_SCRIPT
            self.send_bytes(html.encode("utf-8"), "text/html; charset=utf-8")

        def send_bytes(self, body: bytes, content_type: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def open_server(preview: Preview, port: int) -> http.server.ThreadingHTTPServer:
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), make_handler(preview))
    except OSError as exc:
        raise StorymapError(
            f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}. Another program (perhaps "
            f"another `storymap serve`) is using it; stop it or choose another port: "
            f"--port {port + 1}."
        ) from None
    server.daemon_threads = True
    return server


def serve(config_path: Path, port: int = 8000, echo: Echo = print, interval: float = 1.0) -> None:
    """Build, serve on 127.0.0.1:``port`` and rebuild on changes until Ctrl+C (or SIGTERM)."""
    config_path = config_path.resolve()
    load_config(config_path)  # a broken config at start is an ordinary Error: and exit 1
    workdir = Path(tempfile.mkdtemp(prefix="storymap-serve-"))
    preview = Preview(config_path, workdir, echo)
    server = None
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        server = open_server(preview, port)
        stamps = preview.watched_files()
        preview.rebuild()
        threading.Thread(target=server.serve_forever, daemon=True).start()
        echo(f"Serving a live preview on http://127.0.0.1:{port}/ (Ctrl+C to stop).")
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


def watch(preview: Preview, stamps: dict[Path, tuple[int, int]], interval: float) -> None:
    while True:
        time.sleep(interval)
        now = preview.watched_files()
        changed = sorted(p for p in now.keys() | stamps.keys() if now.get(p) != stamps.get(p))
        if not changed:
            continue
        root = preview.config_path.parent
        names = ", ".join(_relative(p, root) for p in changed[:3])
        more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
        preview.echo(f"Rebuilding: {names}{more} changed.")
        stamps = now  # a file saved during the build differs from this: it rebuilds again
        preview.rebuild()


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt
