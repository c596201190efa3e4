"""The site stage: MkDocs rebuilds, and pages are finished, only where pages changed.

In: the Config, the rendered pages, a folder of the site's other files (assets, images,
downloads: they need no MkDocs and go into the site as they are), the build's
:class:`~storymap.engine.store.Store` and the :class:`~storymap.site.finish.Finishing` of built
files. Out: the finished site in the caller's (temporary) folder, which the build then swaps in.

MkDocs keeps its own working folders in ``.storymap-cache/mkdocs/`` (gitignored, safe to delete):
``docs/``, its input folder, which stays empty: the pages are handed to it from memory, and
``state.json`` keeps the sha256 of each page's text, so MkDocs' dirty build skips the pages
whose text is unchanged (and whose output is still there); and ``site/``, its output, each
page finished (its Content-Security-Policy) as MkDocs writes it. The search index of skipped
pages is carried over from the last build.

The store entry ``site-final`` holds the sha256 of every finished file of ``site/``. A file this
run did not write is published only if its bytes still have that checksum; one that does not
(changed or damaged on disk) is built again, never published; so is every page when the last
full search index no longer reads. The site is made of copies, so it shares no file with the
cache. A full build runs when the MkDocs settings (nav, theme, styles), the pages'
groups or the code changed, or when the last build did not finish (``state.json`` is removed
while the folders are being changed). A failed build never touches the published site (the
caller swaps only on success) nor the store (its entries are committed only then).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from storymap.config import Config
from storymap.engine.files import link_same, move_tree, write_new
from storymap.engine.keys import digest
from storymap.engine.store import Store, cache_root
from storymap.pages.page import Page
from storymap.pages.urls import html_path
from storymap.site.finish import Finishing
from storymap.site.mkdocs import (
    mkdocs_yaml,
    page_source,
    run_mkdocs,
    write_theme_files,
)

FINAL = "site-final"
ALWAYS_WRITTEN = (
    "404.html",
    "sitemap.xml",
    "sitemap.xml.gz",
    "search/search_index.json",
    "search/titles.json",
)


class _Folders:
    def __init__(self, root: Path):
        self.root = root
        self.docs, self.site = root / "docs", root / "site"
        self.state = root / "state.json"
        self.index = root / "search_index.json"  # the last full search index


def publish_site(
    config: Config,
    pages: list[Page],
    styles: list[str],
    files: Path,
    out: Path,
    store: Store,
    code: str,
    finishing: Finishing,
) -> dict[str, int]:
    """Build the site from ``pages`` into ``out``, with the files under ``files`` moved in.

    Returns counts: ``pages``; ``written``, the pages MkDocs rebuilt; ``dirty``, 1 if MkDocs
    rebuilt only changed pages. Each page's markdown is emptied once MkDocs has its text, so it
    is not held twice."""
    folders = _Folders(cache_root(config.root) / "mkdocs")
    folders.root.mkdir(parents=True, exist_ok=True)
    settings = mkdocs_yaml(config, pages, styles, folders.docs, folders.site)
    # pages in a group's own navigation are not in the settings' nav, but in each other's pages
    groups = [(p.path, p.title, p.section, p.subsection) for p in pages if p.subsection]
    ident = digest(settings.replace(str(folders.root), ""), code, groups)
    state = _read_state(folders.state)
    dirty = state.get("ident") == ident and folders.site.is_dir()
    if dirty and not _index_reads(folders.index):
        store.notes.append("MkDocs' cached search index was damaged or missing; rebuilt every page")
        dirty = False
    was_dirty = dirty
    known_sources = state.get("docs", {}) if dirty else {}
    folders.state.unlink(missing_ok=True)  # marks the folders incomplete until we finish
    shutil.rmtree(folders.docs, ignore_errors=True)  # MkDocs reads the pages from memory:
    folders.docs.mkdir()  # its docs folder stays empty
    gone = set(known_sources) - {p.path for p in pages}
    texts, sources, written = _sources(pages, known_sources)
    for rel in gone:  # pages no longer in the site
        (folders.site / html_path(rel)).unlink(missing_ok=True)
    post = digest(code, config, [p.path for p in pages], os.environ.get("SOURCE_DATE_EPOCH"))
    hit, previous = store.load(FINAL, post)
    known: dict[str, str] = previous if hit and isinstance(previous, dict) else {}
    fresh: set[str] = set()
    stale: list[str] | None = None
    while stale is None or stale:  # again for files changed on disk since they were finished
        for rel in stale or []:
            (folders.site / rel).unlink()
        # a later round builds only pages whose output was found changed: pages MkDocs did
        # not read in the first (whose text it therefore still has)
        fresh |= run_mkdocs(
            settings,
            folders.root / "mkdocs.yml",
            pages,
            texts,
            set(written) if stale is None else set(),
            dirty,
            finishing.page,
            folders.root / "templates",
        )
        if dirty:
            _merge_search_index(folders.site, folders.index, pages)
        shutil.copyfile(folders.site / "search" / "search_index.json", folders.index)
        finishing.check()  # a page refused: the build stops, the previous site is kept
        finished, stale = _copy_site(folders.site, out, fresh, known, store.previous)
        if stale:
            store.notes.append(
                f"{len(stale)} file(s) of MkDocs' working output (e.g. {stale[0]}) "
                "were not as the last finished build left them (changed since, or "
                "left by a build that failed); built them again"
            )
        dirty = True
    write_theme_files(files)
    finishing.folder(out)
    move_tree(files, out)
    if finished != known:
        store.store(FINAL, post, finished)
    _write_state(folders.state, {"ident": ident, "docs": sources})
    return {"pages": len(pages), "written": len(written), "dirty": int(was_dirty)}


def _sources(pages: list[Page], known: dict[str, str]) -> tuple[dict[str, str], dict, list]:
    """Each page's markdown as MkDocs reads it (and each page's own markdown emptied, so it is
    not held twice), the sha256 of each for the next build, and the pages whose text is not
    the one the last finished build had (``known``)."""
    texts: dict[str, str] = {}
    record: dict[str, str] = {}
    written = []
    for page in pages:
        texts[page.path] = page_source(page)
        page.markdown = ""
        record[page.path] = hashlib.sha256(texts[page.path].encode("utf-8")).hexdigest()
        if known.get(page.path) != record[page.path]:
            written.append(page.path)
    return texts, record, written


def _copy_site(
    site: Path, out: Path, fresh: set[str], known: dict[str, str], previous: Path | None
) -> tuple[dict[str, str], list[str]]:
    """Copy MkDocs' finished output into ``out``: each file this run wrote, and each other
    whose bytes still have the sha256 they had when finished (linked from ``previous``, the
    last finished site, where its file there has the same bytes). Returns every file's sha256
    and the files that do not (changed on disk since: MkDocs must build them again)."""
    finished: dict[str, str] = {}
    stale = []
    for base, _dirs, names in os.walk(site):
        rel_base = Path(base).relative_to(site).as_posix()
        target = out / rel_base
        target.mkdir(parents=True, exist_ok=True)
        for name in names:
            rel = name if rel_base == "." else f"{rel_base}/{name}"
            data = Path(base, name).read_bytes()
            sha = hashlib.sha256(data).hexdigest()
            if rel in fresh or rel in ALWAYS_WRITTEN or known.get(rel) == sha:
                # the files finish_site rewrites afterwards are always new files
                if (
                    rel in ALWAYS_WRITTEN
                    or previous is None
                    or not link_same(previous / rel, sha, target / name)
                ):
                    write_new(target / name, data)
                finished[rel] = sha
            else:
                stale.append(rel)
    return finished, stale


def _merge_search_index(site: Path, previous: Path, pages: list[Page]) -> None:
    """Add the entries of pages a dirty build skipped, from the previous full index."""
    index_path = site / "search" / "search_index.json"
    new = json.loads(index_path.read_text("utf-8"))
    try:
        old = json.loads(previous.read_text("utf-8"))
    except (OSError, ValueError):
        return
    urls = {html_path(p.path) for p in pages}
    rebuilt = {d["location"].split("#")[0] for d in new["docs"]}
    kept = [
        d
        for d in old["docs"]
        if d["location"].split("#")[0] in urls - rebuilt
        or (d["location"] == "" and "" not in rebuilt)
    ]
    new["docs"] = kept + new["docs"]
    index_path.write_text(json.dumps(new, separators=(",", ":")), "utf-8")


def _index_reads(path: Path) -> bool:
    """Whether the last full search index (which a dirty build's is merged with) still reads."""
    try:
        return isinstance(json.loads(path.read_text("utf-8")).get("docs"), list)
    except (OSError, ValueError, AttributeError):
        return False


def _write_state(path: Path, state: dict) -> None:
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(state), "utf-8")
    os.replace(tmp, path)  # never a half-written state file, even if killed here


def _read_state(path: Path) -> dict:
    """The last finished build's state; {} if absent or unreadable (then the build is full)."""
    try:
        state = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}
