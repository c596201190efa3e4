"""What the page-weight check measured, kept for the next build so it measures only what changed.

In: what an earlier build's :class:`WeightMemo` stored (or nothing). Out: a memo that
:func:`storymap.output.weight.measure_site` asks before it compresses a file or reads a page's
loads.

- gzip sizes are kept by the sha256 of the bytes compressed, so only new bytes are compressed;
- a page's loads (files, files on demand, external URLs) are kept by the page's path and sha256,
  with the sha256 of every site file that reading them looked at (the stylesheets it loads), and
  reused only while those files are unchanged too.

The result is the same as measuring everything afresh. The memo keeps for the next build only
what this build used, so it does not grow from build to build.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from storymap.config import Config
from storymap.engine.runner import Stages
from storymap.output.weight import PageWeight, check_weights

Loads = tuple[list[str], list[str], list[str]]


class WeightMemo:
    def __init__(self, stored: object = None):
        stored = stored if isinstance(stored, dict) else {}
        self._old_sizes: dict[bytes, int] = stored.get("sizes", {})
        self._old_loads: dict[tuple[str, bytes], tuple[Loads, dict]] = stored.get("loads", {})
        self.sizes: dict[bytes, int] = {}
        self.loads: dict[tuple[str, bytes], tuple[Loads, dict]] = {}
        self.compressed = 0  # files gzip-compressed by this build
        self.parsed = 0  # pages whose loads this build read afresh
        self._file_sha: dict[str, bytes | None] = {}
        self._looked: set[Path] = set()
        self._watchers: dict[Path, Path] = {}
        self._recent: dict[int, tuple[bytes, bytes]] = {}  # id -> (bytes, sha256), a few
        self._rel: dict[Path, str] = {}

    def _sha(self, data: bytes) -> bytes:
        """sha256 of ``data``, computed once for the bytes of the last pages read."""
        found = self._recent.get(id(data))
        if found is None or found[0] is not data:
            if len(self._recent) > 256:
                self._recent.clear()
            found = self._recent[id(data)] = (data, hashlib.sha256(data).digest())
        return found[1]

    def known_size(self, data: bytes) -> int | None:
        """The gzip size of ``data`` if an earlier measuring knows it, else None."""
        key = self._sha(data)
        return self.sizes.get(key, self._old_sizes.get(key))

    def gz_size(self, data: bytes, measure: Callable[[bytes], int]) -> int:
        key = self._sha(data)
        size = self.sizes.get(key, self._old_sizes.get(key))
        if size is None:
            size = measure(data)
            self.compressed += 1
        self.sizes[key] = size
        return size

    def page_loads(
        self, site: Path, page: str, raw: bytes, parse: Callable[[Path], Loads]
    ) -> Loads:
        """``parse(site)``'s result for this page, reused if the page and every file the last
        parse looked at are unchanged."""
        key = (page, self._sha(raw))
        found = self._old_loads.get(key)
        if found is None or any(self._file(site, f) != sha for f, sha in found[1].items()):
            self._looked.clear()
            if site not in self._watchers:
                self._watchers[site] = _watched(site, self._looked)
            loads = parse(self._watchers[site])
            self.parsed += 1
            found = (
                loads,
                {rel: self._file(site, rel) for rel in _relative(site, self._looked, self._rel)},
            )
        self.loads[key] = found
        return list(found[0][0]), list(found[0][1]), list(found[0][2])

    def _file(self, site: Path, rel: str) -> bytes | None:
        """sha256 of a site file (None if it is not a file), read once per build."""
        if rel not in self._file_sha:
            path = site / rel
            self._file_sha[rel] = (
                hashlib.sha256(path.read_bytes()).digest() if path.is_file() else None
            )
        return self._file_sha[rel]

    def stored(self) -> dict:
        """What to keep for the next build: only what this build used."""
        return {"sizes": self.sizes, "loads": self.loads}


def _watched(site: Path, looked: set[Path]) -> Path:
    """``site`` as a path that notes every path derived from it that is read or tested."""

    class Watched(type(site)):  # type: ignore[misc, valid-type]
        pass

    def noting(name: str):
        method = getattr(type(site), name)

        def note(self, *args, **kwargs):
            looked.add(Path(self))
            return method(self, *args, **kwargs)

        return note

    for name in (
        "open",
        "read_text",
        "read_bytes",
        "is_file",
        "is_dir",
        "exists",
        "stat",
        "iterdir",
        "glob",
        "rglob",
    ):
        setattr(Watched, name, noting(name))
    # what measuring knows it depends on without reading it again (storymap.output.weight)
    Watched.note_paths = lambda self, paths: looked.update(paths)
    return Watched(site)


def _relative(site: Path, paths: set[Path], known: dict[Path, str]) -> list[str]:
    out = []
    for path in paths:
        rel = known.get(path)
        if rel is None:
            try:
                rel = path.relative_to(site).as_posix()
            except ValueError:
                rel = str(path)  # outside the site: ``site / rel`` is then the path itself
            known[path] = rel
        out.append(rel)
    return sorted(out)


def weigh(config: Config, site: Path, run: Stages) -> list[PageWeight]:
    """Check every page's weight, measuring afresh only what changed since the last build."""
    _found, stored = run.store.load("page-weight", run.code)
    memo = WeightMemo(stored)
    weights = check_weights(config, site, memo)
    run.store.store("page-weight", run.code, memo.stored())
    run.note(f"{memo.parsed} of {len(weights)} pages measured afresh")
    return weights
