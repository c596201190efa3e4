"""One store for everything a build keeps for the next: stage results, finished pages, weights.

In: an entry's name, its key (:mod:`storymap.engine.keys`), a value and optionally a folder of
files. Out: the value and files again in a later build, while the key is the same, or a miss.

Everything lives in ``.storymap-cache/store/`` beside site_config.yml (gitignored, always safe to
delete):

- ``entries/<name>.<key>/value.pickle``: a magic line, the sha256 of the payload, then the
  pickled payload (name, key, value and the sha256 of each of its files);
  ``entries/<name>.<key>/files.json`` lists the same file hashes for clearing out old blobs.
- ``blobs/<ab>/<sha256>``: file contents, stored once however many entries use them.

Every entry and every file is checked against its sha256 each time it is read, and copied out,
never linked, so the published site shares no file with the store. (A file whose bytes the
previous finished site already holds, checked by sha256, is hard-linked from that site instead:
see :func:`link_same`.) A damaged or truncated entry or file is dropped, made again, and noted
(:attr:`Store.notes`); it is never published and never "unexpected". New entries and files go
into a pending folder and are renamed into place by :meth:`Store.commit` only when the build has
succeeded, replacing the older entry of the same name; a failed build calls
:meth:`Store.discard` and leaves the store as it was. A store opened with ``writable=False``
(``storymap check``) only reads. A writable store holds a lock from :meth:`Store.open` until
:meth:`Store.close`, so builds that share it run one after another.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from storymap.engine.files import alive, link_same, move_tree, sha256_bytes, write_new
from storymap.engine.fork import Beside, Done
from storymap.engine.pickled import Hashing, Pickler, Unpickler
from storymap.errors import StorymapError

CACHE_DIR = ".storymap-cache"
MAGIC = b"storymap store entry 2\n"
PENDING = ".pending-"


def cache_root(project_root: Path) -> Path:
    return project_root / CACHE_DIR


class Damaged(Exception):
    """An entry or file of the store failed its checksum or could not be read back."""


class Store:
    """The entries and files under ``root``; see the module's docstring."""

    def __init__(self, root: Path, writable: bool = True, previous: Path | None = None):
        self.root = root
        self.writable = writable
        self.previous = previous  # the last finished site, whose same files are linked
        self.entries, self.blobs = root / "entries", root / "blobs"
        self.made: list[str] = []  # entries made afresh by this build, in order
        self.reused: list[str] = []  # entries read from the store
        self.notes: list[str] = []  # damaged entries found (and made again)
        self._used: dict[str, str] = {}  # name -> key of every entry this build used
        self._pending: Path | None = None
        self._lock: IO[str] | None = None

    # --- a build's session ---------------------------------------------------------------
    def open(self) -> Store:
        """Take the store's lock (a writable store), waiting for another build to finish."""
        if self.writable and self._lock is None:
            try:
                self.root.mkdir(parents=True, exist_ok=True)
                self._lock = open(self.root / "lock", "w")  # noqa: SIM115 - held until close()
            except OSError as exc:
                raise StorymapError(
                    f"{self.root}: cannot write the build's cache there ({exc.strerror or exc}). "
                    "Fix the folder's permissions, or delete it: the next build makes it again."
                ) from None
            fcntl.flock(self._lock, fcntl.LOCK_EX)
        return self

    def close(self) -> None:
        """Forget what was not committed and let the next build in."""
        self.discard()
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    def __enter__(self) -> Store:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- values --------------------------------------------------------------------------
    def load(
        self,
        name: str,
        key: str,
        externals: dict[str, object] | None = None,
        files_to: Path | None = None,
        same_as: Path | None = None,
    ) -> tuple[bool, object]:
        """(True, value) from an intact entry, its files copied into ``files_to`` (if given;
        linked from the same place under ``same_as`` where that file has the same bytes);
        else (False, None), noting an entry that was there but damaged."""
        payload = self.peek(name, key)
        if payload is None:
            return False, None
        try:
            stored = self._unpickle(payload, name, key, externals or {})
            if stored["files"] and files_to is not None:
                self._restore_all(stored["files"], files_to, same_as)
        except Exception:  # damaged, truncated, or from another version: make it again
            self._damaged(name)
            return False, None
        return True, stored["value"]

    def peek(self, name: str, key: str) -> bytes | None:
        """The payload of the entry for ``key``, checked against its sha256 but not unpickled
        (:meth:`unpickle` does that when the value is needed); None if there is none or it is
        damaged (noted, and then made again)."""
        entry = self.entries / f"{name}.{key}"
        if not entry.is_dir():
            return None
        try:
            blob = (entry / "value.pickle").read_bytes()
        except OSError:
            blob = b""
        head = len(MAGIC)
        payload = blob[head + 32 :]
        if not blob.startswith(MAGIC) or hashlib.sha256(payload).digest() != blob[head : head + 32]:
            self._damaged(name)
            return None
        self.reused.append(name)
        self._used[name] = key
        return payload

    def unpickle(
        self, name: str, key: str, payload: bytes, externals: dict[str, object] | None = None
    ) -> tuple[bool, object]:
        """(True, value) of a payload from :meth:`peek`; (False, None) if it cannot be read back
        (noted: the caller makes the value again)."""
        try:
            return True, self._unpickle(payload, name, key, externals or {})["value"]
        except Exception:  # from another version of a library: make it again
            self._damaged(name)
            return False, None

    def _damaged(self, name: str) -> None:
        self.notes.append(f"the cached '{name}' was damaged or unreadable; made it again")
        if name in self.reused:
            self.reused.remove(name)
        self._used.pop(name, None)

    def store(
        self,
        name: str,
        key: str,
        value: object,
        externals: dict[str, object] | None = None,
        files_from: Path | None = None,
        known: dict[str, str] | None = None,
    ) -> None:
        """Keep ``value`` and the files under ``files_from`` (``known`` gives some files' sha256
        already) as the entry for ``key``, pending until :meth:`commit`."""
        self.made.append(name)
        self._used[name] = key
        if not self.writable:
            return
        pending = self._pending_folder()
        files: dict[str, str] = {}
        if files_from is not None:
            for path in sorted(p for p in files_from.rglob("*") if p.is_file()):
                rel = path.relative_to(files_from).as_posix()
                files[rel] = self._put_blob(path, (known or {}).get(rel))
        entry = pending / "entries" / f"{name}.{key}"
        entry.mkdir(parents=True)
        with (entry / "value.pickle").open("wb") as out:  # pickled straight into the file:
            out.write(MAGIC + bytes(32))  # a large value (England's pages) is never also
            hashing = Hashing(out)  # held as one bytes object, nor twice
            Pickler(hashing, externals or {}).dump(
                {"name": name, "key": key, "value": value, "files": files}
            )
            out.seek(len(MAGIC))
            out.write(hashing.sha.digest())
        (entry / "files.json").write_text(json.dumps(sorted(set(files.values()))), "utf-8")

    def get(
        self,
        name: str,
        key: str,
        make: Callable[[], object],
        externals: dict[str, object] | None = None,
    ) -> object:
        """The entry's value, or ``make()`` stored as the new entry."""
        hit, value = self.load(name, key, externals)
        if not hit:
            value = make()
            self.store(name, key, value, externals)
        return value

    def get_files(
        self, name: str, key: str, make: Callable[[Path], object], dest: Path, scratch: Path
    ) -> object:
        """Like :meth:`get` for a stage that writes files: ``make(folder)`` writes them into an
        empty folder and returns the value; either way the files end up in ``dest``."""
        hit, value, folder = self._files_entry(name, key, scratch)
        if not hit:
            value = make(folder)
            self.store(name, key, value, files_from=folder)
        _move_in(folder, dest)
        return value

    def _files_entry(self, name: str, key: str, scratch: Path) -> tuple[bool, object, Path]:
        """(hit, value, a new folder in ``scratch`` holding the entry's files if hit, else
        empty)."""
        folder = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=scratch))
        hit, value = self.load(name, key, files_to=folder, same_as=self.previous)
        if not hit:
            shutil.rmtree(folder)
            folder.mkdir()
        return hit, value, folder

    def get_files_beside(
        self,
        name: str,
        key: str,
        make: Callable[[Path], object],
        dest: Path,
        scratch: Path,
        prepare: Callable[[], object] | None = None,
    ) -> Beside:
        """Like :meth:`get_files`, with ``make(folder)`` run in a second process while this
        one goes on (:mod:`storymap.engine.fork`); the returned job's ``result()`` waits for
        it, keeps its files in the store and moves them into ``dest``."""
        hit, value, folder = self._files_entry(name, key, scratch)
        if hit:
            _move_in(folder, dest)
            return Done(value)
        if prepare is not None:
            prepare()
        if self.writable:
            self._pending_folder()  # made before the fork: the second process keeps the
            # files it writes as blobs there too, so this one only records them

        def work() -> tuple[object, dict[str, str] | None]:
            made = make(folder)
            return made, self._put_blobs(folder) if self.writable else None

        def finish(got: tuple[object, dict[str, str] | None]) -> object:
            made, shas = got
            self.store(name, key, made, files_from=folder, known=shas)
            _move_in(folder, dest)
            return made

        return Beside(work, then=finish)

    # --- files ---------------------------------------------------------------------------
    def restore(self, sha: str, dest: Path, same: Path | None = None) -> bool:
        """Write the stored file ``sha`` to ``dest`` after checking its bytes (or link ``same``
        there, if its bytes have that sha256); False (and a damaged copy removed) if it is
        missing or damaged."""
        if link_same(same, sha, dest):
            return True
        for base in ([self._pending / "blobs"] if self._pending else []) + [self.blobs]:
            path = base / sha[:2] / sha
            try:
                data = path.read_bytes()
            except OSError:
                continue
            if sha256_bytes(data) != sha:
                self.notes.append(f"a cached file ({dest.name}) was damaged; made it again")
                if self.writable:
                    path.unlink(missing_ok=True)
                continue
            write_new(dest, data)
            return True
        return False

    def _restore_all(self, files: dict[str, str], folder: Path, same_as: Path | None) -> None:
        for rel, sha in sorted(files.items()):
            if not self.restore(sha, folder / rel, same_as / rel if same_as else None):
                raise Damaged(rel)

    def _put_blobs(self, folder: Path) -> dict[str, str]:
        """Keep every file under ``folder`` as a blob; their sha256 by folder-relative path."""
        return {
            path.relative_to(folder).as_posix(): self._put_blob(path, None)
            for path in sorted(p for p in folder.rglob("*") if p.is_file())
        }

    def _put_blob(self, path: Path, sha: str | None) -> str:
        """Keep the file at ``path`` as a blob (once); returns its sha256."""
        data = None
        if sha is None:
            data = path.read_bytes()
            sha = sha256_bytes(data)
        committed = self.blobs / sha[:2] / sha
        target = self._pending_folder() / "blobs" / sha[:2] / sha
        if target.exists() or (
            committed.is_file() and committed.stat().st_size == path.stat().st_size
        ):
            return sha
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data if data is not None else path.read_bytes())
        return sha

    def _unpickle(self, payload: bytes, name: str, key: str, externals: dict[str, object]) -> dict:
        stored = Unpickler(io.BytesIO(payload), externals).load()
        if stored["name"] != name or stored["key"] != key:
            raise Damaged(f"{name}.{key}")
        return stored

    def _pending_folder(self) -> Path:
        if self._pending is None:
            self.root.mkdir(parents=True, exist_ok=True)
            self._pending = Path(tempfile.mkdtemp(prefix=f"{PENDING}{os.getpid()}-", dir=self.root))
        return self._pending

    # --- keeping what this build made ----------------------------------------------------
    def commit(self) -> None:
        """Put this build's new entries and files in place, replacing the older entries of their
        names, and remove files no entry uses any more."""
        if not self.writable or not self.root.is_dir():
            return
        held = self._lock is not None
        self.open()
        try:
            self._commit()
        finally:
            if not held:
                self.close()
        self.discard()

    def _commit(self) -> None:
        if self._pending is not None:
            for blob in sorted((self._pending / "blobs").glob("*/*")):
                target = self.blobs / blob.parent.name / blob.name
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(blob, target)
            for entry in sorted((self._pending / "entries").glob("*")):
                target = self.entries / entry.name
                if target.exists():  # an entry this build could not use (damaged)
                    shutil.rmtree(target)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.rename(entry, target)
        used: set[str] = set()
        for path in sorted(self.entries.glob("*")) if self.entries.is_dir() else []:
            name, _, key = path.name.rpartition(".")
            if name in self._used and self._used[name] != key:
                _remove(path)
                continue
            try:
                used.update(json.loads((path / "files.json").read_text("utf-8")))
            except (OSError, ValueError):
                _remove(path)  # unreadable: no build can use it
        for blob in self.blobs.glob("*/*") if self.blobs.is_dir() else []:
            if blob.name not in used:
                blob.unlink(missing_ok=True)
        for path in self.root.glob(f"{PENDING}*"):
            if path != self._pending and not _owner_alive(path.name):
                _remove(path)

    def discard(self) -> None:
        """Forget this build's pending entries (a failed build calls this)."""
        if self._pending is not None:
            shutil.rmtree(self._pending, ignore_errors=True)
            self._pending = None


def _move_in(folder: Path, dest: Path) -> None:
    move_tree(folder, dest)  # scratch is beside dest: renames, not copies
    shutil.rmtree(folder, ignore_errors=True)


def _owner_alive(name: str) -> bool:
    """Whether another build, still running, owns pending folder ``name``."""
    match = re.match(rf"{re.escape(PENDING)}(\d+)-", name)
    return match is not None and int(match.group(1)) != os.getpid() and alive(int(match.group(1)))


def _remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
