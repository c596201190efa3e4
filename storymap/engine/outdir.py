"""The output folder: checked before a build, written only by swapping a finished site in.

In: the Config and the ``--out`` folder. Out: a temporary work folder beside it (removed
afterwards) and, when the build succeeds, the new site renamed into place, so a failed or killed
build leaves the previous site as it was; the next build cleans up what a killed one left.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from storymap.engine.files import alive
from storymap.errors import StorymapError


def check_output_dir(project_root: Path, out: Path) -> Path:
    out = out.resolve()
    root = project_root.resolve()
    data = (root / "data").resolve()
    if out == root or out in root.parents:
        raise StorymapError(
            f"--out {out}: the output folder would replace the project folder. "
            "Use a folder of its own, e.g. --out site."
        )
    if out == data or data in out.parents:
        raise StorymapError(
            f"--out {out}: the output folder is inside data/. Use a folder outside data/, "
            "e.g. --out site."
        )
    if out.exists() and not out.is_dir():
        raise StorymapError(f"--out {out}: exists and is not a folder. Choose another path.")
    parent = next((p for p in out.parents if p.exists()), Path("/"))
    if not parent.is_dir():
        raise StorymapError(f"--out {out}: {parent} is a file, not a folder. Choose another path.")
    for folder in [parent] + ([out] if out.exists() else []):
        if not os.access(folder, os.W_OK | os.X_OK):
            raise StorymapError(unwritable(out, f"{folder} is not writable"))
    return out


def unwritable(out: Path, why: object) -> str:
    return (
        f"--out {out}: cannot write the site there ({why}); the previous site, if any, was "
        "left as it was. Choose a folder you can write to, e.g. --out site, or fix its "
        "permissions."
    )


@contextmanager
def work_folder(out: Path) -> Iterator[Path]:
    """A temporary folder beside ``out`` for this build, removed when the block ends."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        clean_leftovers(out)
        work = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-{os.getpid()}-", dir=out.parent))
    except OSError as exc:
        raise StorymapError(unwritable(out, exc.strerror or exc)) from None
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def clean_leftovers(out: Path) -> None:
    """Remove what a killed build left beside ``out``: temporary folders of builds whose process
    is gone, and, if it was killed between the two renames of :func:`swap_in`, put the previous
    site back."""
    for folder in out.parent.glob(f".{out.name}.building-*"):
        match = re.match(rf"\.{re.escape(out.name)}\.building-(\d+)-", folder.name)
        if match is None or not alive(int(match.group(1))):
            shutil.rmtree(folder, ignore_errors=True)
    old = out.with_name(f".{out.name}.old")
    if old.is_dir() and not out.exists():
        old.rename(out)


def swap_in(new: Path, out: Path) -> None:
    """Replace ``out`` with ``new`` with two renames; the old site is removed only afterwards."""
    old = out.with_name(f".{out.name}.old")
    try:
        if old.exists():
            shutil.rmtree(old)
        if out.exists():
            out.rename(old)
        new.rename(out)
    except OSError as exc:
        if old.exists() and not out.exists():
            old.rename(out)  # put the previous site back
        raise StorymapError(unwritable(out, exc.strerror or exc)) from None
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)
