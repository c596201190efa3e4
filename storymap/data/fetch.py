"""Refresh the data from the publishers: ``storymap fetch``.

In: a Config (each fetchable source has ``url``, ``format`` and optionally ``fetch:`` and
``sha256:``) and FetchOptions. Out: tidy files in ``data/cache/<source id>/<bundled file name>``,
``data/cache/manifest.json``, and with ``update`` the new checksums written into site_config.yml;
or a FetchError naming the source and URL, with the previous cache left exactly as it was.

Every source is downloaded (paged where the publisher caps rows) into a staging folder beside
``data/``, tidied by :mod:`storymap.data.normalise`, and checked against its ``sha256``. Only
when every requested source has succeeded are the tidy files moved into the cache.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from storymap.config import Config
from storymap.data.download import FetchOptions, download_source, make_session
from storymap.data.fetched import (
    cache_dir,
    manifest_rows,
    record_checksum,
    sha256_file,
    update_manifest,
)
from storymap.errors import FetchError

__all__ = ["FetchOptions", "Fetched", "fetch_sources", "fetchable", "manifest_rows"]
Report = Callable[[str], None]


@dataclass
class Fetched:
    source_id: str
    url: str
    tidy: Path
    raw_bytes: int
    sha256: str
    retrieved: str


def fetch_sources(
    config: Config,
    only: list[str] | None = None,
    options: FetchOptions | None = None,
    report: Report | None = None,
) -> list[Fetched]:
    """Fetch ``only`` (default: every source with a url); all succeed or the cache is untouched."""
    from storymap.data.normalise import tidy_source

    options = options or FetchOptions()
    report = report or (lambda _msg: None)
    wanted = fetchable(config, only)
    data_dir = config.root / "data"
    staging = Path(tempfile.mkdtemp(prefix=".storymap-fetch-", dir=data_dir))
    done: list[Fetched] = []
    try:
        with make_session(options) as session:
            for source_id in wanted:
                url = source_url(config, source_id, options)
                raw = download_source(session, config, source_id, url, staging / "raw", options)
                tidy = staging / "tidy" / source_id / Path(config.sources[source_id].file).name
                staged = {f.source_id: f.tidy for f in done}
                tidy_source(config, source_id, url, raw, tidy, staged)
                got = check_sha(config, source_id, url, tidy, options.update)
                size = sum(p.stat().st_size for p in raw)
                stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                done.append(Fetched(source_id, url, tidy, size, got, stamp))
                report(f"{source_id}: {len(raw)} file(s), {size:,} bytes from {url}")
        install(config, done, options.update)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return done


def fetchable(config: Config, only: list[str] | None) -> list[str]:
    """Source ids to fetch, in config order; unknown or url-less ids in ``only`` are errors."""
    with_url = [k for k, s in config.sources.items() if s.url and s.format]
    if not only:
        if not with_url:
            raise FetchError(
                f"{config.path.name}: no source has both url: and format:; nothing to fetch."
            )
        return with_url
    for source_id in only:
        if source_id not in config.sources:
            raise FetchError(
                f"--source {source_id}: not a declared source (declared: "
                f"{', '.join(config.sources)}). Fix the name."
            )
        if source_id not in with_url:
            raise FetchError(
                f"--source {source_id}: sources.{source_id} has no url: and format: in "
                f"{config.path.name}, so it cannot be fetched; the bundled file is used."
            )
    return [k for k in with_url if k in only]


def source_url(config: Config, source_id: str, options: FetchOptions) -> str:
    """The source's url, with scheme and host replaced by ``options.base_url`` if given."""
    url = config.sources[source_id].url or ""
    if not options.base_url:
        return url
    base = urlsplit(options.base_url.rstrip("/"))
    parts = urlsplit(url)
    return urlunsplit((base.scheme, base.netloc, base.path + parts.path, parts.query, ""))


# ---------------------------------------------------------------------------------------------
# checking and installing


def check_sha(config: Config, source_id: str, url: str, tidy: Path, update: bool) -> str:
    """The tidy file's sha256; a mismatch with site_config.yml is an error unless ``update``."""
    got = sha256_file(tidy)
    expected = config.sources[source_id].sha256
    if expected and expected != got and not update:
        raise FetchError(
            f"sha256 of {tidy.name} (source '{source_id}', {url}) does not match "
            f"{config.path.name} (expected {expected[:8]}…, got {got[:8]}…); the download was "
            "discarded and the cached copy kept. Run `storymap fetch --update` after checking the "
            "publisher's release notes."
        )
    return got


def install(config: Config, done: list[Fetched], update: bool) -> None:
    """Move staged tidy files into the cache, write the manifest, record checksums if asked."""
    target = cache_dir(config)
    for f in done:
        dest = target / f.source_id / f.tidy.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(f.tidy, dest)
    update_manifest(
        config,
        {
            f.source_id: {
                "url": f.url,
                "retrieved": f.retrieved,
                "download_bytes": f.raw_bytes,
                "file": f"{f.source_id}/{f.tidy.name}",
                "size": (target / f.source_id / f.tidy.name).stat().st_size,
                "sha256": f.sha256,
            }
            for f in done
        },
    )
    if update:
        for f in done:
            if config.sources[f.source_id].sha256 != f.sha256:
                record_checksum(config.path, f.source_id, f.sha256)
