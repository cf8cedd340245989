"""Modules bound at import, loaded on first use: the store and the registry name pandas, NumPy
and Arrow everywhere, yet ``statlib build`` with every job cached reads a few registry rows
and never needs them (half a second of imports; issue 17).

    if TYPE_CHECKING:
        import pandas as pd
    else:
        pd = LazyModule("pandas")

The first attribute read imports the module (under the import lock, so threads are safe) and
keeps the attribute on the proxy: later reads cost a plain attribute look-up.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["LazyModule"]


class LazyModule:
    """Stands for the module ``name`` until an attribute of it is read."""

    def __init__(self, name: str) -> None:
        self._module_name = name

    def __getattr__(self, attr: str) -> Any:
        value = getattr(importlib.import_module(self._module_name), attr)
        setattr(self, attr, value)
        return value

    def __repr__(self) -> str:
        return f"<lazy module {self._module_name!r}>"
