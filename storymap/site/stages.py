"""Running the build's stages: each timed, reported as it finishes, its result taken from the
store while the inputs it reads are unchanged.

In: the Config and a report function (the CLI's progress lines). Out: a :class:`Stages` runner
that the build uses as a context manager (it holds the store's lock and forgets what was not
committed when it ends) and a :class:`BuildResult` of timings and what came from the cache.
"""

from __future__ import annotations

import functools
import importlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storymap.config import Config
from storymap.pages.beside import Beside
from storymap.site.cache import Store, cache_root
from storymap.site.keys import Keys, digest

Report = Callable[[str], None]


def lazy(module: str, name: str) -> Callable[..., Any]:
    """``module.name``, imported when first called: a rebuild that takes a stage from the cache
    never imports what made it (mapclassify, topojson, MkDocs ...)."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    return call


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


class Memo:
    """Values made one at a time (a chapter's step images), kept in one store entry by the
    digest of what each was made from; the entry is loaded when the first value is asked for.
    :meth:`save` keeps the values this build used and those ``still`` in use."""

    def __init__(self, store: Store, name: str, key: str):
        self.store, self.name, self.key = store, name, key
        self.old: dict[str, Any] | None = None
        self.used: dict[str, Any] = {}

    def get(self, parts: tuple, make: Callable[[], Any]) -> Any:
        if self.old is None:
            hit, found = self.store.load(self.name, self.key)
            self.old = found if hit and isinstance(found, dict) else {}
        ident = digest(*parts)
        if ident not in self.used:
            self.used[ident] = self.old[ident] if ident in self.old else make()
        return self.used[ident]

    def save(self, still: Callable[[Any], bool]) -> None:
        if self.old is None and not self.used:
            return  # nothing asked for: the stored entry stays as it is
        if self.old is None:
            hit, found = self.store.load(self.name, self.key)
            self.old = found if hit and isinstance(found, dict) else {}
        kept = {k: v for k, v in self.old.items() if still(v)} | self.used
        if kept != self.old:
            self.store.store(self.name, self.key, kept)


class Stages:
    """Times each stage, notes what it took from the store, and reports it as it finishes."""

    def __init__(
        self,
        config: Config,
        report: Report | None = None,
        writable: bool = True,
        previous: Path | None = None,
    ):
        self.report = report or (lambda _msg: None)
        self.store = Store(cache_root(config) / "store", writable=writable, previous=previous)
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

    def cached(
        self,
        name: str,
        sections: tuple[str, ...],
        make: Callable[[], Any],
        *more: object,
        externals: dict[str, object] | None = None,
    ) -> Any:
        """``make()``'s value, from the store while the ``sections`` of the config it reads,
        the data files, the code and ``more`` are unchanged."""
        return self.store.get(name, self.keys.of(sections, *more), make, externals)

    def later(
        self,
        name: str,
        sections: tuple[str, ...],
        make: Callable[[], Any],
        *more: object,
        externals: dict[str, object] | None = None,
    ) -> Callable[[], Any]:
        """Like :meth:`cached`, as a function that returns the value. A stored entry is checked
        now (so the stage reports what it found) and unpickled only when the value is first
        asked for, so a build that never needs it never imports what it is made of; without an
        entry, ``make()`` runs now."""
        key = self.keys.of(sections, *more)
        payload = self.store.peek(name, key)
        if payload is None:
            value = make()
            self.store.store(name, key, value, externals)
            return lambda: value

        @functools.cache
        def value() -> Any:
            hit, found = self.store.unpickle(name, key, payload, externals)
            if not hit:
                found = make()
                self.store.store(name, key, found, externals)
            return found

        return value

    def memo(self, name: str, sections: tuple[str, ...], *more: object) -> Memo:
        """A :class:`Memo` for values that read ``sections`` of the config, the data and code."""
        return Memo(self.store, name, self.keys.of(sections, *more))

    def cached_files(
        self,
        name: str,
        sections: tuple[str, ...],
        make: Callable[[Path], Any],
        dest: Path,
        scratch: Path,
        *more: object,
    ) -> Any:
        """Like :meth:`cached` for a stage that writes files into a folder; they end in
        ``dest`` either way."""
        return self.store.get_files(name, self.keys.of(sections, *more), make, dest, scratch)

    def files_beside(
        self,
        name: str,
        sections: tuple[str, ...],
        make: Callable[[Path], Any],
        dest: Path,
        scratch: Path,
        *more: object,
        prepare: Callable[[], object] | None = None,
    ) -> Beside:
        """Like :meth:`cached_files`, with ``make`` run in a second process while the build
        goes on; the job's ``result()`` waits for it (its files end in ``dest``). Without a
        stored entry, ``prepare()`` runs first, here: what both processes need."""
        return self.store.get_files_beside(
            name, self.keys.of(sections, *more), make, dest, scratch, prepare
        )

    def commit(self) -> None:
        self.store.commit()

    def result(self, out: Path, pages: int, maps: int) -> BuildResult:
        store = self.store
        return BuildResult(
            out, pages, maps, self.timings, self.notes, store.made, store.reused, store.notes
        )
