"""The site stage's cache: MkDocs rebuilds, and the site is finished, only where pages changed.

In: the Config, the rendered pages, a docs folder with the other files (assets, images, downloads)
and ``finish``, which post-processes freshly built files in a folder (Content-Security-Policy,
search index, sitemap). Out: the finished site in the caller's (temporary) folder, which the build
then swaps in.

Everything lives in ``.storymap-cache/`` beside site_config.yml (gitignored, safe to delete):

- ``docs/``: MkDocs' input. A page's file is rewritten only when the page changed (its hash is
  kept in ``state.json``), other files only when their bytes changed, so unchanged files keep
  their modification times and MkDocs' dirty build skips them. The search index of skipped pages
  is carried over from the last build.
- ``site/``: MkDocs' output, which MkDocs rewrites in place.
- ``final/``: the finished site. Only the files MkDocs wrote this time are finished again (copied
  into a scratch folder, post-processed there, then renamed into ``final/``); all of them when the
  config, the page list or the code changed. Files in ``final/`` are only ever replaced by rename,
  never written in place, so the caller's folder can hard-link them: the published site and the
  cache never share a file that is later changed.

A full build runs when the MkDocs settings (nav, theme, styles) or the code changed, or when the
last build did not finish (``state.json`` is removed while the folders are being changed). A lock
serialises builds that share the folder. A failed build never touches the published site (the
caller swaps only on success).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from storymap.config import Config
from storymap.site import Page, html_path, mkdocs_yaml, run_mkdocs, write_docs
from storymap.stagecache import cache_root, code_key, digest, locked

Stats = dict[str, list[int]]  # relative path -> [size, mtime_ns]


def sync_tree(src: Path, dest: Path, keep: set[str] = frozenset()) -> tuple[list[str], list[str]]:
    """Make ``dest`` hold ``src``'s files (and its own files named in ``keep``), rewriting only
    changed ones. Returns the relative paths written and the relative paths deleted."""
    wanted = {p.relative_to(src).as_posix() for p in src.rglob("*") if p.is_file()}
    changed = []
    for rel in sorted(wanted):
        target = dest / rel
        data = (src / rel).read_bytes()
        if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        changed.append(rel)
    deleted = []
    for rel in stats(dest):
        if rel not in wanted and rel not in keep:
            (dest / rel).unlink()
            deleted.append(rel)
    return changed, deleted


def stats(folder: Path) -> Stats:
    """Size and modification time of every file under ``folder``."""
    out: Stats = {}
    for base, _dirs, files in os.walk(folder):
        rel_base = Path(base).relative_to(folder).as_posix()
        for name in files:
            st = os.stat(os.path.join(base, name))
            out[name if rel_base == "." else f"{rel_base}/{name}"] = [st.st_size, st.st_mtime_ns]
    return out


def _merge_search_index(site: Path, previous: Path, pages: list[Page]) -> None:
    """Add the entries of pages a dirty build skipped, from the previous full index."""
    index_path = site / "search" / "search_index.json"
    new = json.loads(index_path.read_text("utf-8"))
    if previous.is_file():
        old = json.loads(previous.read_text("utf-8"))
        urls = {html_path(p.path) for p in pages}
        rebuilt = {d["location"].split("#")[0] for d in new["docs"]}
        kept = [
            d for d in old["docs"]
            if d["location"].split("#")[0] in urls - rebuilt
            or (d["location"] == "" and "" not in rebuilt)
        ]
        new["docs"] = kept + new["docs"]
        index_path.write_text(json.dumps(new, separators=(",", ":")), "utf-8")


def page_hashes(pages: list[Page]) -> dict[str, str]:
    """Docs path -> hash of everything the page's docs file is written from."""
    return {p.path: hashlib.sha256(repr([getattr(p, f.name) for f in dataclasses.fields(p)])
                                   .encode()).hexdigest() for p in pages}


def _unchanged_pages(hashes: dict[str, str], previous: dict, docs: Path) -> set[str]:
    """Paths of pages whose docs file the last build wrote from the same page, untouched since."""
    known = previous.get("docs", {})
    current = stats(docs) if known else {}
    return {path for path, h in hashes.items()
            if path in known and known[path] == [h, *current.get(path, [])]}


class _Folders:
    def __init__(self, root: Path):
        self.root = root
        self.docs, self.site, self.final = root / "docs", root / "site", root / "final"
        self.state = root / "state.json"
        self.index = root / "search_index.json"  # the last full search index


def publish_site(config: Config, pages: list[Page], styles: list[str], docs: Path, out: Path,
                 finish: Callable[[Path], object]) -> dict[str, int]:
    """Build the site from ``pages`` and the files in ``docs`` into ``out``, reusing the cache.

    Returns counts: ``pages``; ``written``, the pages written for MkDocs; ``finished``, the files
    post-processed by ``finish``; ``dirty``, 1 if MkDocs rebuilt only changed pages.
    """
    folders = _Folders(cache_root(config))
    with locked(folders.root):
        settings = mkdocs_yaml(config, pages, styles, folders.docs, folders.site)
        code = code_key()
        ident = {"settings": digest(settings.replace(str(folders.root), "")), "code": code}
        previous = _read_state(folders.state) or {}
        if {k: previous.get(k) for k in ident} != ident or not folders.site.is_dir():
            previous = {}  # a full build
        hashes = page_hashes(pages)
        unchanged = _unchanged_pages(hashes, previous, folders.docs)
        written = [p for p in pages if p.path not in unchanged]
        write_docs(written, docs)
        _changed, deleted = sync_tree(docs, folders.docs, keep=unchanged)
        folders.state.unlink(missing_ok=True)  # marks the folders incomplete until we finish
        dirty = bool(previous)
        if dirty:
            for rel in deleted:
                (folders.site / html_path(rel)).unlink(missing_ok=True)
        run_mkdocs(settings, folders.root / "mkdocs.yml", dirty=dirty)
        if dirty:
            _merge_search_index(folders.site, folders.index, pages)
        shutil.copyfile(folders.site / "search" / "search_index.json", folders.index)
        post = digest(code, config, [p.path for p in pages], os.environ.get("SOURCE_DATE_EPOCH"))
        built = stats(folders.site)
        finished, only_given = _refresh_final(
            folders, built, previous if previous.get("post") == post else {}, finish)
        if not only_given:
            post = None  # finish made files MkDocs did not: finish everything again next time
        final = stats(folders.final)
        link_tree(folders.final, out, final)
        docs_state = stats(folders.docs)
        state = {**ident, "post": post, "site": built, "final": final,
                 "docs": {path: [h, *docs_state[path]] for path, h in hashes.items()}}
        tmp = folders.state.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(state), "utf-8")
        os.replace(tmp, folders.state)  # never a half-written state file, even if killed here
    return {"pages": len(pages), "written": len(written), "finished": finished,
            "dirty": int(dirty)}


def _refresh_final(folders: _Folders, built: Stats, previous: dict,
                   finish: Callable[[Path], object]) -> tuple[int, bool]:
    """Bring ``final/`` up to date with ``site/``: finish the files MkDocs wrote since the last
    build (all of them without a ``previous`` state), and those whose finished copy changed (e.g.
    written through a hard link); remove files MkDocs no longer makes. Returns the number of files
    finished, and whether ``finish`` made no files besides those it was given."""
    old_built, old_final = previous.get("site", {}), previous.get("final", {})
    final = stats(folders.final)
    redo = {rel for rel, st in built.items()
            if old_built.get(rel) != st or rel not in final or final[rel] != old_final.get(rel)}
    scratch = Path(tempfile.mkdtemp(prefix=".finish-", dir=folders.root))
    try:
        for rel in sorted(redo):
            (scratch / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(folders.site / rel, scratch / rel)
        finish(scratch)
        made = stats(scratch)
        for rel in made:
            (folders.final / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(scratch / rel, folders.final / rel)
        for rel in final:
            if (rel not in built or rel in redo) and rel not in made:  # gone, or finish removed it
                (folders.final / rel).unlink()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return len(redo), set(made) <= set(built)


def link_tree(src: Path, dest: Path, files: Stats) -> None:
    """Hard-link ``files`` of ``src`` into ``dest`` (copies where links cannot be made, e.g.
    across file systems)."""
    link: Callable[[Path, Path], object] = os.link
    made: set[Path] = set()
    for rel in sorted(files):
        target = dest / rel
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        try:
            link(src / rel, target)
        except OSError:
            link = shutil.copy2
            link(src / rel, target)


def _read_state(path: Path) -> dict | None:
    """The last finished build's state; None if absent or unreadable (then the build is full)."""
    try:
        state = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) else None
