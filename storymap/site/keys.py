"""Keys of the build's cache entries: hashes of everything a stage reads.

In: the Config (its sections, the data files it names) and storymap's own code. Out: short hex
keys. A stage's key (:meth:`Keys.of`) hashes the config sections it reads, the bytes of every data
file, storymap's code, templates and assets, and the versions of the installed packages, so a
change to any of them makes the stage run again.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

from pydantic_core import to_jsonable_python

from storymap.config import Config
from storymap.data.fetched import MANIFEST, cache_dir
from storymap.data.sources import MAX_DATA_BYTES, display_path, source_path

PACKAGE = Path(__file__).resolve().parent.parent  # the storymap package folder


def installed_versions() -> str:
    """Python's version and every installed distribution's name and version (from the names of
    their metadata folders, which is much faster than importlib.metadata)."""
    names = {sys.version}
    for entry in sys.path:
        if Path(entry or ".").name not in ("site-packages", "dist-packages"):
            continue  # the project's own folders (cwd, an editable install) hold no versions
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
        data = (
            part
            if isinstance(part, bytes)
            else json.dumps(to_jsonable_python(part, fallback=repr), sort_keys=True).encode()
        )
        h.update(len(data).to_bytes(8, "little") + data)
    return h.hexdigest()[:24]


def data_files(config: Config) -> list[Path]:
    """Every data file a build reads: each source (the fetched copy if there is one), the index's
    comparison table and the fetch manifest."""
    paths = [source_path(config, sid) for sid in sorted(config.sources)]
    compare = config.index.compare_with if config.index else None
    if compare and compare.inputs_table:
        paths.append(config.resolve(compare.inputs_table))
    return paths + [cache_dir(config) / MANIFEST]


def file_digest(config: Config, paths: list[Path]) -> str:
    """Hash of the files' names (as shown, relative to the project) and bytes. A file the build
    will refuse to read (missing, unreadable, too large) is named by that alone."""
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
