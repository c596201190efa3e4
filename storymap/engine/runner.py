"""Running the build's stages: each timed, reported as it finishes, its result taken from the
store while the inputs it is given are unchanged.

In: the project's folder and a report function (the CLI's progress lines); then, for each stage,
a plain function and the inputs to call it with (config views, the data files, earlier stages'
values, anything else that hashes). Out: a :class:`Stages` runner that the build uses as a
context manager (it holds the store's lock and forgets what was not committed when it ends), the
stages' values, and a :class:`BuildResult` of timings and what came from the cache.

A stage's key (:func:`storymap.engine.keys.stage_key`) is made from exactly the inputs it is
called with, and an earlier stage's value counts by that stage's key; so a stage that is handed
a part of the config and reads another fails (storymap.config.view), rather than being taken from
a stale cache.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from storymap.engine.fork import Beside, Done
from storymap.engine.keys import code_key, digest, stage_key
from storymap.engine.store import Store, cache_root

Report = Callable[[str], None]
T = TypeVar("T")


class Later(Generic[T]):
    """A stage's value, made or unpickled when first asked for (call it); as an input of a later
    stage it counts by its stage's key."""

    def __init__(self, key: str, make: Callable[[], T]):
        self.key = key
        self._make: Callable[[], T] | None = make
        self._value: list[T] = []

    def __call__(self) -> T:
        if not self._value:
            make, self._make = self._make, None
            assert make is not None
            self._value.append(make())
        return self._value[0]

    def cache_key(self) -> str:
        return self.key


def values(inputs: tuple) -> tuple:
    """The inputs as a stage is called with them: each :class:`Later` as its value."""
    return tuple(i() if isinstance(i, Later) else i for i in inputs)


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
        project_root: Path,
        report: Report | None = None,
        writable: bool = True,
        previous: Path | None = None,
    ):
        self.report = report or (lambda _msg: None)
        self.store = Store(cache_root(project_root) / "store", writable=writable, previous=previous)
        self.code = code_key()
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

    def key(self, name: str, inputs: tuple) -> str:
        return stage_key(self.code, name, inputs)

    def later(
        self, name: str, make: Callable[..., T], *inputs: object, externals: dict | None = None
    ) -> Later[T]:
        """``make(*inputs)`` as a stage value to come: from the store while the code and the
        inputs are unchanged. An input that is an earlier :class:`Later` is handed to ``make``
        as its value. A stored entry is checked now (so the stage reports what it found) and
        unpickled only when the value is first asked for, so a build that never needs it never
        imports what it is made of; without an entry, ``make`` runs now."""
        key = self.key(name, inputs)
        payload = self.store.peek(name, key)
        if payload is None:
            value = make(*values(inputs))
            self.store.store(name, key, value, externals)
            return Later(key, lambda: value)

        def value() -> T:
            hit, found = self.store.unpickle(name, key, payload, externals)
            if not hit:
                found = make(*values(inputs))
                self.store.store(name, key, found, externals)
            return found

        return Later(key, value)

    def value(
        self, name: str, make: Callable[..., T], *inputs: object, externals: dict | None = None
    ) -> T:
        """``make(*inputs)``, from the store while the code and the inputs are unchanged."""
        return self.store.get(
            name, self.key(name, inputs), lambda: make(*values(inputs)), externals
        )

    def memo(self, name: str, *inputs: object) -> Memo:
        """A :class:`Memo` for values made from ``inputs`` one at a time."""
        return Memo(self.store, name, self.key(name, inputs))

    def files(
        self, name: str, make: Callable[..., Any], *inputs: object, dest: Path, scratch: Path
    ) -> Any:
        """Like :meth:`value` for a stage that writes files: ``make(*inputs, folder)``; the
        files end in ``dest`` either way."""
        return self.store.get_files(
            name,
            self.key(name, inputs),
            lambda folder: make(*values(inputs), folder),
            dest,
            scratch,
        )

    def beside(
        self,
        name: str,
        make: Callable[..., Any],
        *inputs: object,
        dest: Path,
        scratch: Path,
    ) -> Beside | Done:
        """Like :meth:`files`, with ``make`` run in a second process while the build goes on
        (storymap.engine.fork); the job's ``result()`` waits for it (its files end in
        ``dest``). Without a stored entry, the inputs' values are made first, here: what both
        processes need."""

        def prepare() -> None:
            values(inputs)

        return self.store.get_files_beside(
            name,
            self.key(name, inputs),
            lambda folder: make(*values(inputs), folder),
            dest,
            scratch,
            prepare,
        )

    def commit(self) -> None:
        self.store.commit()

    def result(self, out: Path, pages: int, maps: int) -> BuildResult:
        store = self.store
        return BuildResult(
            out, pages, maps, self.timings, self.notes, store.made, store.reused, store.notes
        )
