"""build(config) runs the stages in order; check(config) runs all but the writing.

    config ─► geography ─► indicators ─► map assets ─► chapters ─► site (MkDocs) ─► swap into out/

The site is built in a temporary folder beside ``out`` and swapped in only when every stage has
succeeded, so a failed or interrupted build leaves the previous site as it was.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from storymap.chapters import ChapterContext, render_chapter
from storymap.config import Config, chapter_slug
from storymap.datachecks import CheckReport, check_inputs
from storymap.errors import StorymapError
from storymap.geography import Geography, load_geography
from storymap.indicators import IndicatorResult, compute_indicators
from storymap.maps import MapAssets, palette_for, write_map_assets
from storymap.method import checks_page, method_page
from storymap.riskindex import IndexResult, compute_index
from storymap.security import secure_site
from storymap.site import Page, finish_site
from storymap.sitecache import profile_stage, publish_site
from storymap.staticmap import StaticMaps
from storymap.weight import check_weights, summary

Report = Callable[[str], None]
ABOUT = "About the data"


@dataclass
class BuildResult:
    out: Path
    pages: int
    maps: int
    timings: dict[str, float] = field(default_factory=dict)


class Stages:
    """Times each stage and reports it as it finishes."""

    def __init__(self, report: Report | None):
        self.report = report or (lambda _msg: None)
        self.timings: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.timings[name] = time.perf_counter() - start
        self.report(f"{name} ({self.timings[name]:.1f} s)")


def build(config: Config, out: Path, report: Report | None = None) -> BuildResult:
    out = check_output_dir(config, out)
    stages = Stages(report)
    checks, geo, results, index = compute(config, stages)
    out.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(out)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-{os.getpid()}-", dir=out.parent))
    try:
        docs = work / "docs"
        with stages.stage("write map geometry and data"):
            assets = write_map_assets(config, geo, results, docs)
        with stages.stage("render chapters"):
            static = StaticMaps(geo, palette_for(config))
            pages, n_maps, files = render_pages(
                config, geo, results, assets, static, index=index, checks=checks
            )
            write_files(docs, files)
        with stages.stage("ward and borough pages, downloads"):
            pages += profile_stage(config, geo, results, docs)
        with stages.stage("build site"):
            publish_site(config, pages, assets.styles, docs, work / "site")
            secure_site(config, work / "site")
            finish_site(work / "site", pages)
        with stages.stage("check page weight"):
            stages.report(summary(check_weights(config, work / "site")))
        swap_in(work / "site", out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return BuildResult(out=out, pages=len(pages), maps=n_maps, timings=stages.timings)


def compute(
    config: Config, stages: Stages
) -> tuple[CheckReport, Geography, dict[str, IndicatorResult], IndexResult]:
    """The stages every command shares: check the inputs, read the geography, compute figures."""
    with stages.stage("check input data"):
        checks = check_inputs(config)
    with stages.stage("read boundaries and lookups"):
        geo = load_geography(config)
    with stages.stage("compute indicators and risk index"):
        results = compute_indicators(config, geo)
        index = compute_index(config, geo, results)
    return checks, geo, results, index


def check(config: Config, report: Report | None = None) -> BuildResult:
    """Validate config, data and chapters without writing a site."""
    stages = Stages(report)
    checks, geo, results, index = compute(config, stages)
    with stages.stage("render chapters"):
        pages, n_maps, _files = render_pages(
            config, geo, results, None, None, index=index, checks=checks
        )
    return BuildResult(out=Path(), pages=len(pages), maps=n_maps, timings=stages.timings)


def render_pages(
    config: Config,
    geo: Geography,
    results: dict[str, IndicatorResult],
    assets: MapAssets | None,
    static: StaticMaps | None,
    index: IndexResult | None = None,
    checks: CheckReport | None = None,
) -> tuple[list[Page], int, dict[str, str]]:
    """Markdown pages, the number of maps, and extra files (docs path -> text) they use."""
    pages: list[Page] = []
    files: dict[str, str] = {}
    n_maps = 0
    entries = [("index", config.home, "Home", None)] + [
        (chapter_slug(ch), ch.file, ch.title, "The story") for ch in config.chapters
    ]
    for slug, file, title, section in entries:
        ctx = ChapterContext(config, geo, results, assets, "", slug, static)
        markdown = render_chapter(config, file, ctx, extra={"chapters": chapter_links(config)})
        wide = any(m.map_id.endswith("_story") for m in ctx.maps)
        pages.append(Page(f"{slug}.md", title, markdown, section, wide))
        files.update(ctx.files)
        n_maps += len(ctx.maps)
    if index is not None:
        markdown = method_page(config, geo, index)
        pages.append(Page("method.md", "How the risk index is built", markdown, ABOUT))
    if checks is not None:
        pages.append(Page("data-checks.md", "Data checks", checks_page(config, checks), ABOUT))
    return pages, n_maps, files


def write_files(docs: Path, files: dict[str, str]) -> None:
    for rel, text in sorted(files.items()):
        target = docs / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def chapter_links(config: Config) -> list[dict[str, str]]:
    return [{"title": ch.title, "href": f"{chapter_slug(ch)}.html"} for ch in config.chapters]


def check_output_dir(config: Config, out: Path) -> Path:
    out = out.resolve()
    root = config.root.resolve()
    data = (root / "data").resolve()
    if out == root or out in root.parents:
        raise StorymapError(
            f"--out {out}: the output folder would replace the project folder. "
            "Use a folder of its own, e.g. --out site."
        )
    if out == data or data in out.parents:
        raise StorymapError(
            f"--out {out}: the output folder is inside data/. Use a folder outside data/, "
            "e.g. --out site."
        )
    if out.exists() and not out.is_dir():
        raise StorymapError(f"--out {out}: exists and is not a folder. Choose another path.")
    return out


def clean_leftovers(out: Path) -> None:
    """Remove what a killed build left beside ``out``: temporary folders of builds whose process
    is gone, and, if it was killed between the two renames of :func:`swap_in`, put the previous
    site back."""
    for folder in out.parent.glob(f".{out.name}.building-*"):
        match = re.match(rf"\.{re.escape(out.name)}\.building-(\d+)-", folder.name)
        if match is None or not _alive(int(match.group(1))):
            shutil.rmtree(folder, ignore_errors=True)
    old = out.with_name(f".{out.name}.old")
    if old.is_dir() and not out.exists():
        old.rename(out)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def swap_in(new: Path, out: Path) -> None:
    """Replace ``out`` with ``new`` with two renames; the old site is removed only afterwards."""
    old = out.with_name(f".{out.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if out.exists():
        out.rename(old)
    new.rename(out)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


__all__ = ["build", "check", "BuildResult", "StorymapError"]
