"""Where fetched publisher files live once normalised: ``data/cache/<source id>/<file name>``.

In: a Config and a source id. Out: the path of the cached, normalised copy of that source if a
completed fetch left one there, else None (the build then uses the bundled file).
"""

from __future__ import annotations

from pathlib import Path

from storymap.config import Config

CACHE_DIR = "data/cache"


def cache_dir(config: Config) -> Path:
    return config.root / CACHE_DIR


def cached_file(config: Config, source_id: str) -> Path | None:
    source = config.sources[source_id]
    candidate = cache_dir(config) / source_id / Path(source.file).name
    return candidate if candidate.is_file() else None
