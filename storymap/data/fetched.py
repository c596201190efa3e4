"""Where fetched publisher files live once normalised: ``data/cache/<source id>/<file name>``.

In: a Config and a source id. Out: the path of the cached, normalised copy of that source if a
completed fetch left one there, else None (the build then uses the bundled file). Also the cache's
manifest (``data/cache/manifest.json``: url, retrieval time, size and sha256 of each file), the
rows the About page shows, and the targeted edit that records a new
``sha256:`` in site_config.yml without disturbing its comments or layout.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from pathlib import Path

from storymap.config import Config
from storymap.errors import FetchError

CACHE_DIR = "data/cache"
MANIFEST = "manifest.json"


def cache_dir(config: Config) -> Path:
    return config.root / CACHE_DIR


def cached_file(config: Config, source_id: str) -> Path | None:
    source = config.sources[source_id]
    candidate = cache_dir(config) / source_id / Path(source.file).name
    return candidate if candidate.is_file() else None


def describe_origins(config: Config) -> str:
    """One line for the build progress: which sources come from the cache, which are bundled."""
    cached = [k for k in config.sources if cached_file(config, k) is not None]
    bundled = len(config.sources) - len(cached)
    if not cached:
        return f"data: all {bundled} sources from the bundled files (no fetched cache)"
    return (
        f"data: {len(cached)} source(s) from {CACHE_DIR} ({', '.join(cached)}), "
        f"{bundled} from the bundled files"
    )


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it over ``path``, keeping
    ``path``'s permissions (a new file gets the usual ones: 0o666 less the umask), not the
    temporary file's 0o600."""
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------------------------------------
# manifest


def read_manifest(config: Config) -> dict[str, dict]:
    """Source id -> manifest entry; {} when nothing has been fetched (or the file is unreadable)."""
    path = cache_dir(config) / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    sources = data.get("sources") if isinstance(data, dict) else None
    return sources if isinstance(sources, dict) else {}


def update_manifest(config: Config, entries: dict[str, dict]) -> None:
    """Merge ``entries`` into the manifest, keeping other sources' entries."""
    merged = {**read_manifest(config), **entries}
    cache_dir(config).mkdir(parents=True, exist_ok=True)
    text = json.dumps({"sources": dict(sorted(merged.items()))}, indent=2) + "\n"
    write_atomic(cache_dir(config) / MANIFEST, text)


def manifest_rows(config: Config) -> list[dict]:
    """One dict per fetched source still in the cache.

    Keys: source, file, url, retrieved, bytes, sha256."""
    rows = []
    for source_id, entry in read_manifest(config).items():
        if source_id not in config.sources or cached_file(config, source_id) is None:
            continue
        rows.append(
            {
                "source": source_id,
                "file": Path(config.sources[source_id].file).name,
                "url": str(entry.get("url", "")),
                "retrieved": str(entry.get("retrieved", "")),
                "bytes": int(entry.get("size", 0)),
                "sha256": str(entry.get("sha256", "")),
            }
        )
    return rows


# ---------------------------------------------------------------------------------------------
# recording a checksum in site_config.yml


def record_checksum(config_path: Path, source_id: str, sha256: str) -> None:
    """Set ``sources.<id>.sha256`` by editing that one line (or adding it); keep everything else."""
    lines = config_path.read_text(encoding="utf-8").splitlines(keepends=True)
    start, end, indent = _source_block(lines, config_path.name, source_id)
    newline = "\r\n" if lines[start].endswith("\r\n") else "\n"
    line = f"{' ' * indent}sha256: {sha256}{newline}"
    for i in range(start + 1, end):
        if re.match(rf"^ {{{indent}}}sha256:", lines[i]):
            lines[i] = line
            break
    else:
        last = end
        while last > start + 1 and not lines[last - 1].strip():
            last -= 1
        lines.insert(last, line)
    write_atomic(config_path, "".join(lines))


def _source_block(lines: list[str], name: str, source_id: str) -> tuple[int, int, int]:
    """(line of ``  <id>:``, line after its block, indent of its keys) under top-level sources:."""
    try:
        top = next(i for i, ln in enumerate(lines) if re.match(r"^sources:\s*(#.*)?$", ln))
    except StopIteration:
        raise FetchError(f"{name}: no top-level 'sources:' line to record the sha256 in.") from None
    start = None
    for i in range(top + 1, len(lines)):
        text = lines[i]
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        depth = len(text) - len(text.lstrip(" "))
        if depth == 0:
            break
        if start is None and re.match(rf"^ +{re.escape(source_id)}:\s*(#.*)?$", text):
            start, own = i, depth
        elif start is not None and depth <= own:
            return start, i, _key_indent(lines, start, i)
    if start is None:
        raise FetchError(f"{name}: sources.{source_id} not found as a block; add sha256: by hand.")
    end = next(
        (j for j in range(start + 1, len(lines)) if lines[j].strip() and not lines[j][0].isspace()),
        len(lines),
    )
    return start, end, _key_indent(lines, start, end)


def _key_indent(lines: list[str], start: int, end: int) -> int:
    for ln in lines[start + 1 : end]:
        if ln.strip() and not ln.lstrip().startswith("#"):
            return len(ln) - len(ln.lstrip(" "))
    return 4
