"""Checks that keep a config from reaching outside its project: every path resolves (symlinks
followed) inside the config's folder, and every web address is http(s) with no user name or
password in it (they would be published).

In: a :class:`~storymap.config.model.Config` that passed its schema. Out: a :class:`ProblemList`
naming each key that points elsewhere (``chapters[0].file``, ``site.url``) and the fix.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from storymap.config.maps import TILE_EXAMPLE, tile_url
from storymap.config.model import Config
from storymap.errors import ProblemList, masked


def config_paths(config: Config) -> list[tuple[str, str]]:
    """(key, path as written) of every file the config names."""
    paths = [(f"sources.{key}.file", s.file) for key, s in config.sources.items()]
    paths.append(("home", config.home))
    paths += [(f"chapters[{i}].file", ch.file) for i, ch in enumerate(config.chapters)]
    compare = config.index.compare_with if config.index else None
    if compare and compare.inputs_table:
        paths.append(("index.compare_with.inputs_table", compare.inputs_table))
    return paths


def control_characters(config: Config) -> ProblemList:
    """A problem for each path the config names that holds a control character (a NUL, a line
    break): no file has one, and the system refuses a NUL outright. Checked before any path is
    resolved."""
    p = ProblemList()
    paths = config_paths(config) + [
        (f"help.files[{i}]", f) for i, f in enumerate(config.help.files)
    ]
    for key, written in paths:
        if any(ord(c) < 32 or ord(c) == 127 for c in written):
            p.add(
                f"{config.path.name}: {key}: {written[:80]!r} holds a control character (such as "
                "a NUL or a line break), which no file name has. Give the file's path as plain "
                "text, relative to the config, e.g. chapters/01-introduction.md."
            )
    return p


def outside_project(config: Config, written: str) -> Path | None:
    """Where ``written`` really leads, if that is outside the config's folder (else None)."""
    root = config.root.resolve()
    target = config.resolve(written)
    return None if target == root or target.is_relative_to(root) else target


def web_urls(config: Config) -> list[tuple[str, str | None, tuple[str, ...]]]:
    """(key, url, schemes allowed) of every web address in the config."""
    urls: list[tuple[str, str | None, tuple[str, ...]]] = [
        ("site.url", config.site.url, ("https", "http")),
        ("site.repo_url", config.site.repo_url, ("https", "http")),
    ]
    contact = config.site.contact or ""
    if re.match(r"(?i)\s*[a-z][a-z0-9+.-]*://", contact):
        urls.append(("site.contact", contact, ("https", "http")))
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
        try:
            parts = urlsplit(url.strip())
        except ValueError:  # e.g. a malformed [IPv6] host
            parts = urlsplit("")
        if parts.scheme.lower() not in schemes or not parts.netloc:
            p.add(
                f"{name}: {key}: {masked(url[:80])!r} is not a web address; it must start with "
                f"{' or '.join(s + '://' for s in schemes)} and name a host, e.g. "
                "https://example.org/."
            )
        elif "@" in parts.netloc:
            p.add(
                f"{name}: {key}: {masked(url[:80])!r} holds a user name or password (before "
                "the @); the address would be published or sent with it, and a password or "
                "token is a secret. Give the address without it, e.g. "
                f"{parts.scheme.lower()}://{parts.netloc.rpartition('@')[2]}/."
            )
    basemap = config.maps.basemap
    if basemap is not None and not any("maps.basemap.url" in item for item in p.items):
        parsed = tile_url(basemap.url)
        if isinstance(parsed, str):
            p.add(
                f"{name}: maps.basemap.url: {masked(basemap.url[:120])!r} is not a tile address "
                f"storymap can use: {parsed}. Give one like {TILE_EXAMPLE} (https, a host name "
                "with an optional {s}. before it, a path with {z}, {x} and {y})."
            )
    return p
