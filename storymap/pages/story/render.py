"""The story's pages: the home page and every chapter, then the method and data-checks pages.

In: the Config, Geography, IndicatorResults, the map assets, a maker of static step images, the
IndexResult, the data checks report, the help points, and ``reuse``, which returns a chapter
from the build's cache while its inputs are unchanged (the build passes it in; this package
knows no cache).
Out: the :class:`~storymap.pages.page.Page` objects in reading order, the number of maps, and
the extra files (docs path -> text: step images, chapters' scripts; -> bytes: the chapters' own
images, :mod:`.images`) the pages use.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, Union

from storymap.config import Config, chapter_slug
from storymap.data.checks import CheckReport
from storymap.errors import ChapterError
from storymap.figures.geography import Geography, check_focus_boroughs
from storymap.figures.indicators import IndicatorResult
from storymap.figures.riskindex import IndexResult
from storymap.pages.about.explorer import explorer_files
from storymap.pages.about.method import checks_page, method_page
from storymap.pages.about.statement import accessibility_page, edit_link
from storymap.pages.maps.assets import MapAssets
from storymap.pages.page import Page
from storymap.pages.story.chapters import ChapterContext, read_bounded, render_chapter
from storymap.pages.story.images import chapter_images
from storymap.pages.urls import CHECKS, METHOD, chapter_doc, html_path, page_doc

if TYPE_CHECKING:
    from storymap.figures.help import HelpResult
    from storymap.pages.maps.static import StaticMaps

ABOUT = "About the data"
# reuse(name, key parts, make): make()'s value, or the cached one for the same key parts
Reuse = Callable[[str, tuple, Callable[[], Any]], Any]
T = TypeVar("T")
Given = Union[T, Callable[[], T]]  # noqa: UP007 - a generic alias needs Union


@dataclass
class Chapter:
    """A rendered chapter: its page, the files it uses and its number of maps."""

    page: Page
    files: dict[str, str]
    maps: int


def render_pages(
    config: Config,
    geo: Given[Geography],
    results: Given[dict[str, IndicatorResult]],
    assets: MapAssets | None,
    static: Callable[[], StaticMaps] | None,
    index: Given[IndexResult | None] = None,
    checks: Given[CheckReport | None] = None,
    reuse: Reuse | None = None,
    help_: Given[HelpResult | None] = None,
) -> tuple[list[Page], int, dict[str, str | bytes]]:
    """Markdown pages, the number of maps, and extra files (docs path -> text) they use. With
    ``reuse``, a page is rendered only if its file or anything else it reads changed. ``geo``,
    ``results``, ``index`` and ``checks`` are the values, or functions that return them, called
    only by the pages rendered afresh (so a rebuild that takes them all from the cache never
    unpickles the figures)."""
    check_focus_boroughs(config, given(geo))  # a misspelt borough is named with its key
    pages: list[Page] = []
    files: dict[str, str | bytes] = {}
    n_maps = 0
    entries = [("index", config.home, "Home", None)] + [
        (chapter_slug(ch), ch.file, ch.title, "The story") for ch in config.chapters
    ]
    for entry in entries:
        make = functools.partial(
            render_one, config, geo, results, assets, static, entry, index, help_
        )
        if reuse is None:
            chapter = make()
        else:
            chapter = reuse(
                f"chapter-{entry[0]}", (chapter_bytes(config, entry[1]), entry, assets), make
            )
        pages.append(chapter.page)
        files.update(chapter.files)
        # the images are read afresh at every build (a cached chapter's image may have changed)
        source = chapter_bytes(config, entry[1]).decode("utf-8", "replace")
        files.update(chapter_images(config, entry[1], source, chapter.page.markdown, files))
        n_maps += chapter.maps
    reuse = reuse or (lambda _name, _parts, make: make())
    if index is not None:
        method, explorer = reuse(
            "method-page",
            (),
            lambda: (
                method_page(config, given(geo), given(index), assets),
                explorer_files(config, given(geo), given(index))[0],
            ),
        )
        files.update(explorer)
        pages.append(
            Page(
                METHOD,
                "How the risk index is built",
                method,
                ABOUT,
                styles=assets.map_styles if assets else (),
            )
        )
    if checks is not None:
        markdown = reuse("checks-page", (), lambda: checks_page(config, given(checks)))
        pages.append(Page(CHECKS, "Data checks", markdown, ABOUT))
    pages.append(accessibility_page(config, ABOUT))
    return pages, n_maps, files


def given(value: Given[T]) -> T:
    """A value, or what the function standing for it returns."""
    return value() if callable(value) else value


def render_one(
    config: Config,
    geo: Given[Geography],
    results: Given[dict[str, IndicatorResult]],
    assets: MapAssets | None,
    static: Callable[[], StaticMaps] | None,
    entry: tuple[str, str, str, str | None],
    index: Given[IndexResult | None] = None,
    help_: Given[HelpResult | None] = None,
) -> Chapter:
    """One chapter (or the home page): ``entry`` is its slug, file, title and nav section."""
    slug, file, title, section = entry
    ctx = ChapterContext(
        config,
        given(geo),
        given(results),
        assets,
        "",
        slug,
        static() if static else None,
        index=given(index),
        help=given(help_),
    )
    markdown = render_chapter(config, file, ctx, extra={"chapters": chapter_links(config)})
    markdown += edit_link(config, file)
    wide = any(m.map_id.endswith("_story") for m in ctx.maps)
    styles = assets.map_styles if assets and ctx.maps else ()
    page = Page(page_doc(slug), title, markdown, section, wide, styles=styles)
    return Chapter(page, dict(ctx.files), len(ctx.maps))


def chapter_bytes(config: Config, file: str) -> bytes:
    """The chapter's bytes for its cache key; a missing or too large file is named by that alone
    (rendering it then gives the Error), never read whole."""
    path = config.resolve(file)
    if not path.is_file():
        return b"(missing)"
    try:
        return read_bounded(path, file)
    except ChapterError:
        return b"(too large) %d" % path.stat().st_size


def write_files(docs: Path, files: dict[str, str | bytes]) -> None:
    for rel, text in sorted(files.items()):
        target = docs / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)  # a new file, never one linked from the last site
        if isinstance(text, bytes):  # a chapter's image, as the author saved it
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")


def chapter_links(config: Config) -> list[dict[str, str]]:
    return [{"title": ch.title, "href": html_path(chapter_doc(ch))} for ch in config.chapters]
