"""Measure the live preview: from saving a chapter to the open page showing the change.

Usage: .venv/bin/python bench/bench_serve_reload.py [--runs N]

Starts a real `storymap serve` on a throwaway copy of the project, opens a chapter in Debian's
Chromium (through Playwright, as the tests do), waits for the first build, then N times appends
a sentence to the chapter and times until that sentence is on the open page, which the page's
own reload script brings in (the bench never reloads it). For each save it also prints the
rebuild time the preview reported in its terminal, so the share of the wait spent building and
spent noticing and reloading can be told apart. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHAPTER = "chapters/01-introduction.md"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def state(url: str) -> dict:
    try:
        with urllib.request.urlopen(url + "/__storymap/state", timeout=10) as response:
            return json.loads(response.read())
    except OSError:
        return {}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        project = Path(tmp)
        shutil.copy2(REPO / "site_config.yml", project / "site_config.yml")
        shutil.copytree(REPO / "chapters", project / "chapters")
        shutil.copytree(REPO / "data", project / "data", ignore=shutil.ignore_patterns("cache"))
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        log = project / "serve.log"
        with log.open("w") as out:
            serve = subprocess.Popen(
                [sys.executable, "-m", "storymap", "serve", "--port", str(port)],
                cwd=project,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            started = time.perf_counter()
            while not state(url).get("version"):
                time.sleep(0.5)
            print(f"first build: {time.perf_counter() - started:.1f} s")
            waits = []
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=CHROMIUM, args=["--headless", "--no-sandbox"]
                )
                page = browser.new_page()
                page.goto(f"{url}/introduction.html", wait_until="load")
                chapter = project / CHAPTER
                for run in range(1, args.runs + 1):
                    sentence = f"Bench sentence number {run}."
                    chapter.write_text(chapter.read_text("utf-8") + f"\n{sentence}\n", "utf-8")
                    saved = time.perf_counter()
                    page.get_by_text(sentence).wait_for(timeout=600_000)
                    waits.append(time.perf_counter() - saved)
                    time.sleep(0.5)  # the preview writes its "built" line just after swapping
                    built = re.findall(
                        r"built \d+ pages with \d+ maps in ([\d.]+) s", log.read_text()
                    )
                    print(
                        f"save {run}: page updated {waits[-1]:.1f} s after saving "
                        f"(rebuild reported {built[-1]} s)"
                    )
                browser.close()
            print(
                f"save to updated page: median {statistics.median(waits):.1f} s, "
                f"best {min(waits):.1f} s over {len(waits)} saves"
            )
        finally:
            serve.send_signal(signal.SIGINT)
            serve.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
