"""How long the built-HTML check (storymap.output.htmlcheck) takes on the whole default site.

Builds the bundled site into a temporary folder (or reads an existing one given as the first
argument), then prints the pages, their size, the time Lexbor takes to parse them all and the
time the whole check takes.

    .venv/bin/python bench/bench_htmlcheck.py [SITE_FOLDER]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from storymap.build import build
from storymap.config import load_config
from storymap.output.htmlcheck import check_built_pages

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    config = load_config(REPO / "site_config.yml")
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tmp) / "site"
        if len(sys.argv) == 1:
            build(config, site)
        pages = sorted(site.rglob("*.html"))
        texts = [p.read_text("utf-8") for p in pages]
        start = time.perf_counter()
        for text in texts:
            for _node in LexborHTMLParser(text).root.traverse(include_text=False):
                pass
        parsed = time.perf_counter() - start
        start = time.perf_counter()
        checked = check_built_pages(config, site, [])
        whole = time.perf_counter() - start
    size = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    print(
        f"pages: {checked}  size: {size:.1f} MB  parse only: {parsed:.2f} s  "
        f"whole check: {whole:.2f} s"
    )


if __name__ == "__main__":
    main()
