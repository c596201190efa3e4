"""Running the build's stages: each timed, reported as it finishes, its result taken from the
store while the inputs it reads are unchanged.

In: the Config and a report function (the CLI's progress lines). Out: a :class:`Stages` runner
that the build uses as a context manager (it holds the store's lock and forgets what was not
committed when it ends) and a :class:`BuildResult` of timings and what came from the cache.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storymap.config import Config
from storymap.site.cache import Store, cache_root
from storymap.site.keys import Keys

Report = Callable[[str], None]


@dataclass
class BuildResult:
    out: Path
    pages: int
    maps: int
    timings: dict[str, float] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)  # stage -> "cached", "1 of 10 rendered"
    made: list[str] = field(default_factory=list)  # cache entries made afresh, in order
    reused: list[str] = field(default_factory=list)  # cache entries read from the cache
    damaged: list[str] = field(default_factory=list)  # damaged cache entries, made again


class Stages:
    """Times each stage, notes what it took from the store, and reports it as it finishes."""

    def __init__(self, config: Config, report: Report | None = None, writable: bool = True):
        self.report = report or (lambda _msg: None)
        self.store = Store(cache_root(config) / "store", writable=writable)
        self.keys = Keys(config)
        self.timings: dict[str, float] = {}
        self.notes: dict[str, str] = {}
        self._current = ""

    def __enter__(self) -> Stages:
        self.store.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.store.close()

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        self._current = name
        store = self.store
        made, reused, damaged = len(store.made), len(store.reused), len(store.notes)
        start = time.perf_counter()
        yield
        self.timings[name] = time.perf_counter() - start
        if len(store.made) == made and len(store.reused) > reused:
            self.notes.setdefault(name, "cached")
        note = f", {self.notes[name]}" if name in self.notes else ""
        self.report(f"{name} ({self.timings[name]:.1f} s{note})")
        for damaged_note in store.notes[damaged:]:
            self.report(f"note: {damaged_note}")

    def note(self, text: str) -> None:
        self.notes[self._current] = text

    def cached(self, name: str, sections: tuple[str, ...], make: Callable[[], Any],
               *more: object, externals: dict[str, object] | None = None) -> Any:
        """``make()``'s value, from the store while the ``sections`` of the config it reads,
        the data files, the code and ``more`` are unchanged."""
        return self.store.get(name, self.keys.of(sections, *more), make, externals)

    def cached_files(self, name: str, sections: tuple[str, ...], make: Callable[[Path], Any],
                     dest: Path, scratch: Path, *more: object) -> Any:
        """Like :meth:`cached` for a stage that writes files into a folder; they end in
        ``dest`` either way."""
        return self.store.get_files(name, self.keys.of(sections, *more), make, dest, scratch)

    def commit(self) -> None:
        self.store.commit()

    def result(self, out: Path, pages: int, maps: int) -> BuildResult:
        store = self.store
        return BuildResult(out, pages, maps, self.timings, self.notes, store.made, store.reused,
                           store.notes)
