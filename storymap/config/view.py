"""The part of the config a build stage is handed, and nothing more.

In: the Config, the sections a stage may read (``"sources"``, ``"site.area"``, or ``"*"`` for all
of it) and, with ``sources``, the data files they name. Out: a :class:`ConfigView` that reads like
the Config, raises :class:`SectionNotHanded` when the stage reads a section it was not handed,
and gives the build's cache a key of exactly what it holds (:meth:`ConfigView.cache_key`). A stage
that starts reading another section therefore fails at once in every test, instead of being
taken from a stale cache.
"""

from __future__ import annotations

import hashlib
import json
import types
from typing import Any, Protocol

from pydantic import BaseModel
from pydantic_core import to_jsonable_python


class SectionNotHanded(RuntimeError):
    """A stage read a part of the config it was not handed (a mistake in storymap's code)."""


class Keyed(Protocol):
    def cache_key(self) -> str: ...


def _dump(value: object) -> bytes:
    return json.dumps(to_jsonable_python(value, fallback=repr), sort_keys=True).encode()


class _View:
    """``model`` with only ``allowed`` of its fields readable (dotted for nested sections)."""

    def __init__(self, model: BaseModel, allowed: frozenset[str], where: str):
        object.__setattr__(self, "_model", model)
        object.__setattr__(self, "_allowed", allowed)
        object.__setattr__(self, "_where", where)

    def __getattr__(self, name: str) -> Any:
        model, allowed = self._model, self._allowed
        if name in type(model).model_fields and name not in _ALWAYS:
            if "*" in allowed or name in allowed:
                return getattr(model, name)
            inner = frozenset(a[len(name) + 1 :] for a in allowed if a.startswith(name + "."))
            if inner:
                return _View(getattr(model, name), inner, f"{self._where}{name}.")
            raise SectionNotHanded(
                f"a build stage read config.{self._where}{name}, which it was not handed: add "
                f"{self._where + name!r} to the sections it is given (storymap/build.py), so its "
                "cache key covers it."
            )
        found = getattr(type(model), name, None)
        if isinstance(found, property):
            return found.fget(self)  # a property reads the fields through this view
        if isinstance(found, types.FunctionType):
            return types.MethodType(found, self)
        return getattr(model, name)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("a stage's config is read-only")

    def __repr__(self) -> str:
        return f"<config {self._where or ''}view of {sorted(self._allowed)}>"


_ALWAYS = frozenset({"path"})  # where the config file is: names, not contents


class ConfigView(_View):
    """The sections of a Config that a stage is handed (see the module's docstring)."""

    def __init__(self, config: BaseModel, sections: tuple[str, ...], files: Keyed | None = None):
        if files is None and any(s in ("*", "sources") for s in sections):
            raise ValueError("a stage handed config.sources is handed the data files too")
        super().__init__(config, frozenset(sections), "")
        object.__setattr__(self, "_files", files)
        object.__setattr__(self, "sections", tuple(sections))

    @property
    def config(self) -> BaseModel:
        """The whole Config, for code that hands a part of it on (never read in a stage)."""
        return self._model

    def cache_key(self) -> str:
        """A hash of the sections held (and, with ``sources``, of the data files' bytes)."""
        h = hashlib.sha256(self._model.path.name.encode())
        for section in sorted(self.sections):
            value: object = self._model
            if section != "*":
                for name in section.split("."):
                    value = getattr(value, name)
            h.update(section.encode() + b"\0" + _dump(value) + b"\0")
        if self._files is not None:
            h.update(self._files.cache_key().encode())
        return h.hexdigest()[:24]


def only(config: BaseModel, *sections: str, files: Keyed | None = None) -> ConfigView:
    """The view of ``config`` a stage is handed: ``only(config, "geography", "site.area")``."""
    return ConfigView(config, sections, files)
