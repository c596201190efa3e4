"""Heavy libraries imported when first used, not when storymap's modules are imported.

In: a module's name. Out: a stand-in whose attributes are the module's, imported on first use.
A rebuild that takes every stage from the cache, and ``storymap --help``, then never pay for
pandas, GeoPandas, Shapely or pyproj (each takes a second or more to import on an old
machine): ``import storymap.build`` loads none of them (tests/test_layout.py).
"""

from __future__ import annotations

import importlib
import types


class _Later(types.ModuleType):
    """A module imported the first time one of its attributes is read."""

    def __getattr__(self, name: str) -> object:
        real = importlib.import_module(self.__name__)
        # from now on its attributes are found here directly (in hot loops ``np.`` costs what it
        # costs on the module itself); one added to the module later still comes through here
        self.__dict__.update({k: v for k, v in vars(real).items() if not k.startswith("__")})
        return getattr(real, name)

    def __repr__(self) -> str:
        return f"<module {self.__name__!r}, imported when first used>"


def module(name: str) -> types.ModuleType:
    """``name``, imported when first used: ``pd = module("pandas")`` then ``pd.DataFrame``."""
    return _Later(name)
