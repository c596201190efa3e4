"""Refresh the data from the publishers: ``storymap fetch``.

In: a Config (each fetchable source has ``url``, ``format`` and optionally ``fetch:`` and
``sha256:``) and FetchOptions. Out: tidy files in ``data/cache/<source id>/<bundled file name>``,
``data/cache/manifest.json``, and the checksum of a source fetched for the first time (or, with
``update``, a changed one) written into the config;
or a FetchError naming the source and URL, with the previous cache left exactly as it was.

Every source is downloaded (paged where the publisher caps rows) into a staging folder beside
``data/``, tidied by :mod:`storymap.data.normalise`, and checked against its ``sha256``. Only
when every requested source has succeeded are the tidy files moved into the cache.
"""

from __future__ import annotations

import csv
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
from storymap.data.sources import display_path, source_path
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
    try:
        staging = Path(tempfile.mkdtemp(prefix=".storymap-fetch-", dir=data_dir))
    except OSError as exc:
        raise FetchError(
            f"cannot write into {data_dir} ({exc.strerror or exc}). Check the "
            "folder's permissions and free space."
        ) from None
    done: list[Fetched] = []
    try:
        with make_session(options) as session:
            for source_id in wanted:
                url = source_url(config, source_id, options)
                raw = download_source(session, config, source_id, url, staging / "raw", options)
                tidy = staging / "tidy" / source_id / Path(config.sources[source_id].file).name
                staged = {f.source_id: f.tidy for f in done}
                tidy_source(config, source_id, url, raw, tidy, staged)
                check_rows(config, source_id, url, tidy, options.update)
                got = check_sha(config, source_id, url, tidy, options.update)
                size = sum(p.stat().st_size for p in raw)
                stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                done.append(Fetched(source_id, url, tidy, size, got, stamp))
                report(f"{source_id}: {len(raw)} file(s), {size:,} bytes from {url}")
        install(config, done, options.update)
    except OSError as exc:
        raise FetchError(
            f"cannot write the fetched files into {data_dir}/cache ({exc.strerror or exc}); the "
            "cache was left as it was. Check the folder's permissions and free space."
        ) from None
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


def check_rows(config: Config, source_id: str, url: str, tidy: Path, update: bool) -> None:
    """A tidy file must hold as many rows (features) as the file in use now; fewer or more
    means a download cut short or a release covering other areas, accepted only with
    ``update``."""
    current = source_path(config, source_id)
    got, had = count_rows(tidy), count_rows(current) if current.is_file() else None
    if got == 0 or (had is not None and got != had and not update):
        shown = display_path(config, current)
        raise FetchError(
            f"source '{source_id}' ({url}): the tidied download has {got:,} rows where {shown} "
            f"has {'no' if had is None else f'{had:,}'}: a download cut short, or a release that "
            "covers other areas. Nothing was installed and the cached copy was kept. If the "
            "publisher's release notes confirm the change, run `storymap fetch --update`."
        )


def count_rows(path: Path) -> int:
    """Data rows of a CSV file (header not counted), or features of a GeoJSON file."""
    if path.suffix.lower() in (".geojson", ".json"):
        import pyogrio

        return int(pyogrio.read_info(path)["features"])
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return max(sum(1 for row in csv.reader(fh) if row) - 1, 0)


def install(config: Config, done: list[Fetched], update: bool) -> None:
    """Move staged tidy files into the cache, write the manifest, and record the checksum of
    each source that had none (its first fetch) or, with ``update``, that changed."""
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
    for f in done:
        recorded = config.sources[f.source_id].sha256
        if recorded is None or (update and recorded != f.sha256):
            record_checksum(config.path, f.source_id, f.sha256)
