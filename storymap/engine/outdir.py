"""The output folder: checked before a build, written only by swapping a finished site in.

In: the project folder, the files a build reads and the ``--out`` folder. Out: the folder
resolved, or an Error naming it if a build may not replace it (:func:`check_output_dir`); a
temporary work folder beside it (removed afterwards) and, when the build succeeds, the new site,
with its marker file (``.storymap-site``: the files the build wrote and their digest), renamed
into place, so a
failed or killed build leaves the previous site as it was; the next build cleans up what a
killed one left. A build replaces only an empty folder or a site whose marker lists every file
in it, so ``--out`` given a folder of chapters, a repository or someone's documents changes
nothing. A site built before markers were written is known by the files every site has
(``LEGACY``) and replaced once; it then has a marker like any other.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from storymap.engine.files import alive
from storymap.engine.store import CACHE_DIR
from storymap.errors import StorymapError, quoted_list

MARKER = ".storymap-site"  # written into every site: which files the build wrote
MARKER_HEAD = "storymap site: written by `storymap build`; the files it wrote, and their digest:"
LEGACY = ("index.html", "404.html", "sitemap.xml", "assets/storymap/storymap.js")
SHOWN = 5  # files named in the Error about a folder storymap did not write


def check_output_dir(project_root: Path, out: Path, protected: list[tuple[Path, str]] = ()) -> Path:
    """``out`` resolved (symlinks followed), or an Error naming it, if a build may not replace
    it: the project folder or a folder holding one of the ``protected`` files (the config, the
    chapters, the data files: each with how the Error names it), ``.git`` or a cache; a folder
    inside ``data/``, ``.git`` or the cache; or an existing folder that is neither empty nor a
    site storymap built (its marker lists every file in it)."""
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
    for name in (".git", CACHE_DIR):
        inside = (root / name).resolve()
        if out == inside or inside in out.parents:
            raise StorymapError(
                f"--out {out}: the output folder is inside {name}/, which a build must never "
                "replace. Use a folder of its own, e.g. --out site."
            )
    for path, what in protected:
        if out == path or out in path.parents:
            raise StorymapError(
                f"--out {out}: the folder holds {what}, which a build would delete with the old "
                "site. Use a folder of its own, e.g. --out site."
            )
    if out.exists() and not out.is_dir():
        raise StorymapError(f"--out {out}: exists and is not a folder. Choose another path.")
    parent = next((p for p in out.parents if p.exists()), Path("/"))
    if not parent.is_dir():
        raise StorymapError(f"--out {out}: {parent} is a file, not a folder. Choose another path.")
    for folder in [parent] + ([out] if out.exists() else []):
        if not os.access(folder, os.W_OK | os.X_OK):
            raise StorymapError(unwritable(out, f"{folder} is not writable"))
    if out.exists():
        check_own_site(out)
    return out


def site_files(out: Path) -> list[str]:
    """Every file and link under ``out`` but the marker, as sorted POSIX paths relative to it."""
    found = []
    for folder, dirs, files in os.walk(out):
        base = Path(folder)
        links = [d for d in dirs if (base / d).is_symlink()]
        for name in files + links:
            found.append((base / name).relative_to(out).as_posix())
    return sorted(f for f in found if f != MARKER)


def marker_text(files: list[str]) -> str:
    listing = "".join(f"{f}\n" for f in files)
    digest = hashlib.sha256(listing.encode("utf-8")).hexdigest()
    return f"{MARKER_HEAD}\n{digest}\n{listing}"


def write_marker(site: Path) -> None:
    """Write the marker listing every file of the finished site in ``site``."""
    try:
        (site / MARKER).unlink(missing_ok=True)  # never through a link to the previous site's
        (site / MARKER).write_text(marker_text(site_files(site)), "utf-8")
    except OSError as exc:
        raise StorymapError(unwritable(site.parent, exc.strerror or exc)) from None


def listed(out: Path) -> set[str] | None:
    """The files the marker in ``out`` lists, or None if it is missing, altered or not ours."""
    if (out / MARKER).is_symlink():
        return None
    try:
        text = (out / MARKER).read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    head, _, rest = text.partition("\n")
    digest, _, listing = rest.partition("\n")
    if head != MARKER_HEAD or hashlib.sha256(listing.encode("utf-8")).hexdigest() != digest:
        return None
    return set(listing.splitlines())


def check_own_site(out: Path) -> None:
    """An Error naming ``out`` unless it is empty, a site whose marker lists every file in it,
    or (no marker) a site an earlier storymap built, known by the files every site has."""
    files = site_files(out)
    if not files and not (out / MARKER).exists():
        return
    wrote = listed(out)
    has_marker = (out / MARKER).exists() or (out / MARKER).is_symlink()
    if wrote is None and not has_marker and legacy_site(out):
        return
    if wrote is None:
        why = (
            f"its {MARKER} file is not the one storymap wrote"
            if has_marker
            else "it is not empty and holds no site storymap built"
        )
        raise StorymapError(
            f"--out {out}: {why}; a build replaces only an empty folder or a site it built, and "
            "nothing was changed. Choose a new or empty folder, e.g. --out site, or move the "
            "files out of this one."
        )
    extra = [f for f in files if f not in wrote]
    if extra:
        raise StorymapError(
            f"--out {out}: holds {len(extra):,} file{'s' if len(extra) != 1 else ''} storymap did "
            f"not write ({quoted_list(extra, SHOWN)}); a build would delete them with the old "
            "site, so nothing was changed. Move them out of the folder, or choose another, "
            "e.g. --out site."
        )


def legacy_site(out: Path) -> bool:
    """Whether ``out`` holds the files every site storymap built before it wrote a marker had."""
    return all((out / name).is_file() and not (out / name).is_symlink() for name in LEGACY)


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
    """Replace ``out`` with ``new`` with two renames; the old site is removed only afterwards.
    ``out`` is checked again first: a file saved into it during the build is not deleted."""
    if out.is_dir():
        check_own_site(out)
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
