"""Keys of the build's cache entries: hashes of everything a stage is given.

In: a stage's name and inputs (config views and the data files hash themselves, through their
``cache_key()``) and storymap's own code. Out: short hex keys. A stage's key (:func:`stage_key`)
hashes its inputs, storymap's code, templates and assets, and the versions of the installed
packages, so a change to any of them makes the stage run again.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

from pydantic_core import to_jsonable_python

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


def part_key(part: object) -> object:
    """What a stage's input contributes to its key: an object's own ``cache_key()`` (a config
    view, the data files, a stage's value to come), else the value itself."""
    key = getattr(part, "cache_key", None)
    return key() if callable(key) else part


def stage_key(code: str, name: str, inputs: tuple) -> str:
    """The key of stage ``name`` made by ``code`` from ``inputs``: the same key exactly when the
    code and every input are the same."""
    return digest(code, name, [part_key(p) for p in inputs])
