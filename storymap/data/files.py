"""The data files a build reads, as one input of the build's stages.

In: the Config (its sources, the index's comparison table) and the fetch manifest. Out: a
:class:`DataFiles` whose :meth:`~DataFiles.cache_key` hashes every file's name and bytes, so a
stage handed the config's ``sources`` (storymap.config.view) is made again when any file changes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from storymap.config import Config
from storymap.data.fetched import MANIFEST, cache_dir
from storymap.data.placenames import PLACE_NAMES
from storymap.data.sources import MAX_DATA_BYTES, display_path, source_path
from storymap.errors import DataError

HELP_DIR = "data/help"  # the bundled libraries and postcode points (storymap.figures.helppoints)
HELP_FILES = (
    "london_libraries_open_2023.csv",
    "london_libraries_closed_2010_2023.csv",
    "london_postcode_points_codepoint_2025-4.csv.gz",
)


def data_files(config: Config) -> list[Path]:
    """Every data file a build reads: each source (the fetched copy if there is one), the index's
    comparison table, the help points' files and the fetch manifest."""
    paths = [source_path(config, sid) for sid in sorted(config.sources)]
    compare = config.index.compare_with if config.index else None
    if compare and compare.inputs_table:
        paths.append(config.resolve(compare.inputs_table))
    paths += [config.resolve(f"{HELP_DIR}/{name}") for name in HELP_FILES]
    paths += [config.resolve(f) for f in config.help.files]
    paths.append(config.resolve(PLACE_NAMES))
    return paths + [cache_dir(config) / MANIFEST]


def inside_project(config: Config, paths: list[Path]) -> None:
    """An Error naming each of ``paths`` that leads outside the project folder once links are
    followed: a fetched copy in data/cache/, a help-point file or the manifest (the paths the
    config names are checked when it is read)."""
    root = config.root.resolve()
    problems = []
    for path in paths:
        real = path.resolve()
        if (path.exists() or path.is_symlink()) and not real.is_relative_to(root):
            problems.append(
                f"{display_path(config, path.parent.resolve() / path.name)}: leads outside the "
                f"project folder (to {real}); every file the site uses must be inside {root}. "
                "Put a copy of the file there instead of the link, or delete the link (a "
                "fetched copy: fetch it again)."
            )
    if problems:
        raise DataError(problems)


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


@dataclass(frozen=True)
class DataFiles:
    """The data files of one build, hashed once when the build starts."""

    paths: tuple[Path, ...]
    digest: str

    @classmethod
    def of(cls, config: Config) -> DataFiles:
        paths = data_files(config)
        inside_project(config, paths)
        return cls(tuple(paths), file_digest(config, paths))

    def cache_key(self) -> str:
        return self.digest
