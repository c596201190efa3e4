"""Checks that keep a config from reaching outside its project: every path resolves (symlinks
followed) inside the config's folder, and every web address is http(s).

In: a :class:`~storymap.config.model.Config` that passed its schema. Out: a :class:`ProblemList`
naming each key that points elsewhere (``chapters[0].file``, ``site.url``) and the fix.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from storymap.config.model import Config
from storymap.errors import ProblemList


def config_paths(config: Config) -> list[tuple[str, str]]:
    """(key, path as written) of every file the config names."""
    paths = [(f"sources.{key}.file", s.file) for key, s in config.sources.items()]
    paths.append(("home", config.home))
    paths += [(f"chapters[{i}].file", ch.file) for i, ch in enumerate(config.chapters)]
    compare = config.index.compare_with if config.index else None
    if compare and compare.inputs_table:
        paths.append(("index.compare_with.inputs_table", compare.inputs_table))
    return paths


def outside_project(config: Config, written: str) -> Path | None:
    """Where ``written`` really leads, if that is outside the config's folder (else None)."""
    root = config.root.resolve()
    target = config.resolve(written)
    return None if target == root or target.is_relative_to(root) else target


def web_urls(config: Config) -> list[tuple[str, str | None, tuple[str, ...]]]:
    """(key, url, schemes allowed) of every web address in the config."""
    urls: list[tuple[str, str | None, tuple[str, ...]]] = [
        ("site.url", config.site.url, ("https", "http")),
    ]
    if config.maps.basemap is not None:
        urls.append(("maps.basemap.url", config.maps.basemap.url, ("https", "http")))
    urls += [(f"sources.{key}.url", s.url, ("https", "http")) for key, s in config.sources.items()]
    return urls


def safety_checks(config: Config) -> ProblemList:
    p = ProblemList()
    name = config.path.name
    for key, written in config_paths(config):
        target = outside_project(config, written)
        if target is not None:
            p.add(
                f"{name}: {key}: {written} leads outside the project folder (to {target}); "
                f"every file the site uses must be inside {config.root.resolve()}. Copy the "
                "file into the project and give its path relative to the config."
            )
    for key, url, schemes in web_urls(config):
        if url is None:
            continue
        parts = urlsplit(url.strip())
        if parts.scheme.lower() not in schemes or not parts.netloc:
            p.add(
                f"{name}: {key}: {url[:80]!r} is not a web address; it must start with "
                f"{' or '.join(s + '://' for s in schemes)} and name a host, e.g. "
                "https://example.org/."
            )
    return p
