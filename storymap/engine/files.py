"""Files of a site written as new files, linked when unchanged, moved between folders.

In: paths and bytes. Out: files on disk. Nothing here writes into an existing file in place, so
a file hard-linked from the previous finished site (:func:`link_same`) is never changed by a
later build.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def move_tree(src: Path, dest: Path) -> None:
    """Move every file under ``src`` to the same place under ``dest`` (same file system)."""
    for base, _dirs, files in os.walk(src):
        target = dest / Path(base).relative_to(src)
        target.mkdir(parents=True, exist_ok=True)
        for name in files:
            os.replace(os.path.join(base, name), target / name)


def link_same(source: Path | None, sha: str, dest: Path) -> bool:
    """Hard-link ``dest`` to ``source``, a file of the previous finished site (never of the
    store), if its bytes have the sha256 ``sha``; False (nothing done) if not, or if it cannot.

    Linking is safe because nothing writes into a site's files in place: a file the build
    (re)writes goes through :func:`write_new`, which replaces the name rather than the bytes,
    and the previous site is removed once the new one is swapped in. On this project's disks
    writing 2,600 unchanged files took 1.6-2.6 s and linking them 0.05 s."""
    if source is None:
        return False
    try:
        if sha256_bytes(source.read_bytes()) != sha:
            return False
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.link(source, dest)
    except OSError:  # gone, unreadable, another file system, or dest taken: copy instead
        return False
    return True


def write_new(dest: Path, data: bytes) -> None:
    """Write ``data`` as a new file at ``dest``: the old name is removed first, so a file that
    was linked from the previous site is never changed in place."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.unlink(missing_ok=True)
    dest.write_bytes(data)


def alive(pid: int) -> bool:
    """Whether process ``pid`` is running."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
