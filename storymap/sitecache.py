"""The build's stage cache: reuse work whose inputs have not changed since the last build.

In: the Config, rendered pages and a freshly written docs folder. Out: the built site, copied into
the caller's (temporary) site folder, which the build then swaps in as before.

Everything lives in ``.storymap-cache/`` beside site_config.yml (gitignored, safe to delete):

- ``profiles-<key>.pickle`` and ``downloads-<key>/``: ward and borough pages and the download
  files, keyed by :func:`inputs_key` (config, data files and storymap's own code; not chapters).
- ``docs/`` and ``site/``: a persistent MkDocs work folder. Each build's docs are synced into it,
  rewriting only files whose bytes changed, so unchanged pages keep their modification times and
  MkDocs' dirty build skips them. The search index of skipped pages is carried over from the last
  build. A full build runs when the MkDocs settings (nav, theme, styles) or the code changed, or
  when the last build did not finish.

A lock serialises builds that share the folder. A failed build never touches the published site
(the caller swaps only on success) and leaves the cache marked incomplete: the next build is
full.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from storymap.config import Config
from storymap.site import Page, mkdocs_yaml, run_mkdocs, write_docs

CACHE_DIR = ".storymap-cache"
PACKAGE = Path(__file__).resolve().parent


def cache_root(config: Config) -> Path:
    return config.root / CACHE_DIR


def _hash_files(h, paths: list[Path]) -> None:
    for path in sorted(paths):
        h.update(str(path).encode())
        h.update(path.read_bytes() if path.is_file() else b"(missing)")


def code_key() -> str:
    """Hash of storymap's own code, theme and assets, and the version of MkDocs."""
    from importlib.metadata import version

    h = hashlib.sha256()
    _hash_files(h, [p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts])
    h.update(version('mkdocs').encode())
    return h.hexdigest()


def inputs_key(config: Config) -> str:
    """Hash of everything the ward and borough pages depend on: config, data files, code."""
    from storymap.sources import source_path

    h = hashlib.sha256(code_key().encode())
    _hash_files(h, [config.path])
    _hash_files(h, [source_path(config, sid) for sid in config.sources])
    return h.hexdigest()[:20]


def _replace_old(root: Path, prefix: str, keep: Path) -> None:
    for old in root.glob(f"{prefix}-*"):
        if old != keep:
            shutil.rmtree(old) if old.is_dir() else old.unlink(missing_ok=True)


def cached_pages(config: Config, key: str, make: Callable[[], list[Page]]) -> list[Page]:
    """The pages made by ``make``, reused from the cache while ``key`` is unchanged."""
    root = cache_root(config)
    path = root / f"profiles-{key}.pickle"
    if path.is_file():
        try:
            return pickle.loads(path.read_bytes())
        except Exception:  # a damaged or outdated cache file: make the pages again
            path.unlink(missing_ok=True)
    pages = make()
    root.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(pickle.dumps(pages, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(tmp, path)
    _replace_old(root, "profiles", path)
    return pages


def cached_tree(config: Config, name: str, key: str, write: Callable[[Path], object],
                dest: Path) -> None:
    """Copy into ``dest`` the files ``write(folder)`` makes, reused while ``key`` is unchanged."""
    root = cache_root(config)
    stored = root / f"{name}-{key}"
    if not stored.is_dir():
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=root))
        try:
            write(tmp)
            os.replace(tmp, stored)
        except OSError:
            if not stored.is_dir():
                raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        _replace_old(root, name, stored)
    shutil.copytree(stored, dest, dirs_exist_ok=True)


@contextmanager
def _locked(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / "lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def sync_tree(src: Path, dest: Path) -> tuple[list[str], list[str]]:
    """Make ``dest`` hold exactly ``src``'s files, rewriting only changed ones.

    Returns the relative paths written and the relative paths deleted.
    """
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
    if dest.is_dir():
        for path in [p for p in dest.rglob("*") if p.is_file()]:
            rel = path.relative_to(dest).as_posix()
            if rel not in wanted:
                path.unlink()
                deleted.append(rel)
    return changed, deleted


def _site_path(docs_rel: str) -> str:
    return docs_rel[:-3] + ".html" if docs_rel.endswith(".md") else docs_rel


def _merge_search_index(site: Path, previous: Path, pages: list[Page]) -> None:
    """Add the entries of pages a dirty build skipped, from the previous full index."""
    index_path = site / "search" / "search_index.json"
    new = json.loads(index_path.read_text("utf-8"))
    if previous.is_file():
        old = json.loads(previous.read_text("utf-8"))
        urls = {_site_path(p.path) for p in pages}
        rebuilt = {d["location"].split("#")[0] for d in new["docs"]}
        kept = [
            d for d in old["docs"]
            if d["location"].split("#")[0] in urls - rebuilt
            or (d["location"] == "" and "" not in rebuilt)
        ]
        new["docs"] = kept + new["docs"]
        index_path.write_text(json.dumps(new, separators=(",", ":")), "utf-8")


def publish_site(config: Config, pages: list[Page], styles: list[str], docs: Path,
                 out: Path) -> dict[str, int]:
    """Build the site from ``pages`` and the files in ``docs`` into ``out``, reusing the cache.

    Returns counts: pages, docs files changed, and 1 under ``dirty`` if MkDocs rebuilt only them.
    """
    root = cache_root(config)
    write_docs(pages, docs)
    with _locked(root):
        work_docs, work_site, state_file = root / "docs", root / "site", root / "state.json"
        changed, deleted = sync_tree(docs, work_docs)
        settings = mkdocs_yaml(config, pages, styles, work_docs, work_site)
        state = {"settings": hashlib.sha256(settings.encode()).hexdigest(), "code": code_key()}
        previous = _read_state(state_file)
        dirty = previous == state and work_site.is_dir()
        state_file.unlink(missing_ok=True)  # marks the work folder incomplete until we finish
        if dirty:
            for rel in deleted:
                (work_site / _site_path(rel)).unlink(missing_ok=True)
        run_mkdocs(settings, root / "mkdocs.yml", dirty=dirty)
        full_index = root / "search_index.json"
        if dirty:
            _merge_search_index(work_site, full_index, pages)
        shutil.copyfile(work_site / "search" / "search_index.json", full_index)
        tmp = state_file.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(state), "utf-8")
        os.replace(tmp, state_file)  # never a half-written state file, even if killed here
        shutil.copytree(work_site, out, dirs_exist_ok=True)
    return {"pages": len(pages), "changed": len(changed), "dirty": int(dirty)}


def _read_state(path: Path) -> dict | None:
    """The last finished build's state; None if absent or unreadable (then the build is full)."""
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None


def profile_stage(config: Config, geo, results: dict, docs: Path) -> list[Page]:
    """Ward and borough pages and their download files, reused while their inputs are unchanged."""
    from storymap.profiles import profile_pages, write_profile_files

    key = inputs_key(config)
    pages = cached_pages(config, key, lambda: profile_pages(config, geo, results))
    cached_tree(config, "downloads", key, lambda d: write_profile_files(config, geo, results, d),
                docs)
    return pages
