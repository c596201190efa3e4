"""How the build's store (storymap.engine.store) pickles its entries.

In: a value and the running build's own objects (``externals``, e.g. the geography). Out: a
pickle that names those objects rather than holding them, written straight to a file while its
sha256 is taken, and read back with the same objects put in again.
"""

from __future__ import annotations

import hashlib
import pickle
from typing import IO


class Pickler(pickle.Pickler):
    """Pickles ``externals`` (objects of the running build, e.g. the geography) by name only."""

    def __init__(self, file: IO[bytes], externals: dict[str, object]):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.ids = {id(obj): name for name, obj in externals.items()}

    def persistent_id(self, obj: object) -> str | None:
        return self.ids.get(id(obj))


class Hashing:
    """A file to write to that keeps the sha256 of what went through it."""

    def __init__(self, file: IO[bytes]):
        self.file, self.sha = file, hashlib.sha256()

    def write(self, data) -> int:
        self.sha.update(data)
        return self.file.write(data)


class Unpickler(pickle.Unpickler):
    def __init__(self, file: IO[bytes], externals: dict[str, object]):
        super().__init__(file)
        self.externals = externals

    def persistent_load(self, pid: str) -> object:
        return self.externals[pid]
