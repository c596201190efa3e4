"""The site stage: MkDocs rebuilds, and pages are finished, only where pages changed.

In: the Config, the rendered pages, a docs folder with the other files (assets, images, downloads),
the build's :class:`~storymap.site.cache.Store` and ``finish``, which post-processes freshly built
files in a folder (Content-Security-Policy, search index, sitemap). Out: the finished site in the
caller's (temporary) folder, which the build then swaps in.

MkDocs keeps its own working folders in ``.storymap-cache/mkdocs/`` (gitignored, safe to delete):
``docs/``, its input, where a page's file is rewritten only when its bytes change, so MkDocs' dirty
build skips unchanged pages; and ``site/``, its output. The search index of skipped pages is
carried over from the last build.

The finished files are an entry of the store (``site-final``): for each file, the sha256 of
MkDocs' output it was finished from and of the finished file. A file whose MkDocs output has the
same bytes as last time is copied from the store (checked against its sha256); any other file is
finished afresh. A full build runs when the MkDocs settings (nav, theme, styles) or the code
changed, when the last build did not finish (``state.json`` is removed while the folders are
being changed), or when MkDocs' output is not byte for byte what the last build left
(``state.json`` records the sha256 of every file) or its last full search index does not read:
a damaged working folder is rebuilt, never published. A failed build never touches the
published site (the caller swaps only on success) nor the store (its entries are committed only
then).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from storymap.config import Config
from storymap.pages.page import Page
from storymap.site.cache import Store, cache_root
from storymap.site.keys import digest
from storymap.site.mkdocs import html_path, mkdocs_yaml, run_mkdocs, write_docs

FINAL = "site-final"


def sync_tree(src: Path, dest: Path) -> tuple[list[str], list[str]]:
    """Make ``dest`` hold exactly ``src``'s files, rewriting only changed ones. Returns the
    relative paths written and the relative paths deleted."""
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
    for path in sorted(p for p in dest.rglob("*") if p.is_file()) if dest.is_dir() else []:
        rel = path.relative_to(dest).as_posix()
        if rel not in wanted:
            path.unlink()
            deleted.append(rel)
    return changed, deleted


def file_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder``, by relative path."""
    out = {}
    for base, _dirs, files in os.walk(folder):
        rel_base = Path(base).relative_to(folder).as_posix()
        for name in files:
            with open(os.path.join(base, name), "rb") as handle:
                digest_ = hashlib.file_digest(handle, "sha256").hexdigest()
            out[name if rel_base == "." else f"{rel_base}/{name}"] = digest_
    return out


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
        d for d in old["docs"]
        if d["location"].split("#")[0] in urls - rebuilt
        or (d["location"] == "" and "" not in rebuilt)
    ]
    new["docs"] = kept + new["docs"]
    index_path.write_text(json.dumps(new, separators=(",", ":")), "utf-8")


class _Folders:
    def __init__(self, root: Path):
        self.root = root
        self.docs, self.site = root / "docs", root / "site"
        self.state = root / "state.json"
        self.index = root / "search_index.json"  # the last full search index


def publish_site(config: Config, pages: list[Page], styles: list[str], docs: Path, out: Path,
                 store: Store, code: str, finish: Callable[[Path], object]) -> dict[str, int]:
    """Build the site from ``pages`` and the files in ``docs`` into ``out``, reusing the cache.

    Returns counts: ``pages``; ``written``, the pages MkDocs rebuilt; ``finished``, the files
    post-processed by ``finish``; ``dirty``, 1 if MkDocs rebuilt only changed pages.
    """
    folders = _Folders(cache_root(config) / "mkdocs")
    folders.root.mkdir(parents=True, exist_ok=True)
    settings = mkdocs_yaml(config, pages, styles, folders.docs, folders.site)
    ident = digest(settings.replace(str(folders.root), ""), code)
    dirty = _read_state(folders.state).get("ident") == ident and folders.site.is_dir()
    if dirty and not _intact(folders):
        store.notes.append("MkDocs' cached output was damaged or incomplete; rebuilt every page")
        dirty = False
    write_docs(pages, docs)
    written, _deleted = sync_tree(docs, folders.docs)
    folders.state.unlink(missing_ok=True)  # marks the folders incomplete until we finish
    if dirty:
        for rel in _deleted:
            (folders.site / html_path(rel)).unlink(missing_ok=True)
    run_mkdocs(settings, folders.root / "mkdocs.yml", dirty=dirty)
    if dirty:
        _merge_search_index(folders.site, folders.index, pages)
    shutil.copyfile(folders.site / "search" / "search_index.json", folders.index)
    post = digest(code, config, [p.path for p in pages], os.environ.get("SOURCE_DATE_EPOCH"))
    finished = _finish(folders.site, out, store, post, finish)
    tmp = folders.state.with_suffix(f".{os.getpid()}.tmp")
    state = {"ident": ident, "files": file_hashes(folders.site)}
    tmp.write_text(json.dumps(state, sort_keys=True), "utf-8")
    os.replace(tmp, folders.state)  # never a half-written state file, even if killed here
    page_files = {p.path for p in pages}
    return {"pages": len(pages), "written": len(page_files.intersection(written)),
            "finished": finished, "dirty": int(dirty)}


def _intact(folders: _Folders) -> bool:
    """Whether MkDocs' output is exactly as the last build left it (state.json records its
    files' sha256), so a dirty build may keep the pages it skips, and its full search index
    still reads."""
    try:
        json.loads(folders.index.read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return file_hashes(folders.site) == _read_state(folders.state).get("files")


def _finish(site: Path, out: Path, store: Store, key: str,
            finish: Callable[[Path], object]) -> int:
    """Fill ``out`` with the finished site: each file of MkDocs' output ``site`` whose bytes are
    as they were when it was last finished comes from the store; the others are finished afresh.
    Returns the number of files finished afresh."""
    built = file_hashes(site)
    hit, previous = store.load(FINAL, key)
    before: dict[str, list[str]] = previous if hit and isinstance(previous, dict) else {}
    done: dict[str, list[str]] = {}
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".finish-", dir=out.parent))
    try:
        for rel, sha in sorted(built.items()):
            old = before.get(rel)
            if old and old[0] == sha and store.restore(old[1], out / rel):
                done[rel] = old
                continue
            (scratch / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(site / rel, scratch / rel)
        redo = len(built) - len(done)
        finish(scratch)
        made = file_hashes(scratch)
        for rel, sha in made.items():
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(scratch / rel, out / rel)
            done[rel] = [built.get(rel, ""), sha]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if done == before and redo == 0:
        return redo  # the entry this build loaded stays as it is (else its files are kept again)
    if set(made) <= set(built):  # else finish made files MkDocs did not: all again next time
        store.store(FINAL, key, done, files_from=out, known={r: s for r, (_b, s) in done.items()})
    return redo


def _read_state(path: Path) -> dict:
    """The last finished build's state; {} if absent or unreadable (then the build is full)."""
    try:
        state = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}
