"""Results of the build's stages, kept between builds and reused while their inputs are unchanged.

In: a stage's entry name, a key and a function that makes the result. Out: the result, read from
``.storymap-cache/stages/`` when an intact entry has that key, else made afresh and stored once
the build has succeeded.

A key (:class:`Keys`) is a hash of everything a stage reads: the config sections it uses, the
bytes of the data files, storymap's own code and the versions of the installed packages, so a
change to any of them runs the stage again. An entry is a folder ``<name>.<key>/`` holding
``value.pickle`` (a sha256 of the payload, then the pickled result and the sha256 of each file it
keeps) and, for stages that write files, ``files/``. Entries are written into a pending folder
during the build and renamed into place by :meth:`StageCache.commit` only when the build has
succeeded, replacing the older entry of the same name; a failed build leaves them as they were.
An entry that fails a checksum or cannot be unpickled is ignored and the stage runs again: a
damaged cache costs time, never a wrong site. ``storymap check`` reads entries, never writes.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import io
import json
import os
import pickle
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic_core import to_jsonable_python

from storymap.config import Config

CACHE_DIR = ".storymap-cache"
PACKAGE = Path(__file__).resolve().parent
MAGIC = b"storymap stage entry 1\n"
PENDING = ".pending-"


def cache_root(config: Config) -> Path:
    return config.root / CACHE_DIR


@contextmanager
def locked(root: Path) -> Iterator[None]:
    """Serialise builds that share one cache folder."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / "lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@functools.cache
def installed_versions() -> str:
    """Python's version and every installed distribution's name and version (from the names of
    their metadata folders, which is much faster than importlib.metadata)."""
    names = {sys.version}
    for entry in sys.path:
        try:
            names.update(n for n in os.listdir(entry) if n.endswith((".dist-info", ".egg-info")))
        except OSError:
            continue
    return "\n".join(sorted(names))


def code_key() -> str:
    """Hash of storymap's own code, templates and assets, and the installed packages' versions."""
    h = hashlib.sha256(installed_versions().encode())
    files = [p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    for path in sorted(files):
        h.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def digest(*parts: object) -> str:
    """A short hash of ``parts``: bytes as they are, anything else as sorted JSON."""
    h = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else json.dumps(
            to_jsonable_python(part, fallback=repr), sort_keys=True).encode()
        h.update(len(data).to_bytes(8, "little") + data)
    return h.hexdigest()[:24]


def data_files(config: Config) -> list[Path]:
    """Every data file a build reads: each source (the fetched copy if there is one), the index's
    comparison table and the fetch manifest."""
    from storymap.cache import MANIFEST, cache_dir
    from storymap.sources import source_path

    paths = [source_path(config, sid) for sid in sorted(config.sources)]
    compare = config.index.compare_with if config.index else None
    if compare and compare.inputs_table:
        paths.append(config.resolve(compare.inputs_table))
    return paths + [cache_dir(config) / MANIFEST]


def file_digest(config: Config, paths: list[Path]) -> str:
    """Hash of the files' names (as shown, relative to the project) and bytes. A file the build
    will refuse to read (missing, unreadable, too large) is named by that alone."""
    from storymap.sources import MAX_DATA_BYTES, display_path

    h = hashlib.sha256()
    for path in paths:
        h.update(display_path(config, path).encode() + b"\0")
        try:
            size = path.stat().st_size if path.is_file() else -1
            data = path.read_bytes() if 0 <= size <= MAX_DATA_BYTES else b""
        except OSError:
            size, data = -2, b""
        h.update(size.to_bytes(8, "little", signed=True) + hashlib.sha256(data).digest())
    return h.hexdigest()


class Keys:
    """The keys of one build's stages: its code, data and config, hashed once."""

    def __init__(self, config: Config):
        self.config = config
        self.code = code_key()
        self.data = file_digest(config, data_files(config))

    def config_part(self, section: str) -> object:
        """A dotted section of the config ("site.area"), or "*" for all of it."""
        if section == "*":
            return self.config
        value: object = self.config
        for name in section.split("."):
            value = getattr(value, name)
        return value

    def of(self, sections: tuple[str, ...], *more: object) -> str:
        """Key of a stage that reads the data files, ``sections`` of the config and ``more``."""
        parts = [(s, self.config_part(s)) for s in sections]
        return digest(self.code, self.data, self.config.path.name, parts, *more)


class _Pickler(pickle.Pickler):
    """Pickles ``externals`` (objects of the running build, e.g. the geography) by name only."""

    def __init__(self, file, externals: dict[str, object]):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.ids = {id(obj): name for name, obj in externals.items()}

    def persistent_id(self, obj):
        return self.ids.get(id(obj))


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, externals: dict[str, object]):
        super().__init__(file)
        self.externals = externals

    def persistent_load(self, pid):
        return self.externals[pid]


def _files_sha(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


class StageCache:
    """Entries under ``.storymap-cache/stages``; ``writable=False`` only reads them."""

    def __init__(self, config: Config, writable: bool = True):
        self.root = cache_root(config) / "stages"
        self.writable = writable
        self.made: list[str] = []  # entries made afresh by this build, in order
        self.reused: list[str] = []  # entries read from the cache
        self._used: dict[str, str] = {}  # name -> key of every entry this build used
        self._pending: Path | None = None

    def load(self, name: str, key: str, externals: dict[str, object] | None = None,
             files_to: Path | None = None) -> tuple[bool, object]:
        """(True, value) from an intact entry, copying its files into ``files_to``; else
        (False, None)."""
        entry = self.root / f"{name}.{key}"
        try:
            blob = (entry / "value.pickle").read_bytes()
            payload = blob[len(MAGIC) + 32:]
            if not blob.startswith(MAGIC) or hashlib.sha256(payload).digest() != blob[
                    len(MAGIC):len(MAGIC) + 32]:
                return False, None
            stored = _Unpickler(io.BytesIO(payload), externals or {}).load()
            if stored["name"] != name or stored["key"] != key:
                return False, None
            if stored["files"]:
                if files_to is None or _files_sha(entry / "files") != stored["files"]:
                    return False, None
                shutil.copytree(entry / "files", files_to, dirs_exist_ok=True)
        except Exception:  # absent, damaged, truncated or from another version: make it again
            return False, None
        self.reused.append(name)
        self._used[name] = key
        return True, stored["value"]

    def store(self, name: str, key: str, value: object, externals: dict[str, object] | None = None,
              files_from: Path | None = None) -> None:
        """Keep ``value`` (and a copy of the files in ``files_from``) as the entry for ``key``,
        in the pending folder until :meth:`commit`."""
        self.made.append(name)
        self._used[name] = key
        if not self.writable:
            return
        if self._pending is None:
            self.root.mkdir(parents=True, exist_ok=True)
            self._pending = Path(tempfile.mkdtemp(prefix=f"{PENDING}{os.getpid()}-", dir=self.root))
        entry = self._pending / f"{name}.{key}"
        entry.mkdir()
        files = {}
        if files_from is not None:
            shutil.copytree(files_from, entry / "files")
            files = _files_sha(entry / "files")
        buffer = io.BytesIO()
        _Pickler(buffer, externals or {}).dump(
            {"name": name, "key": key, "value": value, "files": files})
        payload = buffer.getvalue()
        (entry / "value.pickle").write_bytes(MAGIC + hashlib.sha256(payload).digest() + payload)

    def get(self, name: str, key: str, make: Callable[[], object],
            externals: dict[str, object] | None = None) -> object:
        """The entry's value, or ``make()`` stored as the new entry."""
        hit, value = self.load(name, key, externals)
        if not hit:
            value = make()
            self.store(name, key, value, externals)
        return value

    def get_files(self, name: str, key: str, make: Callable[[Path], object], dest: Path,
                  scratch: Path) -> object:
        """Like :meth:`get` for a stage that writes files: ``make(folder)`` writes them into an
        empty folder and returns the value; either way the files end up in ``dest``."""
        hit, value = self.load(name, key, files_to=dest)
        if not hit:
            folder = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=scratch))
            value = make(folder)
            self.store(name, key, value, files_from=folder)
            shutil.copytree(folder, dest, dirs_exist_ok=True)
        return value

    def commit(self) -> None:
        """Put this build's new entries in place, replacing the older entries of their names."""
        if not self.writable or not self.root.is_dir():
            return
        with locked(self.root.parent):
            if self._pending is not None:
                for entry in sorted(self._pending.iterdir()):
                    target = self.root / entry.name
                    if target.exists():  # an entry this build could not use (damaged)
                        os.rename(target, self._pending / f"{entry.name}.old")
                    os.rename(entry, target)
            for path in self.root.iterdir():
                name, _, key = path.name.rpartition(".")
                if (name in self._used and self._used[name] != key) or (
                        path.name.startswith(PENDING) and not _owner_alive(path.name)):
                    _remove(path)
            for path in self.root.parent.glob("*-*"):  # what older versions kept (profiles-<key>)
                if path.name.startswith(("profiles-", "downloads-")):
                    _remove(path)
        self.discard()

    def discard(self) -> None:
        """Forget this build's pending entries (a failed build calls this)."""
        if self._pending is not None:
            shutil.rmtree(self._pending, ignore_errors=True)
            self._pending = None


def _owner_alive(name: str) -> bool:
    """Whether another build, still running, owns pending folder ``name``."""
    match = re.match(rf"{re.escape(PENDING)}(\d+)-", name)
    return match is not None and int(match.group(1)) != os.getpid() and alive(int(match.group(1)))


def alive(pid: int) -> bool:
    """Whether process ``pid`` is running."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
