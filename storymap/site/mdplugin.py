"""What storymap adds to MkDocs' build, as plugins handed to it in-process (never installed).

In: the rendered pages (path, title, section, subsection) and a page's markdown as MkDocs reads
it. Out, while MkDocs builds:

- raw HTML that storymap generated goes through Markdown unparsed (:mod:`.rawhtml`), which is
  most of what MkDocs spent its time on;
- pages grouped under a section (``Page.subsection``: a borough's overview and ward pages) are
  left out of the site-wide navigation, so its size does not grow with the number of boroughs
  and wards; each such page gets its title, previous and next links within its group, and
  ``local_nav`` in the template context: the pages of its own group, listed under its section
  (the theme shows them there; the section's index page lists every group);
- each page gets its Content-Security-Policy as it is written (``secure``), and the plugin
  notes which pages this run wrote (``written``);
- MkDocs reads each page's markdown from memory (``texts``), not from files;
- the search plugin reads nothing of the pages left out of the search index (``left_out``:
  storymap.site.finish drops their entries), nor of elements marked ``data-unindexed`` (a
  map's list of help points: search finds those through the place files).
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import FileSystemBytecodeCache
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File
from mkdocs.structure.toc import get_toc

from storymap.pages.page import Page
from storymap.site.plainmd import Converted, convert
from storymap.site.rawhtml import restore, stash


@dataclass
class Group:
    """Pages listed together in the navigation of each of them (a borough and its wards)."""

    section: str  # the nav section they belong to, as the nav shows it
    title: str
    paths: list[str] = field(default_factory=list)  # docs paths, in order
    pages: list = field(default_factory=list)  # MkDocs' Page objects, once MkDocs made them


class Storymap(BasePlugin):
    """Raw HTML set aside before Markdown runs and put back after it; the pages' local nav."""

    def __init__(
        self,
        pages: list[Page],
        left_out: tuple[str, ...],
        label,
        secure=None,
        compiled: Path | None = None,
        texts: dict[str, str] | None = None,
        changed: set[str] | None = None,
    ) -> None:
        super().__init__()
        self.texts = texts or {}  # docs path -> the page's markdown, handed to MkDocs
        self.changed = changed or set()  # pages a dirty build must build again
        self.compiled = compiled  # a folder for Jinja's compiled templates, kept between builds
        self.secure = secure or (lambda text, where: text)  # (page HTML, its path) -> HTML
        self.written: set[str] = set()  # site paths of the pages this run wrote
        self.titles = {p.path: label(p.title) for p in pages}
        self.groups: dict[str, Group] = {}
        self.group_of: dict[str, Group] = {}
        for page in pages:
            if page.section is not None and page.subsection is not None:
                key = f"{page.section}\0{page.subsection}"
                if key not in self.groups:
                    self.groups[key] = Group(label(page.section), label(page.subsection))
                self.groups[key].paths.append(page.path)
                self.group_of[page.path] = self.groups[key]
        self.left_out = left_out
        self.stashes: dict[str, tuple[str, object]] = {}
        self.full: dict[str, str] = {}  # page -> its content while search skips it

    def on_files(self, files, config, **kwargs):
        for path, text in self.texts.items():
            file = File.generated(config, path, content=text)
            # a dirty build builds a page again if its text changed or its output is gone
            file.is_modified = functools.partial(
                _modified, path in self.changed, file.abs_dest_path
            )
            files.append(file)
        return files

    def on_nav(self, nav, config, files, **kwargs):
        for group in self.groups.values():
            group.pages = [files.get_file_from_path(p).page for p in group.paths]
            for i, page in enumerate(group.pages):
                page.title = self.titles[page.file.src_uri]
                page.previous_page = group.pages[i - 1] if i > 0 else None
                page.next_page = group.pages[i + 1] if i + 1 < len(group.pages) else None
        return nav

    def on_env(self, env, config, files, **kwargs):
        if self.compiled is not None:  # compiling the theme's templates takes longer than a page
            self.compiled.mkdir(parents=True, exist_ok=True)
            env.bytecode_cache = FileSystemBytecodeCache(str(self.compiled))
        return env

    def on_page_markdown(self, markdown, page, config, files, **kwargs):
        if page.file.src_uri in self.texts:  # read: held no more (England's pages), and
            self.texts[page.file.src_uri] = ""  # built now, so not needed by a later round
            page.file.content_string = ""
        reduced, kept = stash(markdown)
        self.stashes[page.file.src_uri] = (markdown, kept)
        done = convert(reduced, kept.words(), kept.blocks)
        if done is not None:  # only headings and raw HTML: MkDocs' render() is not needed
            page.render = functools.partial(_render_converted, page, done)
        return reduced

    def on_page_content(self, html, page, config, files, **kwargs):
        markdown, kept = self.stashes.pop(page.file.src_uri)
        page.__dict__.pop("render", None)  # MkDocs' own again, if it is needed below
        restored = restore(html, kept)
        if restored is None:  # a placeholder did not come through: convert it as it is
            page.markdown = markdown
            page.render(config, files)
            restored = page.content
        page.markdown = ""  # read no more: MkDocs holds every page until the end
        return restored

    @event_priority(100)  # before the search plugin reads the page
    def on_page_context(self, context, page, config, nav, **kwargs):
        if page.file.src_uri.startswith(self.left_out) and page.content:
            self.full[page.file.src_uri] = page.content  # left out of the search index: its
            page.content = ""  # entry is dropped, so the search plugin reads nothing of it
        elif page.content and "data-unindexed" in page.content:
            self.full[page.file.src_uri] = page.content  # long lists (a map's help points)
            page.content = UNINDEXED.sub("", page.content)  # searched through their own files
        group = self.group_of.get(page.file.src_uri)
        if group is not None:
            context["local_nav"] = group
        return context

    def on_post_page(self, output, page, config, **kwargs):
        self.written.add(page.file.dest_uri)
        return self.secure(output, page.file.dest_uri)

    def on_post_template(self, output_content, template_name, config, **kwargs):
        return self.secure(output_content, template_name)


# an element the search index leaves out (its text is found another way); none is nested
UNINDEXED = re.compile(r"<(details|div|ul)\b[^>]*\bdata-unindexed\b[^>]*>.*?</\1>", re.DOTALL)


class AfterSearch(BasePlugin):
    """Gives each page its whole content back once the search plugin has read it."""

    def __init__(self, storymap: Storymap) -> None:
        super().__init__()
        self.storymap = storymap

    @event_priority(-100)
    def on_page_context(self, context, page, config, nav, **kwargs):
        full = self.storymap.full.pop(page.file.src_uri, None)
        if full is not None:
            page.content = full
        return context


def _modified(changed: bool, dest: str) -> bool:
    return changed or not os.path.isfile(dest)


def _render_converted(page, done: Converted, config, files) -> None:
    """What MkDocs' ``Page.render`` leaves on a page, from :func:`storymap.site.plainmd.convert`."""
    page.content = done.html
    page.toc = get_toc(done.toc_tokens)
    page._title_from_render = done.title
    page.present_anchor_ids = done.anchor_ids
